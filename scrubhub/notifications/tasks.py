"""Celery tasks for the outbox: delivering messages, sweeping what is due, polling
receipts, and the daily and weekly runs the apps register (`runs.py`). They retry and
pace; the work is in `delivery.py`."""

from __future__ import annotations

import time

from celery import shared_task

from scrubhub.notifications import delivery, runs
from scrubhub.notifications.sms import SendDeferred, SendRejected


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_message(self, message_id: int) -> bool:
    try:
        return delivery.message_deliver(message_id=message_id)
    except Exception as exc:
        # The row is already back to pending (or failed for good); retry with backoff, at
        # the time the row now says (the sweep waits for it too).
        countdown = delivery.retry_delay(self.request.retries + 1)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def sweep_outbox() -> int:
    """Send what is still pending: messages whose publishing failed while the broker was down."""
    sent = 0
    for message_id in delivery.messages_due_for_sweep():
        try:
            sent += delivery.message_deliver(message_id=message_id)
        except Exception:  # noqa: BLE001, S112 - recorded on the row; the next sweep retries  # nosec B112
            continue
    return sent


@shared_task(acks_late=True)
def deliver_messages(message_ids: list[int]) -> int:
    """Send a batch (weekly summaries); failures stay pending for the sweep to retry."""
    sent = 0
    for message_id in message_ids:
        try:
            sent += delivery.message_deliver(message_id=message_id)
        except Exception:  # noqa: BLE001, S112 - recorded on the row; the sweep retries  # nosec B112
            continue
    return sent


@shared_task
def poll_message_status() -> int:
    """Ask the provider how messages went where no delivery receipt came (none can reach
    this server, or one was lost); returns how many changed."""
    from django.conf import settings

    if not settings.NOTIFY_API_KEY:
        return 0
    changed = 0
    # Well inside the task's time limit; the rest are asked on the next run.
    deadline = time.monotonic() + 40
    for message_id in delivery.messages_awaiting_report():
        if time.monotonic() > deadline:
            break
        try:
            changed += delivery.message_status_check(message_id=message_id)
        except SendDeferred:
            break  # the provider is busy or down: no use asking about the others now
        except SendRejected:
            continue
    return changed


@shared_task
def send_reminders() -> int:
    """The daily tick: every run the apps registered (makers' and groups' reminders, the
    day-before messages to drivers and point helpers). Each is safe to run twice at once."""
    return runs.daily_runs_send()


@shared_task
def send_due_weekly_summaries() -> int:
    """The hourly tick: the weekly summaries of each hub whose weekday and hour have come."""
    return runs.weekly_runs_send()
