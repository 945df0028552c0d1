"""Demand from the laundry, and deliveries traced back to kits."""

from __future__ import annotations

import datetime

import pytest

from packages import services
from packages.models import DeliveryAllocation, DemandLine, Kit
from packages.selectors import hub_figures, open_demand_for_hub
from packages.services import DeliveryError, DemandError
from tests import factories
from tests.packages.helpers import assert_kit_invariants


def _passed_kit(world, staff, maker, *, size="M", garment_type="top", garments=5):
    (kit,) = factories.prepared_kits(
        hub=world.hub, size=size, garment_type=garment_type, garments=garments, actor=staff
    )
    services.kit_allocate(kit=kit, maker=maker, actor=staff)
    services.kit_collect(kit=kit, actor=staff)
    services.garments_return(kit=kit, count=garments, actor=staff)
    services.quality_check_record(kit=kit, passed=garments, failures=[], actor=staff)
    kit.refresh_from_db()
    return kit


def test_one_kits_garments_go_into_two_deliveries(world, staff, maker):
    kit = _passed_kit(world, staff, maker)
    first = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    second = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line1 = services.delivery_line_add(
        delivery=first, garment_type="top", size="M", count=3, actor=staff
    )
    line2 = services.delivery_line_add(
        delivery=second, garment_type="top", size="M", count=2, actor=staff
    )
    assert DeliveryAllocation.objects.get(line=line1).kit == kit
    assert DeliveryAllocation.objects.get(line=line2).count == 2
    kit = assert_kit_invariants(kit)
    assert kit.qty_reserved == 5
    for delivery, line in ((first, line1), (second, line2)):
        services.delivery_send(delivery=delivery, actor=staff)
        services.delivery_confirm(
            delivery=delivery, received={line.pk: line.count_sent}, actor=staff
        )
    kit = assert_kit_invariants(kit)
    assert kit.status == Kit.Status.CLOSED
    assert kit.qty_delivered == 5


def test_line_draws_from_several_kits_oldest_first(world, staff, maker):
    old = _passed_kit(world, staff, maker, garments=2)
    new = _passed_kit(world, staff, maker, garments=4)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line = services.delivery_line_add(
        delivery=delivery, garment_type="top", size="M", count=5, actor=staff
    )
    shares = {a.kit_id: a.count for a in line.allocations.all()}
    assert shares == {old.pk: 2, new.pk: 3}
    assert line.count_sent == 5


def test_line_refuses_more_than_has_passed(world, staff, maker):
    _passed_kit(world, staff, maker, garments=2)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    with pytest.raises(DeliveryError, match="Only 2 scrub tops in size M have passed"):
        services.delivery_line_add(
            delivery=delivery, garment_type="top", size="M", count=3, actor=staff
        )


def test_delivery_to_a_hospital_the_hub_does_not_supply_is_refused(world, staff):
    with pytest.raises(DeliveryError, match="does not supply"):
        services.delivery_create(hub=world.hub, hospital=world.other_hospital, actor=staff)


def test_confirm_needs_a_note_when_counts_differ(world, staff, maker):
    _passed_kit(world, staff, maker)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line = services.delivery_line_add(
        delivery=delivery, garment_type="top", size="M", count=5, actor=staff
    )
    with pytest.raises(DeliveryError, match="sent"):
        services.delivery_confirm(delivery=delivery, received={line.pk: 5}, actor=staff)
    services.delivery_send(delivery=delivery, actor=staff)
    with pytest.raises(DeliveryError, match="what was different"):
        services.delivery_confirm(delivery=delivery, received={line.pk: 4}, actor=staff)
    with pytest.raises(DeliveryError, match="every line"):
        services.delivery_confirm(delivery=delivery, received={}, actor=staff)
    laundry = world.user("laundry")
    delivery = services.delivery_confirm(
        delivery=delivery,
        received={line.pk: 4},
        actor=laundry,
        discrepancy_note="One bag was short",
    )
    line.refresh_from_db()
    assert (line.count_sent, line.count_received) == (5, 4)
    assert delivery.confirmed_by == laundry
    medium = hub_figures(hub=world.hub)[2]
    assert medium.tops["delivered"] == 5 and medium.tops_received_by_laundry == 4


def test_cancelled_delivery_frees_its_garments(world, staff, maker):
    kit = _passed_kit(world, staff, maker)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    services.delivery_line_add(
        delivery=delivery, garment_type="top", size="M", count=5, actor=staff
    )
    services.delivery_cancel(delivery=delivery, actor=staff)
    kit = assert_kit_invariants(kit)
    assert (kit.qty_passed, kit.qty_reserved) == (5, 0)


def test_sets_delivered_are_the_smaller_of_tops_and_trousers(world, staff, maker):
    _passed_kit(world, staff, maker, garment_type="top", garments=5)
    _passed_kit(world, staff, maker, garment_type="trousers", garments=3)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    lines = [
        services.delivery_line_add(
            delivery=delivery, garment_type=t, size="M", count=n, actor=staff
        )
        for t, n in (("top", 5), ("trousers", 3))
    ]
    services.delivery_send(delivery=delivery, actor=staff)
    services.delivery_confirm(
        delivery=delivery, received={line.pk: line.count_sent for line in lines}, actor=staff
    )
    assert hub_figures(hub=world.hub)[2].sets_delivered == 3


def test_demand_is_recorded_changed_and_withdrawn_with_history(world):
    laundry = world.user("laundry")
    line = services.demand_record(
        hospital=world.hospital,
        garment_types=["trousers"],
        quantities={"L": 40},
        priority=DemandLine.Priority.HIGH,
        requirements="Ties not elastic",
        needed_by=datetime.date(2027, 1, 4),
        today=datetime.date(2027, 1, 1),
        actor=laundry,
    )[0]
    assert list(open_demand_for_hub(hub=world.hub)) == [line]
    assert list(open_demand_for_hub(hub=world.other_hub)) == []
    line = services.demand_change(line=line, quantity=60, actor=laundry)
    with pytest.raises(DemandError, match="Nothing was changed"):
        services.demand_change(line=line, quantity=60, actor=laundry)
    line = services.demand_withdraw(line=line, actor=laundry, note="Covered by stock")
    assert line.status == DemandLine.Status.WITHDRAWN
    with pytest.raises(DemandError, match="withdrawn"):
        services.demand_change(line=line, quantity=10, actor=laundry)
    history = list(line.changes.values_list("changes", flat=True))
    assert history[1] == {"quantity": ["40", "60"]}
    assert history[2] == {"status": ["open", "withdrawn"]}
    assert all(c.actor == laundry for c in line.changes.all())


def test_demand_mark_met_and_refusals(world):
    laundry = world.user("laundry")
    with pytest.raises(DemandError, match="at least one"):
        services.demand_record(
            hospital=world.hospital, garment_types=["top"], quantities={"S": 0}, actor=laundry
        )
    line = services.demand_record(
        hospital=world.hospital, garment_types=["top"], quantities={"S": 5}, actor=laundry
    )[0]
    services.demand_mark_met(line=line, actor=laundry)
    with pytest.raises(DemandError, match="already met"):
        services.demand_withdraw(line=line, actor=laundry)
