"""The database itself refuses what the services refuse, even when a service is bypassed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from makers.models import Maker
from packages import services
from packages.models import (
    DeliveryAllocation,
    FabricLot,
    HubTally,
    Kit,
    KitAssignment,
    PointHolding,
    PrecutStock,
)
from tests import factories


def refused(queryset_update):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset_update()


@pytest.fixture
def kit(world):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=world.user("hub_staff"))
    return kit


def test_garments_must_add_up_to_the_kit(kit):
    refused(lambda: Kit.objects.filter(pk=kit.pk).update(qty_in_kit=F("qty_in_kit") - 1))
    refused(lambda: Kit.objects.filter(pk=kit.pk).update(qty_passed=1))


def test_garment_counts_never_go_negative(kit):
    refused(
        lambda: Kit.objects.filter(pk=kit.pk).update(
            qty_passed=F("qty_passed") - 1, qty_in_kit=F("qty_in_kit") + 1, garment_count=6
        )
    )


def test_uncollected_kit_keeps_every_garment_in_the_kit(kit):
    refused(lambda: Kit.objects.filter(pk=kit.pk).update(qty_in_kit=4, qty_with_maker=1))


def test_closed_kit_has_no_garments_on_the_move(kit):
    refused(lambda: Kit.objects.filter(pk=kit.pk).update(status="closed"))


def test_kit_draws_from_precut_or_fabric_never_both(world, kit):
    lot = factories.FabricLotFactory(hub=world.hub)
    refused(
        lambda: Kit.objects.filter(pk=kit.pk).update(fabric_lot=lot, fabric_metres=Decimal("3"))
    )


def test_stock_never_goes_below_zero(world):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=1)
    lot = factories.FabricLotFactory(hub=world.hub, metres_received=Decimal("1"))
    refused(lambda: PrecutStock.objects.filter(pk=stock.pk).update(quantity_available=-1))
    refused(
        lambda: FabricLot.objects.filter(pk=lot.pk).update(
            metres_available=F("metres_available") - 2
        )
    )


def test_assignment_is_a_maker_or_a_group_and_one_open_per_kit(world, kit):
    maker = Maker.objects.get(user=world.user("maker"))
    group = world.hub.maker_groups.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        KitAssignment.objects.create(kit=kit, maker=maker, group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        KitAssignment.objects.create(kit=kit)
    KitAssignment.objects.create(kit=kit, maker=maker)
    with pytest.raises(IntegrityError), transaction.atomic():
        KitAssignment.objects.create(kit=kit, group=group)


def test_tallies_and_holdings_never_go_negative(world, kit):
    tally = HubTally.objects.get(hub=world.hub)
    refused(lambda: HubTally.objects.filter(pk=tally.pk).update(qty_passed=F("qty_passed") - 1))
    holding = PointHolding.objects.create(point=world.point, kit=kit, count=0)
    refused(lambda: PointHolding.objects.filter(pk=holding.pk).update(count=F("count") - 1))


def test_delivery_allocation_counts_something(world, kit):
    staff = world.user("hub_staff")
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line = delivery.lines.create(garment_type="top", size="M")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryAllocation.objects.create(line=line, kit=kit, count=0)


def test_maker_needs_email_or_phone_unless_erased(world):
    maker = Maker.objects.get(user=world.user("maker"))
    refused(lambda: Maker.objects.filter(pk=maker.pk).update(email="", phone=""))
    refused(lambda: Maker.objects.filter(pk=maker.pk).update(age_band="16_17"))
    refused(lambda: Maker.objects.filter(pk=maker.pk).update(status="erased"))
