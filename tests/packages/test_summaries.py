"""Weekly summaries: once a week to staff, laundry and active makers, at the hub's chosen
day and hour, never twice, and never to someone who stopped them."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from makers.models import Maker
from packages.summaries import due_summaries_send, hubs_due, weekly_summaries_send
from scrubhub.notifications.models import HubMessageSettings, Message, OptOut

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY_8AM = datetime(2026, 11, 30, 8, 5, tzinfo=LONDON)


@pytest.fixture
def active_maker(world):
    maker = world.user("maker").maker
    Maker.objects.filter(pk=maker.pk).update(status=Maker.Status.ACTIVE)
    maker.refresh_from_db()
    return maker


def test_hubs_are_due_on_their_own_day_and_hour(world):
    assert world.hub in hubs_due(now=MONDAY_8AM)
    HubMessageSettings.objects.create(hub=world.hub, summary_weekday=4, summary_hour=17)
    assert world.hub not in hubs_due(now=MONDAY_8AM)
    friday_5pm = datetime(2026, 12, 4, 17, 30, tzinfo=LONDON)
    assert world.hub in hubs_due(now=friday_5pm)


def test_each_role_gets_its_summary_once(world, active_maker):
    sent = due_summaries_send(now=MONDAY_8AM)
    kinds = sorted(Message.objects.filter(hub=world.hub).values_list("kind", flat=True))
    assert "weekly_summary" in kinds
    assert kinds.count("weekly_summary_staff") == 2  # hub_staff and coordinator of hub A
    assert kinds.count("weekly_summary_laundry") == 1
    assert sent == Message.objects.count()  # both hubs were due
    # A second tick in the same hour, or a re-run, adds nothing.
    assert due_summaries_send(now=MONDAY_8AM) == 0
    assert Message.objects.count() == sent


def test_the_laundry_summary_carries_no_personal_data(world, active_maker):
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    laundry = Message.objects.get(kind="weekly_summary_laundry")
    for value in (active_maker.name, active_maker.email, active_maker.phone, active_maker.postcode):
        assert value not in laundry.body
        assert value not in laundry.html_body


def test_a_maker_summary_has_a_working_stop_link_and_stopping_is_respected(world, active_maker):
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    summary = Message.objects.get(kind="weekly_summary", to_address=active_maker.email)
    link = next(w for w in summary.body.split() if "/messages/stop/" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    page = client.get("/" + path)
    assert page.status_code == 200
    assert not OptOut.objects.exists(), "opening the link must change nothing"
    client.post("/" + path)
    assert OptOut.objects.filter(address=active_maker.email, kind="weekly_summary").exists()
    next_week = datetime(2026, 12, 7, 8, 5, tzinfo=LONDON)
    weekly_summaries_send(hub=world.hub, now=next_week)
    assert Message.objects.filter(kind="weekly_summary", to_address=active_maker.email).count() == 1


def test_a_tampered_stop_link_changes_nothing(client, db):
    response = client.post(reverse("notifications:stop", args=["not-a-real-token"]))
    assert response.status_code == 400
    assert not OptOut.objects.exists()


def test_kit_messages_cannot_be_turned_off(world, active_maker):
    from scrubhub.notifications.services import MessageError, opt_out_read, opt_out_token

    token = opt_out_token(address=active_maker.email, kind="kit_overdue")
    with pytest.raises(MessageError):
        opt_out_read(token=token)


def test_makers_are_read_in_batches_with_a_fixed_number_of_queries(
    world,
):
    from packages import summaries
    from tests import factories

    for n in range(30):
        factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, email=f"m{n}@ex.org")
    summaries.MAKER_BATCH, old = 10, summaries.MAKER_BATCH
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            summaries._maker_summaries(world.hub, "2026-11-23", {"week": None, "makers_total": 1})
        for n in range(30, 90):
            factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, email=f"m{n}@ex.org")
        with CaptureQueriesContext(connection) as large:
            summaries._maker_summaries(world.hub, "2026-11-30", {"week": None, "makers_total": 1})
    finally:
        summaries.MAKER_BATCH = old
    # 30 makers are 3 batches and 90 are 9, each run ending with one empty read: the work
    # per batch is the same whatever the batch holds, so 9 batches cost 3 times 3 batches.
    assert len(large.captured_queries) - 1 == 3 * (len(small.captured_queries) - 1)
