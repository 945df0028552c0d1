"""The plan from demand (packages/planning.py): figures, the delivery rules, the forecast,
and a query count that does not grow with the hub's history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from packages import services
from packages.models import GarmentMovement, Place
from packages.planning import demand_forecast, plan_for_hub, plan_totals, stock_held
from packages.records import day_tallies_recount
from tests import factories
from tests.hubs.helpers import deliver, kits_at

TODAY = datetime.date(2020, 5, 1)


def _line(lines, garment_type="top", size="M"):
    found = [line for line in lines if (line.garment_type, line.size) == (garment_type, size)]
    assert len(found) == 1, f"no single plan line for {garment_type} {size}"
    return found[0]


def _demand(world, quantity, *, garment_type="top", size="M", hospital=None):
    return services.demand_record(
        hospital=hospital or world.hospital,
        garment_types=[garment_type],
        quantities={size: quantity},
        actor=world.user("laundry"),
    )[0]


def test_plan_subtracts_delivered_on_the_way_and_pipeline_and_counts_stock(world, staff, maker):
    top_demand = _demand(world, 100)
    _demand(world, 40, garment_type="trousers")
    kits_at(world, staff, maker, stage="passed", count=3)
    deliver(world, staff, count=5, demand_line=top_demand)
    deliver(world, staff, count=5, received=False)
    kits_at(world, staff, maker, stage="with_maker")
    kits_at(world, staff, maker, stage="prepared")
    kits_at(world, staff, maker, stage="awaiting_check")
    factories.PrecutStockFactory(hub=world.hub, garment_type="top", size="M", quantity_received=30)
    factories.PatternFactory(garment_type="top", size="M", metres_per_garment=Decimal("1.50"))

    lines = plan_for_hub(hub=world.hub, garments_per_kit=5, today=TODAY)

    top = _line(lines)
    assert (top.needed, top.delivered, top.on_the_way) == (100, 5, 5)
    assert (top.in_kits, top.with_makers, top.awaiting_check, top.passed) == (5, 5, 5, 5)
    assert top.at_points == 0
    assert top.in_pipeline == 20
    assert top.to_plan == 100 - 5 - 5 - 20
    assert top.kits_to_prepare == 14
    assert (top.stock_needed, top.stock_held, top.stock_short) == (70, 30, 40)
    assert top.metres_needed == Decimal("60.00")
    trousers = _line(lines, "trousers")
    assert (trousers.needed, trousers.in_pipeline, trousers.to_plan) == (40, 0, 40)
    assert trousers.kits_to_prepare == 8
    assert [(line.garment_type, line.size) for line in lines] == [
        ("top", "M"),
        ("trousers", "M"),
    ]
    totals = plan_totals(lines)
    assert totals["kits_to_prepare"] == 22
    assert totals["to_plan"] == 110


def test_kits_round_up_and_follow_the_garments_per_kit(world, staff):
    _demand(world, 11)
    assert _line(plan_for_hub(hub=world.hub, garments_per_kit=5)).kits_to_prepare == 3
    assert _line(plan_for_hub(hub=world.hub, garments_per_kit=4)).kits_to_prepare == 3
    assert _line(plan_for_hub(hub=world.hub, garments_per_kit=1)).stock_needed == 11
    with pytest.raises(ValueError):
        plan_for_hub(hub=world.hub, garments_per_kit=0)


def test_more_in_hand_than_needed_plans_nothing(world, staff, maker):
    _demand(world, 8)
    kits_at(world, staff, maker, stage="with_maker", count=2)
    top = _line(plan_for_hub(hub=world.hub))
    assert (top.to_plan, top.kits_to_prepare, top.stock_needed) == (0, 0, 0)


def test_only_deliveries_answering_open_demand_count(world, staff, maker):
    kits_at(world, staff, maker, stage="passed", count=4)
    deliver(world, staff, count=3)  # before anything was asked for: not against this demand
    met = _demand(world, 10)
    deliver(world, staff, count=4, demand_line=met)
    services.demand_mark_met(line=met, actor=world.user("laundry"))
    _demand(world, 50)
    deliver(world, staff, count=6)  # unlinked, after the open request: counts
    deliver(world, staff, count=2, received=False)  # sent, not yet received: on the way

    top = _line(plan_for_hub(hub=world.hub))

    assert top.needed == 50
    assert (top.delivered, top.on_the_way) == (6, 2)


def test_another_hospitals_demand_and_deliveries_stay_out(world, staff):
    _demand(world, 30, hospital=world.other_hospital)
    assert plan_for_hub(hub=world.hub) == []
    assert _line(plan_for_hub(hub=world.other_hub)).needed == 30


def test_forecast_uses_the_last_four_weeks_rate_of_passed_garments(world, staff, maker):
    _demand(world, 100)
    _demand(world, 20, garment_type="trousers")
    passed = kits_at(world, staff, maker, stage="passed", count=2)
    today = timezone.localdate()

    top = _line(plan_for_hub(hub=world.hub, today=today))
    # 10 passed in 28 days; 90 still to pass at 10/28 a day is 252 days.
    assert top.passed_last_four_weeks == 10
    assert top.forecast_met_on == today + datetime.timedelta(days=252)
    # Nothing is passing for trousers: not met at the current rate.
    assert _line(plan_for_hub(hub=world.hub, today=today), "trousers").forecast_met_on is None

    # A check five weeks ago falls out of the window: 5 in 28 days, 90 to go, 504 days.
    GarmentMovement.objects.filter(kit=passed[0], to_place=Place.PASSED).update(
        created_at=timezone.now() - datetime.timedelta(days=35)
    )
    day_tallies_recount(hub_ids=[world.hub.pk])  # history rewritten: count it again
    top = _line(plan_for_hub(hub=world.hub, today=today))
    assert top.passed_last_four_weeks == 5
    assert top.forecast_met_on == today + datetime.timedelta(days=504)


def test_forecast_is_today_when_everything_needed_has_passed(world, staff, maker):
    _demand(world, 10)
    kits_at(world, staff, maker, stage="passed", count=2)
    assert _line(plan_for_hub(hub=world.hub, today=TODAY)).forecast_met_on == TODAY


def test_demand_forecast_answers_per_open_request_of_the_hospital(world, staff, maker):
    _demand(world, 100)
    _demand(world, 20, garment_type="trousers", size="L")
    kits_at(world, staff, maker, stage="passed", count=2)
    # Garments passing at another hub that does not supply this hospital do not help it.
    other_staff = world.user("other_hub_staff")
    other_maker = factories.MakerFactory(hub=world.other_hub)
    (kit,) = factories.prepared_kits(hub=world.other_hub, actor=other_staff)
    services.kit_allocate(kit=kit, maker=other_maker, actor=other_staff)
    services.kit_collect(kit=kit, actor=other_staff)
    services.garments_return(kit=kit, count=5, actor=other_staff)
    services.quality_check_record(kit=kit, passed=5, failures=[], actor=other_staff)
    today = timezone.localdate()

    forecast = demand_forecast(hospital=world.hospital, today=today)

    assert forecast == {
        ("top", "M"): today + datetime.timedelta(days=252),
        ("trousers", "L"): None,
    }
    assert demand_forecast(hospital=world.other_hospital) == {}


def _queries(hub) -> int:
    with CaptureQueriesContext(connection) as captured:
        plan_for_hub(hub=hub)
    return len(captured.captured_queries)


def test_plan_makes_the_same_queries_whatever_the_history(world, staff, maker):
    demand = _demand(world, 500)
    kits_at(world, staff, maker, stage="passed", count=1)
    small = _queries(world.hub)
    for size in ("S", "L", "XL"):
        _demand(world, 100, size=size)
        kits_at(world, staff, maker, stage="passed", size=size, count=3)
        kits_at(world, staff, maker, stage="with_maker", size=size, count=2)
    kits_at(world, staff, maker, stage="passed", count=6)
    deliver(world, staff, count=10, demand_line=demand)
    deliver(world, staff, count=5, size="L", received=False)
    assert _queries(world.hub) == small


def test_a_plan_given_the_stock_held_reads_it_no_more_and_comes_out_the_same(world, staff, maker):
    _demand(world, 60)
    kits_at(world, staff, maker, stage="with_maker")
    factories.PrecutStockFactory(hub=world.hub, garment_type="top", size="M", quantity_received=30)
    factories.PatternFactory(garment_type="top", size="M", metres_per_garment=Decimal("1.50"))
    alone = plan_for_hub(hub=world.hub, today=TODAY)
    held = stock_held(hub=world.hub)
    with CaptureQueriesContext(connection) as given:
        shared = plan_for_hub(hub=world.hub, today=TODAY, held=held)
    assert shared == alone
    assert _line(shared).stock_held == 30 and _line(shared).metres_per_garment == Decimal("1.50")
    assert _queries(world.hub) - len(given.captured_queries) == 2  # pre-cut and patterns
