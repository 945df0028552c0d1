"""Traceability: for a delivery line or a fabric lot, which kits, makers, handovers and
deliveries it went through, and what failed in the wash."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from dropoffs.models import Handover
from packages.models import (
    DeliveryAllocation,
    DeliveryLine,
    FabricLot,
    GarmentMovement,
    Kit,
    KitAssignment,
    garment_size_order,
)
from packages.selectors import wash_failures_for_kits

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
