"""Points: a point's details and opening hours, and pausing, resuming and closing it (a
point closes only once nothing is left there and no open run stops at it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from dropoffs.models import OpeningHours, Point, RunStop
from dropoffs.services.common import OPEN_RUN, PointError, _postcode
from packages.models import Kit, PointHolding
from scrubhub.hubs.models import Hub

Hours = Sequence[tuple[int, time, time]]


def _check_point_fields(*, name: str, address: str, latitude, longitude, hours: Hours) -> None:
    if not name.strip():
        raise PointError("Please give the point a name people will recognise.")
    if not address.strip():
        raise PointError("Please give the point's address.")
    if not (-90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180):
        raise PointError("Those coordinates are not on the map. Click the map to place the point.")
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6:
            raise PointError("A week has seven days.")
        if closes <= opens:
            raise PointError(
                f"On {OpeningHours.Weekday(weekday).label} the point closes before it opens."
            )


def _hours_set(*, point: Point, hours: Hours) -> None:
    OpeningHours.objects.filter(point=point).delete()
    OpeningHours.objects.bulk_create(
        [OpeningHours(point=point, weekday=w, opens=o, closes=c) for w, o, c in hours]
    )


def point_create(
    *,
    hub,
    name: str,
    address: str,
    postcode: str,
    latitude: Decimal,
    longitude: Decimal,
    actor,
    opening_hours: str = "",
    hours: Hours = (),
    accepts_kit_collection: bool = True,
    accepts_finished_garments: bool = True,
    phone: str = "",
) -> Point:
    """A new point, open at once."""
    _check_point_fields(
        name=name, address=address, latitude=latitude, longitude=longitude, hours=hours
    )
    with transaction.atomic():
        # Two staff adding the same point at once: the second waits here, then is told
        # (the unique name in the database would otherwise refuse it with a server error).
        Hub.objects.select_for_update().filter(pk=hub.pk).first()
        if Point.objects.filter(hub=hub, name__iexact=name.strip()).exists():
            raise PointError(f"{hub.name} already has a point called {name.strip()}.")
        point = Point.objects.create(
            hub=hub,
            name=name.strip(),
            address=address.strip(),
            postcode=_postcode(postcode),
            phone=phone.strip(),
            latitude=latitude,
            longitude=longitude,
            opening_hours=opening_hours.strip(),
            accepts_kit_collection=accepts_kit_collection,
            accepts_finished_garments=accepts_finished_garments,
        )
        _hours_set(point=point, hours=hours)
    return point


def point_update(
    *,
    point: Point,
    actor,
    name: str,
    address: str,
    postcode: str,
    latitude: Decimal,
    longitude: Decimal,
    opening_hours: str = "",
    hours: Hours = (),
    accepts_kit_collection: bool = True,
    accepts_finished_garments: bool = True,
    phone: str = "",
) -> Point:
    """Change a point's details and opening hours."""
    _check_point_fields(
        name=name, address=address, latitude=latitude, longitude=longitude, hours=hours
    )
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if point.status == Point.Status.CLOSED:
            raise PointError(f"{point.name} is closed. Closed points are kept as they were.")
        clash = Point.objects.filter(hub_id=point.hub_id, name__iexact=name.strip())
        if clash.exclude(pk=point.pk).exists():
            raise PointError(f"There is already a point called {name.strip()}.")
        point.name = name.strip()
        point.address = address.strip()
        point.postcode = _postcode(postcode)
        point.phone = phone.strip()
        point.latitude, point.longitude = latitude, longitude
        point.opening_hours = opening_hours.strip()
        point.accepts_kit_collection = accepts_kit_collection
        point.accepts_finished_garments = accepts_finished_garments
        point.save()
        _hours_set(point=point, hours=hours)
    return point


def point_hours_set(*, point: Point, actor, opening_hours: str, hours: Hours) -> Point:
    """Change only when a point is open: the words people read and the times for each
    day (a point with no times takes any day)."""
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6:
            raise PointError("A week has seven days.")
        if closes <= opens:
            raise PointError(
                f"On {OpeningHours.Weekday(weekday).label} the point closes before it opens."
            )
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if point.status == Point.Status.CLOSED:
            raise PointError(f"{point.name} is closed. Closed points are kept as they were.")
        point.opening_hours = opening_hours.strip()
        point.save(update_fields=["opening_hours"])
        _hours_set(point=point, hours=hours)
    return point


POINT_ALLOWED = {
    Point.Status.ACTIVE: {Point.Status.PAUSED, Point.Status.CLOSED},
    Point.Status.PAUSED: {Point.Status.ACTIVE, Point.Status.CLOSED},
    Point.Status.CLOSED: set(),
}
POINT_VERBS = {
    Point.Status.ACTIVE: "opened",
    Point.Status.PAUSED: "paused",
    Point.Status.CLOSED: "closed",
}


def _point_status_set(*, point: Point, to: str, actor) -> Point:
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if to not in POINT_ALLOWED[point.status]:
            raise PointError(
                f"{point.name} is {point.get_status_display().lower()}, so it cannot be "
                f"{POINT_VERBS[to]}."
            )
        if to == Point.Status.CLOSED:
            held = PointHolding.objects.filter(point=point).aggregate(n=Sum("count"))["n"] or 0
            if held:
                raise PointError(
                    f"{point.name} still holds {held} finished garments. A driver must pick "
                    "them up before the point can close."
                )
            waiting = Kit.objects.filter(
                collection_point=point, status=Kit.Status.ALLOCATED
            ).count()
            if waiting:
                raise PointError(
                    f"{waiting} kits are waiting at {point.name} for their makers. Take them "
                    "back or give them out before the point can close."
                )
            stops = RunStop.objects.filter(
                point=point, status=RunStop.Status.TO_VISIT, run__status__in=OPEN_RUN
            )
            if stops.exists():
                raise PointError(
                    f"{point.name} is a stop on a run that has not finished. Finish or cancel "
                    "that run first."
                )
        point.status = to
        point.save(update_fields=["status"])
    return point


def point_pause(*, point: Point, actor) -> Point:
    """Stop makers being sent to the point for a while (it takes no kits or scrubs)."""
    return _point_status_set(point=point, to=Point.Status.PAUSED, actor=actor)


def point_resume(*, point: Point, actor) -> Point:
    return _point_status_set(point=point, to=Point.Status.ACTIVE, actor=actor)


def point_close(*, point: Point, actor) -> Point:
    """Close a point for good; only once nothing is left there."""
    return _point_status_set(point=point, to=Point.Status.CLOSED, actor=actor)
