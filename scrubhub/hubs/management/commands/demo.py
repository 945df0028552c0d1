"""python manage.py demo: a Dundee-like hub ten weeks into a crisis, with demo log-ins."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scrubhub import demo
from scrubhub.hubs.models import Hub


class Command(BaseCommand):
    help = "Load the demo hub (fictional people) with demo log-ins. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo into a database with no hubs at all (used by make run).",
        )
        parser.add_argument("--makers", type=int, default=600, help="How many makers to create.")

    def handle(self, *args, if_empty: bool, makers: int, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo has public passwords, so it only runs with DJANGO_DEBUG=true."
            )
        if if_empty and Hub.objects.exists() and not demo.demo_exists():
            self.stdout.write("This database already has hubs; the demo was not loaded.")
            return
        if demo.demo_exists():
            self.stdout.write("The demo is already loaded; nothing was changed.")
        else:
            started = time.monotonic()
            built = demo.build(makers_count=makers)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded in {time.monotonic() - started:.0f}s: {built.hub.name} with "
                    f"{built.summary['makers']} makers ({built.summary['waiting']} waiting for "
                    f"approval), {built.summary['kits']} kits and "
                    f"{built.summary['deliveries_received']} deliveries received."
                )
            )
        self.stdout.write("\nDemo log-ins (password: scrubhub-demo):")
        for username, role, start in demo.demo_logins():
            self.stdout.write(f"  {username:<8} {role:<24} starts at {start}")
