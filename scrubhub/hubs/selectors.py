"""Reads for the hub staff pages, scoped to one hub. Each says what it fetches; none of them
loops over kits, makers or movements, so a page costs the same at any size of hub."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from makers.guardian_services import makers_waiting_for_guardian
from makers.models import KitProblem, Maker
from packages.models import (
    Donation,
    FabricLot,
    GarmentType,
    HubDayTally,
    Kit,
    KitAssignment,
    PrecutStock,
    Size,
    garment_size_order,
)
from packages.planning import (
    PlanLine,
    StockHeld,
    fabric_metres_held,
    late_requests_for_hub,
    plan_for_hub,
    plan_sets,
    plan_totals,
    stock_held,
)
from packages.selectors import (
    DeliveredFigures,
    delivered_figures,
    deliveries_with_discrepancy,
    points_holding_garments_count,
    wash_failures_to_look_at,
)
from scrubhub.counting import FIGURE_COUNT_CAP, TODO_COUNT_CAP, count_up_to
from scrubhub.hubs.models import Hub, KitBatch, ShiftNote
from scrubhub.notifications.models import NEEDS_STAFF, Message
from scrubhub.notifications.selectors import PERSON, unreachable_now
from scrubhub.row_links import row_link

# --- Kits -----------------------------------------------------------------------------------


def overdue_cutoff(*, hub: Hub) -> datetime:
    return timezone.now() - timedelta(days=hub.overdue_after_days)


KIT_VIEWS = {
    "open": {"status__in": [Kit.Status.PREPARED, Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER]},
    "prepared": {"status": Kit.Status.PREPARED},
    "allocated": {"status": Kit.Status.ALLOCATED},
    "with_maker": {"status": Kit.Status.WITH_MAKER},
    "overdue": {"status": Kit.Status.WITH_MAKER},
}


def kits_list(*, hub: Hub, view: str = "open") -> QuerySet[Kit]:
    """The hub's kits for one of KIT_VIEWS, with `collected_at`, the collection point and
    the open assignment (maker or group) prefetched: three queries for any page of kits."""
    kits = (
        Kit.objects.filter(hub=hub, **KIT_VIEWS[view])
        .select_related("collection_point")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=KitAssignment.objects.filter(ended_at__isnull=True).select_related(
                    "maker", "group"
                ),
                to_attr="open_assignments",
            )
        )
    )
    if view == "overdue":
        return kits.filter(collected_at__lt=overdue_cutoff(hub=hub)).order_by("collected_at", "pk")
    if view == "with_maker":
        return kits.order_by("collected_at", "pk")
    return kits.order_by("-created_at", "-pk")


@dataclass(frozen=True, slots=True)
class KitHolder:
    """Who has a kit (a maker or a group), and the maker's phone to call."""

    name: str
    phone: str = ""
    tel: str = ""  # the phone for a tel: link, without spaces


@dataclass(frozen=True, slots=True)
class KitListRow:
    """One row of the kits list, every value as the page shows it. Built in Python once per
    row, so the template only prints: in Django's engine a `{% url %}` costs about 30 µs,
    a `|date` 20 µs and a translated sentence 15 µs, 50 times a page."""

    code: str  # as printed on the label: ABC-1234
    garments: str  # "5 scrub tops, size M"
    where: str  # "Allocated: waiting at Church hall"
    since: str  # "since 3 Dec (2 days)", or "" before it is collected
    holders: tuple[KitHolder, ...]
    label_url: str
    label_for: str  # "for kit ABC-1234", for screen readers after "Print label"


def kit_list_rows(kits: Iterable[Kit]) -> list[KitListRow]:
    """The kits list's rows, for a page of kits_list()."""
    label_url = row_link("hubs:kit_label")
    rows = []
    for kit in kits:
        where = str(Kit.Status(kit.status).label)
        if kit.status == Kit.Status.ALLOCATED and kit.collection_point:
            where += ": " + _("waiting at %(point)s") % {"point": kit.collection_point.name}
        since = ""
        if kit.collected_at:
            since = _("since %(day)s (%(since)s)") % {
                "day": date_format(timezone.localtime(kit.collected_at), "j M"),
                "since": timesince(kit.collected_at),
            }
        holders = []
        for assignment in kit.open_assignments:
            phone = assignment.maker.phone if assignment.maker else ""
            holders.append(KitHolder(str(assignment.holder), phone, phone.replace(" ", "")))
        rows.append(
            KitListRow(
                code=kit.display_code,
                garments=kit.garments_and_size,
                where=where,
                since=since,
                holders=tuple(holders),
                label_url=label_url(kit.code),
                label_for=_("for kit %(code)s") % {"code": kit.display_code},
            )
        )
    return rows


def batches_for_hub(*, hub: Hub) -> QuerySet[KitBatch]:
    return KitBatch.objects.filter(hub=hub).select_related(
        "precut_stock", "fabric_lot", "created_by"
    )


def batch_for_staff(*, hub: Hub, batch_id: int) -> KitBatch | None:
    return batches_for_hub(hub=hub).filter(pk=batch_id).first()


def batch_kits(*, batch: KitBatch) -> QuerySet[Kit]:
    return batch.kits.order_by("pk")


# --- Stock ----------------------------------------------------------------------------------


def fabric_lots_for_hub(*, hub: Hub) -> QuerySet[FabricLot]:
    """Fabric lots with `metres_drawn` (into kits), newest first."""
    return (
        FabricLot.objects.filter(hub=hub)
        .annotate(metres_drawn=Sum("kits__fabric_metres"))
        .select_related("donation")
        .order_by("-created_at", "-pk")
    )


def precut_for_hub(*, hub: Hub) -> QuerySet[PrecutStock]:
    """Pre-cut batches with `garments_drawn` (into kits), by garment and size."""
    return (
        PrecutStock.objects.filter(hub=hub)
        .annotate(garments_drawn=Sum("kits__garment_count"))
        .select_related("donation", "fabric_lot")
        .order_by(*garment_size_order(), "pk")
    )


def donations_for_hub(*, hub: Hub, unthanked_only: bool = False) -> QuerySet[Donation]:
    donations = Donation.objects.filter(hub=hub).select_related("thanked_by")
    return donations.filter(thanked_at__isnull=True) if unthanked_only else donations


def stock_options(*, hub: Hub) -> tuple[list[PrecutStock], list[FabricLot]]:
    """What kits may be drawn from: pre-cut batches with pieces left, and fabric lots
    approved for hospital washing with metres left (two queries; a hub's shelves are short)."""
    precut = list(
        PrecutStock.objects.filter(hub=hub, quantity_available__gt=0).order_by(
            *garment_size_order(), "pk"
        )
    )
    fabric = list(
        FabricLot.objects.filter(
            hub=hub, approved_for_hospital_washing=True, metres_available__gt=0
        ).order_by("colour", "pk")
    )
    return precut, fabric


@dataclass
class StockLine:
    garment_type: str
    size: str
    precut_left: int
    kits_from_precut: int
    metres_per_garment: Decimal | None
    kits_from_fabric: int

    @property
    def garment_label(self) -> str:
        return str(GarmentType(self.garment_type).label)


@dataclass
class StockSummary:
    fabric_metres: Decimal
    fabric_metres_not_approved: Decimal
    precut_left: int
    lines: list[StockLine]
    garments_per_kit: int


def stock_summary(
    *, hub: Hub, garments_per_kit: int = 5, held: StockHeld | None = None
) -> StockSummary:
    """Fabric and pre-cut pieces left, and the kits they make in each size. The fabric is
    shared by every size: its figure is what it makes if all of it went to that size.
    `held` is the hub's stock_held() when the caller has it."""
    held = held or stock_held(hub=hub)
    precut, patterns = held.precut, held.patterns
    metres = FabricLot.objects.filter(hub=hub).aggregate(
        approved=Sum("metres_available", filter=Q(approved_for_hospital_washing=True)),
        other=Sum("metres_available", filter=Q(approved_for_hospital_washing=False)),
    )
    approved = metres["approved"] or Decimal(0)
    lines = []
    for garment_type in GarmentType.values:
        for size in Size.values:
            left = precut.get((garment_type, size), 0)
            pattern = patterns.get((garment_type, size))
            per_kit = pattern.metres_per_garment * garments_per_kit if pattern else None
            lines.append(
                StockLine(
                    garment_type=garment_type,
                    size=size,
                    precut_left=left,
                    kits_from_precut=left // garments_per_kit,
                    metres_per_garment=pattern.metres_per_garment if pattern else None,
                    kits_from_fabric=int(approved // per_kit) if per_kit else 0,
                )
            )
    return StockSummary(
        fabric_metres=approved,
        fabric_metres_not_approved=metres["other"] or Decimal(0),
        precut_left=sum(precut.values()),
        lines=lines,
        garments_per_kit=garments_per_kit,
    )


# --- The dashboard --------------------------------------------------------------------------


@dataclass
class ChartBar:
    label: str
    needed: int
    segments: list[dict]
    needed_x: float


@dataclass
class Chart:
    bars: list[ChartBar]
    width: int  # of each bar's viewBox


@dataclass
class Todo:
    key: str
    count: int
    url_name: str
    url_query: str = ""
    url: str | None = None  # filled in by the view
    more: bool = False  # more than `count`, which is then the count's cap


@dataclass
class WeekFigures:
    starts_on: date
    returned: int
    passed: int
    delivered: int  # garments, as sent, in deliveries the laundry confirmed this week
    # Against the requests still open (the plan's figures): sets received, sets asked for.
    sets_received_for_open_requests: int
    sets_needed: int
    in_all: DeliveredFigures  # everything the hub has delivered, to every hospital
    active_makers: int
    active_makers_more: bool = False


@dataclass
class Dashboard:
    plan: list[PlanLine]
    totals: dict
    chart: Chart
    todos: list[Todo]
    stock: StockSummary
    week: WeekFigures
    notes: list[ShiftNote] = field(default_factory=list)


# Each bar is its own SVG, CHART_BAR_WIDTH units wide, under its label (HTML text, so it is
# as large as the page's text on any screen), with room at the end for the "needed" line.
CHART_BAR_WIDTH = 400
CHART_WIDTH = 410
# Segment order and their CSS classes (hub.css gives each a fill and a pattern).
CHART_SEGMENTS = [
    ("delivered", "seg-delivered"),
    ("on_the_way", "seg-on-the-way"),
    ("in_pipeline", "seg-pipeline"),
    ("to_plan", "seg-to-plan"),
]


def demand_chart(lines: list[PlanLine]) -> Chart:
    """Horizontal stacked bars, one per garment and size, scaled to the largest row, as
    numbers for the SVGs the template draws (no inline styles: classes only)."""

    def total(line: PlanLine) -> int:
        return line.delivered + line.on_the_way + line.in_pipeline + line.to_plan

    scale = max([max(line.needed, total(line)) for line in lines] or [0]) or 1
    bars = []
    for line in lines:
        x = 0.0
        segments = []
        for name, css in CHART_SEGMENTS:
            value = getattr(line, name)
            width = round(value / scale * CHART_BAR_WIDTH, 1)
            if width > 0:
                segments.append({"x": x, "width": width, "css": css, "value": value})
                x = round(x + width, 1)
        bars.append(
            ChartBar(
                label=f"{line.garment_label} {line.size}",
                needed=line.needed,
                segments=segments,
                needed_x=round(line.needed / scale * CHART_BAR_WIDTH, 1),
            )
        )
    return Chart(bars=bars, width=CHART_WIDTH)


def _week_start(today: date) -> datetime:
    monday = today - timedelta(days=today.weekday())
    return timezone.make_aware(datetime.combine(monday, time.min))


def week_figures(*, hub: Hub, plan: list[PlanLine], today: date | None = None) -> WeekFigures:
    today = today or timezone.localdate()
    starts = _week_start(today)
    moved = HubDayTally.objects.filter(hub=hub, day__gte=starts.date()).aggregate(
        returned=Sum("handed_in"), passed=Sum("passed"), delivered=Sum("delivered")
    )
    active = count_up_to(
        Maker.objects.filter(hub=hub, status=Maker.Status.ACTIVE), FIGURE_COUNT_CAP
    )
    return WeekFigures(
        starts_on=starts.date(),
        returned=moved["returned"] or 0,
        passed=moved["passed"] or 0,
        delivered=moved["delivered"] or 0,
        sets_received_for_open_requests=plan_sets(plan, "delivered"),
        sets_needed=plan_sets(plan, "needed"),
        in_all=delivered_figures(hub=hub),
        active_makers=active.value,
        active_makers_more=active.more,
    )


def todos_for_hub(*, hub: Hub, plan: list[PlanLine], today: date | None = None) -> list[Todo]:
    """What needs doing now, as counts (a fixed handful of queries whatever the hub's size).
    The counts that can run into thousands stop at TODO_COUNT_CAP ("1,000+")."""
    # Each a range of one index (kit_collected_idx, or makers by hub and status).
    hub_kits = Kit.objects.filter(hub=hub)
    allocated = count_up_to(hub_kits.filter(status=Kit.Status.ALLOCATED), TODO_COUNT_CAP)
    overdue = count_up_to(
        hub_kits.filter(status=Kit.Status.WITH_MAKER, collected_at__lt=overdue_cutoff(hub=hub)),
        TODO_COUNT_CAP,
    )
    applicants = count_up_to(
        Maker.objects.filter(hub=hub, status=Maker.Status.APPLIED), TODO_COUNT_CAP
    )
    # Young makers who cannot have a kit until a parent or guardian agrees (maker_young_idx).
    guardians = count_up_to(makers_waiting_for_guardian(hub=hub), TODO_COUNT_CAP)
    points = points_holding_garments_count(hub=hub)
    todos = [
        Todo("applicants", applicants.value, "makers:staff_applicants", more=applicants.more),
        Todo(
            "guardians", guardians.value, "makers:staff_roster", "?guardian=on", more=guardians.more
        ),
        Todo("awaiting_check", sum(line.awaiting_check for line in plan), "hubs:checks"),
        Todo("overdue", overdue.value, "hubs:kits", "?show=overdue", more=overdue.more),
        Todo("allocated", allocated.value, "hubs:kits", "?show=allocated", more=allocated.more),
        # The plan page says what would meet each date, and is where kits are prepared.
        Todo(
            "late_requests", len(late_requests_for_hub(hub=hub, today=today)), "hubs:plan", "#late"
        ),
    ]
    problems = KitProblem.objects.filter(kit__hub=hub, status=KitProblem.Status.OPEN).count()
    todos.append(Todo("problems", problems, "makers:staff_problems"))
    todos.append(Todo("points", points, "dropoffs:staff_points"))
    discrepancies = deliveries_with_discrepancy(hub=hub).count()
    todos.append(Todo("discrepancies", discrepancies, "packages:hub_deliveries"))
    # Wash failures the laundry reported that no one at the hub has looked at yet.
    wash = count_up_to(wash_failures_to_look_at(hub=hub), TODO_COUNT_CAP)
    todos.append(Todo("wash_failures", wash.value, "packages:hub_wash_failures", more=wash.more))
    # Only the messages staff must act on (an index holds just those), in one query: people
    # (not messages) we could not reach, with those to phone; and messages that failed for
    # a reason that sending again may mend.
    outbox = Message.objects.filter(NEEDS_STAFF, hub=hub).aggregate(
        unreachable=Count(PERSON, distinct=True, filter=unreachable_now()),
        failed=Count(
            "pk",
            filter=Q(
                status=Message.Status.FAILED,
                failure_reason__in=[
                    Message.FailureReason.TEMPORARY,
                    Message.FailureReason.TECHNICAL,
                ],
            ),
        ),
    )
    todos.append(Todo("unreachable", outbox["unreachable"], "notifications:unreachable"))
    todos.append(Todo("failed_messages", outbox["failed"], "notifications:list", "?status=failed"))
    return todos


def late_requests_named(
    *, hub: Hub, garments_per_kit: int = 5, today: date | None = None
) -> list[tuple[str, object]]:
    """The hub's late requests (planning.late_requests_for_hub), each with its hospital's
    name: one query more."""
    late = late_requests_for_hub(hub=hub, today=today, garments_per_kit=garments_per_kit)
    if not late:
        return []
    names = dict(hub.hospitals.values_list("pk", "name"))
    return [(names.get(forecast.hospital_id, ""), forecast) for forecast in late]


def dashboard_for_hub(*, hub: Hub, today: date | None = None) -> Dashboard:
    held = stock_held(hub=hub)  # the plan and the stock panel both show it
    plan = plan_for_hub(hub=hub, today=today, held=held)
    return Dashboard(
        plan=plan,
        totals=plan_totals(plan),
        chart=demand_chart(plan),
        todos=todos_for_hub(hub=hub, plan=plan, today=today),
        stock=stock_summary(hub=hub, held=held),
        week=week_figures(hub=hub, plan=plan, today=today),
        notes=list(shift_notes_for_hub(hub=hub)[:3]),
    )


def shift_notes_for_hub(*, hub: Hub) -> QuerySet[ShiftNote]:
    return ShiftNote.objects.filter(hub=hub).select_related("written_by")


def fabric_held(*, hub: Hub) -> Decimal:
    return fabric_metres_held(hub=hub)
