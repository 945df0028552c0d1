"""Queueing and delivering outbox messages. The only place that sends anything to a person."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from scrubhub.notifications.models import Message

logger = logging.getLogger(__name__)

# A worker that claimed a message and died leaves it "sending"; after this long the sweep
# takes it back. Far longer than a send can take (the task's hard time limit is 90 s).
CLAIM_LEASE = timedelta(minutes=10)


class MessageError(Exception):
    pass


def message_queue(
    *,
    idempotency_key: str,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    channel: str = Message.Channel.EMAIL,
    html_body: str = "",
    hub=None,
    recipient=None,
) -> Message:
    """Write a message to the outbox in the caller's transaction; publish it after commit.

    Called twice with the same key, it returns the first row and queues nothing more.
    """
    if not to_address:
        raise MessageError("A message needs an address to go to.")
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={
                "to_address": to_address,
                "subject": subject[:200],
                "body": body,
                "html_body": html_body,
                "kind": kind,
                "channel": channel,
                "hub": hub,
                "recipient": recipient,
            },
        )
        if created and channel != Message.Channel.PHONE_LIST:
            transaction.on_commit(lambda: publish_delivery(message.pk))
    return message


def publish_delivery(message_id: int) -> None:
    """Ask a worker to send the message. Never raises: a broker outage must not fail the
    person's request, and the periodic sweep sends whatever was not published."""
    from scrubhub.notifications.tasks import deliver_message

    try:
        deliver_message.apply_async(args=[message_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure is logged, the sweep covers it
        logger.warning("Could not publish message %s; the sweep will send it.", message_id)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    # Compare-and-set: only one worker turns a pending (or abandoned) row into "sending".
    claimable = Q(status=Message.Status.PENDING) | Q(
        status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )
    return bool(
        Message.objects.filter(claimable, pk=message_id).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _send(message: Message) -> None:
    if message.channel == Message.Channel.EMAIL:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_address],
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        email.send(fail_silently=False)
    elif message.channel == Message.Channel.SMS:
        from scrubhub.notifications.sms import get_sms_backend

        get_sms_backend().send(to=message.to_address, body=message.body)
    else:
        raise MessageError(f"Messages on the {message.channel} channel are not sent by a worker.")


def message_deliver(*, message_id: int) -> bool:
    """Send one message once. Returns True if this call sent it.

    Raises the sending error after recording it, so the task can retry with backoff.
    """
    if not _claim(message_id):
        return False
    message = Message.objects.get(pk=message_id)
    try:
        _send(message)
    except Exception as exc:
        gave_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED if gave_up else Message.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
        )
        raise
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def messages_due_for_sweep(*, older_than: timedelta = timedelta(seconds=30)) -> list[int]:
    """Pending messages that waited a little (publishing may still be on its way), and
    messages whose worker died while sending."""
    now = timezone.now()
    return list(
        Message.objects.filter(
            Q(status=Message.Status.PENDING, created_at__lt=now - older_than)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .exclude(channel=Message.Channel.PHONE_LIST)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )


def message_resend(*, message: Message) -> Message:
    """Put a failed message back in the queue (hub staff's "send again")."""
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
            status=Message.Status.PENDING, last_error=""
        )
        if not updated:
            raise MessageError("Only a message that failed can be sent again.")
        transaction.on_commit(lambda: publish_delivery(message.pk))
    message.refresh_from_db()
    return message
