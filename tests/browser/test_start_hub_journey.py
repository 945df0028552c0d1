"""A new coordinator starts a hub on a phone, through every step, and an operator opens it.
axe checks each page; the maps place points without fetching a single tile."""

from __future__ import annotations

import pytest

from dropoffs.models import OpeningHours, Point
from packages.models import Pattern
from scrubhub.hubs.models import Hub, Invitation
from scrubhub.notifications.delivery import message_deliver
from scrubhub.notifications.models import Message
from tests.browser import journeys

pytestmark = pytest.mark.xdist_group("browser")


def test_a_new_coordinator_starts_a_hub_through_every_step(page_for, world, axe, live_server):
    page = page_for("anonymous")
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )

    # Sent with a mistake first: the summary at the top, the message beside the field.
    journeys.sign_up_to_start_a_hub(page, axe, password_again="stitch-in-time-24")
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert (
        page.locator("#id_password2_error")
        .inner_text()
        .endswith("The two passwords are not the same.")
    )
    axe(page)
    page.get_by_label("Choose a password").fill(journeys.COORDINATOR_PASSWORD)
    page.get_by_label("Type the password again").fill(journeys.COORDINATOR_PASSWORD)
    page.get_by_role("button", name="Start the hub").click()

    # 1. The hub, placed by tapping the map.
    page.get_by_role("heading", name="The hub", exact=True).wait_for()
    hub = Hub.objects.get(name=journeys.HUB_NAME)
    assert hub.approval == Hub.Approval.SETTING_UP
    journeys.place_the_hub(page, axe)
    # 2. A hospital, and an invitation to its laundry.
    journeys.add_the_hospital(page, axe)
    # 3. Garments and sizes.
    journeys.choose_garments_and_sizes(page, axe)
    # 4. A point, placed on the map.
    journeys.add_a_point(page, axe)
    # 5. Opening hours.
    journeys.set_opening_hours(page, axe)

    # 6. Settings. Leaving and coming back first: signing in again lands on the setup.
    page.get_by_role("heading", name="Kits, stand-down and keeping details").wait_for()
    axe(page)
    page.get_by_role("button", name="Sign out").click()
    page.locator("header").get_by_role("link", name="Sign in").click()
    page.get_by_label("Login").fill(journeys.COORDINATOR_EMAIL)
    page.get_by_label("Password", exact=False).first.fill(journeys.COORDINATOR_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Setting up Angus Scrub Hub").wait_for()
    assert "Not done yet" in page.locator(".setup-steps").inner_text()
    axe(page)
    page.get_by_role("link", name="Carry on: kits, stand-down and keeping details").click()
    journeys.set_kits_and_keeping(page, axe)

    page.get_by_role("heading", name="Setting up Angus Scrub Hub").wait_for()
    assert "Not done yet" not in page.locator(".setup-steps").inner_text()
    axe(page)

    # The sewing instructions for a size: the hub's pattern editor, with its preview.
    page.get_by_role("link", name="Garments and sizes").click()
    page.get_by_role("link", name="write the instructions for size M").click()
    page.get_by_label("Sewing instructions").fill("1. Sew the shoulders.\n2. Sew the sides.")
    page.get_by_role("button", name="Preview the printed sheet").click()
    page.get_by_text("Sew the shoulders.").first.wait_for()
    axe(page)
    page.get_by_role("button", name="Save the pattern").click()
    page.get_by_role("heading", name="Patterns and sewing instructions").wait_for()
    page.get_by_role("link", name="My page").click()
    journeys.ask_to_open_the_hub(page, axe)

    hub.refresh_from_db()
    assert hub.approval == Hub.Approval.WAITING
    assert (hub.phone, hub.overdue_after_days, hub.retention_days) == ("01307 000000", 10, 90)
    assert hub.latitude is not None
    assert set(Pattern.objects.filter(hub=hub).values_list("garment_type", "size")) == {
        ("top", "M"),
        ("trousers", "L"),
    }
    top = Pattern.objects.get(hub=hub, garment_type="top", size="M")
    assert top.instructions_text.startswith("1. Sew the shoulders.")
    point = Point.objects.get(hub=hub)
    assert point.postcode == "DD8 1BA" and point.latitude is not None
    assert OpeningHours.objects.filter(point=point, weekday=0).exists()
    invitation = Message.objects.get(kind="team_invitation", hub=hub)
    assert message_deliver(message_id=invitation.pk) is False  # held until the hub opens

    # The joining page says the hub is not open yet.
    page.goto(f"/join/{hub.slug}/")
    page.get_by_role("heading", name="Angus Scrub Hub is not open yet").wait_for()
    axe(page)

    # The operator opens it, on a phone too.
    operator = page_for("operator")
    journeys.operator_opens_the_hub(operator, axe)
    hub.refresh_from_db()
    assert hub.approval == Hub.Approval.APPROVED
    assert message_deliver(message_id=invitation.pk) is True
    assert Invitation.objects.get(hub=hub).email == "linen@example.org"
    assert outside == []
