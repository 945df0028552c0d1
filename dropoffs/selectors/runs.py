"""Reads of doorsteps and runs: the makers who asked for doorstep visits, a hub's and a
driver's runs, and a run's sheet (each stop, what to drop and pick up, a map link and the
number to call; doorstep addresses only for those who may see them)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from dropoffs.models import DoorstepAddress, Point, Run, RunStop, RunStopKit
from dropoffs.selectors.handovers import said_finished
from dropoffs.selectors.points import points_for_staff
from packages.models import (
    Kit,
    KitAssignment,
    PointHolding,
)

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
