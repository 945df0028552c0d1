"""Four journeys done with the keyboard alone (WCAG 2.1.1 Keyboard, 2.4.7 Focus visible):
joining, a maker logging progress, a helper typing a kit's code and taking scrubs back, and
staff giving out a kit. Every element Tab lands on on the way must show where focus is."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from makers.models import Maker, MakerGroup
from packages.models import Kit, KitAssignment
from tests import factories
from tests.dropoffs import builders as b

pytestmark = pytest.mark.xdist_group("browser")

# A visible focus indicator: an outline or a box shadow that is drawn (not none, not 0 wide).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, what: 'nothing has focus'};
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const lengths = s.boxShadow.replace(/rgba?\\([^)]*\\)/g, '');
  const shadow = s.boxShadow !== 'none' && /[1-9]/.test(lengths);
  return {visible: outline || shadow, what: el.outerHTML.slice(0, 160)};
}"""


def assert_focus_visible(page) -> None:
    focus = page.evaluate(FOCUS)
    assert focus["visible"], f"No visible focus on {page.url}: {focus['what']}"


def _has_focus(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, target, *, backwards: bool = False, most: int = 80) -> None:
    """Presses Tab (Shift+Tab backwards) until `target` has focus, checking the focus shows
    at every stop. A radio button is reached by tabbing into its group, then the arrow keys."""
    target.wait_for()
    is_radio = target.evaluate("el => el.type === 'radio'")
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        assert_focus_visible(page)
        if _has_focus(target):
            return
        if is_radio and target.evaluate(
            "el => document.activeElement.type === 'radio'"
            " && document.activeElement.name === el.name"
        ):
            for _ in range(20):
                page.keyboard.press("ArrowDown")
                assert_focus_visible(page)
                if _has_focus(target):
                    return
    raise AssertionError(f"Tab never reached {target} on {page.url}")


def press(page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_load_state("load")


def replace_typed(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_join_with_the_keyboard(page_for, world):
    world.hub.auto_approve_makers = True
    world.hub.save()
    page = page_for("anonymous")
    page.goto(f"/join/{world.hub.slug}/")

    for label, typed in (
        ("Your full name", "Kay Board"),
        ("Email address", "kay@example.org"),
        ("Postcode", "DD1 4HN"),
    ):
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(typed)
    for label, exact in (
        ("18 to 69", True),
        ("A little, or not at all", True),
        ("Yes", True),
        (world.point.name, False),
    ):
        choice = page.get_by_label(label, exact=exact)
        tab_to(page, choice)
        if not choice.is_checked():
            page.keyboard.press("Space")
        assert choice.is_checked()
    consent = page.get_by_label("I agree that the hub may keep my details")
    tab_to(page, consent)
    page.keyboard.press("Space")
    assert consent.is_checked()
    tab_to(page, page.get_by_role("button", name="Join"))
    press(page, "Enter")

    page.get_by_text("Thank you for joining").wait_for()
    maker = Maker.objects.get(email="kay@example.org")
    assert (maker.name, maker.hub) == ("Kay Board", world.hub)


def test_maker_logs_progress_with_the_keyboard(page_for, world):
    kit = b.kit_with_maker(world, garments=5)
    page = page_for("maker")
    page.goto("/me/")

    tab_to(page, page.get_by_role("link", name="Log what I have finished").first)
    press(page, "Enter")
    tab_to(page, page.get_by_label("How many have you finished?"))
    replace_typed(page, "2")
    tab_to(page, page.get_by_role("button", name="Save"))
    press(page, "Enter")

    page.locator(".messages").wait_for()
    kit.refresh_from_db()
    assert kit.finished_count == 2


def test_helper_types_a_code_and_takes_scrubs_back_with_the_keyboard(page_for, world):
    kit = b.kit_with_maker(world, finished=3)
    page = page_for("point_helper")
    page.goto("/scan/")

    tab_to(page, page.get_by_label("Kit code"))
    page.keyboard.type(kit.code.lower())
    press(page, "Enter")
    page.wait_for_url(f"**/kit/{kit.code}/")

    section = page.locator(
        "section", has=page.get_by_role("heading", name="Take back finished scrubs")
    )
    tab_to(page, section.get_by_label("How many garments?"))
    replace_typed(page, "3")
    tab_to(page, section.get_by_role("button", name="Take back these scrubs"))
    press(page, "Enter")

    page.wait_for_url("**/scan/")
    kit.refresh_from_db()
    assert (kit.qty_with_maker, kit.qty_at_point) == (2, 3)


def test_staff_give_out_a_kit_with_the_keyboard(page_for, world):
    Maker.objects.filter(hub=world.hub).update(status=Maker.Status.PAUSED)
    MakerGroup.objects.filter(hub=world.hub).update(status=MakerGroup.Status.PAUSED)
    cora = factories.MakerFactory(
        hub=world.hub,
        name="Cora Confident",
        experience="confident",
        sets_per_week=2,
        preferred_point=world.point,
    )
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=None)
    page = page_for("hub_staff", viewport={"width": 1280, "height": 900})
    page.goto("/hub/allocate/")

    give = page.locator(f"#kit-{kit.code}").get_by_role("button", name="Give to Cora Confident")
    tab_to(page, give)
    # Back one stop and forward again: Shift+Tab shows its focus too.
    page.keyboard.press("Shift+Tab")
    assert_focus_visible(page)
    tab_to(page, give)
    press(page, "Enter")

    page.locator(".messages").wait_for()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.ALLOCATED
    assert KitAssignment.objects.get(kit=kit).maker == cora


def test_the_focus_check_catches_a_hidden_focus(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><body><button style="outline:none;box-shadow:none">'
        'Hidden</button><button style="outline:none;box-shadow:0 0 0 3px #000">Ringed</button>'
        "</body></html>"
    )
    page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="No visible focus"):
        assert_focus_visible(page)
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    context.close()
