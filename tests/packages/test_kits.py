"""Kits and their garments: every status change, every move, the counts always add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from packages import services
from packages.models import GarmentMovement, Kit, KitAssignment, Place, PrecutStock
from packages.selectors import (
    hub_figures,
    kit_for_code,
    kit_for_staff,
    kits_held_by,
    kits_waiting_at_point,
    points_holding_garments,
    points_holding_garments_count,
)
from packages.services import KIT_ALLOWED, KitError, StockError
from tests import factories
from tests.packages.helpers import assert_kit_invariants, counts_of

K = Kit.Status
P = Place

# --- Kit codes ------------------------------------------------------------------------------


def test_kit_codes_use_the_unambiguous_alphabet():
    codes = {services.kit_code_generate() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 7
        assert not set(code) & set("ILOU")


@pytest.mark.parametrize(
    "typed",
    ["7K3-M9QZ", "7k3 m9qz", " 7K3M9QZ ", "7k3-m9qz", "7K3\u2013M9QZ"],
)
def test_normalise_kit_code_forgives_case_spaces_and_hyphens(typed):
    assert services.normalise_kit_code(typed) == "7K3M9QZ"


def test_normalise_kit_code_forgives_look_alike_letters():
    assert services.normalise_kit_code("OIL-2345") == "0112345"


@pytest.mark.parametrize("typed", ["", "ABC", "ABCDEFGH", "ABC-DEF!", "UUUUUUU"])
def test_normalise_kit_code_refuses_what_cannot_be_a_code(typed):
    assert services.normalise_kit_code(typed) == ""


def test_kit_for_code_finds_only_the_hubs_own_kit(world, staff):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    typed = f"{kit.code[:3].lower()}-{kit.code[3:].lower()}"
    assert kit_for_code(hub=world.hub, code=typed) == kit
    assert kit_for_code(hub=world.other_hub, code=typed) is None


def test_kit_for_staff_finds_the_hubs_kit_as_typed(world, staff):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    assert kit_for_staff(hub=world.hub, code=kit.code.lower()) == kit


@pytest.mark.parametrize("typed", ["", "not a code"])
def test_kit_for_staff_is_not_found_for_what_cannot_be_a_code(world, typed):
    with pytest.raises(Http404):
        kit_for_staff(hub=world.hub, code=typed)


def test_kit_for_staff_hides_another_hubs_kit(world, staff):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    with pytest.raises(Http404):
        kit_for_staff(hub=world.other_hub, code=kit.code)


# --- Preparing kits -------------------------------------------------------------------------


def test_prepare_draws_precut_pieces_and_counts_garments_in_kit(world, staff):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=12)
    kits = services.kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        kit_count=2,
        garments_per_kit=5,
        precut_stock=stock,
        actor=staff,
    ).kits.order_by("pk")
    stock.refresh_from_db()
    assert stock.quantity_available == 2
    assert len({k.code for k in kits}) == 2
    for kit in kits:
        assert kit.status == K.PREPARED
        assert kit.counts() == counts_of(kit, in_kit=5)
        assert_kit_invariants(kit)
    assert hub_figures(hub=world.hub)[2].tops["in_kit"] == 10


def test_prepare_refuses_when_pieces_are_short_and_says_the_numbers(world, staff):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=9)
    with pytest.raises(StockError, match="only 9 .* need 10"):
        services.kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            kit_count=2,
            garments_per_kit=5,
            precut_stock=stock,
            actor=staff,
        )
    stock.refresh_from_db()
    assert stock.quantity_available == 9
    assert not Kit.objects.exists()


def test_prepare_draws_fabric_by_pattern_metres(world, staff):
    lot = factories.FabricLotFactory(hub=world.hub, metres_received=Decimal("20"))
    pattern = factories.PatternFactory(garment_type="trousers", size="L")
    (kit,) = services.kits_prepare(
        hub=world.hub,
        garment_type="trousers",
        size="L",
        kit_count=1,
        garments_per_kit=4,
        fabric_lot=lot,
        actor=staff,
    ).kits.order_by("pk")
    lot.refresh_from_db()
    assert lot.metres_available == Decimal("14.00")
    assert kit.fabric_metres == Decimal("6.00")
    assert kit.pattern == pattern
    assert kit.source == Kit.Source.FABRIC


def test_prepare_refuses_fabric_short_of_metres(world, staff):
    lot = factories.FabricLotFactory(hub=world.hub, metres_received=Decimal("5"))
    factories.PatternFactory()
    with pytest.raises(StockError, match="only 5.00 metres"):
        services.kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            kit_count=1,
            garments_per_kit=4,
            fabric_lot=lot,
            actor=staff,
        )


def test_prepare_refuses_fabric_not_approved_for_hospital_washing(world, staff):
    lot = factories.FabricLotFactory(hub=world.hub, approved_for_hospital_washing=False)
    factories.PatternFactory()
    with pytest.raises(StockError, match="not approved for hospital washing"):
        services.kits_prepare(
            hub=world.hub,
            garment_type="top",
            size="M",
            kit_count=1,
            garments_per_kit=4,
            fabric_lot=lot,
            actor=staff,
        )


def test_prepare_refuses_both_kinds_of_stock_or_neither(world, staff):
    stock = factories.PrecutStockFactory(hub=world.hub)
    lot = factories.FabricLotFactory(hub=world.hub)
    for kwargs in ({}, {"precut_stock": stock, "fabric_lot": lot}):
        with pytest.raises(StockError, match="either"):
            services.kits_prepare(
                hub=world.hub,
                garment_type="top",
                size="M",
                kit_count=1,
                garments_per_kit=5,
                actor=staff,
                **kwargs,
            )


def test_prepare_refuses_stock_of_another_hub_or_size(world, staff):
    theirs = factories.PrecutStockFactory(hub=world.other_hub)
    small = factories.PrecutStockFactory(hub=world.hub, size="S")
    for stock, message in ((theirs, "different hub"), (small, "size S")):
        with pytest.raises(StockError, match=message):
            services.kits_prepare(
                hub=world.hub,
                garment_type="top",
                size="M",
                kit_count=1,
                garments_per_kit=5,
                precut_stock=stock,
                actor=staff,
            )


# --- Status changes -------------------------------------------------------------------------


def _kit_in(status: str, *, world, staff, maker) -> Kit:
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    if status == K.PREPARED:
        return kit
    if status == K.CANCELLED:
        return services.kit_cancel(kit=kit, actor=staff)
    kit = services.kit_allocate(kit=kit, maker=maker, actor=staff)
    if status == K.ALLOCATED:
        return kit
    kit = services.kit_collect(kit=kit, actor=staff)
    if status == K.WITH_MAKER:
        return kit
    if status == K.LOST:
        return services.kit_mark_lost(kit=kit, actor=staff, reason="Moved away")
    assert status == K.CLOSED
    return services.garments_write_off(
        kit=kit, from_place=P.WITH_MAKER, count=5, reason="Flooded", actor=staff
    )


def _become(to: str, *, kit: Kit, staff, maker) -> Kit:
    """Ask for a status through the service that causes it."""
    if to == K.ALLOCATED:
        return services.kit_allocate(kit=kit, maker=maker, actor=staff)
    if to == K.PREPARED:
        return services.kit_take_back(kit=kit, actor=staff)
    if to == K.WITH_MAKER:
        return services.kit_collect(kit=kit, actor=staff)
    if to == K.CANCELLED:
        return services.kit_cancel(kit=kit, actor=staff)
    if to == K.LOST:
        return services.kit_mark_lost(kit=kit, actor=staff, reason="Gone")
    assert to == K.CLOSED
    # "Closed" has no service of its own: writing off the last open garments closes a kit.
    open_place = next((p for p in (P.WITH_MAKER, P.IN_KIT) if kit.counts()[p]), P.WITH_MAKER)
    return services.garments_write_off(
        kit=kit,
        from_place=open_place,
        count=max(kit.counts()[open_place], 1),
        reason="Spoiled",
        actor=staff,
    )


@pytest.mark.parametrize("to", K.values)
@pytest.mark.parametrize("start", K.values)
def test_every_kit_status_change_is_allowed_or_refused_by_the_table(world, staff, maker, start, to):
    kit = _kit_in(start, world=world, staff=staff, maker=maker)
    assert kit.status == start
    if to in KIT_ALLOWED[start]:
        kit = _become(to, kit=kit, staff=staff, maker=maker)
        assert kit.status == to
        assert kit.events.last().new_status == to
    else:
        with pytest.raises(KitError):
            _become(to, kit=kit, staff=staff, maker=maker)
        kit.refresh_from_db()
        assert kit.status == start
    assert_kit_invariants(kit)


def test_allocate_makes_an_approved_maker_active_and_records_the_holder(world, staff, maker):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    kit = services.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
    maker.refresh_from_db()
    assert maker.status == maker.Status.ACTIVE
    assert list(kits_held_by(maker=maker)) == [kit]
    assert list(kits_waiting_at_point(point=world.point)) == [kit]
    assert kit.events.last().actor == staff


def test_allocate_refuses_maker_of_another_hub(world, staff, other_maker):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    with pytest.raises(KitError, match="different hub"):
        services.kit_allocate(kit=kit, maker=other_maker, actor=staff)


@pytest.mark.parametrize("status", ["applied", "paused", "standby", "declined", "withdrawn"])
def test_allocate_refuses_maker_who_may_not_receive_kits(world, staff, status):
    maker = factories.MakerFactory(hub=world.hub, status=status)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    with pytest.raises(KitError, match="cannot be given a kit"):
        services.kit_allocate(kit=kit, maker=maker, actor=staff)


def test_allocate_refuses_maker_and_group_together_and_neither(world, staff, maker):
    group = world.hub.maker_groups.get()
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    for kwargs in ({}, {"maker": maker, "group": group}):
        with pytest.raises(KitError, match="one maker or one group"):
            services.kit_allocate(kit=kit, actor=staff, **kwargs)


def test_allocate_to_a_group_credits_the_group(world, staff):
    group = world.hub.maker_groups.get()
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    services.kit_allocate(kit=kit, group=group, actor=staff)
    assert KitAssignment.objects.get(kit=kit).group == group


def test_reallocate_keeps_the_earlier_holder_in_the_history(world, staff, maker):
    second = factories.MakerFactory(hub=world.hub)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    services.kit_allocate(kit=kit, maker=maker, actor=staff)
    services.kit_reallocate(kit=kit, maker=second, actor=staff, reason="Ill")
    history = list(KitAssignment.objects.filter(kit=kit).order_by("pk"))
    assert [a.maker for a in history] == [maker, second]
    assert history[0].ended_at is not None and history[0].end_reason == "Ill"
    assert history[1].ended_at is None
    with pytest.raises(KitError, match="already with"):
        services.kit_reallocate(kit=kit, maker=second, actor=staff)


def test_progress_only_goes_up(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.kit_progress_log(kit=kit, finished=2, actor=staff)
    with pytest.raises(KitError, match="only go up"):
        services.kit_progress_log(kit=kit, finished=2, actor=staff)
    with pytest.raises(KitError, match="cannot be finished"):
        services.kit_progress_log(kit=kit, finished=6, actor=staff)
    assert services.kit_progress_log(kit=kit, finished=5, actor=staff).finished_count == 5


def test_refusals_count_one_garment_in_the_singular(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    kit = services.garments_return(kit=kit, count=4, point=world.point, actor=staff)
    with pytest.raises(KitError, match="has 1 garment with the maker, so 2 cannot move"):
        services.garments_return(kit=kit, count=2, actor=staff)
    with pytest.raises(KitError, match="has 5 garments; 6 cannot be finished"):
        services.kit_progress_log(kit=kit, finished=6, actor=staff)


# --- Garment moves --------------------------------------------------------------------------


def test_maker_returns_three_of_five_now_and_two_later(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    kit = services.garments_return(kit=kit, count=3, point=world.point, actor=staff)
    assert kit.counts() == counts_of(kit, with_maker=2, at_point=3)
    assert list(points_holding_garments(hub=world.hub))[0].garments_held == 3
    assert points_holding_garments_count(hub=world.hub) == 1
    assert_kit_invariants(kit)
    kit = services.garments_return(kit=kit, count=2, actor=staff)
    assert kit.counts() == counts_of(kit, at_point=3, awaiting_check=2)
    assert_kit_invariants(kit)


def test_return_refuses_more_than_the_maker_has(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    with pytest.raises(KitError, match="has 5 garments with the maker, so 6 cannot move"):
        services.garments_return(kit=kit, count=6, actor=staff)
    with pytest.raises(KitError, match="at least one"):
        services.garments_return(kit=kit, count=0, actor=staff)
    assert_kit_invariants(kit)


def test_return_refuses_a_point_of_another_hub_or_one_not_taking_scrubs(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    with pytest.raises(KitError, match="different hub"):
        services.garments_return(kit=kit, count=1, point=world.other_point, actor=staff)
    closed = factories.PointFactory(hub=world.hub, accepts_finished_garments=False)
    with pytest.raises(KitError, match="not taking finished scrubs"):
        services.garments_return(kit=kit, count=1, point=closed, actor=staff)


def test_pick_up_takes_only_what_the_point_holds(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_return(kit=kit, count=3, point=world.point, actor=staff)
    other = factories.PointFactory(hub=world.hub)
    with pytest.raises(KitError, match="holds 0 garments"):
        services.garments_pick_up(kit=kit, point=other, count=1, actor=staff)
    kit = services.garments_pick_up(kit=kit, point=world.point, count=3, actor=staff)
    assert kit.counts() == counts_of(kit, with_maker=2, in_transit=3)
    kit = services.garments_arrive_at_hub(kit=kit, count=3, actor=staff)
    assert kit.counts() == counts_of(kit, with_maker=2, awaiting_check=3)
    assert list(points_holding_garments(hub=world.hub)) == []
    assert points_holding_garments_count(hub=world.hub) == 0
    assert_kit_invariants(kit)


def test_failed_garments_go_back_for_rework_and_return(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_return(kit=kit, count=5, actor=staff)
    services.quality_check_record(
        kit=kit,
        passed=3,
        failures=[services.Failure(reason="Loose seams", count=2)],
        failed_outcome="rework",
        actor=staff,
    )
    kit = assert_kit_invariants(kit)
    assert kit.counts() == counts_of(kit, passed=3, rework=2)
    services.garments_return(kit=kit, count=2, from_place=P.REWORK, actor=staff)
    services.quality_check_record(kit=kit, passed=2, failures=[], actor=staff)
    kit = assert_kit_invariants(kit)
    assert kit.counts() == counts_of(kit, passed=5)
    assert kit.status == K.WITH_MAKER


def test_quality_check_refusals(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_return(kit=kit, count=2, actor=staff)
    with pytest.raises(KitError, match="2 garments waiting"):
        services.quality_check_record(kit=kit, passed=3, failures=[], actor=staff)
    with pytest.raises(KitError, match="rework or are written off"):
        services.quality_check_record(
            kit=kit, passed=0, failures=[services.Failure(reason="Seams", count=1)], actor=staff
        )
    with pytest.raises(KitError, match="Say what was wrong"):
        services.quality_check_record(
            kit=kit,
            passed=0,
            failures=[services.Failure(reason="", count=1)],
            failed_outcome="written_off",
            actor=staff,
        )
    with pytest.raises(KitError, match="how many"):
        services.quality_check_record(kit=kit, passed=0, failures=[], actor=staff)


def test_failed_garments_written_off_and_the_rest_delivered_close_the_kit(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_return(kit=kit, count=5, actor=staff)
    services.quality_check_record(
        kit=kit,
        passed=4,
        failures=[services.Failure(reason="Torn", count=1)],
        failed_outcome="written_off",
        actor=staff,
    )
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    line = services.delivery_line_add(
        delivery=delivery, garment_type="top", size="M", count=4, actor=staff
    )
    services.delivery_send(delivery=delivery, actor=staff)
    services.delivery_confirm(delivery=delivery, received={line.pk: 4}, actor=staff)
    kit = assert_kit_invariants(kit)
    assert kit.status == K.CLOSED
    assert kit.closed_at is not None
    assert kit.counts() == counts_of(kit, delivered=4, written_off=1)
    assert not KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).exists()


def test_unfinished_kit_comes_back_with_finished_checked_and_pieces_to_stock(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    stock = PrecutStock.objects.get(pk=kit.precut_stock_id)
    assert stock.quantity_available == 0
    kit = services.kit_return_unfinished(
        kit=kit, finished=2, to_stock=2, written_off=1, reason="Cut wrong", actor=staff
    )
    assert kit.counts() == counts_of(kit, awaiting_check=2, returned_to_stock=2, written_off=1)
    stock.refresh_from_db()
    assert stock.quantity_available == 2
    assert_kit_invariants(kit)


def test_unfinished_kit_from_fabric_returns_pieces_to_a_batch_cut_from_that_lot(
    world, staff, maker
):
    lot = factories.FabricLotFactory(hub=world.hub)
    factories.PatternFactory()
    (kit,) = services.kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        kit_count=1,
        garments_per_kit=3,
        fabric_lot=lot,
        actor=staff,
    ).kits.order_by("pk")
    services.kit_allocate(kit=kit, maker=maker, actor=staff)
    services.kit_collect(kit=kit, actor=staff)
    services.kit_return_unfinished(kit=kit, finished=0, to_stock=3, actor=staff)
    batch = PrecutStock.objects.get(fabric_lot=lot)
    assert batch.quantity_available == 3
    kit = assert_kit_invariants(kit)
    assert kit.status == K.CLOSED


def test_unfinished_return_refuses_counts_that_do_not_add_up(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    with pytest.raises(KitError, match="make 4"):
        services.kit_return_unfinished(kit=kit, finished=2, to_stock=2, actor=staff)
    with pytest.raises(KitError, match="why"):
        services.kit_return_unfinished(kit=kit, finished=4, written_off=1, actor=staff)


def test_lost_refused_once_garments_were_handed_in(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_return(kit=kit, count=1, actor=staff)
    with pytest.raises(KitError, match="already been handed in"):
        services.kit_mark_lost(kit=kit, actor=staff, reason="Gone")


def test_cancel_puts_the_pieces_back_in_stock(world, staff):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    kit = services.kit_cancel(kit=kit, actor=staff, reason="Wrong size")
    assert PrecutStock.objects.get(pk=kit.precut_stock_id).quantity_available == 5
    assert kit.counts() == counts_of(kit, returned_to_stock=5)
    assert_kit_invariants(kit)


def test_garments_of_an_uncollected_kit_cannot_move(world, staff):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    with pytest.raises(KitError, match="not been collected"):
        services.garments_write_off(kit=kit, from_place=P.IN_KIT, count=1, reason="x", actor=staff)


def test_moves_not_in_the_table_are_refused(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    with pytest.raises(KitError, match="cannot go straight to"):
        services._garments_move(
            kit_id=kit.pk, from_place=P.WITH_MAKER, to_place=P.PASSED, count=1, actor=staff
        )


def test_every_move_writes_a_movement_with_who_and_why(world, staff, maker):
    kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
    services.garments_write_off(
        kit=kit, from_place=P.WITH_MAKER, count=1, reason="Dog ate it", actor=staff
    )
    movement = GarmentMovement.objects.filter(kit=kit).last()
    assert (movement.from_place, movement.to_place, movement.count) == (
        P.WITH_MAKER,
        P.WRITTEN_OFF,
        1,
    )
    assert movement.actor == staff and movement.reason == "Dog ate it"


def test_hub_figures_count_sets_as_the_smaller_of_tops_and_trousers(world, staff):
    factories.prepared_kits(hub=world.hub, garment_type="top", size="L", garments=7, actor=staff)
    factories.prepared_kits(
        hub=world.hub, garment_type="trousers", size="L", garments=4, actor=staff
    )
    large = next(f for f in hub_figures(hub=world.hub) if f.size == "L")
    assert (large.tops["in_kit"], large.trousers["in_kit"]) == (7, 4)
    assert large.sets_in("in_kit") == 4
    assert hub_figures(hub=world.other_hub)[3].sets_in("in_kit") == 0


def test_points_holding_count_counts_each_point_once_and_only_this_hubs(world, staff, maker):
    second_point = factories.PointFactory(hub=world.hub)
    for point in (world.point, world.point, second_point):
        kit = _kit_in(K.WITH_MAKER, world=world, staff=staff, maker=maker)
        services.garments_return(kit=kit, count=2, point=point, actor=staff)
    empty = factories.PointFactory(hub=world.hub)
    assert points_holding_garments_count(hub=world.hub) == 2
    assert {p.pk for p in points_holding_garments(hub=world.hub)} == {
        world.point.pk,
        second_point.pk,
    }
    assert empty.pk not in {p.pk for p in points_holding_garments(hub=world.hub)}
    assert points_holding_garments_count(hub=world.other_hub) == 0
