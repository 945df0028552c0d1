"""Every change to a maker or a maker group, one function each."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, ProtectedError, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from makers import guardian_services, signin
from makers.models import (
    Consent,
    ImportBatch,
    ImportedMaker,
    KitProblem,
    Maker,
    MakerEvent,
    MakerGroup,
    ReturnPlan,
    SigninCode,
)
from makers.selectors import maker_contact, makers_to_erase
from makers.validators import (
    contact_channel,
    format_phone,
    is_mobile,
    normalise_contact,
    normalise_phone,
    normalise_postcode,
)
from scrubhub.audit.models import AuditEvent
from scrubhub.errors import DomainError
from scrubhub.hubs.models import ERASURE_WAIT_AFTER_CHANGE, Hub, Membership, Role
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import (
    WEEKLY_SUMMARY,
    message_queue,
    opt_out_record,
    opt_out_undo,
)

logger = logging.getLogger(__name__)


class MakerError(DomainError):
    """A change to a maker that the rules do not allow; the message is for people. `field`
    names the form field it belongs beside, when it is about one answer."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


S = Maker.Status
MAKER_ALLOWED: dict[str, set[str]] = {
    S.APPLIED: {S.APPROVED, S.DECLINED, S.WITHDRAWN, S.ERASED},
    S.APPROVED: {S.ACTIVE, S.PAUSED, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.ACTIVE: {S.PAUSED, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.PAUSED: {S.APPROVED, S.ACTIVE, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.STANDBY: {S.APPROVED, S.ACTIVE, S.WITHDRAWN, S.ERASED},
    S.DECLINED: {S.ERASED},
    S.WITHDRAWN: {S.ERASED},
    S.ERASED: set(),
}


def _maker_move(*, maker_id: int, to: str, actor, note: str = "", **changes) -> Maker:
    with transaction.atomic():
        # Two staff may click at once; the second sees the first one's status.
        maker = Maker.objects.select_for_update().get(pk=maker_id)
        if to not in MAKER_ALLOWED[maker.status]:
            raise MakerError(
                f"A maker who is {maker.get_status_display().lower()} cannot become "
                f"{S(to).label.lower()}."
            )
        old = maker.status
        now = timezone.now()
        for name, value in {"status": to, "status_changed_at": now, **changes}.items():
            setattr(maker, name, value)
        maker.save()
        MakerEvent.objects.create(
            maker=maker, old_status=old, new_status=to, actor=actor, note=note
        )
    return maker


def _role_grant(*, user_id: int, role: str, hub: Hub) -> None:
    """Give someone a hub role they may already hold. One INSERT that does nothing when the
    role is there (the unique index decides, also between two requests at once): no read
    first and no savepoint, which get_or_create needs."""
    Membership.objects.bulk_create(
        [Membership(user_id=user_id, role=role, hub=hub)], ignore_conflicts=True
    )


def _holds_kits(maker: Maker) -> bool:
    from packages.models import KitAssignment

    return KitAssignment.objects.filter(maker=maker, ended_at__isnull=True).exists()


def _message_maker(*, maker: Maker, kind: str, subject: str, body: str) -> None:
    """Queue a message on the maker's preferred channel (phone-only people go on the hub's
    phone list); an erased maker is told nothing."""
    route = maker_contact(maker=maker).route
    if route is None:
        return
    channel, address = route
    message_queue(
        idempotency_key=f"maker-{maker.pk}-{kind}",
        to_address=address,
        subject=subject,
        body=body,
        kind=f"maker_{kind}",
        channel=channel,
        hub=maker.hub,
        recipient=maker.user,
    )


def _validate_contact(
    *,
    email: str,
    phone: str,
    age_band: str,
    guardian_name: str,
    guardian_contact: str,
    preferred_channel: str,
) -> None:
    if not email and not phone:
        raise MakerError("Please give an email address or a phone number, so we can reach you.")
    if age_band == Maker.AgeBand.UNDER_18 and not (guardian_name and guardian_contact):
        raise MakerError(
            "Makers aged 16 or 17 need a parent or guardian's name and phone number or email."
        )
    if age_band == Maker.AgeBand.UNDER_18 and not normalise_contact(guardian_contact):
        # Their parent or guardian is sent a message to agree: it needs somewhere to go.
        raise MakerError(
            _(
                "Please give the parent or guardian's phone number (like 07700 900123) or "
                "email address."
            ),
            field="guardian_contact",
        )
    if preferred_channel == Maker.Channel.EMAIL and not email:
        raise MakerError("To hear from us by email, please give an email address.")
    if preferred_channel in {Maker.Channel.SMS, Maker.Channel.PHONE} and not phone:
        raise MakerError("To hear from us by phone or text, please give a phone number.")


def maker_apply(
    *,
    hub: Hub,
    name: str,
    postcode: str,
    actor=None,
    user=None,
    email: str = "",
    phone: str = "",
    age_band: str = Maker.AgeBand.ADULT,
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    sets_per_week: int = 1,
    preferred_point=None,
    preferred_channel: str = Maker.Channel.EMAIL,
    heard_about: str = "",
    needs_doorstep_collection: bool = False,
    consents: Iterable[tuple[str, str]] = (),
) -> Maker:
    """Sign someone up as a maker (themselves, or by staff for phone-only people).

    `consents` are (purpose, wording_version) pairs the person agreed to. Queues a welcome
    message, and approves at once when the hub does that automatically.
    """
    name, email, phone = name.strip(), email.strip(), phone.strip()
    guardian_name = " ".join(guardian_name.split())
    guardian_contact = normalise_contact(guardian_contact) or guardian_contact.strip()
    if not name:
        raise MakerError("Please tell us your name.")
    _validate_contact(
        email=email,
        phone=phone,
        age_band=age_band,
        guardian_name=guardian_name,
        guardian_contact=guardian_contact,
        preferred_channel=preferred_channel,
    )
    if preferred_point is not None and preferred_point.hub_id != hub.pk:
        raise MakerError("That drop-off point belongs to a different hub.")
    if sets_per_week < 0:
        raise MakerError("Sets a week cannot be less than nothing.")
    # Joining and staff sign-up call this inside their own transaction and let every error
    # end it: a savepoint would be two more round trips for nothing.
    with transaction.atomic(savepoint=False):
        if user is not None and Maker.objects.filter(user=user).exists():
            raise MakerError("You are already signed up as a maker.")
        maker = Maker.objects.create(
            hub=hub,
            user=user,
            name=name,
            email=email,
            phone=phone,
            postcode=postcode.strip().upper(),
            age_band=age_band,
            guardian_name=guardian_name,
            guardian_contact=guardian_contact,
            experience=experience,
            has_sewing_machine=has_sewing_machine,
            sets_per_week=sets_per_week,
            preferred_point=preferred_point,
            preferred_channel=preferred_channel,
            heard_about=heard_about,
            needs_doorstep_collection=needs_doorstep_collection,
            status=S.APPLIED,
            status_changed_at=timezone.now(),
        )
        MakerEvent.objects.create(
            maker=maker, old_status="", new_status=S.APPLIED, actor=actor or user
        )
        _consents_record_first(maker=maker, consents=consents, given_at=maker.created_at)
        if maker.needs_guardian:
            guardian_services.guardian_ask(maker=maker)
        if user is not None:
            _role_grant(user_id=user.pk, role=Role.MAKER, hub=hub)
        _message_maker(
            maker=maker,
            kind="welcome",
            subject=f"Welcome to {hub.name}",
            body=(
                f"Hello {maker.name},\n\nThank you for offering to sew scrubs with "
                f"{hub.name}. We will be in touch soon.\n\n"
                + (
                    f"We have sent {maker.guardian_name} a message asking them to agree. "
                    "We can send you a kit when they have.\n\n"
                    if maker.needs_guardian
                    else ""
                )
                + f"If you have questions, call us on {hub.phone} or email {hub.email}."
            ),
        )
        if hub.auto_approve_makers:
            maker = maker_approve(maker=maker, actor=actor)
    return maker


def maker_approve(*, maker: Maker, actor) -> Maker:
    """Let a maker receive kits."""
    with transaction.atomic():
        maker = _maker_move(maker_id=maker.pk, to=S.APPROVED, actor=actor)
        _message_maker(
            maker=maker,
            kind="approved",
            subject="You can now receive scrub kits",
            body=(
                f"Hello {maker.name},\n\n{maker.hub.name} has approved you as a maker. "
                "We will let you know when a kit is ready for you."
            ),
        )
    return maker


def maker_decline(*, maker: Maker, actor, reason: str = "") -> Maker:
    """Say no to an applicant. They are told kindly; `reason` is the hub's own note and is
    not sent to them."""
    with transaction.atomic():
        maker = _maker_move(maker_id=maker.pk, to=S.DECLINED, actor=actor, note=reason)
        _message_maker(
            maker=maker,
            kind="declined",
            subject=str(_("Thank you for offering to help")),
            body=str(
                _(
                    "Hello %(name)s,\n\nThank you so much for offering to sew scrubs with "
                    "%(hub)s. We are not able to send you a kit this time, and we are sorry. "
                    "So many people offered to help that we cannot give everyone a kit.\n\n"
                    "It was very kind of you to offer. If you have any questions, please call "
                    "us on %(phone)s."
                )
                % {"name": maker.name, "hub": maker.hub.name, "phone": maker.hub.phone}
            ),
        )
    return maker


def maker_mark_active(*, maker: Maker, actor) -> Maker:
    """An approved maker becomes active when they get their first kit. Safe to call again."""
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.ACTIVE:
            return current
        return _maker_move(maker_id=maker.pk, to=S.ACTIVE, actor=actor, note="First kit")


def maker_pause(*, maker: Maker, actor, reason: str = "") -> Maker:
    """No new kits for now; a kit they hold stays with them."""
    return _maker_move(maker_id=maker.pk, to=S.PAUSED, actor=actor, note=reason)


def maker_resume(*, maker: Maker, actor) -> Maker:
    """Back from a pause or standby: active if they have had a kit, else approved."""
    from packages.models import KitAssignment

    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status not in {S.PAUSED, S.STANDBY}:
            raise MakerError(
                f"Only a paused maker or one on standby can resume, not one who is "
                f"{current.get_status_display().lower()}."
            )
        had_kit = KitAssignment.objects.filter(maker=current).exists()
        return _maker_move(maker_id=maker.pk, to=S.ACTIVE if had_kit else S.APPROVED, actor=actor)


def maker_standby(*, maker: Maker, actor, note: str = "") -> Maker:
    """The hub stood down and the maker agreed to be asked again."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError("This maker still has a kit. Take it back or close it first.")
        return _maker_move(maker_id=maker.pk, to=S.STANDBY, actor=actor, note=note)


def _membership_remove(maker: Maker) -> None:
    if maker.user_id:
        Membership.objects.filter(user_id=maker.user_id, role=Role.MAKER, hub=maker.hub).delete()


def maker_withdraw(*, maker: Maker, actor, reason: str = "") -> Maker:
    """The maker stops sewing for the hub, at their own word (from their page) or hub
    staff's. They must not still hold a kit; a maker who asked is told so in their own
    words, since they read it, not staff."""
    by_themselves = actor is not None and maker.user_id is not None and actor.pk == maker.user_id
    with transaction.atomic():
        if _holds_kits(maker):
            if by_themselves:
                raise MakerError(
                    _(
                        "You still have a kit. Please bring it back, or call the hub, "
                        "before you stop."
                    )
                )
            raise MakerError(
                "This maker still has a kit. Take it back, or mark it lost, before they leave."
            )
        if not reason and by_themselves:
            reason = "The maker stopped"
        maker = _maker_move(maker_id=maker.pk, to=S.WITHDRAWN, actor=actor, note=reason)
        _membership_remove(maker)
    return maker


def maker_erase(*, maker: Maker, actor) -> Maker:
    """Blank everything that identifies the maker; keep the row so kit counts still add up.
    Every erasure is in the audit trail, whoever asked for it (hub staff, the maker
    deleting their account, or the hub's retention period, with no actor)."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError("This maker still has a kit. Close it or mark it lost first.")
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        _membership_remove(current)
        person = {
            "user_id": current.user_id,
            "addresses": [current.email, current.phone, normalise_phone(current.phone)],
        }
        maker = _maker_move(
            maker_id=maker.pk,
            to=S.ERASED,
            actor=actor,
            user=None,
            name="",
            email="",
            phone="",
            postcode="",
            guardian_name="",
            guardian_contact="",
            heard_about="",
            preferred_point=None,
            erased_at=timezone.now(),
        )
        # Notes may name people; the events keep only what happened and when.
        MakerEvent.objects.filter(maker=maker).update(note="")
        guardian_services.guardian_erase(maker_id=maker.pk)
        # What they agreed to ends with their details: the record shows when.
        Consent.objects.filter(maker=maker, withdrawn_at__isnull=True).update(
            withdrawn_at=maker.erased_at
        )
        by_themselves = actor is not None and actor.pk == person["user_id"]
        _person_remove(maker_id=maker.pk, **person)
        # A maker erasing themselves is not kept as the actor: their account is gone.
        _audit(
            actor=None if by_themselves else actor,
            hub=maker.hub,
            action=AuditEvent.Action.ERASED,
            maker=maker,
            detail=(
                "The maker deleted their account"
                if by_themselves
                else "The hub's retention period ended"
                if actor is None
                else ""
            ),
        )
    return maker


def _require_wording(wording_version: str) -> None:
    if not wording_version:
        raise MakerError("A consent needs the version of the wording the person agreed to.")


def consent_give(
    *, maker: Maker, purpose: str, wording_version: str, given_at: datetime | None = None
) -> Consent:
    """Record a consent; a new wording replaces the current one for the same purpose."""
    _require_wording(wording_version)
    now = given_at or timezone.now()
    with transaction.atomic():
        Consent.objects.select_for_update().filter(
            maker=maker, purpose=purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        return Consent.objects.create(
            maker=maker, purpose=purpose, wording_version=wording_version, given_at=now
        )


def _consents_record_first(*, maker: Maker, consents, given_at: datetime) -> None:
    """A new maker's consents, (purpose, wording version) pairs, in one insert: there is no
    earlier consent for consent_give to replace."""
    consents = list(consents)
    for _purpose, wording_version in consents:
        _require_wording(wording_version)
    Consent.objects.bulk_create(
        Consent(maker=maker, purpose=purpose, wording_version=wording_version, given_at=given_at)
        for purpose, wording_version in consents
    )


def maker_summaries_set(*, maker: Maker, wanted: bool) -> None:
    """The maker turns the weekly summary email off, or back on. Messages about their kits
    cannot be turned off while they sew; stopping sewing or deleting the account ends them."""
    if not maker.email:
        raise MakerError(_("We have no email address for you, so we send you no weekly email."))
    if wanted:
        opt_out_undo(address=maker.email, kind=WEEKLY_SUMMARY)
    else:
        opt_out_record(address=maker.email, kind=WEEKLY_SUMMARY)


def consent_withdraw(*, maker: Maker, purpose: str) -> int:
    """Withdraw the current consent for a purpose. Returns how many were withdrawn."""
    with transaction.atomic():
        return Consent.objects.filter(
            maker=maker, purpose=purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())


def maker_group_create(
    *,
    hub: Hub,
    name: str,
    leader_name: str,
    leader_contact: str,
    actor,
    kind: str = MakerGroup.Kind.COMMUNITY,
    leader=None,
    member_count: int = 1,
    capacity_sets_per_week: int = 0,
) -> MakerGroup:
    """A group that sews together. The leader, if they have an account, becomes a group
    leader of the hub."""
    if not name.strip():
        raise MakerError("Please give the group a name.")
    if not leader_name.strip() or not leader_contact.strip():
        raise MakerError("A group needs a leader's name and a phone number or email.")
    if member_count < 1:
        raise MakerError("A group needs at least one member.")
    with transaction.atomic():
        taken = f"There is already a group called {name.strip()} in this hub."
        if MakerGroup.objects.filter(hub=hub, name=name.strip()).exists():
            raise MakerError(taken)
        try:
            # Two registering the same name at once both pass the check; the index decides.
            with transaction.atomic():
                group = MakerGroup.objects.create(
                    hub=hub,
                    name=name.strip(),
                    kind=kind,
                    leader=leader,
                    leader_name=leader_name.strip(),
                    leader_contact=leader_contact.strip(),
                    member_count=member_count,
                    capacity_sets_per_week=capacity_sets_per_week,
                )
        except IntegrityError:
            raise MakerError(taken) from None
        if leader is not None:
            _role_grant(user_id=leader.pk, role=Role.GROUP_LEADER, hub=hub)
    return group


def maker_group_close(*, group: MakerGroup, actor) -> MakerGroup:
    """Close a group that holds no kit; its leader stops being a group leader here unless
    they lead another open group of the hub."""
    from packages.models import KitAssignment

    with transaction.atomic():
        group = MakerGroup.objects.select_for_update().get(pk=group.pk)
        if group.status == MakerGroup.Status.CLOSED:
            raise MakerError("This group is already closed.")
        if KitAssignment.objects.filter(group=group, ended_at__isnull=True).exists():
            raise MakerError("This group still has a kit. Take it back or close it first.")
        old = group.status
        group.status = MakerGroup.Status.CLOSED
        group.save(update_fields=["status"])
        _group_audit(group=group, actor=actor, detail=f"Group {old} → closed")
        if (
            group.leader_id
            and not MakerGroup.objects.filter(hub=group.hub, leader_id=group.leader_id)
            .exclude(status=MakerGroup.Status.CLOSED)
            .exists()
        ):
            Membership.objects.filter(
                user_id=group.leader_id, role=Role.GROUP_LEADER, hub=group.hub
            ).delete()
    return group


def _group_audit(*, group: MakerGroup, actor, detail: str) -> None:
    from scrubhub.audit.services import audit_record

    audit_record(
        actor=actor, hub=group.hub, action=AuditEvent.Action.CHANGED, subject=group, detail=detail
    )


def _leader_contact(text: str) -> str:
    """The leader's phone number or email as we keep them ("07700 900123", "pat@x.org")."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = text.strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            pass
        else:
            return text.lower()
    elif phone := normalise_phone(text):
        return format_phone(phone)
    raise MakerError(
        "Give the leader's phone number (like 07700 900123) or email address, so the hub "
        "can reach them.",
        field="leader_contact",
    )


GROUP_FIELDS = (
    "name",
    "kind",
    "leader_name",
    "leader_contact",
    "member_count",
    "capacity_sets_per_week",
)


def maker_group_update(
    *,
    group: MakerGroup,
    actor,
    name: str,
    kind: str,
    leader_name: str,
    leader_contact: str,
    member_count: int,
    capacity_sets_per_week: int,
) -> MakerGroup:
    """Hub staff change a group's details and how to reach its leader. The audit row says
    which details changed, never what they are now."""
    wanted = {
        "name": " ".join(name.split()),
        "kind": kind,
        "leader_name": " ".join(leader_name.split()),
        "leader_contact": _leader_contact(leader_contact),
        "member_count": member_count,
        "capacity_sets_per_week": capacity_sets_per_week,
    }
    if not wanted["name"]:
        raise MakerError("Please give the group a name.", field="name")
    if kind not in MakerGroup.Kind.values:
        raise MakerError("Choose what kind of group it is.", field="kind")
    if not wanted["leader_name"]:
        raise MakerError("Give the name of the group's leader.", field="leader_name")
    if member_count < 1:
        raise MakerError("A group needs at least one member.", field="member_count")
    if capacity_sets_per_week < 0:
        raise MakerError("Give the sets a week as 0 or more.", field="capacity_sets_per_week")
    with transaction.atomic():
        group = MakerGroup.objects.select_for_update().get(pk=group.pk)
        if group.status == MakerGroup.Status.CLOSED:
            raise MakerError("This group is closed. A closed group's record is kept as it was.")
        taken = MakerGroup.objects.filter(hub_id=group.hub_id, name__iexact=wanted["name"])
        if taken.exclude(pk=group.pk).exists():
            raise MakerError(
                f"There is already a group called {wanted['name']} in this hub.", field="name"
            )
        changed = [field for field in GROUP_FIELDS if getattr(group, field) != wanted[field]]
        if not changed:
            return group
        for field in changed:
            setattr(group, field, wanted[field])
        try:
            # Two renaming to the same name at once both pass the check; the index decides.
            with transaction.atomic():
                group.save(update_fields=changed)
        except IntegrityError:
            raise MakerError(
                f"There is already a group called {wanted['name']} in this hub.", field="name"
            ) from None
        _group_audit(
            group=group,
            actor=actor,
            detail="Group details changed: " + ", ".join(f.replace("_", " ") for f in changed),
        )
    return group


GROUP_ALLOWED = {
    MakerGroup.Status.ACTIVE: {MakerGroup.Status.PAUSED},
    MakerGroup.Status.PAUSED: {MakerGroup.Status.ACTIVE},
    MakerGroup.Status.CLOSED: set(),
}


def _group_status_set(*, group: MakerGroup, to: str, actor) -> MakerGroup:
    with transaction.atomic():
        # Two staff may click at once; the second sees the first one's status.
        group = MakerGroup.objects.select_for_update().get(pk=group.pk)
        if to not in GROUP_ALLOWED[group.status]:
            raise MakerError(
                f"{group.name} is {group.get_status_display().lower()}, so it cannot be "
                f"{'paused' if to == MakerGroup.Status.PAUSED else 'started again'}."
            )
        old = group.status
        group.status = to
        group.save(update_fields=["status"])
        _group_audit(group=group, actor=actor, detail=f"Group {old} → {to}")
    return group


def maker_group_pause(*, group: MakerGroup, actor) -> MakerGroup:
    """The group takes a break (school holidays): it is offered no new kits, and keeps the
    kits it has. Its leader still signs in to hand them in."""
    return _group_status_set(group=group, to=MakerGroup.Status.PAUSED, actor=actor)


def maker_group_resume(*, group: MakerGroup, actor) -> MakerGroup:
    return _group_status_set(group=group, to=MakerGroup.Status.ACTIVE, actor=actor)


# --- Joining, signing in and the maker's own pages (issue 5) -----------------------------

JOIN_CONSENTS = (Consent.Purpose.STORE_DETAILS, Consent.Purpose.CONTACT)
UNDER_16 = "under_16"
RETURN_DAYS_AHEAD = 28


@dataclass(frozen=True)
class JoinOutcome:
    """What joining did. The person sees the same page either way, so `known` (a sign-in
    link went to an address we already had) must never reach them."""

    maker: Maker | None
    known: bool
    # For someone who joined with a mobile number only: the challenge the browser keeps
    # to type her sign-in code on (makers.signin). Random, matching nothing, when no code
    # was sent, so it says nothing about `known` either.
    code_challenge: str = ""


def _username_for(*, email: str, phone: str) -> str:
    # The username is the address itself, so the unique index on usernames stops two
    # accounts for one address even when two joins race.
    base = email or f"phone:{phone}"
    if len(base) <= 150:
        return base
    return "email:" + hashlib.sha256(base.encode()).hexdigest()


def _user_for_address(*, email: str = "", phone: str = ""):
    """The account (existing, or made now for a maker staff signed up without one) that a
    sign-in link for this address should sign in; None if we know nobody by it."""
    User = get_user_model()
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
        if user is not None:
            return user
        maker = (
            Maker.objects.filter(email__iexact=email)
            .exclude(status__in=[S.ERASED, S.DECLINED, S.WITHDRAWN])
            .order_by("pk")
            .first()
        )
    elif phone:
        maker = (
            Maker.objects.filter(phone__in=[phone, format_phone(phone)])
            .exclude(status__in=[S.ERASED, S.DECLINED, S.WITHDRAWN])
            .order_by("pk")
            .first()
        )
    else:
        return None
    if maker is None:
        return None
    if maker.user_id:
        return maker.user if maker.user.is_active else None
    return _account_for_maker(maker=maker)


def _account_create(*, name: str, email: str, phone: str):
    """A new account with no password (a password is optional; links sign people in)."""
    User = get_user_model()
    first, _space, last = name.partition(" ")
    user = User(
        username=_username_for(email=email, phone=phone),
        email=email,
        first_name=first[:150],
        last_name=last[:150],
    )
    user.set_unusable_password()
    user.save()
    if email:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def _account_for_maker(*, maker: Maker):
    """Give a maker whom staff signed up without an account one, so they can sign in."""
    with transaction.atomic():
        maker = Maker.objects.select_for_update().get(pk=maker.pk)
        if maker.user_id:
            return maker.user
        user = _account_create(
            name=maker.name, email=maker.email, phone=normalise_phone(maker.phone)
        )
        Maker.objects.filter(pk=maker.pk).update(user=user)
        _role_grant(user_id=user.pk, role=Role.MAKER, hub=maker.hub)
    return user


def signin_link_send(
    *, email: str = "", phone: str = "", client: str = "", landing: str = ""
) -> bool:
    """Send a one-time sign-in link to an email address or a mobile number, if we know it.

    Quiet by design: the caller shows the same page whatever happens, and this returns
    whether a link was queued only for tests and logs. Limited per address and per
    client (see makers.signin). Links are for makers only: anyone else is told by email to
    sign in with their password, and gets no link."""
    email, phone = email.strip().lower(), normalise_phone(phone)
    address = email or phone
    if not address or (phone and not email and not is_mobile(phone)):
        return False
    if not signin.may_send(address=address, client=client):
        return False
    with transaction.atomic():
        user = _user_for_address(email=email, phone=phone)
        if user is None:
            return False
        if not signin.may_sign_in_by_link(user):
            _signin_link_refused_queue(user=user, email=email, phone=phone)
            return False
        maker = Maker.objects.filter(user=user).select_related("hub").first()
        _signin_link_queue(user=user, maker=maker, email=email, phone=phone, landing=landing)
    return True


def _signin_link_refused_queue(*, user, email: str, phone: str) -> None:
    """Tell someone who must sign in with a password (and a two-step code) where to do it.
    The message carries no way in, so a stranger asking with their address gains nothing."""
    name = user.get_full_name() or user.get_username()
    login, reset = signin.page_url("account_login"), signin.page_url("account_reset_password")
    if user.email or email:
        body = _(
            "Hello %(name)s,\n\nSomeone asked for a link to sign in to ScrubHub with this "
            "address. Links are only for volunteers who sew. Your account does more than "
            "sewing, so please sign in with your password (and your two-step code, if you use one) "
            "here:\n\n%(login)s\n\nIf you have forgotten your password, you can choose a "
            "new one here:\n\n%(reset)s\n\nIf you did not ask, you can ignore this "
            "message: nobody can sign in without your password."
        ) % {"name": name, "login": login, "reset": reset}
        channel, to_address = Message.Channel.EMAIL, user.email or email
    else:
        body = _("ScrubHub: please sign in with your password at %(login)s") % {"login": login}
        channel, to_address = Message.Channel.SMS, phone
    message_queue(
        idempotency_key=f"signin-link-refused-{user.pk}-{uuid.uuid4()}",
        to_address=to_address,
        subject=str(_("How to sign in to ScrubHub")),
        body=str(body),
        kind="signin_link_refused",
        channel=channel,
        recipient=user,
    )


def _signin_link_queue(
    *, user, maker: Maker | None, email: str, phone: str, landing: str = ""
) -> None:
    """Queue the message with a fresh link, by email if we have the address, else by text.
    `landing` is the page of ours the link opens (makers.signin.signin_url)."""
    hub = maker.hub if maker else None
    name = (maker.name if maker else user.get_full_name()) or ""
    link = signin.signin_url(user, landing=landing)
    minutes = signin.link_minutes()
    if email:
        body = _(
            "Hello %(name)s,\n\nHere is your link to sign in to ScrubHub:\n\n%(link)s\n\n"
            "It works once, for the next %(minutes)s minutes. Open it and press "
            "“Sign in”.\n\nIf you did not ask for this, you can ignore it: nobody can "
            "sign in without the link."
        ) % {"name": name, "link": link, "minutes": minutes}
        channel, to_address = Message.Channel.EMAIL, email
    else:
        body = _("ScrubHub: your sign-in link (works once, for %(minutes)s minutes): %(link)s") % {
            "link": link,
            "minutes": minutes,
        }
        channel, to_address = Message.Channel.SMS, phone
    message_queue(
        # Every request is its own message; the limits in makers.signin stop floods.
        idempotency_key=f"maker-signin-{user.pk}-{uuid.uuid4()}",
        to_address=to_address,
        subject=str(_("Your link to sign in to ScrubHub")),
        body=str(body),
        kind="maker_signin_link",
        channel=channel,
        hub=hub,
        recipient=user,
    )


def signin_code_send(*, phone: str, client: str = "") -> str:
    """Text a one-time sign-in code to a mobile number, if we know it and it belongs to a
    maker or group leader; anyone else is told how to sign in with their password.

    Returns the challenge the asking browser keeps to type the code on (makers.signin):
    the code's own when one was sent, else a random one that matches nothing. Quiet by
    design: the caller cannot tell which, so the page never says whether we know the
    number. Limited per number and per client, counted with the links (makers.signin)."""
    phone = normalise_phone(phone)
    nothing_sent = signin.challenge_new()
    if not phone or not is_mobile(phone):
        return nothing_sent
    if not signin.may_send(address=phone, client=client):
        return nothing_sent
    with transaction.atomic():
        user = _user_for_address(phone=phone)
        if user is None:
            return nothing_sent
        if not signin.may_sign_in_by_link(user):
            _signin_link_refused_queue(user=user, email="", phone=phone)
            return nothing_sent
        maker = Maker.objects.filter(user=user).select_related("hub").first()
        return _signin_code_queue(user=user, maker=maker, phone=phone)


def _signin_code_queue(*, user, maker: Maker | None, phone: str) -> str:
    """A new code for `user` (the last one stops working), queued by text; the challenge."""
    code, challenge = signin.code_issue(user)
    body = _(
        "Your ScrubHub sign-in code is %(code)s. It works for %(minutes)s minutes. Do not share it."
    ) % {"code": code, "minutes": signin.code_minutes()}
    message_queue(
        # Every request is its own message; the limits in makers.signin stop floods.
        idempotency_key=f"maker-signin-code-{user.pk}-{uuid.uuid4()}",
        to_address=phone,
        subject=str(_("Your code to sign in to ScrubHub")),
        body=str(body),
        kind="maker_signin_code",
        channel=Message.Channel.SMS,
        hub=maker.hub if maker else None,
        recipient=user,
    )
    return challenge


def maker_join(
    *,
    hub: Hub,
    name: str,
    postcode: str,
    age_band: str,
    consent_version: str,
    email: str = "",
    phone: str = "",
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    preferred_point=None,
    client: str = "",
) -> JoinOutcome:
    """Someone joins on the hub's own form: an account with no password, the maker (through
    maker_apply, which queues the welcome and approves at once if the hub says so), and a
    sign-in link. An email or phone we already know gets a sign-in link instead and nothing
    else changes, so the form never tells anyone who has joined."""
    email = email.strip().lower()
    phone = normalise_phone(phone) if phone.strip() else ""
    if age_band == UNDER_16:
        raise MakerError(
            _(
                "You need to be 16 or over to sew for the hub on your own. You could sew with an "
                "adult in a group instead."
            )
        )
    if phone == "" and not email:
        raise MakerError(_("Please give an email address or a phone number, so we can reach you."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not consent_version:
        raise MakerError(_("Please tick the box to say we may keep your details."))
    if _user_for_address(email=email) or (phone and not email and _user_for_address(phone=phone)):
        return _join_known(email=email, phone=phone, client=client)
    try:
        with transaction.atomic():
            user = _account_create(name=name.strip(), email=email, phone=phone)
            maker = maker_apply(
                hub=hub,
                user=user,
                name=name,
                email=email,
                phone=format_phone(phone),
                postcode=postcode_ok,
                age_band=age_band,
                guardian_name=guardian_name.strip() if age_band == Maker.AgeBand.UNDER_18 else "",
                guardian_contact=(
                    guardian_contact.strip() if age_band == Maker.AgeBand.UNDER_18 else ""
                ),
                experience=experience,
                has_sewing_machine=has_sewing_machine,
                preferred_point=preferred_point,
                preferred_channel=contact_channel(email=email, phone=phone),
                consents=[(purpose, consent_version) for purpose in JOIN_CONSENTS],
            )
            # The first link or code goes in the same transaction as the joining, and
            # counts only against the address: a class or a library joining together
            # shares a client. Someone with a mobile number only gets a code by text.
            challenge = "" if email else signin.challenge_new()
            if signin.may_send(address=email or phone, client=client, limit_client=False) and (
                email or is_mobile(phone)
            ):
                if email:
                    _signin_link_queue(user=user, maker=maker, email=email, phone=phone)
                else:
                    challenge = _signin_code_queue(user=user, maker=maker, phone=phone)
    except IntegrityError:
        # Someone joined with the same address a moment ago: treat it as known.
        return _join_known(email=email, phone=phone, client=client)
    return JoinOutcome(maker=maker, known=False, code_challenge=challenge)


def _join_known(*, email: str, phone: str, client: str) -> JoinOutcome:
    """Joining with an address we know: a sign-in link (a code, for a mobile number only)
    and nothing else."""
    if email:
        signin_link_send(email=email, phone=phone, client=client)
        return JoinOutcome(maker=None, known=True)
    challenge = signin_code_send(phone=phone, client=client)
    return JoinOutcome(maker=None, known=True, code_challenge=challenge)


def maker_details_update(
    *,
    maker: Maker,
    actor,
    name: str,
    email: str,
    phone: str,
    postcode: str,
    preferred_channel: str,
    sets_per_week: int,
    preferred_point=None,
    needs_doorstep_collection: bool = False,
    note: str = "Details changed by the maker",
    guardian_name: str | None = None,
    guardian_contact: str | None = None,
) -> Maker:
    """The maker changes their own details (or hub staff do, for them, with their own
    `note`). Their account's email follows their maker
    email, so sign-in links go where they now read them. A maker aged 16 or 17 may change
    their parent or guardian's details (None leaves them); a new contact, before anyone
    agreed, is sent the message asking them."""
    name, email = name.strip(), email.strip().lower()
    phone = format_phone(normalise_phone(phone)) if phone.strip() else ""
    if not name:
        raise MakerError(_("Please tell us your name."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not 0 <= sets_per_week <= 50:
        raise MakerError(_("Please give a number of sets a week from 0 to 50."))
    if preferred_point is not None and preferred_point.hub_id != maker.hub_id:
        raise MakerError(_("That drop-off point belongs to a different hub."))
    if preferred_channel == Maker.Channel.SMS and phone and not is_mobile(normalise_phone(phone)):
        raise MakerError(_("Texts need a mobile number (starting 07)."))
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        guardian_before = current.guardian_contact
        guardian = {}
        if current.needs_guardian and guardian_name is not None:
            guardian["guardian_name"] = " ".join(guardian_name.split())
        if current.needs_guardian and guardian_contact is not None:
            guardian["guardian_contact"] = (
                normalise_contact(guardian_contact) or guardian_contact.strip()
            )
        _validate_contact(
            email=email,
            phone=phone,
            age_band=current.age_band,
            guardian_name=guardian.get("guardian_name", current.guardian_name),
            guardian_contact=guardian.get("guardian_contact", current.guardian_contact),
            preferred_channel=preferred_channel,
        )
        if current.status == S.ERASED:
            raise MakerError(_("This maker's details have been deleted."))
        if current.user_id and email != (current.user.email or "").lower():
            User = get_user_model()
            if email and User.objects.filter(email__iexact=email).exclude(pk=current.user_id):
                raise MakerError(
                    _(
                        "We cannot use that email address for your account. Please use another, "
                        "or call the hub."
                    )
                )
            User.objects.filter(pk=current.user_id).update(email=email)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.filter(user_id=current.user_id).delete()
            if email:
                EmailAddress.objects.create(
                    user_id=current.user_id, email=email, primary=True, verified=False
                )
        for field_name, value in {
            "name": name,
            "email": email,
            "phone": phone,
            "postcode": postcode_ok,
            "preferred_channel": preferred_channel,
            "sets_per_week": sets_per_week,
            "preferred_point": preferred_point,
            "needs_doorstep_collection": needs_doorstep_collection,
            **guardian,
        }.items():
            setattr(current, field_name, value)
        current.save()
        MakerEvent.objects.create(
            maker=current,
            old_status=current.status,
            new_status=current.status,
            actor=actor,
            note=note,
        )
        guardian_services.guardian_ask_if_changed(maker=current, before=guardian_before)
    return current


def maker_away(*, maker: Maker, actor, until: date) -> Maker:
    """The maker is away: no new kits until `until`. A kit they hold stays with them."""
    today = timezone.localdate()
    if until <= today:
        raise MakerError(_("Please choose a day after today."))
    if until > today + timedelta(days=366):
        raise MakerError(_("Please choose a day within the next year."))
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.PAUSED:
            current.away_until = until
            current.save(update_fields=["away_until"])
            return current
        if current.status == S.APPLIED:
            raise MakerError(
                _(
                    "The hub has not approved you yet, so there is nothing to pause. "
                    "Call the hub if you want to wait before starting."
                )
            )
        return _maker_move(
            maker_id=maker.pk,
            to=S.PAUSED,
            actor=actor,
            note=f"Away until {until:%d %B %Y}",
            away_until=until,
            wants_kit_since=None,
        )


def maker_back(*, maker: Maker, actor) -> Maker:
    """The maker is back from being away."""
    with transaction.atomic():
        maker = maker_resume(maker=maker, actor=actor)
        Maker.objects.filter(pk=maker.pk).update(away_until=None)
        maker.away_until = None
    return maker


def maker_ready_for_kit(*, maker: Maker, actor) -> Maker:
    """The maker says they are ready for another kit; staff see who is waiting, longest
    first. Saying it again keeps their place."""
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.APPLIED:
            raise MakerError(
                _("The hub has not approved you yet. They will be in touch when they have.")
            )
        if current.status == S.PAUSED:
            raise MakerError(_("You are marked as away. Say you are back first."))
        if not current.may_receive_kits:
            raise MakerError(
                _("You are %(status)s, so the hub cannot send you a kit. Please call the hub.")
                % {"status": current.get_status_display().lower()}
            )
        if current.wants_kit_since is None:
            current.wants_kit_since = timezone.now()
            current.save(update_fields=["wants_kit_since"])
    return current


def _held_kit(*, maker: Maker, kit):
    """Lock the kit and check the maker holds it now (an open assignment)."""
    from packages.models import Kit, KitAssignment

    kit = Kit.objects.select_for_update().get(pk=kit.pk)
    if not KitAssignment.objects.filter(kit=kit, maker=maker, ended_at__isnull=True).exists():
        raise MakerError(_("Kit %(code)s is not with you.") % {"code": kit.display_code})
    return kit


def kit_progress_record(*, maker: Maker, kit, finished: int, seen: int, actor):
    """The maker says "I have finished N of M". `seen` is the number their page showed: if
    it changed since (another phone, a replayed form), we ask them to look again."""
    from packages.services import kit_progress_log

    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        if kit.finished_count != seen:
            raise MakerError(
                _(
                    "Kit %(code)s now shows %(n)s finished: it changed since you opened this "
                    "page. Please check the number and send it again."
                )
                % {"code": kit.display_code, "n": kit.finished_count}
            )
        if finished > kit.garment_count:
            raise MakerError(
                ngettext(
                    "This kit has %(all)s garment, so you cannot have finished %(n)s.",
                    "This kit has %(all)s garments, so you cannot have finished %(n)s.",
                    kit.garment_count,
                )
                % {"all": kit.garment_count, "n": finished}
            )
        if finished <= kit.finished_count:
            raise MakerError(
                _("You already told us %(n)s are finished. The number can only go up.")
                % {"n": kit.finished_count}
            )
        kit = kit_progress_log(kit=kit, finished=finished, actor=actor)
    return kit


def return_plan_make(
    *,
    maker: Maker,
    kit,
    actor,
    day: date,
    point=None,
    doorstep: bool = False,
    unfinished: bool = False,
    reason: str = "",
    note: str = "",
) -> ReturnPlan:
    """The maker says where and when they will bring a kit back: finished scrubs ("ready
    to return"), or a kit they cannot finish (with a reason). A newer plan replaces the
    older one. Garments move only when the kit is handed over."""
    from dropoffs.selectors import closed_day_message, hours_known, open_on
    from packages.models import Kit

    today = maker.hub.today()
    if day < today:
        raise MakerError(_("Please choose today or a day after today."), field="day")
    if day > today + timedelta(days=RETURN_DAYS_AHEAD):
        raise MakerError(
            _("Please choose a day in the next %(days)s days.") % {"days": RETURN_DAYS_AHEAD},
            field="day",
        )
    if (point is None) == (not doorstep):
        raise MakerError(_("Please choose where you will bring it."))
    if unfinished and reason not in ReturnPlan.Reason.values:
        raise MakerError(_("Please tell us why you cannot finish it."))
    if point is not None:
        if point.hub_id != maker.hub_id:
            raise MakerError(_("That drop-off point belongs to a different hub."))
        if not (point.is_active and point.accepts_finished_garments):
            raise MakerError(
                _("%(point)s is not taking scrubs at the moment.") % {"point": point.name}
            )
        if hours_known(point) and not open_on(point, day):
            raise MakerError(closed_day_message(point, day), field="day")
    if doorstep and not maker.needs_doorstep_collection:
        raise MakerError(_("Please choose a drop-off point, or call the hub to ask for a visit."))
    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        if kit.status != Kit.Status.WITH_MAKER:
            raise MakerError(_("Kit %(code)s is not with you yet.") % {"code": kit.display_code})
        if not unfinished and kit.finished_count < 1:
            raise MakerError(
                _(
                    "You have not told us you have finished any yet. Tell us how many you have "
                    "finished first."
                )
            )
        ReturnPlan.objects.filter(kit=kit, status=ReturnPlan.Status.OPEN).update(
            status=ReturnPlan.Status.REPLACED, closed_at=timezone.now()
        )
        plan = ReturnPlan.objects.create(
            maker=maker,
            kit=kit,
            point=point,
            doorstep=doorstep,
            day=day,
            unfinished=unfinished,
            reason=reason if unfinished else "",
            finished_count=kit.finished_count,
            note=note.strip()[:2000],
        )
        where = point.name if point else str(_("your door"))
        _message_maker(
            maker=maker,
            kind=f"return-plan-{plan.pk}",
            subject=str(_("Thank you: we will expect kit %(code)s") % {"code": kit.display_code}),
            body=str(
                _(
                    "Hello %(name)s,\n\nThank you. We will expect kit %(code)s at %(where)s "
                    "on %(day)s.\n\nIf your plans change, you can change the day on your "
                    "page, or call us on %(phone)s."
                )
                % {
                    "name": maker.name,
                    "code": kit.display_code,
                    "where": where,
                    "day": f"{day:%A %-d %B}",
                    "phone": maker.hub.phone,
                }
            ),
        )
    return plan


def kit_problem_report(*, maker: Maker, kit, kind: str, actor, text: str = "") -> KitProblem:
    """The maker tells the hub something is wrong with a kit; hub staff get a note."""
    text = text.strip()
    if kind not in KitProblem.Kind.values:
        raise MakerError(_("Please choose what is wrong."))
    if kind == KitProblem.Kind.OTHER and not text:
        raise MakerError(_("Please tell us what is wrong."))
    if len(text) > 2000:
        raise MakerError(_("Please keep it shorter: 2,000 letters at most."))
    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        problem = KitProblem.objects.create(maker=maker, kit=kit, kind=kind, text=text)
        hub = maker.hub
        message_queue(
            idempotency_key=f"kit-problem-{problem.pk}",
            to_address=hub.email,
            subject=f"Problem with kit {kit.display_code}: {problem.get_kind_display()}",
            # No name here: staff look the maker up on the hub's pages, and an erased maker
            # must not live on in the hub's mailbox.
            body=(
                f"A maker reported a problem with kit {kit.display_code} "
                f"({kit.get_garment_type_display()}, size {kit.size}):\n\n"
                f"{problem.get_kind_display()}\n{text}"
            ),
            kind="kit_problem",
            hub=hub,
        )
    return problem


def kit_problem_answer(*, problem: KitProblem, answer: str, actor) -> KitProblem:
    """Hub staff answer a problem; the maker hears on their usual channel."""
    answer = answer.strip()
    if not answer:
        raise MakerError(_("Please write an answer."))
    with transaction.atomic():
        problem = (
            KitProblem.objects.select_for_update()
            .select_related("maker__hub", "kit")
            .get(pk=problem.pk)
        )
        if problem.status == KitProblem.Status.RESOLVED:
            raise MakerError(_("This problem is already sorted out."))
        problem.status = KitProblem.Status.ANSWERED
        problem.answer = answer
        problem.answered_by = actor
        problem.answered_at = timezone.now()
        problem.save()
        _message_maker(
            maker=problem.maker,
            kind=f"kit-problem-{problem.pk}-answer-{problem.answered_at:%Y%m%d%H%M%S}",
            subject=f"About kit {problem.kit.display_code}",
            body=f"Hello {problem.maker.name},\n\n{answer}\n\n{problem.maker.hub.name}",
        )
    return problem


def kit_problem_resolve(*, problem: KitProblem, actor) -> KitProblem:
    with transaction.atomic():
        done = (
            KitProblem.objects.filter(pk=problem.pk)
            .exclude(status=KitProblem.Status.RESOLVED)
            .update(status=KitProblem.Status.RESOLVED, resolved_at=timezone.now())
        )
        if not done:
            raise MakerError(_("This problem is already sorted out."))
    problem.refresh_from_db()
    return problem


def maker_export(*, maker: Maker) -> dict:
    """Everything held about a maker, for them to download (JSON or CSV)."""
    from dropoffs.models import DoorstepAddress, Handover
    from packages.models import Kit, KitAssignment, KitProgress
    from scrubhub.notifications.models import OptOut

    maker = Maker.objects.select_related("hub", "preferred_point", "user").get(pk=maker.pk)
    user = maker.user
    doorstep = DoorstepAddress.objects.filter(maker=maker).first()
    assignments = list(
        KitAssignment.objects.filter(maker=maker).select_related("kit").order_by("assigned_at")
    )
    kit_ids = [a.kit_id for a in assignments]
    progress = KitProgress.objects.filter(kit_id__in=kit_ids, actor=user) if user else []
    messages = (
        Message.objects.filter(Q(recipient=user) | Q(to_address__in=[maker.email, maker.phone]))
        .exclude(to_address="")
        .order_by("created_at")
        if user or maker.email or maker.phone
        else []
    )

    def when(value):
        return value.isoformat() if value else None

    return {
        "exported_at": timezone.now().isoformat(),
        "hub": {"name": maker.hub.name, "phone": maker.hub.phone, "email": maker.hub.email},
        "account": (
            {
                "username": user.username,
                "email": user.email,
                "joined": when(user.date_joined),
                "last_sign_in": when(user.last_login),
                "has_password": user.has_usable_password(),
            }
            if user
            else None
        ),
        "details": {
            "name": maker.name,
            "email": maker.email,
            "phone": maker.phone,
            "postcode": maker.postcode,
            "age_band": maker.get_age_band_display(),
            "guardian_name": maker.guardian_name,
            "guardian_contact": maker.guardian_contact,
            "experience": maker.get_experience_display(),
            "has_sewing_machine": maker.has_sewing_machine,
            "sets_per_week": maker.sets_per_week,
            "preferred_point": maker.preferred_point.name if maker.preferred_point else None,
            "preferred_channel": maker.get_preferred_channel_display(),
            "heard_about": maker.get_heard_about_display() if maker.heard_about else "",
            "needs_doorstep_collection": maker.needs_doorstep_collection,
            "status": maker.get_status_display(),
            "away_until": when(maker.away_until),
            "ready_for_a_kit_since": when(maker.wants_kit_since),
            "joined": when(maker.created_at),
        },
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "wording_version": c.wording_version,
                "given": when(c.given_at),
                "given_by": c.given_by,
                "withdrawn": when(c.withdrawn_at),
            }
            for c in maker.consents.all()
        ],
        "status_history": [
            {"from": e.old_status, "to": e.new_status, "when": when(e.created_at), "note": e.note}
            for e in maker.events.all()
        ],
        "kits": [
            {
                "code": a.kit.display_code,
                "garment": a.kit.get_garment_type_display(),
                "size": a.kit.size,
                "garments": a.kit.garment_count,
                "status": str(Kit.Status(a.kit.status).label),
                "finished": a.kit.finished_count,
                "delivered_to_hospital": a.kit.qty_delivered,
                "given_to_you": when(a.assigned_at),
                "ended": when(a.ended_at),
            }
            for a in assignments
        ],
        "progress_logged": [
            {"kit": p.kit_id, "finished": p.finished, "when": when(p.created_at)} for p in progress
        ],
        "return_plans": [
            {
                "kit": p.kit.display_code,
                "where": p.point.name if p.point else "doorstep",
                "day": when(p.day),
                "unfinished": p.unfinished,
                "reason": p.get_reason_display() if p.reason else "",
                "note": p.note,
                "status": p.get_status_display(),
            }
            for p in maker.return_plans.select_related("kit", "point")
        ],
        "problems_reported": [
            {
                "kit": p.kit.display_code,
                "kind": p.get_kind_display(),
                "text": p.text,
                "status": p.get_status_display(),
                "answer": p.answer,
                "when": when(p.created_at),
            }
            for p in maker.kit_problems.select_related("kit")
        ],
        "messages_sent_to_you": [
            {
                "when": when(m.created_at),
                "channel": m.get_channel_display(),
                "to": m.to_address,
                "subject": m.subject,
                "status": m.get_status_display(),
            }
            for m in messages
        ],
        "doorstep": (
            {
                "address": doorstep.address,
                "postcode": doorstep.postcode,
                "access_notes": doorstep.access_notes,
                "consent_given": when(doorstep.consent_given_at),
            }
            if doorstep
            else None
        ),
        "handovers": [
            {
                "when": when(h.created_at),
                "what": h.get_kind_display(),
                "where": h.point.name if h.point else h.get_location_display(),
                "note": h.note,
            }
            for h in Handover.objects.filter(maker=maker).select_related("point")
        ],
        "stopped_messages": sorted(
            OptOut.objects.filter(
                address__in=[a.lower() for a in (maker.email, maker.phone) if a]
            ).values_list("kind", flat=True)
        ),
    }


def maker_export_csv(*, maker: Maker) -> str:
    """The same as maker_export, flattened to rows of section, item, field, value."""
    data = maker_export(maker=maker)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, content in data.items():
        if isinstance(content, dict):
            for key, value in content.items():
                writer.writerow([section, "", key, _csv_value(value)])
        elif isinstance(content, list):
            for number, row in enumerate(content, start=1):
                if not isinstance(row, dict):
                    writer.writerow([section, number, "", _csv_value(row)])
                    continue
                for key, value in row.items():
                    writer.writerow([section, number, key, _csv_value(value)])
        else:
            writer.writerow([section, "", "", _csv_value(content)])
    return out.getvalue()


def _csv_value(value):
    from scrubhub.exports import csv_cell  # the one rule for every download

    return csv_cell(value)


def maker_delete_account(*, maker: Maker, actor) -> Maker:
    """The maker deletes their own account: their personal data is erased (maker_erase),
    their sign-in account removed, and the counts of what they made kept without them."""
    from packages.models import Kit, KitAssignment

    with transaction.atomic():
        open_kits = list(
            Kit.objects.select_for_update()
            .filter(assignments__maker=maker, assignments__ended_at__isnull=True)
            .order_by("pk")
        )
        if any(
            kit.status == Kit.Status.ALLOCATED or kit.qty_with_maker or kit.qty_rework
            for kit in open_kits
        ):
            raise MakerError(
                _(
                    "You still have a kit. Please bring it back, or call the hub, before you "
                    "delete your account."
                )
            )
        # Everything from these kits is back with the hub (being checked or delivered):
        # the maker no longer holds them, and the ended assignment keeps the count.
        ended = KitAssignment.objects.filter(
            maker=maker, ended_at__isnull=True, kit__in=open_kits
        ).update(
            ended_at=timezone.now(),
            ended_by=actor,
            end_reason="The maker deleted their account after handing everything in",
        )
        Maker.objects.filter(pk=maker.pk).update(kits_held=F("kits_held") - ended)
        return maker_erase(maker=maker, actor=actor)


def _person_remove(*, maker_id: int, user_id: int | None, addresses: list[str]) -> None:
    """The rest of erasing a person: what they wrote, the messages to them, and their
    account, unless it is also used for another role (then only the maker role goes).
    Deleting the account ends every session it has, wherever it is signed in."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from dropoffs.models import DoorstepAddress, Handover, RunStop
    from scrubhub.notifications.models import OptOut

    ReturnPlan.objects.filter(maker_id=maker_id).update(note="")
    DoorstepAddress.objects.filter(maker_id=maker_id).delete()
    if user_id is not None:
        SigninCode.objects.filter(user_id=user_id).delete()
    Handover.objects.filter(maker_id=maker_id).update(note="")
    RunStop.objects.filter(maker_id=maker_id).update(note="")
    # The operators' admin log names the record it changed; that name is the person's.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Maker), object_id=str(maker_id)
    ).update(object_repr=f"Maker {maker_id} (erased)", change_message="")
    OptOut.objects.filter(address__in=[a.strip().lower() for a in addresses if a]).delete()
    problem_keys = [
        f"kit-problem-{pk}"
        for pk in KitProblem.objects.filter(maker_id=maker_id).values_list("pk", flat=True)
    ]
    # An answered problem must keep an answer (a constraint): it keeps that one was given.
    KitProblem.objects.filter(maker_id=maker_id).update(
        text="",
        answer=Case(
            When(status=KitProblem.Status.ANSWERED, then=Value("(erased)")), default=Value("")
        ),
    )
    # The hub's copy of what they wrote goes too; the hub keeps that a problem was reported.
    Message.objects.filter(idempotency_key__in=problem_keys).update(body="(erased)", html_body="")
    addresses = [a for a in addresses if a]
    to_them = Q(recipient_id=user_id) if user_id else Q(pk__in=[])
    if addresses:
        to_them |= Q(to_address__in=addresses)
    Message.objects.filter(to_them, status__in=[Message.Status.PENDING]).update(
        status=Message.Status.FAILED,
        failure_reason=Message.FailureReason.CANCELLED,
        last_error="Not sent: the person's details were erased.",
    )
    Message.objects.filter(to_them).update(
        to_address="erased", subject="(erased)", body="", html_body="", recipient=None
    )
    if user_id is None:
        return
    User = get_user_model()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists():
        return
    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError:
        # Still named on a record that must keep them (e.g. a run they drove): keep the
        # row, but nobody can sign in with it and it holds nothing personal.
        User.objects.filter(pk=user.pk).update(
            is_active=False,
            username=f"erased-{user.pk}",
            email="",
            first_name="",
            last_name="",
            password="!",  # noqa: S106 - an unusable password  # nosec B106
        )


def maker_group_register(
    *,
    hub: Hub,
    group_name: str,
    kind: str,
    member_count: int,
    capacity_sets_per_week: int,
    leader_name: str,
    email: str,
    phone: str = "",
    client: str = "",
) -> MakerGroup:
    """A group leader registers their group on the hub's page. Their account (made now if
    we do not know their email) becomes the group's leader, and a sign-in link goes to it."""
    email = email.strip().lower()
    if not email:
        raise MakerError(_("Please give your email address, so we can send you a sign-in link."))
    phone = format_phone(normalise_phone(phone)) if phone.strip() else ""
    with transaction.atomic():
        user = _user_for_address(email=email) or _group_leader_account(
            name=leader_name, email=email
        )
        group = maker_group_create(
            hub=hub,
            name=group_name,
            kind=kind,
            leader=user,
            leader_name=leader_name,
            leader_contact=phone or email,
            member_count=member_count,
            capacity_sets_per_week=capacity_sets_per_week,
            actor=user,
        )
        message_queue(
            idempotency_key=f"maker-group-{group.pk}-registered",
            to_address=hub.email,
            subject=f"New maker group: {group.name}",
            body=(
                f"A new group registered to sew for {hub.name}: {group.name} "
                f"({group.get_kind_display()}), {member_count} people, about "
                f"{capacity_sets_per_week} sets a week."
            ),
            kind="maker_group_registered",
            hub=hub,
        )
    signin_link_send(email=email, client=client)
    return group


def _group_leader_account(*, name: str, email: str):
    """A new account for a group leader we do not know. The username is the address: if
    that is taken (the same leader registering twice at once, or an account that was
    switched off), use the other account if it may sign in, else say so."""
    try:
        with transaction.atomic():
            return _account_create(name=name.strip(), email=email, phone="")
    except IntegrityError:
        user = _user_for_address(email=email)
        if user is None:
            raise MakerError(
                _(
                    "We could not register a group with this email address. Please use "
                    "another one, or call the hub and we will help."
                )
            ) from None
        return user


# --- Hub staff: applicants, signing people up, changing, merging and erasing (issue 7) ----


@dataclass(frozen=True)
class Decision:
    """What a batch decision did: the makers it changed, and how many it left alone because
    someone else had already decided about them (or they are not applicants of this hub)."""

    changed: list[Maker]
    skipped: int


def _applicants_locked(*, hub: Hub, maker_ids: Iterable[int]) -> tuple[list[Maker], int]:
    wanted = sorted({int(pk) for pk in maker_ids})
    # Locked in id order, so two staff deciding overlapping batches cannot deadlock.
    makers = list(
        Maker.objects.select_for_update()
        .filter(pk__in=wanted, hub=hub, status=S.APPLIED)
        .order_by("pk")
    )
    return makers, len(wanted) - len(makers)


def makers_approve_many(*, hub: Hub, maker_ids: Iterable[int], actor) -> Decision:
    """Approve many applicants in one go (the 500-overnight case); each is told. Makers who
    are no longer applicants, or not of this hub, are skipped and counted."""
    with transaction.atomic():
        makers, skipped = _applicants_locked(hub=hub, maker_ids=maker_ids)
        changed = [maker_approve(maker=maker, actor=actor) for maker in makers]
    return Decision(changed=changed, skipped=skipped)


def makers_decline_many(*, hub: Hub, maker_ids: Iterable[int], actor, reason: str = "") -> Decision:
    """Decline many applicants in one go; each is told kindly (maker_decline)."""
    reason = reason.strip()[:500]
    with transaction.atomic():
        makers, skipped = _applicants_locked(hub=hub, maker_ids=maker_ids)
        changed = [maker_decline(maker=maker, actor=actor, reason=reason) for maker in makers]
    return Decision(changed=changed, skipped=skipped)


def _audit(*, actor, hub: Hub, action: str, maker: Maker, detail: str = "") -> None:
    from scrubhub.audit.services import audit_record

    audit_record(actor=actor, hub=hub, action=action, subject=maker, detail=detail)


def maker_sign_up_on_behalf(
    *,
    hub: Hub,
    actor,
    name: str,
    phone: str,
    postcode: str,
    consent_version: str,
    age_band: str = Maker.AgeBand.ADULT,
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    sets_per_week: int = 1,
    preferred_point=None,
    needs_doorstep_collection: bool = False,
    approve: bool = False,
) -> Maker:
    """Hub staff sign up someone who rang or sent a paper form: phone only, no email and no
    account (they can have one later by asking for a sign-in link by text). The person
    agreed to the privacy notice on the phone or on paper: `consent_version` records which.
    The same name with the same phone number is refused as a likely double entry."""

    name = " ".join(name.split())
    digits = normalise_phone(phone)
    if not name:
        raise MakerError(_("Please give the person's name."))
    if not digits:
        raise MakerError(_("Please give a UK phone number, like 07700 900123 or 01382 123456."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not consent_version:
        raise MakerError(_("Please confirm they agreed that we may keep their details."))
    if not 0 <= sets_per_week <= 50:
        raise MakerError(_("Please give a number of sets a week from 0 to 50."))
    if age_band == UNDER_16:
        raise MakerError(_("Makers must be 16 or over. Younger people can sew in a group."))
    phone = format_phone(digits)
    with transaction.atomic():
        _sign_up_locks(hub=hub, people=[(name, digits)])
        if (
            Maker.objects.filter(hub=hub, name__iexact=name, phone__in=[phone, digits])
            .exclude(status=S.ERASED)
            .exists()
        ):
            raise MakerError(
                _("%(name)s with the phone number %(phone)s is already signed up.")
                % {"name": name, "phone": phone}
            )
        maker = maker_apply(
            hub=hub,
            actor=actor,
            name=name,
            phone=phone,
            postcode=postcode_ok,
            age_band=age_band,
            guardian_name=guardian_name.strip() if age_band == Maker.AgeBand.UNDER_18 else "",
            guardian_contact=(
                guardian_contact.strip() if age_band == Maker.AgeBand.UNDER_18 else ""
            ),
            experience=experience,
            has_sewing_machine=has_sewing_machine,
            sets_per_week=sets_per_week,
            preferred_point=preferred_point,
            preferred_channel=contact_channel(phone=digits),
            needs_doorstep_collection=needs_doorstep_collection,
            consents=[(purpose, consent_version) for purpose in JOIN_CONSENTS],
        )
        if approve and maker.status == S.APPLIED:
            maker = maker_approve(maker=maker, actor=actor)
        _audit(actor=actor, hub=hub, action=AuditEvent.Action.SIGNED_UP, maker=maker)
    return maker


class MakerRowError(MakerError):
    """A refusal for one row of several (a paper form); `row` counts from 1."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row


def _sign_up_locks(*, hub: Hub, people: list[tuple[str, str]]) -> None:
    """Lock each (name, phone digits) for signing up until the transaction ends. The check
    for someone already signed up is a read: without this, two staff typing in the same
    person at once would both pass it. Taken in one order, so two sheets cannot deadlock."""
    keys = sorted(
        {
            int.from_bytes(
                hashlib.blake2b(
                    f"maker-sign-up:{hub.pk}:{name.upper()}:{digits}".encode(), digest_size=8
                ).digest(),
                "big",
                signed=True,
            )
            for name, digits in people
        }
    )
    if connection.vendor != "postgresql":
        # SQLite (the laptop default) takes its write lock when the transaction begins
        # (transaction_mode IMMEDIATE), so sign-ups there are already one at a time.
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def makers_sign_up_many(*, hub: Hub, actor, rows: list[dict]) -> list[Maker]:
    """Paper forms typed in row after row: all are signed up, or none (the first refusal
    says which row), so nobody is left half entered."""
    makers = []
    with transaction.atomic():
        _sign_up_locks(
            hub=hub,
            people=[
                (" ".join(row.get("name", "").split()), normalise_phone(row.get("phone", "")))
                for row in rows
            ],
        )
        for number, row in enumerate(rows, start=1):
            try:
                makers.append(maker_sign_up_on_behalf(hub=hub, actor=actor, **row))
            except MakerError as error:
                raise MakerRowError(number, str(error)) from error
    return makers


def maker_change_by_staff(*, maker: Maker, actor, experience: str, **details) -> Maker:
    """Hub staff change a maker's details for them (maker_details_update's rules), and their
    sewing experience. Recorded in the audit trail."""

    if experience not in Maker.Experience.values:
        raise MakerError(_("Please choose how much sewing they have done."))
    with transaction.atomic():
        maker = maker_details_update(
            maker=maker, actor=actor, note="Details changed by hub staff", **details
        )
        if maker.experience != experience:
            maker.experience = experience
            maker.save(update_fields=["experience"])
        _audit(actor=actor, hub=maker.hub, action=AuditEvent.Action.CHANGED, maker=maker)
    return maker


@dataclass(frozen=True)
class ContactCorrected:
    maker: Maker
    resent: int  # messages queued again on the corrected details
    left: int  # too old or no use any more, so not sent (notifications.services)
    channel: str
    to_address: str


def maker_contact_correct(
    *, maker: Maker, actor, email: str, phone: str, preferred_channel: str
) -> ContactCorrected:
    """Hub staff correct how to reach a maker a message did not reach, and send it again,
    in one press. The new details go through maker_details_update's rules (their account's
    email follows, the change is in their history) and the audit trail; what failed on the
    old details is sent again on the channel the new ones give. All or nothing: a refused
    detail sends nothing."""
    from scrubhub.notifications.selectors import person_addresses
    from scrubhub.notifications.services import person_messages_send_again

    with transaction.atomic():
        # Locked first (maker_details_update locks it again), so the old addresses read
        # here are the ones the failed messages went to, whoever else is changing them.
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        before = person_addresses(email=current.email, phone=current.phone)
        changed = maker_details_update(
            maker=current,
            actor=actor,
            name=current.name,
            email=email,
            phone=phone,
            postcode=current.postcode,
            preferred_channel=preferred_channel,
            sets_per_week=current.sets_per_week,
            preferred_point=current.preferred_point,
            needs_doorstep_collection=current.needs_doorstep_collection,
            note="Contact details corrected by hub staff after a message did not reach them",
        )
        channel, address = maker_contact(maker=changed).route
        after = person_addresses(email=changed.email, phone=changed.phone)
        again = person_messages_send_again(
            hub=changed.hub,
            user_id=changed.user_id,
            addresses=list(dict.fromkeys(before + after)),
            channel=channel,
            to_address=address,
        )
        _audit(
            actor=actor,
            hub=changed.hub,
            action=AuditEvent.Action.CHANGED,
            maker=changed,
            detail=f"contact corrected; {again.resent} message(s) sent again",
        )
    return ContactCorrected(
        maker=changed,
        resent=again.resent,
        left=again.left,
        channel=channel,
        to_address=address,
    )


MERGE_FILL = ("email", "phone", "postcode", "heard_about")
# How far along a record is: the merged person keeps the furthest of their two records.
STATUS_RANK = {S.APPLIED: 0, S.APPROVED: 1, S.ACTIVE: 2}


def _records_merge(*, keep: Maker, other: Maker) -> None:
    """`other`'s kits are now `keep`'s, so are the counters that came with them."""
    from makers.models import HolderRecord

    counted = [f.name for f in HolderRecord._meta.fields if f.name != "last_given_at"]
    changes = {name: F(name) + getattr(other, name) for name in counted}
    if other.last_given_at and (
        keep.last_given_at is None or other.last_given_at > keep.last_given_at
    ):
        changes["last_given_at"] = other.last_given_at
    Maker.objects.filter(pk=keep.pk).update(**changes)
    Maker.objects.filter(pk=other.pk).update(**{name: 0 for name in counted}, last_given_at=None)
    keep.refresh_from_db(fields=[*counted, "last_given_at"])


def makers_merge(*, keep: Maker, other: Maker, actor) -> Maker:
    """Two records that are the same person become one. Everything of `other` moves to
    `keep`: kits (current and past), handovers, run stops, return plans, problems, status
    history and consents, and its account if `keep` has none. `keep`'s own details win;
    blanks in them are filled from `other`. Then `other` is erased (its row stays, empty, so
    counts add up)."""
    from dropoffs.models import DoorstepAddress, Handover, RunStop
    from packages.models import KitAssignment

    if keep.pk == other.pk:
        raise MakerError(_("Choose two different records to merge."))
    with transaction.atomic():
        # Both rows locked, in id order, so a merge the other way round waits its turn.
        locked = {
            m.pk: m
            for m in Maker.objects.select_for_update()
            .filter(pk__in=[keep.pk, other.pk])
            .order_by("pk")
        }
        keep, other = locked[keep.pk], locked[other.pk]
        if keep.hub_id != other.hub_id:
            raise MakerError(_("These records belong to different hubs."))
        if S.ERASED in {keep.status, other.status}:
            raise MakerError(_("One of these records has been erased, so it cannot be merged."))
        shared_runs = set(
            RunStop.objects.filter(maker=keep).values_list("run_id", flat=True)
        ) & set(RunStop.objects.filter(maker=other).values_list("run_id", flat=True))
        if shared_runs:
            raise MakerError(
                _("Both records have a doorstep stop on the same run. Change that run first.")
            )
        KitAssignment.objects.filter(maker=other).update(maker=keep)
        _records_merge(keep=keep, other=other)
        Handover.objects.filter(maker=other).update(maker=keep)
        RunStop.objects.filter(maker=other).update(maker=keep)
        ReturnPlan.objects.filter(maker=other).update(maker=keep)
        KitProblem.objects.filter(maker=other).update(maker=keep)
        MakerEvent.objects.filter(maker=other).update(maker=keep)
        if DoorstepAddress.objects.filter(maker=keep).exists():
            DoorstepAddress.objects.filter(maker=other).delete()
        else:
            DoorstepAddress.objects.filter(maker=other).update(maker=keep)
        # Consents: where both agreed to the same purpose, the newer agreement is the
        # current one and the older ends when it was given, as consent_give does.
        for consent in Consent.objects.filter(maker=other, withdrawn_at__isnull=True):
            current = Consent.objects.filter(
                maker=keep, purpose=consent.purpose, withdrawn_at__isnull=True
            ).first()
            if current is None:
                continue
            older, newer = sorted([current, consent], key=lambda c: (c.given_at, c.pk))
            Consent.objects.filter(pk=older.pk).update(withdrawn_at=newer.given_at)
        Consent.objects.filter(maker=other).update(maker=keep)

        changes: dict = {}
        for field_name in MERGE_FILL:
            if not getattr(keep, field_name) and getattr(other, field_name):
                changes[field_name] = getattr(other, field_name)
        if keep.preferred_point_id is None and other.preferred_point_id:
            changes["preferred_point_id"] = other.preferred_point_id
        if keep.wants_kit_since is None and other.wants_kit_since:
            changes["wants_kit_since"] = other.wants_kit_since
        old_user_id = other.user_id
        if other.user_id and keep.user_id is None:
            Maker.objects.filter(pk=other.pk).update(user=None)
            changes["user_id"] = other.user_id
            old_user_id = None
        if changes:
            Maker.objects.filter(pk=keep.pk).update(**changes)

        # The person keeps the furthest of their two records' status.
        other_rank = STATUS_RANK.get(other.status, -1)
        if other_rank > STATUS_RANK.get(keep.status, 99) and keep.status == S.APPLIED:
            _maker_move(maker_id=keep.pk, to=S.APPROVED, actor=actor, note="Merged")
        keep = Maker.objects.get(pk=keep.pk)
        if keep.status == S.APPROVED and KitAssignment.objects.filter(maker=keep).exists():
            keep = _maker_move(maker_id=keep.pk, to=S.ACTIVE, actor=actor, note="Merged")

        if old_user_id:
            from scrubhub.notifications.models import Message

            # Their messages stay theirs, on the record that is kept.
            Message.objects.filter(recipient_id=old_user_id).update(recipient_id=keep.user_id)
            Membership.objects.filter(
                user_id=old_user_id, role=Role.MAKER, hub_id=keep.hub_id
            ).delete()
            Maker.objects.filter(pk=other.pk).update(user=None)
        # Its consents are `keep`'s now; its guardian's links and messages go with it.
        guardian_services.guardian_erase(maker_id=other.pk)
        _maker_move(
            maker_id=other.pk,
            to=S.ERASED,
            actor=actor,
            note="",
            user=None,
            name="",
            email="",
            phone="",
            postcode="",
            guardian_name="",
            guardian_contact="",
            heard_about="",
            preferred_point=None,
            wants_kit_since=None,
            erased_at=timezone.now(),
        )
        if old_user_id:
            # The spare account goes, unless it holds another role.
            _person_remove(maker_id=other.pk, user_id=old_user_id, addresses=[])
        if keep.user_id:
            _role_grant(user_id=keep.user_id, role=Role.MAKER, hub=keep.hub)
        _audit(
            actor=actor,
            hub=keep.hub,
            action=AuditEvent.Action.MERGED,
            maker=keep,
            detail=f"Merged maker #{other.pk} into this record",
        )
        _audit(
            actor=actor,
            hub=keep.hub,
            action=AuditEvent.Action.ERASED,
            maker=other,
            detail=f"Merged into maker #{keep.pk}",
        )
    return Maker.objects.get(pk=keep.pk)


# --- Retention and standby (data protection) ---------------------------------------------------


RETENTION_BATCH = 100  # makers per look at the hub: a date cleared mid-run stops the run


def _retention_due(*, hub: Hub, now: datetime) -> bool:
    erase_on = hub.erasure_on()
    if erase_on is None or erase_on > hub.today(now):
        return False
    changed_at = hub.erasure_dates_changed_at
    if changed_at is not None and now - changed_at < ERASURE_WAIT_AFTER_CHANGE:
        logger.warning(
            "Hub %s: not erasing yet; its stand-down date or retention changed at %s and "
            "erasure waits %s days after a change.",
            hub.pk,
            changed_at.isoformat(),
            ERASURE_WAIT_AFTER_CHANGE.days,
        )
        return False
    return True


def _retention_erase_one(*, maker: Maker) -> bool:
    """Erase one maker in their own transaction; a refusal is logged and the run goes on."""
    maker_id = maker.pk
    try:
        maker_erase(maker=maker, actor=None)
    except MakerError as error:
        # Our own words (a kit still held, or already erased by another run): no one's data.
        logger.warning("Maker %s not erased yet: %s", maker_id, error)
        return False
    except IntegrityError as error:
        # Only the rule's name: the database's own message repeats the row, personal data.
        rule = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        logger.error(
            "Maker %s not erased: the database refused it (%s). The others carry on; it is "
            "tried again tomorrow.",
            maker_id,
            rule or type(error.__cause__).__name__,
        )
        return False
    return True


def makers_retention_erase(*, now: datetime | None = None) -> int:
    """Erase the personal data of makers of hubs whose stand-down date plus retention period
    has passed (in the hub's own timezone), except those who chose standby. Returns how many
    were erased.

    A hub whose dates changed in the last week waits (a mistaken date can be put right).
    Each maker is erased in their own transaction, so one that cannot be erased (a kit still
    held, a row the database refuses) is left for the next night and the rest go ahead.
    Safe to run twice, even at once: erased makers are skipped, and a maker's row is locked
    while it is erased."""
    now = now or timezone.now()
    erased = 0
    for hub_id in (
        Hub.objects.filter(stand_down_on__isnull=False).order_by("pk").values_list("pk", flat=True)
    ):
        after = 0
        while True:
            # The hub read again before each batch: a coordinator may change the date mid-run.
            hub = Hub.objects.get(pk=hub_id)
            if not _retention_due(hub=hub, now=now):
                break
            batch = list(
                makers_to_erase(hub=hub).filter(pk__gt=after).order_by("pk")[:RETENTION_BATCH]
            )
            if not batch:
                break
            erased += sum(_retention_erase_one(maker=maker) for maker in batch)
            after = batch[-1].pk
    return erased


def makers_invite_back(*, hub: Hub, actor) -> int:
    """The hub starts again: every maker on standby becomes approved and is told. One action
    for the coordinator; returns how many were invited back."""
    with transaction.atomic():
        standby = list(
            Maker.objects.select_for_update().filter(hub=hub, status=S.STANDBY).order_by("pk")
        )
        for maker in standby:
            maker = _maker_move(maker_id=maker.pk, to=S.APPROVED, actor=actor, note="Invited back")
            _message_maker(
                maker=maker,
                kind=f"invited-back-{timezone.localdate().isoformat()}",
                subject=f"{hub.name} is sewing again",
                body=(
                    f"Hello {maker.name},\n\nYou said we could ask you again: {hub.name} is "
                    "sewing scrubs for the hospital again, and we would love your help. Sign in "
                    f"to see your page, or call us on {hub.phone}.\n\nThank you."
                ),
            )
    return len(standby)


# --- Bringing in a hub's own spreadsheet of volunteers (issue 23) --------------------------

IMPORT_WELCOME_SALT = "makers.import-welcome"
IMPORT_WELCOME_DAYS = 90
IMPORT_WELCOME_KIND = "import_welcome"
# Their own yes to the welcome takes the place of the hub's word that they agreed.
IMPORT_CONFIRMED_WORDING = "import-welcome-confirmed-v1"
# What the welcome tells each person about why the hub has their details.
IMPORT_BASIS_WORDS = {
    "paper_form": "you filled in our paper form and said we may contact you",
    "online_form": "you filled in our online form and said we may contact you",
    "asked_us": "you asked us to put you on our list of volunteers",
}


class ImportRefused(MakerError):
    """A sheet that cannot be imported as it is; `problems` says each reason, in words."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def import_wording(basis: str) -> str:
    """The wording version a new person's consents record: the basis the staff chose."""
    return f"import-{basis}-v1"


def import_batch_start(*, hub: Hub, by_user, file_name: str, sheet) -> ImportBatch:
    """Keep an uploaded sheet (makers.sheets.Sheet) for the steps that follow, with a first
    guess at what each column is. Only `by_user` sees it, and only for a day."""
    from makers.imports import guess_columns
    from makers.models import IMPORT_BATCH_HOURS

    now = timezone.now()
    return ImportBatch.objects.create(
        hub=hub,
        uploaded_by=by_user,
        file_name=file_name[:200],
        note=" ".join(sheet.notes)[:300],
        headers=sheet.headers,
        rows=[[number, cells] for number, cells in sheet.rows],
        row_count=len(sheet.rows),
        columns=guess_columns(sheet.headers),
        created_at=now,
        expires_at=now + timedelta(hours=IMPORT_BATCH_HOURS),
    )


def import_batch_columns_set(*, batch: ImportBatch, columns: list[str]) -> ImportBatch:
    """Staff say what each column of the sheet is."""
    from makers.imports import TARGET_LABELS, columns_problems

    if len(columns) != len(batch.headers) or any(c not in TARGET_LABELS for c in columns):
        raise MakerError(_("Choose what each column is."))
    problems = columns_problems(columns)
    if problems:
        raise ImportRefused(problems)
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.UPLOADED, expires_at__gt=timezone.now()
    ).update(columns=columns)
    if not updated:
        raise MakerError(_("This sheet was imported already, or is more than a day old."))
    batch.columns = columns
    return batch


def _import_lock(hub: Hub) -> None:
    """One import at a time for a hub, until the transaction ends: each checks who the hub
    already has, and two at once would both find someone missing and add them twice."""
    if connection.vendor != "postgresql":
        return  # SQLite takes its write lock when the transaction begins
    key = int.from_bytes(
        hashlib.blake2b(f"makers-import:{hub.pk}".encode(), digest_size=8).digest(),
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def import_welcome_token(imported_id: int) -> str:
    return signing.dumps(imported_id, salt=IMPORT_WELCOME_SALT)


def import_welcome_read(*, token: str):
    """The ImportedMaker a welcome link was made for; None when it is not one of ours, is
    too old, or its maker was erased."""
    try:
        imported_id = signing.loads(
            token[:200], salt=IMPORT_WELCOME_SALT, max_age=IMPORT_WELCOME_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    if not isinstance(imported_id, int):
        return None
    return (
        ImportedMaker.objects.select_related("maker", "maker__hub")
        .exclude(maker__status=S.ERASED)
        .filter(pk=imported_id)
        .first()
    )


def _import_welcome_rows(*, hub: Hub, basis: str, pairs) -> list[dict]:
    """The welcome for each new person (ImportedMaker, Maker), as outbox rows, on the
    channel that reaches them (notifications.services.person_message's rules). The
    templates are drawn once for the whole sheet, with stand-ins for each person's name
    and links: drawn for each of 10,000 people they were most of an import's time."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.html import escape

    from scrubhub.notifications.services import message_render

    stand_ins = {"name": "@@name@@", "stay_url": "@@stay@@", "leave_url": "@@leave@@"}
    drawn = message_render(
        kind=IMPORT_WELCOME_KIND,
        context={
            "hub": hub,
            "site_url": settings.SITE_URL,
            "basis": IMPORT_BASIS_WORDS[basis],
            **stand_ins,
        },
    )
    # A placeholder each person's own signed token replaces, not a secret.
    placeholder = "@@token@@"  # nosec B105
    stay = settings.SITE_URL + reverse("makers:import_stay", kwargs={"token": placeholder})
    leave = settings.SITE_URL + reverse("makers:import_leave", kwargs={"token": placeholder})

    def filled(text: str, *, name: str, token: str) -> str:
        return (
            text.replace(stand_ins["stay_url"], stay.replace(placeholder, token))
            .replace(stand_ins["leave_url"], leave.replace(placeholder, token))
            .replace(stand_ins["name"], name)
        )

    rows = []
    for record, maker in pairs:
        route = maker_contact(maker=maker).route
        if route is None:
            continue
        channel, address = route
        token = import_welcome_token(record.pk)
        rows.append(
            {
                "idempotency_key": f"maker-{maker.pk}-import-welcome",
                "to_address": address,
                "subject": drawn.subject[:200],
                "body": filled(drawn.text, name=maker.name, token=token),
                "html_body": (
                    filled(drawn.html, name=str(escape(maker.name)), token=token)
                    if channel == Message.Channel.EMAIL
                    else ""
                ),
                "kind": IMPORT_WELCOME_KIND,
                "channel": channel,
                "hub": hub,
                "recipient_id": None,
            }
        )
    return rows


def makers_import(
    *, batch: ImportBatch, contact_basis: str, by_user, approve: bool = False
) -> ImportBatch:
    """Bring in everyone in an uploaded sheet, or nobody: every row is checked again here,
    under a lock for the hub, and one problem anywhere refuses the lot (ImportRefused says
    each one, by row).

    A row that is someone the hub already has (the same email, or the same phone when the
    emails do not differ) is merged into them: their own details stay, and only their
    blanks are filled from the sheet; people who left or were declined are not touched.
    Rows that are one person are joined first. Each new person is recorded with the basis
    staff gave for contacting them (`contact_basis`, an ImportBatch.Basis), as the consents
    of someone who joined, and is sent a welcome whose links let them say they want to stay
    or leave. Audited. The number of queries does not grow with the number of rows: every
    write is one bulk statement."""
    from makers.imports import FILLABLE, columns_problems, rows_check
    from scrubhub.notifications.services import messages_queue_bulk

    if contact_basis not in ImportBatch.Basis.values:
        raise MakerError(
            _("Choose on what basis the hub may contact the people in this sheet."),
            field="contact_basis",
        )
    hub = batch.hub
    with transaction.atomic():
        _import_lock(hub)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        now = timezone.now()
        if batch.status == ImportBatch.Status.IMPORTED:
            raise MakerError(_("This sheet was imported already, so nobody was added twice."))
        if batch.expires_at <= now:
            raise MakerError(
                _("This upload is more than a day old. Please upload the sheet again.")
            )
        problems = columns_problems(batch.columns)
        if problems:
            raise ImportRefused(problems)
        checked = rows_check(hub=hub, rows=batch.rows, columns=batch.columns, lock=True)
        if checked.problems:
            raise ImportRefused(checked.problems)

        status = S.APPROVED if approve or hub.auto_approve_makers else S.APPLIED
        new = Maker.objects.bulk_create(
            Maker(
                hub=hub,
                name=person.name,
                email=person.email,
                phone=person.phone,
                postcode=person.postcode,
                age_band=person.age_band,
                guardian_name=person.guardian_name,
                guardian_contact=person.guardian_contact,
                experience=person.experience,
                has_sewing_machine=person.has_sewing_machine,
                sets_per_week=person.sets_per_week,
                preferred_channel=person.preferred_channel,
                status=status,
                status_changed_at=now,
            )
            for person in checked.new
        )
        MakerEvent.objects.bulk_create(
            MakerEvent(
                maker=maker,
                old_status="",
                new_status=status,
                actor=by_user,
                note="Imported from a spreadsheet",
            )
            for maker in new
        )
        wording = import_wording(contact_basis)
        Consent.objects.bulk_create(
            Consent(maker=maker, purpose=purpose, wording_version=wording, given_at=now)
            for maker in new
            for purpose in JOIN_CONSENTS
        )

        # Several rows may be one maker the hub has: the first row leads, the rest fill.
        known: dict[int, tuple[Maker, int, dict[str, str]]] = {}
        for person in checked.known:
            maker, _row, fills = known.setdefault(
                person.existing.pk, (person.existing, person.row, {})
            )
            for name, value in person.fills.items():
                fills.setdefault(name, value)
        filled = []
        for maker, _row, fills in known.values():
            for name, value in fills.items():
                setattr(maker, name, value)
            if fills:
                filled.append(maker)
        if filled:
            Maker.objects.bulk_update(filled, fields=list(FILLABLE))

        records = ImportedMaker.objects.bulk_create(
            [
                ImportedMaker(batch=batch, maker=maker, sheet_row=person.row)
                for maker, person in zip(new, checked.new, strict=True)
            ]
            + [
                ImportedMaker(
                    batch=batch,
                    maker=maker,
                    sheet_row=row,
                    merged=True,
                    filled=",".join(sorted(fills)),
                )
                for maker, row, fills in known.values()
            ]
        )
        messages_queue_bulk(
            _import_welcome_rows(
                hub=hub, basis=contact_basis, pairs=zip(records[: len(new)], new, strict=True)
            )
        )
        for maker in new:
            if maker.needs_guardian:
                guardian_services.guardian_ask(maker=maker, actor=by_user)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    hub=hub,
                    actor=by_user,
                    action=AuditEvent.Action.SIGNED_UP,
                    subject_type=ImportBatch._meta.label,
                    subject_id=batch.pk,
                    detail=(
                        f"Imported a sheet of {batch.row_count} rows: {len(new)} new makers, "
                        f"{len(known)} already here; basis: {contact_basis}"
                    ),
                )
            ]
            + [
                AuditEvent(
                    hub=hub,
                    actor=by_user,
                    action=AuditEvent.Action.CHANGED,
                    subject_type=Maker._meta.label,
                    subject_id=maker.pk,
                    detail=f"Blanks filled from imported sheet #{batch.pk}: "
                    + ", ".join(sorted(fills)),
                )
                for maker, _row, fills in known.values()
                if fills
            ]
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.IMPORTED,
            rows=[],
            contact_basis=contact_basis,
            imported_at=now,
            created_count=len(new),
            merged_count=len(known),
        )
    batch.refresh_from_db()
    return batch


def import_welcome_stay(*, imported) -> None:
    """Someone an import brought in says, from their welcome, that they want to stay: their
    own agreement now stands in place of the hub's word."""

    with transaction.atomic():
        record = ImportedMaker.objects.select_for_update().get(pk=imported.pk)
        maker = Maker.objects.get(pk=record.maker_id)
        if maker.status in {S.WITHDRAWN, S.DECLINED, S.ERASED}:
            raise MakerError(
                _("You are no longer on the hub's list. To sew again, please call the hub.")
            )
        if record.confirmed_at is not None:
            return
        record.confirmed_at = timezone.now()
        record.save(update_fields=["confirmed_at"])
        for purpose in JOIN_CONSENTS:
            consent_give(
                maker=maker,
                purpose=purpose,
                wording_version=IMPORT_CONFIRMED_WORDING,
                given_at=record.confirmed_at,
            )


def import_welcome_leave(*, imported) -> None:
    """Someone an import brought in says, from their welcome, that they do not want to be
    on the list: they stop, as a maker who stops on their own page does."""

    with transaction.atomic():
        record = ImportedMaker.objects.select_for_update().get(pk=imported.pk)
        maker = Maker.objects.get(pk=record.maker_id)
        if maker.status == S.WITHDRAWN:
            return
        if maker.status in {S.DECLINED, S.ERASED}:
            raise MakerError(_("You are not on the hub's list. There is nothing more to do."))
        maker_withdraw(maker=maker, actor=None, reason="Left from the welcome after an import")
        ImportedMaker.objects.filter(pk=record.pk).update(left_at=timezone.now())


def import_batches_prune(*, now: datetime | None = None) -> int:
    """Delete uploads that were never imported and are past their day: they hold other
    people's details. Returns how many."""
    deleted, _rows = ImportBatch.objects.filter(
        status=ImportBatch.Status.UPLOADED, expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
