"""`make bench-pages`: Lighthouse on the key page of every role, against the demo.

Builds a fresh database with the demo (`manage.py demo`), serves it with gunicorn and
production settings (DJANGO_DEBUG=false, hashed and compressed static files through
whitenoise), signs each persona in, and runs Lighthouse (mobile, its default simulated
slow-4G throttling, a cold cache: a first visit) on each page with Debian's chromium.

Targets (issue 24), each a failure when missed (exit status 1, naming page and number):
performance >= 95, accessibility 100, best practices 100, largest contentful paint <= 1.5 s,
and at most 150 KB transferred for the page's HTML, CSS, JavaScript and images together.

    .venv/bin/python -m bench.lighthouse            # a few minutes
    .venv/bin/python -m bench.lighthouse --keep     # keep the database afterwards

Writes bench/results/pages-<date>.md and .json. Performance scores depend on the machine:
Lighthouse simulates the network and CPU from a trace it records here, so a busy machine
scores lower than a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from bench.run import (
    DEFAULT_DATABASE_URL,
    PY,
    RESULTS,
    ROOT,
    WORK,
    Server,
    admin_sql,
    bench_env,
    flush_redis,
    log,
    manage,
    request,
)

LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
LCP_TARGET_MS = 1500
BYTES_TARGET = 150 * 1024
# What the byte target counts, by Lighthouse's resource types (fonts and the rest are
# reported beside it).
COUNTED = ("document", "stylesheet", "script", "image")


@dataclass(frozen=True)
class Page:
    name: str
    persona: str | None  # a demo username; None for a visitor who is not signed in
    url: str  # a URL name, reversed with the arguments below
    args: str | None = None  # a key of the context: "hub", "kit" or "run"


# The key page of each role (issue 24), in the demo (scrubhub/demo.py, the README's log-ins).
PAGES = [
    Page("home", None, "home"),
    Page("joining", None, "makers:join", "hub"),
    Page("maker's /me/", "maker", "makers:me"),
    Page("maker's kit page", "maker", "makers:kit", "kit"),
    Page("hub dashboard", "staff", "hubs:dashboard"),
    Page("kits list", "staff", "hubs:kits"),
    Page("allocation", "staff", "hubs:allocate"),
    Page("scan", "helper", "dropoffs:scan"),
    Page("driver's run", "driver", "dropoffs:run", "run"),
    Page("laundry", "laundry", "packages:laundry_home"),
]


# --- Inside Django: the URLs and a signed-in session per persona -------------------------


def sign_in(out: Path) -> None:
    """Run with the server's settings (same database, cache and secret key): writes each
    page's path and the Cookie header that signs its persona in."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from dropoffs.models import Run
    from packages.models import KitAssignment
    from scrubhub.demo import HUB_SLUG

    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    assignment = (
        KitAssignment.objects.filter(maker__user=users["maker"], ended_at__isnull=True)
        .select_related("kit")
        .order_by("pk")
        .first()
    )
    run = Run.objects.filter(driver=users["driver"]).order_by("-day", "-pk").first()
    context = {"hub": HUB_SLUG, "kit": assignment.kit.code, "run": run.pk}
    cookies = {}
    for persona in {page.persona for page in PAGES if page.persona}:
        client = Client()
        client.force_login(users[persona])
        cookies[persona] = f"{settings.SESSION_COOKIE_NAME}=" + (
            client.cookies[settings.SESSION_COOKIE_NAME].value
        )
    pages = [
        {
            "name": page.name,
            "persona": page.persona or "visitor",
            "path": reverse(page.url, args=[context[page.args]] if page.args else []),
            "cookie": cookies.get(page.persona, ""),
        }
        for page in PAGES
    ]
    out.write_text(json.dumps(pages, indent=1))


# --- Outside: the database, the server and Lighthouse ------------------------------------


def build_demo(args, env: dict) -> None:
    admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_sql(args.database_url, f'CREATE DATABASE "{args.database}"')
    log(f"migrating {args.database}")
    manage(env, "migrate", "--no-input", "-v0")
    log("loading the demo")
    # The demo refuses to run without DEBUG (its passwords are public); only loading it
    # does, the server below runs with DJANGO_DEBUG=false.
    manage({**env, "DJANGO_DEBUG": "true"}, "demo")
    manage(env, "collectstatic", "--no-input", "-v0")


def lighthouse(port: int, page: dict, report: Path) -> dict:
    headers = {"Cookie": page["cookie"]} if page["cookie"] else {}
    command = [
        str(LIGHTHOUSE),
        f"http://127.0.0.1:{port}{page['path']}",
        "--only-categories=performance,accessibility,best-practices",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        # root in a container: chromium's sandbox needs namespaces it may not have.
        "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
        "--max-wait-for-load=60000",
    ]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    # Lighthouse now and then loses the trace of a load (NO_NAVSTART) and says to run it
    # again; a second failure is real.
    for attempt in (1, 2):
        run = subprocess.run(  # noqa: S603 - our pinned Lighthouse with fixed arguments
            command, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300
        )
        if run.returncode == 0 or attempt == 2:
            run.check_returncode()
            break
        print("  Lighthouse could not record the load; running it again")
    return summarise(json.loads(report.read_text()))


def summarise(lhr: dict) -> dict:
    """The numbers the targets are about, and the audits that cost points."""
    audits = lhr["audits"]
    sizes = {
        item["resourceType"]: item["transferSize"]
        for item in audits["resource-summary"]["details"]["items"]
    }
    failing = {}
    for category in TARGETS:
        # Performance metrics score on a curve: name only those well off it.
        below = 0.9 if category == "performance" else 1
        failing[category] = [
            f"{ref['id']} ({audits[ref['id']]['title']})"
            for ref in lhr["categories"][category]["auditRefs"]
            if ref["weight"] > 0
            and audits[ref["id"]]["score"] is not None
            and audits[ref["id"]]["score"] < below
        ]
    return {
        "final_url": lhr["finalDisplayedUrl"],
        "runtime_error": (lhr.get("runtimeError") or {}).get("message", ""),
        "scores": {k: round((lhr["categories"][k]["score"] or 0) * 100) for k in TARGETS},
        "lcp_ms": round(audits["largest-contentful-paint"].get("numericValue") or 0),
        "bytes": {kind: sizes.get(kind, 0) for kind in (*COUNTED, "font", "other", "total")},
        "counted_bytes": sum(sizes.get(kind, 0) for kind in COUNTED),
        "failing_audits": failing,
    }


def misses(page: dict) -> list[str]:
    result, where = page["result"], f"{page['name']} ({page['path']})"
    if "error" in result or result["runtime_error"]:
        return [f"{where}: {result.get('error') or result['runtime_error']}"]
    missed = [
        f"{where}: {category} {result['scores'][category]} < {target}"
        for category, target in TARGETS.items()
        if result["scores"][category] < target
    ]
    if result["lcp_ms"] > LCP_TARGET_MS:
        missed.append(f"{where}: LCP {result['lcp_ms'] / 1000:.2f} s > 1.5 s")
    if result["counted_bytes"] > BYTES_TARGET:
        missed.append(f"{where}: {kb(result['counted_bytes'])} KB > 150 KB")
    return missed


def kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def report_markdown(results: dict) -> str:
    lines = [
        f"# Lighthouse on the key pages ({results['finished_at']})",
        "",
        "`make bench-pages` (bench/lighthouse.py): Lighthouse "
        f"{results['lighthouse']}, mobile, default simulated throttling (slow 4G, 4x CPU "
        "slowdown), cold cache, Debian chromium; the demo served by gunicorn with "
        "DJANGO_DEBUG=false and whitenoise's compressed, hashed static files, over loopback. "
        f"Machine: {results['machine']}.",
        "",
        "Targets: performance >= 95, accessibility 100, best practices 100, LCP <= 1.5 s, "
        "at most 150 KB transferred for HTML + CSS + JS + images.",
        "",
        "| page | signed in as | path | perf | a11y | best pr. | LCP s | HTML+CSS+JS+img KB "
        "| all KB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in results["pages"]:
        r = page["result"]
        if "error" in r:
            lines.append(f"| {page['name']} | {page['persona']} | `{page['path']}` | "
                         f"{r['error']} | | | | | |")  # fmt: skip
            continue
        s = r["scores"]
        lines.append(
            f"| {page['name']} | {page['persona']} | `{page['path']}` | {s['performance']} "
            f"| {s['accessibility']} | {s['best-practices']} | {r['lcp_ms'] / 1000:.2f} "
            f"| {kb(r['counted_bytes'])} | {kb(r['bytes']['total'])} |"
        )
    lines += ["", "## Targets missed", ""]
    lines += [f"- {m}" for m in results["missed"]] or ["None."]
    lines += ["", "## Audits that cost points", ""]
    for page in results["pages"]:
        for category, audits in page["result"].get("failing_audits", {}).items():
            if audits:
                lines.append(f"- {page['name']}, {category}: {', '.join(audits)}")
    return "\n".join(lines) + "\n"


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} at the end (shared with other work)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sign-in", type=Path, help=argparse.SUPPRESS)  # the inner step
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--database", default="scrubhub_bench_pages")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--port", type=int, default=0, help="0: any free port.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--out", type=Path, default=None, help="Default: results/pages-<date>")
    args = parser.parse_args(argv)
    if args.sign_in:
        sign_in(args.sign_in)
        return 0
    if not LIGHTHOUSE.exists():
        parser.error("Lighthouse is not installed: run `make bench-pages` (npm ci in bench/)")
    args.secret_key = secrets.token_urlsafe(64)
    WORK.mkdir(parents=True, exist_ok=True)
    env = bench_env(args, args.database)
    build_demo(args, env)
    reports = Path(tempfile.mkdtemp(prefix="lighthouse-", dir=WORK))
    subprocess.run(  # noqa: S603
        [PY, "-m", "bench.lighthouse", "--sign-in", str(reports / "pages.json")],
        cwd=ROOT,
        env=env,
        check=True,
    )
    pages = json.loads((reports / "pages.json").read_text())
    version = subprocess.run(  # noqa: S603
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    server_args = SimpleNamespace(port=args.port, workers=args.workers)
    with Server(server_args, env):
        for number, page in enumerate(pages):
            status, location = request(server_args.port, "GET", page["path"], page["cookie"])
            if status != 200:
                page["result"] = {"error": f"answered {status} {location}"}
                continue
            log(f"Lighthouse: {page['name']} ({page['path']})")
            started = time.monotonic()
            page["result"] = lighthouse(server_args.port, page, reports / f"{number}.json")
            # A page that sent Lighthouse elsewhere (the log-in page) was not measured.
            if not page["result"]["final_url"].endswith(page["path"]):
                page["result"]["error"] = f"ended at {page['result']['final_url']}"
            log(f"  {time.monotonic() - started:.0f}s")
    for page in pages:
        page.pop("cookie", None)
    results = {
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "lighthouse": version,
        "machine": machine(),
        "targets": {**TARGETS, "lcp_ms": LCP_TARGET_MS, "bytes": BYTES_TARGET},
        "pages": pages,
    }
    results["missed"] = [m for page in pages for m in misses(page)]
    flush_redis(args)
    if not args.keep:
        admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{args.database}"')
    out = args.out or RESULTS / f"pages-{datetime.now(UTC):%Y-%m-%d}"
    out.parent.mkdir(parents=True, exist_ok=True)
    markdown = report_markdown(results)
    out.with_suffix(".md").write_text(markdown)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    log("\n" + markdown)
    log(f"Written to {out.with_suffix('.md')} and {out.with_suffix('.json')}.")
    for missed in results["missed"]:
        log(f"MISSED {missed}")
    return 1 if results["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
