"""Maker groups: a group made by staff or registered by its leader on the hub's page,
changed, paused, resumed and closed, each with the leader's role and an audit row."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from makers.models import MakerGroup
from makers.services.accounts import _account_create, _user_for_address, signin_link_send
from makers.services.core import MakerError, _role_grant
from makers.validators import format_phone, normalise_phone
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Hub, Membership, Role
from scrubhub.notifications.services import message_queue


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
