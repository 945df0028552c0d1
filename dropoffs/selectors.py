"""Reads of points, handovers, doorsteps, runs and traces, scoped to a hub."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from dropoffs.models import DoorstepAddress, Handover, OpeningHours, Point, Run, RunStop, RunStopKit
from packages.models import (
    DeliveryAllocation,
    DeliveryLine,
    FabricLot,
    GarmentMovement,
    Kit,
    KitAssignment,
    PointHolding,
    garment_size_order,
)
from packages.selectors import wash_failures_for_kits


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


# --- Finding a maker's kits at a point ------------------------------------------------------

SEARCH_LIMIT = 20
EXPECTED_STATUSES = [Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER]


def _expected(*, hub, point=None) -> QuerySet[KitAssignment]:
    """The open assignments of kits expected at a point (to collect there, or held by
    someone who uses it), or anywhere in the hub when no point is given."""
    found = KitAssignment.objects.filter(
        ended_at__isnull=True, kit__hub=hub, kit__status__in=EXPECTED_STATUSES
    )
    if point is not None:
        found = found.filter(
            Q(kit__collection_point=point)
            | Q(maker__preferred_point=point)
            | Q(kit__movements__point=point)
        )
    return found


def assignment_expected(*, hub, point=None, code: str) -> KitAssignment | None:
    """The open assignment of the kit with this (normalised) code, if the kit is expected
    at the point (or anywhere in the hub when no point is given); holder joined in."""
    return (
        _expected(hub=hub, point=point)
        .filter(kit__code=code)
        .select_related("kit", "maker", "group")
        .first()
    )


def kits_expected(*, hub, point=None, query: str = "") -> list[KitAssignment]:
    """Open kits whose maker or group matches a name or phone number, among the kits
    expected at a point (to collect there, or held by someone who uses it), or anywhere in
    the hub when no point is given. At most SEARCH_LIMIT, holder and kit joined in."""
    query = query.strip()
    if len(query) < 2:
        return []
    found = _expected(hub=hub, point=point)
    digits = re.sub(r"\D", "", query)
    match = Q(maker__name__icontains=query) | Q(group__name__icontains=query)
    match |= Q(group__leader_name__icontains=query)
    if len(digits) >= 4:
        found = found.annotate(
            phone_digits=Replace(
                Replace(Replace("maker__phone", Value(" "), Value("")), Value("-"), Value("")),
                Value("+44"),
                Value("0"),
            )
        )
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        match |= Q(phone_digits__contains=digits)
    return list(
        found.filter(match)
        .select_related("kit", "kit__collection_point", "maker", "group")
        .distinct()
        .order_by("maker__name", "group__name", "kit_id")[:SEARCH_LIMIT]
    )


def holder_kits(*, assignment: KitAssignment) -> list[Kit]:
    """Every open kit of the same maker or group in the hub, for handing in several at once."""
    holder = (
        Q(assignments__maker_id=assignment.maker_id)
        if assignment.maker_id
        else Q(assignments__group_id=assignment.group_id)
    )
    return list(
        Kit.objects.filter(
            holder, assignments__ended_at__isnull=True, status__in=EXPECTED_STATUSES
        ).order_by("pk")
    )


def kit_point_holding(*, kit: Kit, point: Point | None) -> int:
    if point is None:
        return 0
    held = PointHolding.objects.filter(kit=kit, point=point).values_list("count", flat=True)
    return next(iter(held), 0)


# --- Doorsteps and runs -------------------------------------------------------------------------


def doorsteps_for_hub(*, hub) -> QuerySet[DoorstepAddress]:
    """Makers who asked for doorstep visits, with `kits_to_bring` (allocated, no point),
    `kits_at_home` (being sewn) and `garments_finished` (said finished, not handed in)."""
    open_holder = Q(maker=OuterRef("maker"), ended_at__isnull=True)

    def count_kits(**filters):
        return Coalesce(
            Subquery(
                KitAssignment.objects.filter(open_holder, **filters)
                .values("maker")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    on_run = RunStop.objects.filter(
        maker=OuterRef("maker"),
        status=RunStop.Status.TO_VISIT,
        run__status__in=[Run.Status.PLANNED, Run.Status.STARTED],
    ).values("run__day")[:1]
    return (
        DoorstepAddress.objects.filter(hub=hub)
        .exclude(maker__status="erased")
        .select_related("maker")
        .annotate(
            kits_to_bring=count_kits(
                kit__status=Kit.Status.ALLOCATED, kit__collection_point__isnull=True
            ),
            kits_at_home=count_kits(kit__status=Kit.Status.WITH_MAKER),
            next_visit=Subquery(on_run),
        )
        .order_by("maker__name")
    )


def runs_for_hub(*, hub) -> QuerySet[Run]:
    return (
        Run.objects.filter(hub=hub)
        .select_related("driver")
        .annotate(
            stop_count=Count("stops"),
            stops_left=Count("stops", filter=Q(stops__status=RunStop.Status.TO_VISIT)),
        )
        .order_by("-day", "-pk")
    )


def runs_for_driver(*, user) -> QuerySet[Run]:
    """The driver's runs not yet done (soonest first), then their last few done."""
    return (
        Run.objects.filter(driver=user)
        .exclude(status=Run.Status.CANCELLED)
        .select_related("hub")
        .annotate(
            stop_count=Count("stops"),
            stops_left=Count("stops", filter=Q(stops__status=RunStop.Status.TO_VISIT)),
        )
        .order_by("status", "day", "pk")
    )


MAP_SEARCH_URL = "https://www.openstreetmap.org/search?query="


def map_search_url(address: str, postcode: str) -> str:
    """A link that opens a map searched for the address: nothing is fetched by us, and
    the address leaves only when the driver taps it."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    return MAP_SEARCH_URL + quote(", ".join([*lines, postcode.strip()]))


@dataclass
class SheetStop:
    stop: RunStop
    drops: list[RunStopKit]
    # PointHolding rows at a point; on a doorstep the maker's kits, each with
    # `said_finished`.
    pick_ups: list
    doorstep: DoorstepAddress | None
    # A doorstep maker's phone, read (like her address) only for those who may see it.
    maker_phone: str = ""

    @property
    def phone(self) -> str:
        """The number to call about this stop: the point's, or the maker's at a door."""
        return self.stop.point.phone if self.stop.point_id else self.maker_phone

    @property
    def map_url(self) -> str:
        if self.stop.point_id:
            return map_search_url(self.stop.point.address, self.stop.point.postcode)
        if self.doorstep is not None:
            return map_search_url(self.doorstep.address, self.doorstep.postcode)
        return ""


def run_sheet(*, run: Run, with_addresses: bool) -> list[SheetStop]:
    """Each stop in order with what to drop and what to pick up. Doorstep addresses and
    makers' phones are only read when the viewer may see them. A fixed number of queries
    for any run."""
    stops = list(
        run.stops.select_related("point", "maker", "visited_by").prefetch_related(
            Prefetch("kits", queryset=RunStopKit.objects.select_related("kit").order_by("kit_id"))
        )
    )
    point_ids = [s.point_id for s in stops if s.point_id]
    maker_ids = [s.maker_id for s in stops if s.maker_id]
    holdings: dict[int, list] = {}
    for holding in (
        PointHolding.objects.filter(point_id__in=point_ids, count__gt=0)
        .select_related("kit")
        .order_by("kit_id")
    ):
        holdings.setdefault(holding.point_id, []).append(holding)
    at_home: dict[int, list] = {}
    for assignment in (
        KitAssignment.objects.filter(
            maker_id__in=maker_ids,
            ended_at__isnull=True,
            kit__status=Kit.Status.WITH_MAKER,
            kit__qty_with_maker__gt=0,
        )
        .select_related("kit")
        .order_by("kit_id")
    ):
        assignment.kit.said_finished = said_finished(assignment.kit)
        at_home.setdefault(assignment.maker_id, []).append(assignment.kit)
    doorsteps = {}
    if with_addresses and maker_ids:
        doorsteps = {d.maker_id: d for d in DoorstepAddress.objects.filter(maker_id__in=maker_ids)}
    return [
        SheetStop(
            stop=s,
            drops=list(s.kits.all()),
            pick_ups=holdings.get(s.point_id, []) if s.point_id else at_home.get(s.maker_id, []),
            doorstep=doorsteps.get(s.maker_id),
            maker_phone=s.maker.phone if s.maker_id and s.maker_id in doorsteps else "",
        )
        for s in stops
    ]


def waiting_at_points(*, hub) -> QuerySet[Point]:
    """Points with finished garments or kits waiting, for planning a run."""
    return points_for_staff(hub=hub).exclude(status=Point.Status.CLOSED)


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


# --- Traceability ---------------------------------------------------------------------------


def _lot_of(kit: Kit) -> FabricLot | None:
    if kit.fabric_lot_id:
        return kit.fabric_lot
    return kit.precut_stock.fabric_lot if kit.precut_stock_id else None


@dataclass
class KitTrace:
    kit: Kit
    count: int
    holders: list[KitAssignment]
    handovers: list[Handover]
    fabric_lot: FabricLot | None
    wash_failures: list = field(default_factory=list)  # in any delivery, oldest first


def _kit_traces(kit_counts: list[tuple[Kit, int]]) -> list[KitTrace]:
    kit_ids = [kit.pk for kit, _ in kit_counts]
    holders: dict[int, list] = {}
    for a in (
        KitAssignment.objects.filter(kit_id__in=kit_ids)
        .select_related("maker", "group")
        .order_by("assigned_at", "pk")
    ):
        holders.setdefault(a.kit_id, []).append(a)
    handovers: dict[int, dict[int, Handover]] = {}
    for m in (
        GarmentMovement.objects.filter(kit_id__in=kit_ids, handover__isnull=False)
        .select_related("handover", "handover__point", "handover__recorded_by")
        .order_by("created_at", "pk")
    ):
        handovers.setdefault(m.kit_id, {}).setdefault(m.handover_id, m.handover)
    failures = wash_failures_for_kits(kit_ids=kit_ids)
    return [
        KitTrace(
            kit=kit,
            count=count,
            holders=holders.get(kit.pk, []),
            handovers=list(handovers.get(kit.pk, {}).values()),
            fabric_lot=_lot_of(kit),
            wash_failures=failures.get(kit.pk, []),
        )
        for kit, count in kit_counts
    ]


def delivery_lines_for_hub(*, hub) -> QuerySet[DeliveryLine]:
    return (
        DeliveryLine.objects.filter(delivery__hub=hub)
        .select_related("delivery", "delivery__hospital")
        .order_by("-delivery__created_at", *garment_size_order())
    )


def delivery_line_trace(*, line: DeliveryLine) -> list[KitTrace]:
    """For each kit's share of a delivery line: its makers or group, every handover (point,
    time, who) and the fabric lot it came from. A fixed number of queries."""
    allocations = (
        DeliveryAllocation.objects.filter(line=line)
        .select_related("kit", "kit__fabric_lot", "kit__precut_stock__fabric_lot")
        .order_by("kit_id")
    )
    return _kit_traces([(a.kit, a.count) for a in allocations])


@dataclass
class LotTrace:
    kits: list[Kit]
    deliveries: list[DeliveryAllocation]
    totals: dict
    wash_failures: list = field(default_factory=list)  # on its kits, oldest first


def fabric_lot_trace(*, lot: FabricLot) -> LotTrace:
    """Where every garment cut from a lot went: its kits (directly, or through pre-cut
    pieces cut from it), their counts in each place, and the deliveries they went in."""
    kits = list(
        Kit.objects.filter(Q(fabric_lot=lot) | Q(precut_stock__fabric_lot=lot))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=KitAssignment.objects.select_related("maker", "group").order_by(
                    "assigned_at", "pk"
                ),
            )
        )
        .order_by("pk")
    )
    deliveries = list(
        DeliveryAllocation.objects.filter(kit__in=[k.pk for k in kits])
        .select_related("line", "line__delivery", "line__delivery__hospital", "kit")
        .order_by("line__delivery__created_at", "kit_id")
    )
    totals = {
        "garments": sum(k.garment_count for k in kits),
        "delivered": sum(k.qty_delivered for k in kits),
        "passed": sum(k.qty_passed + k.qty_reserved for k in kits),
        "with_makers": sum(k.qty_with_maker + k.qty_in_kit + k.qty_rework for k in kits),
        "on_the_way": sum(k.qty_at_point + k.qty_in_transit + k.qty_awaiting_check for k in kits),
        "written_off": sum(k.qty_written_off for k in kits),
        "back_in_stock": sum(k.qty_returned_to_stock for k in kits),
    }
    failures = wash_failures_for_kits(kit_ids=[k.pk for k in kits])
    for kit in kits:
        kit.washes_failed = sum(f.count for f in failures.get(kit.pk, []))
    totals["failed_in_wash"] = sum(k.washes_failed for k in kits)
    wash_failures = sorted(
        (f for found in failures.values() for f in found), key=lambda f: (f.reported_at, f.pk)
    )
    return LotTrace(kits=kits, deliveries=deliveries, totals=totals, wash_failures=wash_failures)


def fabric_lots_for_hub(*, hub) -> QuerySet[FabricLot]:
    return FabricLot.objects.filter(hub=hub).order_by("-created_at", "-pk")


# --- What can happen to a kit here and now ----------------------------------------------------


def said_finished(kit: Kit) -> int:
    """How many of the garments still with the maker she says are finished (0 when she
    has said nothing since her last hand-in)."""
    handed = kit.garment_count - kit.qty_with_maker - kit.qty_in_kit
    return max(0, min(kit.qty_with_maker, kit.finished_count - handed))


def take_back_default(kit: Kit) -> int:
    """The count offered when finished scrubs are taken from the maker: what she says is
    finished or, when she has not said, all she has (most often what is in the bag; the
    old fixed 1 was almost never right)."""
    return said_finished(kit) or kit.qty_with_maker


@dataclass(frozen=True)
class HandoverOption:
    action: str
    most: int | None = None
    default: int | None = None


def handover_options(*, kit: Kit, point: Point | None, held_here: int) -> tuple[list, str]:
    """The handovers a kit allows at a point (or, with no point, at the hub) right now, and a
    sentence saying why there are none when there are none."""
    options: list[HandoverOption] = []
    status = kit.status
    if status == Kit.Status.PREPARED:
        return [], _("This kit has not been given to a maker yet.")
    if status in {Kit.Status.CLOSED, Kit.Status.CANCELLED, Kit.Status.LOST}:
        return [], _("This kit is %s. There is nothing more to hand over.") % (
            kit.get_status_display().lower()
        )
    if status == Kit.Status.ALLOCATED:
        if point is None:
            return [HandoverOption("collect")], ""
        if kit.collection_point_id != point.pk:
            if kit.collection_point_id:
                return [], _("This kit waits at %s, not here. Please send the maker there.") % (
                    kit.collection_point.name
                )
            return [], _("This kit is waiting at the hub, not at a point.")
        if not point.is_active or not point.accepts_kit_collection:
            return [], _("This point is not giving out kits at the moment.")
        return [HandoverOption("collect")], ""
    # With the maker.
    takes_scrubs = point is None or (point.is_active and point.accepts_finished_garments)
    if kit.qty_with_maker and takes_scrubs:
        options.append(HandoverOption("return", kit.qty_with_maker, take_back_default(kit)))
        options.append(HandoverOption("unfinished", kit.qty_with_maker, said_finished(kit)))
    if kit.qty_rework and takes_scrubs:
        options.append(HandoverOption("return_rework", kit.qty_rework, kit.qty_rework))
    if point is not None and held_here:
        options.append(HandoverOption("pick_up", held_here, held_here))
    if point is None and kit.qty_in_transit:
        options.append(HandoverOption("arrive", kit.qty_in_transit, kit.qty_in_transit))
    if options:
        return options, ""
    if not takes_scrubs:
        return [], _("This point is not taking finished scrubs at the moment.")
    return [], _("Everything the maker had from this kit has already been handed in.")
