"""Handovers record who handed what to whom, and link to the movements they caused."""

from __future__ import annotations

import pytest

from dropoffs import services
from dropoffs.models import Handover
from dropoffs.selectors import handovers_for_hub
from makers.models import Maker
from packages import services as packages
from packages.selectors import holdings_at_point, points_holding_garments
from packages.services import KitError
from tests import factories
from tests.packages.helpers import assert_kit_invariants


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def collected(world, staff):
    maker = Maker.objects.get(user=world.user("maker"))
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    for kit in kits:
        packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
        services.handover_kit_collect(kit=kit, actor=staff, point=world.point)
    return kits


def test_collect_at_a_point_records_the_maker_and_the_movement(world, staff, collected):
    handover = Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).first()
    assert handover.maker.user == world.user("maker")
    assert handover.point == world.point
    assert handover.movements.get().to_place == "with_maker"


def test_returns_pick_up_and_arrival_follow_the_garments(world, staff, collected):
    first, second = collected
    services.handover_garments_return(kit=first, count=3, actor=staff, point=world.point)
    services.handover_garments_return(kit=second, count=5, actor=staff, point=world.point)
    assert {h.kit_id: h.count for h in holdings_at_point(point=world.point)} == {
        first.pk: 3,
        second.pk: 5,
    }
    driver = world.user("driver")
    pick_up = services.handover_pick_up(
        point=world.point, kit_counts=[(second, 5), (first, 3)], actor=driver
    )
    assert pick_up.movements.count() == 2
    assert list(points_holding_garments(hub=world.hub)) == []
    arrival = services.handover_deliver_to_hub(
        hub=world.hub, kit_counts=[(first, 3), (second, 5)], actor=driver
    )
    assert {m.kit_id for m in arrival.movements.all()} == {first.pk, second.pk}
    for kit in collected:
        kit = assert_kit_invariants(kit)
        assert kit.qty_awaiting_check == (3 if kit == first else 5)
    assert handovers_for_hub(hub=world.hub).count() == 6
    assert handovers_for_hub(hub=world.other_hub).count() == 0


def test_doorstep_return_goes_straight_on_the_way_to_the_hub(world, staff, collected):
    kit = collected[0]
    handover = services.handover_garments_return(kit=kit, count=5, actor=staff, doorstep=True)
    assert handover.location == Handover.Location.DOORSTEP
    kit = assert_kit_invariants(kit)
    assert kit.qty_in_transit == 5


def test_a_failed_move_leaves_no_handover_behind(world, staff, collected):
    with pytest.raises(KitError):
        services.handover_garments_return(kit=collected[0], count=9, actor=staff, point=world.point)
    assert not Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).exists()


def test_pick_up_refuses_a_point_of_another_hub(world, staff, collected):
    with pytest.raises(KitError, match="different hub"):
        services.handover_pick_up(
            point=world.other_point, kit_counts=[(collected[0], 1)], actor=staff
        )
