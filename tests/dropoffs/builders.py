"""Kits, runs and deliveries built through the services, for the dropoffs tests and the
access matrix. Each builder caches what it made on the world, so a route's kwargs and data
can both ask for it."""

from __future__ import annotations

from datetime import time

from dropoffs import services
from dropoffs.models import OpeningHours
from makers.models import Maker
from packages import services as packages
from tests import factories


def _cached(world, name, build):
    if not hasattr(world, name):
        setattr(world, name, build())
    return getattr(world, name)


def maker_of(world) -> Maker:
    return Maker.objects.get(user=world.user("maker"))


def kit_waiting(world, *, garments: int = 5):
    """A kit allocated to the world's maker, waiting at the world's point."""
    staff = world.user("hub_staff")
    kit = factories.prepared_kits(hub=world.hub, garments=garments, actor=staff)[0]
    return packages.kit_allocate(
        kit=kit, maker=maker_of(world), actor=staff, collection_point=world.point
    )


def kit_with_maker(world, *, garments: int = 5, finished: int = 0):
    """A kit the world's maker collected at the world's point."""
    kit = kit_waiting(world, garments=garments)
    services.handover_kit_collect(kit=kit, actor=world.user("hub_staff"), point=world.point)
    kit.refresh_from_db()
    if finished:
        kit = packages.kit_progress_log(kit=kit, finished=finished, actor=world.user("maker"))
    return kit


def the_kit(world):
    return _cached(world, "_kit", lambda: kit_with_maker(world))


def the_waiting_kit(world):
    return _cached(world, "_waiting_kit", lambda: kit_waiting(world))


def doorstep_maker(world, *, name="Agnes Doorstep", lat="56.470", lng="-2.990"):
    from decimal import Decimal

    maker = factories.MakerFactory(hub=world.hub, name=name, age_band="70_plus")
    services.doorstep_set(
        maker=maker,
        address="3 Hill Street, Dundee",
        postcode="dd3 6ab",
        consent=True,
        actor=world.user("hub_staff"),
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lng) if lng else None,
    )
    return maker


def the_run(world):
    """A run for the world's driver: the world's point and one doorstep."""

    def build():
        from django.utils import timezone

        return services.run_plan(
            hub=world.hub,
            driver=world.user("driver"),
            day=timezone.localdate(),
            points=[world.point],
            makers=[doorstep_maker(world)],
            actor=world.user("hub_staff"),
        )

    return _cached(world, "_run", build)


def the_stop(world):
    return the_run(world).stops.order_by("position").first()


def delivery_line(world):
    """A delivery line with garments from one kit that passed the check."""

    def build():
        staff = world.user("hub_staff")
        lot = factories.FabricLotFactory(hub=world.hub)
        stock = factories.PrecutStockFactory(hub=world.hub, fabric_lot=lot, quantity_received=5)
        kit = packages.kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            kit_count=1,
            garments_per_kit=5,
            precut_stock=stock,
            actor=staff,
        ).kits.get()
        packages.kit_allocate(
            kit=kit, maker=maker_of(world), actor=staff, collection_point=world.point
        )
        services.handover_kit_collect(kit=kit, actor=staff, point=world.point)
        services.handover_garments_return(kit=kit, count=5, actor=staff, point=world.point)
        services.handover_pick_up(point=world.point, kit_counts=[(kit, 5)], actor=staff)
        services.handover_deliver_to_hub(hub=world.hub, kit_counts=[(kit, 5)], actor=staff)
        packages.quality_check_record(kit=kit, passed=5, failures=[], actor=staff)
        delivery = packages.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
        return packages.delivery_line_add(
            delivery=delivery, garment_type="top", size="M", count=4, actor=staff
        )

    return _cached(world, "_line", build)


def opening_hours(point, *days, opens=time(9, 0), closes=time(17, 0)):
    for day in days or range(7):
        OpeningHours.objects.create(point=point, weekday=day, opens=opens, closes=closes)
