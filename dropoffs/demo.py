"""The demo's points, doorsteps and runs, built through the services like the rest of it:
opening hours for each point, older makers who asked for doorstep visits, a run the driver
finished today and one planned for tomorrow."""

from __future__ import annotations

import random
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from dropoffs import services
from dropoffs.models import RunStop
from dropoffs.selectors import run_sheet
from makers.models import Maker
from packages import services as packages
from packages.models import Kit
from packages.selectors import points_holding_garments

# Structured hours for the demo's points, in the order scrubhub.demo lists them; the words
# people read stay as they are.
WEEKDAYS = range(5)
HOURS = [
    [(d, time(9), time(17)) for d in WEEKDAYS],
    [(1, time(10), time(15)), (3, time(10), time(15)), (5, time(10), time(12))],
    [(2, time(10), time(14)), (6, time(12), time(13))],
    [(d, time(9), time(18)) for d in range(6)],
    [(d, time(8), time(20)) for d in range(7)],
]
STREETS = ["Hill Street", "Strathmartine Road", "Clepington Road", "Arbroath Road", "Perth Road"]
DOORSTEPS = 8


def _hours(demo) -> None:
    for point, hours in zip(demo.points, HOURS, strict=False):
        services.point_update(
            point=point,
            actor=demo.users["staff"],
            name=point.name,
            address=point.address,
            postcode=point.postcode,
            latitude=point.latitude,
            longitude=point.longitude,
            opening_hours=point.opening_hours,
            hours=hours,
            accepts_kit_collection=point.accepts_kit_collection,
            accepts_finished_garments=point.accepts_finished_garments,
        )


def _doorstep_makers(demo, rng: random.Random) -> list[Maker]:
    """Makers of 70 and over without an account, who asked on the phone."""
    candidates = list(
        Maker.objects.filter(
            hub=demo.hub,
            age_band=Maker.AgeBand.OVER_70,
            status__in=[Maker.Status.APPROVED, Maker.Status.ACTIVE],
            user__isnull=True,
        )
        .exclude(assignments__ended_at__isnull=True)
        .order_by("pk")[:DOORSTEPS]
    )
    for n, maker in enumerate(candidates):
        services.doorstep_set(
            maker=maker,
            address=f"{rng.randint(2, 140)} {STREETS[n % len(STREETS)]}, Dundee",
            postcode=f"DD{rng.choice([2, 3, 4])} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
            f"{rng.choice('LNPQRSTUW')}",
            consent=True,
            actor=demo.users["staff"],
            latitude=Decimal(f"{56.445 + rng.random() * 0.05:.6f}"),
            longitude=Decimal(f"{-3.05 + rng.random() * 0.15:.6f}"),
            access_notes=rng.choice(["", "Ring twice, please.", "Side door.", ""]),
        )
    return candidates


def _give(demo, makers: list[Maker], *, collect: bool) -> None:
    staff = demo.users["staff"]
    shelf = list(Kit.objects.filter(hub=demo.hub, status=Kit.Status.PREPARED).order_by("pk"))
    for maker, kit in zip(makers, shelf, strict=False):
        packages.kit_allocate(kit=kit, maker=maker, actor=staff)
        if collect:
            services.handover_kit_collect(kit=kit, actor=demo.users["driver"], doorstep=True)
            packages.kit_progress_log(kit=kit, finished=min(3, kit.garment_count), actor=staff)


def extend_demo(demo, rng: random.Random) -> None:
    staff, driver = demo.users["staff"], demo.users["driver"]
    _hours(demo)
    doorsteps = _doorstep_makers(demo, rng)
    if len(doorsteps) < 4:
        return
    _give(demo, doorsteps[:2], collect=True)
    _give(demo, doorsteps[2:5], collect=False)

    # Today's run, done: two points with scrubs waiting and the two doorsteps sewing.
    waiting = list(points_holding_garments(hub=demo.hub)[:2])
    today = timezone.localdate()
    done = services.run_plan(
        hub=demo.hub,
        driver=driver,
        day=today,
        points=waiting,
        makers=doorsteps[:2],
        actor=staff,
        note="Ring Mrs Duncan before you go: she may be at her daughter's.",
    )
    for item in run_sheet(run=done, with_addresses=True):
        if item.stop.point_id:
            pick_up = {h.kit_id: h.count for h in item.pick_ups}
        else:
            pick_up = {kit.pk: min(2, kit.qty_with_maker) for kit in item.pick_ups}
        services.run_stop_visit(
            stop=item.stop,
            actor=driver,
            pick_up=pick_up,
            dropped=[d.kit_id for d in item.drops],
        )
    services.run_finish(run=done, actor=driver)

    # Tomorrow's run, planned: the rest of the points with scrubs, and kits to bring.
    later = [p for p in points_holding_garments(hub=demo.hub) if p not in waiting][:3]
    services.run_plan(
        hub=demo.hub,
        driver=driver,
        day=today + timedelta(days=1),
        points=later or demo.points[:1],
        makers=doorsteps[2:6],
        actor=staff,
    )
    demo.summary["runs"] = (
        RunStop.objects.filter(run__hub=demo.hub).values("run").distinct().count()
    )
    demo.summary["doorsteps"] = len(doorsteps)
