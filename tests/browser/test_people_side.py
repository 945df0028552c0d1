"""The people side run without the admin, on a phone (issue 23): staff write a pattern's
instructions and preview the printed sheet (it follows their typing), pause a maker group,
and a maker aged 70 or over asks for doorstep visits from her page. axe checks each page,
the error and preview states too."""

from __future__ import annotations

import pytest

from makers.models import Maker, MakerGroup
from packages.models import Pattern

pytestmark = pytest.mark.xdist_group("browser")


def test_staff_write_instructions_preview_the_sheet_and_save(page_for, world, axe):
    page = page_for("hub_staff")
    page.goto("/hub/patterns/")
    page.get_by_role("heading", name="Patterns and sewing instructions").wait_for()
    axe(page)
    page.get_by_role("link", name="Add size M").first.click()
    page.get_by_label("Name of the pattern").fill("Unisex top")
    page.get_by_label("Fabric for one garment (metres)").fill("0")
    page.get_by_role("button", name="Save the pattern").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    axe(page)

    page.get_by_label("Fabric for one garment (metres)").fill("1.6")
    page.get_by_label("Sewing instructions").fill("1. Sew the shoulders.\n2. Sew the sides.")
    page.get_by_role("button", name="Preview the printed sheet").click()
    preview = page.locator("[data-sheet-preview]")
    preview.wait_for()
    assert "1. Sew the shoulders." in preview.inner_text()
    axe(page)
    # The preview follows the typing, as plain text.
    page.get_by_label("Sewing instructions").fill("Press every seam.\n\n<b>Then</b> turn it.")
    assert "Press every seam." in preview.inner_text()
    assert "<b>Then</b> turn it." in preview.inner_text()
    assert not Pattern.objects.exists()

    page.get_by_role("button", name="Save the pattern").click()
    page.get_by_role("heading", name="Patterns and sewing instructions").wait_for()
    pattern = Pattern.objects.get(hub=world.hub, garment_type="top", size="M")
    assert pattern.instructions_text == "Press every seam.\n\n<b>Then</b> turn it."


def test_staff_pause_a_group_and_start_it_again(page_for, world, axe):
    group = MakerGroup.objects.get(hub=world.hub)
    page = page_for("hub_staff")
    page.goto("/hub/volunteers/groups/")
    axe(page)
    page.get_by_role("link", name=group.name).click()
    page.get_by_label("Leader's phone number or email").fill("ask at the desk")
    page.get_by_role("button", name="Save the group's details").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    axe(page)
    page.get_by_role("button", name="Pause the group").click()
    page.get_by_role("button", name="Start the group sewing again").wait_for()
    assert MakerGroup.objects.get(pk=group.pk).status == MakerGroup.Status.PAUSED
    axe(page)


def test_a_maker_over_70_asks_for_doorstep_visits_from_her_page(page_for, world, axe):
    Maker.objects.filter(user=world.user("maker")).update(age_band=Maker.AgeBand.OVER_70)
    page = page_for("maker")
    page.goto("/me/")
    page.get_by_role("heading", name="We can collect from your door").wait_for()
    axe(page)
    page.get_by_role("link", name="Ask for doorstep visits").click()
    page.locator("#id_address").fill("3 Hill Street, Dundee")
    page.get_by_label("Postcode").fill("DD3 6AB")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Yes, bring kits to my door").click()
    page.get_by_text("You have doorstep visits.").wait_for()
    axe(page)
    page.goto("/me/")
    assert "A driver brings your kits to your door" in page.locator("main").inner_text()
    page.screenshot(path="/tmp/hp_me_doorstep.png", full_page=True)
