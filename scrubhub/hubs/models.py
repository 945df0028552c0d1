"""Hubs (the tenant), the hospitals they supply, and who may do what where."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from packages.models import GarmentType, Size


class Hospital(models.Model):
    """A hospital and its laundry service. Several hubs may supply one hospital."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    laundry_name = models.CharField(
        max_length=200, blank=True, help_text=_("The laundry service that receives deliveries.")
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    sets_in_circulation = models.PositiveIntegerField(
        default=0, help_text=_("Sets of scrubs the laundry already has in use.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# After the stand-down date or retention period changes, the nightly erasure waits this long:
# time for a mistaken date to be noticed and put right.
ERASURE_WAIT_AFTER_CHANGE = timedelta(days=7)


class HubApproval(models.TextChoices):
    SETTING_UP = "setting_up", _("Setting up")
    WAITING = "waiting", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Hub(models.Model):
    """A community scrub hub. One deployment hosts many; nobody sees another hub's data."""

    Approval = HubApproval

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    area = models.CharField(max_length=200, help_text=_("Town or area the hub serves."))
    about = models.TextField(blank=True, help_text=_("A few plain sentences for volunteers."))
    phone = models.CharField(max_length=40, help_text=_("Shown to volunteers on every page."))
    email = models.EmailField(help_text=_("Shown to volunteers on every page."))
    timezone = models.CharField(max_length=64, default="Europe/London")
    overdue_after_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Days with a maker before a kit counts as overdue.")
    )
    auto_approve_makers = models.BooleanField(
        default=False, help_text=_("Approve new volunteers at once instead of waiting for staff.")
    )
    offers_doorstep_visits = models.BooleanField(
        default=True,
        help_text=_(
            "A driver brings kits to the door of makers who cannot get to a point, and "
            "collects their scrubs. Makers aged 70 or over are offered it on their pages."
        ),
    )
    stand_down_on = models.DateField(null=True, blank=True)
    retention_days = models.PositiveIntegerField(
        default=180, help_text=_("Days after stand-down before volunteers' details are erased.")
    )
    # Set only by the services that change the two dates above: a date changed by mistake
    # gets a week to be put right before the nightly erasure acts on it.
    erasure_dates_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the stand-down date or retention period last changed."),
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    require_staff_two_factor = models.BooleanField(
        default=False,
        help_text=_("Hub staff must use two-step sign-in (an authenticator app) to work here."),
    )
    hospitals = models.ManyToManyField(Hospital, related_name="hubs", blank=True)
    is_active = models.BooleanField(default=True)
    # A hub someone starts at /start/ sends nothing to the public until a platform operator
    # approves it, so the service cannot be used to send spam. One an operator makes in the
    # admin is approved as it is made (hence the default).
    approval = models.CharField(
        max_length=12, choices=HubApproval.choices, default=HubApproval.APPROVED
    )
    approval_asked_at = models.DateTimeField(null=True, blank=True)
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(
        max_length=500, blank=True, help_text=_("Why the operator declined, for the coordinator.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_after_days__gte=1), name="hub_overdue_after_at_least_a_day"
            ),
            models.CheckConstraint(
                condition=Q(approval__in=HubApproval.values), name="hub_approval_valid"
            ),
            models.CheckConstraint(
                condition=~Q(approval=HubApproval.WAITING) | Q(approval_asked_at__isnull=False),
                name="hub_waiting_was_asked",
            ),
            models.CheckConstraint(
                condition=~Q(approval=HubApproval.DECLINED) | Q(approval_decided_at__isnull=False),
                name="hub_declined_was_decided",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def today(self, now: datetime | None = None) -> date:
        """The date where the hub is, which is what its people mean by "today"."""
        return localdate(now, timezone=ZoneInfo(self.timezone))

    @property
    def is_open(self) -> bool:
        """Approved by an operator: it may take volunteers and send them messages."""
        return self.approval == HubApproval.APPROVED

    def erasure_on(self, stand_down_on: date | None = None) -> date | None:
        """The day volunteers' details are erased, for the hub's stand-down date or another."""
        stand_down_on = stand_down_on or self.stand_down_on
        if stand_down_on is None:
            return None
        return stand_down_on + timedelta(days=self.retention_days)


class SetupStepName(models.TextChoices):
    HUB = "hub", _("The hub")
    HOSPITALS = "hospitals", _("Hospitals")
    GARMENTS = "garments", _("Garments and sizes")
    POINTS = "points", _("Drop-off points")
    HOURS = "hours", _("Opening hours")
    SETTINGS = "settings", _("Kits, stand-down and keeping details")


class SetupStep(models.Model):
    """A step of starting a hub (/start/) that its coordinator has saved. The setup page
    shows which are done; leaving and coming back carries on from there."""

    Step = SetupStepName

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="setup_steps")
    step = models.CharField(max_length=12, choices=SetupStepName.choices)
    done_at = models.DateTimeField()

    class Meta:
        ordering = ["hub", "done_at"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "step"], name="setup_step_once_per_hub"),
            models.CheckConstraint(
                condition=Q(step__in=SetupStepName.values), name="setup_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id}: {self.step}"


class Role(models.TextChoices):
    MAKER = "maker", _("Maker")
    GROUP_LEADER = "group_leader", _("Group leader")
    POINT_HELPER = "point_helper", _("Point helper")
    DRIVER = "driver", _("Driver")
    HUB_STAFF = "hub_staff", _("Hub staff")
    COORDINATOR = "coordinator", _("Hub coordinator")
    LAUNDRY = "laundry", _("Laundry staff")


HUB_ROLES = {
    Role.MAKER,
    Role.GROUP_LEADER,
    Role.POINT_HELPER,
    Role.DRIVER,
    Role.HUB_STAFF,
    Role.COORDINATOR,
}
STAFF_ROLES = {Role.HUB_STAFF, Role.COORDINATOR}


class Membership(models.Model):
    """One role a person holds, scoped to a hub, a point of that hub, or a hospital.

    A person may hold several. Laundry staff are scoped to a hospital and never to a hub;
    point helpers to one point of their hub; every other role to a hub.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    hub = models.ForeignKey(
        Hub, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    hospital = models.ForeignKey(
        Hospital, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_scope_fits_role",
                condition=(
                    Q(
                        role=Role.LAUNDRY,
                        hospital__isnull=False,
                        hub__isnull=True,
                        point__isnull=True,
                    )
                    | Q(
                        role=Role.POINT_HELPER,
                        hub__isnull=False,
                        point__isnull=False,
                        hospital__isnull=True,
                    )
                    | (
                        Q(role__in=sorted(HUB_ROLES - {Role.POINT_HELPER}))
                        & Q(hub__isnull=False, hospital__isnull=True, point__isnull=True)
                    )
                ),
            ),
            # Partial unique indexes, not nulls_distinct, so SQLite enforces them too.
            models.UniqueConstraint(
                fields=["user", "role", "hub"],
                condition=Q(hub__isnull=False, point__isnull=True),
                name="membership_unique_hub_role",
            ),
            models.UniqueConstraint(
                fields=["user", "point"],
                condition=Q(point__isnull=False),
                name="membership_unique_point_helper",
            ),
            models.UniqueConstraint(
                fields=["user", "hospital"],
                condition=Q(hospital__isnull=False),
                name="membership_unique_laundry",
            ),
        ]
        indexes = [models.Index(fields=["hub", "role"])]

    def __str__(self) -> str:
        scope = self.hospital or self.point or self.hub
        return f"{self.user} — {self.get_role_display()} — {scope}"


class ShiftNote(models.Model):
    """A short note the outgoing shift leaves for the next one on the hub's dashboard."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="shift_notes")
    text = models.TextField(max_length=1000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="shift_note_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id}: {self.text[:40]}"


class KitBatch(models.Model):
    """Kits prepared together from one stock: what was drawn, by whom, and which kits it made,
    so their labels can be printed (and printed again) as one sheet."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="kit_batches")
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    garments_per_kit = models.PositiveIntegerField()
    kit_count = models.PositiveIntegerField()
    precut_stock = models.ForeignKey(
        "packages.PrecutStock",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kit_batches",
    )
    fabric_lot = models.ForeignKey(
        "packages.FabricLot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kit_batches",
    )
    metres_drawn = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    kits = models.ManyToManyField("packages.Kit", related_name="batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kit_count__gte=1, garments_per_kit__gte=1),
                name="kit_batch_has_kits",
            ),
            models.CheckConstraint(
                condition=Q(precut_stock__isnull=False, fabric_lot__isnull=True)
                | Q(precut_stock__isnull=True, fabric_lot__isnull=False),
                name="kit_batch_draws_from_one_stock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kit_count} kits of {self.garment_type} {self.size}"

    @property
    def garments(self) -> int:
        return self.kit_count * self.garments_per_kit


INVITABLE_ROLES = [
    Role.HUB_STAFF,
    Role.COORDINATOR,
    Role.DRIVER,
    Role.POINT_HELPER,
    Role.LAUNDRY,
]


class Invitation(models.Model):
    """A coordinator's invitation, by email, to take a role in their hub (or at one of its
    points, or as laundry staff of a hospital it supplies). Only a hash of the link's token
    is kept, so a copy of the database cannot be used to accept an invitation."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    hospital = models.ForeignKey(
        Hospital, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_fits_role",
                condition=(
                    Q(role=Role.LAUNDRY, hospital__isnull=False, point__isnull=True)
                    | Q(role=Role.POINT_HELPER, point__isnull=False, hospital__isnull=True)
                    | Q(
                        role__in=[Role.HUB_STAFF, Role.COORDINATOR, Role.DRIVER],
                        point__isnull=True,
                        hospital__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="invitation_accepted_or_cancelled_not_both",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.hub}"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def scope_name(self) -> str:
        return str(self.point or self.hospital or self.hub)
