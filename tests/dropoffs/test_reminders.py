"""Overdue-kit reminders: a nudge at the hub's limit, one more a week later, never more
than one reminder message a day per maker, and nothing more when run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dropoffs.reminders import reminders_send
from packages import services as packages
from scrubhub.notifications.models import KitReminder, Message
from tests import factories


@pytest.fixture
def maker_with_kits(world):
    maker = world.user("maker").maker
    staff = world.user("hub_staff")
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    for kit in kits:
        packages.kit_allocate(kit=kit, actor=staff, maker=maker)
        packages.kit_collect(kit=kit, actor=staff)
    return maker, kits


def reminders_for(maker):
    return Message.objects.filter(kind="reminder", to_address=maker.email)


def test_no_reminder_before_the_hubs_limit(maker_with_kits):
    maker, _ = maker_with_kits
    assert reminders_send(now=timezone.now() + timedelta(days=6)) == 0
    assert not reminders_for(maker).exists()


def test_one_message_lists_all_the_makers_overdue_kits(maker_with_kits):
    maker, kits = maker_with_kits
    assert reminders_send(now=timezone.now() + timedelta(days=7, hours=1)) == 1
    message = reminders_for(maker).get()
    for kit in kits:
        assert kit.display_code in message.body
    assert "bring it back unfinished" in message.body
    assert maker.hub.phone in message.body
    assert maker.hub.name in message.html_body


def test_running_twice_sends_nothing_more(maker_with_kits):
    maker, _ = maker_with_kits
    later = timezone.now() + timedelta(days=8)
    assert reminders_send(now=later) == 1
    assert reminders_send(now=later) == 0
    assert reminders_send(now=later + timedelta(hours=5)) == 0
    assert reminders_for(maker).count() == 1


def test_a_second_nudge_a_week_later_then_silence(maker_with_kits):
    maker, kits = maker_with_kits
    start = timezone.now()
    reminders_send(now=start + timedelta(days=8))
    assert reminders_send(now=start + timedelta(days=10)) == 0
    assert reminders_send(now=start + timedelta(days=15, hours=1)) == 1
    second = reminders_for(maker).order_by("-created_at").first()
    assert "finish it or bring it back" in second.subject
    assert reminders_send(now=start + timedelta(days=30)) == 0
    assert KitReminder.objects.filter(kit__in=kits).count() == 4


def test_the_hubs_own_limit_is_used(maker_with_kits, world):
    maker, _ = maker_with_kits
    world.hub.overdue_after_days = 3
    world.hub.save()
    assert reminders_send(now=timezone.now() + timedelta(days=3, hours=1)) == 1


def test_a_returned_kit_is_not_chased(maker_with_kits, world):
    maker, kits = maker_with_kits
    for kit in kits:
        packages.garments_return(kit=kit, count=5, actor=world.user("hub_staff"))
    assert reminders_send(now=timezone.now() + timedelta(days=9)) == 0


def test_a_maker_with_neither_email_nor_text_goes_on_the_phone_list(maker_with_kits):
    maker, _ = maker_with_kits
    maker.email = ""
    maker.preferred_channel = "phone"
    maker.save()
    reminders_send(now=timezone.now() + timedelta(days=8))
    message = Message.objects.get(kind="reminder")
    assert message.channel == Message.Channel.PHONE_LIST
    assert message.to_address == maker.phone


def _plan(maker, kit, day, point):
    from makers.services import return_plan_make

    packages.kit_progress_log(kit=kit, finished=kit.garment_count, actor=maker.user)
    return return_plan_make(maker=maker, kit=kit, actor=maker.user, day=day, point=point)


def test_the_day_before_a_planned_return_the_maker_is_reminded_once(maker_with_kits, world):
    maker, kits = maker_with_kits
    _plan(maker, kits[0], timezone.localdate() + timedelta(days=1), world.point)
    assert reminders_send() == 1
    message = reminders_for(maker).get()
    assert f"bring kit {kits[0].display_code} to {world.point.name}" in message.body
    assert reminders_send() == 0


def test_overdue_kits_and_a_plan_for_tomorrow_come_in_one_message(maker_with_kits, world):
    maker, kits = maker_with_kits
    later = timezone.now() + timedelta(days=8)
    _plan(maker, kits[1], timezone.localdate(later) + timedelta(days=1), world.point)
    assert reminders_send(now=later) == 1
    message = reminders_for(maker).get()
    assert kits[0].display_code in message.body  # overdue
    assert f"bring kit {kits[1].display_code}" in message.body  # tomorrow's plan
