"""The benchmark's in-process pass, run inside Django with the bench's settings.

    python -m bench.prepare --out pages.json --hub-slug aberdeen-scrubs --explain

For every page in bench.pages: checks it exists, signs its persona in (the session cookie
the load tool will send), counts its queries through Django's test client and, with
--explain, asks PostgreSQL how it would run each of them, flagging any sequential scan of a
table with more than --big-table rows. For a POST it also writes the form bodies the load
tool sends, each a new person with a fresh form token.

    python -m bench.prepare --out summary.json --hub-slug ... --weekly-summary

times the weekly summary run for that hub instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import string
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import django

SQL_STATEMENT = re.compile(r"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


FULL_INDEX_SCAN = "full scan in index order"


def seq_scans(plan: dict) -> list[tuple[str, str]]:
    """(relation, how) for each whole-table read in a plan, at any depth: a sequential
    scan, or an index scan with no index condition (it walks the whole index, typically
    `ORDER BY id LIMIT 1` with a filter that no index serves)."""
    found = []
    node, table = plan.get("Node Type"), plan.get("Relation Name")
    if table and node == "Seq Scan":
        found.append((table, "sequential scan"))
    elif table and node in {"Index Scan", "Index Only Scan"} and "Index Cond" not in plan:
        found.append((table, FULL_INDEX_SCAN))
    for child in plan.get("Plans", []):
        found.extend(seq_scans(child))
    return found


def big_seq_scans(queries: list[str], *, big_table: int) -> list[dict]:
    """EXPLAIN each statement; one entry per sequential scan of a table over `big_table`
    rows (by the planner's own row estimate, fresh after the seed's ANALYZE)."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = {name: int(max(tuples, 0)) for name, tuples in cursor.fetchall()}
        for sql in queries:
            if not SQL_STATEMENT.match(sql):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for table, how in seq_scans(plan[0]["Plan"]):
                if rows.get(table, 0) > big_table:
                    problems.append(
                        {"table": table, "rows": rows[table], "how": how, "sql": sql[:400]}
                    )
    return problems


def _context(hub_slug: str, run_tag: str) -> dict:
    from dropoffs.models import Point
    from packages.models import Kit, KitAssignment
    from packages.seed import BENCH_USERS
    from scrubhub.hubs.models import Hub

    hub = Hub.objects.get(slug=hub_slug)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {role: User.objects.get(username=name) for role, name in BENCH_USERS.items()}
    maker_kits = KitAssignment.objects.filter(
        maker__user=users["maker"], ended_at__isnull=True
    ).values_list("kit_id", flat=True)
    # The helper scans a kit waiting at their point for the benchmark's maker; failing that,
    # any open kit of the hub.
    kit = (
        Kit.objects.filter(pk__in=list(maker_kits), status=Kit.Status.ALLOCATED).first()
        or Kit.objects.filter(hub=hub, status=Kit.Status.WITH_MAKER).order_by("pk").first()
    )
    point = Point.objects.filter(hub=hub).order_by("pk").first()

    def join_token() -> str:
        from makers.forms import JoinForm
        from scrubhub import once

        # The join form's own one-time token, for this hub's page.
        return once.token_new(JoinForm.form_name(), JoinForm.scope_for(hub))

    return {
        "hub": hub,
        "hub_slug": hub.slug,
        "users": users,
        "code": kit.code if kit else "0000000",
        "point_id": point.pk,
        "run_tag": run_tag,
        "join_token": join_token,
    }


def _resolve(page, ctx) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in page.url_names:
        try:
            return reverse(name, args=page.args(ctx))
        except NoReverseMatch:
            continue
    return None


def measure(args) -> dict:
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import PAGES

    ctx = _context(args.hub_slug, args.run_tag)
    bodies_dir = Path(args.bodies_dir)
    bodies_dir.mkdir(parents=True, exist_ok=True)
    serial = 0
    results = []
    all_sql = {}
    for page in PAGES:
        entry = {"name": page.name, "kind": page.kind, "method": page.method}
        path = _resolve(page, ctx)
        if path is None:
            results.append({**entry, "state": "not built yet", "url_names": page.url_names})
            continue
        entry.update(path=path, expect=page.expect, target_ms=page.target_ms)
        client = Client()
        if page.persona:
            client.force_login(ctx["users"][page.persona])

        def hit(client=client, page=page, path=path):
            nonlocal serial
            if page.method == "POST":
                serial += 1
                return client.post(path, page.form(ctx, serial))
            return client.get(path)

        try:
            hit()  # the first request may save a fresh session: not the page's own work
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                response = hit()
        except Exception as exc:  # noqa: BLE001 - a broken page is a result, not a crash
            results.append({**entry, "state": "error", "error": f"{type(exc).__name__}: {exc}"})
            continue
        queries = [q["sql"] for q in captured.captured_queries]
        all_sql[page.name] = queries
        entry.update(status=response.status_code, queries=len(queries))
        if response.status_code != page.expect:
            entry.update(state="error", error=f"answered {response.status_code}")
            results.append(entry)
            continue
        entry["state"] = "ok"
        if args.explain and connection.vendor == "postgresql":
            entry["seq_scans"] = big_seq_scans(queries, big_table=args.big_table)
        cookies = []
        if page.persona:
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={session}")
        if page.method == "POST":
            # The load tool sends the CSRF cookie and the same secret in the form, as a
            # browser would; every body is a new person with a new one-time form token.
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            cookies.append(f"{settings.CSRF_COOKIE_NAME}={csrf}")
            files = []
            for run in range(args.runs):
                file = bodies_dir / f"{page.kind}-{args.run_tag}-{run}.txt"
                with file.open("w") as out:
                    for _ in range(args.bodies_per_run):
                        serial += 1
                        out.write(
                            urlencode({**page.form(ctx, serial), "csrfmiddlewaretoken": csrf})
                            + "\n"
                        )
                files.append(str(file))
            entry["bodies"] = files
        entry["cookie"] = "; ".join(cookies)
        results.append(entry)
    if args.sql_out:
        Path(args.sql_out).write_text(json.dumps(all_sql, indent=1))
    return {"pages": results, "hub": ctx["hub_slug"], "cookie_name": settings.SESSION_COOKIE_NAME}


def weekly_summary(args) -> dict:
    try:
        from packages.summaries import weekly_summaries_send
    except ImportError:
        return {"state": "pending", "why": "no weekly summary function in this build"}
    import resource
    import tempfile

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from makers.models import Maker
    from scrubhub.hubs.models import Hub
    from scrubhub.notifications import delivery as outbox
    from scrubhub.notifications.models import Message

    hub = Hub.objects.get(slug=args.hub_slug)
    makers = Maker.objects.filter(hub=hub).count()
    # A database kept from an earlier run (--reuse) already has this week's summaries, and
    # the run would skip them all: start the week's outbox afresh so the whole run is timed.
    Message.objects.filter(hub=hub, kind__startswith="weekly_summary").delete()
    started = time.monotonic()
    with CaptureQueriesContext(connection) as captured:
        queued = weekly_summaries_send(hub=hub)
    built = time.monotonic() - started
    # Then send a sample to a local mailbox (Django's file backend, one file per message),
    # through the same claim-and-send path the worker uses.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tempfile.mkdtemp(prefix="scrubhub-mailbox-")
    sample = list(
        Message.objects.filter(
            hub=hub, kind="weekly_summary", status=Message.Status.PENDING
        ).values_list("pk", flat=True)[: args.send_sample]
    )
    sending = time.monotonic()
    sent = sum(outbox.message_deliver(message_id=pk) for pk in sample)
    send_seconds = time.monotonic() - sending
    return {
        "state": "ok",
        "seconds": round(built, 2),
        "messages_queued": queued,
        "makers_in_hub": makers,
        "queries": len(captured.captured_queries),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sent_to_mailbox": sent,
        "messages_per_second": round(sent / send_seconds, 1) if send_seconds else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--hub-slug", required=True)
    parser.add_argument("--run-tag", default="bench")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--big-table", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bodies-per-run", type=int, default=20_000)
    parser.add_argument("--bodies-dir", default="var/bench")
    parser.add_argument("--sql-out", default="")
    parser.add_argument("--weekly-summary", action="store_true")
    parser.add_argument("--send-sample", type=int, default=2000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrubhub.settings")
    django.setup()
    result = weekly_summary(args) if args.weekly_summary else measure(args)
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
