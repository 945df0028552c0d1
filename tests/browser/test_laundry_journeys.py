"""The laundry's jobs in a phone-sized Chromium, with axe-core on every page they pass.

Set SCRUBHUB_SCREENSHOTS=/some/dir to keep a full-page screenshot of each step.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from packages.models import Delivery, DemandLine, WashFailure
from scrubhub.notifications.models import Message
from tests import factories

pytestmark = pytest.mark.xdist_group("browser")


def shot(page, name: str) -> None:
    folder = os.environ.get("SCRUBHUB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_laundry_records_a_size_run_of_demand(page_for, world, axe):
    page = page_for("laundry")
    page.goto("/laundry/")
    axe(page)
    shot(page, "laundry-home")
    page.get_by_role("link", name="Ask for scrubs").click()
    axe(page)

    # Nothing filled in: the error summary says what to do, and nothing is saved.
    page.get_by_role("button", name="Send the request").click()
    summary = page.locator("[data-error-summary]")
    assert "at least one size" in summary.inner_text()
    assert DemandLine.objects.count() == 0
    axe(page)
    shot(page, "demand-new-error")

    page.get_by_label("Sets (a top and trousers)").check()
    for size, quantity in {"S": "40", "M": "120", "L": "90"}.items():
        page.get_by_label(f"Size {size}", exact=True).fill(quantity)
    page.get_by_label("Urgent: we are running short now").check()
    needed_by = timezone.localdate() + datetime.timedelta(days=21)
    page.get_by_label("Needed by (optional)").fill(needed_by.isoformat())
    page.get_by_label("Anything they must have? (optional)").fill("Navy. Ties, not elastic.")
    shot(page, "demand-new-filled")
    page.get_by_role("button", name="Send the request").click()

    page.wait_for_url("**/laundry/demand/")
    assert "500 garments" in page.locator(".messages").inner_text()
    axe(page)
    shot(page, "demand-list")
    lines = DemandLine.objects.filter(hospital=world.hospital)
    assert sorted(lines.values_list("garment_type", "size", "quantity")) == [
        ("top", "L", 90),
        ("top", "M", 120),
        ("top", "S", 40),
        ("trousers", "L", 90),
        ("trousers", "M", 120),
        ("trousers", "S", 40),
    ]
    assert set(lines.values_list("priority", "needed_by")) == {("urgent", needed_by)}
    assert page.get_by_role("link", name="Scrub top, size M").count() == 1


def test_laundry_confirms_a_delivery_with_a_shortfall(page_for, world, axe):
    staff = world.user("hub_staff")
    delivery = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="sent",
        sizes=(("top", "M", 5), ("trousers", "M", 5)),
    )
    page = page_for("laundry")
    page.goto("/laundry/")
    page.get_by_role("link", name=f"Confirm delivery {delivery.reference}").click()
    axe(page)
    shot(page, "confirm")

    # The boxes start empty: one tap cannot confirm what nobody counted.
    page.get_by_role("button", name="Confirm the delivery").click()
    assert "Count the scrub trousers in size M" in (
        page.locator("[data-error-summary]").inner_text()
    )
    page.get_by_label("Scrub top, size M: how many arrived?").fill("3")
    page.get_by_label("Scrub trousers, size M: how many arrived?").fill("5")
    page.get_by_role("button", name="Confirm the delivery").click()
    assert "different from what was sent" in page.locator("[data-error-summary]").inner_text()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    axe(page)
    shot(page, "confirm-error")

    page.get_by_label("If the numbers are different, what happened?").fill(
        "Two tops missing from the bag."
    )
    page.get_by_label("A thank-you to the makers (optional)").fill("Beautifully made, thank you!")
    page.get_by_role("button", name="Confirm the delivery").click()
    page.wait_for_url(f"**/laundry/deliveries/{delivery.pk}/")
    axe(page)
    shot(page, "delivery-received")

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RECEIVED
    assert delivery.discrepancy_note == "Two tops missing from the bag."
    assert sorted(delivery.lines.values_list("garment_type", "count_received")) == [
        ("top", 3),
        ("trousers", 5),
    ]
    # Each size came from a different maker: each is thanked once, with the laundry's note.
    thanks = list(Message.objects.filter(kind="delivery_thanks"))
    assert len(thanks) == 2
    assert all("Beautifully made, thank you!" in message.body for message in thanks)


def test_laundry_reports_wash_failures(page_for, world, axe):
    staff = world.user("hub_staff")
    delivery = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "L", 6),),
        laundry_user=world.user("laundry"),
    )
    kit = delivery.lines.get().allocations.get().kit
    page = page_for("laundry")
    page.goto("/laundry/deliveries/")
    axe(page)
    page.get_by_role("link", name=f"{delivery.reference}, arrived").click()
    page.get_by_role("link", name="Report garments that failed in the wash").click()
    axe(page)
    shot(page, "wash-failure")

    page.get_by_label("How many failed?").fill("9")
    page.get_by_label("Seams came apart").check()
    page.get_by_role("button", name="Send the report").click()
    assert "cannot have failed" in page.locator("[data-error-summary]").inner_text()
    assert not WashFailure.objects.exists()
    axe(page)

    # A code typed that is not in the delivery is refused beside the box.
    page.get_by_label("How many failed?").fill("2")
    page.get_by_label("Not in the list? Type the kit code from the label (optional)").fill(
        "zzz-zzzz"
    )
    page.get_by_role("button", name="Send the report").click()
    assert "not in this delivery" in page.locator("#error_1_id_kit_code").inner_text()
    assert not WashFailure.objects.exists()
    axe(page)

    # Picked from the delivery's kits instead: code, garment and size.
    page.get_by_label("Not in the list? Type the kit code from the label (optional)").fill("")
    page.get_by_label("Which kit were they from? (optional)").select_option(
        label=f"{kit.display_code}: Scrub top, size L"
    )
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(f"**/laundry/deliveries/{delivery.pk}/")
    axe(page)
    shot(page, "wash-failure-done")
    failure = WashFailure.objects.get()
    assert (failure.count, failure.reason, failure.kit) == (2, "seams", kit)
    row = page.get_by_role("row", name="Scrub top, L")
    assert row.get_by_role("cell").nth(2).inner_text() == "2"

    # The hub sees it on the dashboard, looks at it, and the to-do goes.
    hub = page_for("hub_staff")
    hub.goto("/hub/")
    hub.get_by_role("link", name="Look at them").click()
    axe(hub)
    shot(hub, "wash-failures-hub")
    hub.get_by_role("link", name="Look at it").click()
    axe(hub)
    hub.get_by_label("What did you find or do? (optional)").fill("Spoke to the maker")
    hub.get_by_role("button", name="Mark as looked at").click()
    hub.wait_for_url("**/hub/wash-failures/")
    assert "Nothing to look at." in hub.content()
    failure.refresh_from_db()
    assert (failure.status, failure.looked_at_note) == ("looked_at", "Spoke to the maker")
