"""Importing a hub's spreadsheet of volunteers: time and queries at 100 and 10,000 rows.

    python -m bench.import_benchmark                  # 100 and 10,000 rows
    python -m bench.import_benchmark --sizes 100 50000 --json var/import.json

A benchmark, not a test. It makes its own throwaway database (a test database beside the
one DATABASE_URL names, dropped at the end). For each size it builds a hub that already
has one maker for every hundred rows (so each import also merges), writes a CSV of that
many generated people (one in a hundred the hub has already, one in fifty twice in the
sheet), and times the three steps a coordinator goes through: reading the file
(makers.sheets), checking every row (makers.imports, the preview) and the import itself
(makers.services.makers_import, counting its queries). It exits 1 if the import's query
count is not the same at every size (it must not make a query per row) or if 10,000 rows
take a minute or more.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time


def _sheet_text(size: int, known: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Full name", "Email", "Mobile", "Postcode", "Age", "Sewing machine"])
    for n in range(size):
        if n % 50 == 49:
            n -= 1  # the row before, again: one person twice in the sheet
        person = n - size if n < known else n  # the first `known` rows, the hub has
        writer.writerow(
            [
                f"Bench Person {person}",
                f"person{person}@example.org",
                f"07700 {900000 + n % 100000:06d}"[:12],
                "DD1 4HN",
                str(18 + n % 60),
                "yes",
            ]
        )
    return out.getvalue()


def _run(size: int, staff, connection) -> dict:
    from django.test.utils import CaptureQueriesContext

    from makers import imports, services
    from makers.models import Maker
    from makers.sheets import sheet_read
    from scrubhub.hubs.models import Hub

    hub = Hub.objects.create(
        name=f"Import {size}",
        slug=f"bench-import-{size}",
        area="Dundee",
        phone="01382 000000",
        email="bench@example.org",
    )
    known = max(size // 100, 1)
    Maker.objects.bulk_create(
        Maker(
            hub=hub,
            name=f"Known Person {n}",
            email=f"person{n - size}@example.org",
            status=Maker.Status.ACTIVE,
        )
        for n in range(known)
    )
    data = _sheet_text(size, known).encode()

    started = time.perf_counter()
    sheet = sheet_read(data=data, file_name="volunteers.csv")
    read = time.perf_counter() - started
    batch = services.import_batch_start(
        hub=hub, by_user=staff, file_name="volunteers.csv", sheet=sheet
    )
    started = time.perf_counter()
    checked = imports.rows_check(hub=hub, rows=batch.rows, columns=batch.columns)
    check = time.perf_counter() - started
    if checked.problems:
        raise SystemExit(f"generated rows have problems: {checked.problems[:3]}")

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        done = services.makers_import(batch=batch, contact_basis="paper_form", by_user=staff)
    imported = time.perf_counter() - started
    queries = len(captured.captured_queries)
    return {
        "rows": size,
        "file_bytes": len(data),
        "new": done.created_count,
        "merged": done.merged_count,
        "read_seconds": round(read, 2),
        "check_seconds": round(check, 2),
        "import_seconds": round(imported, 2),
        "total_seconds": round(read + check + imported, 2),
        "import_queries": queries,
        "queries_per_row": round(queries / size, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrubhub.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.create(username="bench-import-staff")
        results = [_run(size, staff, connection) for size in args.sizes]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(
        f"{'rows':>8} {'new':>7} {'merged':>6} {'read s':>7} {'check s':>8} {'import s':>9} "
        f"{'total s':>8} {'queries':>8}"
    )
    for r in results:
        print(
            f"{r['rows']:>8,} {r['new']:>7,} {r['merged']:>6,} {r['read_seconds']:>7} "
            f"{r['check_seconds']:>8} {r['import_seconds']:>9} {r['total_seconds']:>8} "
            f"{r['import_queries']:>8}"
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"database": connection.vendor, "results": results}, out, indent=2)
    failed = []
    if len({r["import_queries"] for r in results}) > 1:
        failed.append("the import's query count grows with the rows")
    failed += [
        f"{r['rows']:,} rows took {r['total_seconds']} s (a minute at most)"
        for r in results
        if r["rows"] <= 10_000 and r["total_seconds"] >= 60
    ]
    for reason in failed:
        print(f"FAILED: {reason}", file=sys.stderr)
    if not failed:
        print("The import makes the same queries at every size, and is within a minute.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
