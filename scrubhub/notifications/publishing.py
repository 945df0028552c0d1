"""Publishing: asking a Celery worker to send what the outbox queued, after the queueing
transaction commits. The one module that imports the tasks; the tasks do not import it
back. Publishing never raises: a broker outage must not fail a person's request, and the
sweep (every minute) sends whatever was not published."""

from __future__ import annotations

import logging

from scrubhub.notifications.tasks import deliver_message, deliver_messages

logger = logging.getLogger(__name__)


def publish_delivery(message_id: int) -> None:
    """Ask a worker to send the message. Never raises: a broker outage must not fail the
    person's request, and the periodic sweep sends whatever was not published."""
    try:
        deliver_message.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure is logged, the sweep covers it
        logger.warning("Could not publish message %s; the sweep will send it.", message_id)


def publish_batch_delivery(message_ids: list[int]) -> None:
    """Ask a worker to send a batch (weekly summaries, a hub's held messages); never raises."""
    try:
        deliver_messages.apply_async(args=[message_ids], retry=False)
    except Exception:  # noqa: BLE001 - the sweep sends what was not published
        logger.warning("Could not publish %s messages; the sweep will send them.", len(message_ids))
