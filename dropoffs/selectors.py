"""Reads of points and handovers, scoped to a hub."""

from __future__ import annotations

from django.db.models import QuerySet

from dropoffs.models import Handover, Point


def points_for_hub(*, hub, active_only: bool = False) -> QuerySet[Point]:
    points = Point.objects.filter(hub=hub)
    return points.filter(status=Point.Status.ACTIVE) if active_only else points


def handovers_for_hub(*, hub) -> QuerySet[Handover]:
    """Newest first, with point and who recorded it; movements prefetched."""
    return (
        Handover.objects.filter(hub=hub)
        .select_related("point", "recorded_by")
        .prefetch_related("movements")
    )
