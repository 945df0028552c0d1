"""Hub staff giving out kits in Chromium on a phone: with the suggestion, one at a time and
many at once, and taking a kit back. axe checks each page on the way, with real data."""

from __future__ import annotations

import pytest

from makers.models import Maker, MakerGroup
from packages.models import Kit, KitAssignment
from scrubhub.notifications.models import Message
from tests import factories

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def field(world):
    """Two makers of hub A for the kits, and nobody else in the running."""
    Maker.objects.filter(hub=world.hub).update(status=Maker.Status.PAUSED)
    MakerGroup.objects.filter(hub=world.hub).update(status=MakerGroup.Status.PAUSED)
    confident = factories.MakerFactory(
        hub=world.hub,
        name="Cora Confident",
        experience="confident",
        sets_per_week=2,
        preferred_point=world.point,
    )
    beginner = factories.MakerFactory(
        hub=world.hub, name="Bea Beginner", experience="beginner", sets_per_week=2
    )
    return confident, beginner


def test_allocate_a_kit_with_the_suggestion(page_for, world, field, axe):
    confident, _beginner = field
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=None)
    page = page_for("hub_staff")

    page.goto("/hub/allocate/")
    card = page.locator(f"#kit-{kit.code}")
    assert "Suggested: Cora Confident" in card.inner_text()
    assert "Confident sewer: suits tops" in card.inner_text()
    axe(page)
    card.get_by_role("button", name="Give to Cora Confident").click()

    page.locator(".messages").wait_for()
    assert (
        f"Kit {kit.display_code} is given to Cora Confident, to collect at {world.point.name}."
        in page.locator(".messages").inner_text()
    )
    assert page.locator(f"#kit-{kit.code}").count() == 0
    axe(page)
    kit.refresh_from_db()
    assert kit.status == Kit.Status.ALLOCATED
    assignment = KitAssignment.objects.get(kit=kit)
    assert (assignment.maker, assignment.assigned_by) == (confident, world.user("hub_staff"))
    assert Message.objects.filter(idempotency_key=f"kit-given:{assignment.pk}").exists()
    # Nothing overflows sideways at the narrowest phone.
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto("/hub/allocate/given/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    axe(page)


def test_choose_someone_else_then_give_many_at_once(page_for, world, field, axe):
    confident, beginner = field
    (top,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=None)
    trousers = factories.prepared_kits(
        hub=world.hub, garment_type="trousers", kit_count=2, actor=None
    )
    page = page_for("hub_staff")

    page.goto(f"/hub/allocate/{top.code}/")
    page.get_by_label("Find someone else: name, postcode, phone or point").fill("bea")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Bea Beginner").check()
    axe(page)
    page.get_by_role("button", name="Give out this kit").click()
    page.locator(".messages").wait_for()
    assert KitAssignment.objects.get(kit=top).maker == beginner

    # Both trouser kits, ticked and given in one go to whoever each card suggests.
    for kit in trousers:
        page.locator(f"#tick-{kit.code}").check()
    page.get_by_role("button", name="Give the ticked kits to the people suggested").click()
    page.locator(".messages").wait_for()
    assert "2 kits are given out." in page.locator(".messages").inner_text()
    holders = {KitAssignment.objects.get(kit=k).maker for k in trousers}
    assert holders == {confident, beginner}  # spread out, one each
    axe(page)


def test_take_a_kit_back_onto_the_shelf(page_for, world, field, axe):
    confident, _beginner = field
    (kit,) = factories.prepared_kits(hub=world.hub, actor=None)
    from packages.services import kit_allocate

    kit_allocate(kit=kit, maker=confident, actor=world.user("coordinator"))
    page = page_for("hub_staff")
    page.goto("/hub/allocate/given/")
    axe(page)
    page.get_by_role("link", name=f"Take back (kit {kit.display_code})").click()
    page.get_by_role("heading", name=f"Take back kit {kit.display_code}").wait_for()
    axe(page)
    page.get_by_label("Why (optional)").fill("Not collected in a week")
    page.get_by_role("button", name="Take the kit back").click()
    page.locator(".messages").wait_for()
    assert "is back on the shelf" in page.locator(".messages").inner_text()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED
    assert KitAssignment.objects.get(kit=kit).ended_by == world.user("hub_staff")
