"""Places where kits and garments change hands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Point(models.Model):
    """A drop-off and pick-up point serving one hub (a shop, a church hall, a porch)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="points")
    name = models.CharField(max_length=200)
    address = models.TextField()
    postcode = models.CharField(max_length=10)
    # The place's own number (the hall, the shop), for the driver and the hub: printed on the
    # run sheet. Not a helper's own phone, which the point's page would show to every driver.
    phone = models.CharField(max_length=40, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    opening_hours = models.TextField(
        blank=True, help_text=_("For example: Mon–Fri 10:00–16:00, Sat 10:00–12:00.")
    )
    accepts_kit_collection = models.BooleanField(
        default=True, help_text=_("Makers can collect kits here.")
    )
    accepts_finished_garments = models.BooleanField(
        default=True, help_text=_("Makers can hand in finished scrubs here.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="point_coordinates_on_earth",
            ),
            models.UniqueConstraint(fields=["hub", "name"], name="point_name_unique_in_hub"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Handover(models.Model):
    """Kits or garments changing hands at a point, on a doorstep or at the hub. The garment
    movements it caused point back to it."""

    class Kind(models.TextChoices):
        COLLECTED_BY_MAKER = "collected_by_maker", _("Kit collected by maker")
        RETURNED_BY_MAKER = "returned_by_maker", _("Garments returned by maker")
        PICKED_UP_BY_DRIVER = "picked_up_by_driver", _("Picked up by driver")
        DELIVERED_TO_HUB = "delivered_to_hub", _("Delivered to the hub")

    class Location(models.TextChoices):
        POINT = "point", _("At a point")
        DOORSTEP = "doorstep", _("On a doorstep")
        HUB = "hub", _("At the hub")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="handovers")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    location = models.CharField(max_length=10, choices=Location.choices)
    point = models.ForeignKey(
        Point, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    maker = models.ForeignKey(
        "makers.Maker", on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    group = models.ForeignKey(
        "makers.MakerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    run = models.ForeignKey(
        "Run", on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    run_stop = models.ForeignKey(
        "RunStop", on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    # The key the helper's phone gave this handover when it was recorded (its outbox sends it
    # again until it hears back, maybe hours later): one handover per key, however often sent.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["hub", "-created_at"]),
            models.Index(fields=["point", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client_key"], name="handover_client_key_once"),
            models.CheckConstraint(
                condition=Q(location="point", point__isnull=False)
                | (~Q(location="point") & Q(point__isnull=True)),
                name="handover_point_when_at_point",
            ),
            models.CheckConstraint(
                condition=~Q(maker__isnull=False, group__isnull=False),
                name="handover_maker_or_group_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y})"


class OpeningHours(models.Model):
    """One opening of a point on one weekday (a point may open twice in a day). The point's
    free-text `opening_hours` stays as the words people read; these rows say "open now"."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_valid"),
            models.UniqueConstraint(
                fields=["point", "weekday", "opens"], name="hours_one_opening_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class DoorstepAddress(models.Model):
    """Where a maker who cannot get to a point wants kits brought and scrubs collected.

    Kept only for doorstep visits, and only with the maker's consent: it is deleted when
    they stop doorstep visits, and a driver sees it only for a stop on their own run.
    """

    maker = models.OneToOneField("makers.Maker", on_delete=models.CASCADE, related_name="doorstep")
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="doorsteps")
    address = models.TextField()
    postcode = models.CharField(max_length=10)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    access_notes = models.CharField(
        max_length=300, blank=True, help_text=_("For example: side door, ring twice.")
    )
    consent_wording = models.CharField(max_length=40)
    consent_given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="doorstep_coordinates_on_earth_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"Doorstep of maker {self.maker_id}"


class Run(models.Model):
    """A driver's round on one day: points and doorsteps, in the order the sheet gives."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("On the road")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="runs")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="runs"
    )
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    note = models.TextField(blank=True)
    distance_km = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-pk"]
        indexes = [
            models.Index(fields=["hub", "-day"]),
            models.Index(fields=["driver", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "started", "done", "cancelled"]),
                name="run_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False),
                name="run_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} on {self.day:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.PLANNED, self.Status.STARTED}


class RunStop(models.Model):
    """One stop of a run: a point, or a maker's doorstep."""

    class Kind(models.TextChoices):
        POINT = "point", _("Point")
        DOORSTEP = "doorstep", _("Doorstep")

    class Status(models.TextChoices):
        TO_VISIT = "to_visit", _("To visit")
        VISITED = "visited", _("Visited")
        SKIPPED = "skipped", _("Not visited")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    point = models.ForeignKey(
        Point, on_delete=models.PROTECT, null=True, blank=True, related_name="run_stops"
    )
    maker = models.ForeignKey(
        "makers.Maker", on_delete=models.PROTECT, null=True, blank=True, related_name="run_stops"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_VISIT)
    visited_at = models.DateTimeField(null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="point", point__isnull=False, maker__isnull=True)
                | Q(kind="doorstep", point__isnull=True, maker__isnull=False),
                name="run_stop_point_or_doorstep",
            ),
            models.UniqueConstraint(fields=["run", "position"], name="run_stop_position_unique"),
            models.UniqueConstraint(
                fields=["run", "point"],
                condition=Q(point__isnull=False),
                name="run_stop_point_once",
            ),
            models.UniqueConstraint(
                fields=["run", "maker"],
                condition=Q(maker__isnull=False),
                name="run_stop_maker_once",
            ),
            models.CheckConstraint(
                condition=Q(status="to_visit") | Q(visited_at__isnull=False),
                name="run_stop_visited_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Stop {self.position} of run {self.run_id}"


class RunStopKit(models.Model):
    """A kit the driver carries out on a run: to leave at a point for its maker, or to give
    to a maker on their doorstep."""

    stop = models.ForeignKey(RunStop, on_delete=models.CASCADE, related_name="kits")
    kit = models.ForeignKey("packages.Kit", on_delete=models.PROTECT, related_name="run_drops")
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stop", "kit"], name="run_stop_kit_once"),
        ]

    def __str__(self) -> str:
        return f"Kit {self.kit_id} at stop {self.stop_id}"
