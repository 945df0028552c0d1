"""Collection runs and doorsteps: a maker's doorstep address (kept only with her consent),
planning a run in the shortest order, ticking off or skipping its stops, finishing and
cancelling it. A stop's handovers go through dropoffs.services.handovers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dropoffs import routing
from dropoffs.models import DoorstepAddress, Point, Run, RunStop, RunStopKit
from dropoffs.services.common import OPEN_RUN, DoorstepError, RunError, _postcode
from dropoffs.services.handovers import (
    handover_deliver_to_hub,
    handover_garments_return,
    handover_kit_collect,
    handover_pick_up,
)
from makers.selectors import maker_contact
from packages import services as packages
from packages.kit_messages import kit_at_point_tell
from packages.models import GarmentMovement, Kit, KitAssignment

# --- Doorsteps ----------------------------------------------------------------------------

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
