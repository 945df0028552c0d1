"""Queueing outbox messages: the only way anything is sent to a person. Each message is
published after its transaction commits (`publishing.py`); sending it is `delivery.py`'s.
Also: rendering, opt-outs, routing a message to a person, and staff's calls and resends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from scrubhub.notifications.delivery import MessageError
from scrubhub.notifications.models import EXPIRING_KINDS, Message, OptOut
from scrubhub.notifications.publishing import publish_batch_delivery, publish_delivery


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
    if channel == Message.Channel.EMAIL and not html_body:
        body, html_body = _with_hub_footer(body=body, hub=hub)
    with transaction.atomic(savepoint=False):
        message, created = _message_insert_or_get(
            idempotency_key=idempotency_key,
            to_address=to_address,
            subject=subject[:200],
            body=body,
            html_body=html_body,
            kind=kind,
            channel=channel,
            hub=hub,
            recipient=recipient,
        )
        if created and channel != Message.Channel.PHONE_LIST:
            transaction.on_commit(lambda: publish_delivery(message.pk))
    message.newly_queued = created
    return message


def _message_insert_or_get(*, idempotency_key: str, **fields) -> tuple[Message, bool]:
    """Nearly every key is new, so insert first rather than read first (get_or_create's
    order): one statement fewer for each message. A key already there rolls back to the
    savepoint and its row is returned; the unique index decides between two at once."""
    try:
        with transaction.atomic():
            return Message.objects.create(idempotency_key=idempotency_key, **fields), True
    except IntegrityError:
        existing = Message.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:  # another constraint said no: not ours to hide
            raise
        return existing, False


def _with_hub_footer(*, body: str, hub) -> tuple[str, str]:
    """A plain message gets the hub's name and phone at the foot, and an HTML version in the
    hub's email layout, so every email says who it is from and how to reach them. Without
    a hub (a password reset, say) it still gets the HTML version, for its link buttons."""
    if hub is not None and hub.phone not in body:
        body = f"{body.rstrip()}\n\n{hub.name}\nPhone: {hub.phone}\nEmail: {hub.email}\n"
    html = render_to_string("notifications/messages/wrapped.html", {"hub": hub, "text": body})
    return body, html


def messages_held_release(*, hub) -> int:
    """The messages a hub queued while it waited for approval go, now it is approved (call
    in the approval's transaction: they are published after it commits). Returns how many."""
    held = list(
        Message.objects.filter(hub=hub, status=Message.Status.PENDING)
        .exclude(channel=Message.Channel.PHONE_LIST)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(held), 100):
        chunk = held[start : start + 100]
        transaction.on_commit(lambda chunk=chunk: publish_batch_delivery(chunk))
    return len(held)


def message_resend(*, message: Message) -> Message:
    """Put a failed message back in the queue (hub staff's "send again")."""
    if message.failure_reason == Message.FailureReason.CANCELLED:
        raise MessageError("This message was cancelled when the person's details were erased.")
    with transaction.atomic():
        updated = (
            Message.objects.filter(pk=message.pk, status=Message.Status.FAILED)
            .exclude(failure_reason=Message.FailureReason.CANCELLED)
            .update(
                status=Message.Status.PENDING,
                last_error="",
                failure_reason="",
                provider_id="",
                sent_at=None,
                delivered_at=None,
                checked_at=None,
                retry_at=None,
                dealt_with_at=None,
            )
        )
        if not updated:
            raise MessageError("Only a message that failed can be sent again.")
        transaction.on_commit(lambda: publish_delivery(message.pk))
    message.refresh_from_db()
    return message


# --- Rendering and routing messages to people -------------------------------------------------

# Kinds a person may turn off. Everything else (a kit to return, a sign-in link) always goes.
WEEKLY_SUMMARY = "weekly_summary"
WEEKLY_SUMMARY_GROUP = "weekly_summary_group"
OPTIONAL_KINDS = frozenset({WEEKLY_SUMMARY})
# Kinds stopped by another kind's link: a group leader's weekly summary stops with "stop
# these weekly emails" like a maker's, so one address never needs two links.
STOPPED_AS = {WEEKLY_SUMMARY_GROUP: WEEKLY_SUMMARY}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def message_render(*, kind: str, context: dict) -> Rendered:
    """Renders notifications/messages/<kind>.subject.txt, .txt and .html (the HTML one is
    optional). Every message carries the hub's name and phone through the base templates."""
    base = f"notifications/messages/{kind}"
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    text = render_to_string(f"{base}.txt", context).strip() + "\n"
    try:
        html = get_template(f"{base}.html").render(context)
    except TemplateDoesNotExist:
        html = render_to_string(
            "notifications/messages/plain_as_html.html", {**context, "text": text}
        )
    return Rendered(subject=subject, text=text, html=html)


def channel_for(*, email: str, phone: str, preferred: str) -> tuple[str, str] | None:
    """Where a message to this person goes: their chosen channel when we can use it, else
    email, else a call from hub staff (the "to phone" list). None when we cannot reach them."""
    if preferred == "sms" and phone:
        return Message.Channel.SMS, phone
    if preferred == "phone" and phone:
        return Message.Channel.PHONE_LIST, phone
    if email:
        return Message.Channel.EMAIL, email
    if phone:
        return Message.Channel.PHONE_LIST, phone
    return None


def opt_out_token(*, address: str, kind: str) -> str:
    return signing.dumps({"a": address, "k": kind}, salt="scrubhub.optout", compress=True)


def opt_out_read(*, token: str, max_age_days: int = 120) -> tuple[str, str]:
    """The (address, kind) a stop link was made for; raises MessageError when it is not
    one of ours or is too old."""
    try:
        data = signing.loads(token, salt="scrubhub.optout", max_age=max_age_days * 86400)
    except signing.BadSignature:
        raise MessageError(
            "This link does not work. It may be old or not copied in full."
        ) from None
    if data.get("k") not in OPTIONAL_KINDS:
        raise MessageError("These messages cannot be turned off.")
    return data["a"], data["k"]


def opt_out_record(*, address: str, kind: str) -> OptOut:
    if kind not in OPTIONAL_KINDS:
        raise MessageError("These messages cannot be turned off.")
    opt_out, _ = OptOut.objects.get_or_create(address=address.strip().lower(), kind=kind)
    return opt_out


def opt_out_undo(*, address: str, kind: str) -> None:
    """Someone who stopped an optional kind of message asks for it again."""
    OptOut.objects.filter(address=address.strip().lower(), kind=kind).delete()


def has_opted_out(*, address: str, kind: str) -> bool:
    return OptOut.objects.filter(address=address.strip().lower(), kind=kind).exists()


def person_message(
    *,
    hub,
    kind: str,
    idempotency_key: str,
    context: dict,
    email: str = "",
    phone: str = "",
    preferred_channel: str = "email",
    recipient_id: int | None = None,
    opted_out: set[str] | None = None,
    must_reach: bool = False,
) -> dict | None:
    """The outbox row (as field values) for a templated message to a person, on the channel
    that reaches them; None when they turned this kind off, or cannot be reached and it
    is nothing they must hear.

    A message they `must_reach` (a reminder, tomorrow's run) to an account with neither an
    email nor a phone is kept as failed, "no way to reach this person", so hub staff see
    them on the not-reached page instead of it vanishing.

    `opted_out` is the set of addresses that stopped this kind, when the caller has read it
    for a whole batch; otherwise it is looked up here."""
    route = channel_for(email=email, phone=phone, preferred=preferred_channel)
    if route is None:
        if not (must_reach and recipient_id):
            return None
        rendered = message_render(
            kind=kind, context={"hub": hub, "site_url": settings.SITE_URL, **context}
        )
        return {
            "idempotency_key": idempotency_key,
            "to_address": "",
            "subject": rendered.subject[:200],
            "body": rendered.text,
            "kind": kind,
            "channel": Message.Channel.EMAIL,
            "status": Message.Status.FAILED,
            "failure_reason": Message.FailureReason.NO_CHANNEL,
            "hub": hub,
            "recipient_id": recipient_id,
        }
    channel, address = route
    stop_kind = STOPPED_AS.get(kind, kind)
    if stop_kind in OPTIONAL_KINDS:
        stopped = (
            address.strip().lower() in opted_out
            if opted_out is not None
            else has_opted_out(address=address, kind=stop_kind)
        )
        if stopped:
            return None
    full_context = {"hub": hub, "site_url": settings.SITE_URL, **context}
    if stop_kind in OPTIONAL_KINDS and channel == Message.Channel.EMAIL:
        token = opt_out_token(address=address, kind=stop_kind)
        full_context["stop_url"] = f"{settings.SITE_URL}/messages/stop/{token}/"
    rendered = message_render(kind=kind, context=full_context)
    return {
        "idempotency_key": idempotency_key,
        "to_address": address,
        "subject": rendered.subject[:200],
        "body": rendered.text,
        "html_body": rendered.html if channel == Message.Channel.EMAIL else "",
        "kind": kind,
        "channel": channel,
        "hub": hub,
        "recipient_id": recipient_id,
    }


def person_notify(*, recipient=None, **message) -> Message | None:
    """Queue a templated message to a person (see person_message) in the caller's
    transaction. Returns None when nothing was queued."""
    row = person_message(recipient_id=getattr(recipient, "pk", None), **message)
    if row is None:
        return None
    recipient_id = row.pop("recipient_id")
    if row.get("status") == Message.Status.FAILED:  # nowhere to send: kept for staff to see
        key = row.pop("idempotency_key")
        return _message_insert_or_get(idempotency_key=key, recipient=recipient, **row)[0]
    return message_queue(recipient=recipient if recipient_id else None, **row)


def opted_out_addresses(*, addresses: list[str], kind: str) -> set[str]:
    """Of these addresses, the ones that stopped this kind: one query for a whole batch."""
    wanted = [address.strip().lower() for address in addresses]
    return set(
        OptOut.objects.filter(kind=kind, address__in=wanted).values_list("address", flat=True)
    )


def messages_queue_bulk(rows: list[dict]) -> int:
    """Queue many messages in three queries (weekly summaries to thousands of makers);
    returns how many were new.

    Rows whose idempotency key is already in the outbox are skipped, so a second run adds
    nothing. Delivery is published after commit in batches of 100."""
    if not rows:
        return 0
    keys = [row["idempotency_key"] for row in rows]
    with transaction.atomic():
        existing = set(
            Message.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        new = [Message(**row) for row in rows if row["idempotency_key"] not in existing]
        # ignore_conflicts: a second run at the very same moment inserts nothing twice.
        Message.objects.bulk_create(new, ignore_conflicts=True)
        pending = list(
            Message.objects.filter(
                idempotency_key__in=[m.idempotency_key for m in new],
                status=Message.Status.PENDING,
            )
            .exclude(channel=Message.Channel.PHONE_LIST)
            .values_list("pk", flat=True)
        )
        for start in range(0, len(pending), 100):
            chunk = pending[start : start + 100]
            transaction.on_commit(lambda chunk=chunk: publish_batch_delivery(chunk))
    return len(new)


def message_mark_phoned(*, message: Message, actor) -> Message:
    """Hub staff rang the person and gave them the message."""
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING
        ).update(status=Message.Status.SENT, sent_at=timezone.now(), last_error="")
        if not updated:
            raise MessageError("This message is not waiting for a phone call.")
    message.refresh_from_db()
    return message


# --- People we could not reach: sent again on corrected details, or dealt with ------------

# Older than this, a message is news no longer: after a correction it is not sent again.
RESEND_WITHIN = timedelta(days=14)
# Nor is a code or link that has run out, or a summary of a week that is over.
NOT_SENT_AGAIN = (*EXPIRING_KINDS, WEEKLY_SUMMARY)
# What did not reach a person: a failure nobody dealt with (never a cancelled one), or a
# call still to make.
_NOT_REACHED = (
    Q(status=Message.Status.FAILED, dealt_with_at__isnull=True)
    & ~Q(failure_reason=Message.FailureReason.CANCELLED)
) | Q(channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING)


@dataclass(frozen=True)
class SentAgain:
    resent: int = 0  # queued again as new attempts
    left: int = 0  # too old, or no use any more: marked dealt with (or left to phone)
    channel: str = ""
    to_address: str = ""


def _to_person(*, user_id: int | None, addresses: list[str]) -> Q:
    to_them = Q(to_address__in=addresses) if addresses else Q(pk__in=[])
    return (to_them | Q(recipient_id=user_id)) if user_id else to_them


def person_messages_send_again(
    *, hub, user_id: int | None, addresses: list[str], channel: str, to_address: str
) -> SentAgain:
    """Send again what did not reach a person (to their account or any of `addresses`),
    now that hub staff corrected their details: each as a new attempt on `channel` to
    `to_address` (the route their corrected details give). Call it inside the transaction
    that corrected them, so a refused correction sends nothing.

    A message that no longer makes sense is not sent: one older than RESEND_WITHIN, or a
    kind in NOT_SENT_AGAIN. A failure of that sort is marked dealt with, so the person
    leaves the list; a call of that sort stays on it for staff to make or dismiss."""
    if not to_address:
        raise MessageError("A message needs an address to go to.")
    now = timezone.now()
    # Locked: two staff pressing at once send each message once (the second finds none).
    outstanding = list(
        Message.objects.select_for_update()
        .filter(_NOT_REACHED, _to_person(user_id=user_id, addresses=addresses), hub=hub)
        .order_by("pk")
    )
    resent = left = 0
    for message in outstanding:
        if message.created_at < now - RESEND_WITHIN or message.kind.startswith(NOT_SENT_AGAIN):
            left += 1
            if message.status == Message.Status.FAILED:
                Message.objects.filter(pk=message.pk).update(dealt_with_at=now)
            continue
        # A new address is a new message to the provider. The same address may have
        # been taken by a provider that then did not answer (a technical failure): one
        # attempt stays counted, so the first try asks it first rather than send twice.
        same_route = (message.channel, message.to_address) == (channel, to_address)
        attempts = 1 if same_route and message.attempts else 0
        body, html_body = message.body, ""
        if channel == Message.Channel.EMAIL:
            if message.channel == Message.Channel.EMAIL and message.html_body:
                html_body = message.html_body
            else:
                body, html_body = _with_hub_footer(body=message.body, hub=hub)
        Message.objects.filter(pk=message.pk, status=message.status).update(
            status=Message.Status.PENDING,
            channel=channel,
            to_address=to_address,
            body=body,
            html_body=html_body,
            attempts=attempts,
            last_error="",
            failure_reason="",
            provider_id="",
            claimed_at=None,
            retry_at=None,
            sent_at=None,
            delivered_at=None,
            checked_at=None,
            dealt_with_at=None,
        )
        resent += 1
        if channel != Message.Channel.PHONE_LIST:
            transaction.on_commit(lambda pk=message.pk: publish_delivery(pk))
    return SentAgain(resent=resent, left=left, channel=channel, to_address=to_address)


def person_mark_dealt_with(*, message: Message, actor) -> int:
    """Hub staff reached the person this message is to another way (they phoned), or
    decided nothing more is needed: their calls still to make count as made, and their
    failures as dealt with (still on record as failed). Nothing is sent. Returns how
    many messages that covered."""
    now = timezone.now()
    addresses = [message.to_address] if message.to_address != "erased" else []
    with transaction.atomic():
        theirs = Message.objects.filter(
            _to_person(user_id=message.recipient_id, addresses=addresses), hub_id=message.hub_id
        )
        called = theirs.filter(
            channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING
        ).update(status=Message.Status.SENT, sent_at=now, last_error="")
        dealt = (
            theirs.filter(status=Message.Status.FAILED, dealt_with_at__isnull=True)
            .exclude(failure_reason=Message.FailureReason.CANCELLED)
            .update(dealt_with_at=now)
        )
    if not called + dealt:
        raise MessageError("Nothing is waiting for this person: someone may have dealt with it.")
    return called + dealt
