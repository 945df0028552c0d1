"""The day before: a run's driver hears where the run goes and what to carry, and each
helper of a point open tomorrow hears what to expect there.

Both run from the daily reminders tick. Every message's key names the run (or the point,
the day and the helper), and the messages are queued in one bulk insert that skips keys
already in the outbox, so running twice, or twice at once, sends each one once. Reads are
a fixed number of queries however many runs and points there are. These messages may go by
text, so they carry no address and no maker's name: a doorstep is its postcode district.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from dropoffs.models import Run, RunStop
from dropoffs.selectors import points_day_ahead, stop_loads
from scrubhub.hubs.models import Hub, Membership, Role
from scrubhub.notifications.contacts import user_contact
from scrubhub.notifications.services import messages_queue_bulk, person_message

RUN_DAY_BEFORE = "run_day_before"
POINT_DAY_BEFORE = "point_day_before"


def _tomorrows(now: datetime) -> set[date]:
    """Tomorrow in every active hub's time zone (they need not all agree)."""
    zones = Hub.objects.filter(is_active=True).values_list("timezone", flat=True).distinct()
    return {timezone.localdate(now, timezone=ZoneInfo(zone)) + timedelta(days=1) for zone in zones}


def runs_day_before_send(*, now: datetime | None = None) -> int:
    """Tell each driver of a run planned for tomorrow its stops in order and its load;
    returns how many messages were queued. A cancelled run (or one already on the road,
    or done) sends nothing."""
    now = now or timezone.now()
    days = _tomorrows(now)
    if not days:
        return 0
    runs = [
        run
        for run in Run.objects.filter(status=Run.Status.PLANNED, day__in=days, hub__is_active=True)
        .select_related("hub", "driver__maker")
        .prefetch_related(
            Prefetch("stops", queryset=RunStop.objects.select_related("point").order_by("position"))
        )
        .order_by("pk")
        if run.day == run.hub.today(now) + timedelta(days=1)
    ]
    loads = stop_loads(stops=[stop for run in runs for stop in run.stops.all()])
    rows = []
    for run in runs:
        contact = user_contact(run.driver)
        stops = [(stop, loads[stop.pk]) for stop in run.stops.all()]
        row = person_message(
            hub=run.hub,
            kind=RUN_DAY_BEFORE,
            # The day and the driver are in the key: a run moved to another day, or given
            # to another driver, is told again.
            idempotency_key=f"run-eve:{run.pk}:{run.day.isoformat()}:{run.driver_id}",
            context={
                "name": contact.name,
                "run": run,
                "stops": stops,
                "pick_up_total": sum(load.pick_up_garments for _, load in stops),
                "leave_total": sum(load.leave_kits for _, load in stops),
                "run_url": _site_url(reverse("dropoffs:run", args=[run.pk])),
            },
            recipient_id=contact.recipient.pk,
            must_reach=True,
            **contact.message_fields,
        )
        if row is not None:
            rows.append(row)
    return messages_queue_bulk(rows)


def points_day_before_send(*, now: datetime | None = None) -> int:
    """Tell each helper of a point open tomorrow what is expected there (hand-ins planned,
    kits waiting for their makers, a driver's visit), in numbers; nothing when nothing is
    expected. Returns how many messages were queued."""
    now = now or timezone.now()
    expected = {day.point.pk: day for day in points_day_ahead(now=now)}
    if not expected:
        return 0
    helpers = (
        Membership.objects.filter(role=Role.POINT_HELPER, point_id__in=list(expected))
        .select_related("user__maker")
        .order_by("point_id", "user_id")
    )
    scan_url = _site_url(reverse("dropoffs:scan"))
    rows = []
    for membership in helpers:
        day = expected[membership.point_id]
        contact = user_contact(membership.user)
        row = person_message(
            hub=day.point.hub,
            kind=POINT_DAY_BEFORE,
            idempotency_key=(
                f"point-eve:{day.point.pk}:{day.day.isoformat()}:{membership.user_id}"
            ),
            context={"name": contact.name, "expected": day, "point_url": scan_url},
            recipient_id=membership.user_id,
            must_reach=True,
            **contact.message_fields,
        )
        if row is not None:
            rows.append(row)
    return messages_queue_bulk(rows)


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
