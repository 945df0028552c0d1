"""Requests that will be late at the current pace (issue 25, part 5): the laundry is told
plainly, the hub's to-do list counts them, and the plan says what would meet each date,
worked out from the forecast's own pace."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from makers.models import Maker
from packages import services
from packages.models import DemandLine
from packages.planning import late_requests_for_hub, request_forecasts
from tests.hubs.helpers import kits_at
from tests.querycount import assert_same_queries_at_sizes


@pytest.fixture
def sewing(world, maker):
    """The world's maker is the one maker sewing now."""
    Maker.objects.filter(pk=maker.pk).update(status=Maker.Status.ACTIVE)
    assert Maker.objects.filter(hub=world.hub, status=Maker.Status.ACTIVE).count() == 1
    return maker


def _urgent(world, quantity, *, days, garment_type="top", size="M", priority="urgent"):
    needed_by = timezone.localdate() + datetime.timedelta(days=days)
    return services.demand_record(
        hospital=world.hospital,
        garment_types=[garment_type],
        quantities={size: quantity},
        priority=priority,
        needed_by=needed_by,
        actor=world.user("laundry"),
        # A date gone by is recorded as if on that day (the service refuses past dates).
        today=min(needed_by, timezone.localdate()),
    )[0]


def test_a_request_needed_before_the_forecast_is_late_with_what_would_meet_it(world, staff, sewing):
    today = timezone.localdate()
    line = _urgent(world, 100, days=14)
    # 10 tops passed the check today: 10 in four weeks, 2.5 a week. They count as made.
    kits_at(world, staff, sewing, stage="passed", count=2)

    (late,) = late_requests_for_hub(hub=world.hub, today=today)

    assert late.demand_line_id == line.pk
    assert late.still_to_pass == 90
    # 90 to go at 10 every 28 days is 252 days; needed in 14, so 238 days (34 weeks) late.
    assert late.ready_on == today + datetime.timedelta(days=252)
    assert (late.days_late, late.weeks_late) == (238, 34)
    # In time needs 90 in 2 weeks, 45 a week: 42.5 more than the 2.5 passing now, which is
    # 9 kits of 5, or 17 makers at the 2.5 a week the one maker sewing now manages.
    assert late.pace_per_week == 2.5
    assert late.needed_per_week == 45
    assert (late.more_kits_per_week, late.more_makers) == (9, 17)


def test_an_urgent_request_waits_only_for_the_requests_ahead_of_it(world, staff, sewing):
    today = timezone.localdate()
    big = _urgent(world, 1000, days=400, priority="normal")
    small = _urgent(world, 12, days=30)
    kits_at(world, staff, sewing, stage="passed", count=2)

    forecasts = request_forecasts(hospital_ids=[world.hospital.pk], today=today)

    # The urgent 12 come first and the 10 passed cover most of them: 2 to go.
    assert forecasts[small.pk].still_to_pass == 2
    assert forecasts[small.pk].ready_on == today + datetime.timedelta(days=6)
    assert not forecasts[small.pk].late
    assert forecasts[big.pk].still_to_pass == 1002
    assert forecasts[big.pk].late
    assert [f.demand_line_id for f in late_requests_for_hub(hub=world.hub)] == [big.pk]


def test_nothing_passing_is_late_and_a_date_gone_by_offers_nothing_to_meet_it(world, staff):
    today = timezone.localdate()
    line = _urgent(world, 20, days=-3, garment_type="trousers", size="L")

    forecast = request_forecasts(hospital_ids=[world.hospital.pk], today=today)[line.pk]

    assert forecast.ready_on is None and forecast.late and forecast.date_passed
    assert forecast.more_kits_per_week is None and forecast.more_makers is None


def test_a_request_without_a_date_or_on_time_is_not_late(world, staff, sewing):
    services.demand_record(
        hospital=world.hospital, garment_types=["top"], quantities={"M": 50}, actor=staff
    )
    _urgent(world, 5, days=10)
    kits_at(world, staff, sewing, stage="passed", count=1)
    assert late_requests_for_hub(hub=world.hub) == []


def test_the_laundry_is_told_plainly_and_sees_no_makers(world, staff, sewing, client_for):
    today = timezone.localdate()
    line = _urgent(world, 100, days=14)
    kits_at(world, staff, sewing, stage="passed", count=2)
    ready = (today + datetime.timedelta(days=252)).strftime("%-d %B %Y")

    for url in (
        reverse("packages:laundry_demand"),
        reverse("packages:laundry_demand_detail", args=[line.pk]),
    ):
        html = client_for("laundry").get(url).content.decode()
        assert (
            f"at the current pace this will be ready by {ready}, "
            "about 34 weeks after you need it." in html
        )
        assert "<strong>Late:</strong>" in html
        assert "more makers" not in html
        assert sewing.name not in html


def test_the_hub_to_do_list_counts_late_requests_and_the_plan_says_what_would_meet_them(
    world, staff, sewing, client_for
):
    _urgent(world, 100, days=14)
    kits_at(world, staff, sewing, stage="passed", count=2)
    client = client_for("hub_staff")

    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert "request will be late at the current pace" in dashboard
    assert f'href="{reverse("hubs:plan")}#late"' in dashboard

    plan = client.get(reverse("hubs:plan")).content.decode()
    assert 'id="late"' in plan
    assert "Ninewells Hospital: Scrub top, size M, 100 asked for" in plan
    assert "about 9 more kits of 5 sewn and checked a week, or about 17 more makers sewing." in (
        plan
    )
    assert "About 2.5 a week pass the check now; to be ready in time it needs about 45 a week." in (
        plan
    )


def test_the_laundry_sees_no_warning_for_a_request_on_time(world, staff, maker, client_for):
    _urgent(world, 5, days=10)
    kits_at(world, staff, maker, stage="passed", count=1)
    html = client_for("laundry").get(reverse("packages:laundry_demand")).content.decode()
    assert "Late:" not in html


@pytest.mark.parametrize("name", ["hubs:dashboard", "hubs:plan", "packages:laundry_demand"])
def test_late_requests_cost_the_same_queries_however_many(name, world, staff, sewing, client_for):
    kits_at(world, staff, sewing, stage="passed", count=1)
    needed_by = timezone.localdate() + datetime.timedelta(days=7)

    def grow_to(n: int) -> None:
        have = DemandLine.objects.filter(hospital=world.hospital).count()
        DemandLine.objects.bulk_create(
            [
                DemandLine(
                    hospital=world.hospital,
                    garment_type="top" if i % 2 else "trousers",
                    size=["S", "M", "L"][i % 3],
                    quantity=10,
                    priority="urgent",
                    needed_by=needed_by,
                )
                for i in range(max(0, n - have))
            ]
        )

    persona = "laundry" if name.startswith("packages") else "hub_staff"
    assert_same_queries_at_sizes(client_for(persona), reverse(name), grow_to, sizes=(5, 200))
