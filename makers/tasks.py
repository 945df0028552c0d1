"""Celery tasks for makers' records: erasing after the retention period and pruning
old form submissions and import batches. Each only calls makers.services."""

from __future__ import annotations

from celery import shared_task

from makers import services


# A national hub has tens of thousands of makers, far past the default minute; each maker is
# erased in their own transaction, so a run cut short keeps what it did and the next goes on.
@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def erase_after_retention() -> int:
    """Daily: erase makers of stood-down hubs once the hub's retention period is over."""
    return services.makers_retention_erase()


@shared_task
def prune_form_submissions() -> int:
    """Daily: forget used one-time form tokens once the tokens have expired anyway."""
    from scrubhub import once

    return once.submissions_prune()


@shared_task
def prune_import_batches() -> int:
    """Hourly: delete volunteer sheets uploaded but never imported, once past their day."""
    return services.import_batches_prune()
