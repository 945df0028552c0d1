"""The dropoffs app: drop-off points, handovers, drivers' runs and doorstep visits."""

from django.apps import AppConfig


class DropoffsConfig(AppConfig):
    name = "dropoffs"
