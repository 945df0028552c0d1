"""Starting a hub at /start/: a person signs up as its coordinator, sets it up one step at a
time, and asks a platform operator to open it. Until an operator approves it the hub sends
nothing to the public: its messages wait in the outbox (notifications.delivery.MAY_GO) and
go on approval. Each step is saved by its own function here, which checks the person is the
hub's coordinator, writes through the owning app's service, records an audit row and marks
the step done, all in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import available_timezones

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dropoffs.models import Point
from dropoffs.services import DropoffsError, point_create, point_hours_set
from packages.models import GarmentType
from packages.services import PackagesError, pattern_for, pattern_save
from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record
from scrubhub.hubs import team_services
from scrubhub.hubs.models import Hospital, Hub, Membership, Role, SetupStep
from scrubhub.hubs.team_services import TeamError
from scrubhub.notifications.services import message_queue, messages_held_release
from scrubhub.start.selectors import NEEDED_TO_OPEN, STEPS, steps_done

A = Hub.Approval
Step = SetupStep.Step

APPROVAL_ALLOWED = {
    A.SETTING_UP: {A.WAITING},
    A.WAITING: {A.APPROVED, A.DECLINED},
    # Declined with a reason the coordinator can put right, then ask again.
    A.DECLINED: {A.WAITING},
    A.APPROVED: set(),
}

# One person cannot start hub after hub while none is approved.
MOST_HUBS_WAITING = 3


class StartError(TeamError):
    """A step that cannot be saved as it is. `field` names the form field it is about, so
    the page can show it beside that field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _forget_roles(user) -> None:
    # permissions.memberships keeps the person's roles on the user for the request.
    if hasattr(user, "_scrubhub_memberships"):
        del user._scrubhub_memberships


def _require_coordinator(user, hub: Hub) -> None:
    if (
        user is None
        or not Membership.objects.filter(user=user, role=Role.COORDINATOR, hub=hub).exists()
    ):
        raise StartError(_("Only the hub's coordinators can set it up."))


def _step_done(*, hub: Hub, step: str) -> None:
    SetupStep.objects.get_or_create(hub=hub, step=step, defaults={"done_at": timezone.now()})


def _lock(hub: Hub) -> Hub:
    return Hub.objects.select_for_update().get(pk=hub.pk)


def _unique_slug(model, text: str, *, fallback: str) -> str:
    """A slug for `text` no row of `model` has yet: the text's own, else with -2, -3..."""
    base = slugify(text)[:60].strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _text(value: str, *, most: int, missing: str, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise StartError(missing, field=field)
    if len(value) > most:
        raise StartError(_("Keep this under %(most)s characters.") % {"most": most}, field=field)
    return value


# --- Signing up and starting -------------------------------------------------------------


def coordinator_sign_up(
    *, person_name: str, email: str, password: str, hub_name: str, hub_area: str
):
    """Someone new starts a hub: an account with the password they chose, then the hub in
    "setting up" with them as its coordinator. Returns (user, hub)."""

    person_name = _text(person_name, most=200, missing=_("Please tell us your name."), field="name")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise StartError(
            _("Enter an email address like name@example.com."), field="email"
        ) from None
    User = get_user_model()
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise StartError(
                    _(
                        "There is already an account for %(email)s. Please sign in, then "
                        "come back to this page to start your hub."
                    )
                    % {"email": email},
                    field="email",
                )
            first, _space, last = person_name.partition(" ")
            user = User(username=email[:150], email=email, first_name=first[:150])
            user.last_name = last[:150]
            user.set_password(password)
            user.save()
            # Not confirmed: an operator sees that before approving the hub.
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            hub = hub_start(actor=user, name=hub_name, area=hub_area)
    except IntegrityError:
        raise StartError(
            _("There is already an account with that email address. Please sign in first."),
            field="email",
        ) from None
    return user, hub


def hub_start(*, actor, name: str, area: str) -> Hub:
    """A new hub, setting up, with the person starting it as its coordinator. It takes no
    volunteers and sends no messages to the public until an operator approves it."""
    name = _text(name, most=200, missing=_("Please give the hub a name."), field="hub_name")
    area = _text(
        area, most=200, missing=_("Please say which town or area it serves."), field="hub_area"
    )
    with transaction.atomic():
        # One person's hubs are started one at a time, so the limit below holds.
        type(actor).objects.select_for_update().filter(pk=actor.pk).first()
        waiting = Membership.objects.filter(
            user=actor, role=Role.COORDINATOR, hub__approval__in=[A.SETTING_UP, A.WAITING]
        ).count()
        if waiting >= MOST_HUBS_WAITING:
            raise StartError(
                _(
                    "You already have %(n)s hubs waiting to open. Finish setting those up, "
                    "or ask us to open them, before you start another."
                )
                % {"n": waiting}
            )
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    hub = Hub.objects.create(
                        name=name,
                        slug=_unique_slug(Hub, name, fallback="hub"),
                        area=area,
                        email=actor.email,
                        phone="",
                        approval=A.SETTING_UP,
                    )
                break
            except IntegrityError:
                continue  # someone took the same address a moment ago: the next one
        else:
            raise StartError(_("Please try again in a moment."))
        membership = Membership.objects.create(user=actor, role=Role.COORDINATOR, hub=hub)
        audit_record(
            actor=actor,
            hub=hub,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=membership,
            detail="Started the hub as its coordinator; it waits for an operator to open it",
        )
    _forget_roles(actor)
    return hub


# --- The steps ---------------------------------------------------------------------------


def setup_hub_save(
    *,
    hub: Hub,
    actor,
    name: str,
    area: str,
    slug: str,
    phone: str,
    email: str,
    about: str = "",
    timezone_name: str = "Europe/London",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Hub:
    """The hub's name, area, web address, contact for volunteers, time zone and place."""
    name = _text(name, most=200, missing=_("Please give the hub a name."), field="name")
    area = _text(
        area, most=200, missing=_("Please say which town or area it serves."), field="area"
    )
    slug = (slug or "").strip().lower()
    if not slug or slugify(slug) != slug or len(slug) > 80:
        raise StartError(
            _("Use only small letters, numbers and dashes, like tayside-scrubs."), field="slug"
        )
    phone = _text(
        phone, most=40, missing=_("Please give a phone number volunteers can call."), field="phone"
    )
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise StartError(
            _("Enter an email address like name@example.com."), field="email"
        ) from None
    if timezone_name not in available_timezones():
        raise StartError(_("Choose the time zone from the list."), field="timezone")
    if (latitude is None) != (longitude is None):
        raise StartError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise StartError(_("Those coordinates are not on the map."), field="latitude")
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = _lock(hub)
        if slug != current.slug:
            if current.is_open:
                raise StartError(
                    _(
                        "The hub's web address cannot change once it is open: posters and "
                        "messages point at it."
                    ),
                    field="slug",
                )
            if Hub.objects.filter(slug=slug).exclude(pk=current.pk).exists():
                raise StartError(
                    _("Another hub has that web address. Please choose another."), field="slug"
                )
        current.name, current.area, current.slug = name, area, slug
        current.phone, current.email, current.about = phone, email, (about or "").strip()
        current.timezone = timezone_name
        current.latitude, current.longitude = latitude, longitude
        current.save(
            update_fields=[
                "name",
                "area",
                "slug",
                "phone",
                "email",
                "about",
                "timezone",
                "latitude",
                "longitude",
            ]
        )
        audit_record(
            actor=actor,
            hub=current,
            action=AuditEvent.Action.CHANGED,
            subject=current,
            detail="Saved the hub's name, area, address and contact (setup)",
        )
        _step_done(hub=current, step=Step.HUB)
    return current


def setup_hospital_add(
    *,
    hub: Hub,
    actor,
    name: str,
    laundry_name: str = "",
    address: str = "",
    laundry_email: str = "",
) -> Hospital:
    """A hospital the hub serves, and (if an address is given) an invitation to a person
    in its laundry. The invitation, like every message of the hub, goes once the hub is
    open."""
    name = _text(name, most=200, missing=_("Please give the hospital's name."), field="name")
    laundry_name = " ".join((laundry_name or "").split())[:200]
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = _lock(hub)
        if current.hospitals.filter(name__iexact=name).exists():
            raise StartError(
                _("%(hub)s already serves %(name)s.") % {"hub": current.name, "name": name},
                field="name",
            )
        try:
            with transaction.atomic():
                hospital = Hospital.objects.create(
                    name=name,
                    slug=_unique_slug(Hospital, name, fallback="hospital"),
                    laundry_name=laundry_name,
                    address=(address or "").strip(),
                )
        except IntegrityError:  # another hub added one of that name at the same moment
            raise StartError(_("Please send that again."), field="name") from None
        current.hospitals.add(hospital)
        audit_record(
            actor=actor,
            hub=current,
            action=AuditEvent.Action.CHANGED,
            subject=hospital,
            detail="Added a hospital the hub serves (setup)",
        )
        if (laundry_email or "").strip():
            setup_laundry_invite(hub=current, actor=actor, hospital=hospital, email=laundry_email)
        _step_done(hub=current, step=Step.HOSPITALS)
    return hospital


def setup_laundry_invite(*, hub: Hub, actor, hospital: Hospital, email: str):
    """Invite someone in a hospital's laundry to record what it needs (team_services'
    invitation, held with the hub's other messages until it is open)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise StartError(
            _("Enter the laundry's email address like name@example.org."), field="laundry_email"
        ) from None
    with transaction.atomic():
        try:
            sent = team_services.invitation_send(
                hub=hub, email=email, role=Role.LAUNDRY, hospital=hospital, actor=actor
            )
        except TeamError as error:
            raise StartError(str(error), field="laundry_email") from None
        audit_record(
            actor=actor,
            hub=hub,
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=sent.invitation,
            detail=f"Invited laundry staff of hospital {hospital.pk}",
        )
    return sent


def setup_garments_save(*, hub: Hub, actor, metres: dict[tuple[str, str], Decimal]) -> list:
    """The fabric each garment type and size takes, through packages.services.pattern_save.
    A size already set keeps its name and sewing instructions; a new one starts from the
    shared pattern's, if there is one."""

    wanted = {key: value for key, value in metres.items() if value is not None}
    if not wanted:
        raise StartError(_("Give the fabric for at least one garment and size your hub will make."))
    saved = []
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = _lock(hub)
        for (garment_type, size), value in sorted(wanted.items()):
            now = pattern_for(hub=current, garment_type=garment_type, size=size)
            try:
                saved.append(
                    pattern_save(
                        hub=current,
                        garment_type=garment_type,
                        size=size,
                        name=now.name if now else f"{GarmentType(garment_type).label}, size {size}",
                        metres_per_garment=value,
                        instructions_text=now.instructions_text if now else "",
                        instructions_url=now.instructions_url if now else "",
                        actor=actor,
                    )
                )
            except PackagesError as error:
                raise StartError(str(error), field=f"m_{garment_type}_{size}") from None
        _step_done(hub=current, step=Step.GARMENTS)
    return saved


def setup_point_add(
    *,
    hub: Hub,
    actor,
    name: str,
    address: str,
    postcode: str,
    latitude: Decimal,
    longitude: Decimal,
    accepts_kit_collection: bool = True,
    accepts_finished_garments: bool = True,
):
    """A first drop-off point, through dropoffs.services.point_create."""

    with transaction.atomic():
        _require_coordinator(actor, hub)
        try:
            point = point_create(
                hub=hub,
                actor=actor,
                name=name,
                address=address,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                accepts_kit_collection=accepts_kit_collection,
                accepts_finished_garments=accepts_finished_garments,
            )
        except DropoffsError as error:
            raise StartError(str(error)) from None
        audit_record(
            actor=actor,
            hub=hub,
            action=AuditEvent.Action.CHANGED,
            subject=point,
            detail="Added a drop-off point (setup)",
        )
        _step_done(hub=hub, step=Step.POINTS)
    return point


def setup_hours_save(*, hub: Hub, actor, hours: dict) -> None:
    """When each point is open: `hours` maps each of the hub's points to (the words people
    read, [(weekday, opens, closes), ...])."""

    with transaction.atomic():
        _require_coordinator(actor, hub)
        points = {p.pk: p for p in Point.objects.filter(hub=hub)}
        for point, (words, times) in hours.items():
            if point.pk not in points:
                raise StartError(_("That point belongs to a different hub."))
            try:
                point_hours_set(point=point, actor=actor, opening_hours=words, hours=times)
            except DropoffsError as error:
                raise StartError(str(error)) from None
            audit_record(
                actor=actor,
                hub=hub,
                action=AuditEvent.Action.CHANGED,
                subject=point,
                detail=f"Opening hours set: {len(times)} openings a week (setup)",
            )
        _step_done(hub=hub, step=Step.HOURS)


def setup_settings_save(
    *,
    hub: Hub,
    actor,
    overdue_after_days: int,
    stand_down_on: date | None,
    retention_days: int,
    erasure_confirmed: bool = False,
) -> Hub:
    """The overdue limit, stand-down date and how long details are kept after it, through
    team_services (the one place the erasure dates change)."""
    with transaction.atomic():
        current = team_services.hub_run_settings_set(
            hub=hub,
            actor=actor,
            overdue_after_days=overdue_after_days,
            stand_down_on=stand_down_on,
            retention_days=retention_days,
            erasure_confirmed=erasure_confirmed,
        )
        _step_done(hub=current, step=Step.SETTINGS)
    return current


# --- Asking to open, and the operator's answer ----------------------------------------------


def _approval_move(*, hub: Hub, to: str) -> Hub:
    current = _lock(hub)
    if to not in APPROVAL_ALLOWED[current.approval]:
        raise StartError(
            _("This hub is %(now)s, so it cannot be %(to)s.")
            % {"now": current.get_approval_display().lower(), "to": A(to).label.lower()}
        )
    return current


def setup_ask_to_open(*, hub: Hub, actor) -> Hub:
    """The coordinator has done the steps and asks a platform operator to open the hub.
    Operators are told by email (a message of no hub, so it is not held)."""
    with transaction.atomic():
        _require_coordinator(actor, hub)
        current = _approval_move(hub=hub, to=A.WAITING)
        missing = [s for s in STEPS if s in NEEDED_TO_OPEN and s not in steps_done(hub=current)]
        if missing:
            raise StartError(
                _("Please finish these steps first: %(steps)s.")
                % {"steps": ", ".join(str(Step(s).label).lower() for s in missing)}
            )
        current.approval = A.WAITING
        current.approval_asked_at = timezone.now()
        current.save(update_fields=["approval", "approval_asked_at"])
        audit_record(
            actor=actor,
            hub=current,
            action=AuditEvent.Action.CHANGED,
            subject=current,
            detail="Asked a platform operator to open the hub",
        )
        link = f"{settings.SITE_URL}{reverse('operator:hubs')}"
        operators = get_user_model().objects.filter(is_superuser=True, is_active=True)
        for operator in operators.exclude(email="").order_by("pk"):
            message_queue(
                idempotency_key=(
                    f"hub-asks-to-open-{current.pk}-{current.approval_asked_at.timestamp()}"
                    f"-{operator.pk}"
                ),
                to_address=operator.email,
                subject=_("A new hub asks to open: %(hub)s") % {"hub": current.name},
                body=_(
                    "%(hub)s (%(area)s) has been set up and asks to open.\n\n"
                    "See it and approve or decline it here:\n\n%(link)s"
                )
                % {"hub": current.name, "area": current.area, "link": link},
                kind="hub_asks_to_open",
                recipient=operator,
            )
    return current


def _coordinators(hub: Hub):
    User = get_user_model()
    return User.objects.filter(
        memberships__hub=hub, memberships__role=Role.COORDINATOR, is_active=True
    ).exclude(email="")


def _require_operator(actor) -> None:
    if actor is None or not actor.is_superuser:
        raise StartError(_("Only platform operators approve hubs."))


def hub_approve(*, hub: Hub, actor) -> Hub:
    """An operator opens the hub: it may take volunteers, and every message it queued while
    waiting goes now (after this commits)."""
    _require_operator(actor)
    with transaction.atomic():
        current = _approval_move(hub=hub, to=A.APPROVED)
        current.approval = A.APPROVED
        current.approval_decided_at = timezone.now()
        current.approval_note = ""
        current.save(update_fields=["approval", "approval_decided_at", "approval_note"])
        held = messages_held_release(hub=current)
        audit_record(
            actor=actor,
            hub=current,
            action=AuditEvent.Action.CHANGED,
            subject=current,
            detail=f"Approved the hub; {held} waiting messages sent",
        )
        join = f"{settings.SITE_URL}{reverse('makers:join', args=[current.slug])}"
        for coordinator in _coordinators(current):
            message_queue(
                idempotency_key=f"hub-opened-{current.pk}-{coordinator.pk}",
                to_address=coordinator.email,
                subject=_("%(hub)s is open") % {"hub": current.name},
                body=_(
                    "Good news: %(hub)s is open. Volunteers can join at\n\n%(link)s\n\n"
                    "Messages the hub was waiting to send are on their way now."
                )
                % {"hub": current.name, "link": join},
                kind="hub_opened",
                hub=current,
                recipient=coordinator,
            )
    return current


def hub_decline(*, hub: Hub, actor, reason: str) -> Hub:
    """An operator declines, saying why; the coordinator may put it right and ask again.
    The hub's waiting messages stay waiting."""
    _require_operator(actor)
    reason = _text(
        reason,
        most=500,
        missing=_("Please say why, so the coordinator can put it right."),
        field="reason",
    )
    with transaction.atomic():
        current = _approval_move(hub=hub, to=A.DECLINED)
        current.approval = A.DECLINED
        current.approval_decided_at = timezone.now()
        current.approval_note = reason
        current.save(update_fields=["approval", "approval_decided_at", "approval_note"])
        audit_record(
            actor=actor,
            hub=current,
            action=AuditEvent.Action.CHANGED,
            subject=current,
            detail="Declined the hub for now",
        )
        link = f"{settings.SITE_URL}{reverse('start:overview', args=[current.pk])}"
        for coordinator in _coordinators(current):
            message_queue(
                idempotency_key=(
                    f"hub-declined-{current.pk}-{current.approval_decided_at.timestamp()}"
                    f"-{coordinator.pk}"
                ),
                to_address=coordinator.email,
                subject=_("%(hub)s cannot open yet") % {"hub": current.name},
                body=_(
                    "We looked at %(hub)s and cannot open it yet. This is why:\n\n%(reason)s"
                    "\n\nYou can change the hub's setup and ask again here:\n\n%(link)s"
                )
                % {"hub": current.name, "reason": reason, "link": link},
                kind="hub_declined",
                # A declined hub's own messages are held: this one is from the platform.
                hub=None,
                recipient=coordinator,
            )
    return current
