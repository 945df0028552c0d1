"""What people carry, in Chromium (issue 24): the run sheet, a point's day and each kit's
label on its sewing instructions print without the site's menus and buttons (print media);
and a phone without BarcodeDetector scans a label with the camera through jsQR, which the
page fetches only when the camera opens.

The camera is Chromium's fake one, playing a Y4M file of a kit label's QR code drawn with
segno (the labels' own QR library): no picture library needed.
Set SCRUBHUB_SCREENSHOTS=/some/dir to keep a screenshot and a PDF of each printed page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import segno
from django.urls import reverse

from scrubhub.hubs.labels import kit_url
from tests.access.routes_hubs import hub_batch
from tests.browser.conftest import CHROMIUM, PHONE
from tests.dropoffs import builders as b

pytestmark = pytest.mark.xdist_group("browser")
DESK = {"width": 1280, "height": 900}


def keep(page, name: str) -> None:
    folder = os.environ.get("SCRUBHUB_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
        page.pdf(path=f"{folder}/{name}.pdf", format="A4")


def printed_pages(page) -> int:
    """How many A4 pages the page prints on (Chromium's own PDF of it)."""
    pdf = page.pdf(format="A4")
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def assert_paper_has_no_menus(page) -> None:
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", "nav", "[data-print]"):
        for element in page.locator(hidden).all():
            assert not element.is_visible(), f"{hidden} is on the paper of {page.url}"


def test_the_run_sheet_prints_the_stops_with_boxes_to_tick_and_no_buttons(page_for, world, axe):
    world.point.phone = "01382 555 123"
    world.point.save(update_fields=["phone"])
    run = b.the_run(world)
    page = page_for("driver")
    page.goto(reverse("dropoffs:run", args=[run.pk]))
    assert page.get_by_role("button", name="Print the run sheet").is_visible()
    assert page.get_by_role("link", name="01382 555 123").is_visible()
    assert not page.locator(".tick-box").first.is_visible()  # paper only
    axe(page)
    assert_paper_has_no_menus(page)
    assert page.locator(".tick-box").count() == run.stops.count()
    for box in page.locator(".tick-box").all():
        assert box.is_visible()
    assert page.locator(
        ".print-only", has_text=f"Call {world.hub.name}: {world.hub.phone}"
    ).is_visible()
    assert not page.get_by_role("link", name="Tick off stop 1").is_visible()
    assert not page.get_by_role("button", name="Finish the run at the hub").is_visible()
    assert page.get_by_text("3 Hill Street").is_visible()
    keep(page, "run-sheet")


def test_a_helper_prints_the_points_day_from_the_scan_page(page_for, world, axe):
    kit = b.kit_waiting(world)
    b.the_run(world)
    page = page_for("point_helper")
    page.goto(reverse("dropoffs:scan"))
    page.get_by_role("link", name="Who and what to expect, to print").click()
    page.wait_for_url("**/expected/")
    assert page.get_by_role("heading", name=f"Expected at {world.point.name} on").is_visible()
    assert page.get_by_text(kit.display_code).first.is_visible()
    axe(page)
    page.get_by_role("link", name="Tomorrow").click()
    page.wait_for_url("**/expected/?day=tomorrow")
    axe(page)
    assert_paper_has_no_menus(page)
    assert page.get_by_role("heading", name="Waiting to be collected: 1 kit").is_visible()
    keep(page, "point-day")


def test_each_kit_prints_its_label_and_instructions_on_one_a4_page(page_for, world, axe):
    batch = hub_batch(world)
    page = page_for("hub_staff", viewport=DESK)
    page.goto(reverse("hubs:batch_labels", args=[batch.pk]))
    page.get_by_role("link", name="Print each on its sewing instructions").click()
    page.wait_for_url("**/sheets/")
    axe(page)
    assert_paper_has_no_menus(page)
    assert page.locator(".kit-sheet .kit-label").count() == 2
    assert printed_pages(page) == 2
    page.goto(reverse("hubs:kit_sheet", args=[batch.kits.order_by("pk").first().code]))
    page.emulate_media(media="print")
    assert printed_pages(page) == 1
    keep(page, "kit-sheet")


# --- The camera without BarcodeDetector ------------------------------------------------------


def label_video(path: Path, text: str, *, width: int = 640, height: int = 480) -> Path:
    """A Y4M file (raw 4:2:0 frames) of a label's QR code, black on white, for Chromium's
    fake camera."""
    rows = list(segno.make(text, error="m", micro=False).matrix_iter(scale=8, border=4))
    top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
    luma = bytearray([235]) * (width * height)
    for y, row in enumerate(rows):
        start = (top + y) * width + left
        luma[start : start + len(row)] = bytes(16 if dark else 235 for dark in row)
    chroma = bytes([128]) * (width // 2 * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 2)
    return path


@pytest.fixture
def camera_page(browser, live_server, world, tmp_path):
    """A point helper's page in a second Chromium whose camera shows the waiting kit's label,
    with BarcodeDetector taken away before any of the page's scripts run."""
    from django.conf import settings
    from django.test import Client

    kit = b.kit_waiting(world)
    video = label_video(tmp_path / "label.y4m", kit_url(kit.code))
    with_camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = with_camera.new_context(
        viewport=PHONE, base_url=live_server.url, permissions=["camera"]
    )
    client = Client()
    client.force_login(world.user("point_helper"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    context.add_init_script("delete window.BarcodeDetector;")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, kit
    context.close()
    with_camera.close()


def test_without_barcode_detector_the_camera_reads_a_label_through_jsqr(camera_page, axe):
    page, kit = camera_page
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(reverse("dropoffs:scan"))
    assert page.evaluate("() => 'BarcodeDetector' in window") is False
    # Not fetched with the page: only once the camera opens.
    assert not [url for url in fetched if "jsQR" in url]
    start = page.get_by_role("button", name="Scan with this page")
    assert start.is_visible()
    axe(page)
    start.click()
    page.wait_for_url(f"**/kit/{kit.code}/")
    assert [url for url in fetched if "jsQR" in url]
    assert page.get_by_role("heading", name="Give the kit to its maker").is_visible()


def test_typing_the_code_still_works_beside_the_camera(camera_page):
    page, kit = camera_page
    page.goto(reverse("dropoffs:scan"))
    page.get_by_label("Kit code").fill(kit.code.lower())
    page.get_by_role("button", name="Find the kit").click()
    page.wait_for_url(f"**/kit/{kit.code}/")
