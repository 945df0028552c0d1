"""The outbox end to end: a real Celery worker on the real Redis, eager mode off."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from packages.models import Kit, KitEvent
from scrubhub.celery import app
from scrubhub.notifications import delivery
from scrubhub.notifications.models import Message
from scrubhub.notifications.tasks import sweep_outbox

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def worker(transactional_db):
    assert not app.conf.task_always_eager
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


@pytest.fixture
def broker_down(monkeypatch):
    """Points publishing at a port where nothing listens, then puts the real broker back."""

    def reset_pools():
        # Drop the cached connection pools so the next publish dials the new address.
        app._pool = None
        app.amqp._producer_pool = None

    # Celery reads the broker address from the environment first.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    reset_pools()
    yield
    monkeypatch.undo()
    reset_pools()


def request_password_reset(client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_a_message_written_in_a_request_is_sent_exactly_once_by_a_real_worker(
    client, world, worker
):
    staff = world.user("hub_staff")
    response = request_password_reset(client, staff.email)
    assert response.status_code == 302

    message = Message.objects.get(to_address=staff.email)
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert "password" in mail.outbox[0].subject.lower()

    # Running the sweep and the task again (as a second beat tick would) sends nothing more.
    sweep_outbox.delay()
    from scrubhub.notifications.tasks import deliver_message

    deliver_message.delay(message.pk)
    time.sleep(1.5)
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_with_the_broker_unreachable_the_request_succeeds_and_the_sweep_sends_later(
    client, world, broker_down, transactional_db
):
    staff = world.user("hub_staff")
    started = time.monotonic()
    response = request_password_reset(client, staff.email)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"the request waited {elapsed:.1f}s on a broker that is down"
    message = Message.objects.get(to_address=staff.email)
    assert message.status == Message.Status.PENDING
    assert mail.outbox == []


def test_after_an_outage_the_periodic_sweep_on_a_real_worker_sends_once(world, worker):
    # As left behind by a request made while the broker was down: pending, never published.
    message = Message.objects.create(
        idempotency_key="outage-1",
        to_address="late@example.org",
        subject="Welcome",
        body="Thank you for joining.",
        kind="welcome",
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert message.pk in delivery.messages_due_for_sweep()

    sweep_outbox.delay()
    sweep_outbox.delay()  # two beat ticks at once
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)
    time.sleep(1.0)
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_a_real_worker_sends_an_overdue_reminder_end_to_end(world, worker):
    from datetime import timedelta as td

    from packages import services as packages
    from tests import factories

    maker = world.user("maker").maker
    staff = world.user("hub_staff")
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, actor=staff, maker=maker)
    packages.kit_collect(kit=kit, actor=staff)
    # The kit was collected nine days ago.
    KitEvent.objects.filter(kit=kit).update(created_at=timezone.now() - td(days=9))
    Kit.objects.filter(pk=kit.pk).update(collected_at=timezone.now() - td(days=9))
    # The message that the kit was ready goes first; only the reminder is counted.
    assert wait_for(lambda: not Message.objects.exclude(status="sent").exists())
    mail.outbox.clear()

    from scrubhub.notifications.tasks import send_reminders

    send_reminders.delay()
    assert wait_for(lambda: Message.objects.filter(kind="reminder", status="sent").exists())
    assert [m.to for m in mail.outbox] == [[maker.email]]
    assert kit.display_code in mail.outbox[0].body
    assert mail.outbox[0].alternatives, "the reminder goes as HTML and plain text"
    send_reminders.delay()
    time.sleep(1.5)
    assert len(mail.outbox) == 1


def test_a_real_worker_runs_the_daily_tick_for_groups_drivers_and_helpers_once(world, worker):
    from tests.dropoffs.test_day_before import DAILY_KINDS, everything_due_tomorrow

    everything_due_tomorrow(world)
    # The run planned and the hand-in's thank-you go first; only the tick's are counted.
    assert wait_for(lambda: not Message.objects.exclude(status="sent").exists())
    mail.outbox.clear()

    from scrubhub.notifications.tasks import send_reminders

    send_reminders.delay()
    daily = Message.objects.filter(kind__in=DAILY_KINDS)
    assert wait_for(lambda: daily.filter(status="sent").count() == len(DAILY_KINDS))
    reached = {to for m in mail.outbox for to in m.to}
    for persona in ("group_leader", "driver", "point_helper"):
        assert world.user(persona).email in reached
    sent = len(mail.outbox)
    send_reminders.delay()
    time.sleep(1.5)
    assert len(mail.outbox) == sent == len(DAILY_KINDS)
    assert sorted(daily.values_list("kind", flat=True)) == DAILY_KINDS


def test_with_redis_unreachable_joining_still_succeeds_and_the_welcome_goes_once_later(
    world, broker_down, transactional_db
):
    from tests.makers.test_join import form_data, join_url

    client = Client()
    data = form_data(client, world, name="Outage Person", email="outage@example.org")
    started = time.monotonic()
    response = client.post(join_url(world), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2.0, f"joining waited {elapsed:.1f}s on a broker that is down"
    welcome = Message.objects.get(to_address="outage@example.org", kind__contains="welcome")
    assert welcome.status == Message.Status.PENDING

    # The periodic sweep (run here in-process; the real-worker run is tested above) sends
    # the welcome once, whether or not the broker ever got the task.
    Message.objects.filter(pk=welcome.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0
    assert [m.to for m in mail.outbox] == [["outage@example.org"]]
    assert delivery.messages_due_for_sweep() == []
