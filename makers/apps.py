"""The makers app: volunteers, their groups, consents and their own pages."""

from django.apps import AppConfig


class MakersConfig(AppConfig):
    name = "makers"
