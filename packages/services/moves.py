"""Kit statuses and garment moves: which status a kit may take next (KIT_ALLOWED) and where its
garments may go (GARMENT_MOVES), and the one path each change takes. _kit_status_set changes
a locked kit's status and records the event; _garments_move moves garments between places
and keeps everything that counts them (the kit's counts, the movement row, the hub's
tallies, point holdings, the holder's record), closing the kit when nothing is left open.
Every other module of packages.services changes a kit through these two.

Locking order, as everywhere in packages.services: delivery, then kits (in id order), then
stock, then tallies and point holdings.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from dropoffs.models import Handover, Point
from packages.models import (
    DeliveryLine,
    GarmentMovement,
    HubDayTally,
    HubTally,
    Kit,
    KitAssignment,
    KitEvent,
    Place,
    PointHolding,
    PrecutStock,
    qty_field,
)
from packages.records import HANDED_IN_PLACES, day_tally_field
from packages.services.errors import KitError
from scrubhub.hubs.models import Hub

K = Kit.Status
KIT_ALLOWED: dict[str, set[str]] = {
    K.PREPARED: {K.ALLOCATED, K.CANCELLED},
    K.ALLOCATED: {K.WITH_MAKER, K.PREPARED, K.CANCELLED, K.LOST},
    K.WITH_MAKER: {K.CLOSED, K.LOST},
    K.CLOSED: set(),
    K.CANCELLED: set(),
    K.LOST: set(),
}
OPEN_KIT_STATUSES = {K.PREPARED, K.ALLOCATED, K.WITH_MAKER}

P = Place
GARMENT_MOVES: dict[str, set[str]] = {
    P.IN_KIT: {P.WITH_MAKER, P.RETURNED_TO_STOCK, P.WRITTEN_OFF},
    P.WITH_MAKER: {
        P.AT_POINT,
        P.IN_TRANSIT,
        P.AWAITING_CHECK,
        P.RETURNED_TO_STOCK,
        P.WRITTEN_OFF,
    },
    P.REWORK: {P.AT_POINT, P.IN_TRANSIT, P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.AT_POINT: {P.IN_TRANSIT, P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.IN_TRANSIT: {P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.AWAITING_CHECK: {P.PASSED, P.REWORK, P.WRITTEN_OFF},
    P.PASSED: {P.RESERVED, P.WRITTEN_OFF},
    P.RESERVED: {P.PASSED, P.DELIVERED},
    P.DELIVERED: set(),
    P.WRITTEN_OFF: set(),
    P.RETURNED_TO_STOCK: set(),
}


def _place_label(place: str) -> str:
    return str(Place(place).label).lower()


def _garments(n: int) -> str:
    return ngettext("%(n)s garment", "%(n)s garments", n) % {"n": n}


def _garments_worth(n: int) -> str:
    return ngettext("%(n)s garment's worth", "%(n)s garments' worth", n) % {"n": n}


def _kits(n: int) -> str:
    return ngettext("%(n)s kit", "%(n)s kits", n) % {"n": n}


def _kit_label(kit: Kit) -> str:
    return f"Kit {kit.display_code}"


def _lock_kit(kit_id: int) -> Kit:
    return Kit.objects.select_for_update().get(pk=kit_id)


def _tally_add(*, hub_id: int, garment_type: str, size: str, deltas: dict[str, int]) -> None:
    """Add to the hub's per-size counters in the caller's transaction (after the kit lock)."""
    changes = {qty_field(p): F(qty_field(p)) + d for p, d in deltas.items() if d}
    if not changes:
        return
    HubTally.objects.bulk_create(
        [HubTally(hub_id=hub_id, garment_type=garment_type, size=size)], ignore_conflicts=True
    )
    HubTally.objects.filter(hub_id=hub_id, garment_type=garment_type, size=size).update(**changes)


def _day_tally_add(*, kit: Kit, from_place: str, to_place: str, movement) -> None:
    """Count garments handed in, passed or delivered on the hub's day tally."""
    field = day_tally_field(from_place, to_place)
    if field is None:
        return
    key = {
        "hub_id": kit.hub_id,
        "day": timezone.localdate(movement.created_at),
        "garment_type": kit.garment_type,
        "size": kit.size,
    }
    HubDayTally.objects.bulk_create([HubDayTally(**key)], ignore_conflicts=True)
    HubDayTally.objects.filter(**key).update(**{field: F(field) + movement.count})


def _holding_add(*, point: Point, kit: Kit, delta: int) -> None:
    if delta > 0:
        PointHolding.objects.bulk_create(
            [PointHolding(point=point, kit=kit, count=0)], ignore_conflicts=True
        )
        PointHolding.objects.filter(point=point, kit=kit).update(count=F("count") + delta)
        return
    taken = PointHolding.objects.filter(point=point, kit=kit, count__gte=-delta).update(
        count=F("count") + delta
    )
    if not taken:
        held = PointHolding.objects.filter(point=point, kit=kit).values_list("count", flat=True)
        raise KitError(
            f"{point.name} holds {_garments(next(iter(held), 0))} from {_kit_label(kit)}, "
            f"not {-delta}."
        )


def _kit_event(*, kit: Kit, old: str, new: str, actor, note: str = "") -> None:
    event = KitEvent.objects.create(kit=kit, old_status=old, new_status=new, actor=actor, note=note)
    if new == K.WITH_MAKER:
        Kit.objects.filter(pk=kit.pk).update(collected_at=event.created_at)
        kit.collected_at = event.created_at


def _holder_model(assignment: KitAssignment):
    """The holder's row to count on: the maker's, or the group's."""
    from makers.models import Maker, MakerGroup

    if assignment.maker_id:
        return Maker.objects.filter(pk=assignment.maker_id)
    return MakerGroup.objects.filter(pk=assignment.group_id)


def _assignment_end(*, kit: Kit, actor, reason: str) -> None:
    """End the kit's open assignment (if any); its holder holds one kit fewer."""
    current = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if current is None:
        return
    KitAssignment.objects.filter(pk=current.pk).update(
        ended_at=timezone.now(), ended_by=actor, end_reason=reason[:200]
    )
    _holder_model(current).update(kits_held=F("kits_held") - 1)


def _hand_in_count(*, kit: Kit, at) -> None:
    """Garments left the maker: the first time for this assignment, their record gains a
    kit handed in, on time if within the hub's overdue limit of when they collected it."""
    current = KitAssignment.objects.filter(
        kit=kit, ended_at__isnull=True, handed_in_at__isnull=True
    ).first()
    if current is None:
        return
    collected = (
        KitEvent.objects.filter(
            kit=kit, new_status=K.WITH_MAKER, created_at__gte=current.assigned_at
        )
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )
    due = (collected or current.assigned_at) + timedelta(days=kit.hub.overdue_after_days)
    on_time = at <= due
    KitAssignment.objects.filter(pk=current.pk).update(handed_in_at=at, handed_in_on_time=on_time)
    _holder_model(current).update(
        kits_handed_in=F("kits_handed_in") + 1,
        kits_on_time=F("kits_on_time") + (1 if on_time else 0),
    )


def _check_count(*, kit: Kit, passed: int, failed: int) -> None:
    """A check counts for whoever holds the kit when it is made."""
    current = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if current is not None:
        _holder_model(current).update(
            garments_passed=F("garments_passed") + passed,
            garments_failed=F("garments_failed") + failed,
        )


def _kit_status_set(*, kit: Kit, to: str, actor, note: str = "", **changes) -> Kit:
    """Change the status of a kit the caller has locked."""
    if to not in KIT_ALLOWED[kit.status]:
        raise KitError(
            f"A {kit.get_status_display().lower()} kit cannot become {K(to).label.lower()}."
        )
    old = kit.status
    updated = Kit.objects.filter(pk=kit.pk, status=old).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if not updated:  # only possible if a caller forgot the lock
        raise KitError(f"{_kit_label(kit)} changed while you were working on it. Try again.")
    _kit_event(kit=kit, old=old, new=to, actor=actor, note=note)
    kit.refresh_from_db()
    return kit


def _garments_move(
    *,
    kit_id: int,
    from_place: str,
    to_place: str,
    count: int,
    actor,
    point: Point | None = None,
    handover: Handover | None = None,
    delivery_line: DeliveryLine | None = None,
    reason: str = "",
    new_status: str | None = None,
    status_note: str = "",
) -> Kit:
    """Move `count` garments of one kit between places: the counts, the movement row, the
    hub's tally and the point's holding, in one transaction. With `new_status` the kit's
    status changes in the same statement (the constraints see both at once)."""
    if count < 1:
        raise KitError("Say how many garments moved: at least one.")
    if to_place not in GARMENT_MOVES[from_place]:
        raise KitError(
            f"Garments {_place_label(from_place)} cannot go straight to {_place_label(to_place)}."
        )
    if P.AT_POINT in (from_place, to_place) and point is None:
        raise KitError("Say which point the garments are at.")
    with transaction.atomic():
        kit = _lock_kit(kit_id)
        if kit.status not in OPEN_KIT_STATUSES:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; "
                "its garments cannot move."
            )
        if new_status is None and kit.status != K.WITH_MAKER:
            raise KitError(
                f"{_kit_label(kit)} has not been collected yet; its garments are all still "
                "in the kit."
            )
        if new_status is not None and new_status not in KIT_ALLOWED[kit.status]:
            raise KitError(
                f"A {kit.get_status_display().lower()} kit cannot become "
                f"{K(new_status).label.lower()}."
            )
        have = getattr(kit, qty_field(from_place))
        if have < count:
            raise KitError(
                f"{_kit_label(kit)} has {_garments(have)} {_place_label(from_place)}, "
                f"so {count} cannot move."
            )
        src, dst = qty_field(from_place), qty_field(to_place)
        changes = {src: F(src) - count, dst: F(dst) + count, "updated_at": timezone.now()}
        if new_status is not None:
            changes["status"] = new_status
        # Compare-and-set: the count must still be there when we take it.
        updated = Kit.objects.filter(pk=kit_id, **{f"{src}__gte": count}).update(**changes)
        if not updated:
            raise KitError(
                f"{_kit_label(kit)} no longer has {_garments(count)} {_place_label(from_place)}."
            )
        movement = GarmentMovement.objects.create(
            kit=kit,
            from_place=from_place,
            to_place=to_place,
            count=count,
            actor=actor,
            point=point,
            handover=handover,
            delivery_line=delivery_line,
            reason=reason[:300],
        )
        _tally_add(
            hub_id=kit.hub_id,
            garment_type=kit.garment_type,
            size=kit.size,
            deltas={from_place: -count, to_place: count},
        )
        _day_tally_add(kit=kit, from_place=from_place, to_place=to_place, movement=movement)
        if from_place == P.WITH_MAKER and to_place in HANDED_IN_PLACES:
            _hand_in_count(kit=kit, at=movement.created_at)
        if from_place == P.AT_POINT:
            _holding_add(point=point, kit=kit, delta=-count)
        if to_place == P.AT_POINT:
            _holding_add(point=point, kit=kit, delta=count)
        old_status = kit.status
        kit.refresh_from_db()
        if new_status is not None:
            _kit_event(kit=kit, old=old_status, new=new_status, actor=actor, note=status_note)
            if new_status in {K.LOST, K.CANCELLED}:
                _assignment_end(kit=kit, actor=actor, reason=K(new_status).label)
        _kit_close_if_done(kit=kit, actor=actor)
    return kit


def _kit_close_if_done(*, kit: Kit, actor) -> None:
    if kit.status == K.WITH_MAKER and kit.open_garments == 0:
        _kit_status_set(
            kit=kit,
            to=K.CLOSED,
            actor=actor,
            note="Every garment is accounted for.",
            closed_at=timezone.now(),
        )
        _assignment_end(kit=kit, actor=actor, reason="Kit closed")


def _stock_recredit(*, kit: Kit, count: int, actor) -> None:
    """Unsewn pieces back on the shelf: to the pre-cut batch they came from, or, for a kit
    the hub cut from fabric, to a batch of pieces cut from that lot."""
    if kit.precut_stock_id:
        PrecutStock.objects.filter(pk=kit.precut_stock_id).update(
            quantity_available=F("quantity_available") + count
        )
        return
    batch, _ = PrecutStock.objects.get_or_create(
        hub_id=kit.hub_id,
        fabric_lot_id=kit.fabric_lot_id,
        garment_type=kit.garment_type,
        size=kit.size,
        cut_by="The hub (unsewn pieces returned from kits)",
        defaults={"quantity_received": 0, "quantity_available": 0, "received_by": actor},
    )
    PrecutStock.objects.filter(pk=batch.pk).update(
        quantity_available=F("quantity_available") + count
    )


def tallies_rebuild(*, hub: Hub) -> int:
    """Recompute a hub's tallies from its kits (for repair after a bypass; in normal running
    they never drift). Returns how many tally rows were written."""
    from django.db.models import Sum

    with transaction.atomic():
        HubTally.objects.select_for_update().filter(hub=hub).exists()
        sums = (
            Kit.objects.filter(hub=hub)
            .values("garment_type", "size")
            .annotate(**{qty_field(p): Sum(qty_field(p)) for p in Place.values})
        )
        written = 0
        seen = set()
        for row in sums:
            key = (row["garment_type"], row["size"])
            seen.add(key)
            HubTally.objects.update_or_create(
                hub=hub,
                garment_type=key[0],
                size=key[1],
                defaults={qty_field(p): row[qty_field(p)] or 0 for p in Place.values},
            )
            written += 1
        for tally in HubTally.objects.filter(hub=hub):
            if (tally.garment_type, tally.size) not in seen:
                HubTally.objects.filter(pk=tally.pk).update(
                    **{qty_field(p): 0 for p in Place.values}
                )
    return written
