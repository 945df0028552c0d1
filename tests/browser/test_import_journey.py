"""Bringing in a spreadsheet on a phone: a sheet with mistakes is named row by row and
imports nobody; the mended sheet has a column to put right, then imports everyone, and a
new person says from their welcome that they want to stay. axe checks every page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from makers.models import ImportedMaker, Maker
from scrubhub.notifications.models import Message
from tests.browser import journeys

pytestmark = pytest.mark.xdist_group("browser")

BAD = (
    "Full name,Email,Mobile,Postcode,Notes\n"
    "Ann Weaver,ann@example.org,07700 900101,DD1 4HN,\n"
    "Bob Stitch,bob@,07700 900102,DD2 3AB,\n"
    '"=HYPERLINK(""http://x"",""y"")",cat@example.org,,,\n'
)
GOOD = BAD.replace("bob@,", "bob@example.org,").replace(
    '"=HYPERLINK(""http://x"",""y"")"', "Cat Hem"
)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_import_a_sheet_after_putting_it_right(page_for, world, axe, tmp_path):
    page = page_for("hub_staff")
    page.goto("/hub/volunteers/import/")
    axe(page)
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.locator("[data-error-summary]").wait_for()
    assert "Choose the spreadsheet to upload." in page.locator("main").inner_text()
    axe(page)

    journeys.upload_volunteer_sheet(page, tmp_path, BAD)
    axe(page)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Check the rows").click()
    page.get_by_role("heading", name="Check the rows").wait_for()
    main = page.locator("main").inner_text()
    assert "Row 3: the email “bob@” is not an email address." in main
    assert "Row 4: the full name “=HYPERLINK(" in main
    assert "2 rows have problems, so nobody can be imported yet" in main
    assert page.get_by_role("button", name=re.compile("Import")).count() == 0
    axe(page)
    _no_sideways_scroll(page)

    journeys.upload_volunteer_sheet(page, tmp_path, GOOD)
    page.get_by_label("Column A, “Full name”").select_option("")
    page.get_by_role("button", name="Check the rows").click()
    page.locator("[data-error-summary]").wait_for()
    assert "Choose the column with people's names." in page.locator("main").inner_text()
    axe(page)
    page.get_by_label("Column A, “Full name”").select_option("name")
    page.get_by_role("button", name="Check the rows").click()
    page.get_by_role("heading", name="Check the rows").wait_for()
    assert "3 new people are added." in page.locator("main").inner_text()
    axe(page)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Import all 3 people").click()
    page.locator("[data-error-summary]").wait_for()
    assert "Choose on what basis" in page.locator("[data-error-summary]").inner_text()
    assert not Maker.objects.filter(name="Ann Weaver").exists()
    axe(page)
    page.get_by_label("They filled in our paper form").check()
    page.get_by_role("button", name="Import all 3 people").click()
    page.get_by_role("heading", name="The sheet is imported").wait_for()
    assert "3 new people were added" in page.locator("main").inner_text()
    axe(page)
    assert Maker.objects.filter(hub=world.hub, name__in=["Ann Weaver", "Cat Hem"]).count() == 2

    welcome = Message.objects.get(kind="import_welcome", to_address="ann@example.org")
    stay = next(u for u in re.findall(r"https?://\S+", welcome.body) if u.endswith("/stay/"))
    visitor = page_for("anonymous")
    visitor.goto(urlsplit(stay).path)
    axe(visitor)
    visitor.get_by_role("button", name="Yes, keep me on the list").click()
    visitor.get_by_role("heading", name="Thank you: you are on the list").wait_for()
    axe(visitor)
    assert ImportedMaker.objects.get(maker__email="ann@example.org").confirmed_at is not None
