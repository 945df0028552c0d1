"""Issue 25: a maker is told where her kit really is (at the hub, on a run due at her point,
at the point), and may only plan to bring a kit back on a day her point is open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from dropoffs import services as dropoffs
from dropoffs.models import OpeningHours
from dropoffs.selectors import open_days_words, open_on
from makers.forms import ReturnForm
from makers.models import ReturnPlan
from makers.services import MakerError, return_plan_make
from packages import services as packages
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token


@pytest.fixture
def me(client_for):
    return client_for("maker")


def url(name: str, kit=None) -> str:
    return reverse(f"makers:{name}", kwargs={"code": kit.code} if kit is not None else None)


def plan_run(world, day: date):
    return dropoffs.run_plan(
        hub=world.hub,
        driver=world.user("driver"),
        day=day,
        points=[world.point],
        actor=world.user("hub_staff"),
    )


# --- 1. Where the kit really is --------------------------------------------------------------


def test_a_kit_still_on_the_hubs_shelf_is_not_said_to_wait_at_the_point(me, held_kit, world):
    kit = held_kit(collect=False)
    for page in (url("me"), url("kit", kit)):
        html = me.get(page).content.decode()
        assert f"Collect it from {world.point.name}." not in html
        assert "Waiting for you to collect it" not in html
        assert f"At the hub; it goes to {world.point.name} on a driver" in html
        assert f"This page will say when it is at {world.point.name}." in html


def test_a_kit_on_a_planned_run_says_it_is_at_the_hub_and_the_day_it_reaches_the_point(
    me, held_kit, world
):
    kit = held_kit(collect=False)
    day = world.hub.today() + timedelta(days=3)
    plan_run(world, day)
    when = date_format(day, "l j F")
    for page in (url("me"), url("kit", kit)):
        html = me.get(page).content.decode()
        assert f"At the hub; at {world.point.name} from {when}" in html
        assert f"Collect it from {world.point.name} from {when}, once a driver" in html
        assert f"Collect it from {world.point.name}." not in html


def test_a_kit_the_driver_left_at_the_point_is_ready_and_its_maker_hears_then(
    me, held_kit, maker, world
):
    kit = held_kit(collect=False)
    run = plan_run(world, world.hub.today())
    given = Message.objects.filter(to_address=maker.email, subject__contains="ready to collect")
    assert not given.exists()
    dropoffs.run_stop_visit(stop=run.stops.get(), actor=world.user("driver"), dropped=[kit.pk])
    html = me.get(url("me")).content.decode()
    assert f"Collect it from {world.point.name}." in html
    assert f"At {world.point.name}, ready for you to collect" in html
    assert given.count() == 1
    assert f"is now at {world.point.name}" in given.get().body


def test_a_stop_the_driver_skipped_leaves_the_kit_at_the_hub(me, held_kit, world):
    kit = held_kit(collect=False)
    run = plan_run(world, world.hub.today())
    dropoffs.run_stop_skip(stop=run.stops.get(), actor=world.user("driver"), reason="Shut")
    html = me.get(url("kit", kit)).content.decode()
    assert f"At the hub; it goes to {world.point.name} on a driver" in html


def test_the_message_when_a_kit_is_given_does_not_say_it_is_waiting_at_the_point(maker, world):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=world.user("hub_staff"))
    packages.kit_allocate(
        kit=kit, actor=world.user("hub_staff"), maker=maker, collection_point=world.point
    )
    body = Message.objects.get(kind="kit_staff", to_address=maker.email).body
    assert "waiting for you" not in body
    assert f"A driver will take it to {world.point.name}" in body
    assert "We will tell you when it is there" in body


# --- 2. Only days the point is open ----------------------------------------------------------


@pytest.fixture
def mon_to_sat(world):
    """The world's point opens Monday to Saturday, 09:00 to 18:00."""
    OpeningHours.objects.bulk_create(
        OpeningHours(point=world.point, weekday=day, opens=time(9), closes=time(18))
        for day in range(6)
    )
    return world.point


def next_weekday(world, weekday: int) -> date:
    day = world.hub.today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def test_a_sunday_at_a_monday_to_saturday_point_is_refused_beside_the_day(
    me, held_kit, world, mon_to_sat
):
    kit = held_kit(finished=5)
    sunday = next_weekday(world, 6)
    response = me.post(
        url("kit_return", kit),
        {"where": mon_to_sat.pk, "day": sunday.isoformat()} | token(ReturnForm),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [
        "Library point is open Monday to Saturday. Please choose one of those days."
    ]
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'id="id_day_error"' in html
    assert "We will expect it then" not in html
    assert not ReturnPlan.objects.exists()


def test_the_return_form_offers_only_the_days_the_point_is_open_with_its_times(
    me, held_kit, world, mon_to_sat, maker
):
    maker.preferred_point = mon_to_sat
    maker.save(update_fields=["preferred_point"])
    kit = held_kit(finished=5)
    form = me.get(url("kit_return", kit)).context["form"]
    offered = [date.fromisoformat(value) for value, _label in form.fields["day"].choices if value]
    assert offered and all(day.weekday() != 6 for day in offered)
    monday = next_weekday(world, 0)
    labels = dict(form.fields["day"].choices)
    assert labels[monday.isoformat()].endswith("09:00 to 18:00")


def test_an_open_day_is_kept(me, held_kit, world, mon_to_sat):
    kit = held_kit(finished=5)
    monday = next_weekday(world, 0)
    response = me.post(
        url("kit_return", kit),
        {"where": mon_to_sat.pk, "day": monday.isoformat()} | token(ReturnForm),
    )
    assert response.status_code == 302
    assert ReturnPlan.objects.get(kit=kit).day == monday


def test_the_service_refuses_a_closed_day_whoever_calls_it(held_kit, maker, world, mon_to_sat):
    kit = held_kit(finished=5)
    with pytest.raises(MakerError, match="open Monday to Saturday") as refused:
        return_plan_make(
            maker=maker, kit=kit, actor=maker.user, day=next_weekday(world, 6), point=mon_to_sat
        )
    assert refused.value.field == "day"
    assert not ReturnPlan.objects.exists()


def test_a_point_without_hours_takes_any_day(me, held_kit, world):
    kit = held_kit(finished=5)
    sunday = next_weekday(world, 6)
    response = me.post(
        url("kit_return", kit),
        {"where": world.point.pk, "day": sunday.isoformat()} | token(ReturnForm),
    )
    assert response.status_code == 302


def test_today_counts_as_open_only_until_the_point_closes_where_the_hub_is(world, mon_to_sat):
    # Monday 2 June 2025, 17:30 in UTC, is 18:30 in Dundee (summer time): closed for today.
    monday = date(2025, 6, 2)
    evening = datetime(2025, 6, 2, 17, 30, tzinfo=UTC)
    afternoon = datetime(2025, 6, 2, 16, 30, tzinfo=UTC)
    assert open_on(mon_to_sat, monday, now=evening) == []
    assert open_on(mon_to_sat, monday, now=afternoon)
    world.hub.timezone = "UTC"
    assert open_on(mon_to_sat, monday, now=evening)


@pytest.mark.parametrize(
    ("weekdays", "words"),
    [
        (range(6), "Monday to Saturday"),
        (range(7), "every day"),
        ([1, 3, 5], "Tuesday, Thursday and Saturday"),
        ([2, 6], "Wednesday and Sunday"),
        ([4], "Friday"),
    ],
)
def test_the_open_days_are_named_as_people_say_them(world, weekdays, words):
    OpeningHours.objects.bulk_create(
        OpeningHours(point=world.point, weekday=day, opens=time(10), closes=time(12))
        for day in weekdays
    )
    assert open_days_words(world.point) == words
