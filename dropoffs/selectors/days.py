"""What a point's helpers and a run's driver should expect on a day: the day-before numbers
(no names: they may go by text) and a point's day by name for its own helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dropoffs.models import DoorstepAddress, OpeningHours, Point, Run, RunStop, RunStopKit
from dropoffs.selectors.handovers import said_finished
from dropoffs.selectors.points import hours_known, open_on, postcode_district
from packages.models import (
    Kit,
    KitAssignment,
    PointHolding,
)

# --- The day before: what a driver and a point's helpers should expect (issue 22) ---------


@dataclass
class StopLoad:
    """What a run's driver leaves and picks up at one stop, in numbers only: the
    day-before message may go by text, so a doorstep is its postcode district."""

    leave_kits: int = 0
    # At a point: garments waiting there. At a door: what the maker says is finished.
    pick_up_garments: int = 0
    kits_at_home: int = 0  # doorstep only: kits the maker is sewing
    area: str = ""  # doorstep only: "DD1"


def stop_loads(*, stops: list[RunStop]) -> dict[int, StopLoad]:
    """{stop_id: StopLoad} for any number of stops of any runs, in four queries (the run
    sheet's figures, run_sheet, without reading anything per stop)."""
    loads = {stop.pk: StopLoad() for stop in stops}
    if not stops:
        return loads
    for row in (
        RunStopKit.objects.filter(stop_id__in=list(loads), dropped_at__isnull=True)
        .values("stop_id")
        .annotate(n=Count("pk"))
    ):
        loads[row["stop_id"]].leave_kits = row["n"]
    point_ids = {stop.point_id for stop in stops if stop.point_id}
    held = dict(
        PointHolding.objects.filter(point_id__in=point_ids, count__gt=0)
        .values("point_id")
        .annotate(n=Sum("count"))
        .values_list("point_id", "n")
    )
    maker_ids = {stop.maker_id for stop in stops if stop.maker_id}
    finished: dict[int, int] = {}
    at_home: dict[int, int] = {}
    for assignment in KitAssignment.objects.filter(
        maker_id__in=maker_ids,
        ended_at__isnull=True,
        kit__status=Kit.Status.WITH_MAKER,
        kit__qty_with_maker__gt=0,
    ).select_related("kit"):
        maker_id = assignment.maker_id
        finished[maker_id] = finished.get(maker_id, 0) + said_finished(assignment.kit)
        at_home[maker_id] = at_home.get(maker_id, 0) + 1
    areas = dict(
        DoorstepAddress.objects.filter(maker_id__in=maker_ids).values_list("maker_id", "postcode")
    )
    for stop in stops:
        load = loads[stop.pk]
        if stop.point_id:
            load.pick_up_garments = held.get(stop.point_id, 0)
        else:
            load.pick_up_garments = finished.get(stop.maker_id, 0)
            load.kits_at_home = at_home.get(stop.maker_id, 0)
            load.area = postcode_district(areas.get(stop.maker_id, ""))
    return loads


@dataclass
class PointDay:
    """What a point's helpers can expect on one day it is open: no names, only numbers."""

    point: Point
    day: date
    openings: list[OpeningHours]
    makers_handing_in: int = 0  # finished scrubs, by return plans for that day
    garments_handing_in: int = 0
    unfinished_kits: int = 0  # kits makers plan to give back unfinished
    kits_to_collect: int = 0  # waiting there (or on their way) for their makers
    driver_visits: list[StopLoad] | None = None  # runs planned to call that day

    @property
    def anything_expected(self) -> bool:
        return bool(
            self.makers_handing_in
            or self.unfinished_kits
            or self.kits_to_collect
            or self.driver_visits
        )


def _left_or_coming(*, by_day: date) -> QuerySet[RunStopKit]:
    """For Exists() on a Kit: a driver has left it at its collection point, or a run not yet
    done calls there with it by `by_day`. A kit given to a maker waits at its point only
    once a driver has left it there (makers.selectors.kits_whereabouts)."""
    return RunStopKit.objects.filter(
        kit=OuterRef("pk"), stop__point=OuterRef("collection_point")
    ).filter(
        Q(dropped_at__isnull=False)
        | Q(
            stop__status=RunStop.Status.TO_VISIT,
            stop__run__status__in=[Run.Status.PLANNED, Run.Status.STARTED],
            stop__run__day__lte=by_day,
        )
    )


def points_day_ahead(*, now: datetime | None = None) -> list[PointDay]:
    """Every open point of an active hub that opens tomorrow (in its hub's time zone; a
    point with no hours takes any day) with anything expected there: return plans for the
    day, kits waiting for their makers, a driver's visit. A fixed number of queries."""
    from makers.models import ReturnPlan

    now = now or timezone.now()
    points = list(
        Point.objects.filter(status=Point.Status.ACTIVE, hub__is_active=True)
        .select_related("hub")
        .prefetch_related("hours")
        .order_by("pk")
    )
    days: dict[int, PointDay] = {}
    for point in points:
        tomorrow = point.hub.today(now) + timedelta(days=1)
        openings = open_on(point, tomorrow, now=now)
        if openings or not hours_known(point):
            days[point.pk] = PointDay(point=point, day=tomorrow, openings=openings)
    if not days:
        return []
    candidate_days = {day.day for day in days.values()}
    plans = (
        ReturnPlan.objects.filter(
            status=ReturnPlan.Status.OPEN, point_id__in=list(days), day__in=candidate_days
        )
        .values("point_id", "day")
        .annotate(
            makers=Count("maker_id", distinct=True, filter=Q(unfinished=False)),
            garments=Coalesce(Sum("finished_count", filter=Q(unfinished=False)), 0),
            unfinished=Count("pk", filter=Q(unfinished=True)),
        )
    )
    for row in plans:
        expected = days[row["point_id"]]
        if row["day"] == expected.day:
            expected.makers_handing_in = row["makers"]
            expected.garments_handing_in = row["garments"]
            expected.unfinished_kits = row["unfinished"]
    waiting = (
        Kit.objects.filter(status=Kit.Status.ALLOCATED, collection_point_id__in=list(days))
        .filter(Exists(_left_or_coming(by_day=max(candidate_days))))
        .values("collection_point_id")
        .annotate(n=Count("pk"))
    )
    for row in waiting:
        days[row["collection_point_id"]].kits_to_collect = row["n"]
    visits = list(
        RunStop.objects.filter(
            point_id__in=list(days),
            status=RunStop.Status.TO_VISIT,
            run__status=Run.Status.PLANNED,
            run__day__in=candidate_days,
        ).select_related("run")
    )
    loads = stop_loads(stops=visits)
    for stop in visits:
        expected = days[stop.point_id]
        if stop.run.day == expected.day:
            expected.driver_visits = [*(expected.driver_visits or []), loads[stop.pk]]
    return [day for day in days.values() if day.anything_expected]


# --- A point's day: who and what to expect, by name, for its helpers (issue 24) -----------


@dataclass
class DriverCall:
    """A run calling at the point that day: what its driver leaves and what they take."""

    stop: RunStop
    drops: list[RunStopKit]
    pick_ups: list[PointHolding]


@dataclass
class PointExpected:
    """What a point's helpers can expect on one day, to print or read at the door: the
    makers who said they would hand in there (by name, as the scan page shows them), the
    kits waiting for their makers and the drivers calling. points_day_ahead's rules, for
    one point and with names, for people allowed to see them."""

    point: Point
    day: date
    openings: list[OpeningHours]
    hand_ins: list = field(default_factory=list)  # ReturnPlan, maker and kit joined; `what`
    to_collect: list[Kit] = field(default_factory=list)  # each with `holder` and `left_here`
    driver_calls: list[DriverCall] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return hours_known(self.point) and not self.openings


def point_expected(*, point: Point, day: date, now: datetime | None = None) -> PointExpected:
    """Who and what to expect at a point on a day. Seven queries whatever the numbers."""
    from makers.models import ReturnPlan
    from packages.models import garments_text

    expected = PointExpected(point=point, day=day, openings=open_on(point, day, now=now))
    plans = (
        ReturnPlan.objects.filter(status=ReturnPlan.Status.OPEN, point=point, day=day)
        .select_related("maker", "kit")
        .order_by("maker__name", "kit__code")
    )
    for plan in plans:
        plan.what = garments_text(plan.kit.garment_type, plan.finished_count)
        expected.hand_ins.append(plan)
    holders = Prefetch(
        "assignments",
        queryset=KitAssignment.objects.filter(ended_at__isnull=True).select_related(
            "maker", "group"
        ),
        to_attr="open_assignments",
    )
    left_here = RunStopKit.objects.filter(
        kit=OuterRef("pk"), stop__point=OuterRef("collection_point"), dropped_at__isnull=False
    )
    kits = (
        Kit.objects.filter(status=Kit.Status.ALLOCATED, collection_point=point)
        .filter(Exists(_left_or_coming(by_day=day)))
        .annotate(left_here=Exists(left_here))
        .prefetch_related(holders)
        .order_by("code")
    )
    for kit in kits:
        kit.holder = kit.open_assignments[0] if kit.open_assignments else None
        expected.to_collect.append(kit)
    stops = list(
        RunStop.objects.filter(
            point=point,
            run__day=day,
            run__status__in=[Run.Status.PLANNED, Run.Status.STARTED, Run.Status.DONE],
        )
        .exclude(status=RunStop.Status.SKIPPED)
        .select_related("run")
        .prefetch_related(
            Prefetch("kits", queryset=RunStopKit.objects.select_related("kit").order_by("kit_id"))
        )
        .order_by("run__pk", "position")
    )
    if stops:
        held = list(
            PointHolding.objects.filter(point=point, count__gt=0)
            .select_related("kit")
            .order_by("kit_id")
        )
        expected.driver_calls = [
            DriverCall(
                stop=stop,
                drops=list(stop.kits.all()),
                pick_ups=held if stop.status == RunStop.Status.TO_VISIT else [],
            )
            for stop in stops
        ]
    return expected
