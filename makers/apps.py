from django.apps import AppConfig


class MakersConfig(AppConfig):
    name = "makers"
