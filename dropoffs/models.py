"""Places where kits and garments change hands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["hub", "-created_at"]),
            models.Index(fields=["point", "-created_at"]),
        ]
        constraints = [
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
