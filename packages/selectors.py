"""Reads of stock, kits, garments, demand and deliveries, scoped to a hub or hospital."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from packages.models import (
    PLACES,
    Delivery,
    DemandLine,
    GarmentMovement,
    GarmentType,
    HubTally,
    Kit,
    KitAssignment,
    PointHolding,
    Size,
    qty_field,
    sets,
)


def kits_for_hub(*, hub, status: str | None = None) -> QuerySet[Kit]:
    """The hub's kits, newest first. No prefetch: add what the page shows."""
    kits = Kit.objects.filter(hub=hub)
    return kits.filter(status=status) if status else kits


def kit_for_code(*, hub, code: str) -> Kit | None:
    """The hub's kit with this code, forgiving how it was typed; None if there is none."""
    from packages.services import normalise_kit_code

    normal = normalise_kit_code(code)
    if not normal:
        return None
    return Kit.objects.filter(hub=hub, code=normal).first()


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

    return (
        Point.objects.filter(hub=hub, holdings__count__gt=0)
        .annotate(garments_held=Sum("holdings__count"))
        .order_by("name")
    )


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
