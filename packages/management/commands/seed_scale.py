"""python manage.py seed_scale: a national-sized dataset for the benchmark (never in CI)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from packages.audit import garment_audit
from packages.seed import SEED_PASSWORD, SeedSizes, seed_scale


class Command(BaseCommand):
    help = (
        "Build a realistic national dataset fast (COPY on PostgreSQL): hubs, hospitals, "
        "points, makers, kits and every garment's movements, obeying every constraint. The "
        "defaults are the national set: 200 hubs, 100,000 makers (70% in the largest hub), "
        "300,000 kits (about 1.2 million garments) and 300 hospitals."
    )

    def add_arguments(self, parser):
        defaults = SeedSizes()
        parser.add_argument("--hubs", type=int, default=defaults.hubs)
        parser.add_argument("--makers", type=int, default=defaults.makers)
        parser.add_argument("--kits", type=int, default=defaults.kits)
        parser.add_argument("--hospitals", type=int, default=defaults.hospitals)
        parser.add_argument(
            "--largest-share",
            type=float,
            default=defaults.largest_share,
            help="The largest hub's share of the makers and kits (0.7: 70,000 of 100,000).",
        )
        parser.add_argument("--weeks", type=int, default=defaults.weeks, help="Weeks of history.")
        parser.add_argument("--seed", type=int, default=defaults.seed, help="Random seed.")
        parser.add_argument(
            "--audit",
            action="store_true",
            help="Check the garment books afterwards (reads every movement: slow when large).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON (for the benchmark)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The seeded log-ins have a public password, so seed_scale only runs with "
                "DJANGO_DEBUG=true."
            )
        try:
            sizes = SeedSizes(
                hubs=options["hubs"],
                makers=options["makers"],
                kits=options["kits"],
                hospitals=options["hospitals"],
                largest_share=options["largest_share"],
                weeks=options["weeks"],
                seed=options["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        quiet = options["json"]
        log = (lambda _: None) if quiet else self.stdout.write
        log(
            f"Seeding {sizes.hubs} hubs, {sizes.makers:,} makers, {sizes.kits:,} kits and "
            f"{sizes.hospitals} hospitals…"
        )
        report = seed_scale(sizes, log=log)
        problems = garment_audit() if options["audit"] else []
        if quiet:
            self.stdout.write(
                json.dumps(
                    {
                        "seconds": report.seconds,
                        "rows": dict(report.rows),
                        "total_rows": report.total_rows,
                        "garments": report.garments,
                        "largest_hub": report.largest_hub_slug,
                        "logins": report.bench,
                        "audit_problems": len(problems),
                    }
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {report.total_rows:,} rows ({report.garments:,} garments) in "
                    f"{report.seconds['total']}s. Largest hub: /h/{report.largest_hub_slug}/"
                )
            )
            self.stdout.write(f"Log-ins (password: {SEED_PASSWORD}):")
            for role, username in report.bench.items():
                self.stdout.write(f"  {username:<14} {role}")
        for problem in problems[:20]:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems found in the garment books.")
