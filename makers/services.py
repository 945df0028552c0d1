"""Every change to a maker or a maker group, one function each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from makers.models import Consent, Maker, MakerEvent, MakerGroup
from scrubhub.hubs.models import Hub, Membership, Role
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import message_queue


class MakerError(Exception):
    """A change to a maker that the rules do not allow; the message is for people."""


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


def _holds_kits(maker: Maker) -> bool:
    from packages.models import KitAssignment

    return KitAssignment.objects.filter(maker=maker, ended_at__isnull=True).exists()


def _message_maker(*, maker: Maker, kind: str, subject: str, body: str) -> None:
    """Queue a message on the maker's preferred channel (phone-only people go on the hub's
    phone list)."""
    if maker.preferred_channel == Maker.Channel.EMAIL and maker.email:
        channel, address = Message.Channel.EMAIL, maker.email
    elif maker.preferred_channel == Maker.Channel.SMS and maker.phone:
        channel, address = Message.Channel.SMS, maker.phone
    elif maker.phone:
        channel, address = Message.Channel.PHONE_LIST, maker.phone
    else:
        channel, address = Message.Channel.EMAIL, maker.email
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
    with transaction.atomic():
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
        for purpose, wording_version in consents:
            consent_give(maker=maker, purpose=purpose, wording_version=wording_version)
        if user is not None:
            Membership.objects.get_or_create(user=user, role=Role.MAKER, hub=hub)
        _message_maker(
            maker=maker,
            kind="welcome",
            subject=f"Welcome to {hub.name}",
            body=(
                f"Hello {maker.name},\n\nThank you for offering to sew scrubs with "
                f"{hub.name}. We will be in touch soon.\n\nIf you have questions, call us on "
                f"{hub.phone} or email {hub.email}."
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
    return _maker_move(maker_id=maker.pk, to=S.DECLINED, actor=actor, note=reason)


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
    """The maker stops. They must not still hold a kit."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError(
                "This maker still has a kit. Take it back, or mark it lost, before they leave."
            )
        maker = _maker_move(maker_id=maker.pk, to=S.WITHDRAWN, actor=actor, note=reason)
        _membership_remove(maker)
    return maker


def maker_erase(*, maker: Maker, actor) -> Maker:
    """Blank everything that identifies the maker; keep the row so kit counts still add up."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError("This maker still has a kit. Close it or mark it lost first.")
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        _membership_remove(current)
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
    return maker


def consent_give(
    *, maker: Maker, purpose: str, wording_version: str, given_at: datetime | None = None
) -> Consent:
    """Record a consent; a new wording replaces the current one for the same purpose."""
    if not wording_version:
        raise MakerError("A consent needs the version of the wording the person agreed to.")
    now = given_at or timezone.now()
    with transaction.atomic():
        Consent.objects.select_for_update().filter(
            maker=maker, purpose=purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        return Consent.objects.create(
            maker=maker, purpose=purpose, wording_version=wording_version, given_at=now
        )


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
        if MakerGroup.objects.filter(hub=hub, name=name.strip()).exists():
            raise MakerError(f"There is already a group called {name.strip()} in this hub.")
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
        if leader is not None:
            Membership.objects.get_or_create(user=leader, role=Role.GROUP_LEADER, hub=hub)
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
        group.status = MakerGroup.Status.CLOSED
        group.save(update_fields=["status"])
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
