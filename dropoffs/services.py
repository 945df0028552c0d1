"""Handovers: kits and garments changing hands at a point, on a doorstep or at the hub.

Each handover is one row, and the garment movements it causes point back to it. The rules
for the garments themselves live in packages.services; these functions only say who handed
what to whom, where.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from dropoffs import routing
from dropoffs.models import (
    DoorstepAddress,
    Handover,
    OpeningHours,
    Point,
    Run,
    RunStop,
    RunStopKit,
)
from makers.selectors import maker_contact
from packages import services as packages
from packages.kit_messages import kit_at_point_tell
from packages.models import GarmentMovement, Kit, KitAssignment, PointHolding
from packages.services import KitError
from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hub


class HandoverError(KitError):
    """A handover the rules do not allow; the message is for people."""


class HandoverAlreadyRecorded(Exception):  # noqa: N818 - an outcome, not a fault
    """A handover sent again with the key it was recorded under: nothing is done twice.
    `handover` is the one the first sending made."""

    def __init__(self, handover: Handover):
        super().__init__(f"Handover {handover.pk} was already recorded.")
        self.handover = handover
        self.message = "That handover was already recorded, so nothing was added twice."


class DropoffsError(DomainError):
    """A change to points, doorsteps or runs the rules do not allow; the message is a
    sentence for the person who tried."""


class PointError(DropoffsError):
    pass


class DoorstepError(DropoffsError):
    pass


class RunError(DropoffsError):
    pass


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


# --- Points ---------------------------------------------------------------------------------

Hours = Sequence[tuple[int, time, time]]


def _postcode(text: str) -> str:
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def _check_point_fields(*, name: str, address: str, latitude, longitude, hours: Hours) -> None:
    if not name.strip():
        raise PointError("Please give the point a name people will recognise.")
    if not address.strip():
        raise PointError("Please give the point's address.")
    if not (-90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180):
        raise PointError("Those coordinates are not on the map. Click the map to place the point.")
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6:
            raise PointError("A week has seven days.")
        if closes <= opens:
            raise PointError(
                f"On {OpeningHours.Weekday(weekday).label} the point closes before it opens."
            )


def _hours_set(*, point: Point, hours: Hours) -> None:
    OpeningHours.objects.filter(point=point).delete()
    OpeningHours.objects.bulk_create(
        [OpeningHours(point=point, weekday=w, opens=o, closes=c) for w, o, c in hours]
    )


def point_create(
    *,
    hub,
    name: str,
    address: str,
    postcode: str,
    latitude: Decimal,
    longitude: Decimal,
    actor,
    opening_hours: str = "",
    hours: Hours = (),
    accepts_kit_collection: bool = True,
    accepts_finished_garments: bool = True,
    phone: str = "",
) -> Point:
    """A new point, open at once."""
    _check_point_fields(
        name=name, address=address, latitude=latitude, longitude=longitude, hours=hours
    )
    with transaction.atomic():
        # Two staff adding the same point at once: the second waits here, then is told
        # (the unique name in the database would otherwise refuse it with a server error).
        Hub.objects.select_for_update().filter(pk=hub.pk).first()
        if Point.objects.filter(hub=hub, name__iexact=name.strip()).exists():
            raise PointError(f"{hub.name} already has a point called {name.strip()}.")
        point = Point.objects.create(
            hub=hub,
            name=name.strip(),
            address=address.strip(),
            postcode=_postcode(postcode),
            phone=phone.strip(),
            latitude=latitude,
            longitude=longitude,
            opening_hours=opening_hours.strip(),
            accepts_kit_collection=accepts_kit_collection,
            accepts_finished_garments=accepts_finished_garments,
        )
        _hours_set(point=point, hours=hours)
    return point


def point_update(
    *,
    point: Point,
    actor,
    name: str,
    address: str,
    postcode: str,
    latitude: Decimal,
    longitude: Decimal,
    opening_hours: str = "",
    hours: Hours = (),
    accepts_kit_collection: bool = True,
    accepts_finished_garments: bool = True,
    phone: str = "",
) -> Point:
    """Change a point's details and opening hours."""
    _check_point_fields(
        name=name, address=address, latitude=latitude, longitude=longitude, hours=hours
    )
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if point.status == Point.Status.CLOSED:
            raise PointError(f"{point.name} is closed. Closed points are kept as they were.")
        clash = Point.objects.filter(hub_id=point.hub_id, name__iexact=name.strip())
        if clash.exclude(pk=point.pk).exists():
            raise PointError(f"There is already a point called {name.strip()}.")
        point.name = name.strip()
        point.address = address.strip()
        point.postcode = _postcode(postcode)
        point.phone = phone.strip()
        point.latitude, point.longitude = latitude, longitude
        point.opening_hours = opening_hours.strip()
        point.accepts_kit_collection = accepts_kit_collection
        point.accepts_finished_garments = accepts_finished_garments
        point.save()
        _hours_set(point=point, hours=hours)
    return point


def point_hours_set(*, point: Point, actor, opening_hours: str, hours: Hours) -> Point:
    """Change only when a point is open: the words people read and the times for each
    day (a point with no times takes any day)."""
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6:
            raise PointError("A week has seven days.")
        if closes <= opens:
            raise PointError(
                f"On {OpeningHours.Weekday(weekday).label} the point closes before it opens."
            )
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if point.status == Point.Status.CLOSED:
            raise PointError(f"{point.name} is closed. Closed points are kept as they were.")
        point.opening_hours = opening_hours.strip()
        point.save(update_fields=["opening_hours"])
        _hours_set(point=point, hours=hours)
    return point


POINT_ALLOWED = {
    Point.Status.ACTIVE: {Point.Status.PAUSED, Point.Status.CLOSED},
    Point.Status.PAUSED: {Point.Status.ACTIVE, Point.Status.CLOSED},
    Point.Status.CLOSED: set(),
}
POINT_VERBS = {
    Point.Status.ACTIVE: "opened",
    Point.Status.PAUSED: "paused",
    Point.Status.CLOSED: "closed",
}


def _point_status_set(*, point: Point, to: str, actor) -> Point:
    with transaction.atomic():
        point = Point.objects.select_for_update().get(pk=point.pk)
        if to not in POINT_ALLOWED[point.status]:
            raise PointError(
                f"{point.name} is {point.get_status_display().lower()}, so it cannot be "
                f"{POINT_VERBS[to]}."
            )
        if to == Point.Status.CLOSED:
            held = PointHolding.objects.filter(point=point).aggregate(n=Sum("count"))["n"] or 0
            if held:
                raise PointError(
                    f"{point.name} still holds {held} finished garments. A driver must pick "
                    "them up before the point can close."
                )
            waiting = Kit.objects.filter(
                collection_point=point, status=Kit.Status.ALLOCATED
            ).count()
            if waiting:
                raise PointError(
                    f"{waiting} kits are waiting at {point.name} for their makers. Take them "
                    "back or give them out before the point can close."
                )
            stops = RunStop.objects.filter(
                point=point, status=RunStop.Status.TO_VISIT, run__status__in=OPEN_RUN
            )
            if stops.exists():
                raise PointError(
                    f"{point.name} is a stop on a run that has not finished. Finish or cancel "
                    "that run first."
                )
        point.status = to
        point.save(update_fields=["status"])
    return point


def point_pause(*, point: Point, actor) -> Point:
    """Stop makers being sent to the point for a while (it takes no kits or scrubs)."""
    return _point_status_set(point=point, to=Point.Status.PAUSED, actor=actor)


def point_resume(*, point: Point, actor) -> Point:
    return _point_status_set(point=point, to=Point.Status.ACTIVE, actor=actor)


def point_close(*, point: Point, actor) -> Point:
    """Close a point for good; only once nothing is left there."""
    return _point_status_set(point=point, to=Point.Status.CLOSED, actor=actor)


# --- Doorsteps ------------------------------------------------------------------------------

DOORSTEP_CONSENT_WORDING = "doorstep-2020-04"


def doorstep_set(
    *,
    maker,
    address: str,
    postcode: str,
    consent: bool,
    actor,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    access_notes: str = "",
) -> DoorstepAddress:
    """A maker chooses to have kits brought to their door and scrubs collected from it. The
    address is kept only for these visits, and only with their consent."""
    from makers.models import Maker

    if not consent:
        raise DoorstepError("We can only keep an address for doorstep visits if you agree to it.")
    if not address.strip() or not postcode.strip():
        raise DoorstepError("Please give the address and postcode the driver should come to.")
    if (latitude is None) != (longitude is None):
        raise DoorstepError("Give both coordinates, or neither.")
    if latitude is not None and not (
        -90 <= Decimal(latitude) <= 90 and -180 <= Decimal(longitude) <= 180
    ):
        raise DoorstepError("Those coordinates are not on the map. Click the map to place it.")
    with transaction.atomic():
        maker = Maker.objects.select_for_update(of=("self",)).select_related("hub").get(pk=maker.pk)
        if maker.status in {
            Maker.Status.DECLINED,
            Maker.Status.WITHDRAWN,
            Maker.Status.ERASED,
        }:
            raise DoorstepError(
                f"{maker} is {maker.get_status_display().lower()}, so gets no doorstep visits."
            )
        if (
            not maker.hub.offers_doorstep_visits
            and not DoorstepAddress.objects.filter(maker=maker).exists()
        ):
            # Turning the offer off stops new visits; makers who have them keep them.
            raise DoorstepError(
                f"{maker.hub.name} does not offer doorstep visits at the moment. Call "
                f"{maker.hub.phone} and we will find a point near you."
            )
        doorstep, created = DoorstepAddress.objects.update_or_create(
            maker=maker,
            defaults={
                "hub_id": maker.hub_id,
                "address": address.strip(),
                "postcode": _postcode(postcode),
                "latitude": latitude,
                "longitude": longitude,
                "access_notes": access_notes.strip(),
                "consent_wording": DOORSTEP_CONSENT_WORDING,
                "consent_given_at": timezone.now(),
                "recorded_by": actor,
            },
        )
        Maker.objects.filter(pk=maker.pk).update(needs_doorstep_collection=True)
        if created and actor is not None and actor.pk == maker.user_id:
            _doorstep_asked_tell_hub(doorstep=doorstep)
        if actor is not None and actor.pk != maker.user_id:
            # Staff keeping someone's address for them: the trail says who, never the address.
            from scrubhub.audit.models import AuditEvent
            from scrubhub.audit.services import audit_record

            placed = "with" if latitude is not None else "without"
            audit_record(
                actor=actor,
                hub=maker.hub,
                action=AuditEvent.Action.CHANGED,
                subject=maker,
                detail=(
                    f"Doorstep address {'recorded' if created else 'changed'}, "
                    f"{placed} a map position"
                ),
            )
    return doorstep


def _doorstep_asked_tell_hub(*, doorstep: DoorstepAddress) -> None:
    """The hub hears when a maker asks for visits herself, so a driver is planned for her.
    Nothing in it names her: staff see who on the runs page."""
    from django.conf import settings
    from django.urls import reverse

    from scrubhub.notifications.services import message_queue

    hub = doorstep.hub
    runs = f"{settings.SITE_URL}{reverse('dropoffs:staff_runs')}"
    message_queue(
        idempotency_key=f"doorstep-{doorstep.pk}-asked",
        to_address=hub.email,
        subject="A maker asked for doorstep visits",
        body=(
            f"A maker of {hub.name} asked for a driver to bring kits to their door and "
            f"collect their scrubs.\n\nSee who, and plan a visit, on Collection runs:\n\n{runs}\n"
        ),
        kind="doorstep_asked",
        hub=hub,
    )


def doorstep_stop(*, maker, actor) -> None:
    """No more doorstep visits: the address is deleted, not just hidden."""
    from makers.models import Maker

    with transaction.atomic():
        maker = Maker.objects.select_for_update().get(pk=maker.pk)
        waiting = RunStop.objects.filter(
            maker=maker, status=RunStop.Status.TO_VISIT, run__status__in=OPEN_RUN
        ).select_related("run")
        if (stop := waiting.first()) is not None:
            raise DoorstepError(
                f"A driver is due to visit on {stop.run.day:%A %-d %B}. Ask the hub to take "
                "the visit off that run first."
            )
        DoorstepAddress.objects.filter(maker=maker).delete()
        Maker.objects.filter(pk=maker.pk).update(needs_doorstep_collection=False)


# --- Runs -----------------------------------------------------------------------------------

OPEN_RUN = [Run.Status.PLANNED, Run.Status.STARTED]


def _coordinate(obj) -> tuple[float, float] | None:
    if obj is None or obj.latitude is None or obj.longitude is None:
        return None
    return (float(obj.latitude), float(obj.longitude))


def _kits_to_drop_at_point(point: Point) -> list[Kit]:
    """Kits allocated to collect at the point that no run has carried there yet."""
    carried = RunStopKit.objects.filter(
        stop__point=point, stop__run__status__in=[*OPEN_RUN, Run.Status.DONE]
    ).exclude(stop__run__status=Run.Status.DONE, dropped_at__isnull=True)
    return list(
        Kit.objects.filter(collection_point=point, status=Kit.Status.ALLOCATED)
        .exclude(pk__in=carried.values("kit_id"))
        .order_by("pk")
    )


def _kits_to_drop_at_door(maker) -> list[Kit]:
    """Kits allocated to the maker with no point to collect from, not already on a run."""
    on_runs = RunStopKit.objects.filter(stop__run__status__in=OPEN_RUN)
    return list(
        Kit.objects.filter(
            assignments__maker=maker,
            assignments__ended_at__isnull=True,
            status=Kit.Status.ALLOCATED,
            collection_point__isnull=True,
        )
        .exclude(pk__in=on_runs.values("kit_id"))
        .order_by("pk")
    )


def _message_run(*, run: Run, stops: list[RunStop]) -> None:
    from scrubhub.notifications.services import message_queue

    driver = run.driver
    if driver.email:
        message_queue(
            idempotency_key=f"run-{run.pk}-planned-driver",
            to_address=driver.email,
            subject=f"Your collection run on {run.day:%A %-d %B}",
            body=(
                f"Hello {driver.first_name or driver.username},\n\n"
                f"You have a collection run on {run.day:%A %-d %B} with {len(stops)} stops. "
                "Open ScrubHub and choose My runs to see the stops in order.\n"
            ),
            kind="run_planned",
            hub=run.hub,
            recipient=driver,
        )
    for stop in stops:
        maker = stop.maker
        route = maker_contact(maker=maker).route if maker is not None else None
        if route is None:
            continue
        channel, address = route
        message_queue(
            idempotency_key=f"run-{run.pk}-doorstep-{maker.pk}",
            to_address=address,
            subject=f"We will come to your door on {run.day:%A %-d %B}",
            body=(
                f"Hello {maker.name},\n\nA driver from {run.hub.name} will come to your door "
                f"on {run.day:%A %-d %B} to bring kits and collect any finished scrubs. If "
                f"that day is no good, call us on {run.hub.phone}.\n"
            ),
            kind="doorstep_visit",
            channel=channel,
            hub=run.hub,
            recipient=maker.user,
        )


def run_plan(
    *,
    hub,
    driver,
    day: date,
    actor,
    points: Iterable[Point] = (),
    makers: Iterable = (),
    note: str = "",
) -> Run:
    """Plan a run: the stops in the shortest order from the hub and back, what to drop at
    each (kits waiting to go out) and the driver told."""
    from scrubhub.hubs.models import STAFF_ROLES, Membership, Role

    points, makers = list(points), list(makers)
    if not points and not makers:
        raise RunError("Choose at least one point or doorstep for the run.")
    if day < timezone.localdate():
        raise RunError("A run cannot be planned for a day that has passed.")
    if not Membership.objects.filter(
        user=driver, hub=hub, role__in=[Role.DRIVER, *STAFF_ROLES]
    ).exists():
        raise RunError(f"{driver.get_full_name() or driver} does not drive for {hub.name}.")
    for point in points:
        if point.hub_id != hub.pk:
            raise RunError("That point belongs to a different hub.")
        if point.status == Point.Status.CLOSED:
            raise RunError(f"{point.name} is closed.")
    doorsteps = {
        d.maker_id: d
        for d in DoorstepAddress.objects.filter(maker__in=makers, hub=hub).select_related("maker")
    }
    for maker in makers:
        if maker.pk not in doorsteps:
            raise RunError(f"{maker} has not asked for doorstep visits.")
    with transaction.atomic():
        places = [(p, _coordinate(p)) for p in points] + [
            (doorsteps[m.pk], _coordinate(doorsteps[m.pk])) for m in makers
        ]
        mapped = [(place, xy) for place, xy in places if xy is not None]
        unmapped = [place for place, xy in places if xy is None]
        start = _coordinate(hub)
        order = routing.order_stops([xy for _, xy in mapped], start)
        ordered = [mapped[i][0] for i in order] + unmapped
        run = Run.objects.create(
            hub=hub,
            driver=driver,
            day=day,
            note=note,
            created_by=actor,
            distance_km=Decimal(
                routing.trip_km(start, [mapped[i][1] for i in order], range(len(order)))
            ).quantize(Decimal("0.01")),
        )
        stops = []
        for position, place in enumerate(ordered, start=1):
            if isinstance(place, Point):
                stop = RunStop(run=run, position=position, kind=RunStop.Kind.POINT, point=place)
                drops = _kits_to_drop_at_point(place)
            else:
                stop = RunStop(
                    run=run, position=position, kind=RunStop.Kind.DOORSTEP, maker=place.maker
                )
                drops = _kits_to_drop_at_door(place.maker)
            stop.save()
            RunStopKit.objects.bulk_create([RunStopKit(stop=stop, kit=kit) for kit in drops])
            stops.append(stop)
        _message_run(run=run, stops=stops)
    return run


def _lock_run(run_id: int) -> Run:
    run = Run.objects.select_for_update(of=("self",)).select_related("hub").get(pk=run_id)
    if not run.is_open:
        raise RunError(f"This run is {run.get_status_display().lower()}; nothing more can change.")
    return run


def run_stop_visit(
    *,
    stop: RunStop,
    actor,
    pick_up: dict[int, int] | None = None,
    dropped: Iterable[int] = (),
    note: str = "",
) -> RunStop:
    """Tick off a stop: what the driver picked up (kit id -> garments) and which kits they
    left. At a point the garments leave the point; on a doorstep they come from the maker.
    Every handover of the stop, or none."""
    pick_up = {kit_id: n for kit_id, n in (pick_up or {}).items() if n}
    dropped = set(dropped)
    if any(n < 0 for n in pick_up.values()):
        raise RunError("Counts cannot be less than nothing.")
    with transaction.atomic():
        run = _lock_run(stop.run_id)
        stop = (
            RunStop.objects.select_for_update(of=("self",))
            .select_related("point", "maker")
            .get(pk=stop.pk, run=run)
        )
        if stop.status != RunStop.Status.TO_VISIT:
            raise RunError(f"Stop {stop.position} has already been ticked off.")
        drops = {d.kit_id: d for d in stop.kits.select_related("kit")}
        unknown = dropped - drops.keys()
        if unknown:
            raise RunError("Some of those kits were not meant for this stop.")
        kits = {k.pk: k for k in Kit.objects.filter(pk__in=pick_up, hub_id=run.hub_id)}
        if kits.keys() != pick_up.keys():
            raise RunError("Some of those kits are not from this hub.")
        if stop.kind == RunStop.Kind.POINT:
            if pick_up:
                handover_pick_up(
                    point=stop.point,
                    kit_counts=[(kits[k], n) for k, n in pick_up.items()],
                    actor=actor,
                    run_stop=stop,
                )
        else:
            for kit_id, count in sorted(pick_up.items()):
                kit = kits[kit_id]
                holder = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
                if holder is None or holder.maker_id != stop.maker_id:
                    raise RunError(f"Kit {kit.display_code} is not held by this maker.")
                handover_garments_return(
                    kit=kit, count=count, actor=actor, doorstep=True, run_stop=stop
                )
            for kit_id in sorted(dropped):
                handover_kit_collect(
                    kit=drops[kit_id].kit, actor=actor, doorstep=True, run_stop=stop
                )
        now = timezone.now()
        RunStopKit.objects.filter(stop=stop, kit_id__in=dropped).update(dropped_at=now)
        if stop.kind == RunStop.Kind.POINT:
            # Only now is the kit there: its maker was told a driver would bring it.
            for kit_id in sorted(dropped):
                kit_at_point_tell(kit=drops[kit_id].kit)
        stop.status = RunStop.Status.VISITED
        stop.visited_at, stop.visited_by, stop.note = now, actor, note[:300]
        stop.save(update_fields=["status", "visited_at", "visited_by", "note"])
        Run.objects.filter(pk=run.pk, status=Run.Status.PLANNED).update(status=Run.Status.STARTED)
    return stop


def run_stop_skip(*, stop: RunStop, actor, reason: str) -> RunStop:
    """The driver could not visit a stop (nobody in, road closed): say why."""
    if not reason.strip():
        raise RunError("Please say why the stop was missed.")
    with transaction.atomic():
        run = _lock_run(stop.run_id)
        stop = RunStop.objects.select_for_update().get(pk=stop.pk, run=run)
        if stop.status != RunStop.Status.TO_VISIT:
            raise RunError(f"Stop {stop.position} has already been ticked off.")
        stop.status = RunStop.Status.SKIPPED
        stop.visited_at, stop.visited_by, stop.note = timezone.now(), actor, reason.strip()[:300]
        stop.save(update_fields=["status", "visited_at", "visited_by", "note"])
        Run.objects.filter(pk=run.pk, status=Run.Status.PLANNED).update(status=Run.Status.STARTED)
    return stop


def run_finish(*, run: Run, actor) -> Run:
    """Back at the hub: everything the run picked up arrives there and waits to be checked.
    The driver can no longer see doorstep addresses."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        left = run.stops.filter(status=RunStop.Status.TO_VISIT).count()
        if left:
            raise RunError(
                f"{left} stops are still to visit. Tick them off, or say why they were missed."
            )
        carried = (
            GarmentMovement.objects.filter(handover__run=run, to_place=packages.P.IN_TRANSIT)
            .values("kit_id")
            .annotate(count=Sum("count"))
        )
        counts = {row["kit_id"]: row["count"] for row in carried}
        kits = Kit.objects.filter(pk__in=counts, qty_in_transit__gt=0).order_by("pk")
        kit_counts = [(kit, min(counts[kit.pk], kit.qty_in_transit)) for kit in kits]
        if kit_counts:
            handover_deliver_to_hub(
                hub=run.hub, kit_counts=kit_counts, actor=actor, run=run, note=f"Run {run.pk}"
            )
        run.status = Run.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return run


def run_cancel(*, run: Run, actor) -> Run:
    """Call off a run nobody has started. Its kits can go on another run."""
    with transaction.atomic():
        run = _lock_run(run.pk)
        if run.status != Run.Status.PLANNED:
            raise RunError("The driver has started this run; finish it instead.")
        run.status = Run.Status.CANCELLED
        run.save(update_fields=["status"])
    return run
