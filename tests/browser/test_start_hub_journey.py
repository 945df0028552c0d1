"""A new coordinator starts a hub on a phone, through every step, and an operator opens it.
axe checks each page; the maps place points without fetching a single tile."""

from __future__ import annotations

import pytest

from dropoffs.models import OpeningHours, Point
from packages.models import Pattern
from scrubhub.hubs.models import Hub, Invitation
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import message_deliver

pytestmark = pytest.mark.xdist_group("browser")


def test_a_new_coordinator_starts_a_hub_through_every_step(page_for, world, axe, live_server):
    page = page_for("anonymous")
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )

    page.goto("/")
    page.get_by_role("link", name="Start a hub").click()
    page.get_by_role("heading", name="Start a scrub hub").wait_for()
    axe(page)
    # Sent with a mistake first: the summary at the top, the message beside the field.
    page.get_by_label("Your full name").fill("Ailsa Morrow")
    page.get_by_label("Your email address").fill("ailsa@example.org")
    page.get_by_label("Choose a password").fill("stitch-in-time-42")
    page.get_by_label("Type the password again").fill("stitch-in-time-24")
    page.get_by_label("The hub's name").fill("Angus Scrub Hub")
    page.get_by_label("Town or area it serves").fill("Angus")
    page.get_by_role("button", name="Start the hub").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert (
        page.locator("#id_password2_error")
        .inner_text()
        .endswith("The two passwords are not the same.")
    )
    axe(page)
    page.get_by_label("Choose a password").fill("stitch-in-time-42")
    page.get_by_label("Type the password again").fill("stitch-in-time-42")
    page.get_by_role("button", name="Start the hub").click()

    # 1. The hub, placed by tapping the map.
    page.get_by_role("heading", name="The hub", exact=True).wait_for()
    hub = Hub.objects.get(name="Angus Scrub Hub")
    assert hub.approval == Hub.Approval.SETTING_UP
    assert "Step 1 of 6" in page.locator(".step-count").inner_text()
    axe(page)
    page.get_by_label("Phone number for volunteers").fill("01307 000000")
    page.get_by_label("Email address for volunteers").fill("angus@example.org")
    page.get_by_role("region", name="Map: tap to place the hub").click()
    assert page.get_by_label("Latitude of the hub").input_value() != ""
    page.get_by_role("button", name="Save and go on").click()

    # 2. A hospital, and an invitation to its laundry.
    page.get_by_role("heading", name="The hospitals you serve").wait_for()
    axe(page)
    page.get_by_label("Hospital's name").fill("Stracathro Hospital")
    page.get_by_label("Email of someone in the laundry").fill("linen@example.org")
    page.get_by_role("button", name="Add the hospital").click()
    page.get_by_text("Stracathro Hospital is added.").wait_for()
    assert "The invitation goes once the hub is open." in page.locator(".messages").inner_text()
    axe(page)
    page.get_by_role("link", name="Go on to the next step").click()

    # 3. Garments and sizes.
    page.get_by_role("heading", name="Garments and sizes").wait_for()
    axe(page)
    page.get_by_label("Scrub top, size M").fill("1.5")
    page.get_by_label("Scrub trousers, size L").fill("1.8")
    page.get_by_role("button", name="Save and go on").click()

    # 4. A point, placed on the map.
    page.get_by_role("heading", name="Drop-off points").wait_for()
    axe(page)
    page.get_by_label("Point's name").fill("Forfar Library")
    page.get_by_label("Address").fill("50 West High Street, Forfar")
    page.get_by_label("Postcode").fill("dd8 1ba")
    page.get_by_role("region", name="Map: tap to place the point").click()
    assert page.get_by_label("Latitude", exact=True).input_value() != ""
    page.get_by_role("button", name="Add the point").click()
    page.get_by_text("Forfar Library is added.").wait_for()
    axe(page)
    page.get_by_role("link", name="Go on to the next step").click()

    # 5. Opening hours.
    page.get_by_role("heading", name="When the points are open").wait_for()
    axe(page)
    page.get_by_label("Monday opens").fill("10:00")
    page.get_by_label("Monday closes").fill("16:00")
    page.get_by_role("button", name="Save and go on").click()

    # 6. Settings. Leaving and coming back first: signing in again lands on the setup.
    page.get_by_role("heading", name="Kits, stand-down and keeping details").wait_for()
    axe(page)
    page.get_by_role("button", name="Sign out").click()
    page.locator("header").get_by_role("link", name="Sign in").click()
    page.get_by_label("Login").fill("ailsa@example.org")
    page.get_by_label("Password", exact=False).first.fill("stitch-in-time-42")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Setting up Angus Scrub Hub").wait_for()
    assert "Not done yet" in page.locator(".setup-steps").inner_text()
    axe(page)
    page.get_by_role("link", name="Carry on: kits, stand-down and keeping details").click()
    page.get_by_label("Days a maker may keep a kit before it is overdue").fill("10")
    page.get_by_label("Days to keep volunteers' details after the stand-down date").fill("90")
    page.get_by_role("button", name="Save and go on").click()

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
    page.get_by_role("heading", name="Setting up Angus Scrub Hub").wait_for()
    page.get_by_role("button", name="Ask to open the hub").click()
    page.get_by_text("Waiting for us to open it.").wait_for()
    axe(page)

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
    operator.goto("/operator/hubs/")
    operator.get_by_role("heading", name="Angus Scrub Hub").wait_for()
    axe(operator)
    operator.get_by_role("button", name="Open Angus Scrub Hub").click()
    operator.get_by_text("Angus Scrub Hub is open.").wait_for()
    axe(operator)
    hub.refresh_from_db()
    assert hub.approval == Hub.Approval.APPROVED
    assert message_deliver(message_id=invitation.pk) is True
    assert Invitation.objects.get(hub=hub).email == "linen@example.org"
    assert outside == []
