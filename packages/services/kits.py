"""A kit's life at the hub: a batch prepared from stock; a kit given out to a maker or a group,
or handed on to someone else (kit_allocate and kit_reallocate, the only ways, each checking
with the maker's row locked that they may have kits now); taken back onto the shelf, marked
lost, or broken up with its pieces returned to stock. Statuses change only through
moves._kit_status_set, garments only through moves._garments_move.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext, ngettext

from dropoffs.models import Point
from makers.services.status import maker_mark_active
from packages.codes import kit_code_generate
from packages.kit_messages import tell_given, tell_not_needed
from packages.models import (
    FabricLot,
    GarmentMovement,
    GarmentType,
    Kit,
    KitAssignment,
    KitEvent,
    Pattern,
    Place,
    PrecutStock,
    Size,
    qty_field,
)
from packages.services.errors import KitError, KitTakenError, StockError
from packages.services.moves import (
    KIT_ALLOWED,
    _assignment_end,
    _garments,
    _garments_move,
    _garments_worth,
    _holder_model,
    _kit_event,
    _kit_label,
    _kit_status_set,
    _kits,
    _lock_kit,
    _stock_recredit,
    _tally_add,
)
from packages.services.stock import pattern_for
from scrubhub.hubs.models import Hub, KitBatch

K = Kit.Status
P = Place


# A batch bigger than this is a typing mistake, not a day's work for a hub.
MAX_KITS_PER_BATCH = 200
MAX_GARMENTS_PER_KIT = 20


def stock_left(stock: PrecutStock | FabricLot) -> Decimal | int:
    """What is left of a stock row now: garments' worth of pieces, or metres of fabric."""
    if isinstance(stock, PrecutStock):
        return stock.quantity_available
    return stock.metres_available


def kits_prepare(
    *,
    hub: Hub,
    garment_type: str,
    size: str,
    kit_count: int,
    garments_per_kit: int,
    actor,
    precut_stock: PrecutStock | None = None,
    fabric_lot: FabricLot | None = None,
    pattern: Pattern | None = None,
    expected_left: Decimal | int | None = None,
) -> KitBatch:
    """Make up a batch of `kit_count` kits of `garments_per_kit` garments each, drawing
    pre-cut pieces or fabric (the pattern's metres per garment), never both, and record the
    batch with the kits it made.

    `expected_left` is what was left of the stock when the person looked (the confirm
    page): if anyone has drawn from, or put back into, the same stock since, the numbers
    they confirmed are stale, so nothing is drawn and they are shown the new numbers.
    """
    if not 1 <= kit_count <= MAX_KITS_PER_BATCH:
        raise StockError(f"Make between 1 and {MAX_KITS_PER_BATCH} kits in one batch.")
    if not 1 <= garments_per_kit <= MAX_GARMENTS_PER_KIT:
        raise StockError(f"Put between 1 and {MAX_GARMENTS_PER_KIT} garments in each kit.")
    if (precut_stock is None) == (fabric_lot is None):
        raise StockError("Choose either a batch of pre-cut pieces or a fabric lot, not both.")
    garment_type, size = GarmentType(garment_type), Size(size)
    if pattern is None:
        pattern = pattern_for(hub=hub, garment_type=garment_type, size=size)
    elif pattern.hub_id not in (None, hub.pk) or (pattern.garment_type, pattern.size) != (
        garment_type,
        size,
    ):
        raise StockError(f"That pattern is not for {garment_type.label.lower()} in size {size}.")
    stock = precut_stock if precut_stock is not None else fabric_lot
    if stock.hub_id != hub.pk:
        kind = "batch of pieces" if precut_stock is not None else "fabric lot"
        raise StockError(f"That {kind} belongs to a different hub.")
    total = kit_count * garments_per_kit
    with transaction.atomic():
        if expected_left is not None:
            # Held until commit, so the check below and the draw see the same stock.
            current = type(stock).objects.select_for_update().get(pk=stock.pk)
            now_left = stock_left(current)
            if Decimal(now_left) != Decimal(expected_left):
                unit = "garments' worth of pieces" if precut_stock is not None else "metres"
                raise StockError(
                    f"Someone else has used this stock since you looked: it had "
                    f"{expected_left} {unit} left, and now it has {now_left}. Nothing was "
                    "drawn. Check the new numbers below and confirm again."
                )
        if precut_stock is not None:
            if (precut_stock.garment_type, precut_stock.size) != (garment_type, size):
                raise StockError(
                    f"That batch holds {precut_stock.get_garment_type_display().lower()} "
                    f"in size {precut_stock.size}, not {garment_type.label.lower()} in {size}."
                )
            # Compare-and-set: two staff drawing the last pieces cannot both have them.
            drawn = PrecutStock.objects.filter(
                pk=precut_stock.pk, quantity_available__gte=total
            ).update(quantity_available=F("quantity_available") - total)
            if not drawn:
                left = PrecutStock.objects.get(pk=precut_stock.pk).quantity_available
                raise StockError(
                    f"There are only {_garments_worth(left)} of pieces left in that batch; "
                    f"{_kits(kit_count)} of {garments_per_kit} need {total}."
                )
            source = {"source": Kit.Source.PRECUT, "precut_stock": precut_stock}
        else:
            if not fabric_lot.approved_for_hospital_washing:
                raise StockError(
                    "That fabric is not approved for hospital washing, so it cannot be used."
                )
            if pattern is None:
                raise StockError(
                    f"There is no pattern for {garment_type.label.lower()} in size {size}, "
                    "so we cannot tell how much fabric a kit needs."
                )
            per_kit = pattern.metres_per_garment * garments_per_kit
            metres = per_kit * kit_count
            drawn = FabricLot.objects.filter(pk=fabric_lot.pk, metres_available__gte=metres).update(
                metres_available=F("metres_available") - metres
            )
            if not drawn:
                left = FabricLot.objects.get(pk=fabric_lot.pk).metres_available
                raise StockError(
                    f"There are only {left} metres left in that lot; {_kits(kit_count)} of "
                    f"{garments_per_kit} need {metres} metres."
                )
            source = {
                "source": Kit.Source.FABRIC,
                "fabric_lot": fabric_lot,
                "fabric_metres": per_kit,
            }
        kits = [
            _kit_create(
                hub=hub,
                garment_type=garment_type,
                size=size,
                garment_count=garments_per_kit,
                pattern=pattern,
                actor=actor,
                **source,
            )
            for _ in range(kit_count)
        ]
        GarmentMovement.objects.bulk_create(
            [
                GarmentMovement(
                    kit=kit, from_place="", to_place=P.IN_KIT, count=garments_per_kit, actor=actor
                )
                for kit in kits
            ]
        )
        KitEvent.objects.bulk_create(
            [KitEvent(kit=kit, old_status="", new_status=K.PREPARED, actor=actor) for kit in kits]
        )
        _tally_add(hub_id=hub.pk, garment_type=garment_type, size=size, deltas={P.IN_KIT: total})
        batch = KitBatch.objects.create(
            hub=hub,
            garment_type=garment_type,
            size=size,
            garments_per_kit=garments_per_kit,
            kit_count=kit_count,
            precut_stock=precut_stock,
            fabric_lot=fabric_lot,
            metres_drawn=metres if fabric_lot is not None else None,
            created_by=actor,
        )
        batch.kits.set(kits)
    return batch


def _kit_create(**fields) -> Kit:
    actor = fields.pop("actor")
    for _attempt in range(5):
        code = kit_code_generate()
        try:
            # A savepoint, so a code collision does not spoil the caller's transaction.
            with transaction.atomic():
                return Kit.objects.create(
                    code=code,
                    qty_in_kit=fields["garment_count"],
                    created_by=actor,
                    **fields,
                )
        except IntegrityError:
            if not Kit.objects.filter(code=code).exists():
                raise
    raise KitError("Could not find a free kit code. Please try again.")


def _check_holder(*, kit: Kit, maker, group) -> None:
    if (maker is None) == (group is None):
        raise KitError("A kit goes to one maker or one group.")
    if maker is not None:
        if maker.hub_id != kit.hub_id:
            raise KitError("That maker belongs to a different hub.")
        if not maker.may_receive_kits:
            raise KitError(
                f"{maker} is {maker.get_status_display().lower()}, so cannot be given a kit."
            )
        from makers.guardian_services import kit_refusal

        # 16 and 17 year olds wait for a parent or guardian to agree (the maker is locked).
        if refusal := kit_refusal(maker=maker):
            raise KitError(refusal)
    else:
        if group.hub_id != kit.hub_id:
            raise KitError("That group belongs to a different hub.")
        if group.status != group.Status.ACTIVE:
            raise KitError(f"{group} is {group.get_status_display().lower()}, so gets no kits.")


def _assignment_open(*, kit: Kit, maker, group, actor) -> KitAssignment:
    assignment = KitAssignment.objects.create(kit=kit, maker=maker, group=group, assigned_by=actor)
    _holder_model(assignment).update(
        kits_held=F("kits_held") + 1, last_given_at=assignment.assigned_at
    )
    if maker is not None and maker.status != maker.Status.ACTIVE:
        maker_mark_active(maker=maker, actor=actor)
    return assignment


def _holder_name(assignment: KitAssignment | None) -> str:
    if assignment is None:
        return ""
    return str(assignment.holder)


def _person(user) -> str:
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


def _taken_error(kit: Kit) -> KitTakenError:
    """The plain sentence for a kit that is no longer on the shelf."""
    if kit.status in {K.ALLOCATED, K.WITH_MAKER}:
        assignment = (
            KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
            .select_related("maker", "group", "assigned_by")
            .first()
        )
        if assignment is not None:
            return KitTakenError(
                gettext(
                    "Kit %(code)s was just given to %(holder)s by %(staff)s, so it is no "
                    "longer on the shelf. Choose another kit."
                )
                % {
                    "code": kit.display_code,
                    "holder": _holder_name(assignment),
                    "staff": _person(assignment.assigned_by),
                },
                kit=kit,
            )
    return KitTakenError(
        gettext("Kit %(code)s is no longer on the shelf: it is %(status)s. Choose another kit.")
        % {"code": kit.display_code, "status": kit.get_status_display().lower()},
        kit=kit,
    )


def _open_assignment(kit: Kit) -> KitAssignment | None:
    return (
        KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
        .select_related("maker", "group", "group__leader")
        .first()
    )


def kit_allocate(
    *, kit: Kit, actor, maker=None, group=None, collection_point: Point | None = None
) -> Kit:
    """Give a prepared kit to one maker or one group, optionally to collect at a point, and
    tell them where to collect it. A kit a colleague gave out a moment ago is refused with
    who has it (KitTakenError), not a bare status."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.PREPARED:
            raise _taken_error(kit)
        _check_holder(kit=kit, maker=maker, group=group)
        if collection_point is not None:
            if collection_point.hub_id != kit.hub_id:
                raise KitError("That point belongs to a different hub.")
            if not (collection_point.is_active and collection_point.accepts_kit_collection):
                raise KitError(f"{collection_point.name} is not taking kits for collection.")
        kit = _kit_status_set(
            kit=kit, to=K.ALLOCATED, actor=actor, collection_point=collection_point
        )
        _assignment_open(kit=kit, maker=maker, group=group, actor=actor)
        tell_given(kit=kit, assignment=_open_assignment(kit))
    return kit


def kit_reallocate(*, kit: Kit, actor, maker=None, group=None, reason: str = "") -> Kit:
    """Give an allocated or collected kit to someone else; the earlier holder stays in the
    kit's history. If it was still waiting to be collected, the new holder is told where,
    and the old one is told not to come for it."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status not in {K.ALLOCATED, K.WITH_MAKER}:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; only a kit that "
                "has been given out can be given to someone else."
            )
        _check_holder(kit=kit, maker=maker, group=group)
        before = _open_assignment(kit)
        if (
            before
            and before.maker_id == getattr(maker, "pk", None)
            and before.group_id == (getattr(group, "pk", None))
        ):
            raise KitError(f"{_kit_label(kit)} is already with {before.holder}.")
        _assignment_end(
            kit=kit, actor=actor, reason=reason.strip() or gettext("Given to someone else")
        )
        _assignment_open(kit=kit, maker=maker, group=group, actor=actor)
        _kit_event(kit=kit, old=kit.status, new=kit.status, actor=actor, note="Reallocated")
        if kit.status == K.ALLOCATED:
            if before is not None:
                tell_not_needed(kit=kit, assignment=before)
            tell_given(kit=kit, assignment=_open_assignment(kit))
    return kit


def kit_take_back(*, kit: Kit, actor, reason: str = "") -> Kit:
    """An allocated kit nobody collected goes back on the shelf, and its holder is told
    they need not come for it."""
    reason = reason.strip() or gettext("Taken back")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.ALLOCATED:
            raise KitError(
                gettext(
                    "Kit %(code)s is %(status)s. Only a kit waiting to be collected can be "
                    "taken back onto the shelf."
                )
                % {"code": kit.display_code, "status": kit.get_status_display().lower()}
            )
        before = _open_assignment(kit)
        kit = _kit_status_set(
            kit=kit, to=K.PREPARED, actor=actor, note=reason, collection_point=None
        )
        _assignment_end(kit=kit, actor=actor, reason=reason)
        if before is not None:
            tell_not_needed(kit=kit, assignment=before)
    return kit


def kit_mark_lost(*, kit: Kit, actor, reason: str) -> Kit:
    """The kit went missing while a maker had it: what they held is written off."""
    if not reason.strip():
        raise KitError("Please say what happened to the kit.")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if K.LOST not in KIT_ALLOWED[kit.status]:
            raise KitError(f"A {kit.get_status_display().lower()} kit cannot be marked lost.")
        elsewhere = kit.open_garments - kit.qty_in_kit - kit.qty_with_maker - kit.qty_rework
        if elsewhere:
            raise KitError(
                f"{_garments(elsewhere)} from {_kit_label(kit)} "
                f"{ngettext('has', 'have', elsewhere)} already been handed in. "
                "Write off only the missing ones instead."
            )
        moves = [
            (p, getattr(kit, qty_field(p)))
            for p in (P.IN_KIT, P.WITH_MAKER, P.REWORK)
            if getattr(kit, qty_field(p))
        ]
        for index, (place, count) in enumerate(moves):
            last = index == len(moves) - 1
            kit = _garments_move(
                kit_id=kit.pk,
                from_place=place,
                to_place=P.WRITTEN_OFF,
                count=count,
                actor=actor,
                reason=reason,
                new_status=K.LOST if last else None,
                status_note=reason if last else "",
            )
        if not moves:  # nothing left with the maker: everything else is already settled
            kit = _kit_status_set(kit=kit, to=K.LOST, actor=actor, note=reason)
            _assignment_end(kit=kit, actor=actor, reason=str(K.LOST.label))
    return kit


def kit_cancel(*, kit: Kit, actor, reason: str = "") -> Kit:
    """A kit nobody has collected is broken up: its pieces go back to stock."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if K.CANCELLED not in KIT_ALLOWED[kit.status]:
            raise KitError(f"A {kit.get_status_display().lower()} kit cannot be cancelled.")
        kit = _garments_move(
            kit_id=kit.pk,
            from_place=P.IN_KIT,
            to_place=P.RETURNED_TO_STOCK,
            count=kit.qty_in_kit,
            actor=actor,
            reason=reason or "Kit cancelled",
            new_status=K.CANCELLED,
            status_note=reason,
        )
        _stock_recredit(kit=kit, count=kit.qty_returned_to_stock, actor=actor)
    return kit
