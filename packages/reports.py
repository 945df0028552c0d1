"""Reads behind the downloads (CSV) and the printable reports: a hub's deliveries, demand,
stock, kits and impact for its staff, and a hospital's deliveries and demand for its laundry.

Each export is one query (a few for the demand's forecast), read with iterator(), so it
costs the same at any size. The figures come from the selectors the pages use
(`delivered_figures`, the plan, `stock_summary`, the day tallies behind the dashboard's week),
so a report says what the dashboard says.

The laundry's reads (`laundry_*`, and the delivery and demand rows they share with staff)
never touch a kit's holder, a maker or a group: the laundry gets counts, never people.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from packages.models import (
    PLACES,
    Delivery,
    DeliveryLine,
    DemandLine,
    GarmentType,
    HubDayTally,
    Kit,
    KitAssignment,
    Place,
    Size,
    WashFailure,
    garment_size_order,
    qty_field,
    sets,
)
from scrubhub.exports import Column

# A printed report lists this many deliveries or requests; the CSV has them all.
REPORT_ROWS = 100
# The impact table never runs to more than this many weeks or months (ten years of weeks).
MAX_PERIODS = 530
PERIODS = {"week": gettext_lazy("Week"), "month": gettext_lazy("Month")}


# --- Dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """The dates a report or an export covers, each end optional (from the page's
    `start` and `end`, read through a QueryForm). Days are the site's (TIME_ZONE), as the
    day tallies and the dashboard's week count them."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, start: date | None, end: date | None) -> DateRange:
        if start and end and start > end:  # typed the wrong way round
            start, end = end, start
        return cls(start, end)

    @property
    def query(self) -> str:
        """The range as a query string, for links to the downloads of the same dates."""
        return urlencode(
            {
                name: day.isoformat()
                for name, day in (("start", self.start), ("end", self.end))
                if day
            }
        )

    def moments(self, name: str) -> Q:
        """A filter on the datetime column `name`: from the start of the first day to the
        end of the last (an index range, not a cast of every row to a date)."""
        where = Q()
        if self.start:
            where &= Q(**{f"{name}__gte": _midnight(self.start)})
        if self.end:
            where &= Q(**{f"{name}__lt": _midnight(self.end + timedelta(days=1))})
        return where

    def days(self, name: str) -> Q:
        where = Q()
        if self.start:
            where &= Q(**{f"{name}__gte": self.start})
        if self.end:
            where &= Q(**{f"{name}__lte": self.end})
        return where


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_start(day: date, period: str) -> date:
    if period == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())  # Monday, as the dashboard's week


def _next_period(day: date, period: str) -> date:
    if period == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=7)


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def _places_text(kit: Kit) -> str:
    """Where a kit's garments are, in words: "With the maker: 3; Passed the check: 2"."""
    return "; ".join(
        f"{Place(place).label}: {getattr(kit, qty_field(place))}"
        for place in PLACES
        if getattr(kit, qty_field(place))
    )


# --- Deliveries -----------------------------------------------------------------------------


def _failed_in_wash():
    """Garments the laundry reported failing in the wash, per delivery line."""
    return Coalesce(
        Subquery(
            WashFailure.objects.filter(line=OuterRef("pk"))
            .order_by()
            .values("line")
            .annotate(n=Sum("count"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def delivery_lines(deliveries: QuerySet[Delivery], *, dates: DateRange) -> QuerySet[DeliveryLine]:
    """One row per garment and size of each delivery (lines with nothing in them left out),
    newest delivery first, with its delivery and hospital and `failed` (in the wash).
    A date range picks deliveries by the day they left the hub."""
    return (
        DeliveryLine.objects.filter(delivery__in=deliveries.filter(dates.moments("sent_at")))
        .filter(count_sent__gt=0)
        .select_related("delivery", "delivery__hospital", "delivery__hub")
        .annotate(failed=_failed_in_wash())
        .order_by("-delivery__created_at", "-delivery_id", *garment_size_order())
    )


def hub_delivery_lines(*, hub, dates: DateRange) -> QuerySet[DeliveryLine]:
    return delivery_lines(Delivery.objects.filter(hub=hub), dates=dates)


def laundry_delivery_lines(*, hospital, dates: DateRange) -> QuerySet[DeliveryLine]:
    """What the laundry's deliveries page shows: sent or received, never being packed."""
    return delivery_lines(_laundry_deliveries(hospital), dates=dates)


def _laundry_deliveries(hospital) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        hospital=hospital, status__in=[Delivery.Status.SENT, Delivery.Status.RECEIVED]
    )


def _difference(line: DeliveryLine):
    if line.count_received is None:
        return None
    return line.count_received - line.count_sent


def delivery_columns(*, staff: bool) -> list[Column]:
    """Staff also see deliveries still being packed, so when packing started."""
    columns = [
        Column(_("Delivery"), lambda line: line.delivery.reference),
        Column(_("Hospital"), lambda line: line.delivery.hospital.name),
        Column(_("From hub"), lambda line: line.delivery.hub.name),
        Column(_("Status"), lambda line: line.delivery.get_status_display()),
    ]
    if staff:
        columns.append(
            Column(_("Packing started"), lambda line: _local_date(line.delivery.created_at))
        )
    return columns + [
        Column(_("Sent on"), lambda line: _local_date(line.delivery.sent_at)),
        Column(_("Received on"), lambda line: _local_date(line.delivery.received_at)),
        Column(_("Garment"), lambda line: line.get_garment_type_display()),
        Column(_("Size"), lambda line: line.size),
        Column(_("Quantity sent"), lambda line: line.count_sent),
        Column(_("Quantity received"), lambda line: line.count_received),
        Column(_("Difference (received less sent)"), _difference),
        Column(_("Failed in the wash"), lambda line: line.failed),
        Column(_("Laundry's note on the numbers"), lambda line: line.delivery.discrepancy_note),
    ]


def deliveries_with_totals(deliveries: QuerySet[Delivery], *, dates: DateRange) -> QuerySet:
    """Deliveries that left the hub (in the range), newest first, each with its garments
    sent, received and failed in the wash: one query for a printed list."""
    failed = (
        WashFailure.objects.filter(delivery=OuterRef("pk"))
        .order_by()
        .values("delivery")
        .annotate(n=Sum("count"))
        .values("n")
    )
    return (
        deliveries.filter(status__in=[Delivery.Status.SENT, Delivery.Status.RECEIVED])
        .filter(dates.moments("sent_at"))
        .select_related("hospital", "hub")
        .annotate(
            garments_sent=Coalesce(Sum("lines__count_sent"), 0),
            garments_received=Sum("lines__count_received"),
            garments_failed=Coalesce(Subquery(failed, output_field=IntegerField()), 0),
        )
        .order_by("-sent_at", "-pk")
    )


# --- Demand ---------------------------------------------------------------------------------


@dataclass
class DemandRow:
    """One request with what has been delivered against it and, while it is open, the
    hubs' forecast (the plan's RequestForecast)."""

    line: DemandLine
    forecast: object = None

    @property
    def still_needed(self) -> int:
        if self.line.status != DemandLine.Status.OPEN:
            return 0
        return max(0, self.line.quantity - self.line.delivered)

    @property
    def met(self) -> bool:
        return self.line.status == DemandLine.Status.MET

    @property
    def expected_by(self):
        return self.forecast.ready_on if self.forecast is not None else None

    @property
    def late(self):
        return self.forecast.late if self.forecast is not None else None


def demand_rows(
    lines: QuerySet[DemandLine],
    *,
    dates: DateRange,
    hospital_ids,
    open_only: bool = False,
    limit: int | None = None,
) -> Iterator[DemandRow]:
    """Requests (asked for in the range), most recent first, with `delivered` (what the
    laundry counted, never more than was sent), `on_the_way` and `packed`, and a forecast
    for each open one: a fixed handful of queries, then the rows one at a time (or the
    first `limit` of them). Open ones only: most urgent first."""
    from packages.planning import request_forecasts

    order = ["-created_at", "-pk"]
    lines = lines.filter(dates.moments("created_at"))
    if open_only:  # what is still to do: most urgent first, as the laundry's page has it
        lines, order = lines.filter(status=DemandLine.Status.OPEN), DemandLine.urgency_order()
    forecasts = request_forecasts(hospital_ids=hospital_ids)
    annotated = lines.with_delivery_sums().select_related("hospital").order_by(*order)
    found = annotated[:limit] if limit else annotated.iterator(chunk_size=500)
    return (DemandRow(line=line, forecast=forecasts.get(line.pk)) for line in found)


def hub_demand_rows(
    *, hub, dates: DateRange, open_only: bool = False, limit: int | None = None
) -> Iterator[DemandRow]:
    """Requests from every hospital the hub supplies."""
    hospital_ids = hub.hospitals.values("pk")
    return demand_rows(
        DemandLine.objects.filter(hospital__in=hospital_ids),
        dates=dates,
        hospital_ids=hospital_ids,
        open_only=open_only,
        limit=limit,
    )


def laundry_demand_rows(*, hospital, dates: DateRange):
    return demand_rows(
        DemandLine.objects.filter(hospital=hospital), dates=dates, hospital_ids=[hospital.pk]
    )


def demand_columns(*, staff: bool) -> list[Column]:
    columns = [
        Column(_("Request"), lambda r: r.line.pk),
        Column(_("Hospital"), lambda r: r.line.hospital.name),
        Column(_("Garment"), lambda r: r.line.get_garment_type_display()),
        Column(_("Size"), lambda r: r.line.size),
        Column(_("Quantity asked for"), lambda r: r.line.quantity),
        Column(_("Priority"), lambda r: r.line.get_priority_display()),
        Column(_("Needed by"), lambda r: r.line.needed_by),
        Column(_("Status"), lambda r: r.line.get_status_display()),
        Column(_("Met"), lambda r: r.met),
        Column(_("Delivered (received by the laundry)"), lambda r: r.line.delivered),
        Column(_("On the way"), lambda r: r.line.on_the_way),
    ]
    if staff:
        columns.append(Column(_("Being packed"), lambda r: r.line.packed))
    return columns + [
        Column(_("Still needed"), lambda r: r.still_needed),
        Column(_("Expected by (forecast)"), lambda r: r.expected_by),
        Column(_("Late"), lambda r: r.late),
        Column(_("Asked for on"), lambda r: _local_date(r.line.created_at)),
        Column(_("Last changed"), lambda r: _local_date(r.line.changed_at)),
        Column(_("Must have"), lambda r: r.line.requirements),
    ]


# --- Stock and kits (staff only) ------------------------------------------------------------


@dataclass(frozen=True)
class StockRow:
    stock: str
    record: str
    received_on: date | None
    source: str
    colour: str = ""
    width_cm: int | None = None
    approved: bool | None = None
    garment: str = ""
    size: str = ""
    received: object = None
    left: object = None
    drawn: object = None
    unit: str = ""


def stock_rows(*, hub):
    """Every fabric lot, then every batch of pre-cut pieces, with what kits have drawn from
    each (the fabric lots and pre-cut pages' selectors): two queries."""
    from scrubhub.hubs.selectors import fabric_lots_for_hub, precut_for_hub

    for lot in fabric_lots_for_hub(hub=hub).iterator(chunk_size=500):
        yield StockRow(
            stock=_("Fabric"),
            record=f"F{lot.pk}",
            received_on=_local_date(lot.created_at),
            source=lot.supplier,
            colour=lot.colour,
            width_cm=lot.width_cm,
            approved=lot.approved_for_hospital_washing,
            received=lot.metres_received,
            left=lot.metres_available,
            drawn=lot.metres_drawn or 0,
            unit=_("metres"),
        )
    for stock in precut_for_hub(hub=hub).iterator(chunk_size=500):
        lot = stock.fabric_lot
        yield StockRow(
            stock=_("Pre-cut pieces"),
            record=f"P{stock.pk}",
            received_on=_local_date(stock.created_at),
            source=stock.cut_by,
            colour=lot.colour if lot else "",
            approved=lot.approved_for_hospital_washing if lot else None,
            garment=stock.get_garment_type_display(),
            size=stock.size,
            received=stock.quantity_received,
            left=stock.quantity_available,
            drawn=stock.garments_drawn or 0,
            unit=_("garments"),
        )


STOCK_COLUMNS = [
    Column(gettext_lazy("Stock"), lambda r: r.stock),
    Column(gettext_lazy("Record"), lambda r: r.record),
    Column(gettext_lazy("Received on"), lambda r: r.received_on),
    Column(gettext_lazy("From (supplier or who cut it)"), lambda r: r.source),
    Column(gettext_lazy("Colour"), lambda r: r.colour),
    Column(gettext_lazy("Width (cm)"), lambda r: r.width_cm),
    Column(gettext_lazy("Approved for hospital washing"), lambda r: r.approved),
    Column(gettext_lazy("Garment"), lambda r: r.garment),
    Column(gettext_lazy("Size"), lambda r: r.size),
    Column(gettext_lazy("Received"), lambda r: r.received),
    Column(gettext_lazy("Left"), lambda r: r.left),
    Column(gettext_lazy("Drawn into kits"), lambda r: r.drawn),
    Column(gettext_lazy("Unit"), lambda r: r.unit),
]


def kit_rows(*, kits: QuerySet[Kit], dates: DateRange) -> QuerySet[Kit]:
    """Kits (made up in the range) with their collection point and, as `holder_name`, the
    maker or group holding each now: one query at any size (no prefetch per chunk)."""
    holding = KitAssignment.objects.filter(kit=OuterRef("pk"), ended_at__isnull=True)
    return (
        kits.filter(dates.moments("created_at"))
        .select_related("collection_point")
        .annotate(
            maker_name=Subquery(holding.values("maker__name")[:1]),
            group_name=Subquery(holding.values("group__name")[:1]),
        )
    )


KIT_COLUMNS = [
    Column(gettext_lazy("Kit"), lambda k: k.display_code),
    Column(gettext_lazy("Garment"), lambda k: k.get_garment_type_display()),
    Column(gettext_lazy("Size"), lambda k: k.size),
    Column(gettext_lazy("Garments"), lambda k: k.garment_count),
    Column(gettext_lazy("Status"), lambda k: k.status_now),
    Column(gettext_lazy("Where the garments are"), _places_text),
    Column(
        gettext_lazy("Waiting at"),
        lambda k: (
            k.collection_point.name
            if k.status == Kit.Status.ALLOCATED and k.collection_point
            else ""
        ),
    ),
    Column(gettext_lazy("Who has it"), lambda k: k.maker_name or k.group_name or ""),
    Column(gettext_lazy("Garments finished (the maker says)"), lambda k: k.finished_count),
    Column(gettext_lazy("Made from"), lambda k: k.get_source_display()),
    Column(gettext_lazy("Prepared on"), lambda k: _local_date(k.created_at)),
    Column(gettext_lazy("With its holder since"), lambda k: _local_date(k.collected_at)),
    Column(gettext_lazy("Closed on"), lambda k: _local_date(k.closed_at)),
]


# --- Impact ---------------------------------------------------------------------------------


@dataclass
class ImpactPeriod:
    """One week or month of a hub's work. Garment counts come from the day tallies the
    dashboard's week reads, so the current week here is the dashboard's "This week"."""

    starts_on: date
    ends_on: date
    handed_in: int = 0
    passed: int = 0
    delivered: int = 0  # garments, as sent, in deliveries the laundry confirmed
    sets_delivered: int = 0
    deliveries_sent: int = 0
    kits_prepared: int = 0
    holders_given_kits: int = 0  # makers and groups given a kit
    makers_joined: int = 0
    delivered_by_size: dict = field(default_factory=dict, repr=False)


def _periods(start: date, end: date, period: str) -> list[ImpactPeriod]:
    """Whole weeks or months from the one holding `start` to the one holding `end`: the
    latest MAX_PERIODS of them when a range runs longer."""
    found = []
    day = period_start(start, period)
    while day <= end:
        following = _next_period(day, period)
        found.append(ImpactPeriod(starts_on=day, ends_on=following - timedelta(days=1)))
        day = following
    return found[-MAX_PERIODS:]


def impact_by_period(
    *, hub, period: str = "month", dates: DateRange = DateRange(), today: date | None = None
) -> list[ImpactPeriod]:
    """The hub's work week by week or month by month, from the start of the range (or of
    the hub's first work) to its end (or today), in whole weeks or months: six queries,
    however long the hub has run."""
    from makers.models import Maker

    today = today or timezone.localdate()
    # Nothing has happened after today: no empty weeks to come.
    start, end = dates.start, min(dates.end or today, today)
    if start is None:
        first = HubDayTally.objects.filter(hub=hub).order_by("day").values_list("day", flat=True)
        start = min([*first[:1], timezone.localdate(hub.created_at)])
    periods = _periods(start, end, period)
    if not periods:
        return []
    # Whole periods: the first starts on a Monday (or the 1st), the last ends on a Sunday.
    whole = DateRange(periods[0].starts_on, periods[-1].ends_on)
    by_start = {p.starts_on: p for p in periods}

    def bucket(column: str):
        return Trunc(column, period, output_field=DateField())

    for row in (
        HubDayTally.objects.filter(hub=hub)
        .filter(whole.days("day"))
        .annotate(period=bucket("day"))
        .values("period", "garment_type", "size")
        .annotate(handed_in=Sum("handed_in"), passed=Sum("passed"), delivered=Sum("delivered"))
        .order_by()
    ):
        found = by_start.get(row["period"])
        if found is None:
            continue
        found.handed_in += row["handed_in"] or 0
        found.passed += row["passed"] or 0
        found.delivered += row["delivered"] or 0
        key = (row["garment_type"], row["size"])
        found.delivered_by_size[key] = found.delivered_by_size.get(key, 0) + (row["delivered"] or 0)
    for found in periods:
        found.sets_delivered = _sets_of(found.delivered_by_size)

    counted = {
        "deliveries_sent": (
            Delivery.objects.filter(
                hub=hub, status__in=[Delivery.Status.SENT, Delivery.Status.RECEIVED]
            ),
            "sent_at",
        ),
        "kits_prepared": (Kit.objects.filter(hub=hub), "created_at"),
        "makers_joined": (Maker.objects.filter(hub=hub), "created_at"),
    }
    for name, (rows, column) in counted.items():
        for row in (
            rows.filter(whole.moments(column))
            .annotate(period=bucket(column))
            .values("period")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            if (found := by_start.get(row["period"])) is not None:
                setattr(found, name, row["n"])
    for row in (
        KitAssignment.objects.filter(kit__hub=hub)
        .filter(whole.moments("assigned_at"))
        .annotate(period=bucket("assigned_at"))
        .values("period")
        .annotate(makers=Count("maker", distinct=True), groups=Count("group", distinct=True))
        .order_by()
    ):
        if (found := by_start.get(row["period"])) is not None:
            found.holders_given_kits = row["makers"] + row["groups"]
    return periods


def _sets_of(by_size: dict) -> int:
    return sum(
        sets(by_size.get((GarmentType.TOP, size), 0), by_size.get((GarmentType.TROUSERS, size), 0))
        for size in Size.values
    )


def impact_totals(periods: list[ImpactPeriod]) -> ImpactPeriod | None:
    """The periods added up. Sets are counted over the whole range (a top one week and its
    trousers the next still make a set); makers given kits is left out, as one maker given
    kits in two months is one maker, not two."""
    if not periods:
        return None
    by_size: dict = {}
    for found in periods:
        for key, count in found.delivered_by_size.items():
            by_size[key] = by_size.get(key, 0) + count
    return ImpactPeriod(
        starts_on=periods[0].starts_on,
        ends_on=periods[-1].ends_on,
        handed_in=sum(p.handed_in for p in periods),
        passed=sum(p.passed for p in periods),
        delivered=sum(p.delivered for p in periods),
        sets_delivered=_sets_of(by_size),
        deliveries_sent=sum(p.deliveries_sent for p in periods),
        kits_prepared=sum(p.kits_prepared for p in periods),
        holders_given_kits=0,
        makers_joined=sum(p.makers_joined for p in periods),
    )


IMPACT_COLUMNS = [
    Column(gettext_lazy("From"), lambda p: p.starts_on),
    Column(gettext_lazy("To"), lambda p: p.ends_on),
    Column(gettext_lazy("Garments handed in"), lambda p: p.handed_in),
    Column(gettext_lazy("Garments passed the check"), lambda p: p.passed),
    Column(gettext_lazy("Garments the laundry confirmed (as sent)"), lambda p: p.delivered),
    Column(gettext_lazy("Sets the laundry confirmed (as sent)"), lambda p: p.sets_delivered),
    Column(gettext_lazy("Deliveries sent"), lambda p: p.deliveries_sent),
    Column(gettext_lazy("Kits prepared"), lambda p: p.kits_prepared),
    Column(gettext_lazy("Makers and groups given a kit"), lambda p: p.holders_given_kits),
    Column(gettext_lazy("New makers"), lambda p: p.makers_joined),
]


# --- The printable reports ------------------------------------------------------------------


@dataclass
class HubReport:
    dates: DateRange
    period: str
    periods: list[ImpactPeriod]
    totals_in_range: ImpactPeriod | None
    week: object  # scrubhub.hubs.selectors.WeekFigures, as on the dashboard
    plan: list
    plan_totals: dict
    stock: object  # StockSummary, as on the dashboard and the stock page
    requests: list[DemandRow]
    requests_more: bool
    deliveries: list[Delivery]
    deliveries_more: bool


def _capped(rows, limit: int = REPORT_ROWS) -> tuple[list, bool]:
    taken = []
    for row in rows:
        if len(taken) == limit:
            return taken, True
        taken.append(row)
    return taken, False


def hub_report(*, hub, dates: DateRange, period: str, today: date | None = None) -> HubReport:
    """Everything the printed hub report shows. Its plan, stock and week are built exactly
    as the dashboard builds them (one stock read shared by the plan and the stock)."""
    from packages.planning import plan_for_hub, plan_totals, stock_held
    from scrubhub.hubs.selectors import stock_summary, week_figures

    held = stock_held(hub=hub)
    plan = plan_for_hub(hub=hub, today=today, held=held)
    periods = impact_by_period(hub=hub, period=period, dates=dates, today=today)
    requests, requests_more = _capped(
        hub_demand_rows(hub=hub, dates=DateRange(), open_only=True, limit=REPORT_ROWS + 1)
    )
    deliveries, deliveries_more = _capped(
        deliveries_with_totals(Delivery.objects.filter(hub=hub), dates=dates)[: REPORT_ROWS + 1]
    )
    return HubReport(
        dates=dates,
        period=period,
        periods=periods,
        totals_in_range=impact_totals(periods),
        week=week_figures(hub=hub, plan=plan, today=today),
        plan=plan,
        plan_totals=plan_totals(plan),
        stock=stock_summary(hub=hub, held=held),
        requests=requests,
        requests_more=requests_more,
        deliveries=deliveries,
        deliveries_more=deliveries_more,
    )


@dataclass
class LaundryReport:
    hospital: object
    dates: DateRange
    in_all: object  # DeliveredFigures for the hospital, as on its deliveries page
    requests: list  # DemandFigures, as on its demand page
    requests_more: bool
    deliveries: list[Delivery]
    deliveries_more: bool


def laundry_report(*, hospital, dates: DateRange) -> LaundryReport:
    """What the laundry's printed report shows: counts only, no kit and no person."""
    from packages.selectors import delivered_figures, open_demand_figures

    requests, requests_more = _capped(open_demand_figures(hospital=hospital))
    deliveries, deliveries_more = _capped(
        deliveries_with_totals(_laundry_deliveries(hospital), dates=dates)[: REPORT_ROWS + 1]
    )
    return LaundryReport(
        hospital=hospital,
        dates=dates,
        in_all=delivered_figures(hospital=hospital),
        requests=requests,
        requests_more=requests_more,
        deliveries=deliveries,
        deliveries_more=deliveries_more,
    )
