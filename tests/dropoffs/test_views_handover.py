"""Scanning a kit and handing it over at a point: what each person may do, what the page
offers, and that a refused handover changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dropoffs.forms import HandInManyForm
from dropoffs.models import Handover
from dropoffs.services import kit_version
from packages.models import Kit
from tests import factories
from tests.dropoffs import builders as b
from tests.once import token
from tests.packages.helpers import assert_kit_invariants


def kit_url(kit, suffix=""):
    return reverse(f"dropoffs:kit{suffix}", kwargs={"code": kit.code})


def post(client, kit, action, **data):
    kit.refresh_from_db()
    return client.post(
        kit_url(kit, "_handover"), {"action": action, "version": kit_version(kit), **data}
    )


@pytest.fixture
def helper(client_for):
    return client_for("point_helper")


def test_typed_code_is_forgiven_case_spaces_hyphens_and_look_alikes(world, helper):
    kit = b.kit_waiting(world)
    messy = kit.code.lower().replace("0", "o").replace("1", "l")
    messy = f" {messy[:3]} - {messy[3:]} "
    response = helper.get(reverse("dropoffs:scan"), {"code": messy})
    assert response.status_code == 302
    assert response["Location"] == kit_url(kit)


def test_not_a_code_is_a_message_beside_the_field(world, helper):
    response = helper.get(reverse("dropoffs:scan"), {"code": "12"})
    assert response.status_code == 200
    assert "That is not a kit code" in response.content.decode()


def test_an_empty_code_says_what_to_type(world, helper):
    response = helper.get(reverse("dropoffs:scan"), {"code": ""})
    assert response.status_code == 200
    assert "Type the kit&#x27;s code from its label, or scan its QR code." in (
        response.content.decode()
    )


def test_unknown_code_and_another_hubs_kit_are_the_same_404(world, helper):
    other = factories.prepared_kits(hub=world.other_hub)[0]
    unknown = helper.get(reverse("dropoffs:kit", kwargs={"code": "ZZZZZZZ"}))
    theirs = helper.get(kit_url(other))
    assert unknown.status_code == theirs.status_code == 404
    assert other.code not in theirs.content.decode()


def test_the_page_offers_only_giving_the_kit_to_its_maker_while_it_waits(world, helper):
    kit = b.kit_waiting(world)
    page = helper.get(kit_url(kit)).content.decode()
    assert "Give the kit to its maker" in page
    assert "Take back finished scrubs" not in page
    assert "Hand scrubs to a driver" not in page


def test_giving_the_kit_records_one_handover_at_the_point(world, helper):
    kit = b.kit_waiting(world)
    response = post(helper, kit, "collect")
    assert response.status_code == 302
    handover = Handover.objects.get(kind=Handover.Kind.COLLECTED_BY_MAKER)
    assert handover.point == world.point
    assert handover.recorded_by == world.user("point_helper")
    kit = assert_kit_invariants(kit)
    assert kit.status == Kit.Status.WITH_MAKER


def test_a_partial_return_leaves_the_rest_with_the_maker(world, helper):
    kit = b.kit_with_maker(world, finished=3)
    response = post(helper, kit, "return", count=3)
    assert response.status_code == 302
    kit = assert_kit_invariants(kit)
    assert (kit.qty_with_maker, kit.qty_at_point) == (2, 3)
    handover = Handover.objects.get(kind=Handover.Kind.RETURNED_BY_MAKER)
    assert handover.maker.user == world.user("maker")
    assert handover.movements.get().count == 3


def test_a_count_above_what_the_maker_holds_is_refused_and_nothing_changes(world, helper):
    kit = b.kit_with_maker(world)
    before = Handover.objects.count()
    response = post(helper, kit, "return", count=9)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "5 at most" in page
    assert Handover.objects.count() == before
    kit = assert_kit_invariants(kit)
    assert kit.qty_with_maker == 5


def test_a_kit_already_handed_in_says_so_and_offers_nothing(world, helper):
    kit = b.kit_with_maker(world)
    assert post(helper, kit, "return", count=5).status_code == 302
    page = helper.get(kit_url(kit)).content.decode()
    assert "Take back finished scrubs" not in page
    assert "Hand scrubs to a driver" in page  # the only thing left to do here
    before = Handover.objects.count()
    response = post(helper, kit, "return", count=1)
    assert response.status_code == 409
    assert Handover.objects.count() == before


def test_a_page_drawn_before_someone_else_acted_changes_nothing(world, helper, client_for):
    kit = b.kit_with_maker(world)
    stale = kit_version(kit)
    assert post(client_for("hub_staff"), kit, "return", count=2).status_code == 302
    response = helper.post(
        kit_url(kit, "_handover"), {"action": "return", "count": 2, "version": stale}
    )
    assert response.status_code == 409
    assert "Nothing was changed" in response.content.decode()
    kit = assert_kit_invariants(kit)
    assert kit.qty_with_maker == 3
    assert Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).count() == 1


def test_wrong_point_says_where_the_kit_waits_and_refuses(world, client_for):
    second = factories.PointFactory(hub=world.hub, name="Church hall")
    kit = b.kit_waiting(world)
    kit.collection_point = second
    Kit.objects.filter(pk=kit.pk).update(collection_point=second)
    helper = client_for("point_helper")
    page = helper.get(kit_url(kit)).content.decode()
    assert "This kit waits at Church hall, not here" in page
    response = post(helper, kit, "collect")
    assert response.status_code == 409
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.ALLOCATED


def test_a_kit_fully_handed_in_elsewhere_offers_nothing_here(world, helper, client_for):
    kit = b.kit_with_maker(world)
    assert post(client_for("hub_staff"), kit, "return", count=5).status_code == 302
    page = helper.get(kit_url(kit)).content.decode()
    assert "Everything the maker had from this kit has already been handed in" in page


def test_a_helper_hands_garments_to_a_driver(world, helper):
    kit = b.kit_with_maker(world)
    post(helper, kit, "return", count=4)
    assert "Hand scrubs to a driver" in helper.get(kit_url(kit)).content.decode()
    assert post(helper, kit, "pick_up", count=4).status_code == 302
    kit = assert_kit_invariants(kit)
    assert (kit.qty_at_point, kit.qty_in_transit) == (0, 4)


def test_an_unfinished_kit_comes_back_finished_to_the_point_and_pieces_to_stock(world, helper):
    kit = b.kit_with_maker(world)
    assert post(helper, kit, "unfinished", finished=2).status_code == 302
    kit = assert_kit_invariants(kit)
    assert (kit.qty_with_maker, kit.qty_at_point, kit.qty_returned_to_stock) == (0, 2, 3)
    assert Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).count() == 1


def test_staff_at_the_hub_receive_scrubs_straight_for_checking(world, client_for):
    staff = client_for("hub_staff")
    kit = b.kit_with_maker(world)
    assert post(staff, kit, "return", count=5).status_code == 302
    kit = assert_kit_invariants(kit)
    assert kit.qty_awaiting_check == 5


def test_the_maker_sees_their_own_kit_but_cannot_record_handovers(world, client_for):
    maker = client_for("maker")
    kit = b.kit_with_maker(world)
    page = maker.get(kit_url(kit))
    assert page.headers["Location"] == reverse("makers:kit", kwargs={"code": kit.code})
    assert post(maker, kit, "return", count=1).status_code == 403
    assert Kit.objects.get(pk=kit.pk).qty_with_maker == 5


def test_a_maker_without_a_label_is_found_by_name_or_phone_at_their_point(world, helper):
    kit = b.kit_waiting(world)
    maker = b.maker_of(world)
    by_name = helper.get(reverse("dropoffs:scan"), {"q": maker.name.split()[0][:4]})
    assert kit.display_code in by_name.content.decode()
    by_phone = helper.get(reverse("dropoffs:scan"), {"q": "900000"})
    assert kit.display_code in by_phone.content.decode()


def test_the_search_does_not_reach_kits_expected_at_other_points(world, helper):
    far = factories.PointFactory(hub=world.hub, name="Far point")
    maker = factories.MakerFactory(hub=world.hub, name="Isobel Faraway", preferred_point=far)
    from packages import services as packages

    kit = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=kit, maker=maker, actor=world.user("hub_staff"), collection_point=far)
    page = helper.get(reverse("dropoffs:scan"), {"q": "Faraway"}).content.decode()
    assert kit.display_code not in page
    assert "No kit expected here matches" in page


def test_a_group_leader_hands_in_many_kits_as_one_handover(world, helper):
    from makers.models import MakerGroup
    from packages import services as packages

    group = MakerGroup.objects.get(leader=world.user("group_leader"))
    staff = world.user("hub_staff")
    kits = factories.prepared_kits(hub=world.hub, kit_count=3, actor=staff)
    for kit in kits:
        packages.kit_allocate(kit=kit, group=group, actor=staff, collection_point=world.point)
        packages.kit_collect(kit=kit, actor=staff)
    url = reverse("dropoffs:hand_in_many", kwargs={"code": kits[1].code})
    page = helper.get(url)
    assert page.status_code == 200
    counts = {f"kit_{kits[0].pk}": 5, f"kit_{kits[1].pk}": 2} | token(HandInManyForm)
    response = helper.post(url, counts)
    assert response.status_code == 302
    # A second tap (or a slow phone sending again) takes nothing in twice.
    again = helper.post(url, counts)
    assert again.status_code == 302 and again.url == reverse("dropoffs:scan")
    handover = Handover.objects.get(kind=Handover.Kind.RETURNED_BY_MAKER)
    assert handover.group == group
    assert sorted(m.count for m in handover.movements.all()) == [2, 5]
    for kit in kits:
        assert_kit_invariants(kit)


def test_many_kits_with_one_count_too_high_changes_none_of_them(world, helper):
    kit_a = b.kit_with_maker(world)
    kit_b = b.kit_with_maker(world)
    url = reverse("dropoffs:hand_in_many", kwargs={"code": kit_a.code})
    response = helper.post(
        url, {f"kit_{kit_a.pk}": 2, f"kit_{kit_b.pk}": 7} | token(HandInManyForm)
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).exists()
    assert Kit.objects.get(pk=kit_a.pk).qty_with_maker == 5


def test_choosing_where_you_are_only_offers_your_own_places(world, client_for):
    staff = client_for("hub_staff")
    assert (
        staff.post(
            reverse("dropoffs:scan_where"), {"station": f"point:{world.point.pk}"}
        ).status_code
        == 302
    )
    assert (
        "You are at: <strong>Library point" in staff.get(reverse("dropoffs:scan")).content.decode()
    )
    assert (
        staff.post(
            reverse("dropoffs:scan_where"), {"station": f"point:{world.other_point.pk}"}
        ).status_code
        == 404
    )


# --- A mistyped code (issue 25) --------------------------------------------------------------


def kit_coded(world, code: str, *, hub=None):
    """A kit waiting for the world's maker, given a known code so a test can mistype it."""
    kit = b.kit_waiting(world) if hub is None else factories.prepared_kits(hub=hub)[0]
    Kit.objects.filter(pk=kit.pk).update(code=code)
    kit.code = code
    return kit


def scan_page(client, typed):
    return client.get(reverse("dropoffs:scan"), {"code": typed})


def test_a_mistyped_code_is_a_message_on_the_form_keeping_what_was_typed(world, helper):
    kit_coded(world, "K7Q4MZ8")
    response = scan_page(helper, "k7q-4mzb")
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page  # the summary at the top
    assert 'href="#id_code"' in page
    assert "There is no kit K7Q-4MZB for you to hand over. Check the label." in page
    assert 'value="k7q-4mzb"' in page  # what she typed, to correct rather than retype
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize(
    "typed",
    [
        "K7Q-4MZB",  # 8 read as B
        "K7Q-M4Z8",  # two swapped
        "K7Q-4NZ8",  # one key off
        "K7Q-4Z8",  # one left out: not even a code
        "K7Q-44MZ8",  # one too many
    ],
)
def test_a_mistyped_code_suggests_the_kit_one_slip_away(world, helper, typed):
    kit = kit_coded(world, "K7Q4MZ8")
    page = scan_page(helper, typed).content.decode()
    assert "Did you mean this kit?" in page
    assert f'href="{kit_url(kit)}"' in page
    assert "K7Q-4MZ8" in page


def test_look_alike_suggestions_come_first(world, helper):
    # From 5S0-0000 a misread 5 (S) and a wrong last key are both one slip away.
    kit_coded(world, "5S00001")
    kit_coded(world, "SS00000")
    page = scan_page(helper, "5S0-0000").content.decode()
    assert "Did you mean one of these kits?" in page
    assert page.index("SS0-0000") < page.index("5S0-0001")


def test_another_hubs_kit_is_neither_found_nor_suggested(world, helper):
    theirs = kit_coded(world, "K7Q4MZ8", hub=world.other_hub)
    exact = scan_page(helper, "K7Q-4MZ8")
    assert exact.status_code == 200  # not a redirect to a page that would say "not found"
    assert "There is no kit K7Q-4MZ8 for you to hand over" in exact.content.decode()
    near = scan_page(helper, "K7Q-4MZB").content.decode()
    assert "Did you mean" not in near
    assert kit_url(theirs) not in near


def test_a_right_code_still_opens_the_kit(world, helper):
    kit = kit_coded(world, "K7Q4MZ8")
    response = scan_page(helper, "k7q 4mz8")
    assert response.status_code == 302
    assert response["Location"] == kit_url(kit)


def test_mistyped_codes_count_against_the_look_up_limit(world, helper, settings):
    settings.SCRUBHUB_KIT_LOOKUP_RATE = "3/h"
    kit_coded(world, "K7Q4MZ8")
    answers = [scan_page(helper, f"K7Q-4MZ{c}").status_code for c in "ABCD"]
    assert answers == [200, 200, 200, 429]


# --- The kit page's status and counts agree (issue 25) ---------------------------------------


def test_a_kit_with_nothing_left_with_its_maker_does_not_say_with_maker(world, helper):
    kit = b.kit_with_maker(world)
    assert post(helper, kit, "return", count=5).status_code == 302
    page = helper.get(kit_url(kit)).content.decode()
    assert "<dd>With maker</dd>" not in page
    assert "<dt>Now</dt><dd>All handed in</dd>" in page


def test_a_kit_still_with_its_maker_says_so(world, helper):
    page = helper.get(kit_url(b.kit_with_maker(world))).content.decode()
    assert "<dt>Now</dt><dd>With maker</dd>" in page


def test_taking_back_offers_all_she_has_when_she_has_not_said(world, helper):
    kit = b.kit_with_maker(world)  # 5 with her, nothing logged as finished
    response = helper.get(kit_url(kit))
    forms = {f["option"].action: f["form"] for f in response.context["forms"]}
    assert forms["return"]["count"].value() == 5
    # Handing back an unfinished kit starts from what she said is finished: nothing.
    assert forms["unfinished"]["finished"].value() == 0


def test_taking_back_offers_what_she_said_is_finished(world, helper):
    kit = b.kit_with_maker(world, finished=3)
    forms = {f["option"].action: f["form"] for f in helper.get(kit_url(kit)).context["forms"]}
    assert forms["return"]["count"].value() == 3
    assert forms["unfinished"]["finished"].value() == 3
