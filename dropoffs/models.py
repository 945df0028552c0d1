"""Places where kits and garments change hands."""

from __future__ import annotations

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
