"""Handing in several kits of one maker or group, found by one kit's code: only a kit expected
at the helper's point opens the page (it names the holder), and each try counts against the
kit-code look-up limit."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve, reverse

from dropoffs import services
from packages import services as packages
from tests import factories
from tests.dropoffs import builders as b


def hand_in_url(kit) -> str:
    return reverse("dropoffs:hand_in_many", kwargs={"code": kit.code})


@pytest.fixture
def helper(client_for):
    return client_for("point_helper")


@pytest.fixture
def far_kit(world):
    """A kit its maker collected at another point of the same hub, and returns there."""
    staff = world.user("hub_staff")
    far = factories.PointFactory(hub=world.hub, name="Far point")
    maker = factories.MakerFactory(hub=world.hub, name="Isobel Faraway", preferred_point=far)
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=far)
    services.handover_kit_collect(kit=kit, actor=staff, point=far)
    return kit


def test_a_helper_opens_the_page_for_a_kit_expected_at_their_point(world, helper):
    kit = b.kit_with_maker(world)
    page = helper.get(hand_in_url(kit))
    assert page.status_code == 200
    assert "Scrubs from Mairi Persona" in page.content.decode()


def test_the_code_may_be_typed_in_lower_case_with_a_hyphen(world, helper):
    kit = b.kit_with_maker(world)
    messy = f"{kit.code[:3]}-{kit.code[3:]}".lower()
    assert helper.get(reverse("dropoffs:hand_in_many", kwargs={"code": messy})).status_code == 200


def test_a_helper_cannot_read_the_holder_of_a_kit_expected_at_another_point(world, helper, far_kit):
    page = helper.get(hand_in_url(far_kit))
    assert page.status_code == 404
    assert "Faraway" not in page.content.decode()
    posted = helper.post(hand_in_url(far_kit), {f"kit_{far_kit.pk}": 1})
    assert posted.status_code == 404
    far_kit.refresh_from_db()
    assert far_kit.qty_with_maker == 5


def test_another_points_kit_another_hubs_kit_and_no_kit_are_the_same_404(world, helper, far_kit):
    staff = world.user("other_hub_staff")
    theirs = factories.prepared_kits(hub=world.other_hub, actor=staff)[0]
    maker = factories.MakerFactory(hub=world.other_hub, preferred_point=world.other_point)
    packages.kit_allocate(kit=theirs, maker=maker, actor=staff, collection_point=world.other_point)
    services.handover_kit_collect(kit=theirs, actor=staff, point=world.other_point)
    answers = [
        helper.get(hand_in_url(far_kit)),
        helper.get(hand_in_url(theirs)),
        helper.get(reverse("dropoffs:hand_in_many", kwargs={"code": "ZZZZZZZ"})),
        helper.get(reverse("dropoffs:hand_in_many", kwargs={"code": "not-a-code"})),
    ]
    assert {a.status_code for a in answers} == {404}
    for answer in answers:
        assert "Faraway" not in answer.content.decode()
        assert maker.name not in answer.content.decode()


def test_hub_staff_at_the_hub_open_the_page_for_any_of_the_hubs_kits(world, client_for, far_kit):
    page = client_for("hub_staff").get(hand_in_url(far_kit))
    assert page.status_code == 200
    assert "Scrubs from Isobel Faraway" in page.content.decode()


def test_hub_staff_of_another_hub_get_a_404(world, client_for):
    kit = b.kit_with_maker(world)
    assert client_for("other_hub_staff").get(hand_in_url(kit)).status_code == 404


def test_the_old_address_by_assignment_number_is_gone(world, helper):
    kit = b.kit_with_maker(world)
    old = reverse("dropoffs:scan") + f"hand-in/{kit.assignments.get().pk}/"
    with pytest.raises(Resolver404):
        resolve(old)
    assert helper.get(old).status_code == 404


def test_each_try_counts_against_the_kit_code_look_up_limit(world, helper, settings):
    settings.SCRUBHUB_KIT_LOOKUP_RATE = "3/h"
    kit = b.kit_with_maker(world)
    tries = [
        helper.get(reverse("dropoffs:hand_in_many", kwargs={"code": f"ZZZZZZ{n}"}))
        for n in range(3)
    ]
    assert [t.status_code for t in tries] == [404, 404, 404]
    over = helper.get(hand_in_url(kit))
    assert over.status_code == 429
    assert "Mairi Persona" not in over.content.decode()


def test_the_scan_search_links_to_the_page_by_kit_code(world, helper):
    kit = b.kit_with_maker(world)
    page = helper.get(reverse("dropoffs:scan"), {"q": "Mairi"}).content.decode()
    assert f'href="{hand_in_url(kit)}"' in page
