"""Groups are reminded and summarised like makers: a group's overdue kits remind its leader
(the same two nudges, once each, one message a day for the group), and each active group's
leader gets the weekly summary for their group."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dropoffs.reminders import reminders_send
from makers.models import MakerGroup
from packages import services as packages
from packages.models import GarmentMovement, Kit, KitAssignment, KitEvent
from packages.summaries import weekly_summaries_send
from scrubhub.notifications.models import KitReminder, Message, OptOut
from tests import factories

LONDON = zoneinfo.ZoneInfo("Europe/London")


def give_group_kits(world, group, *, kits: int = 2, collected_days_ago: int = 0) -> list[Kit]:
    staff = world.user("hub_staff")
    given = factories.prepared_kits(hub=world.hub, kit_count=kits, actor=staff)
    for kit in given:
        packages.kit_allocate(kit=kit, actor=staff, group=group)
        packages.kit_collect(kit=kit, actor=staff)
    if collected_days_ago:
        back = timezone.now() - timedelta(days=collected_days_ago)
        KitEvent.objects.filter(kit__in=given).update(created_at=back)
        Kit.objects.filter(pk__in=[k.pk for k in given]).update(collected_at=back)
    return given


@pytest.fixture
def group(world):
    return MakerGroup.objects.get(hub=world.hub, leader=world.user("group_leader"))


def group_reminders():
    return Message.objects.filter(kind="reminder_group")


# --- Reminders ------------------------------------------------------------------------------


def test_a_groups_overdue_kits_remind_its_leader_naming_the_group_and_its_kits(world, group):
    kits = give_group_kits(world, group)
    assert reminders_send(now=timezone.now() + timedelta(days=6)) == 0
    assert reminders_send(now=timezone.now() + timedelta(days=7, hours=1)) == 1
    message = group_reminders().get()
    assert message.to_address == world.user("group_leader").email
    assert message.recipient == world.user("group_leader")
    assert group.name in message.subject
    assert group.name in message.body
    for kit in kits:
        assert kit.display_code in message.body
        assert kit.display_code in message.html_body
    assert "/group/" in message.body, "the leader's link to the group's kits"
    assert world.hub.phone in message.body
    # The group's kits are the group's: no maker is reminded about them.
    assert not Message.objects.filter(kind="reminder").exists()


def test_running_twice_or_later_the_same_day_reminds_the_group_once(world, group):
    kits = give_group_kits(world, group)
    later = timezone.now() + timedelta(days=8)
    assert reminders_send(now=later) == 1
    assert reminders_send(now=later) == 0
    assert reminders_send(now=later + timedelta(hours=5)) == 0
    assert group_reminders().count() == 1
    claims = KitReminder.objects.filter(kit__in=kits)
    assert claims.count() == 2
    assert {claim.message_id for claim in claims} == {group_reminders().get().pk}


def test_a_group_gets_a_second_nudge_a_week_later_then_silence(world, group):
    kits = give_group_kits(world, group)
    start = timezone.now()
    reminders_send(now=start + timedelta(days=8))
    assert reminders_send(now=start + timedelta(days=10)) == 0
    assert reminders_send(now=start + timedelta(days=15, hours=1)) == 1
    second = group_reminders().order_by("-created_at").first()
    assert "finish your kits or bring them back" in second.subject
    assert reminders_send(now=start + timedelta(days=30)) == 0
    assert KitReminder.objects.filter(kit__in=kits).count() == 4


@pytest.mark.parametrize("status", [MakerGroup.Status.PAUSED, MakerGroup.Status.CLOSED])
def test_a_paused_or_ended_group_is_not_reminded_and_its_nudges_wait(world, group, status):
    kits = give_group_kits(world, group)
    MakerGroup.objects.filter(pk=group.pk).update(status=status)
    assert reminders_send(now=timezone.now() + timedelta(days=8)) == 0
    assert not group_reminders().exists()
    assert not KitReminder.objects.filter(kit__in=kits).exists()


@pytest.mark.parametrize(
    ("contact", "channel"),
    [
        ("07700 900123", Message.Channel.SMS),
        ("01382 111111", Message.Channel.PHONE_LIST),
        ("leader@school.example.org", Message.Channel.EMAIL),
    ],
)
def test_a_leader_without_an_account_is_reached_at_the_contact_the_hub_wrote_down(
    world, contact, channel
):
    group = factories.MakerGroupFactory(hub=world.hub, leader=None, leader_contact=contact)
    give_group_kits(world, group, kits=1)
    assert reminders_send(now=timezone.now() + timedelta(days=8)) == 1
    message = group_reminders().get()
    assert message.channel == channel
    assert message.to_address == contact
    assert message.recipient is None
    assert "/group/" not in message.body, "no account, so no page to sign in to"


def test_a_group_and_a_maker_are_reminded_in_the_same_run(world, group):
    give_group_kits(world, group, kits=1)
    maker = world.user("maker").maker
    staff = world.user("hub_staff")
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, actor=staff, maker=maker)
    packages.kit_collect(kit=kit, actor=staff)
    # Giving the kits out told them where to collect; only the run's messages are counted.
    given = list(Message.objects.values_list("pk", flat=True))
    assert reminders_send(now=timezone.now() + timedelta(days=8)) == 2
    queued = Message.objects.exclude(pk__in=given)
    assert sorted(queued.values_list("kind", flat=True)) == ["reminder", "reminder_group"]


def test_group_reminders_cost_the_same_queries_for_two_groups_or_twenty(world):
    def groups_with_overdue_kits(n: int) -> None:
        for _ in range(n):
            group = factories.MakerGroupFactory(
                hub=world.hub, leader=factories.UserFactory(), leader_contact="07700 900123"
            )
            give_group_kits(world, group, kits=2, collected_days_ago=9)

    groups_with_overdue_kits(2)
    with CaptureQueriesContext(connection) as two:
        assert reminders_send() == 2
    groups_with_overdue_kits(20)
    with CaptureQueriesContext(connection) as twenty:
        assert reminders_send() == 20
    assert len(twenty.captured_queries) == len(two.captured_queries)


# --- Weekly summary ----------------------------------------------------------------------------

MONDAY_8AM = datetime(2026, 11, 30, 8, 5, tzinfo=LONDON)
IN_LAST_WEEK = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)


def group_summaries():
    return Message.objects.filter(kind="weekly_summary_group")


def test_each_active_groups_leader_gets_the_week_for_their_group_once(world, group):
    kits = give_group_kits(world, group, kits=3)
    staff = world.user("hub_staff")
    packages.garments_return(kit=kits[0], count=5, actor=staff)
    packages.garments_return(kit=kits[1], count=2, actor=staff)
    # Given to the group before last week and handed in during it (the summary's week).
    KitAssignment.objects.filter(kit__in=kits).update(assigned_at=IN_LAST_WEEK - timedelta(days=3))
    GarmentMovement.objects.filter(kit__in=kits[:2], to_place="awaiting_check").update(
        created_at=IN_LAST_WEEK
    )
    factories.MakerGroupFactory(hub=world.hub, status=MakerGroup.Status.PAUSED, leader=staff)
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    summary = group_summaries().get()
    assert summary.to_address == world.user("group_leader").email
    assert summary.channel == Message.Channel.EMAIL
    assert group.name in summary.subject
    body = summary.body
    assert "Last week the group handed in 7 garments." in body
    assert "In all, the group has made 7 garments." in body
    assert "The group has 2 kits now." in body, "the kit handed in whole is no longer in hand"
    assert "/messages/stop/" in body, "a weekly email can be stopped"
    assert group.name in summary.html_body
    # Alongside the others, and never twice for the week.
    assert Message.objects.filter(kind="weekly_summary_staff").exists()
    assert weekly_summaries_send(hub=world.hub, now=MONDAY_8AM) == 0
    assert group_summaries().count() == 1


def test_handed_in_this_week_counts_only_that_week(world, group):
    kits = give_group_kits(world, group, kits=1)
    packages.garments_return(kit=kits[0], count=1, actor=world.user("hub_staff"))
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)  # the movement is "now", not last week
    body = group_summaries().get().body
    assert "Last week the group handed in 0 garments." in body
    assert "In all, the group has made 1 garment." in body
    assert "The group has 1 kit now." in body


def test_a_leader_who_stopped_weekly_emails_gets_no_group_summary(world, group):
    OptOut.objects.create(address=world.user("group_leader").email, kind="weekly_summary")
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    assert not group_summaries().exists()


def test_the_group_summarys_stop_link_stops_the_weekly_emails(world, group):
    from django.test import Client

    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    link = next(w for w in group_summaries().get().body.split() if "/messages/stop/" in w)
    Client().post("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert OptOut.objects.filter(
        address=world.user("group_leader").email, kind="weekly_summary"
    ).exists()


def test_a_leader_with_a_phone_only_gets_no_weekly_text(world):
    factories.MakerGroupFactory(hub=world.hub, leader=None, leader_contact="07700 900123")
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    assert group_summaries().count() == 1  # only the world's group, whose leader has email


def test_group_summaries_cost_the_same_queries_for_two_groups_or_twenty(world):
    from packages import summaries

    def groups(n: int) -> None:
        for _ in range(n):
            group = factories.MakerGroupFactory(hub=world.hub, leader=factories.UserFactory())
            give_group_kits(world, group, kits=1)

    context = {"week": None, "makers_total": 1}
    start, end = MONDAY_8AM - timedelta(days=7), MONDAY_8AM
    groups(1)  # with the world's group: 2
    with CaptureQueriesContext(connection) as two:
        assert summaries._group_summaries(world.hub, "2026-11-23", context, start, end) == 2
    groups(18)
    with CaptureQueriesContext(connection) as twenty:
        assert summaries._group_summaries(world.hub, "2026-11-30", context, start, end) == 20
    assert len(twenty.captured_queries) == len(two.captured_queries)


def test_garments_handed_in_count_for_the_group_that_held_the_kit_then(world, group):
    other = factories.MakerGroupFactory(hub=world.hub, leader=factories.UserFactory())
    staff = world.user("hub_staff")
    (kit,) = give_group_kits(world, group, kits=1)
    KitAssignment.objects.filter(kit=kit).update(assigned_at=IN_LAST_WEEK - timedelta(days=3))
    packages.garments_return(kit=kit, count=2, actor=staff)
    GarmentMovement.objects.filter(kit=kit, to_place="awaiting_check").update(
        created_at=IN_LAST_WEEK
    )
    packages.kit_reallocate(kit=kit, actor=staff, group=other)
    # The other group took it on after last week: last week's hand-in is the first group's.
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    first = group_summaries().get(to_address=world.user("group_leader").email).body
    second = group_summaries().get(to_address=other.leader.email).body
    assert "Last week the group handed in 2 garments." in first
    assert "Last week the group handed in 0 garments." in second
