"""Reading the outbox: a hub's messages, its phone list and the people it could not reach."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat

from makers.models import Maker
from makers.validators import format_phone, normalise_phone
from scrubhub.notifications.models import (
    NEEDS_STAFF,
    UNREACHABLE_REASONS,
    HubMessageSettings,
    Message,
)


def messages_for_hub(*, hub, status: str = "", channel: str = "") -> QuerySet[Message]:
    """A hub's outbox, newest first. Uses the (hub, -created_at) index."""
    messages = Message.objects.filter(hub=hub).order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.only(
        "pk",
        "to_address",
        "channel",
        "kind",
        "subject",
        "status",
        "attempts",
        "last_error",
        "failure_reason",
        "created_at",
        "sent_at",
        "delivered_at",
    )


def phone_list_for_hub(*, hub) -> QuerySet[Message]:
    """Messages for people we can only reach by phone, still to be rung."""
    return Message.objects.filter(
        hub=hub, channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING
    ).order_by("created_at", "pk")


def message_for_hub(*, hub, message_id: int) -> Message:
    return Message.objects.get(hub=hub, pk=message_id)


def message_settings_for(*, hub) -> HubMessageSettings:
    return HubMessageSettings.objects.filter(hub=hub).first() or HubMessageSettings(hub=hub)


# --- People the hub could not reach ------------------------------------------------------------

STILL_UNREACHABLE = Q(
    status=Message.Status.FAILED, failure_reason__in=UNREACHABLE_REASONS, dealt_with_at__isnull=True
)
TO_PHONE = Q(channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING)
# Who a message is to: their account when it names one, else the address. The dashboard
# counts these and the list groups by them, so the two always agree.
PERSON = Case(
    When(recipient__isnull=False, then=Concat(Value("u"), Cast("recipient_id", CharField()))),
    default=Concat(Value("a"), "to_address"),
    output_field=CharField(),
)


def unreachable_now() -> Q:
    """Messages that say their person cannot be reached now: a call still to make, or a
    failure that trying the same address again would not mend (UNREACHABLE_REASONS), with
    nothing sent to them since but more of the same. A temporary or technical failure does
    not count (the next message may well arrive), and a cancelled one never does.

    "Since" is by id, and the later message is found by account or address (indexed)."""
    later = (
        Message.objects.filter(hub=OuterRef("hub"), pk__gt=OuterRef("pk"))
        .filter(Q(recipient=OuterRef("recipient")) | Q(to_address=OuterRef("to_address")))
        .exclude(STILL_UNREACHABLE | TO_PHONE)
    )
    return TO_PHONE | (STILL_UNREACHABLE & ~Exists(later))


def person_addresses(*, email: str = "", phone: str = "") -> list[str]:
    """Every way an address of theirs may be written on a message (a phone number as they
    typed it, as kept, as sent)."""
    found = [email.strip().lower()] if email.strip() else []
    if phone.strip():
        plain = normalise_phone(phone)
        found += [phone.strip(), plain, format_phone(plain)]
    return list(dict.fromkeys(a for a in found if a))


@dataclass
class Unreachable:
    """One person the hub could not reach, with what did not reach them (newest first)."""

    key: str
    messages: list[Message]
    maker: Maker | None = None
    name: str = ""
    phone: str = ""
    email: str = ""
    form: object = None  # the view's form to correct their details, for a maker

    @property
    def latest(self) -> Message:
        return self.messages[0]


UNREACHABLE_SHOWN = 100


def unreachable_for_hub(*, hub, limit: int = UNREACHABLE_SHOWN) -> list[Unreachable]:
    """The people the hub could not reach (unreachable_now), most recent first, each once:
    at most `limit` of them. Two queries whatever the numbers: the messages (down the
    needs-staff index) with their account and its maker record, and the makers known only
    by an address."""
    rows = list(
        Message.objects.filter(NEEDS_STAFF, hub=hub)
        .filter(unreachable_now())
        .select_related("recipient__maker")
        .order_by("-pk")[: limit * 5]
    )
    people: dict[str, Unreachable] = {}
    for message in rows:
        key = f"u{message.recipient_id}" if message.recipient_id else f"a{message.to_address}"
        if key not in people:
            if len(people) == limit:
                continue
            people[key] = Unreachable(key=key, messages=[])
        people[key].messages.append(message)
    unknown = [p for p in people.values() if _maker_of(p.latest.recipient, hub) is None]
    by_address = _makers_by_address(hub=hub, messages=[m for p in unknown for m in p.messages])
    for person in people.values():
        latest = person.latest
        maker = _maker_of(latest.recipient, hub) or next(
            (by_address[m.to_address] for m in person.messages if m.to_address in by_address),
            None,
        )
        person.maker = maker
        if maker is not None:
            person.name, person.phone, person.email = maker.name, maker.phone, maker.email
            continue
        account = latest.recipient
        if account is not None:
            person.name = account.get_full_name() or account.username
            person.email = account.email
        for message in person.messages:
            if message.channel == Message.Channel.EMAIL:
                person.email = person.email or message.to_address
            else:
                person.phone = person.phone or message.to_address
    return list(people.values())


def _maker_of(user, hub) -> Maker | None:
    if user is None:
        return None
    try:
        maker = user.maker
    except ObjectDoesNotExist:
        return None
    # One who sews for another hub is not this hub's to change.
    if maker.hub_id != hub.pk or maker.status == Maker.Status.ERASED:
        return None
    return maker


def _address_key(address: str) -> str:
    return address.lower() if "@" in address else (normalise_phone(address) or address)


def _makers_by_address(*, hub, messages: list[Message]) -> dict[str, Maker]:
    """The hub's makers these messages went to, by each message's address."""
    addresses = {m.to_address for m in messages}
    if not addresses:
        return {}
    emails = {a.lower() for a in addresses if "@" in a}
    phones = {v for a in addresses if "@" not in a for v in person_addresses(phone=a)}
    by_key: dict[str, Maker] = {}
    makers = (
        Maker.objects.filter(hub=hub)
        .exclude(status=Maker.Status.ERASED)
        .filter(Q(email__in=emails) | Q(phone__in=phones))
        .order_by("pk")
    )
    for maker in makers:
        for address in (maker.email, maker.phone):
            if address:
                by_key.setdefault(_address_key(address), maker)
    return {a: by_key[_address_key(a)] for a in addresses if _address_key(a) in by_key}


def messages_to_maker(*, maker: Maker, limit: int = 10) -> list[Message]:
    """The last messages the hub sent (or tried to send) a maker, newest first, for their
    record: one query, by their account or any of their addresses (both indexed)."""
    to_them = Q(to_address__in=person_addresses(email=maker.email, phone=maker.phone))
    if maker.user_id:
        to_them |= Q(recipient_id=maker.user_id)
    return list(
        Message.objects.filter(to_them, hub_id=maker.hub_id)
        .order_by("-pk")
        .only(
            "pk",
            "kind",
            "subject",
            "channel",
            "to_address",
            "status",
            "failure_reason",
            "last_error",
            "created_at",
            "sent_at",
            "delivered_at",
            "dealt_with_at",
        )[:limit]
    )
