"""On a phone, the header and the navigation above a page's heading leave the page room:
together they take under a fifth of the screen, and every page is still a tap away."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.xdist_group("browser")

PHONE_HEIGHT = 844


def chrome_height(page) -> float:
    """From the top of the page to the top of <main>: what stands between the person and
    the page they came for."""
    return page.evaluate("() => document.querySelector('main').getBoundingClientRect().top")


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("hub_staff", "/hub/"),
        ("hub_staff", "/hub/volunteers/"),
        ("laundry", "/laundry/"),
        ("maker", "/me/"),
    ],
)
def test_the_header_takes_under_a_fifth_of_a_phone_screen(page_for, persona, path, axe):
    page = page_for(persona)
    page.goto(path)
    top = chrome_height(page)
    assert top < PHONE_HEIGHT * 0.2, f"{path}: the header takes {top:.0f}px of {PHONE_HEIGHT}px"
    axe(page)


def test_the_hub_menu_opens_and_reaches_every_hub_page(page_for, axe):
    page = page_for("hub_staff")
    page.goto("/hub/")
    menu = page.get_by_text("Menu", exact=True)
    menu.click()
    page.get_by_role("link", name="Deliveries").wait_for()
    assert page.get_by_role("link", name="Give out kits").is_visible()
    axe(page)
    page.get_by_role("link", name="Deliveries").click()
    page.wait_for_url("**/deliveries/")
