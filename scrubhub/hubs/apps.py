from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "scrubhub.hubs"
    label = "hubs"
