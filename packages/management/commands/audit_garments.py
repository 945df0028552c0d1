"""`manage.py audit_garments`: checks each hub's garment counts add up (packages.audit)."""

from django.core.management.base import BaseCommand, CommandError

from packages.audit import garment_audit


class Command(BaseCommand):
    help = "Check that every kit's garment counts, movements, point holdings and tallies agree."

    def handle(self, *args, **options):
        problems = garment_audit()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problems found in the garment books.")
        self.stdout.write(self.style.SUCCESS("The garment books balance."))
