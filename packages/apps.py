"""The packages app: kits, fabric and pattern stock, quality checks, demand and deliveries."""

from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages"
