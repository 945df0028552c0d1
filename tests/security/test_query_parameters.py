"""The GET parameters an outside attack found answering 500 (a NUL byte, a digit that is not
0-9), each now read through a form: the page shows as if the bad value were not there.
test_hostile_input.py throws the same and more at every parameter of every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from makers.models import Maker
from packages import services as packages
from scrubhub.query import QueryForm, SearchField
from tests import factories


@pytest.fixture
def staff(client_for):
    return client_for("hub_staff")


def _maker(world) -> Maker:
    return Maker.objects.get(user=world.user("maker"))


@pytest.mark.parametrize("q", ["\x00", "Tay\x00side"])
def test_a_nul_byte_in_the_join_search_shows_every_hub(client, world, q):
    response = client.get(reverse("makers:join_start"), {"q": q})
    assert response.status_code == 200
    page = response.content.decode()
    assert world.hub.name in page and world.other_hub.name in page


def test_the_join_search_still_finds_a_hub_and_cuts_a_long_search(client, world):
    assert world.other_hub.name in (
        client.get(reverse("makers:join_start"), {"q": "fife"}).content.decode()
    )
    long = client.get(reverse("makers:join_start"), {"q": "fife" + "x" * 5000})
    assert long.status_code == 200
    assert 'value="fife' + "x" * 96 + '"' in long.content.decode()


@pytest.mark.parametrize("other", ["²", "٣²", "9" * 5000, "-4", "\x00"])
def test_merge_with_a_record_number_that_is_not_one_shows_step_one(world, staff, other):
    url = reverse("makers:staff_maker_merge", kwargs={"pk": _maker(world).pk})
    response = staff.get(url, {"other": other})
    assert response.status_code == 200
    assert "Find another record" in response.content.decode()


def test_merge_posted_with_a_record_number_that_is_not_one_changes_nothing(world, staff):
    maker = _maker(world)
    url = reverse("makers:staff_maker_merge", kwargs={"pk": maker.pk})
    response = staff.post(url, {"other": "²", "keep": str(maker.pk), "confirm": "on"})
    assert response.status_code == 200
    assert not Maker.objects.filter(hub=world.hub, status="erased").exists()


def test_merge_search_with_a_nul_byte_finds_nobody(world, staff):
    url = reverse("makers:staff_maker_merge", kwargs={"pk": _maker(world).pk})
    response = staff.get(url, {"q": "Mairi\x00"})
    assert response.status_code == 200


def test_merge_still_compares_two_records(world, staff):
    twin = factories.MakerFactory(hub=world.hub, name="Mairi Persona")
    url = reverse("makers:staff_maker_merge", kwargs={"pk": _maker(world).pk})
    response = staff.get(url, {"other": str(twin.pk)})
    assert response.status_code == 200
    assert "I have checked: these two records are the same person" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["hubs:allocate_kit", "hubs:kit_reallocate", "hubs:allocate_given"],
)
def test_a_nul_byte_in_the_allocation_searches_is_ignored(world, staff, name):
    actor = world.user("hub_staff")
    kit = factories.prepared_kits(hub=world.hub, actor=actor)[0]
    if name == "hubs:kit_reallocate":
        packages.kit_allocate(kit=kit, maker=_maker(world), actor=actor)
    kwargs = None if name == "hubs:allocate_given" else {"code": kit.code}
    response = staff.get(reverse(name, kwargs=kwargs), {"q": "Mairi\x00"})
    assert response.status_code == 200


def test_a_candidate_key_with_a_digit_that_is_not_0_to_9_is_nobody(world, staff):
    kit = factories.prepared_kits(hub=world.hub, actor=world.user("hub_staff"))[0]
    url = reverse("hubs:allocate_kit", kwargs={"code": kit.code})
    response = staff.post(url, {"candidate": "m²", "point": "auto"})
    assert response.status_code < 500
    assert not kit.assignments.exists()


@pytest.mark.parametrize("rows", ["²", "9" * 5000, "\x00"])
def test_paper_forms_with_a_row_count_that_is_not_a_number_shows_five_rows(world, staff, rows):
    response = staff.get(reverse("makers:staff_paper_forms"), {"rows": rows})
    assert response.status_code == 200
    assert response.context["rows"] == 5


class _Query(QueryForm):
    q = SearchField(max_length=5)
    n = SearchField(initial="x")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"q": "", "n": "x"}),
        ({"q": " abcdefgh "}, {"q": "abcde", "n": "x"}),
        ({"q": "a\x00", "n": "b"}, {"q": "", "n": "b"}),
    ],
)
def test_a_query_form_reads_clean_values_and_drops_bad_ones(rf, data, expected):
    assert _Query.read(rf.get("/", data)) == expected
