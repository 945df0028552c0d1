"""The dropoffs app: drop-off points, handovers, drivers' runs and doorstep visits."""

from django.apps import AppConfig


class DropoffsConfig(AppConfig):
    name = "dropoffs"

    def ready(self) -> None:
        # The outbox's daily tick sends these; it sits below this app, so we register them.
        from dropoffs.day_before import points_day_before_send, runs_day_before_send
        from dropoffs.reminders import reminders_send
        from scrubhub.notifications.runs import daily_run_register

        daily_run_register(reminders_send)
        daily_run_register(runs_day_before_send)
        daily_run_register(points_day_before_send)
