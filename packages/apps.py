"""The packages app: kits, fabric and pattern stock, quality checks, demand and deliveries."""

from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages"

    def ready(self) -> None:
        # The outbox's hourly tick sends these; it sits below this app, so we register them.
        from packages.summaries import due_summaries_send
        from scrubhub.notifications.runs import weekly_run_register

        weekly_run_register(due_summaries_send)
