"""Sizes read as garments run (XS, S, M, L, XL, 2XL), never as the alphabet sorts their
codes (2XL, L, M, S, XL, XS), on every page and message that lists them; and the laundry
counts what arrived rather than confirming the delivery note with one tap."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from packages.models import Delivery, Size, garment_size_key, garments_text
from tests import factories

SIZES = ("2XL", "L", "M", "S", "XL", "XS")  # packed in alphabetical order on purpose
GARMENT_ORDER = ["XS", "S", "M", "L", "XL", "2XL"]


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def every_size(world, staff):
    return factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        sizes=tuple(("top", size, 1) for size in SIZES),
    )


def sizes_in(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_the_delivery_note_lists_sizes_in_garment_order(client_for, every_size):
    page = client_for("hub_staff").get(reverse("packages:hub_delivery_note", args=[every_size.pk]))
    assert sizes_in(page.content.decode(), r"<td>Scrub top</td><td>([0-9X]*[SML])</td>") == (
        GARMENT_ORDER
    )


def test_the_laundry_delivery_page_and_confirm_form_list_sizes_in_garment_order(
    client_for, every_size
):
    client = client_for("laundry")
    shown = client.get(reverse("packages:laundry_delivery", args=[every_size.pk]))
    assert sizes_in(shown.content.decode(), r"Scrub top, ([0-9X]*[SML])</th>") == GARMENT_ORDER
    form = client.get(reverse("packages:laundry_delivery_confirm", args=[every_size.pk]))
    assert sizes_in(form.content.decode(), r"Scrub top, size ([0-9X]*[SML]): how many") == (
        GARMENT_ORDER
    )


def test_the_confirm_form_starts_empty_and_asks_for_a_count(client_for, world, staff):
    delivery = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    line = delivery.lines.get()
    client = client_for("laundry")
    url = reverse("packages:laundry_delivery_confirm", args=[delivery.pk])
    html = client.get(url).content.decode()
    box = re.search(rf'<input[^>]*name="line_{line.pk}"[^>]*>', html).group(0)
    assert "value=" not in box, "the box must not be filled in with what was sent"
    assert "5 sent" not in html
    response = client.post(url, {f"line_{line.pk}": ""})
    assert "Count the scrub tops in size M and enter how many arrived" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_the_laundrys_weekly_summary_lists_requests_in_garment_order(world):
    from packages.summaries import weekly_summaries_send
    from tests.packages.test_summaries import MONDAY_8AM

    for size in SIZES:
        factories.demand(hospital=world.hospital, garment_type="top", size=size, quantity=4)
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    from scrubhub.notifications.models import Message

    body = Message.objects.get(kind="weekly_summary_laundry").body
    assert re.findall(r"- top ([0-9X]*[SML]):", body) == GARMENT_ORDER


def test_the_sort_key_follows_the_models_order():
    pairs = [("trousers", "S"), ("top", "2XL"), ("top", "XS"), ("top", "L")]
    assert sorted(pairs, key=lambda p: garment_size_key(*p)) == [
        ("top", "XS"),
        ("top", "L"),
        ("top", "2XL"),
        ("trousers", "S"),
    ]
    assert Size.values[:3] == ["XS", "S", "M"]


@pytest.mark.parametrize(
    ("garment_type", "n", "text"),
    [
        ("top", 1, "1 scrub top"),
        ("top", 5, "5 scrub tops"),
        ("trousers", 1, "1 pair of scrub trousers"),
        ("trousers", 5, "5 pairs of scrub trousers"),
    ],
)
def test_garment_counts_read_as_english(garment_type, n, text):
    assert garments_text(garment_type, n) == text
