"""Hub staff recording a quality check in Chromium on a phone, with a failure sent back
for rework: from the dashboard's "waiting for a check", to the kit, to the record. axe
checks each page on the way."""

from __future__ import annotations

import pytest

from makers.models import Maker
from packages import services
from packages.models import QualityCheck
from scrubhub.notifications.models import Message
from tests.hubs.helpers import kits_at

pytestmark = pytest.mark.xdist_group("browser")


def test_record_a_quality_check_with_a_failure_sent_for_rework(page_for, world, axe):
    staff = world.user("hub_staff")
    maker = Maker.objects.get(user=world.user("maker"))
    services.quality_requirement_add(
        hospital=world.hospital, title="Size label sewn in", actor=world.user("laundry")
    )
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    page = page_for("hub_staff")

    page.goto("/hub/")
    page.get_by_role("link", name="Check garments").click()
    page.get_by_role("heading", name="Quality check").wait_for()
    assert kit.display_code in page.locator(".alloc-list").inner_text()
    axe(page)
    page.get_by_role("link", name=f"Check these garments (kit {kit.display_code})").click()

    page.get_by_role("heading", name=f"Check kit {kit.display_code}").wait_for()
    assert page.get_by_label("Does not meet: Size label sewn in").is_visible()
    axe(page)
    # A mistake first: a failure with no word on what happens to it.
    page.get_by_label("How many passed").fill("4")
    page.get_by_label("Seams").fill("1")
    page.get_by_role("button", name="Record the check").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "Say whether the failed garments go back" in summary.inner_text()
    assert not QualityCheck.objects.exists()
    axe(page)

    page.get_by_label("Back to the maker for rework").check()
    page.get_by_label("A note for the maker (optional)").fill("The side seam is open at the hem.")
    page.get_by_role("button", name="Record the check").click()
    page.locator(".messages").wait_for()
    text = page.locator(".messages").inner_text()
    assert f"Kit {kit.display_code} is checked: 4 passed, 1 goes back for rework" in text
    axe(page)

    check = QualityCheck.objects.get()
    assert (check.passed, check.failed, check.failed_outcome) == (4, 1, "rework")
    assert check.reason == "Seams: 1. The side seam is open at the hem."
    kit.refresh_from_db()
    assert (kit.qty_passed, kit.qty_rework, kit.qty_awaiting_check) == (4, 1, 0)
    message = Message.objects.get(idempotency_key=f"quality-rework:{check.pk}")
    assert "- Seams: 1" in message.body and message.to_address == maker.email
