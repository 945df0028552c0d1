"""The hub's team: inviting people to a role by email, accepting, removing roles, and the
hub's own settings. Only a hub's coordinators change these; each function checks that
itself as well as the view, because a role is the key to people's personal data."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from makers.selectors import ErasurePreview, erasure_preview, erasure_warning
from scrubhub.accounts.services import user_sessions_end
from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record
from scrubhub.errors import DomainError
from scrubhub.hubs.models import INVITABLE_ROLES, Hub, Invitation, Membership, Role
from scrubhub.notifications.services import message_queue

INVITATION_DAYS = 7
SESSION_USER_KEY = "_auth_user_id"


class TeamError(DomainError):
    """A change to the team that the rules do not allow; the message is for people."""


def _is_coordinator(user, hub: Hub) -> bool:
    return Membership.objects.filter(user=user, role=Role.COORDINATOR, hub=hub).exists()


def _require_coordinator(user, hub: Hub) -> None:
    if user is None or not _is_coordinator(user, hub):
        raise TeamError(_("Only the hub's coordinators can change the team or its settings."))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('hubs:invitation', args=[token])}"


@dataclass(frozen=True)
class SentInvitation:
    """The invitation and the token in its link (the database keeps only a hash)."""

    invitation: Invitation
    token: str


def invitation_send(
    *, hub: Hub, email: str, role: str, actor, point=None, hospital=None
) -> SentInvitation:
    """Invite someone by email to a role. The email (with a link that works for
    INVITATION_DAYS days) is queued in the same transaction. Inviting the same person to the
    same role again replaces the earlier invitation, so only the newest link works."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise TeamError(_("Please give the person's email address."))
    if role not in INVITABLE_ROLES:
        raise TeamError(_("Please choose a role to invite them to."))
    if role == Role.POINT_HELPER:
        if point is None:
            raise TeamError(_("Please choose the point they will help at."))
        if point.hub_id != hub.pk:
            raise TeamError(_("That point belongs to a different hub."))
    else:
        point = None
    if role == Role.LAUNDRY:
        if hospital is None:
            raise TeamError(_("Please choose the hospital whose laundry they work in."))
        if not hub.hospitals.filter(pk=hospital.pk).exists():
            raise TeamError(_("This hub does not supply that hospital."))
    else:
        hospital = None
    with transaction.atomic():
        _require_coordinator(actor, hub)
        User = get_user_model()
        holders = Membership.objects.filter(
            user__in=User.objects.filter(email__iexact=email), role=role
        )
        if role == Role.POINT_HELPER:
            holders = holders.filter(point=point)
        elif role == Role.LAUNDRY:
            holders = holders.filter(hospital=hospital)
        else:
            holders = holders.filter(hub=hub)
        if holders.exists():
            raise TeamError(
                _("%(email)s already has this role.") % {"email": email},
            )
        now = timezone.now()
        Invitation.objects.select_for_update().filter(
            hub=hub,
            email=email,
            role=role,
            point=point,
            hospital=hospital,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        ).update(cancelled_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            hub=hub,
            email=email,
            role=role,
            point=point,
            hospital=hospital,
            token_hash=token_hash(token),
            invited_by=actor,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        where = point or hospital or hub
        inviter = actor.get_full_name() or actor.get_username()
        message_queue(
            idempotency_key=f"team-invitation-{invitation.pk}",
            to_address=email,
            subject=_("%(hub)s invites you to join its team") % {"hub": hub.name},
            body=_(
                "Hello,\n\n%(inviter)s invites you to help %(hub)s as %(role)s (%(where)s).\n\n"
                "To say yes, open this link and press the button:\n\n%(link)s\n\n"
                "The link works until %(until)s. If you were not expecting this, you can "
                "ignore it: nothing happens unless you press the button.\n\n"
                "Questions? Call %(hub)s on %(phone)s."
            )
            % {
                "inviter": inviter,
                "hub": hub.name,
                "role": Role(role).label.lower(),
                "where": where,
                "link": invitation_url(token),
                "until": timezone.localtime(invitation.expires_at).strftime("%-d %B %Y"),
                "phone": hub.phone,
            },
            kind="team_invitation",
            hub=hub,
        )
    return SentInvitation(invitation=invitation, token=token)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to (open or not), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("hub", "point", "hospital", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _open_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=token_hash(token or "")).first()
    )
    if invitation is None:
        raise TeamError(_("This invitation link is not right. Please ask the hub for a new one."))
    if invitation.accepted_at is not None:
        raise TeamError(_("This invitation has already been used."))
    if invitation.cancelled_at is not None:
        raise TeamError(
            _("This invitation was withdrawn or replaced. Please ask the hub for a new one.")
        )
    if invitation.expires_at <= timezone.now():
        raise TeamError(_("This invitation has run out. Please ask the hub for a new one."))
    return invitation


def invitation_is_for(invitation: Invitation, user) -> bool:
    """Whether the invitation was sent to this person's address. A role is the key to
    people's personal data, so a forwarded link must not give it to whoever opens it."""
    from allauth.account.models import EmailAddress

    wanted = invitation.email.lower()
    if (user.email or "").lower() == wanted:
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=wanted, verified=True).exists()


def invitation_accept(*, token: str, user) -> Membership:
    """The signed-in person takes the role they were invited to, if the invitation was sent
    to their address. A second press changes nothing (the invitation is used)."""
    with transaction.atomic():
        invitation = _open_invitation(token)
        if not invitation_is_for(invitation, user):
            raise TeamError(
                _(
                    "This invitation is for %(email)s, and you are signed in with a different "
                    "address. Please sign out and open the link again, or ask the hub to "
                    "invite the address you use."
                )
                % {"email": invitation.email}
            )
        scope = {"hub": invitation.hub, "point": None, "hospital": None}
        if invitation.role == Role.POINT_HELPER:
            scope["point"] = invitation.point
        elif invitation.role == Role.LAUNDRY:
            scope = {"hub": None, "point": None, "hospital": invitation.hospital}
        membership, _created = Membership.objects.get_or_create(
            user=user, role=invitation.role, **scope
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            hub=invitation.hub,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=membership,
            detail=f"Accepted invitation {invitation.pk} to the {invitation.role} role",
        )
    return membership


def invitation_accept_new_account(*, token: str, name: str, password: str):
    """Someone with no account accepts: an account for the invited email, with the
    password they chose, then the role. The link reached their inbox, so the address is
    treated as confirmed."""
    from allauth.account.models import EmailAddress

    name = name.strip()
    if not name:
        raise TeamError(_("Please tell us your name."))
    User = get_user_model()
    try:
        with transaction.atomic():
            invitation = _open_invitation(token)
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise TeamError(
                    _(
                        "There is already an account for %(email)s. Please sign in first, "
                        "then open the link again."
                    )
                    % {"email": invitation.email}
                )
            first, _space, last = name.partition(" ")
            user = User(
                username=invitation.email[:150],
                email=invitation.email,
                first_name=first[:150],
                last_name=last[:150],
            )
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(
                user=user, email=invitation.email, primary=True, verified=True
            )
            invitation_accept(token=token, user=user)
    except IntegrityError:
        raise TeamError(
            _("There is already an account with that name. Please sign in first.")
        ) from None
    return user


def invitation_cancel(*, invitation: Invitation, actor) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _require_coordinator(actor, invitation.hub)
        if invitation.accepted_at is not None:
            raise TeamError(_("This invitation has already been accepted."))
        if invitation.cancelled_at is not None:
            raise TeamError(_("This invitation was already withdrawn."))
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
    return invitation


def team_memberships(*, hub: Hub):
    """Every role in the hub's team: hub roles, point helpers at its points, and laundry
    staff of the hospitals it supplies. Makers and group leaders are the volunteers, not
    the team."""
    from django.db.models import Q

    return (
        Membership.objects.filter(
            Q(hub=hub, role__in=[Role.HUB_STAFF, Role.COORDINATOR, Role.DRIVER, Role.POINT_HELPER])
            | Q(role=Role.LAUNDRY, hospital__in=hub.hospitals.all())
        )
        .select_related("user", "point", "hospital")
        .order_by("user__first_name", "user__last_name", "user__username", "role", "pk")
    )


def membership_remove(*, hub: Hub, membership: Membership, actor) -> None:
    """Take a role away. Their access ends at once: roles are read on every request, and
    every session the person has open is ended too, so they sign in again as who they are
    now. A hub always keeps at least one coordinator."""
    with transaction.atomic():
        _require_coordinator(actor, hub)
        membership = (
            team_memberships(hub=hub).select_for_update(of=("self",)).filter(pk=membership.pk)
        ).first()
        if membership is None:
            raise TeamError(_("That person no longer has this role."))
        if membership.role == Role.COORDINATOR:
            # Lock every coordinator row of the hub, so two coordinators removing each other
            # at once cannot leave the hub with none.
            coordinators = list(
                Membership.objects.select_for_update()
                .filter(hub=hub, role=Role.COORDINATOR)
                .values_list("pk", flat=True)
            )
            if len(coordinators) <= 1:
                raise TeamError(
                    _(
                        "A hub needs at least one coordinator. Invite another coordinator "
                        "before removing this one."
                    )
                )
        user_id, role = membership.user_id, membership.role
        membership.delete()
        audit_record(
            actor=actor,
            hub=hub,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=membership.user,
            detail=f"Removed the {role} role",
        )
    # Once the removal is committed: a request already under way cannot bring it back.
    user_sessions_end(user_id=user_id)


class StandDownError(TeamError):
    """The stand-down date cannot be saved as it is; the message goes beside that field."""


class ErasureNotConfirmed(StandDownError):
    """The new date will erase people's details: the coordinator must say they mean it."""

    def __init__(self, preview: ErasurePreview):
        self.preview = preview
        super().__init__(
            _("%(warning)s Tick the box to confirm, or choose another date.")
            % {"warning": erasure_warning(preview)}
        )


def stand_down_check(
    *, hub: Hub, stand_down_on: date | None, erasure_confirmed: bool = False
) -> None:
    """Refuse a new stand-down date in the past where the hub is (the nightly erasure would
    act on it at once), and one that will erase people unless that was confirmed. A date
    already saved stays allowed, so a hub that has stood down can still change its phone."""
    if stand_down_on is None or stand_down_on == hub.stand_down_on:
        return
    today = hub.today()
    if stand_down_on < today:
        raise StandDownError(
            _("The stand-down date cannot be in the past. Enter %(today)s or a later date.")
            % {"today": date_format(today, "j F Y")}
        )
    preview = erasure_preview(hub=hub, stand_down_on=stand_down_on)
    if preview is not None and not erasure_confirmed:
        raise ErasureNotConfirmed(preview)


def _erasure_dates_apply(
    *, current: Hub, actor, stand_down_on: date | None, retention_days: int
) -> list[str]:
    """Set the two dates that decide when makers are erased, on a locked row, and note when
    they changed (the nightly erasure waits a week after that). Returns the fields to save."""
    if (current.stand_down_on, current.retention_days) == (stand_down_on, retention_days):
        return []
    current.stand_down_on = stand_down_on
    current.retention_days = retention_days
    current.erasure_dates_changed_at = timezone.now()
    erase_on = current.erasure_on()
    audit_record(
        actor=actor,
        hub=current,
        action=AuditEvent.Action.CHANGED,
        subject=current,
        detail=(
            f"Stand-down date {stand_down_on.isoformat()}, details erased from "
            f"{erase_on.isoformat()}"
            if erase_on
            else "Stand-down date removed"
        ),
    )
    return ["stand_down_on", "retention_days", "erasure_dates_changed_at"]


def hub_erasure_dates_set(
    *, hub: Hub, actor, stand_down_on: date | None, retention_days: int
) -> Hub:
    """An operator (in the admin) sets the stand-down date and retention period. The same
    refusal of a past date as for coordinators, and the same week's wait after a change."""
    if retention_days < 0:
        raise StandDownError(_("The retention period cannot be negative."))
    with transaction.atomic():
        current = Hub.objects.select_for_update().get(pk=hub.pk)
        # Operators are not asked to confirm: they set these on a hub's behalf.
        stand_down_check(hub=current, stand_down_on=stand_down_on, erasure_confirmed=True)
        changed = _erasure_dates_apply(
            current=current,
            actor=actor,
            stand_down_on=stand_down_on,
            retention_days=retention_days,
        )
        if changed:
            current.save(update_fields=changed)
    return current


def hub_settings_update(
    *,
    hub: Hub,
    actor,
    phone: str,
    email: str,
    about: str,
    overdue_after_days: int,
    auto_approve_makers: bool,
    stand_down_on: date | None,
    require_staff_two_factor: bool = False,
    erasure_confirmed: bool = False,
    offers_doorstep_visits: bool | None = None,
) -> Hub:
    """The coordinator changes what volunteers see and how the hub runs. A new stand-down
    date that will erase people's details needs `erasure_confirmed` (stand_down_check).
    `offers_doorstep_visits` left out (None) stays as it is."""
    phone, email = phone.strip(), email.strip().lower()
    if not phone:
        raise TeamError(_("Please give a phone number volunteers can call."))
    if not email:
        raise TeamError(_("Please give an email address volunteers can write to."))
    if not 1 <= overdue_after_days <= 90:
        raise TeamError(_("Please give a number of days from 1 to 90."))
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = Hub.objects.select_for_update().get(pk=hub.pk)
        stand_down_check(
            hub=current, stand_down_on=stand_down_on, erasure_confirmed=erasure_confirmed
        )
        current.phone = phone
        current.email = email
        current.about = about.strip()
        current.overdue_after_days = overdue_after_days
        current.auto_approve_makers = auto_approve_makers
        current.require_staff_two_factor = require_staff_two_factor
        if offers_doorstep_visits is not None:
            # Makers who already have visits keep them: turning the offer off stops new ones.
            current.offers_doorstep_visits = offers_doorstep_visits
        erasure_fields = _erasure_dates_apply(
            current=current,
            actor=actor,
            stand_down_on=stand_down_on,
            retention_days=current.retention_days,
        )
        current.save(
            update_fields=[
                "phone",
                "email",
                "about",
                "overdue_after_days",
                "auto_approve_makers",
                "require_staff_two_factor",
                "offers_doorstep_visits",
                *erasure_fields,
            ]
        )
    return current


RETENTION_DAYS_MAX = 3 * 365


def hub_run_settings_set(
    *,
    hub: Hub,
    actor,
    overdue_after_days: int,
    stand_down_on: date | None,
    retention_days: int,
    erasure_confirmed: bool = False,
) -> Hub:
    """A coordinator setting up a new hub (/start/) says how long a kit may stay with a
    maker, when the hub stands down and how long volunteers' details are kept after that.
    The same rules for the two erasure dates as everywhere (stand_down_check, and the
    week's wait after a change)."""
    if not 1 <= overdue_after_days <= 90:
        raise TeamError(_("Please give a number of days from 1 to 90."))
    if not 0 <= retention_days <= RETENTION_DAYS_MAX:
        raise TeamError(
            _("Please give a number of days from 0 to %(most)s.") % {"most": RETENTION_DAYS_MAX}
        )
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = Hub.objects.select_for_update().get(pk=hub.pk)
        stand_down_check(
            hub=current, stand_down_on=stand_down_on, erasure_confirmed=erasure_confirmed
        )
        fields = []
        if current.overdue_after_days != overdue_after_days:
            current.overdue_after_days = overdue_after_days
            fields.append("overdue_after_days")
            audit_record(
                actor=actor,
                hub=current,
                action=AuditEvent.Action.CHANGED,
                subject=current,
                detail=f"Kits overdue after {overdue_after_days} days",
            )
        fields += _erasure_dates_apply(
            current=current,
            actor=actor,
            stand_down_on=stand_down_on,
            retention_days=retention_days,
        )
        if fields:
            current.save(update_fields=fields)
    return current
