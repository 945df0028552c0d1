"""The ScrubHub project. Loads the Celery app so `@shared_task` binds to it."""

from scrubhub.celery import app as celery_app

__all__ = ("celery_app",)
