"""Joins per second: N people join one hub through the real form, in process.

    python -m bench.join_benchmark --joins 500

A benchmark, not a test: it reports, it does not pass or fail. It makes its own
throwaway database (a test database beside the one DATABASE_URL names, dropped at the
end), opens the join form for each person (GET, for a fresh form token) and posts a
valid answer from a different client address, as 500 people joining overnight after a
social-media post would. It prints joins per second (GET and POST together, and the POST
alone), the queries each join makes, and the slowest joins; --json writes the same.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=200, help="how many people join")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrubhub.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.core.cache import cache
        from django.urls import reverse

        from dropoffs.models import Point
        from makers.models import Maker
        from scrubhub.hubs.models import Hub

        cache.clear()
        hub = Hub.objects.create(
            name="Benchmark Scrub Hub",
            slug="bench-join",
            area="Dundee",
            phone="01382 000000",
            email="bench@example.org",
        )
        point = Point.objects.create(
            hub=hub,
            name="Library",
            address="1 High Street",
            postcode="DD1 1AA",
            latitude=Decimal("56.46"),
            longitude=Decimal("-2.97"),
        )
        url = reverse("makers:join", kwargs={"slug": hub.slug})
        totals, posts, queries = [], [], []
        started = time.perf_counter()
        for n in range(args.joins):
            client = Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
            t0 = time.perf_counter()
            page = client.get(url)
            token = page.context["form"].initial["form_token"]
            data = {
                "form_token": token,
                "name": f"Bench Joiner {n}",
                "email": f"joiner{n}@example.org",
                "phone": "",
                "postcode": "DD1 4HN",
                "age_band": "18_69",
                "experience": "beginner",
                "has_sewing_machine": "yes",
                "preferred_point": str(point.pk),
                "consent": "on",
            }
            t1 = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.post(url, data)
            t2 = time.perf_counter()
            if response.status_code != 302:
                print(f"join {n} answered {response.status_code}", file=sys.stderr)
                return 1
            totals.append(t2 - t0)
            posts.append(t2 - t1)
            queries.append(len(captured.captured_queries))
        elapsed = time.perf_counter() - started
        joined = Maker.objects.filter(hub=hub).count()
        results = {
            "joins": args.joins,
            "makers_created": joined,
            "database": connection.vendor,
            "seconds": round(elapsed, 3),
            "joins_per_second": round(args.joins / elapsed, 1),
            "posts_per_second": round(args.joins / sum(posts), 1),
            "queries_per_join": {
                "min": min(queries),
                "median": statistics.median(queries),
                "max": max(queries),
            },
            "post_ms": {
                "median": round(1000 * statistics.median(posts), 1),
                "p95": round(1000 * sorted(posts)[int(0.95 * (len(posts) - 1))], 1),
                "max": round(1000 * max(posts), 1),
            },
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(
        f"{results['joins']} joins in {results['seconds']} s on {results['database']}: "
        f"{results['joins_per_second']} joins/s (form and answer), "
        f"{results['posts_per_second']} answers/s; "
        f"queries per join {results['queries_per_join']['min']}–"
        f"{results['queries_per_join']['max']} (median {results['queries_per_join']['median']}); "
        f"answer p95 {results['post_ms']['p95']} ms"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
