"""Issue 23, end to end on a phone: a new coordinator starts a hub through every step, the
operator opens it, the coordinator imports a 50-row sheet and prepares kits, and the laundry
they invited makes an account from the invitation and asks for scrubs. axe checks every page."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from makers.models import Maker
from packages.models import DemandLine, Kit, PrecutStock
from scrubhub.hubs.models import Hub
from scrubhub.notifications.delivery import message_deliver
from scrubhub.notifications.models import Message
from tests.browser import journeys

pytestmark = pytest.mark.xdist_group("browser")


def _fifty_row_sheet() -> str:
    rows = [["Full name", "Email", "Mobile", "Postcode"]]
    for n in range(1, 51):
        rows.append([f"Maker Number{n}", f"maker{n}@example.org", f"07700 9{n:05d}", "DD8 1BA"])

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_a_new_hub_from_sign_up_to_the_laundrys_first_request(page_for, world, axe, tmp_path):
    coordinator = page_for("anonymous")
    hub = journeys.start_a_hub(coordinator, axe)
    assert hub.approval == Hub.Approval.WAITING

    operator = page_for("operator")
    journeys.operator_opens_the_hub(operator, axe)
    invitation = Message.objects.get(kind="team_invitation", hub=hub)
    assert message_deliver(message_id=invitation.pk) is True

    # The coordinator brings in their 50-row sheet.
    journeys.upload_volunteer_sheet(coordinator, tmp_path, _fifty_row_sheet())
    axe(coordinator)
    coordinator.get_by_role("button", name="Check the rows").click()
    coordinator.get_by_role("heading", name="Check the rows").wait_for()
    assert "50 new people are added." in coordinator.locator("main").inner_text()
    axe(coordinator)
    coordinator.get_by_label("They filled in our paper form").check()
    coordinator.get_by_role("button", name="Import all 50 people").click()
    coordinator.get_by_role("heading", name="The sheet is imported").wait_for()
    axe(coordinator)

    # Pre-cut pieces come in through goods in, then kits are prepared from them.
    coordinator.goto("/hub/stock/goods-in/")
    axe(coordinator)
    coordinator.get_by_label("Who gave it").fill("Forfar Quilters")
    coordinator.get_by_label("Pre-cut pieces").check()
    coordinator.get_by_label("Scrub top").check()
    coordinator.locator("#id_size").select_option("M")
    coordinator.get_by_label("How many garments' worth of pieces").fill("40")
    # The date starts as today, in the form a date box can show.
    assert coordinator.get_by_label("Date it came in").input_value() == str(timezone.localdate())
    coordinator.get_by_role("button", name="Save goods in").click()
    coordinator.get_by_text("Goods in from Forfar Quilters are recorded.").wait_for()
    axe(coordinator)
    stock = PrecutStock.objects.get(hub=hub)
    assert stock.quantity_available == 40

    coordinator.goto("/hub/kits/prepare/")
    axe(coordinator)
    journeys.choose_a_batch(coordinator, stock_option=f"precut-{stock.pk}")
    axe(coordinator)
    coordinator.get_by_role("button", name="Prepare 3 kits").click()
    coordinator.get_by_role("link", name="Print the labels").wait_for()
    axe(coordinator)
    stock.refresh_from_db()
    assert stock.quantity_available == 25

    # The laundry follows the invitation link, makes an account and asks for scrubs.
    invitation.refresh_from_db()
    link = next(u for u in re.findall(r"https?://\S+", invitation.body) if "/team/join/" in u)
    laundry = page_for("anonymous")
    laundry.goto(urlsplit(link).path)
    axe(laundry)
    laundry.get_by_label("Your full name").fill("Lin Laundry")
    laundry.get_by_label("Choose a password").fill("clean-sheets-9876")
    laundry.get_by_label("Type the password again").fill("clean-sheets-9876")
    laundry.get_by_label(f"I am {journeys.LAUNDRY_EMAIL}: this invitation was sent to me.").check()
    laundry.get_by_role("button", name="Make my account and join the team").click()
    laundry.get_by_text("Welcome to the team of Angus Scrub Hub.").wait_for()
    axe(laundry)
    laundry.goto("/laundry/")
    axe(laundry)
    laundry.get_by_role("link", name="Ask for scrubs").click()
    axe(laundry)
    laundry.get_by_label("Sets (a top and trousers)").check()
    laundry.get_by_label("Size M", exact=True).fill("30")
    laundry.get_by_role("button", name="Send the request").click()
    laundry.wait_for_url("**/laundry/demand/")
    axe(laundry)

    assert Maker.objects.filter(hub=hub).count() == 50
    assert Kit.objects.filter(hub=hub).count() == 3
    assert DemandLine.objects.filter(hospital__hubs=hub, size="M", quantity=30).count() == 2
