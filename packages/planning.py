"""The plan from demand: what the hospitals still need, what is already delivered or on its
way through the hub, how many kits that leaves to prepare, the stock they take, and when the
need will be met at the rate garments have been passing the check.

One place for this arithmetic: the hub's plan page and dashboard and the hospital's pages all
read it from here. Every figure comes from a fixed number of aggregate queries (the hub's
tallies, grouped sums of demand, deliveries, stock and recent checks), never a loop over kits,
so the cost does not grow with the hub's history.

Rules:
- "Needed" is the open demand of the hospitals the hub supplies, in garments.
- "Delivered" and "on the way" count delivery lines to those hospitals that answer open
  demand: lines linked to an open demand line, and unlinked lines of the same garment and size
  sent since the oldest open request for it. Received deliveries count what the laundry
  confirmed; sent ones what was sent.
- "In the pipeline" is every garment of the hub's own that may still reach the hospital: in
  kits on the shelf, with makers (and in rework), at points or on the way to the hub, waiting
  for the check, passed or packed for a delivery that has not left (sent garments are "on
  the way").
- The forecast divides what still has to pass the check by the last four weeks' rate of
  garments passing it. For one request, what still has to pass is that request and the
  open requests of the same garment and size ahead of it in urgency order; when that is
  later than the date it is needed by, what would meet the date is the pace it needs less
  the pace there is, in kits and in makers at the makers' own recent pace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone

from packages.models import (
    Delivery,
    DeliveryLine,
    DemandLine,
    FabricLot,
    GarmentType,
    HubDayTally,
    HubTally,
    Pattern,
    Place,
    PrecutStock,
    Size,
    qty_field,
    sets,
)

FORECAST_WINDOW_DAYS = 28
PAIRS: list[tuple[str, str]] = [(t, s) for t in GarmentType.values for s in Size.values]

# How the pipeline is shown: each group is one or more places of the hub's tallies.
PIPELINE_GROUPS: dict[str, tuple[str, ...]] = {
    "in_kits": (Place.IN_KIT,),
    "with_makers": (Place.WITH_MAKER, Place.REWORK),
    "at_points": (Place.AT_POINT, Place.IN_TRANSIT),
    "awaiting_check": (Place.AWAITING_CHECK,),
    "passed": (Place.PASSED, Place.RESERVED),
}


@dataclass
class PlanLine:
    """One garment type and size of a hub's plan. Counts are garments."""

    garment_type: str
    size: str
    needed: int
    delivered: int
    on_the_way: int
    in_pipeline: int
    to_plan: int
    kits_to_prepare: int
    stock_needed: int  # garments' worth of pieces the kits to prepare take
    stock_held: int  # garments' worth of pre-cut pieces on the shelf
    forecast_met_on: date | None
    # The pipeline, place by place (they add up to in_pipeline).
    in_kits: int = 0
    with_makers: int = 0
    at_points: int = 0
    awaiting_check: int = 0
    passed: int = 0
    passed_last_four_weeks: int = 0
    metres_per_garment: Decimal | None = None
    metres_needed: Decimal = Decimal(0)  # fabric for what the pre-cut pieces do not cover

    @property
    def garment_label(self) -> str:
        return str(GarmentType(self.garment_type).label)

    @property
    def stock_short(self) -> int:
        """Garments' worth of pieces still to cut from fabric (or find) for this plan."""
        return max(0, self.stock_needed - self.stock_held)

    @property
    def already_met(self) -> bool:
        return self.needed > 0 and self.to_plan == 0


def _open_demand(hospital_ids) -> dict[tuple[str, str], int]:
    rows = (
        DemandLine.objects.filter(hospital_id__in=hospital_ids, status=DemandLine.Status.OPEN)
        .values("garment_type", "size")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(r["garment_type"], r["size"]): r["total"] or 0 for r in rows}


def _oldest_open_request_of_line():
    """When the hospital's oldest open request for a delivery line's garment and size was
    made: deliveries before it answered requests already met."""
    return (
        DemandLine.objects.filter(
            hospital_id=OuterRef("delivery__hospital_id"),
            garment_type=OuterRef("garment_type"),
            size=OuterRef("size"),
            status=DemandLine.Status.OPEN,
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )


def _deliveries(hospital_ids) -> dict[tuple[str, str], tuple[int, int]]:
    """(delivered, on the way) per garment and size, answering open demand (see the rules)."""
    oldest_open = _oldest_open_request_of_line()
    received, sent = Delivery.Status.RECEIVED, Delivery.Status.SENT
    rows = (
        DeliveryLine.objects.filter(
            delivery__hospital_id__in=hospital_ids, delivery__status__in=[sent, received]
        )
        .filter(
            Q(demand_line__status=DemandLine.Status.OPEN)
            | Q(demand_line__isnull=True, delivery__sent_at__gte=Subquery(oldest_open))
        )
        .values("garment_type", "size")
        .annotate(
            delivered=Sum("count_received", filter=Q(delivery__status=received)),
            on_the_way=Sum("count_sent", filter=Q(delivery__status=sent)),
        )
        .order_by()
    )
    return {
        (r["garment_type"], r["size"]): (r["delivered"] or 0, r["on_the_way"] or 0) for r in rows
    }


def _sent_not_received(hub_ids) -> dict[tuple[str, str], int]:
    """Garments the hubs have sent that the laundry has not confirmed yet. They are still
    "packed for a delivery" in the tallies, but they count as on the way, not in the hub."""
    rows = (
        DeliveryLine.objects.filter(
            delivery__hub_id__in=hub_ids, delivery__status=Delivery.Status.SENT
        )
        .values("garment_type", "size")
        .annotate(total=Sum("count_sent"))
        .order_by()
    )
    return {(r["garment_type"], r["size"]): r["total"] or 0 for r in rows}


def _pipelines(hub_ids) -> dict[tuple[str, str], dict[str, int]]:
    """The hubs' garments per pipeline group, from their tallies, less what has left."""
    fields = {qty_field(p) for places in PIPELINE_GROUPS.values() for p in places}
    rows = (
        HubTally.objects.filter(hub_id__in=hub_ids)
        .values("garment_type", "size")
        .annotate(**{f: Sum(f) for f in fields})
        .order_by()
    )
    sent = _sent_not_received(hub_ids)
    result = {}
    for r in rows:
        key = (r["garment_type"], r["size"])
        groups = {
            group: sum(r[qty_field(p)] or 0 for p in places)
            for group, places in PIPELINE_GROUPS.items()
        }
        groups["passed"] = max(0, groups["passed"] - sent.get(key, 0))
        result[key] = groups
    return result


def _passed_since(hub_ids, since: date) -> dict[tuple[str, str], int]:
    """Garments that passed the check on `since` or later (not ones unpacked from a
    delivery), from the hubs' day tallies."""
    rows = (
        HubDayTally.objects.filter(hub_id__in=hub_ids, day__gte=since)
        .values("garment_type", "size")
        .annotate(total=Sum("passed"))
        .order_by()
    )
    return {(r["garment_type"], r["size"]): r["total"] or 0 for r in rows}


def precut_held(*, hub) -> dict[tuple[str, str], int]:
    rows = (
        PrecutStock.objects.filter(hub=hub, quantity_available__gt=0)
        .values("garment_type", "size")
        .annotate(total=Sum("quantity_available"))
        .order_by()
    )
    return {(r["garment_type"], r["size"]): r["total"] or 0 for r in rows}


@dataclass(frozen=True)
class StockHeld:
    """Pre-cut pieces held and the pattern in use, per garment and size: read once for a
    page that shows both the plan and the stock (the dashboard)."""

    precut: dict[tuple[str, str], int]
    patterns: dict[tuple[str, str], Pattern]


def stock_held(*, hub) -> StockHeld:
    return StockHeld(precut=precut_held(hub=hub), patterns=current_patterns(hub=hub))


def current_patterns(*, hub) -> dict[tuple[str, str], Pattern]:
    """The pattern each garment and size is made with at this hub: its own current pattern,
    else the one every hub uses. One query."""
    chosen: dict[tuple[str, str], Pattern] = {}
    patterns = Pattern.objects.filter(Q(hub=hub) | Q(hub__isnull=True), is_current=True)
    # Hub-wide patterns first, so the hub's own overwrite them.
    for pattern in sorted(patterns, key=lambda p: p.hub_id is not None):
        chosen[(pattern.garment_type, pattern.size)] = pattern
    return chosen


def fabric_metres_held(*, hub) -> Decimal:
    """Metres of fabric approved for hospital washing (the only fabric kits may use)."""
    total = FabricLot.objects.filter(hub=hub, approved_for_hospital_washing=True).aggregate(
        total=Sum("metres_available")
    )["total"]
    return total or Decimal(0)


def _forecast(
    *, still_to_pass: int, passed_in_window: int, today: date, needed: int
) -> date | None:
    if needed <= 0:
        return None
    if still_to_pass <= 0:
        return today
    if passed_in_window <= 0:
        return None
    per_day = passed_in_window / FORECAST_WINDOW_DAYS
    return today + timedelta(days=math.ceil(still_to_pass / per_day))


def plan_for_hub(
    *, hub, garments_per_kit: int = 5, today: date | None = None, held: StockHeld | None = None
) -> list[PlanLine]:
    """The hub's plan, one line per garment type and size with demand or garments on the
    move, in type then size order. `held` is the hub's stock_held() when the caller has it."""
    if garments_per_kit < 1:
        raise ValueError("A kit holds at least one garment.")
    today = today or timezone.localdate()
    # The last FORECAST_WINDOW_DAYS days, today included.
    since = today - timedelta(days=FORECAST_WINDOW_DAYS - 1)
    hospital_ids = hub.hospitals.values("pk")  # a subquery of each query, not one of its own
    demand = _open_demand(hospital_ids)
    deliveries = _deliveries(hospital_ids)
    pipelines = _pipelines([hub.pk])
    passed_recently = _passed_since([hub.pk], since)
    held = held or stock_held(hub=hub)
    precut, patterns = held.precut, held.patterns
    lines = []
    for key in PAIRS:
        needed = demand.get(key, 0)
        delivered, on_the_way = deliveries.get(key, (0, 0))
        groups = pipelines.get(key, dict.fromkeys(PIPELINE_GROUPS, 0))
        in_pipeline = sum(groups.values())
        if not (needed or in_pipeline or delivered or on_the_way):
            continue
        to_plan = max(0, needed - delivered - on_the_way - in_pipeline)
        kits = math.ceil(to_plan / garments_per_kit)
        stock_needed = kits * garments_per_kit
        held = precut.get(key, 0)
        pattern = patterns.get(key)
        per_garment = pattern.metres_per_garment if pattern else None
        short = max(0, stock_needed - held)
        lines.append(
            PlanLine(
                garment_type=key[0],
                size=key[1],
                needed=needed,
                delivered=delivered,
                on_the_way=on_the_way,
                in_pipeline=in_pipeline,
                to_plan=to_plan,
                kits_to_prepare=kits,
                stock_needed=stock_needed,
                stock_held=held,
                forecast_met_on=_forecast(
                    still_to_pass=needed - delivered - on_the_way - groups["passed"],
                    passed_in_window=passed_recently.get(key, 0),
                    today=today,
                    needed=needed,
                ),
                passed_last_four_weeks=passed_recently.get(key, 0),
                metres_per_garment=per_garment,
                metres_needed=(per_garment * short) if per_garment else Decimal(0),
                **groups,
            )
        )
    return lines


def demand_forecast(*, hospital, today: date | None = None) -> dict[tuple[str, str], date | None]:
    """For each garment and size of the hospital's open demand: the day it will be met at
    the last four weeks' rate of garments passing the check at the hubs that supply it, or
    None if, at that rate, it will not be (nothing is passing)."""
    today = today or timezone.localdate()
    # The last FORECAST_WINDOW_DAYS days, today included.
    since = today - timedelta(days=FORECAST_WINDOW_DAYS - 1)
    hub_ids = list(hospital.hubs.values_list("pk", flat=True))
    demand = _open_demand([hospital.pk])
    deliveries = _deliveries([hospital.pk])
    pipelines = _pipelines(hub_ids)
    passed_recently = _passed_since(hub_ids, since)
    forecast = {}
    for key in PAIRS:
        needed = demand.get(key, 0)
        if not needed:
            continue
        delivered, on_the_way = deliveries.get(key, (0, 0))
        passed = pipelines.get(key, {}).get("passed", 0)
        forecast[key] = _forecast(
            still_to_pass=needed - delivered - on_the_way - passed,
            passed_in_window=passed_recently.get(key, 0),
            today=today,
            needed=needed,
        )
    return forecast


# --- Each open request: when it will be ready, and what would meet its date ---------------

GARMENTS_PER_KIT = 5
WEEKS_IN_WINDOW = FORECAST_WINDOW_DAYS / 7


@dataclass(frozen=True)
class RequestForecast:
    """When one open request will be ready at the pace garments have passed the check in
    the last four weeks at the hubs that supply its hospital, and, when that is after the
    date it is needed by, what would meet the date.

    Requests are met in urgency order (as the hub packs them), so a request waits only for
    the requests of the same garment and size ahead of it, not for every one."""

    demand_line_id: int
    hospital_id: int
    garment_type: str
    size: str
    quantity: int
    needed_by: date | None
    today: date
    still_to_pass: int  # this request's garments and those ahead of it, not yet passed
    passed_in_window: int  # this garment and size, last four weeks, at the hubs
    ready_on: date | None  # None: nothing of it is passing, so not at the current pace
    # Garments of any kind each maker sewing now got through the check a week, or None
    # when nobody is sewing or nothing passed.
    garments_per_maker_week: float | None = None
    garments_per_kit: int = GARMENTS_PER_KIT

    @property
    def garment_label(self) -> str:
        return str(GarmentType(self.garment_type).label)

    @property
    def late(self) -> bool:
        if self.needed_by is None or self.still_to_pass <= 0:
            return False
        return self.ready_on is None or self.ready_on > self.needed_by

    @property
    def days_late(self) -> int | None:
        """Days between the date needed and the date it will be ready (None: not at all)."""
        if not self.late or self.ready_on is None:
            return None
        return (self.ready_on - self.needed_by).days

    @property
    def weeks_late(self) -> int | None:
        days = self.days_late
        return None if days is None else math.ceil(days / 7)

    @property
    def date_passed(self) -> bool:
        """Nothing can meet the date any more: it is today or gone."""
        return self.needed_by is not None and self.needed_by <= self.today

    @property
    def pace_per_week(self) -> float:
        return self.passed_in_window / WEEKS_IN_WINDOW

    @property
    def needed_per_week(self) -> float | None:
        """Garments that would have to pass the check each week to be ready in time."""
        if not self.late or self.date_passed:
            return None
        return self.still_to_pass / ((self.needed_by - self.today).days / 7)

    @property
    def more_per_week(self) -> float | None:
        needed = self.needed_per_week
        return None if needed is None else max(0.0, needed - self.pace_per_week)

    @property
    def more_kits_per_week(self) -> int | None:
        more = self.more_per_week
        return None if more is None else max(1, math.ceil(more / self.garments_per_kit))

    @property
    def more_makers(self) -> int | None:
        more = self.more_per_week
        if more is None or not self.garments_per_maker_week:
            return None
        return max(1, math.ceil(more / self.garments_per_maker_week))


def _unlinked_deliveries(hospital_ids) -> dict[tuple[int, str, str], int]:
    """Garments delivered or on the way to each hospital that no request was named for,
    sent since its oldest open request of that garment and size (as _deliveries counts
    them). They go to the most urgent requests first."""
    oldest_open = _oldest_open_request_of_line()
    received, sent = Delivery.Status.RECEIVED, Delivery.Status.SENT
    rows = (
        DeliveryLine.objects.filter(
            delivery__hospital_id__in=hospital_ids,
            delivery__status__in=[sent, received],
            demand_line__isnull=True,
            delivery__sent_at__gte=Subquery(oldest_open),
        )
        .values("delivery__hospital_id", "garment_type", "size")
        .annotate(
            delivered=Sum("count_received", filter=Q(delivery__status=received)),
            on_the_way=Sum("count_sent", filter=Q(delivery__status=sent)),
        )
        .order_by()
    )
    return {
        (r["delivery__hospital_id"], r["garment_type"], r["size"]): (r["delivered"] or 0)
        + (r["on_the_way"] or 0)
        for r in rows
    }


def _passed_held_by_hub(hub_ids) -> dict[tuple[int, str, str], int]:
    """Garments each hub holds that have passed the check and not left (the pipeline's
    "passed" group, per hub)."""
    rows = (
        HubTally.objects.filter(hub_id__in=hub_ids)
        .values("hub_id", "garment_type", "size")
        .annotate(total=Sum(qty_field(Place.PASSED)) + Sum(qty_field(Place.RESERVED)))
        .order_by()
    )
    sent = (
        DeliveryLine.objects.filter(
            delivery__hub_id__in=hub_ids, delivery__status=Delivery.Status.SENT
        )
        .values("delivery__hub_id", "garment_type", "size")
        .annotate(total=Sum("count_sent"))
        .order_by()
    )
    gone = {(r["delivery__hub_id"], r["garment_type"], r["size"]): r["total"] or 0 for r in sent}
    return {
        (r["hub_id"], r["garment_type"], r["size"]): max(
            0, (r["total"] or 0) - gone.get((r["hub_id"], r["garment_type"], r["size"]), 0)
        )
        for r in rows
    }


def _passed_since_by_hub(hub_ids, since: date) -> dict[tuple[int, str, str], int]:
    rows = (
        HubDayTally.objects.filter(hub_id__in=hub_ids, day__gte=since)
        .values("hub_id", "garment_type", "size")
        .annotate(total=Sum("passed"))
        .order_by()
    )
    return {(r["hub_id"], r["garment_type"], r["size"]): r["total"] or 0 for r in rows}


def request_forecasts(
    *, hospital_ids, today: date | None = None, garments_per_kit: int = GARMENTS_PER_KIT
) -> dict[int, RequestForecast]:
    """Every open request of these hospitals (a list of ids or a subquery), by demand line
    id: see RequestForecast. A fixed handful of queries however many requests, hubs or
    kits there are."""
    from makers.models import Maker
    from scrubhub.counting import FIGURE_COUNT_CAP, count_up_to
    from scrubhub.hubs.models import Hub

    today = today or timezone.localdate()
    since = today - timedelta(days=FORECAST_WINDOW_DAYS - 1)
    # Each request's own deliveries, as the laundry sees them on the request.
    lines = list(
        DemandLine.objects.filter(hospital_id__in=hospital_ids, status=DemandLine.Status.OPEN)
        .with_delivery_sums()
        .most_urgent_first()
        .values(
            "pk",
            "hospital_id",
            "garment_type",
            "size",
            "quantity",
            "needed_by",
            "delivered",
            "on_the_way",
        )
    )
    if not lines:
        return {}
    hospitals = {line["hospital_id"] for line in lines}
    hubs_of: dict[int, list[int]] = {}
    for hospital_id, hub_id in Hub.hospitals.through.objects.filter(
        hospital_id__in=hospitals
    ).values_list("hospital_id", "hub_id"):
        hubs_of.setdefault(hospital_id, []).append(hub_id)
    hub_ids = sorted({hub for hubs in hubs_of.values() for hub in hubs})
    unlinked = _unlinked_deliveries(list(hospitals))
    held = _passed_held_by_hub(hub_ids)
    passed_recently = _passed_since_by_hub(hub_ids, since)
    # A maker sews whatever kit she is given, so her pace is garments of every kind.
    makers = count_up_to(
        Maker.objects.filter(hub_id__in=hub_ids, status=Maker.Status.ACTIVE), FIGURE_COUNT_CAP
    )
    passed_all = sum(passed_recently.values())
    per_maker = (
        passed_all / WEEKS_IN_WINDOW / makers.value
        if makers.value and passed_all and not makers.more
        else None
    )
    # What is still to come for the requests of each hospital, garment and size so far in
    # urgency order, this one included.
    ahead: dict[tuple[int, str, str], int] = {}
    forecasts = {}
    for line in lines:
        key = (line["hospital_id"], line["garment_type"], line["size"])
        hubs = hubs_of.get(line["hospital_id"], [])
        pair = key[1:]
        outstanding = max(0, line["quantity"] - line["delivered"] - line["on_the_way"])
        ahead[key] = ahead.get(key, 0) + outstanding
        passed = sum(held.get((hub, *pair), 0) for hub in hubs)
        in_window = sum(passed_recently.get((hub, *pair), 0) for hub in hubs)
        still = max(0, ahead[key] - unlinked.get(key, 0) - passed)
        forecasts[line["pk"]] = RequestForecast(
            demand_line_id=line["pk"],
            hospital_id=line["hospital_id"],
            garment_type=line["garment_type"],
            size=line["size"],
            quantity=line["quantity"],
            needed_by=line["needed_by"],
            today=today,
            still_to_pass=still,
            passed_in_window=in_window,
            ready_on=_forecast(
                still_to_pass=still,
                passed_in_window=in_window,
                today=today,
                needed=line["quantity"],
            ),
            garments_per_maker_week=per_maker,
            garments_per_kit=garments_per_kit,
        )
    return forecasts


def late_requests_for_hub(
    *, hub, today: date | None = None, garments_per_kit: int = GARMENTS_PER_KIT
) -> list[RequestForecast]:
    """The open requests of the hospitals the hub supplies that, at the current pace, will
    not be ready by the date they are needed, most urgent first."""
    forecasts = request_forecasts(
        hospital_ids=hub.hospitals.values("pk"), today=today, garments_per_kit=garments_per_kit
    )
    return [forecast for forecast in forecasts.values() if forecast.late]


def plan_sets(lines: list[PlanLine], attr: str) -> int:
    """Sets in one figure of a plan ("needed", "delivered", ...): per size, the smaller of
    the tops and the trousers."""
    by_pair = {(line.garment_type, line.size): getattr(line, attr) for line in lines}
    return sum(
        sets(by_pair.get((GarmentType.TOP, size), 0), by_pair.get((GarmentType.TROUSERS, size), 0))
        for size in Size.values
    )


def plan_totals(lines: list[PlanLine]) -> dict[str, object]:
    """Sums over a plan's lines, for the plan page and the dashboard."""
    return {
        "needed": sum(line.needed for line in lines),
        "delivered": sum(line.delivered for line in lines),
        "on_the_way": sum(line.on_the_way for line in lines),
        "in_pipeline": sum(line.in_pipeline for line in lines),
        "to_plan": sum(line.to_plan for line in lines),
        "kits_to_prepare": sum(line.kits_to_prepare for line in lines),
        "stock_needed": sum(line.stock_needed for line in lines),
        "stock_held": sum(min(line.stock_held, line.stock_needed) for line in lines),
        "metres_needed": sum((line.metres_needed for line in lines), Decimal(0)),
    }


__all__ = [
    "PlanLine",
    "StockHeld",
    "stock_held",
    "plan_for_hub",
    "demand_forecast",
    "request_forecasts",
    "late_requests_for_hub",
    "RequestForecast",
    "plan_sets",
    "plan_totals",
    "current_patterns",
    "fabric_metres_held",
    "precut_held",
]
