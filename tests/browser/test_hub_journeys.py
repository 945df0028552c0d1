"""Hub staff journeys in Chromium on a phone: prepare a batch, print its labels, read the
plan. axe checks each page on the way, with real data on it."""

from __future__ import annotations

import pytest

from packages import services
from packages.models import Kit, PrecutStock
from scrubhub.hubs.models import KitBatch
from tests import factories
from tests.browser import journeys

pytestmark = pytest.mark.xdist_group("browser")


def test_prepare_a_batch_and_print_its_labels(page_for, world, axe):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    factories.PatternFactory(instructions_url="https://example.org/sew-top-m")
    page = page_for("hub_staff")

    page.goto("/hub/kits/prepare/")
    axe(page)
    journeys.choose_a_batch(page, stock_option=f"precut-{stock.pk}")
    assert "25 garments' worth" in page.locator(".draw").inner_text()
    assert PrecutStock.objects.get().quantity_available == 40  # nothing drawn yet
    axe(page)
    page.get_by_role("button", name="Prepare 3 kits").click()

    page.get_by_role("link", name="Print the labels").wait_for()
    assert "3 kits are ready" in page.locator(".messages").inner_text()
    batch = KitBatch.objects.get()
    assert PrecutStock.objects.get().quantity_available == 25
    axe(page)
    page.get_by_role("link", name="Print the labels").click()

    labels = page.locator(".kit-label")
    labels.first.wait_for()
    assert labels.count() == 3
    for kit in batch.kits.all():
        label = labels.filter(has_text=kit.display_code)
        assert label.count() == 1
        assert label.get_by_role("img", name=f"QR code for kit {kit.display_code}").is_visible()
        assert "Scrub top" in label.inner_text() and "Size M" in label.inner_text()
    assert world.hub.phone in labels.first.inner_text()
    assert page.get_by_role("button", name="Print the labels").is_visible()
    axe(page)

    # Printed, the page is the sheet alone: no header, nav or buttons, two labels a row.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Print the labels").is_visible()
    boxes = [labels.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]


def test_a_stale_confirm_shows_the_new_numbers(page_for, world, axe):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    page = page_for("hub_staff")
    page.goto("/hub/kits/prepare/?garment_type=top&size=M&kit_count=2&garments_per_kit=5")
    page.get_by_label("Stock to draw from").select_option(f"precut-{stock.pk}")
    page.get_by_role("button", name="Show what this takes").click()
    page.get_by_role("button", name="Prepare 2 kits").wait_for()
    # Meanwhile, someone else on the shift draws from the same pieces.
    services.kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        kit_count=1,
        garments_per_kit=5,
        precut_stock=stock,
        actor=world.user("coordinator"),
    )
    page.get_by_role("button", name="Prepare 2 kits").click()

    alert = page.get_by_role("alert")
    assert "Someone else has used this stock since you looked" in alert.inner_text()
    assert "Pieces in the batch now" in page.locator(".draw").inner_text()
    assert "35 garments' worth" in page.locator(".draw").inner_text()
    assert Kit.objects.count() == 1
    axe(page)


def test_read_the_plan_and_start_preparing_from_it(page_for, world, axe):
    laundry = world.user("laundry")
    for garment_type, size, quantity in (("top", "M", 52), ("trousers", "L", 20)):
        services.demand_record(
            hospital=world.hospital,
            garment_types=[garment_type],
            quantities={size: quantity},
            actor=laundry,
        )
    factories.prepared_kits(hub=world.hub, kit_count=2, actor=world.user("hub_staff"))
    page = page_for("hub_staff")

    page.goto("/hub/plan/")
    axe(page)
    row = page.get_by_role("row", name="Scrub top M")
    cells = row.get_by_role("cell").all_inner_texts()
    # Needed 52, 10 already in kits: 42 to plan, 9 kits of 5.
    assert cells[:5] == ["52", "0", "10", "42", "9"]
    # Trousers L: 20 needed, none in hand, 4 kits. Together 13 kits for 62 garments.
    assert "Prepare 13 more kits to cover the 62 garments" in page.get_by_role("main").inner_text()
    row.get_by_role("link", name="Prepare").click()

    page.get_by_role("heading", name="Prepare kits").wait_for()
    assert page.get_by_label("Scrub top").is_checked()
    assert page.get_by_label("How many kits").input_value() == "9"

    page.goto("/hub/")
    assert page.get_by_role("heading", name="Demand against supply").is_visible()
    axe(page)
