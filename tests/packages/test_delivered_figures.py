"""Figures about the same deliveries agree wherever they are shown (issue 25, part 7): the
hub's dashboard, the laundry's pages, the weekly summaries and the makers' pages read one
selector, and each figure says what it counts (sent, or confirmed received by the laundry).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from makers.models import Maker
from makers.selectors import hub_progress
from packages import services
from packages.selectors import DeliveredFigures, delivered_figures
from packages.summaries import hub_week, week_of, weekly_summaries_send
from scrubhub.hubs.selectors import dashboard_for_hub
from scrubhub.notifications.models import Message
from tests.hubs.helpers import kits_at

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def deliveries(world):
    """Two deliveries of tops and trousers in size M to the world's hospital: the first
    confirmed with one top fewer than was sent, the second still on the way."""
    staff = world.user("hub_staff")
    maker = Maker.objects.get(user=world.user("maker"))
    for garment_type in ("top", "trousers"):
        kits_at(world, staff, maker, stage="passed", garment_type=garment_type, count=4)
    laundry = world.user("laundry")
    first = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    lines = {
        t: services.delivery_line_add(
            delivery=first, garment_type=t, size="M", count=10, actor=staff
        )
        for t in ("top", "trousers")
    }
    services.delivery_send(delivery=first, actor=staff)
    services.delivery_confirm(
        delivery=first,
        received={lines["top"].pk: 9, lines["trousers"].pk: 10},
        discrepancy_note="One top short.",
        actor=laundry,
    )
    second = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    for garment_type in ("top", "trousers"):
        services.delivery_line_add(
            delivery=second, garment_type=garment_type, size="M", count=5, actor=staff
        )
    services.delivery_send(delivery=second, actor=staff)


EXPECTED = DeliveredFigures(
    garments_sent=30,
    garments_received=19,
    garments_on_the_way=10,
    sets_sent=15,
    sets_received=9,
)


def test_the_hub_and_the_hospital_count_the_same_deliveries_the_same(world, deliveries):
    # The hub's tallies and the hospital's delivery lines are two ways to the same figures.
    assert delivered_figures(hub=world.hub) == EXPECTED
    assert delivered_figures(hospital=world.hospital) == EXPECTED
    assert delivered_figures(hub=world.hub, hospital=world.hospital) == EXPECTED
    assert EXPECTED.garments_confirmed_sent == 20
    assert delivered_figures(hub=world.other_hub) == DeliveredFigures()
    assert delivered_figures(hub=world.other_hub, hospital=world.hospital) == DeliveredFigures()


def test_dashboard_laundry_summaries_and_makers_pages_show_the_same_figures(
    world, deliveries, client_for
):
    now = datetime.now(LONDON)
    dashboard = dashboard_for_hub(hub=world.hub)
    _, start, end = week_of(now, LONDON)
    week = hub_week(hub=world.hub, start=start, end=end, now=now)
    assert dashboard.week.in_all == week.in_all == EXPECTED
    assert hub_progress(hub=world.hub).sets_delivered == EXPECTED.sets_received
    # Against the requests still open, the dashboard and the summary share the plan's sums.
    assert (
        dashboard.week.sets_received_for_open_requests,
        dashboard.week.sets_needed,
    ) == (week.sets_received_for_open_requests, week.sets_needed)

    hub_page = _text(client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode())
    assert "Sets sent to the hospital 15" in hub_page
    assert "Sets confirmed received by the laundry 9" in hub_page
    assert "Sent includes 10 garments still on the way" in hub_page

    laundry_page = _text(
        client_for("laundry").get(reverse("packages:laundry_deliveries")).content.decode()
    )
    assert "Sets sent to you, in all 15" in laundry_page
    assert "Sets you confirmed receiving 9" in laundry_page

    weekly_summaries_send(hub=world.hub, now=now)
    staff_summary = Message.objects.filter(kind="weekly_summary_staff").first().body
    assert "In all, sets sent to the hospital: 15; confirmed received by the laundry: 9." in (
        staff_summary
    )
    laundry_summary = Message.objects.get(kind="weekly_summary_laundry").body
    assert "In all from this hub, sets sent to you: 15; confirmed received by you: 9." in (
        laundry_summary
    )


def test_the_makers_summary_says_sent_and_received(world, deliveries):
    maker = Maker.objects.get(user=world.user("maker"))
    Maker.objects.filter(pk=maker.pk).update(status=Maker.Status.ACTIVE)
    weekly_summaries_send(hub=world.hub, now=datetime.now(LONDON))
    body = Message.objects.get(kind="weekly_summary", to_address=maker.email).body
    assert "sent the hospital 15 sets of scrubs; its laundry has confirmed receiving 9." in body
