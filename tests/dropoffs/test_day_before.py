"""The day before: a run's driver hears the stops in order and what to carry; each helper
of a point open tomorrow hears what to expect there, in numbers and without names. Both go
once, however often (or however many at once) the daily tick runs."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dropoffs import services as dropoffs
from dropoffs.day_before import points_day_before_send, runs_day_before_send
from dropoffs.models import Run
from makers.services import return_plan_make
from packages import services as packages
from scrubhub.hubs.models import Role
from scrubhub.notifications.models import Message
from scrubhub.notifications.selectors import unreachable_for_hub
from scrubhub.notifications.tasks import send_reminders
from tests import factories
from tests.dropoffs import builders as b


def tomorrow(world):
    return world.hub.today() + timedelta(days=1)


def driver_messages():
    return Message.objects.filter(kind="run_day_before")


def helper_messages():
    return Message.objects.filter(kind="point_day_before")


def plan_run(world, *, day=None, points=(), makers=(), driver=None):
    return dropoffs.run_plan(
        hub=world.hub,
        driver=driver or world.user("driver"),
        day=day or tomorrow(world),
        points=list(points),
        makers=list(makers),
        actor=world.user("hub_staff"),
    )


def kit_for(world, maker, *, point=None, collect=False, finished=0):
    staff = world.user("hub_staff")
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, actor=staff, maker=maker, collection_point=point)
    if collect:
        packages.kit_collect(kit=kit, actor=staff)
    if finished:
        packages.kit_progress_log(kit=kit, finished=finished, actor=staff)
    kit.refresh_from_db()
    return kit


@pytest.fixture
def loaded_run(world):
    """Tomorrow's run: the world's point (4 garments waiting there, 1 kit to leave) and a
    doorstep in DD3 (3 garments said finished, 1 kit to bring)."""
    handed_in = b.kit_with_maker(world)
    dropoffs.handover_garments_return(
        kit=handed_in, count=4, actor=world.user("hub_staff"), point=world.point
    )
    b.kit_waiting(world)
    doorstep = b.doorstep_maker(world)
    kit_for(world, doorstep, collect=True, finished=3)
    kit_for(world, doorstep)
    return plan_run(world, points=[world.point], makers=[doorstep])


# --- Drivers ------------------------------------------------------------------------------------


def test_the_driver_hears_the_runs_day_stops_in_order_and_load_the_day_before(world, loaded_run):
    assert runs_day_before_send() == 1
    message = driver_messages().get()
    driver = world.user("driver")
    assert (message.to_address, message.recipient) == (driver.email, driver)
    day = f"{loaded_run.day:%A} {loaded_run.day.day} {loaded_run.day:%B}"
    assert day in message.subject
    body = message.body
    assert f"tomorrow, {day}, with 2 stops" in body
    lines = {
        "point": f"{world.point.name}: pick up 4 garments, leave 1 kit.",
        "doorstep": "Doorstep visit in DD3: pick up 3 finished garments, leave 1 kit.",
    }
    for stop in loaded_run.stops.all():
        assert f"{stop.position}. {lines[stop.kind]}" in body
    assert "In all: about 7 garments to pick up, 2 kits to leave." in body
    run_url = reverse("dropoffs:run", args=[loaded_run.pk])
    assert run_url in body and run_url in message.html_body
    # It may go by text: no address and no maker's name in it.
    for private in ("3 Hill Street", "DD3 6AB", "Agnes Doorstep", world.point.address):
        assert private not in body
        assert private not in message.html_body


def test_running_twice_tells_the_driver_once(world, loaded_run):
    assert runs_day_before_send() == 1
    assert runs_day_before_send() == 0
    assert runs_day_before_send(now=timezone.now() + timedelta(hours=3)) == 0
    assert driver_messages().count() == 1


def test_a_cancelled_run_and_runs_on_other_days_tell_nobody(world):
    cancelled = plan_run(world, points=[world.point])
    dropoffs.run_cancel(run=cancelled, actor=world.user("hub_staff"))
    plan_run(world, points=[world.point], day=world.hub.today())
    plan_run(world, points=[world.point], day=tomorrow(world) + timedelta(days=1))
    assert runs_day_before_send() == 0
    assert not driver_messages().exists()


def test_a_run_with_nothing_to_carry_says_so(world):
    plan_run(world, points=[world.point])
    runs_day_before_send()
    assert f"1. {world.point.name}: nothing to pick up yet, nothing to leave." in (
        driver_messages().get().body
    )


def test_a_driver_with_a_phone_only_who_sews_too_is_texted(world):
    driver = factories.UserFactory(email="")
    factories.MembershipFactory(user=driver, role=Role.DRIVER, hub=world.hub)
    factories.MakerFactory(
        hub=world.hub, user=driver, email="", phone="07700 900456", preferred_channel="sms"
    )
    plan_run(world, points=[world.point], driver=driver)
    runs_day_before_send()
    message = driver_messages().get()
    assert (message.channel, message.to_address) == (Message.Channel.SMS, "07700 900456")
    assert message.html_body == ""


def test_a_driver_we_cannot_reach_is_on_the_not_reached_page(world):
    driver = factories.UserFactory(email="", first_name="Robin", last_name="Wheel")
    factories.MembershipFactory(user=driver, role=Role.DRIVER, hub=world.hub)
    plan_run(world, points=[world.point], driver=driver)
    runs_day_before_send()
    runs_day_before_send()
    message = driver_messages().get()
    assert (message.status, message.failure_reason) == (
        Message.Status.FAILED,
        Message.FailureReason.NO_CHANNEL,
    )
    (person,) = unreachable_for_hub(hub=world.hub)
    assert (person.key, person.name) == (f"u{driver.pk}", "Robin Wheel")


def test_driver_messages_cost_the_same_queries_for_two_runs_or_twenty(world):
    def runs(n: int) -> None:
        for _ in range(n):
            driver = factories.UserFactory()
            factories.MembershipFactory(user=driver, role=Role.DRIVER, hub=world.hub)
            plan_run(world, points=[world.point], makers=[b.doorstep_maker(world)], driver=driver)

    runs(2)
    with CaptureQueriesContext(connection) as two:
        assert runs_day_before_send() == 2
    runs(18)
    with CaptureQueriesContext(connection) as twenty:
        assert runs_day_before_send() == 18
    assert len(twenty.captured_queries) == len(two.captured_queries)


# --- Point helpers -------------------------------------------------------------------------------


def plan_hand_in(world, *, point, garments=4, unfinished=False):
    maker = factories.MakerFactory(hub=world.hub)
    kit = kit_for(world, maker, collect=True, finished=0 if unfinished else garments)
    return return_plan_make(
        maker=maker,
        kit=kit,
        actor=world.user("hub_staff"),
        day=tomorrow(world),
        point=point,
        unfinished=unfinished,
        reason="no_time" if unfinished else "",
    )


def test_a_helper_hears_the_hand_ins_and_collections_expected_tomorrow(world):
    for _ in range(3):
        plan_hand_in(world, point=world.point, garments=4)
    plan_hand_in(world, point=world.point, unfinished=True)
    # Two kits the driver takes to the point tomorrow, for their makers to collect there.
    b.kit_waiting(world)
    b.kit_waiting(world)
    plan_run(world, points=[world.point])
    assert points_day_before_send() == 1
    message = helper_messages().get()
    helper = world.user("point_helper")
    assert (message.to_address, message.recipient) == (helper.email, helper)
    assert world.point.name in message.subject
    body = message.body
    assert f"Tomorrow, {tomorrow(world):%A} {tomorrow(world).day} {tomorrow(world):%B}, at " in body
    assert "3 makers plan to hand in 12 garments." in body
    assert "1 unfinished kit is coming back." in body
    assert "2 kits to be collected by their makers." in body
    assert "A driver calls: nothing here to go yet; they leave 2 kits." in body
    assert reverse("dropoffs:scan") in body
    assert "<li>3 makers plan to hand in 12 garments.</li>" in message.html_body
    for maker in factories.MakerFactory._meta.model.objects.filter(return_plans__isnull=False):
        assert maker.name not in body
        assert maker.name not in message.html_body


def test_kits_already_left_at_the_point_count_as_waiting_for_collection(world):
    b.kit_waiting(world)
    run = plan_run(world, points=[world.point], day=world.hub.today())
    stop = run.stops.get()
    dropoffs.run_stop_visit(
        stop=stop, actor=world.user("driver"), dropped=[d.kit_id for d in stop.kits.all()]
    )
    points_day_before_send()
    assert "1 kit to be collected by its maker." in helper_messages().get().body


def test_nothing_expected_sends_nothing(world):
    assert points_day_before_send() == 0
    # A kit given to a maker at the point but still at the hub (no run carries it) is not
    # waiting there.
    b.kit_waiting(world)
    assert points_day_before_send() == 0
    assert not helper_messages().exists()


def test_a_point_closed_tomorrow_tells_its_helpers_nothing(world):
    plan_hand_in(world, point=world.point)
    closed_day = tomorrow(world).weekday()
    b.opening_hours(world.point, *[d for d in range(7) if d != closed_day])
    assert points_day_before_send() == 0


def test_a_point_open_tomorrow_gives_its_hours(world):
    b.opening_hours(world.point, opens=time(10, 0), closes=time(16, 0))
    plan_hand_in(world, point=world.point)
    points_day_before_send()
    assert f"{world.point.name} is open tomorrow" in helper_messages().get().body
    assert "(10:00–16:00). What we expect:" in helper_messages().get().body


def test_running_twice_tells_each_helper_once(world):
    second = factories.UserFactory()
    factories.MembershipFactory(
        user=second, role=Role.POINT_HELPER, hub=world.hub, point=world.point
    )
    plan_hand_in(world, point=world.point)
    assert points_day_before_send() == 2
    assert points_day_before_send() == 0
    assert sorted(helper_messages().values_list("to_address", flat=True)) == sorted(
        [world.user("point_helper").email, second.email]
    )


def test_helper_messages_cost_the_same_queries_for_two_points_or_twenty(world):
    def points(n: int) -> None:
        for _ in range(n):
            point = factories.PointFactory(hub=world.hub)
            factories.MembershipFactory(
                user=factories.UserFactory(), role=Role.POINT_HELPER, hub=world.hub, point=point
            )
            b.opening_hours(point)
            plan_hand_in(world, point=point)
            plan_run(world, points=[point])

    points(2)
    with CaptureQueriesContext(connection) as two:
        assert points_day_before_send() == 2
    points(18)
    with CaptureQueriesContext(connection) as twenty:
        assert points_day_before_send() == 18
    assert len(twenty.captured_queries) == len(two.captured_queries)


# --- The daily tick ------------------------------------------------------------------------------


# The maker planning the hand-in is reminded of it too (her own reminder).
DAILY_KINDS = ["point_day_before", "reminder", "reminder_group", "run_day_before"]


def everything_due_tomorrow(world):
    """An overdue group kit, a run tomorrow and a hand-in planned at the world's point."""
    from makers.models import MakerGroup
    from tests.notifications.test_group_messages import give_group_kits

    group = MakerGroup.objects.get(hub=world.hub, leader=world.user("group_leader"))
    give_group_kits(world, group, kits=1, collected_days_ago=9)
    plan_run(world, points=[world.point])
    plan_hand_in(world, point=world.point)


def test_the_daily_task_run_twice_sends_one_of_each(world):
    everything_due_tomorrow(world)
    assert send_reminders() == 4
    assert send_reminders() == 0
    kinds = Message.objects.filter(kind__in=DAILY_KINDS).values_list("kind", flat=True)
    assert sorted(kinds) == DAILY_KINDS


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Row locks need Postgres.")
def test_two_daily_ticks_at_once_send_one_of_each(broker_down, world):
    everything_due_tomorrow(world)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def tick(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = send_reminders()
        except Exception as error:  # noqa: BLE001 - reported below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # (Each tick's count is what it saw missing; the outbox is what was sent.)
    assert all(isinstance(result, int) for result in results), results
    kinds = Message.objects.filter(kind__in=DAILY_KINDS).values_list("kind", flat=True)
    assert sorted(kinds) == DAILY_KINDS


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing goes nowhere and the messages wait for the sweep, as in
    test_outbox_worker: this test's tasks must not reach a worker on the shared Redis."""
    from scrubhub.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    reset_pools()
    yield
    monkeypatch.undo()
    reset_pools()


def test_a_run_moved_to_another_day_is_told_again(world):
    run = plan_run(world, points=[world.point])
    runs_day_before_send()
    Run.objects.filter(pk=run.pk).update(day=tomorrow(world) + timedelta(days=1))
    runs_day_before_send(now=timezone.now() + timedelta(days=1))
    assert driver_messages().count() == 2
