"""Reads of points: a hub's points, the public list (postcode districts, opening status in
words, the week's hours), which days a point is open, and the staff's list with what
waits at each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dropoffs.models import OpeningHours, Point
from packages.models import (
    Kit,
    PointHolding,
)


def points_for_hub(*, hub, active_only: bool = False) -> QuerySet[Point]:
    points = Point.objects.filter(hub=hub)
    return points.filter(status=Point.Status.ACTIVE) if active_only else points


# --- Public list of points --------------------------------------------------------------------


def public_points(*, hub=None) -> QuerySet[Point]:
    """Open points of active hubs that are open (or of one hub), with their hub and opening
    hours. A hub still waiting for an operator's approval shows none."""
    points = Point.objects.filter(
        status=Point.Status.ACTIVE, hub__is_active=True, hub__approval="approved"
    )
    if hub is not None:
        points = points.filter(hub=hub)
    return points.select_related("hub").prefetch_related("hours")


_DISTRICT = re.compile(r"^([A-Z]{1,2})(\d{1,2})([A-Z]?)")


def postcode_district(postcode: str) -> str:
    """The first half of a UK postcode ("DD1 4HN" -> "DD1"), or what was given."""
    compact = "".join((postcode or "").split()).upper()
    return compact[:-3] if len(compact) > 4 else compact


def district_sort_key(postcode: str) -> tuple:
    """Sorts DD2 before DD10, as people expect."""
    district = postcode_district(postcode)
    match = _DISTRICT.match(district)
    if not match:
        return (district, 0, "")
    return (match.group(1), int(match.group(2)), match.group(3))


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    text: str


def opening_status(point: Point, at: datetime | None = None) -> OpeningStatus:
    """Whether the point is open at a moment (in its hub's time zone), in words: "Open now
    until 16:00", "Closed now. Opens Tuesday at 10:00". Uses prefetched `hours`."""
    hours = list(point.hours.all())
    if not hours:
        return OpeningStatus(False, _("Opening hours not given"))
    local = timezone.localtime(at or timezone.now(), ZoneInfo(point.hub.timezone))
    today, now = local.weekday(), local.time().replace(second=0, microsecond=0)
    for slot in hours:
        if slot.weekday == today and slot.opens <= now < slot.closes:
            return OpeningStatus(True, _("Open now until %s") % f"{slot.closes:%H:%M}")
    for ahead in range(8):
        day = (today + ahead) % 7
        later = [s for s in hours if s.weekday == day and (ahead or s.opens > now)]
        if later:
            if ahead == 0:
                when = _("today")
            elif ahead == 1:
                when = _("tomorrow")
            else:
                when = str(OpeningHours.Weekday(day).label)
            first = min(later, key=lambda s: s.opens)
            return OpeningStatus(
                False,
                _("Closed now. Opens %(when)s at %(time)s")
                % {"when": when, "time": f"{first.opens:%H:%M}"},
            )
    return OpeningStatus(False, _("Closed now"))


def hours_by_day(point: Point) -> list[tuple[str, list[OpeningHours]]]:
    """The week, Monday first, each day with its openings (from prefetched `hours`)."""
    hours = list(point.hours.all())
    return [
        (str(label), [h for h in hours if h.weekday == value])
        for value, label in OpeningHours.Weekday.choices
    ]


# --- Which days a point is open (issue 25) --------------------------------------------------


def open_on(point: Point, day: date, *, now: datetime | None = None) -> list[OpeningHours]:
    """The point's openings on `day` still to come (today: those not yet closed, in its
    hub's time zone). Uses prefetched `hours`."""
    openings = [slot for slot in point.hours.all() if slot.weekday == day.weekday()]
    local = timezone.localtime(now or timezone.now(), ZoneInfo(point.hub.timezone))
    if day == local.date():
        openings = [slot for slot in openings if slot.closes > local.time()]
    return openings


def hours_known(point: Point) -> bool:
    """Whether the hub has told us the point's hours; a point without them takes any day."""
    return bool(point.hours.all())


def open_days_words(point: Point) -> str:
    """The weekdays a point opens, as people say them: "Monday to Saturday", "Tuesday,
    Thursday and Saturday", "every day"."""
    days = sorted({slot.weekday for slot in point.hours.all()})
    names = [str(OpeningHours.Weekday(day).label) for day in days]
    if len(days) == 7:
        return _("every day")
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
    if len(names) == 1:
        return names[0]
    return _("%(days)s and %(last)s") % {"days": ", ".join(names[:-1]), "last": names[-1]}


def closed_day_message(point: Point, day: date) -> str:
    """What a maker reads beside the day she chose when the point is shut that day."""
    if any(slot.weekday == day.weekday() for slot in point.hours.all()):
        return _("%(point)s has closed for today. Please choose another day.") % {
            "point": point.name
        }
    return _("%(point)s is open %(days)s. Please choose one of those days.") % {
        "point": point.name,
        "days": open_days_words(point),
    }


# --- Points for hub staff -----------------------------------------------------------------


def points_for_staff(*, hub) -> QuerySet[Point]:
    """Every point of the hub with `garments_held` (finished, waiting for a driver) and
    `kits_waiting` (allocated, waiting for makers): one query whatever the numbers."""
    held = (
        PointHolding.objects.filter(point=OuterRef("pk"), count__gt=0)
        .values("point")
        .annotate(n=Sum("count"))
        .values("n")
    )
    waiting = (
        Kit.objects.filter(collection_point=OuterRef("pk"), status=Kit.Status.ALLOCATED)
        .values("collection_point")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Point.objects.filter(hub=hub)
        .annotate(
            garments_held=Coalesce(Subquery(held, output_field=IntegerField()), 0),
            kits_waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), 0),
        )
        .prefetch_related("hours")
        .order_by("status", "name")
    )
