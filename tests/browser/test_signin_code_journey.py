"""A person with a mobile number and no email joins on a phone, gets her sign-in code by
text (sent by the real Notify client to the fake Notify on loopback, and read from what it
received), types one wrong and then the right one, and reaches /me/; axe checks each page.
Later she signs in again from the sign-in page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from makers.models import Maker
from scrubhub.notifications.delivery import message_deliver
from scrubhub.notifications.models import Message
from tests import fake_notify

pytestmark = pytest.mark.xdist_group("browser")

NUMBER = "07700900456"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def notify(settings):
    """Texts go through the real Notify client to a fake Notify on loopback."""
    fake, server = fake_notify.start()
    fake_notify.configure(settings, fake)
    yield fake
    server.shutdown()
    server.server_close()


def code_texted(notify) -> str:
    """Deliver the waiting code as the worker would, and read it from what Notify got."""
    for message in Message.objects.filter(kind="maker_signin_code", status="pending"):
        assert message_deliver(message_id=message.pk)
    texts = notify.texts_to(NUMBER)
    assert texts, "no text reached Notify"
    return re.search(r"sign-in code is (\d{6})\.", texts[-1]).group(1)


def test_a_phone_only_person_joins_types_the_texted_code_and_sees_her_page(
    page_for, world, axe, notify
):
    page = page_for("anonymous")
    page.goto(f"/join/{world.hub.slug}/")
    page.get_by_label("Your full name").fill("Agnes Reid")
    page.get_by_label("Phone number (optional)", exact=True).fill("07700 900456")
    page.get_by_label("Postcode").fill("DD1 4HN")
    page.get_by_label("70 or over").check()
    page.get_by_label("A little, or not at all").check()
    page.get_by_label("Yes").check()
    page.get_by_label(world.point.name).check()
    page.get_by_label("I agree that the hub may keep my details").check()
    page.get_by_role("button", name="Join").click()
    assert "Thank you for joining" in page.content()
    assert "07\u2026 \u202656" in page.inner_text("main")
    axe(page)

    code = code_texted(notify)
    sent = notify.sends("sms")[-1].body
    assert sent["phone_number"] == NUMBER
    assert "http" not in sent["personalisation"]["body"]  # a code, not a link

    # A slip of the finger first: the count is beside the field and in the summary.
    field = page.get_by_label("Your sign-in code")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/signin/code/")
    assert "You have 4 more tries." in page.locator("#id_code_error").inner_text()
    assert "You have 4 more tries." in page.locator("[data-error-summary]").inner_text()
    axe(page)

    page.get_by_label("Your sign-in code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/me/")
    assert "Agnes" in page.content()
    axe(page)
    maker = Maker.objects.get(phone="07700 900456")
    assert maker.user.last_login is not None

    # Another day, on another phone: she asks on the sign-in page.
    other = page_for("anonymous")
    other.goto("/signin/")
    axe(other)
    other.get_by_label("Your email address or mobile number").fill("07700 900456")
    other.get_by_role("button", name="Send me a link or a code").click()
    assert other.url.endswith("/signin/code/")
    assert "Type the code we sent to 07\u2026 \u202656" in other.inner_text("main")
    axe(other)
    other.get_by_label("Your sign-in code").fill(code_texted(notify))
    other.get_by_role("button", name="Sign in").click()
    assert other.url.endswith("/me/")
