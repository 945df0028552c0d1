"""Handovers: kits and garments changing hands at a point, on a doorstep or at the hub.

Each handover is one row, and the garment movements it causes point back to it. The rules
for the garments themselves live in packages.services; these functions only say who handed
what to whom, where.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from dropoffs.models import Handover, Point, Run, RunStop
from dropoffs.services.common import HandoverAlreadyRecorded, HandoverError
from packages import services as packages
from packages.models import GarmentMovement, Kit, KitAssignment


def kit_version(kit: Kit) -> str:
    """What a handover page saw of a kit. Every garment move and status change stamps the
    kit's updated_at, so a page whose version no longer matches is out of date."""
    return kit.updated_at.isoformat()


# --- One handover per key, and refusals that say what happened -------------------------------
# A helper's phone gives every handover it records a key (a UUID, the form's client_key) and
# keeps it in its outbox until the server answers; with no signal that can be hours later,
# and it may send it more than once. The key is unique on Handover, and every handover_*
# service checks it after locking the kits, before it compares versions: a repeat answers
# HandoverAlreadyRecorded (the first sending changed the kit, so its version is stale by
# then), never a second handover, and never a refusal.

# The kit page's buttons (dropoffs.forms.HandoverForm) and the handover each records.
ACTION_KIND = {
    "collect": Handover.Kind.COLLECTED_BY_MAKER,
    "return": Handover.Kind.RETURNED_BY_MAKER,
    "return_rework": Handover.Kind.RETURNED_BY_MAKER,
    "unfinished": Handover.Kind.RETURNED_BY_MAKER,
    "pick_up": Handover.Kind.PICKED_UP_BY_DRIVER,
    "arrive": Handover.Kind.DELIVERED_TO_HUB,
}
KIND_DONE = {
    Handover.Kind.COLLECTED_BY_MAKER: "given to its maker",
    Handover.Kind.RETURNED_BY_MAKER: "handed in",
    Handover.Kind.PICKED_UP_BY_DRIVER: "handed to a driver",
    Handover.Kind.DELIVERED_TO_HUB: "delivered to the hub",
}


def _key_check(*, client_key: uuid.UUID | None, kit_ids: set[int], kind: str, actor) -> None:
    """Raise HandoverAlreadyRecorded when this key already made this handover; refuse a key
    that made a different one (another kit, another button, another person)."""
    if client_key is None:
        return
    first = Handover.objects.filter(client_key=client_key).first()
    if first is None:
        return
    theirs = set(GarmentMovement.objects.filter(handover=first).values_list("kit_id", flat=True))
    if theirs == kit_ids and first.kind == kind and first.recorded_by_id == actor.pk:
        raise HandoverAlreadyRecorded(first)
    raise HandoverError(
        "This phone sent a different handover with the same key, so nothing was changed. "
        "Open the kit again and record it once more."
    )


def _when(at, hub) -> str:
    local = timezone.localtime(at, ZoneInfo(hub.timezone))
    today = timezone.localtime(timezone.now(), ZoneInfo(hub.timezone)).date()
    if local.date() == today:
        return f"at {local:%H:%M}"
    return f"on {local.day} {local:%B} at {local:%H:%M}"


def _changed_since(kit: Kit, *, kind: str, count: int | None = None) -> str:
    """Why a handover recorded on an out-of-date page (often one a phone kept while it had
    no signal) was refused, and what the helper should do now: what last happened to the
    kit, where and when."""
    last_move = (
        GarmentMovement.objects.filter(kit=kit, handover__isnull=False)
        .select_related("handover__point", "handover__hub")
        .order_by("-created_at", "-pk")
        .first()
    )
    hub = kit.hub
    ask = f"ask the hub on {hub.phone}" if hub.phone else "ask the hub"
    code = kit.display_code
    if last_move is None:
        return (
            f"Kit {code} has changed since this page was opened (now: {kit.status_now}), "
            f"so nothing was recorded. Please {ask} what to do."
        )
    last = last_move.handover
    when = _when(last.created_at, hub)
    if last.kind == Handover.Kind.DELIVERED_TO_HUB:
        where = ""
    elif last.point is not None:
        where = f" at {last.point.name}"
    elif last.location == Handover.Location.DOORSTEP:
        where = " on a doorstep"
    else:
        where = " at the hub"
    moved = sum(
        GarmentMovement.objects.filter(kit=kit, handover=last).values_list("count", flat=True)
    )
    if last.kind == kind and (count is None or count == moved):
        return f"Kit {code} was already {KIND_DONE[kind]}{where} {when}. Nothing more to do."
    if last.kind == kind == Handover.Kind.RETURNED_BY_MAKER:
        return (
            f"Kit {code} had {moved} handed in{where} {when}, after this page was opened, "
            f"so these {count} were not recorded. Open the kit again to take in the rest, "
            f"or {ask}."
        )
    return (
        f"Kit {code} was {KIND_DONE[last.kind]}{where} {when}, after this page was opened, "
        f"so nothing was recorded. Open the kit again to see what to do now, or {ask}."
    )


def _lock_kits(
    kits: Iterable[Kit],
    *,
    kind: str,
    actor,
    seen: dict[int, str] | None = None,
    client_key: uuid.UUID | None = None,
    count: int | None = None,
) -> list[Kit]:
    """Lock the kits in id order, answer a repeat of a recorded handover, and refuse when
    someone changed a kit since the page showing it was drawn. Two helpers who scan the
    same kit and both tap "take back 3" make one handover, not two: the second waits on
    the lock, then sees a newer version."""
    locked = [
        Kit.objects.select_for_update().get(pk=kit.pk) for kit in sorted(kits, key=lambda k: k.pk)
    ]
    _key_check(client_key=client_key, kit_ids={k.pk for k in locked}, kind=kind, actor=actor)
    for kit in locked:
        wanted = (seen or {}).get(kit.pk)
        if wanted is not None and kit_version(kit) != wanted:
            raise HandoverError(_changed_since(kit, kind=kind, count=count))
    return locked


def _lock_unchanged(
    kit: Kit, seen: str | None, *, kind: str, actor, client_key=None, count=None
) -> Kit:
    return _lock_kits(
        [kit], kind=kind, actor=actor, seen={kit.pk: seen}, client_key=client_key, count=count
    )[0]


def _handover_create(*, client_key: uuid.UUID | None, actor, **fields) -> Handover:
    """The handover row. Two sendings of one key for different kits lock different rows, so
    the unique key is what stops the second; it is refused like any reused key."""
    try:
        with transaction.atomic():
            return Handover.objects.create(client_key=client_key, recorded_by=actor, **fields)
    except IntegrityError:
        if client_key is None or not Handover.objects.filter(client_key=client_key).exists():
            raise
        raise HandoverError(
            "This phone sent a different handover with the same key, so nothing was "
            "changed. Open the kit again and record it once more."
        ) from None


def handover_not_allowed(
    *, kit: Kit, action: str, actor, seen: str | None = None, client_key=None
) -> None:
    """A kit page's button the kit no longer offers here (it was collected, handed in or
    moved since the page was drawn). Always raises: HandoverAlreadyRecorded for a repeat
    of one that was recorded, else HandoverError saying what happened and what to do."""
    kind = ACTION_KIND.get(action, Handover.Kind.RETURNED_BY_MAKER)
    with transaction.atomic():
        locked = _lock_kits(
            [kit], kind=kind, actor=actor, seen={kit.pk: seen}, client_key=client_key
        )
    raise HandoverError(
        f"That cannot happen to kit {locked[0].display_code} here now. Nothing was changed."
    )


def _where(*, hub_id: int, point: Point | None, doorstep: bool) -> dict:
    if point is not None and doorstep:
        raise HandoverError("A handover happens at a point or on a doorstep, not both.")
    if point is not None:
        if point.hub_id != hub_id:
            raise HandoverError("That point belongs to a different hub.")
        return {"location": Handover.Location.POINT, "point": point}
    return {"location": Handover.Location.DOORSTEP if doorstep else Handover.Location.HUB}


def _on_run(run_stop: RunStop | None) -> dict:
    if run_stop is None:
        return {}
    return {"run_id": run_stop.run_id, "run_stop": run_stop}


def _holder(kit: Kit) -> dict:
    assignment = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if assignment is None:
        return {}
    return {"maker_id": assignment.maker_id, "group_id": assignment.group_id}


def handover_kit_collect(
    *,
    kit: Kit,
    actor,
    point: Point | None = None,
    doorstep: bool = False,
    note: str = "",
    seen: str | None = None,
    run_stop: RunStop | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """The maker (or group) takes their kit: at a point, on their doorstep, or at the hub.
    `seen` is the kit's version the person was looking at (see kit_version); `client_key`
    the key the helper's phone gave this handover (one handover per key)."""
    kind = Handover.Kind.COLLECTED_BY_MAKER
    with transaction.atomic():
        _lock_unchanged(kit, seen, kind=kind, actor=actor, client_key=client_key)
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            **_on_run(run_stop),
            hub_id=kit.hub_id,
            kind=kind,
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
    seen: str | None = None,
    run_stop: RunStop | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """A maker hands in finished garments: at a point they wait for a driver; on a doorstep
    a driver takes them straight on; at the hub they wait to be checked."""
    kind = Handover.Kind.RETURNED_BY_MAKER
    with transaction.atomic():
        _lock_unchanged(kit, seen, kind=kind, actor=actor, client_key=client_key, count=count)
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            **_on_run(run_stop),
            hub_id=kit.hub_id,
            kind=kind,
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
    *,
    point: Point,
    kit_counts: Iterable[tuple[Kit, int]],
    actor,
    note: str = "",
    seen: dict[int, str] | None = None,
    run_stop: RunStop | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """A driver takes finished garments of several kits from a point."""
    kit_counts = sorted(kit_counts, key=lambda pair: pair[0].pk)
    if not kit_counts:
        raise HandoverError("Say which kits' garments the driver took.")
    kind = Handover.Kind.PICKED_UP_BY_DRIVER
    with transaction.atomic():
        # All kits locked first, in id order, before any tally is touched.
        _lock_kits(
            [kit for kit, _count in kit_counts],
            kind=kind,
            actor=actor,
            seen=seen,
            client_key=client_key,
            count=kit_counts[0][1] if len(kit_counts) == 1 else None,
        )
        for kit, _count in kit_counts:
            if kit.hub_id != point.hub_id:
                raise HandoverError(f"Kit {kit.display_code} belongs to a different hub.")
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            **_on_run(run_stop),
            hub_id=point.hub_id,
            kind=kind,
            location=Handover.Location.POINT,
            point=point,
            note=note,
        )
        for kit, count in kit_counts:
            packages.garments_pick_up(
                kit=kit, point=point, count=count, actor=actor, handover=handover
            )
    return handover


def handover_deliver_to_hub(
    *,
    hub,
    kit_counts: Iterable[tuple[Kit, int]],
    actor,
    note: str = "",
    run: Run | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """A driver brings garments to the hub, where they wait to be checked."""
    kit_counts = sorted(kit_counts, key=lambda pair: pair[0].pk)
    if not kit_counts:
        raise HandoverError("Say which kits' garments arrived.")
    kind = Handover.Kind.DELIVERED_TO_HUB
    with transaction.atomic():
        _lock_kits(
            [kit for kit, _count in kit_counts], kind=kind, actor=actor, client_key=client_key
        )
        for kit, _count in kit_counts:
            if kit.hub_id != hub.pk:
                raise HandoverError(f"Kit {kit.display_code} belongs to a different hub.")
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            hub=hub,
            run=run,
            kind=kind,
            location=Handover.Location.HUB,
            note=note,
        )
        for kit, count in kit_counts:
            packages.garments_arrive_at_hub(kit=kit, count=count, actor=actor, handover=handover)
    return handover


def handover_kit_return_unfinished(
    *,
    kit: Kit,
    finished: int,
    actor,
    point: Point | None = None,
    note: str = "",
    seen: str | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """A maker gives back a kit they cannot finish. The finished garments go where finished
    garments go from here (wait at the point, or be checked at the hub); the unsewn pieces
    go back to the hub's stock."""
    kind = Handover.Kind.RETURNED_BY_MAKER
    with transaction.atomic():
        locked = _lock_unchanged(kit, seen, kind=kind, actor=actor, client_key=client_key)
        if locked.status != Kit.Status.WITH_MAKER or not locked.qty_with_maker:
            raise HandoverError(
                f"Kit {locked.display_code} is not with a maker, so it cannot be handed back."
            )
        if not 0 <= finished <= locked.qty_with_maker:
            raise HandoverError(
                f"The maker has {locked.qty_with_maker} garments from kit "
                f"{locked.display_code}, so {finished} cannot be finished."
            )
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            hub_id=locked.hub_id,
            kind=kind,
            note=note or "Unfinished kit handed back",
            **_holder(locked),
            **_where(hub_id=locked.hub_id, point=point, doorstep=False),
        )
        unsewn = locked.qty_with_maker - finished
        if finished and point is not None:
            packages.garments_return(
                kit=locked, count=finished, actor=actor, point=point, handover=handover
            )
            finished = 0
        packages.kit_return_unfinished(
            kit=locked,
            actor=actor,
            finished=finished,
            to_stock=unsewn,
            reason="Unfinished kit handed back",
            handover=handover,
        )
    return handover


def handover_garments_return_many(
    *,
    kit_counts: Iterable[tuple[Kit, int]],
    actor,
    point: Point | None = None,
    note: str = "",
    seen: dict[int, str] | None = None,
    client_key: uuid.UUID | None = None,
) -> Handover:
    """A group leader (or one maker with several kits) hands in finished garments of many
    kits at once: one handover, one movement per kit. All or nothing."""
    kit_counts = sorted(((k, c) for k, c in kit_counts if c), key=lambda pair: pair[0].pk)
    if not kit_counts:
        raise HandoverError("Say how many finished garments came back for at least one kit.")
    kind = Handover.Kind.RETURNED_BY_MAKER
    with transaction.atomic():
        locked = _lock_kits(
            [kit for kit, _ in kit_counts],
            kind=kind,
            actor=actor,
            seen=seen,
            client_key=client_key,
        )
        for kit, (_kit, count) in zip(locked, kit_counts, strict=True):
            if count > kit.qty_with_maker:
                # Sent from a page drawn before some of these came in (a phone's outbox).
                raise HandoverError(_changed_since(kit, kind=kind, count=count))
        holders = {tuple(_holder(kit).items()) for kit in locked}
        hubs = {kit.hub_id for kit in locked}
        if len(hubs) != 1 or len(holders) != 1:
            raise HandoverError("Hand in kits of one maker or one group at a time.")
        handover = _handover_create(
            client_key=client_key,
            actor=actor,
            hub_id=locked[0].hub_id,
            kind=kind,
            note=note,
            **_holder(locked[0]),
            **_where(hub_id=locked[0].hub_id, point=point, doorstep=False),
        )
        for kit, (_kit, count) in zip(locked, kit_counts, strict=True):
            packages.garments_return(
                kit=kit, count=count, actor=actor, point=point, handover=handover
            )
    return handover
