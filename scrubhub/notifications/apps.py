from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "scrubhub.notifications"
    label = "notifications"
