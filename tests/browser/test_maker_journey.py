"""A new person joins on a phone, signs in with the link from the outbox, logs progress,
says when they will bring the kit back, and downloads their data; axe checks every page."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from makers.models import Maker, ReturnPlan
from packages import services as packages
from scrubhub.notifications.services import WEEKLY_SUMMARY, has_opted_out
from tests import factories
from tests.makers.conftest import last_signin_message, signin_path

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_a_new_person_joins_signs_in_sews_and_returns_on_a_phone(page_for, world, axe):
    world.hub.auto_approve_makers = True
    world.hub.save()
    page = page_for("anonymous")

    page.goto(f"/h/{world.hub.slug}/")
    axe(page)
    page.get_by_role("link", name="Join us").first.click()
    axe(page)

    # A first try with a mistake: the summary and the message beside the field.
    page.get_by_label("Your full name").fill("Rose Campbell")
    page.get_by_label("Email address").fill("rose@example.org")
    page.get_by_label("Postcode").fill("DD1")
    page.get_by_label("18 to 69").check()
    page.get_by_label("A little, or not at all").check()
    page.get_by_label("Yes").check()
    page.get_by_label(world.point.name).check()
    page.get_by_label("I agree that the hub may keep my details").check()
    page.get_by_role("button", name="Join").click()
    summary = page.locator("[data-error-summary]")
    assert "Enter a full UK postcode" in summary.inner_text()
    assert page.locator("#id_postcode_error").is_visible()
    axe(page)
    assert not Maker.objects.filter(email="rose@example.org").exists()

    page.get_by_label("Postcode").fill("dd1 4hn")
    page.get_by_role("button", name="Join").click()
    assert "Thank you for joining" in page.content()
    assert world.hub.phone in page.content()
    axe(page)

    # The sign-in link, from the outbox, opened in a fresh browser (another device).
    maker = Maker.objects.get(email="rose@example.org")
    path = signin_path(last_signin_message(recipient=maker.user))
    phone = page_for("anonymous")
    phone.goto(path)
    axe(phone)
    phone.get_by_role("button", name="Sign in").click()
    assert phone.url.endswith("/me/")
    axe(phone)

    # The hub gives her a kit and she collects it.
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff, garments=4)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
    packages.kit_collect(kit=kit, actor=staff)

    phone.goto("/me/")
    assert "Start sewing" in phone.content()
    phone.get_by_role("link", name="Log what I have finished").click()
    axe(phone)
    phone.get_by_label("How many have you finished?").fill("2")
    phone.get_by_role("button", name="Save").click()
    assert "You have finished 2 of 4" in phone.content()
    axe(phone)

    phone.get_by_role("link", name="Ready to return").click()
    axe(phone)
    phone.get_by_label(world.point.name).check()
    day = timezone.localdate() + timedelta(days=2)
    phone.get_by_label("Which day?").select_option(day.isoformat())
    phone.get_by_role("button", name="Save").click()
    assert f"Bring it to {world.point.name}" in phone.content()
    plan = ReturnPlan.objects.get(kit=kit)
    assert (plan.day, plan.point) == (day, world.point)

    # What she agreed to when she joined, and the weekly email stopped in one press.
    phone.get_by_role("link", name="My data and what I agreed to").click()
    agreed = phone.locator(".agreements").inner_text()
    assert "Keep my details to send me kits" in agreed
    assert "Contact me about kits and collections" in agreed
    axe(phone)
    phone.get_by_role("button", name="Stop the weekly email").click()
    assert "we will not send you the weekly email" in phone.locator(".messages").inner_text()
    assert has_opted_out(address="rose@example.org", kind=WEEKLY_SUMMARY)
    phone.get_by_role("button", name="Send me the weekly email again").wait_for()
    axe(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download for a computer (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["details"]["name"] == "Rose Campbell"
    assert data["kits"][0]["code"] == kit.display_code
    assert data["return_plans"][0]["where"] == world.point.name


def test_she_scans_her_label_signed_out_signs_in_and_logs_and_plans_there(page_for, world, axe):
    """Issue 25: the label's code opens a page she can use; a closed day is refused beside
    the field, naming the days the point is open."""
    from datetime import time

    from dropoffs.models import OpeningHours

    OpeningHours.objects.bulk_create(
        OpeningHours(point=world.point, weekday=day, opens=time(9), closes=time(18))
        for day in range(6)
    )
    hall = factories.PointFactory(hub=world.hub, name="Church hall")
    OpeningHours.objects.create(point=hall, weekday=2, opens=time(10), closes=time(14))
    maker = Maker.objects.get(user=world.user("maker"))
    maker.preferred_point = world.point
    maker.save(update_fields=["preferred_point"])
    maker.user.email = maker.email
    maker.user.save()
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff, garments=4)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
    packages.kit_collect(kit=kit, actor=staff)

    phone = page_for("anonymous")
    phone.goto(f"/kit/{kit.code}/")
    axe(phone)
    assert maker.name not in phone.content()
    phone.get_by_label("Your email address or mobile number").fill(maker.email)
    phone.get_by_role("button", name="Send me a link").click()
    phone.goto(signin_path(last_signin_message(recipient=maker.user)))
    axe(phone)
    phone.get_by_role("button", name="Sign in").click()
    assert phone.url.endswith(f"/me/kits/{kit.code}/")
    axe(phone)

    phone.get_by_label("How many have you finished?").fill("3")
    phone.get_by_role("button", name="Save").first.click()
    assert "You have finished 3 of 4" in phone.content()

    phone.goto(f"/kit/{kit.code}/")  # the label again, signed in now
    assert "So far you told us 3 of 4." in phone.content()
    assert phone.get_by_label(world.point.name).is_checked()  # her usual point
    offered = phone.locator("#id_day option").evaluate_all("os => os.map(o => o.value)")
    days = [date.fromisoformat(value) for value in offered if value]
    assert days and all(day.weekday() != 6 for day in days), "a Sunday at a Mon-Sat point"

    # Another point, open on Wednesdays only: the day she picked is refused beside the field.
    phone.get_by_label("Church hall").check()
    monday = next(day for day in days if day.weekday() == 0)
    phone.get_by_label("Which day?").select_option(monday.isoformat())
    phone.get_by_role("button", name="Save").last.click()
    assert "Church hall is open Wednesday. Please choose one of those days." in (
        phone.locator("#id_day_error").inner_text()
    )
    axe(phone)
    wednesday = next(
        day for day in (monday + timedelta(days=n) for n in range(1, 8)) if day.weekday() == 2
    )
    phone.get_by_label("Which day?").select_option(wednesday.isoformat())
    phone.get_by_role("button", name="Save").click()
    assert "Bring it to Church hall" in phone.content()
    assert ReturnPlan.objects.get(kit=kit).day == wednesday
