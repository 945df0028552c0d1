"""A kit with its maker and on its way back: collected, the maker's progress, finished
garments handed in (at a point, on the doorstep or at the hub), picked up by a driver,
arrived at the hub to be checked, or a kit given back unfinished. Each goes through
moves._garments_move.
"""

from __future__ import annotations

from django.db import transaction

from dropoffs.models import Handover, Point
from packages.models import Kit, KitProgress, Place
from packages.services.errors import KitError
from packages.services.moves import (
    _garments,
    _garments_move,
    _kit_label,
    _lock_kit,
    _stock_recredit,
)

K = Kit.Status
P = Place


def kit_collect(
    *, kit: Kit, actor, handover: Handover | None = None, point: Point | None = None
) -> Kit:
    """The maker (or group) has the kit: every garment goes from the kit to them."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.ALLOCATED:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; only a kit given "
                "to a maker can be collected."
            )
        return _garments_move(
            kit_id=kit.pk,
            from_place=P.IN_KIT,
            to_place=P.WITH_MAKER,
            count=kit.garment_count,
            actor=actor,
            handover=handover,
            point=point,
            reason="Collected",
            new_status=K.WITH_MAKER,
        )


def kit_progress_log(*, kit: Kit, finished: int, actor) -> Kit:
    """The maker says how many garments are finished. The number only goes up."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.WITH_MAKER:
            raise KitError(f"{_kit_label(kit)} is not with a maker, so progress cannot be logged.")
        if not 0 <= finished <= kit.garment_count:
            raise KitError(
                f"{_kit_label(kit)} has {_garments(kit.garment_count)}; "
                f"{finished} cannot be finished."
            )
        moved = Kit.objects.filter(pk=kit.pk, finished_count__lt=finished).update(
            finished_count=finished
        )
        if not moved:
            raise KitError(
                f"You already said {kit.finished_count} are finished; the number can only go up."
            )
        KitProgress.objects.create(kit=kit, finished=finished, actor=actor)
    kit.refresh_from_db()
    return kit


def garments_return(
    *,
    kit: Kit,
    count: int,
    actor,
    point: Point | None = None,
    doorstep: bool = False,
    handover: Handover | None = None,
    from_place: str = P.WITH_MAKER,
) -> Kit:
    """A maker hands in finished garments: at a point (they wait there for a driver), on
    their doorstep (a driver takes them on), or at the hub (straight to checking). Part of
    a kit may come back now and the rest later."""
    if from_place not in {P.WITH_MAKER, P.REWORK}:
        raise KitError("Only garments with the maker or being reworked can be handed in.")
    if point is not None and doorstep:
        raise KitError("Garments are handed in at a point or on a doorstep, not both.")
    if point is not None:
        if point.hub_id != kit.hub_id:
            raise KitError("That point belongs to a different hub.")
        if not (point.is_active and point.accepts_finished_garments):
            raise KitError(f"{point.name} is not taking finished scrubs at the moment.")
    to_place = P.AT_POINT if point else P.IN_TRANSIT if doorstep else P.AWAITING_CHECK
    return _garments_move(
        kit_id=kit.pk,
        from_place=from_place,
        to_place=to_place,
        count=count,
        actor=actor,
        point=point,
        handover=handover,
        reason="Collected from the doorstep" if doorstep else "",
    )


def garments_pick_up(
    *, kit: Kit, point: Point, count: int, actor, handover: Handover | None = None
) -> Kit:
    """A driver takes finished garments from a point."""
    return _garments_move(
        kit_id=kit.pk,
        from_place=P.AT_POINT,
        to_place=P.IN_TRANSIT,
        count=count,
        actor=actor,
        point=point,
        handover=handover,
    )


def garments_arrive_at_hub(*, kit: Kit, count: int, actor, handover: Handover | None = None) -> Kit:
    """Garments on the way reach the hub and wait to be checked."""
    return _garments_move(
        kit_id=kit.pk,
        from_place=P.IN_TRANSIT,
        to_place=P.AWAITING_CHECK,
        count=count,
        actor=actor,
        handover=handover,
    )


def kit_return_unfinished(
    *,
    kit: Kit,
    actor,
    finished: int,
    to_stock: int = 0,
    written_off: int = 0,
    reason: str = "",
    handover: Handover | None = None,
) -> Kit:
    """A maker gives back a kit they cannot finish: finished garments go to checking, unsewn
    pieces back to stock or written off (with a reason). Together they must be everything
    the maker still has."""
    if min(finished, to_stock, written_off) < 0:
        raise KitError("Counts cannot be less than nothing.")
    if written_off and not reason.strip():
        raise KitError("Please say why the pieces are being written off.")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.WITH_MAKER:
            raise KitError(f"{_kit_label(kit)} is not with a maker.")
        if finished + to_stock + written_off != kit.qty_with_maker:
            raise KitError(
                f"The maker has {_garments(kit.qty_with_maker)} from {_kit_label(kit)}; "
                f"{finished} finished, {to_stock} to stock and {written_off} written off "
                f"make {finished + to_stock + written_off}."
            )
        moves = [
            (P.AWAITING_CHECK, finished, "Handed back unfinished kit"),
            (P.RETURNED_TO_STOCK, to_stock, "Unsewn pieces back in stock"),
            (P.WRITTEN_OFF, written_off, reason),
        ]
        for to_place, count, why in moves:
            if count:
                kit = _garments_move(
                    kit_id=kit.pk,
                    from_place=P.WITH_MAKER,
                    to_place=to_place,
                    count=count,
                    actor=actor,
                    handover=handover,
                    reason=why,
                )
        if to_stock:
            _stock_recredit(kit=kit, count=to_stock, actor=actor)
    return kit
