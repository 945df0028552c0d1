"""The hub report and the laundry's report in Chromium: on screen they pass axe like every
page; printed (print media), the menus, the buttons and the date form are left off and the
figures and tables are all there.

Set SCRUBHUB_SCREENSHOTS=/some/dir to keep a screenshot of each and a PDF as printed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from makers.models import Maker
from tests import factories
from tests.hubs.helpers import kits_at

pytestmark = pytest.mark.xdist_group("browser")
DESK = {"width": 1280, "height": 900}
PAPER = {"width": 794, "height": 1123}  # A4 at 96 dots an inch, as Chromium prints it


def keep(page, name: str) -> None:
    folder = os.environ.get("SCRUBHUB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def keep_pdf(page, name: str) -> None:
    folder = os.environ.get("SCRUBHUB_SCREENSHOTS")
    if folder:
        page.pdf(path=f"{folder}/{name}.pdf", format="A4", print_background=False)


def _some_work(world):
    staff, laundry = world.user("hub_staff"), world.user("laundry")
    maker = Maker.objects.get(user=world.user("maker"))
    factories.demand(hospital=world.hospital, quantity=60, actor=laundry)
    factories.demand(hospital=world.hospital, garment_type="trousers", quantity=60, actor=laundry)
    kits_at(world, staff, maker, stage="with_maker", count=2)
    factories.FabricLotFactory(hub=world.hub)
    factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("trousers", "M", 5)),
        received=[5, 4],
        discrepancy_note="One pair short",
        maker=maker,
        laundry_user=laundry,
    )
    factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="sent", maker=maker
    )


def _printed(page) -> None:
    """What paper gets: no header, menus, buttons or date form; the report itself whole."""
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", "nav", ".report-tools"):
        for element in page.locator(hidden).all():
            assert not element.is_visible(), f"{hidden} shows when printed"
    assert not page.get_by_role("button", name="Print").is_visible()
    assert page.locator("article.report h1").is_visible()
    for table in page.locator("article.report table").all():
        assert table.is_visible()
        # A table on paper is never cut off inside a scrolling region.
        clipped = table.evaluate(
            "t => t.closest('.table-responsive') && "
            "t.closest('.table-responsive').scrollWidth > "
            "t.closest('.table-responsive').clientWidth + 1"
        )
        assert not clipped


def test_the_hub_report_reads_on_screen_and_prints_without_the_menus(page_for, world, axe):
    _some_work(world)
    page = page_for("hub_staff")
    page.goto("/hub/")
    page.get_by_role(
        "link", name="Hub report to print, and downloads as spreadsheets (CSV)"
    ).click()
    page.wait_for_url("**/hub/report/")
    assert page.get_by_role("heading", name="Tayside Scrub Hub: hub report").is_visible()
    assert page.get_by_role("link", name="Deliveries, size by size (CSV)").is_visible()
    axe(page)
    keep(page, "hub-report-phone")

    # Choosing dates and months keeps them in the downloads' links.
    page.get_by_label("Figures for each").select_option("week")
    page.get_by_role("button", name="Show these dates").click()
    page.wait_for_url("**/hub/report/?**period=week**")
    assert page.get_by_role("table", name="Week by week").is_visible()
    href = page.get_by_role("link", name="What the hub has done, week by week (CSV)")
    assert "period=week" in href.get_attribute("href")
    axe(page)

    desk = page_for("hub_staff", viewport=DESK)
    desk.goto("/hub/report/")
    axe(desk)
    keep(desk, "hub-report-desk")

    paper = page_for("hub_staff", viewport=PAPER)
    paper.goto("/hub/report/")
    _printed(paper)
    keep(paper, "hub-report-printed")
    keep_pdf(paper, "hub-report")


def test_the_laundry_report_reads_on_screen_and_prints_without_the_menus(page_for, world, axe):
    _some_work(world)
    page = page_for("laundry")
    page.goto("/laundry/")
    page.locator("details.nav-menu summary").click()  # a phone's menu
    page.locator("details.nav-menu").get_by_role("link", name="Report", exact=True).click()
    page.wait_for_url("**/laundry/report/")
    assert page.get_by_role("heading", name="Ninewells Hospital: scrubs report").is_visible()
    axe(page)
    keep(page, "laundry-report-phone")

    paper = page_for("laundry", viewport=PAPER)
    paper.goto("/laundry/report/")
    _printed(paper)
    keep(paper, "laundry-report-printed")
    keep_pdf(paper, "laundry-report")
