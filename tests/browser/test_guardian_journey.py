"""A 16-year-old joins on a phone; her mother's mobile gets a text (the real Notify client,
the fake Notify on loopback) with a link; until she agrees the hub cannot give Isla a kit
and sees who is waiting; she opens the link, agrees, and staff give Isla her first kit.
axe checks each page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from makers import services
from makers.models import Consent, Maker, MakerGroup
from packages.models import KitAssignment
from scrubhub.notifications.delivery import message_deliver
from scrubhub.notifications.models import Message
from tests import factories, fake_notify

pytestmark = pytest.mark.xdist_group("browser")

MUM = "07700900654"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def notify(settings):
    fake, server = fake_notify.start()
    fake_notify.configure(settings, fake)
    yield fake
    server.shutdown()
    server.server_close()


def link_texted(notify) -> str:
    """Deliver the waiting text as the worker would; the link's path, from what Notify got."""
    for message in Message.objects.filter(kind="guardian_ask", status="pending"):
        assert message_deliver(message_id=message.pk)
    texts = notify.texts_to(MUM)
    assert texts, "no text reached Notify"
    link = re.search(r"(\S*/guardian/\S+/)", texts[-1]).group(1)
    return urlsplit(link).path


def test_a_sixteen_year_old_joins_her_mother_agrees_by_text_and_staff_give_her_a_kit(
    page_for, world, axe, notify
):
    Maker.objects.filter(hub=world.hub).update(status=Maker.Status.PAUSED)
    MakerGroup.objects.filter(hub=world.hub).update(status=MakerGroup.Status.PAUSED)
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="trousers", actor=None)

    isla = page_for("anonymous")
    isla.goto(f"/join/{world.hub.slug}/")
    isla.get_by_label("Your full name").fill("Isla Reid")
    isla.get_by_label("Email address (optional)", exact=True).fill("isla.reid@example.org")
    isla.get_by_label("Postcode").fill("DD1 4HN")
    isla.get_by_label("16 or 17").check()
    isla.get_by_label("Name of your parent or guardian").fill("Ann Reid")
    isla.get_by_label("Their phone number or email").fill("07700 900654")
    isla.get_by_label("A little, or not at all").check()
    isla.get_by_label("Yes").check()
    isla.get_by_label(world.point.name).check()
    isla.get_by_label("I agree that the hub may keep my details").check()
    isla.get_by_role("button", name="Join").click()
    assert "Thank you for joining" in isla.content()
    maker = Maker.objects.get(email="isla.reid@example.org")
    services.maker_approve(maker=maker, actor=world.user("hub_staff"))

    # Until her mother agrees: no suggestion, a to-do, and a line on her record.
    staff = page_for("hub_staff")
    staff.goto("/hub/allocate/")
    assert "Give to Isla Reid" not in staff.locator("main").inner_text()
    staff.goto("/hub/")
    assert "young maker waiting for a parent or guardian to agree" in staff.inner_text("main")
    staff.get_by_role("link", name="See who, and send the message again").click()
    staff.get_by_role("link", name="Isla Reid").click()
    staff.get_by_role("heading", name="Waiting for a parent or guardian to agree").wait_for()
    axe(staff)

    path = link_texted(notify)
    sent = notify.sends("sms")[-1].body
    assert sent["phone_number"] == MUM
    mum = page_for("anonymous")
    mum.goto(path)
    main = mum.inner_text("main")
    assert "Do you agree that Isla Reid may sew scrubs?" in main
    assert world.hub.name in main and world.point.name in main
    axe(mum)
    # Pressing "I agree" without the box ticked: the error summary says what to do.
    mum.get_by_role("button", name="I agree").click()
    assert "Tick the box to say you agree" in mum.locator("[data-error-summary]").inner_text()
    axe(mum)
    mum.get_by_label("Your full name").fill("Ann Reid")
    mum.get_by_label("I am Isla Reid's parent or guardian").check()
    mum.get_by_role("button", name="I agree").click()
    mum.get_by_role("heading", name="Thank you for answering").wait_for()
    axe(mum)
    consent = Consent.objects.get(maker=maker, purpose=Consent.Purpose.GUARDIAN)
    assert consent.given_by == "Ann Reid"

    staff.goto("/hub/allocate/")
    card = staff.locator(f"#kit-{kit.code}")
    card.get_by_role("button", name="Give to Isla Reid").click()
    staff.locator(".messages").wait_for()
    assert "is given to Isla Reid" in staff.locator(".messages").inner_text()
    assert KitAssignment.objects.get(kit=kit).maker == maker
