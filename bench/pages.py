"""The pages the benchmark drives: the busiest page of each role, one entry each.

Each entry names the Django URL (or several names, for a page whose name is not settled
yet), who to sign in as, and for a POST how to build the form. A page whose URL name does
not exist in this build is reported as "not built yet", never faked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# p95 targets at national size, in milliseconds, by kind of page (from the issue).
TARGET_P95_MS = {"staff": 150, "maker": 100, "join": 150, "baseline": None}


@dataclass(frozen=True)
class Page:
    name: str
    kind: str  # staff, maker, join or baseline: which p95 target applies
    persona: str | None  # a key of packages.seed.BENCH_USERS; None for anonymous
    url_names: tuple[str, ...]
    # Arguments for reverse(), from the bench context (largest hub, a kit code...).
    args: Callable[[dict], list] = field(default=lambda ctx: [])
    method: str = "GET"
    # For a POST: the form fields, given the context and a serial number (each post must
    # be a new person with a fresh form token).
    form: Callable[[dict, int], dict] | None = None
    # What a correct answer looks like: 200 for a page, 302 for a form that went through.
    expect: int = 200

    @property
    def target_ms(self) -> int | None:
        return TARGET_P95_MS[self.kind]


def join_form(ctx: dict, serial: int) -> dict:
    return {
        "name": f"Bench Joiner {serial}",
        "email": f"bench-join-{ctx['run_tag']}-{serial}@example.org",
        "phone": "",
        "postcode": "DD1 4HN",
        "age_band": "18_69",
        "experience": "beginner",
        "has_sewing_machine": "yes",
        "preferred_point": str(ctx["point_id"]),
        "consent": "on",
        "form_token": ctx["join_token"](),
    }


PAGES: list[Page] = [
    Page("baseline (bare view)", "baseline", "staff", ("bench:baseline",)),
    Page("hub dashboard", "staff", "staff", ("hubs:dashboard",)),
    Page("kits list", "staff", "staff", ("hubs:kits",)),
    Page(
        "allocation",
        "staff",
        "staff",
        ("hubs:allocate", "hubs:allocation", "hubs:kits_allocate", "hubs:allocate_kits"),
    ),
    Page("makers roster", "staff", "staff", ("makers:staff_roster",)),
    Page("maker's /me/", "maker", "maker", ("makers:me",)),
    Page("scan page", "staff", "helper", ("dropoffs:scan",)),
    Page("kit page (scanned)", "staff", "helper", ("dropoffs:kit",), args=lambda c: [c["code"]]),
    Page("laundry page", "staff", "laundry", ("packages:laundry_home",)),
    Page(
        "joining (POST)",
        "join",
        None,
        ("makers:join",),
        args=lambda c: [c["hub_slug"]],
        method="POST",
        form=join_form,
        expect=302,
    ),
]
