"""Hub staff build a delivery from passed garments, print its note and send it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from packages.models import Delivery, Kit
from tests import factories
from tests.browser.test_laundry_journeys import shot

pytestmark = pytest.mark.xdist_group("browser")


def test_staff_pack_the_most_urgent_demand_print_the_note_and_send(page_for, world, axe):
    staff = world.user("hub_staff")
    for _ in range(2):
        factories.passed_kit(hub=world.hub, actor=staff, size="M", garments=5)
    factories.demand(hospital=world.hospital, size="M", quantity=6, priority="urgent")

    page = page_for("hub_staff")
    page.goto("/hub/deliveries/")
    axe(page)
    page.get_by_role("link", name="Start a delivery").click()
    axe(page)
    page.get_by_role("button", name="Start packing").click()
    axe(page)
    shot(page, "hub-delivery-packing")

    # The most urgent request still needs 6, and 10 have passed: 6 is suggested.
    field = page.get_by_label("Scrub top, size M")
    assert field.input_value() == "6"
    page.get_by_role("button", name="Pack these").click()
    assert "6 garments packed" in page.locator(".messages").inner_text()
    axe(page)
    shot(page, "hub-delivery-packed")
    delivery = Delivery.objects.get()
    line = delivery.lines.get()
    assert line.count_sent == 6 and line.demand_line is not None
    assert sum(Kit.objects.values_list("qty_reserved", flat=True)) == 6

    page.get_by_role("link", name="Delivery note to print").click()
    # Wait for the note itself: axe must not run while the page is still changing.
    expect(page.locator("h1")).to_contain_text(delivery.reference)
    axe(page)
    shot(page, "hub-delivery-note")
    page.get_by_role("link", name="Back to the delivery").click()
    page.get_by_role("button", name="It has left the hub: mark as sent").click()
    assert "on its way" in page.locator(".messages").inner_text()
    axe(page)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
