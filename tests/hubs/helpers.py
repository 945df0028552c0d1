"""Building kits at each stage of their life through the services, for the hub tests."""

from __future__ import annotations

from packages import services
from tests import factories


def kits_at(world, staff, maker, *, stage: str, garment_type="top", size="M", count=1, garments=5):
    """`count` kits of `garments` each, brought to `stage`: prepared, allocated, with_maker,
    awaiting_check, passed, sent or delivered (the last two in one delivery to the world's
    hospital, linked to `demand_line` when given)."""
    kits = factories.prepared_kits(
        hub=world.hub,
        garment_type=garment_type,
        size=size,
        kit_count=count,
        garments=garments,
        actor=staff,
    )
    order = ["prepared", "allocated", "with_maker", "awaiting_check", "passed"]
    for kit in kits:
        reached = order.index(stage) if stage in order else len(order) - 1
        if reached >= 1:
            services.kit_allocate(kit=kit, maker=maker, actor=staff)
        if reached >= 2:
            services.kit_collect(kit=kit, actor=staff)
        if reached >= 3:
            services.garments_return(kit=kit, count=garments, actor=staff)
        if reached >= 4:
            services.quality_check_record(kit=kit, passed=garments, failures=[], actor=staff)
    return kits


def deliver(world, staff, *, garment_type="top", size="M", count, received=True, demand_line=None):
    """Pack `count` passed garments into a delivery to the world's hospital and send it;
    the laundry confirms it when `received`."""
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line = services.delivery_line_add(
        delivery=delivery,
        garment_type=garment_type,
        size=size,
        count=count,
        actor=staff,
        demand_line=demand_line,
    )
    services.delivery_send(delivery=delivery, actor=staff)
    if received:
        services.delivery_confirm(delivery=delivery, received={line.pk: count}, actor=staff)
    return delivery
