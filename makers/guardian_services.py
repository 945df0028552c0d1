"""Parents and guardians of makers aged 16 or 17 (issue 22): the message that asks them,
the page its link opens, their answer, and the rule that no kit goes to the maker before
they agree.

The link carries a random token; only its hash is kept (GuardianRequest), so the outbox
row is the one copy of the link. The newest request is the only one whose link works: a
message sent again, or a new guardian contact, closes the one before; an answer closes
it; erasing the maker deletes it. The agreement itself is a Consent with its wording
version, its time and the name of the person who agreed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from makers.models import Consent, GuardianRequest, Maker, MakerEvent
from makers.services.core import MakerError, _message_maker
from makers.validators import is_mobile, normalise_phone
from scrubhub.notifications.models import Message

# The wording on the guardian's page (makers/guardian.html). A change of wording is a new
# version, so each agreement says which words it was given to.
GUARDIAN_WORDING = "guardian-v1"
LINK_DAYS = 30
MESSAGE_KIND = "guardian_ask"
# Who is still asked: nobody asks a parent about someone the hub no longer works with.
ASKED_STATUSES = [
    Maker.Status.APPLIED,
    Maker.Status.APPROVED,
    Maker.Status.ACTIVE,
    Maker.Status.PAUSED,
    Maker.Status.STANDBY,
]


class GuardianStatus:
    """What a young maker's parent or guardian has said (`guardian_status` below)."""

    NOT_NEEDED = "not_needed"  # 18 or over
    WAITING = "waiting"
    AGREED = "agreed"
    REFUSED = "refused"


def _error(message: str):
    return MakerError(message)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_key_prefix(maker_id: int) -> str:
    """Every message to a maker's guardian has an idempotency key starting with this, so
    erasing the maker finds them without matching an address someone else may share."""
    return f"guardian-{maker_id}-"


# --- Reads -----------------------------------------------------------------------------


def _agreed(maker_ref) -> Exists:
    return Exists(
        Consent.objects.filter(
            maker=maker_ref, purpose=Consent.Purpose.GUARDIAN, withdrawn_at__isnull=True
        )
    )


def with_guardian_status(makers):
    """The makers, each with `guardian_status` (one of GuardianStatus): two small
    subqueries a row, run only for makers aged 16 or 17."""
    last_answer = Subquery(
        GuardianRequest.objects.filter(maker=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("answer")[:1]
    )
    return makers.annotate(guardian_last_answer=last_answer).annotate(
        guardian_status=Case(
            When(~Q(age_band=Maker.AgeBand.UNDER_18), then=Value(GuardianStatus.NOT_NEEDED)),
            When(_agreed(OuterRef("pk")), then=Value(GuardianStatus.AGREED)),
            When(
                guardian_last_answer=GuardianRequest.Answer.REFUSED,
                then=Value(GuardianStatus.REFUSED),
            ),
            default=Value(GuardianStatus.WAITING),
            output_field=CharField(),
        )
    )


def may_have_kits_now():
    """A filter for makers a kit may go to as far as guardians go: 18 or over, or a parent
    or guardian agreed. (makers whose status lets them have kits are another filter.)"""
    return ~Q(age_band=Maker.AgeBand.UNDER_18) | Q(_agreed(OuterRef("pk")))


def makers_waiting_for_guardian(*, hub):
    """Young makers the hub still works with whose parent or guardian has not agreed:
    waiting for an answer, or said no. Read through maker_young_idx."""
    return (
        with_guardian_status(
            Maker.objects.filter(
                hub=hub, age_band=Maker.AgeBand.UNDER_18, status__in=ASKED_STATUSES
            )
        )
        .filter(guardian_status__in=[GuardianStatus.WAITING, GuardianStatus.REFUSED])
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class GuardianState:
    """Where one young maker's parent or guardian has got to, for the maker's pages."""

    status: str
    asked_at: datetime | None = None  # the newest message
    link_expires_at: datetime | None = None
    answered_at: datetime | None = None
    consent: Consent | None = None

    @property
    def waiting(self) -> bool:
        return self.status == GuardianStatus.WAITING

    @property
    def refused(self) -> bool:
        return self.status == GuardianStatus.REFUSED

    @property
    def agreed(self) -> bool:
        return self.status == GuardianStatus.AGREED

    @property
    def link_expired(self) -> bool:
        return self.link_expires_at is not None and self.link_expires_at <= timezone.now()


def guardian_state(*, maker: Maker) -> GuardianState:
    """Two queries for a young maker, none for anyone else."""
    if not maker.needs_guardian:
        return GuardianState(status=GuardianStatus.NOT_NEEDED)
    consent = (
        Consent.objects.filter(
            maker=maker, purpose=Consent.Purpose.GUARDIAN, withdrawn_at__isnull=True
        )
        .order_by("-given_at")
        .first()
    )
    last = GuardianRequest.objects.filter(maker=maker).order_by("-created_at", "-pk").first()
    asked = {
        "asked_at": last.created_at if last else None,
        "link_expires_at": last.expires_at if last and last.closed_at is None else None,
        "answered_at": last.closed_at if last and last.answer else None,
    }
    if consent is not None:
        return GuardianState(status=GuardianStatus.AGREED, consent=consent, **asked)
    if last is not None and last.answer == GuardianRequest.Answer.REFUSED:
        return GuardianState(status=GuardianStatus.REFUSED, **asked)
    return GuardianState(status=GuardianStatus.WAITING, **asked)


def kit_refusal(*, maker: Maker) -> str | None:
    """Why no kit may go to this maker yet because of their age, or None. The kit services
    call it with the kit locked; it locks the maker's row, so an answer being recorded at
    the same moment is either seen whole or not at all."""
    if not maker.needs_guardian:
        return None
    Maker.objects.select_for_update().filter(pk=maker.pk).values_list("pk", flat=True).get()
    state = guardian_state(maker=maker)
    if state.agreed:
        return None
    if state.refused:
        return _("%(name)s's parent or guardian did not agree, so they cannot be given a kit.") % {
            "name": maker.name
        }
    return _(
        "%(name)s is waiting for a parent or guardian to agree, so cannot be given a kit yet."
    ) % {"name": maker.name}


@dataclass(frozen=True)
class PageFacts:
    """What the guardian's page says about the hub: who the scrubs are for, where their
    child hands kits over, and how long the hub keeps their details."""

    hospitals: list[str]
    point: object  # dropoffs.Point or None
    doorstep: bool
    erase_on: date | None
    retention_days: int


def page_facts(*, maker: Maker) -> PageFacts:
    hub = maker.hub
    return PageFacts(
        hospitals=list(hub.hospitals.order_by("name").values_list("name", flat=True)),
        point=maker.preferred_point,
        doorstep=maker.needs_doorstep_collection,
        erase_on=hub.erasure_on(),
        retention_days=hub.retention_days,
    )


@dataclass(frozen=True)
class GuardianLink:
    """What the page a guardian's link opens can show: the request (None when the link
    is not one of ours, or the maker was erased) and whether it can still be answered."""

    request: GuardianRequest | None
    usable: bool = False
    answered: bool = False  # used already (then `request.answer` says how)
    expired: bool = False  # too old, or a newer message was sent

    @property
    def maker(self) -> Maker | None:
        return self.request.maker if self.request else None


def link_read(*, token: str) -> GuardianLink:
    """The request a link's token belongs to, read without changing anything."""
    token = (token or "")[:200]
    request = (
        GuardianRequest.objects.filter(digest=_digest(token))
        .select_related("maker__hub", "maker__preferred_point")
        .first()
        if token
        else None
    )
    if request is None or request.maker.status not in ASKED_STATUSES:
        return GuardianLink(request=None)
    if request.answer:
        return GuardianLink(request=request, answered=True)
    if request.closed_at is not None or request.expires_at <= timezone.now():
        return GuardianLink(request=request, expired=True)
    return GuardianLink(request=request, usable=True)


# --- Asking ----------------------------------------------------------------------------


def guardian_route(contact: str) -> tuple[str, str] | None:
    """(channel, address) for a guardian contact: an email address by email, a mobile by
    text, any other phone number on the hub's "to phone" list; None if it is neither."""
    from makers.validators import normalise_contact

    kept = normalise_contact(contact)
    if not kept:
        return None
    if "@" in kept:
        return Message.Channel.EMAIL, kept
    phone = normalise_phone(kept)
    return (Message.Channel.SMS if is_mobile(phone) else Message.Channel.PHONE_LIST), phone


def link_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('makers:guardian', kwargs={'token': token})}"


def guardian_ask(*, maker: Maker, actor=None, now: datetime | None = None) -> str:
    """Send the maker's parent or guardian the message with a new link (the one before
    stops working), in the caller's transaction. Returns the link's token: the message
    holds the only other copy. Refused for a maker who is 18 or over, whose guardian
    already agreed, or the hub no longer works with."""
    from scrubhub.notifications.services import person_notify

    now = now or timezone.now()
    with transaction.atomic():
        maker = Maker.objects.select_for_update(of=("self",)).select_related("hub").get(pk=maker.pk)
        if not maker.needs_guardian:
            raise _error(_("Only makers aged 16 or 17 need a parent or guardian to agree."))
        if maker.status not in ASKED_STATUSES:
            raise _error(
                _("%(name)s is %(status)s, so we do not ask their parent or guardian.")
                % {"name": maker.name, "status": maker.get_status_display().lower()}
            )
        if guardian_state(maker=maker).agreed:
            raise _error(_("Their parent or guardian has already agreed."))
        route = guardian_route(maker.guardian_contact)
        if route is None:
            raise _error(
                _(
                    "We cannot send a message to “%(contact)s”. Change it to a phone number or an "
                    "email address first."
                )
                % {"contact": maker.guardian_contact}
            )
        channel, address = route
        GuardianRequest.objects.filter(maker=maker, closed_at__isnull=True).update(closed_at=now)
        token = secrets.token_urlsafe(32)
        request = GuardianRequest.objects.create(
            maker=maker,
            digest=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
        person_notify(
            hub=maker.hub,
            kind=MESSAGE_KIND,
            idempotency_key=f"{message_key_prefix(maker.pk)}{request.pk}",
            context={
                "name": maker.guardian_name,
                "child": maker.name,
                "link": link_url(token),
                "days": LINK_DAYS,
            },
            email=address if channel == Message.Channel.EMAIL else "",
            phone=address if channel != Message.Channel.EMAIL else "",
            preferred_channel={
                Message.Channel.EMAIL: "email",
                Message.Channel.SMS: "sms",
                Message.Channel.PHONE_LIST: "phone",
            }[channel],
        )
        if actor is not None:
            MakerEvent.objects.create(
                maker=maker,
                old_status=maker.status,
                new_status=maker.status,
                actor=actor,
                note="Message to their parent or guardian sent again",
            )
    return token


def guardian_ask_if_changed(*, maker: Maker, before: str, actor=None) -> bool:
    """After a change of details: a new guardian contact for a young maker whose guardian
    has not agreed gets the message (the old link stops working). True if it was sent."""
    if not maker.needs_guardian or maker.guardian_contact == before:
        return False
    if maker.status not in ASKED_STATUSES or guardian_state(maker=maker).agreed:
        return False
    guardian_ask(maker=maker)
    return True


# --- The guardian's answer -------------------------------------------------------------


def guardian_answer(*, token: str, agree: bool, name: str = "") -> GuardianRequest:
    """The parent or guardian answers on their link's page. Agreeing records the consent
    (its wording version, time and the name they gave); either answer closes the link, and
    the maker hears kindly which it was."""
    name = " ".join(name.split())[:200]
    if agree and not name:
        raise _error(_("Please type your name."))
    with transaction.atomic():
        found = GuardianRequest.objects.filter(digest=_digest(token[:200])).first()
        if found is None:
            raise _error(_("This link does not work. It may not have been copied in full."))
        # The maker first, as the kit services lock it: an answer and a kit at once wait.
        maker = (
            Maker.objects.select_for_update(of=("self",))
            .select_related("hub")
            .get(pk=found.maker_id)
        )
        request = GuardianRequest.objects.select_for_update().get(pk=found.pk)
        now = timezone.now()
        if maker.status not in ASKED_STATUSES:
            raise _error(_("This link does not work any more."))
        if request.answer:
            raise _error(_("You have already answered. Thank you."))
        if request.closed_at is not None or request.expires_at <= now:
            raise _error(_("This link has stopped working. Please call the hub for a new one."))
        request.closed_at = now
        request.answer = GuardianRequest.Answer.AGREED if agree else GuardianRequest.Answer.REFUSED
        request.save(update_fields=["closed_at", "answer"])
        if agree:
            Consent.objects.filter(
                maker=maker, purpose=Consent.Purpose.GUARDIAN, withdrawn_at__isnull=True
            ).update(withdrawn_at=now)
            Consent.objects.create(
                maker=maker,
                purpose=Consent.Purpose.GUARDIAN,
                wording_version=GUARDIAN_WORDING,
                given_at=now,
                given_by=name,
            )
        # No name in the history: it says what happened, and erasure keeps it.
        MakerEvent.objects.create(
            maker=maker,
            old_status=maker.status,
            new_status=maker.status,
            note="A parent or guardian agreed" if agree else "A parent or guardian did not agree",
        )
        if agree:
            _message_maker(
                maker=maker,
                kind=f"guardian-agreed-{request.pk}",
                subject=_("Your parent or guardian has agreed"),
                body=_(
                    "Hello %(name)s,\n\nYour parent or guardian has agreed that you may sew "
                    "scrubs with %(hub)s. Thank you for waiting. We will let you know when a "
                    "kit is ready for you."
                )
                % {"name": maker.name, "hub": maker.hub.name},
            )
        else:
            _message_maker(
                maker=maker,
                kind=f"guardian-refused-{request.pk}",
                subject=_("About sewing with %(hub)s") % {"hub": maker.hub.name},
                body=_(
                    "Hello %(name)s,\n\nThank you so much for offering to sew scrubs with "
                    "%(hub)s. Your parent or guardian did not agree this time, so we will not "
                    "send you a kit. That is all right: it was kind of you to offer.\n\nIf "
                    "anything changes, they can call us on %(phone)s."
                )
                % {"name": maker.name, "hub": maker.hub.name, "phone": maker.hub.phone},
            )
    return request


# --- Erasure ---------------------------------------------------------------------------


def guardian_erase(*, maker_id: int) -> None:
    """Part of erasing a maker: the guardian's agreement (it names them), the links (they
    stop working) and the messages to the guardian go."""
    Consent.objects.filter(maker_id=maker_id, purpose=Consent.Purpose.GUARDIAN).delete()
    GuardianRequest.objects.filter(maker_id=maker_id).delete()
    to_guardian = Message.objects.filter(idempotency_key__startswith=message_key_prefix(maker_id))
    to_guardian.filter(status=Message.Status.PENDING).update(
        status=Message.Status.FAILED,
        failure_reason=Message.FailureReason.CANCELLED,
        last_error="Not sent: the person's details were erased.",
    )
    to_guardian.update(to_address="erased", subject="(erased)", body="", html_body="")
