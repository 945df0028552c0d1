"""The outbox: messages to people by text and email, their delivery and receipts."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "scrubhub.notifications"
    label = "notifications"

    def ready(self) -> None:
        from scrubhub.notifications import checks  # noqa: F401 - registers the deploy check
