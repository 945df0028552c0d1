from __future__ import annotations

from celery import shared_task

from scrubhub.notifications import services


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_message(self, message_id: int) -> bool:
    try:
        return services.message_deliver(message_id=message_id)
    except Exception as exc:
        # The row is already back to pending (or failed for good); retry with backoff.
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task
def sweep_outbox() -> int:
    """Send what is still pending: messages whose publishing failed while the broker was down."""
    sent = 0
    for message_id in services.messages_due_for_sweep():
        try:
            sent += services.message_deliver(message_id=message_id)
        except Exception:  # noqa: BLE001, S112 - recorded on the row; the next sweep retries  # nosec B112
            continue
    return sent


@shared_task(acks_late=True)
def deliver_messages(message_ids: list[int]) -> int:
    """Send a batch (weekly summaries); failures stay pending for the sweep to retry."""
    sent = 0
    for message_id in message_ids:
        try:
            sent += services.message_deliver(message_id=message_id)
        except Exception:  # noqa: BLE001, S112 - recorded on the row; the sweep retries  # nosec B112
            continue
    return sent


@shared_task
def send_reminders() -> int:
    from scrubhub.notifications.reminders import reminders_send

    return reminders_send()


@shared_task
def send_due_weekly_summaries() -> int:
    from scrubhub.notifications.summaries import due_summaries_send

    return due_summaries_send()
