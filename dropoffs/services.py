"""Handovers: kits and garments changing hands at a point, on a doorstep or at the hub.

Each handover is one row, and the garment movements it causes point back to it. The rules
for the garments themselves live in packages.services; these functions only say who handed
what to whom, where.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from dropoffs.models import Handover, Point
from packages import services as packages
from packages.models import Kit, KitAssignment
from packages.services import KitError


class HandoverError(KitError):
    """A handover the rules do not allow; the message is for people."""


def _where(*, hub_id: int, point: Point | None, doorstep: bool) -> dict:
    if point is not None and doorstep:
        raise HandoverError("A handover happens at a point or on a doorstep, not both.")
    if point is not None:
        if point.hub_id != hub_id:
            raise HandoverError("That point belongs to a different hub.")
        return {"location": Handover.Location.POINT, "point": point}
    return {"location": Handover.Location.DOORSTEP if doorstep else Handover.Location.HUB}


def _holder(kit: Kit) -> dict:
    assignment = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if assignment is None:
        return {}
    return {"maker_id": assignment.maker_id, "group_id": assignment.group_id}


def handover_kit_collect(
    *, kit: Kit, actor, point: Point | None = None, doorstep: bool = False, note: str = ""
) -> Handover:
    """The maker (or group) takes their kit: at a point, on their doorstep, or at the hub."""
    with transaction.atomic():
        handover = Handover.objects.create(
            hub_id=kit.hub_id,
            kind=Handover.Kind.COLLECTED_BY_MAKER,
            recorded_by=actor,
            note=note,
            **_holder(kit),
            **_where(hub_id=kit.hub_id, point=point, doorstep=doorstep),
        )
        packages.kit_collect(kit=kit, actor=actor, handover=handover, point=point)
    return handover


def handover_garments_return(
    *,
    kit: Kit,
    count: int,
    actor,
    point: Point | None = None,
    doorstep: bool = False,
    from_place: str = packages.P.WITH_MAKER,
    note: str = "",
) -> Handover:
    """A maker hands in finished garments: at a point they wait for a driver; on a doorstep
    a driver takes them straight on; at the hub they wait to be checked."""
    with transaction.atomic():
        handover = Handover.objects.create(
            hub_id=kit.hub_id,
            kind=Handover.Kind.RETURNED_BY_MAKER,
            recorded_by=actor,
            note=note,
            **_holder(kit),
            **_where(hub_id=kit.hub_id, point=point, doorstep=doorstep),
        )
        packages.garments_return(
            kit=kit,
            count=count,
            actor=actor,
            point=point,
            doorstep=doorstep,
            handover=handover,
            from_place=from_place,
        )
    return handover


def handover_pick_up(
    *, point: Point, kit_counts: Iterable[tuple[Kit, int]], actor, note: str = ""
) -> Handover:
    """A driver takes finished garments of several kits from a point."""
    kit_counts = sorted(kit_counts, key=lambda pair: pair[0].pk)
    if not kit_counts:
        raise HandoverError("Say which kits' garments the driver took.")
    with transaction.atomic():
        for kit, _count in kit_counts:
            # All kits locked first, in id order, before any tally is touched.
            Kit.objects.select_for_update().get(pk=kit.pk)
            if kit.hub_id != point.hub_id:
                raise HandoverError(f"Kit {kit.display_code} belongs to a different hub.")
        handover = Handover.objects.create(
            hub_id=point.hub_id,
            kind=Handover.Kind.PICKED_UP_BY_DRIVER,
            location=Handover.Location.POINT,
            point=point,
            recorded_by=actor,
            note=note,
        )
        for kit, count in kit_counts:
            packages.garments_pick_up(
                kit=kit, point=point, count=count, actor=actor, handover=handover
            )
    return handover


def handover_deliver_to_hub(
    *, hub, kit_counts: Iterable[tuple[Kit, int]], actor, note: str = ""
) -> Handover:
    """A driver brings garments to the hub, where they wait to be checked."""
    kit_counts = sorted(kit_counts, key=lambda pair: pair[0].pk)
    if not kit_counts:
        raise HandoverError("Say which kits' garments arrived.")
    with transaction.atomic():
        for kit, _count in kit_counts:
            Kit.objects.select_for_update().get(pk=kit.pk)
            if kit.hub_id != hub.pk:
                raise HandoverError(f"Kit {kit.display_code} belongs to a different hub.")
        handover = Handover.objects.create(
            hub=hub,
            kind=Handover.Kind.DELIVERED_TO_HUB,
            location=Handover.Location.HUB,
            recorded_by=actor,
            note=note,
        )
        for kit, count in kit_counts:
            packages.garments_arrive_at_hub(kit=kit, count=count, actor=actor, handover=handover)
    return handover
