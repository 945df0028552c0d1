"""Where a page's time goes: SQL against Python, its slowest queries, its hottest functions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrubhub_bench_national \\
        .venv/bin/python -m bench.profile --hub-slug aberdeen-scrubs [--page roster] [--cprofile]

Runs in-process through Django's test client against a seeded database (keep one with
`make bench BENCH_ARGS="--sizes national --keep"`), so it measures the page's own work
without the load tool, gunicorn or the network. For each GET page it also replays one
request's SQL through a bare cursor: the part of the page's time that faster Python cannot
remove (only fewer or cheaper statements can). Use it to decide what to change; the
benchmark (`make bench`) is what decides whether a change helped.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

import django


def profile_page(page, ctx, *, repeat: int, use_cprofile: bool, top: int, sort: str) -> str:
    from django.db import connection
    from django.test import Client

    from bench.prepare import _resolve

    path = _resolve(page, ctx)
    if path is None:
        return f"{page.name}: not built\n"
    client = Client()
    if page.persona:
        client.force_login(ctx["users"][page.persona])
    serial = iter(range(1, 10**9))

    def hit():
        if page.method == "POST":
            return client.post(path, page.form(ctx, next(serial)))
        return client.get(path)

    hit()  # warm caches and the session
    queries: dict[str, list[float]] = {}
    sql_seconds = 0.0

    def timed(execute, sql, params, many, context):
        nonlocal sql_seconds
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            sql_seconds += spent
            queries.setdefault(sql, []).append(spent)

    walls, cpus = [], []
    profiler = cProfile.Profile() if use_cprofile else None
    with connection.execute_wrapper(timed):
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            response = hit()
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_started)
    wall = sum(walls)
    out = io.StringIO()
    median_ms = statistics.median(walls) * 1000
    cpu_ms = statistics.median(cpus) * 1000
    per_request = sum(len(v) for v in queries.values()) // repeat
    out.write(
        f"{page.name} {path} [{response.status_code}]: median {median_ms:.1f} ms a request"
        f" ({cpu_ms:.1f} ms of this process's CPU); SQL {sql_seconds / wall:.0%} of the time,"
        f" {per_request} queries a request\n"
    )
    if page.method == "GET":
        floor_ms = _statements_alone_ms(hit, repeat=repeat)
        out.write(
            f"  its statements alone, replayed through a bare cursor: {floor_ms:.1f} ms a"
            " request (the database and the round trips: no ORM, template or middleware)\n"
        )
    slowest = sorted(queries.items(), key=lambda item: -sum(item[1]))[:top]
    for sql, spent in slowest:
        out.write(f"  {sum(spent) / repeat * 1000:7.2f} ms  {' '.join(sql.split())[:300]}\n")
    if profiler:
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats(sort).print_stats(top * 3)
        out.write(stats.getvalue())
    return out.getvalue()


def _statements_alone_ms(hit, *, repeat: int) -> float:
    """The median time of one request's SQL statements sent again through psycopg2's own
    cursor: the database's work and the round trips, without the ORM, the template or the
    middleware."""
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        hit()
    cursor = connection.cursor().cursor  # psycopg2's, under Django's wrapper
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hub-slug", required=True)
    parser.add_argument("--page", action="append", help="Part of a page's name (repeatable).")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument(
        "--sort", default="cumulative", help="cProfile order: cumulative, tottime..."
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrubhub.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    django.setup()
    from bench.pages import PAGES
    from bench.prepare import _context

    # A tag of its own each time, so joining posts people who have not joined before (a
    # known address takes the shorter "send a sign-in link" path).
    ctx = _context(args.hub_slug, f"profile-{time.time_ns()}")
    for page in PAGES:
        if args.page and not any(part in page.name for part in args.page):
            continue
        if page.method == "POST" and not args.page:
            continue  # joining makes people: only when asked for by name
        print(
            profile_page(
                page,
                ctx,
                repeat=args.repeat,
                use_cprofile=args.cprofile,
                top=args.top,
                sort=args.sort,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
