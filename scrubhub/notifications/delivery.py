"""Delivering outbox messages: the claim that lets one worker send each message once, the
send to email, GOV.UK Notify or the text provider, backing off and the sweep, and how it
went (the provider's receipts and status look-ups). The Celery tasks call this; it never
publishes, so the tasks import nothing that imports them back."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hub
from scrubhub.notifications import notify
from scrubhub.notifications.models import Message
from scrubhub.notifications.sms import SendRejected, get_sms_backend

logger = logging.getLogger(__name__)


# A worker that claimed a message and died leaves it "sending"; after this long the sweep
# takes it back. Far longer than a send can take (the task's hard time limit is 90 s).
CLAIM_LEASE = timedelta(minutes=10)


class MessageError(DomainError):
    """A message that cannot be sent or changed as asked; the message says why."""


# A hub started at /start/ sends nothing until a platform operator approves it (so the
# service cannot be used to send spam): its messages wait, pending, and go on approval
# (messages_held_release). Messages of no hub (a password reset) always go.
# A subquery over hubs, not a join: a join would make Django's UPDATE select its rows in a
# subquery of the outbox itself, and two workers could then both claim one message (the
# compare-and-set in _claim must test the row's own status as it updates it).
MAY_GO = Q(hub__isnull=True) | Q(
    hub_id__in=Subquery(Hub.objects.filter(approval="approved").order_by().values("pk"))
)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    # Compare-and-set: only one worker turns a pending (or abandoned) row into "sending".
    claimable = Q(status=Message.Status.PENDING) | Q(
        status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )
    return bool(
        Message.objects.filter(claimable, MAY_GO, pk=message_id).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def provider_reference(message_id: int) -> str:
    """What a provider keeps with the message: the outbox row's id, so a receipt finds its
    row and a send that timed out can be found again rather than sent twice."""
    return f"outbox-{message_id}"


def _send(message: Message) -> str:
    """Hand the message to its provider; returns the provider's id for it ("" for one that
    sends no receipts). A message tried before may have been taken by a provider that then
    did not answer in time, so a retry asks the provider first."""
    reference = provider_reference(message.pk)
    retry = message.attempts > 1
    if message.channel == Message.Channel.EMAIL and settings.SCRUBHUB_EMAIL_BACKEND == "notify":
        earlier = retry and notify.accepted_earlier(reference=reference, template_type="email")
        return earlier or notify.email_send(
            to=message.to_address, subject=message.subject, body=message.body, reference=reference
        )
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
        return ""
    if message.channel == Message.Channel.SMS:
        backend = get_sms_backend()
        earlier = retry and backend.accepted_earlier(reference=reference)
        return earlier or backend.send(
            to=message.to_address, body=message.body, reference=reference
        )
    raise MessageError(f"Messages on the {message.channel} channel are not sent by a worker.")


def retry_delay(attempt: int) -> int:
    """Seconds to wait after the given failed attempt: 30 s, 1, 2, 4 minutes, ... an hour."""
    return min(30 * 2 ** max(attempt - 1, 0), 3600)


def message_deliver(*, message_id: int) -> bool:
    """Send one message once. Returns True if this call sent it.

    The claim (compare-and-set) is the only way to a send, and "sent" is written only after
    the provider took the message. A refusal for good (the provider's 400) fails the message
    with the provider's words; any other error is recorded, the message waits (backing off)
    and the error is raised so the task retries; after the last attempt it is failed.
    """
    if not _claim(message_id):
        return False
    message = Message.objects.get(pk=message_id)
    try:
        provider_id = _send(message)
    except SendRejected as exc:
        Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED,
            failure_reason=Message.FailureReason.REJECTED,
            last_error=str(exc)[:2000],
            claimed_at=None,
            retry_at=None,
        )
        logger.warning("Message %s was refused by the provider: %s", message_id, exc)
        return False
    except Exception as exc:
        gave_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED if gave_up else Message.Status.PENDING,
            failure_reason=Message.FailureReason.TECHNICAL if gave_up else "",
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
            retry_at=None
            if gave_up
            else timezone.now() + timedelta(seconds=retry_delay(message.attempts)),
        )
        raise
    # A receipt may already have moved the row on (delivered): then this changes nothing.
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id,
        last_error="",
        retry_at=None,
    )
    return True


def messages_due_for_sweep(*, older_than: timedelta = timedelta(seconds=30)) -> list[int]:
    """Pending messages that waited a little (publishing may still be on its way) and are
    not backing off after a refusal, and messages whose worker died while sending."""
    now = timezone.now()
    return list(
        Message.objects.filter(
            Q(status=Message.Status.PENDING, created_at__lt=now - older_than)
            & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
        )
        .filter(MAY_GO)
        .exclude(channel=Message.Channel.PHONE_LIST)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )


# --- How it went: the provider's delivery receipts and status look-ups ------------------

# Notify's final states, and what staff are told about each failure.
_NOTIFY_FAILURES = {
    "permanent-failure": (
        Message.FailureReason.PERMANENT,
        "The provider says the number or address does not exist or is wrong.",
    ),
    "temporary-failure": (
        Message.FailureReason.TEMPORARY,
        "The provider could not deliver it in time: the phone was off or the inbox full.",
    ),
    "technical-failure": (
        Message.FailureReason.TECHNICAL,
        "The provider had a technical problem and did not deliver it.",
    ),
}
# The order reports are applied in, whatever order they arrive in: sent, then delivered or
# failed. A delivered message may yet turn out undeliverable (an email that bounced after
# delivery, which Notify reports as a permanent failure); a failure is final, so a late
# "delivered" after it, or any report repeated, changes nothing.
_REPORT_MAY_MOVE = {
    Message.Status.DELIVERED: {Message.Status.SENT},
    Message.Status.FAILED: {Message.Status.SENT},
}
_AFTER_DELIVERY = {Message.FailureReason.PERMANENT}

# Receipts that never came: ask after a while, again now and then, for as long as Notify
# keeps a message (7 days).
STATUS_ASK_AFTER = timedelta(minutes=10)
STATUS_ASK_EVERY = timedelta(minutes=30)
STATUS_KEPT_FOR = timedelta(days=7)


def message_report_record(
    *, provider_id: str, status: str, completed_at=None, sent_at=None
) -> bool:
    """Apply the provider's word on how a message went (a receipt or a look-up); True when
    it changed the row. Statuses that are not final yet (created, sending) change nothing.

    Only a row that holds this provider id moves: one whose acceptance our worker has not
    recorded yet (a receipt faster than our own write) is left for the status look-up."""
    if status == "delivered":
        to, reason, error = Message.Status.DELIVERED, "", ""
    elif status in _NOTIFY_FAILURES:
        to = Message.Status.FAILED
        reason, error = _NOTIFY_FAILURES[status]
    else:
        return False
    if not provider_id:
        return False
    now = timezone.now()
    with transaction.atomic():
        # Locked: two receipts, or a receipt and the look-up, for one message at once.
        message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None:
            return False
        allowed = message.status in _REPORT_MAY_MOVE[to] or (
            message.status == Message.Status.DELIVERED and reason in _AFTER_DELIVERY
        )
        if not allowed:
            return False
        changes = {
            "status": to,
            "failure_reason": reason,
            "last_error": error,
            "sent_at": message.sent_at or sent_at or now,
            "checked_at": now,
        }
        if to == Message.Status.DELIVERED:
            changes["delivered_at"] = completed_at or now
        Message.objects.filter(pk=message.pk).update(**changes)
    if to == Message.Status.FAILED:
        logger.info("Message %s failed at the provider: %s", message.pk, status)
    return True


def messages_awaiting_report(*, limit: int = 200) -> list[int]:
    """Messages the provider took a while ago and has not said how they went, the ones asked
    about least recently first. Uses the partial index on sent messages with a provider id."""
    now = timezone.now()
    return list(
        Message.objects.filter(
            status=Message.Status.SENT,
            sent_at__lt=now - STATUS_ASK_AFTER,
            sent_at__gte=now - STATUS_KEPT_FOR,
        )
        .exclude(provider_id="")
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lt=now - STATUS_ASK_EVERY))
        .order_by(F("checked_at").asc(nulls_first=True), "sent_at")
        .values_list("pk", flat=True)[:limit]
    )


def message_status_check(*, message_id: int) -> bool:
    """Ask the provider how one sent message went, for where no receipt can reach us.
    True when the answer changed the row."""
    message = (
        Message.objects.filter(pk=message_id, status=Message.Status.SENT)
        .exclude(provider_id="")
        .first()
    )
    if message is None:
        return False
    # Noted before asking, so a provider that keeps failing is not asked every few minutes.
    Message.objects.filter(pk=message_id).update(checked_at=timezone.now())
    report = notify.status_of(provider_id=message.provider_id)
    return message_report_record(
        provider_id=message.provider_id,
        status=report.status,
        completed_at=report.completed_at,
        sent_at=report.sent_at,
    )
