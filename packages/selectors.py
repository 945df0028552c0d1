"""Reads of stock, kits, garments, demand and deliveries, scoped to a hub or hospital."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404

from packages.codes import normalise_kit_code
from packages.models import (
    PLACES,
    Delivery,
    DeliveryLine,
    DemandLine,
    GarmentMovement,
    GarmentType,
    HubTally,
    Kit,
    KitAssignment,
    Place,
    PointHolding,
    Size,
    garment_size_key,
    garment_size_order,
    qty_field,
    sets,
)
from packages.planning import current_patterns, request_forecasts


def kits_for_hub(*, hub, status: str | None = None) -> QuerySet[Kit]:
    """The hub's kits, newest first. No prefetch: add what the page shows."""
    kits = Kit.objects.filter(hub=hub)
    return kits.filter(status=status) if status else kits


def kit_for_code(*, hub, code: str) -> Kit | None:
    """The hub's kit with this code, forgiving how it was typed; None if there is none."""
    normal = normalise_kit_code(code)
    if not normal:
        return None
    return Kit.objects.filter(hub=hub, code=normal).first()


def kit_for_staff(*, hub, code: str) -> Kit:
    """The kit a hub staff member's page names by code (as typed or printed), with its
    pattern and collection point, else Http404: another hub's kit is never revealed, not
    even that it exists. The staff role itself is checked by hub_staff_required."""
    normal = normalise_kit_code(code)
    kit = (
        Kit.objects.filter(hub=hub, code=normal)
        .select_related("pattern", "collection_point")
        .first()
        if normal
        else None
    )
    if kit is None:
        raise Http404
    return kit


def kit_holder(*, kit: Kit) -> KitAssignment | None:
    """The open assignment (maker or group) of a kit, with both related rows."""
    return (
        KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
        .select_related("maker", "group")
        .first()
    )


def kits_held_by(*, maker=None, group=None) -> QuerySet[Kit]:
    """Kits a maker or group holds now (open assignments)."""
    holder = Q(assignments__maker=maker) if maker is not None else Q(assignments__group=group)
    return Kit.objects.filter(holder, assignments__ended_at__isnull=True)


def kit_movements(*, kit: Kit) -> QuerySet[GarmentMovement]:
    """A kit's garment movements in order, with point, handover and actor."""
    return kit.movements.select_related("point", "handover", "actor").order_by("created_at", "pk")


def kit_counts_replay(*, kit: Kit) -> dict[str, int]:
    """A kit's counts rebuilt from its movements alone (an audit of the counts columns)."""
    counts = dict.fromkeys(PLACES, 0)
    for from_place, to_place, count in kit.movements.values_list(
        "from_place", "to_place", "count"
    ).order_by("pk"):
        if from_place:
            counts[from_place] -= count
        counts[to_place] += count
    return counts


def kits_waiting_at_point(*, point) -> QuerySet[Kit]:
    """Allocated kits waiting at a point for their maker (partial index on status)."""
    return Kit.objects.filter(collection_point=point, status=Kit.Status.ALLOCATED)


def holdings_at_point(*, point) -> QuerySet[PointHolding]:
    """Finished garments waiting at a point, per kit, with the kit."""
    return PointHolding.objects.filter(point=point, count__gt=0).select_related("kit")


def points_holding_garments(*, hub):
    """The hub's points with finished garments waiting, annotated with `garments_held`."""
    from dropoffs.models import Point

    # A sum per point, not a join: the planner may not turn it into a walk through every
    # hub's holdings, so each of the hub's few points reads its own (holding_nonzero_idx).
    held = (
        PointHolding.objects.filter(point=OuterRef("pk"), count__gt=0)
        .order_by()
        .values("point")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return (
        Point.objects.filter(hub=hub)
        .annotate(garments_held=Subquery(held, output_field=IntegerField()))
        .filter(garments_held__gt=0)
        .order_by("name")
    )


def points_holding_garments_count(*, hub) -> int:
    """How many of the hub's points hold finished garments: one look per point for any
    holding (holding_nonzero_idx), where points_holding_garments() sums each point's."""
    from dropoffs.models import Point

    holds_some = PointHolding.objects.filter(point=OuterRef("pk"), count__gt=0)
    return Point.objects.filter(hub=hub).filter(Exists(holds_some)).count()


@dataclass
class SizeFigures:
    """One size's garments in each place, tops and trousers, and the sets they make."""

    size: str
    tops: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    trousers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLACES, 0))
    tops_received_by_laundry: int = 0
    trousers_received_by_laundry: int = 0

    def sets_in(self, place: str) -> int:
        return sets(self.tops[place], self.trousers[place])

    @property
    def sets_delivered(self) -> int:
        return self.sets_in("delivered")

    @property
    def sets_ready(self) -> int:
        return self.sets_in("passed")

    @property
    def sets_received(self) -> int:
        return sets(self.tops_received_by_laundry, self.trousers_received_by_laundry)


def hub_figures(*, hub) -> list[SizeFigures]:
    """Per-size figures for the hub's dashboard from its tallies: one query, whatever the
    number of kits."""
    figures = {size: SizeFigures(size=size) for size in Size.values}
    for tally in HubTally.objects.filter(hub=hub):
        row = figures[tally.size]
        counts = {p: getattr(tally, qty_field(p)) for p in PLACES}
        if tally.garment_type == GarmentType.TOP:
            row.tops, row.tops_received_by_laundry = counts, tally.received_by_laundry
        else:
            row.trousers, row.trousers_received_by_laundry = counts, tally.received_by_laundry
    return [figures[size] for size in Size.values]


@dataclass(frozen=True)
class DeliveredFigures:
    """Garments and sets that have gone to the hospital, and what its laundry counted.
    Every page and summary that says how much has been delivered in all reads this, so
    "sent" and "received" mean the same everywhere:

    - sent: in deliveries that have left the hub, confirmed or still on the way, as sent;
    - received: what the laundry counted in the deliveries it has confirmed;
    - on the way: sent, not yet confirmed.
    """

    garments_sent: int = 0
    garments_received: int = 0
    garments_on_the_way: int = 0
    sets_sent: int = 0
    sets_received: int = 0

    @property
    def garments_confirmed_sent(self) -> int:
        """Sent in the deliveries the laundry has confirmed (to set against received)."""
        return self.garments_sent - self.garments_on_the_way


def _delivered_figures(rows: dict[tuple[str, str], tuple[int, int, int]]) -> DeliveredFigures:
    """rows: (sent, received, on the way) per garment type and size."""

    def sets_of(index: int) -> int:
        return sum(
            sets(
                rows.get((GarmentType.TOP, size), (0, 0, 0))[index],
                rows.get((GarmentType.TROUSERS, size), (0, 0, 0))[index],
            )
            for size in Size.values
        )

    return DeliveredFigures(
        garments_sent=sum(row[0] for row in rows.values()),
        garments_received=sum(row[1] for row in rows.values()),
        garments_on_the_way=sum(row[2] for row in rows.values()),
        sets_sent=sets_of(0),
        sets_received=sets_of(1),
    )


def delivered_figures(*, hub=None, hospital=None) -> DeliveredFigures:
    """What a hub has delivered in all (to every hospital it supplies), or what a hospital
    has had (from every hub, or from one hub when both are given). A hub alone reads its
    tallies and the deliveries still on the way (two small queries at any size); a
    hospital reads its deliveries' lines grouped by garment and size."""
    from django.db.models.functions import Coalesce

    if hub is None and hospital is None:
        raise ValueError("Say whose deliveries: a hub, a hospital or both.")
    S = Delivery.Status
    if hospital is None:
        on_the_way = {
            (r["garment_type"], r["size"]): r["total"] or 0
            for r in DeliveryLine.objects.filter(delivery__hub=hub, delivery__status=S.SENT)
            .values("garment_type", "size")
            .annotate(total=Sum("count_sent"))
            .order_by()
        }
        rows = {}
        for tally in HubTally.objects.filter(hub=hub).only(
            "garment_type", "size", qty_field("delivered"), "received_by_laundry"
        ):
            key = (tally.garment_type, tally.size)
            rows[key] = (
                tally.qty_delivered + on_the_way.get(key, 0),
                tally.received_by_laundry,
                on_the_way.get(key, 0),
            )
        for key, count in on_the_way.items():
            rows.setdefault(key, (count, 0, count))
        return _delivered_figures(rows)
    lines = DeliveryLine.objects.filter(
        delivery__hospital=hospital, delivery__status__in=[S.SENT, S.RECEIVED]
    )
    if hub is not None:
        lines = lines.filter(delivery__hub=hub)
    grouped = (
        lines.values("garment_type", "size")
        .annotate(
            sent=Coalesce(Sum("count_sent"), 0),
            received=Coalesce(Sum("count_received", filter=Q(delivery__status=S.RECEIVED)), 0),
            on_the_way=Coalesce(Sum("count_sent", filter=Q(delivery__status=S.SENT)), 0),
        )
        .order_by()
    )
    return _delivered_figures(
        {
            (r["garment_type"], r["size"]): (r["sent"], r["received"], r["on_the_way"])
            for r in grouped
        }
    )


def tallies_drift(*, hub=None) -> list[str]:
    """Compare the tallies with the sum of the kits' own counts. Returns one sentence per
    difference; an empty list means the counters are right."""
    kits = Kit.objects.all() if hub is None else Kit.objects.filter(hub=hub)
    tallies = HubTally.objects.all() if hub is None else HubTally.objects.filter(hub=hub)
    sums = {
        (row["hub_id"], row["garment_type"], row["size"]): row
        for row in kits.values("hub_id", "garment_type", "size").annotate(
            **{qty_field(p): Sum(qty_field(p)) for p in PLACES}
        )
    }
    problems = []
    seen = set()
    for tally in tallies:
        key = (tally.hub_id, tally.garment_type, tally.size)
        seen.add(key)
        expected = sums.get(key, {})
        for place in PLACES:
            want = expected.get(qty_field(place)) or 0
            have = getattr(tally, qty_field(place))
            if want != have:
                problems.append(
                    f"Hub {key[0]} {key[1]} {key[2]} {place}: tally {have}, kits {want}"
                )
    for key in sums.keys() - seen:
        if any(sums[key][qty_field(p)] for p in PLACES):
            problems.append(f"Hub {key[0]} {key[1]} {key[2]}: kits but no tally")
    return problems


def open_demand_for_hub(*, hub) -> QuerySet[DemandLine]:
    """Open requests from the hospitals the hub supplies, most urgent first."""
    return (
        DemandLine.objects.filter(hospital__hubs=hub, status=DemandLine.Status.OPEN)
        .select_related("hospital")
        .order_by("needed_by", "pk")
    )


def demand_for_hospital(*, hospital) -> QuerySet[DemandLine]:
    return DemandLine.objects.filter(hospital=hospital).order_by("-created_at")


def deliveries_for_hub(*, hub) -> QuerySet[Delivery]:
    """The hub's deliveries with their hospital and lines."""
    return Delivery.objects.filter(hub=hub).select_related("hospital").prefetch_related("lines")


def deliveries_for_hospital(*, hospital) -> QuerySet[Delivery]:
    """What a laundry sees: deliveries to its hospital, with lines, and no maker data."""
    return (
        Delivery.objects.filter(hospital=hospital)
        .exclude(status=Delivery.Status.DRAFT)
        .select_related("hub")
        .prefetch_related("lines")
    )


# --- The laundry and the hub's deliveries (issue 9) ---------------------------------------
#
# Nothing here that a laundry page uses reads a maker, a group or their assignments: the
# laundry gets counts and kit codes, never people.

# Garments still being made for a hospital: everything at the hub's side that is neither
# packed, delivered nor lost.
IN_PRODUCTION_PLACES = [
    "in_kit",
    "with_maker",
    "at_point",
    "in_transit",
    "awaiting_check",
    "rework",
    "passed",
]


def demand_lines_for_laundry(*, user) -> QuerySet[DemandLine]:
    """Requests from the hospitals whose laundry the user works in (empty for anyone else)."""
    from scrubhub.hubs.permissions import laundry_hospitals

    return DemandLine.objects.filter(hospital__in=[h.pk for h in laundry_hospitals(user)])


def deliveries_for_laundry(*, user) -> QuerySet[Delivery]:
    """Deliveries sent to the hospitals whose laundry the user works in."""
    from scrubhub.hubs.permissions import laundry_hospitals

    return (
        Delivery.objects.filter(hospital__in=[h.pk for h in laundry_hospitals(user)])
        .exclude(status__in=[Delivery.Status.DRAFT, Delivery.Status.CANCELLED])
        .select_related("hub", "hospital")
    )


def deliveries_for_staff(*, user) -> QuerySet[Delivery]:
    """Deliveries of every hub the user is staff of."""
    from scrubhub.hubs.permissions import staff_hubs

    return Delivery.objects.filter(hub__in=[h.pk for h in staff_hubs(user)]).select_related(
        "hub", "hospital"
    )


def most_urgent_open_demand(*, hospital_id: int, garment_type: str, size: str):
    return (
        DemandLine.objects.filter(
            hospital_id=hospital_id,
            garment_type=garment_type,
            size=size,
            status=DemandLine.Status.OPEN,
        )
        .most_urgent_first()
        .first()
    )


@dataclass
class DemandFigures:
    """One request as the laundry sees it: counts only."""

    line: DemandLine
    delivered: int = 0
    on_the_way: int = 0
    in_production: int = 0
    # When it will be ready: a date, or None (not at the current rate, or a closed request).
    forecast: date | None = None
    # The planning's RequestForecast (late or not); None for a closed request.
    outlook: object = None

    @property
    def late(self) -> bool:
        return bool(self.outlook is not None and self.outlook.late)

    @property
    def still_needed(self) -> int:
        return max(0, self.line.quantity - self.delivered)

    @property
    def percent_delivered(self) -> int:
        return min(100, round(100 * self.delivered / self.line.quantity))


def production_pool(*, hospital) -> dict[tuple[str, str], int]:
    """Garments being made, per garment and size, at the hubs that supply the hospital."""
    fields = [qty_field(p) for p in IN_PRODUCTION_PLACES]
    rows = (
        HubTally.objects.filter(hub__hospitals=hospital)
        .values("garment_type", "size")
        .annotate(**{f"sum_{f}": Sum(f) for f in fields})
        .order_by()
    )
    return {(r["garment_type"], r["size"]): sum(r[f"sum_{f}"] or 0 for f in fields) for r in rows}


def _ready_on(outlook):
    return None if outlook is None else outlook.ready_on


def open_demand_figures(*, hospital, today=None) -> list[DemandFigures]:
    """The hospital's open requests, most urgent first, each with what has been delivered,
    what is on the way, what the hubs are making for it and the hubs' forecast of when it
    will be met. Garments being made are shared out in urgency order, so two requests for
    the same size never both count the same garments. A fixed number of queries, however
    many requests there are."""
    lines = list(
        DemandLine.objects.filter(hospital=hospital, status=DemandLine.Status.OPEN)
        .with_delivery_sums()
        .most_urgent_first()
    )
    pool = production_pool(hospital=hospital)
    # Each request's own forecast: an urgent one waits only for those ahead of it.
    forecast = request_forecasts(hospital_ids=[hospital.pk], today=today)
    figures = []
    for line in lines:
        key = (line.garment_type, line.size)
        outstanding = max(0, line.quantity - line.delivered - line.on_the_way)
        making = min(outstanding, line.packed + pool.get(key, 0))
        # What this request takes from the pool is no longer there for the next one.
        pool[key] = max(0, pool.get(key, 0) - max(0, making - line.packed))
        figures.append(
            DemandFigures(
                line=line,
                delivered=line.delivered,
                on_the_way=line.on_the_way,
                in_production=making,
                forecast=_ready_on(forecast.get(line.pk)),
                outlook=forecast.get(line.pk),
            )
        )
    return figures


def closed_demand(*, hospital) -> QuerySet[DemandLine]:
    """Requests that were met or withdrawn, latest change first, with delivered totals."""
    return (
        DemandLine.objects.filter(hospital=hospital)
        .exclude(status=DemandLine.Status.OPEN)
        .with_delivery_sums()
        .order_by("-changed_at", "-pk")
    )


def demand_line_figures(*, line: DemandLine) -> DemandFigures:
    """One request's figures (the same sharing-out as the list, so the numbers agree)."""
    if line.status == DemandLine.Status.OPEN:
        for figures in open_demand_figures(hospital=line.hospital):
            if figures.line.pk == line.pk:
                return figures
    annotated = DemandLine.objects.filter(pk=line.pk).with_delivery_sums().get()
    return DemandFigures(
        line=annotated, delivered=annotated.delivered, on_the_way=annotated.on_the_way
    )


def demand_history(*, line: DemandLine):
    """Who changed a request and when, oldest first. Only laundry staff change requests."""
    return line.changes.select_related("actor").order_by("created_at", "pk")


def deliveries_with_discrepancy(*, hub) -> QuerySet[Delivery]:
    """Received deliveries where what arrived differs from what was sent and staff have not
    yet said it is sorted out: for the hub dashboard."""
    return (
        Delivery.objects.filter(
            hub=hub,
            status=Delivery.Status.RECEIVED,
            discrepancy_resolved_at__isnull=True,
        )
        .exclude(discrepancy_note="")
        .select_related("hospital")
        .order_by("-received_at", "-pk")
    )


def wash_failures_for_hub(*, hub):
    """Wash failures the laundries reported on the hub's deliveries, newest first."""
    from packages.models import WashFailure

    return WashFailure.objects.filter(delivery__hub=hub).select_related(
        "delivery", "delivery__hospital", "line", "kit"
    )


def wash_failures_to_look_at(*, hub) -> QuerySet:
    """The hub's wash failures no one has looked at yet, oldest first (the dashboard's to-do
    counts them on a partial index)."""
    from packages.models import WashFailure

    return (
        wash_failures_for_hub(hub=hub)
        .filter(status=WashFailure.Status.TO_LOOK_AT)
        .order_by("reported_at", "pk")
    )


def wash_failure_makers(failures: list) -> dict[int, object]:
    """{kit id: the maker or group who sewed it (its latest holder)} for these failures'
    kits, in one query, for hub staff only."""
    kit_ids = {f.kit_id for f in failures if f.kit_id}
    holders: dict[int, object] = {}
    for assignment in (
        KitAssignment.objects.filter(kit_id__in=kit_ids)
        .select_related("maker", "group")
        .order_by("kit_id", "-assigned_at", "-pk")
    ):
        holders.setdefault(assignment.kit_id, assignment)
    return holders


def wash_failures_for_maker(*, maker) -> list:
    """Wash failures on kits this maker sewed (she is the kit's latest holder, as on the
    delivery's trace), newest first, with the delivery, hospital and kit: one query."""
    from packages.models import WashFailure

    later = KitAssignment.objects.filter(kit=OuterRef("kit_id"), pk__gt=OuterRef("pk"))
    theirs = KitAssignment.objects.filter(maker=maker).exclude(Exists(later)).values("kit_id")
    return list(
        WashFailure.objects.filter(kit_id__in=theirs)
        .select_related("delivery__hospital", "line", "kit")
        .order_by("-reported_at", "-pk")
    )


def wash_failures_for_kits(*, kit_ids) -> dict[int, list]:
    """{kit id: its wash failures, oldest first}, with delivery and hospital: one query."""
    from packages.models import WashFailure

    found: dict[int, list] = {}
    for failure in (
        WashFailure.objects.filter(kit_id__in=kit_ids)
        .select_related("delivery__hospital", "line")
        .order_by("reported_at", "pk")
    ):
        found.setdefault(failure.kit_id, []).append(failure)
    return found


@dataclass(frozen=True)
class LaundryKit:
    """A kit as the laundry may see it: its code, garment and size, nothing of who sewed
    it."""

    code: str
    display_code: str
    line_id: int
    garment: str
    size: str
    count: int


def delivery_kits_for_laundry(*, delivery: Delivery) -> list[LaundryKit]:
    """The kits whose garments went into a delivery, for the laundry to say which one failed
    in the wash: codes, garments and sizes only (never a maker). One query."""
    from packages.models import DeliveryAllocation

    rows = sorted(
        DeliveryAllocation.objects.filter(
            line__delivery=delivery, line__count_received__gt=0
        ).values_list("kit__code", "line_id", "line__garment_type", "line__size", "count"),
        key=lambda row: (garment_size_key(row[2], row[3]), row[0]),
    )
    return [
        LaundryKit(
            code=code,
            display_code=Kit(code=code).display_code,
            line_id=line_id,
            garment=str(GarmentType(garment_type).label),
            size=size,
            count=count,
        )
        for code, line_id, garment_type, size, count in rows
    ]


def quality_requirements_for_hospital(*, hospital) -> QuerySet:
    from packages.models import QualityRequirement

    return QualityRequirement.objects.filter(hospital=hospital, is_active=True).order_by(
        "title", "pk"
    )


def quality_requirements_for_hub(*, hub, garment_type: str | None = None) -> QuerySet:
    """What the hospitals the hub supplies need of every garment (or of one garment type):
    for the sewing instructions and the quality check."""
    from packages.models import QualityRequirement

    requirements = QualityRequirement.objects.filter(
        hospital__hubs=hub, is_active=True
    ).select_related("hospital")
    if garment_type:
        requirements = requirements.filter(Q(garment_type="") | Q(garment_type=garment_type))
    return requirements.order_by("hospital__name", "title", "pk")


def kits_awaiting_check(*, hub) -> QuerySet[Kit]:
    """The hub's kits with garments waiting to be checked, longest waiting first, each with
    `waiting_since` (when garments last arrived for checking) and `sewers` (the latest
    holder): three queries for any page."""
    arrived = (
        GarmentMovement.objects.filter(kit=OuterRef("pk"), to_place=Place.AWAITING_CHECK)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return (
        Kit.objects.filter(hub=hub, qty_awaiting_check__gt=0)
        .annotate(waiting_since=Subquery(arrived, output_field=DateTimeField()))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=KitAssignment.objects.select_related("maker", "group").order_by(
                    "-assigned_at", "-pk"
                ),
                to_attr="holders_newest_first",
            )
        )
        .order_by("waiting_since", "pk")
    )


def quality_check_reasons(*, hub, garment_type: str | None = None) -> list[str]:
    """Reasons to offer when a garment fails the hub's check, from the hospitals' own
    requirements ("Does not meet: 1 cm seam allowance"), without repeats."""
    seen: dict[str, None] = {}
    for title in quality_requirements_for_hub(hub=hub, garment_type=garment_type).values_list(
        "title", flat=True
    ):
        seen.setdefault(f"Does not meet: {title}", None)
    return list(seen)


def delivery_lines_for_laundry(*, delivery: Delivery) -> list:
    """A delivery's lines with `failed` (reported wash failures). No kits, no makers."""
    from django.db.models.functions import Coalesce

    return list(
        delivery.lines.filter(count_sent__gt=0)
        .annotate(failed=Coalesce(Sum("wash_failures__count"), 0))
        .order_by(*garment_size_order())
    )


@dataclass
class TracedLine:
    """A delivery line as the hub sees it: the kits in it and who sewed each."""

    line: object
    kits: list = field(default_factory=list)  # (allocation, holder or None, failed)
    failed: int = 0
    failures: list = field(default_factory=list)


def delivery_trace(*, delivery: Delivery) -> list[TracedLine]:
    """For hub staff only: each line's kits, the maker or group who sewed each (the kit's
    latest holder) and the wash failures reported against the line and its kits. Four
    queries however big the delivery."""
    from packages.models import DeliveryAllocation, WashFailure

    lines = list(
        delivery.lines.filter(count_sent__gt=0)
        .select_related("demand_line")
        .order_by(*garment_size_order())
    )
    traced = {line.pk: TracedLine(line=line) for line in lines}
    allocations = list(
        DeliveryAllocation.objects.filter(line__delivery=delivery)
        .select_related("kit")
        .order_by("kit__code")
    )
    holders: dict[int, object] = {}
    for assignment in (
        KitAssignment.objects.filter(kit_id__in=[a.kit_id for a in allocations])
        .select_related("maker", "group")
        .order_by("kit_id", "-assigned_at", "-pk")
    ):
        holders.setdefault(assignment.kit_id, assignment.holder)
    failures = list(
        WashFailure.objects.filter(delivery=delivery)
        .select_related("kit", "reported_by")
        .order_by("reported_at", "pk")
    )
    failed_per_kit: dict[int, int] = {}
    for failure in failures:
        if failure.line_id in traced:
            traced[failure.line_id].failed += failure.count
            traced[failure.line_id].failures.append(failure)
        if failure.kit_id:
            failed_per_kit[failure.kit_id] = failed_per_kit.get(failure.kit_id, 0) + failure.count
    for allocation in allocations:
        if allocation.line_id in traced:
            traced[allocation.line_id].kits.append(
                (
                    allocation,
                    holders.get(allocation.kit_id),
                    failed_per_kit.get(allocation.kit_id, 0),
                )
            )
    return list(traced.values())


@dataclass
class PackRow:
    """One garment and size the hub could pack for a hospital."""

    garment_type: str
    size: str
    ready: int  # passed the check and free
    demand: DemandLine | None  # the most urgent open request for it
    outstanding: int  # what that request still needs, after deliveries and packing
    packed: int  # already in this delivery

    @property
    def key(self) -> str:
        return f"{self.garment_type}_{self.size}"

    @property
    def suggested(self) -> int:
        return min(self.ready, self.outstanding)

    @property
    def garment_label(self) -> str:
        return GarmentType(self.garment_type).label


def pack_rows(*, delivery: Delivery) -> list[PackRow]:
    """What can go into a delivery being packed: each garment and size that has passed
    garments free or an open request, with the count suggested by the most urgent request."""
    ready = {
        (t.garment_type, t.size): t.qty_passed
        for t in HubTally.objects.filter(hub_id=delivery.hub_id)
    }
    packed = {(line.garment_type, line.size): line.count_sent for line in delivery.lines.all()}
    urgent: dict[tuple[str, str], DemandLine] = {}
    for line in (
        DemandLine.objects.filter(hospital_id=delivery.hospital_id, status=DemandLine.Status.OPEN)
        .with_delivery_sums()
        .most_urgent_first()
    ):
        urgent.setdefault((line.garment_type, line.size), line)
    rows = []
    for garment_type in GarmentType.values:
        for size in Size.values:
            key = (garment_type, size)
            demand = urgent.get(key)
            if not ready.get(key) and demand is None:
                continue
            outstanding = 0
            if demand is not None:
                outstanding = max(
                    0,
                    demand.quantity - demand.delivered - demand.on_the_way - demand.packed,
                )
            rows.append(
                PackRow(
                    garment_type=garment_type,
                    size=size,
                    ready=ready.get(key, 0),
                    demand=demand,
                    outstanding=outstanding,
                    packed=packed.get(key, 0),
                )
            )
    return rows


# --- Patterns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternRow:
    """One garment and size on the hub's patterns page: the pattern it is made with (the
    hub's own, the shared one, or none yet)."""

    garment_type: str
    size: str
    pattern: object | None

    @property
    def own(self) -> bool:
        return self.pattern is not None and self.pattern.hub_id is not None


def pattern_rows(*, hub) -> list[tuple[str, list[PatternRow]]]:
    """Every garment type, each with a row per size in size order: one query."""
    patterns = current_patterns(hub=hub)
    return [
        (
            garment_type,
            [PatternRow(garment_type, size, patterns.get((garment_type, size))) for size in Size],
        )
        for garment_type in GarmentType
    ]
