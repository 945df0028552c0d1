"""A point helper on a phone: type a kit's code, take back part of the scrubs, and see a
count that is too high refused with the error summary at the top."""

from __future__ import annotations

import pytest

from packages.models import Kit
from tests.dropoffs import builders as b

pytestmark = pytest.mark.xdist_group("browser")


def test_helper_scans_a_code_and_records_a_partial_return(page_for, world, axe):
    kit = b.kit_with_maker(world, finished=3)
    page = page_for("point_helper")
    page.goto("/scan/")
    axe(page)
    typed = f"{kit.code[:3].lower()} {kit.code[3:].lower()}"
    page.get_by_label("Kit code").fill(typed)
    page.get_by_role("button", name="Find the kit").click()
    page.wait_for_url(f"**/kit/{kit.code}/")
    assert page.get_by_role("heading", name="Take back finished scrubs").is_visible()
    axe(page)

    section = page.locator(
        "section", has=page.get_by_role("heading", name="Take back finished scrubs")
    )
    count = section.get_by_label("How many garments?")
    assert count.input_value() == "3"  # what the maker said is finished
    count.fill("9")
    section.get_by_role("button", name="Take back these scrubs").click()
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "5 at most" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    axe(page)
    assert Kit.objects.get(pk=kit.pk).qty_with_maker == 5

    section = page.locator(
        "section", has=page.get_by_role("heading", name="Take back finished scrubs")
    )
    section.get_by_label("How many garments?").fill("3")
    section.get_by_role("button", name="Take back these scrubs").click()
    page.wait_for_url("**/scan/")
    assert "3 finished garments from kit" in page.locator(".messages").inner_text()
    axe(page)
    kit.refresh_from_db()
    assert (kit.qty_with_maker, kit.qty_at_point) == (2, 3)


def test_helper_finds_a_maker_without_a_label(page_for, world, axe):
    kit = b.kit_waiting(world)
    page = page_for("point_helper")
    page.goto("/scan/")
    page.get_by_label("Maker's name or phone number").fill("900000")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Open kit {kit.display_code}").click()
    page.get_by_role("button", name="Kit given to the maker").click()
    page.wait_for_url("**/scan/")
    axe(page)
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.WITH_MAKER


def test_a_mistyped_code_is_shown_on_the_form_with_the_nearest_kit(page_for, world, axe):
    kit = b.kit_waiting(world)
    Kit.objects.filter(pk=kit.pk).update(code="K7Q4MZ8")
    page = page_for("point_helper")
    page.goto("/scan/")
    page.get_by_label("Kit code").fill("k7q-4mzb")  # 8 misread as B
    page.get_by_role("button", name="Find the kit").click()
    page.wait_for_url("**/scan/?code=*")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert "There is no kit K7Q-4MZB" in summary.inner_text()
    assert page.get_by_label("Kit code").input_value() == "k7q-4mzb"
    axe(page)
    page.get_by_role("link", name="Kit K7Q-4MZ8: 5 scrub tops, size M").click()
    page.wait_for_url("**/kit/K7Q4MZ8/")
    assert page.get_by_role("heading", name="Give the kit to its maker").is_visible()
