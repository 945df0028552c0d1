"""The project's cache backend (see backends.py)."""

from django.apps import AppConfig


class CacheConfig(AppConfig):
    name = "scrubhub.cache"
    # Not "cache": a name that generic could clash with another package's app.
    label = "scrubhub_cache"
