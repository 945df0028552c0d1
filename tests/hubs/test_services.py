"""The hub pages' services: shift notes, goods in, thanks, and preparing a batch of kits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from packages.models import Donation, FabricLot, Kit, PrecutStock
from packages.services import StockError, donation_thank, kits_prepare
from scrubhub.hubs.models import KitBatch, ShiftNote
from scrubhub.hubs.services import (
    FabricIn,
    HubError,
    PrecutIn,
    goods_in_record,
    shift_note_leave,
)
from tests import factories


def test_shift_note_is_saved_trimmed_for_the_hub(world, staff):
    note = shift_note_leave(hub=world.hub, text="  Run at 2pm.  ", actor=staff)
    assert (note.hub, note.text, note.written_by) == (world.hub, "Run at 2pm.", staff)


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_shift_note_refuses_empty_or_overlong_text(world, staff, text):
    with pytest.raises(HubError):
        shift_note_leave(hub=world.hub, text=text, actor=staff)
    assert not ShiftNote.objects.exists()


def test_goods_in_fabric_records_the_donation_and_a_lot_on_the_shelf(world, staff):
    donation = goods_in_record(
        hub=world.hub,
        actor=staff,
        donor_name="Tay Mill",
        kind="fabric",
        fabric=FabricIn(colour="Navy", metres=Decimal("120.5"), approved_for_hospital_washing=True),
    )
    lot = FabricLot.objects.get(donation=donation)
    assert (lot.hub, lot.supplier, lot.metres_available) == (
        world.hub,
        "Tay Mill",
        Decimal("120.5"),
    )
    assert (donation.quantity, donation.unit) == (Decimal("120.5"), "metres")
    assert donation.received_on == timezone.localdate()


def test_goods_in_pieces_records_the_donation_and_the_pieces(world, staff):
    donation = goods_in_record(
        hub=world.hub,
        actor=staff,
        donor_name="Cutting room",
        kind="precut",
        precut=PrecutIn(garment_type="trousers", size="L", quantity=60, cut_by=""),
    )
    stock = PrecutStock.objects.get(donation=donation)
    assert (stock.garment_type, stock.size, stock.quantity_available) == ("trousers", "L", 60)
    assert stock.cut_by == "Cutting room"


def test_goods_in_that_fails_halfway_saves_nothing(world, staff):
    with pytest.raises(HubError, match="at least one"):
        goods_in_record(
            hub=world.hub,
            actor=staff,
            donor_name="Cutting room",
            kind="precut",
            precut=PrecutIn(garment_type="top", size="M", quantity=0, cut_by=""),
        )
    assert not Donation.objects.exists()
    assert not PrecutStock.objects.exists()


@pytest.mark.parametrize(
    ("kind", "extra", "message"),
    [
        ("fabric", {}, "metres"),
        ("precut", {}, "size"),
        ("sweets", {}, "what was given"),
        ("notions", {"received_on": timezone.localdate().replace(year=2999)}, "future"),
    ],
)
def test_goods_in_refuses_what_is_missing_or_wrong(world, staff, kind, extra, message):
    with pytest.raises(HubError, match=message):
        goods_in_record(hub=world.hub, actor=staff, donor_name="A giver", kind=kind, **extra)
    assert not Donation.objects.exists()


def test_thanks_are_recorded_once_and_only_in_the_donations_hub(world, staff):
    donation = goods_in_record(hub=world.hub, actor=staff, donor_name="Rotary", kind="money")
    with pytest.raises(StockError, match="different hub"):
        donation_thank(hub=world.other_hub, donation=donation, actor=staff)
    donation_thank(hub=world.hub, donation=donation, actor=staff)
    assert Donation.objects.get(pk=donation.pk).thanked_by == staff
    with pytest.raises(StockError, match="already been thanked"):
        donation_thank(hub=world.hub, donation=donation, actor=staff)


def _pieces(world, quantity=40, **kw):
    return factories.PrecutStockFactory(
        hub=kw.pop("hub", world.hub), quantity_received=quantity, **kw
    )


def test_batch_draws_the_stock_and_keeps_its_kits(world, staff):
    stock = _pieces(world)
    batch = kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=5,
        kit_count=3,
        precut_stock=stock,
        expected_left=40,
        actor=staff,
    )
    assert batch.kits.count() == 3
    assert set(batch.kits.values_list("status", flat=True)) == {Kit.Status.PREPARED}
    stock.refresh_from_db()
    assert stock.quantity_available == 25
    assert (batch.precut_stock, batch.fabric_lot, batch.created_by) == (stock, None, staff)


def test_batch_from_fabric_records_the_metres_drawn(world, staff):
    lot = factories.FabricLotFactory(hub=world.hub, metres_received=Decimal("50"))
    factories.PatternFactory(garment_type="trousers", size="S", metres_per_garment=Decimal("1.6"))
    batch = kits_prepare(
        hub=world.hub,
        garment_type="trousers",
        size="S",
        garments_per_kit=5,
        kit_count=2,
        fabric_lot=lot,
        expected_left=Decimal("50.00"),
        actor=staff,
    )
    lot.refresh_from_db()
    assert batch.metres_drawn == Decimal("16.00")
    assert lot.metres_available == Decimal("34.00")


def test_stale_confirm_after_someone_else_drew_the_same_stock_changes_nothing(world, staff):
    stock = _pieces(world)
    seen = stock.quantity_available
    kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=5,
        kit_count=2,
        precut_stock=stock,
        expected_left=seen,
        actor=world.user("coordinator"),
    )
    stale = "had 40 garments' worth of pieces left, and now it has 30"
    with pytest.raises(StockError, match=stale):
        kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            garments_per_kit=5,
            kit_count=2,
            precut_stock=stock,
            expected_left=seen,
            actor=staff,
        )
    stock.refresh_from_db()
    assert stock.quantity_available == 30
    assert Kit.objects.count() == 2
    assert KitBatch.objects.count() == 1


def test_batch_refuses_more_than_the_stock_holds_with_the_numbers(world, staff):
    stock = _pieces(world, quantity=12)
    with pytest.raises(StockError, match="only 12 garments' worth.*3 kits of 5 need 15"):
        kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            garments_per_kit=5,
            kit_count=3,
            precut_stock=stock,
            expected_left=12,
            actor=staff,
        )
    stock.refresh_from_db()
    assert stock.quantity_available == 12
    assert not Kit.objects.exists() and not KitBatch.objects.exists()


@pytest.mark.parametrize(
    ("kit_count", "per_kit"), [(0, 5), (-3, 5), (201, 5), (1, 0), (1, -1), (1, 21)]
)
def test_batch_refuses_negative_or_absurd_counts(world, staff, kit_count, per_kit):
    stock = _pieces(world, quantity=10_000)
    with pytest.raises(StockError, match="between 1 and"):
        kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            garments_per_kit=per_kit,
            kit_count=kit_count,
            precut_stock=stock,
            expected_left=10_000,
            actor=staff,
        )
    assert not Kit.objects.exists()


def test_batch_refuses_stock_of_another_hub(world, staff):
    stock = _pieces(world, hub=world.other_hub)
    with pytest.raises(StockError, match="different hub"):
        kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            garments_per_kit=5,
            kit_count=1,
            precut_stock=stock,
            expected_left=40,
            actor=staff,
        )
    stock.refresh_from_db()
    assert stock.quantity_available == 40


def test_batch_refuses_pieces_of_another_size(world, staff):
    stock = _pieces(world, size="L")
    with pytest.raises(StockError, match="size L"):
        kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            garments_per_kit=5,
            kit_count=1,
            precut_stock=stock,
            expected_left=40,
            actor=staff,
        )
    assert not Kit.objects.exists()
