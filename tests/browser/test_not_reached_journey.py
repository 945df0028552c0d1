"""A text to a maker failed for good (a wrong number). Hub staff on a phone follow the
dashboard's "people we could not reach" to her, type the new number wrong first, then
right, and press "Save and send again" once; her record says how each message went.
axe checks each page, the error state too."""

from __future__ import annotations

import pytest

from makers.models import Maker
from scrubhub.notifications.models import Message
from tests import factories

pytestmark = pytest.mark.xdist_group("browser")


def test_staff_correct_a_wrong_number_and_send_again_in_one_press(page_for, world, axe):
    maker = factories.MakerFactory(
        hub=world.hub, name="Elsie Reid", email="", phone="07700 900123", preferred_channel="sms"
    )
    text = Message.objects.create(
        hub=world.hub,
        idempotency_key="journey-text",
        to_address=maker.phone,
        subject="About kit K-1",
        body="Your kit is ready.",
        kind="maker_kit-problem-1-answer",
        channel="sms",
        status="failed",
        failure_reason="permanent",
        last_error="The provider says the number does not exist or is wrong.",
        attempts=1,
    )
    page = page_for("hub_staff")

    page.goto("/hub/")
    page.get_by_role("link", name="See who, and phone them").click()
    page.get_by_role("heading", name="People we could not reach").wait_for()
    main = page.locator("main").inner_text()
    assert "Elsie Reid" in main and "The number does not exist or is wrong" in main
    assert page.get_by_role("link", name="07700 900123").get_attribute("href") == "tel:07700900123"
    axe(page)

    page.get_by_label("Phone number").fill("0770 090")
    page.get_by_role("button", name="Save and send again").click()
    page.locator("[data-error-summary]").wait_for()
    assert "Enter a UK phone number" in page.locator("[data-error-summary]").inner_text()
    axe(page)

    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_role("button", name="Save and send again").click()
    page.locator(".messages").wait_for()
    assert "1 message will be sent again to 07700 900456" in page.locator(".messages").inner_text()
    assert "Everyone has been reached" in page.locator("main").inner_text()
    text.refresh_from_db()
    assert (text.status, text.to_address) == ("pending", "07700 900456")
    assert Maker.objects.get(pk=maker.pk).phone == "07700 900456"
    axe(page)

    page.goto(f"/hub/volunteers/{maker.pk}/")
    messages = page.locator("section[aria-labelledby=messages-heading]")
    assert "Answer to a problem they reported" in messages.inner_text()
    assert "Waiting to send" in messages.inner_text()
    axe(page)
