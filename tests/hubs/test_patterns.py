"""Patterns and sewing instructions on /hub/patterns/: listed by garment and size, added in
the sizes they make, changed, and previewed as the printed sheet before saving."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from packages.models import Pattern
from packages.pattern_forms import NewPatternForm
from scrubhub.audit.models import AuditEvent
from tests import factories
from tests.once import token


@pytest.fixture
def staff_client(client_for):
    return client_for("hub_staff")


def edit_url(garment_type="top", size="M"):
    return reverse("hubs:pattern_edit", args=[garment_type, size])


def pattern_data(**changes):
    return {
        "name": "Unisex scrub top",
        "metres_per_garment": "1.6",
        "instructions_text": "1. Sew the shoulders.\n2. Sew the sides.\n\nPress every seam.",
        "instructions_url": "https://example.org/top",
        **changes,
    }


def test_the_list_shows_every_garment_and_size_with_the_pattern_it_is_made_with(
    world, staff_client
):
    factories.PatternFactory(hub=None, garment_type="top", size="M", name="Shared top")
    factories.PatternFactory(hub=world.hub, garment_type="trousers", size="L", name="Our trousers")
    factories.PatternFactory(
        hub=world.other_hub, garment_type="trousers", size="S", name="Fife trousers"
    )
    page = staff_client.get(reverse("hubs:patterns")).content.decode()
    assert "Scrub top" in page and "Scrub trousers" in page
    assert "Shared top" in page and "Shared by every hub" in page
    assert "Our trousers" in page
    assert "Fife trousers" not in page
    assert page.count("None yet") == 12
    assert edit_url("trousers", "3XL") in page


def test_staff_change_a_pattern_on_the_page_and_it_is_in_the_audit_trail(world, staff_client):
    response = staff_client.post(edit_url(), pattern_data())
    assert response.status_code == 302 and response.url == reverse("hubs:patterns")
    pattern = Pattern.objects.get(hub=world.hub, garment_type="top", size="M", is_current=True)
    assert pattern.metres_per_garment == Decimal("1.60")
    assert pattern.instructions_text.startswith("1. Sew the shoulders.")
    event = AuditEvent.objects.get(subject_type="packages.Pattern", subject_id=pattern.pk)
    assert event.actor == world.user("hub_staff") and event.hub == world.hub
    sheet = staff_client.get(reverse("hubs:instructions", args=["top", "M"])).content.decode()
    assert "<p>1. Sew the shoulders.<br>2. Sew the sides.</p>" in sheet
    assert "Press every seam." in sheet


def test_the_edit_page_starts_from_the_shared_pattern_and_saving_keeps_it_for_other_hubs(
    world, staff_client
):
    shared = factories.PatternFactory(hub=None, garment_type="top", size="M", name="Shared top")
    page = staff_client.get(edit_url()).content.decode()
    assert 'value="Shared top"' in page and "its own copy" in page
    staff_client.post(edit_url(), pattern_data(name="Tayside top"))
    shared.refresh_from_db()
    assert shared.name == "Shared top"
    assert Pattern.objects.get(hub=world.hub).name == "Tayside top"


def test_preview_shows_the_printed_sheet_with_what_was_typed_and_saves_nothing(world, staff_client):
    response = staff_client.post(edit_url(), {**pattern_data(), "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "How the printed sheet will look" in page
    assert "How to sew your kit: Scrub top, size M" in page
    assert "<p>1. Sew the shoulders.<br>2. Sew the sides.</p>" in page
    assert "https://example.org/top" in page and "<svg" in page  # the QR code
    assert 'value="Unisex scrub top"' in page  # the form keeps what was typed
    assert not Pattern.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_preview_prints_typed_markup_as_text(world, staff_client):
    response = staff_client.post(
        edit_url(), {**pattern_data(instructions_text="<script>x()</script>"), "preview": "1"}
    )
    assert "<script>x()" not in response.content.decode()
    assert "&lt;script&gt;x()" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"metres_per_garment": "0"}, "more than 0 metres"),
        ({"metres_per_garment": "30"}, "no garment takes more than 20"),
        ({"metres_per_garment": "lots"}, "as a number"),
        ({"name": ""}, "a name people will recognise"),
        ({"instructions_url": "ftp://example.org/x"}, "Give a web address"),
    ],
)
def test_a_wrong_answer_is_shown_at_the_top_and_beside_the_field_and_saves_nothing(
    world, staff_client, changes, message
):
    response = staff_client.post(edit_url(), pattern_data(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count(message) >= 2  # in the summary and beside the field
    assert 'aria-invalid="true"' in page
    assert not Pattern.objects.exists()


def test_an_unknown_garment_or_size_is_not_found(staff_client):
    assert staff_client.get(edit_url("cape", "M")).status_code == 404
    assert staff_client.get(edit_url("top", "XXXXL")).status_code == 404


def new_data(**changes):
    return {
        **token(NewPatternForm),
        "garment_type": "trousers",
        "name": "Drawstring trousers",
        "metres_S": "1.2",
        "metres_M": "1.3",
        "metres_L": "",
        "instructions_text": "Sew the legs.",
        "instructions_url": "",
        **changes,
    }


def test_adding_a_pattern_saves_each_size_filled_in_once_even_if_sent_twice(world, staff_client):
    data = new_data()
    first = staff_client.post(reverse("hubs:pattern_new"), data)
    again = staff_client.post(reverse("hubs:pattern_new"), data)
    assert first.status_code == again.status_code == 302
    made = Pattern.objects.filter(hub=world.hub).order_by("size")
    assert [(p.size, p.metres_per_garment) for p in made] == [
        ("M", Decimal("1.30")),
        ("S", Decimal("1.20")),
    ]
    assert {p.name for p in made} == {"Drawstring trousers"}
    assert AuditEvent.objects.filter(subject_type="packages.Pattern").count() == 2


def test_adding_needs_at_least_one_size(world, staff_client):
    response = staff_client.post(reverse("hubs:pattern_new"), new_data(metres_S="", metres_M=""))
    assert response.status_code == 400
    assert "at least one size" in response.content.decode()
    assert not Pattern.objects.exists()


def test_adding_previews_the_first_size_and_saves_nothing(world, staff_client):
    response = staff_client.post(reverse("hubs:pattern_new"), {**new_data(), "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "How to sew your kit: Scrub trousers, size S" in page
    assert not Pattern.objects.exists()


def test_another_hubs_staff_change_only_their_own_hubs_pattern(world, client_for):
    ours = factories.PatternFactory(hub=world.hub, garment_type="top", size="M", name="Ours")
    other = client_for("other_hub_staff")
    page = other.get(edit_url()).content.decode()
    assert "Ours" not in page
    other.post(edit_url(), pattern_data(name="Fife top"))
    ours.refresh_from_db()
    assert ours.name == "Ours"
    assert Pattern.objects.get(hub=world.other_hub).name == "Fife top"
