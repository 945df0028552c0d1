"""Stock, kits, demand and deliveries; the laundry's pages and the hub's delivery pages.

Objects belong to hospital A / hub A, so other_laundry and other_hub_staff get 404 for them
(never a hint that they exist); everyone else gets 403 before anything is looked up.
"""

from packages.forms import PackForm
from tests import factories
from tests.access.matrix import REDIRECT, Route, only
from tests.once import token

LAUNDRY_BOTH = {"laundry": 200, "other_laundry": 200}
LAUNDRY_OWN = {"laundry": 200, "other_laundry": 404}
LAUNDRY_ACTS = {"laundry": REDIRECT, "other_laundry": 404}
STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}
STAFF_OWN = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 404}
STAFF_ACTS = {"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}


def _staff(w):
    return w.user("hub_staff")


def _demand(w):
    return factories.demand(hospital=w.hospital, actor=w.user("laundry"))


def _delivery(w, status, **extra):
    return factories.delivery(
        hub=w.hub, hospital=w.hospital, actor=_staff(w), status=status, **extra
    )


def _requirement(w):
    from packages import services

    return services.quality_requirement_add(
        hospital=w.hospital, title="1 cm seam allowance", actor=w.user("laundry")
    )


def _sent_kwargs(w):
    return {"pk": _delivery(w, "sent").pk}


class _Shared:
    """A route whose kwargs and POST data must name the same object."""

    def __init__(self, build):
        self.build = build
        self.obj = None

    def kwargs(self, w):
        self.obj = self.build(w)
        return {"pk": self.obj.pk}


_draft_for_pack = _Shared(
    lambda w: factories.delivery(
        hub=w.hub, hospital=w.hospital, actor=_staff(w), status="draft", sizes=()
    )
)


def _pack_data(w):
    factories.passed_kit(hub=w.hub, actor=_staff(w), size="L", garments=4)
    return {"count_top_L": 1} | token(PackForm)


def _unpack_kwargs(w):
    draft = _delivery(w, "draft")
    return {"pk": draft.pk, "line_pk": draft.lines.get().pk}


# Pages that show a form and take its answer (GET and POST) have GET rows here; what a POST
# does for each persona is tested in tests/packages/test_laundry_views.py.
ROUTES = [
    # The laundry.
    Route("packages:laundry_home", only(LAUNDRY_BOTH)),
    Route(
        "packages:laundry_switch",
        only({"laundry": REDIRECT, "other_laundry": 404}),
        method="post",
        data=lambda w: {"hospital": w.hospital.pk},
        html=False,
        note="another hospital's id is a 404, never a switch",
    ),
    Route("packages:laundry_demand", only(LAUNDRY_BOTH)),
    Route("packages:laundry_demand_past", only(LAUNDRY_BOTH)),
    Route("packages:laundry_demand_new", only(LAUNDRY_BOTH)),
    Route(
        "packages:laundry_demand_detail",
        only(LAUNDRY_OWN),
        kwargs=lambda w: {"pk": _demand(w).pk},
    ),
    Route(
        "packages:laundry_demand_change",
        only(LAUNDRY_OWN),
        kwargs=lambda w: {"pk": _demand(w).pk},
    ),
    Route(
        "packages:laundry_demand_withdraw",
        only(LAUNDRY_OWN),
        kwargs=lambda w: {"pk": _demand(w).pk},
    ),
    Route("packages:laundry_circulation", only(LAUNDRY_BOTH)),
    Route("packages:laundry_quality", only(LAUNDRY_BOTH)),
    Route("packages:laundry_quality_new", only(LAUNDRY_BOTH)),
    Route(
        "packages:laundry_quality_change",
        only(LAUNDRY_OWN),
        kwargs=lambda w: {"pk": _requirement(w).pk},
    ),
    Route(
        "packages:laundry_quality_remove",
        only(LAUNDRY_ACTS),
        method="post",
        kwargs=lambda w: {"pk": _requirement(w).pk},
        html=False,
    ),
    Route("packages:laundry_deliveries", only(LAUNDRY_BOTH)),
    Route("packages:laundry_delivery", only(LAUNDRY_OWN), kwargs=_sent_kwargs),
    Route("packages:laundry_delivery_confirm", only(LAUNDRY_OWN), kwargs=_sent_kwargs),
    Route(
        "packages:laundry_wash_failure",
        only(LAUNDRY_OWN),
        kwargs=lambda w: {"pk": _delivery(w, "received").pk},
    ),
    # The hub's side.
    Route("packages:hub_deliveries", only(STAFF_200)),
    Route("packages:hub_delivery_new", only(STAFF_200)),
    Route(
        "packages:hub_delivery", only(STAFF_OWN), kwargs=lambda w: {"pk": _delivery(w, "draft").pk}
    ),
    Route(
        "packages:hub_delivery",
        only(STAFF_OWN),
        kwargs=lambda w: {
            "pk": _delivery(w, "received", received=[4], discrepancy_note="1 short").pk
        },
        note="a received delivery: kits, makers and wash failures",
    ),
    Route(
        "packages:hub_delivery_pack",
        only(STAFF_ACTS),
        method="post",
        kwargs=_draft_for_pack.kwargs,
        data=_pack_data,
        html=False,
    ),
    Route(
        "packages:hub_delivery_unpack",
        only(STAFF_ACTS),
        method="post",
        kwargs=_unpack_kwargs,
        html=False,
        note="the second person is told it is already unpacked",
    ),
    Route(
        "packages:hub_delivery_note",
        only(STAFF_OWN),
        kwargs=lambda w: {"pk": _delivery(w, "draft").pk},
    ),
    Route(
        "packages:hub_delivery_send",
        only(STAFF_ACTS),
        method="post",
        kwargs=lambda w: {"pk": _delivery(w, "draft").pk},
        html=False,
    ),
    Route(
        "packages:hub_delivery_cancel",
        only(STAFF_ACTS),
        method="post",
        kwargs=lambda w: {"pk": _delivery(w, "draft").pk},
        html=False,
    ),
    Route(
        "packages:hub_delivery_resolve",
        only(STAFF_OWN),
        kwargs=lambda w: {
            "pk": _delivery(w, "received", received=[4], discrepancy_note="One short").pk
        },
    ),
    # Wash failures the laundry reported, for the hub to look at.
    Route("packages:hub_wash_failures", only(STAFF_200)),
    Route(
        "packages:hub_wash_failure",
        only(STAFF_OWN),
        kwargs=lambda w: {"pk": _wash_failure(w).pk},
        note="the page to mark it looked at; what a POST does: test_wash_failures.py",
    ),
]


def _wash_failure(w):
    from packages import services

    delivery = _delivery(w, "received")
    line = delivery.lines.get()
    return services.wash_failure_report(
        delivery=delivery, line=line, count=1, reason="seams", actor=w.user("laundry")
    )


# --- The laundry's report and downloads (issue 23) ------------------------------------------
# Each laundry reads its own hospital's; no maker's personal data in any of them
# (tests/packages/test_exports.py scans them).

ROUTES += [
    Route("packages:laundry_report", only(LAUNDRY_BOTH)),
    Route("packages:laundry_export_deliveries", only(LAUNDRY_BOTH), html=False),
    Route("packages:laundry_export_demand", only(LAUNDRY_BOTH), html=False),
]
