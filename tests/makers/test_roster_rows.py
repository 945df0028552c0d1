"""The roster's row presenter and the maker facts every list of makers shows: each value is
what the page shows, built in Python so the templates only print them."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from dropoffs.models import Point
from makers.guardian_services import GuardianStatus
from makers.models import Maker
from makers.staff_selectors import maker_facts, roster_rows
from tests import factories


def _maker(**fields) -> Maker:
    fields = {
        "pk": 42,
        "name": "Ann Smith",
        "phone": "07700 900123",
        "postcode": "DD1 4HN",
        "status": Maker.Status.APPROVED,
        "sets_per_week": 1,
        "kits_held": 0,
        **fields,
    }
    free = fields.pop("free_garments", 2)
    maker = Maker(**fields)
    maker.free_garments = free
    return maker


def test_a_maker_on_the_roster_reads_as_the_page_shows_it():
    (row,) = roster_rows([_maker()])
    assert row.name == "Ann Smith"
    assert row.url == reverse("makers:staff_maker", args=[42])
    assert row.load == "1 set a week · 0 kits now · room for 2 more garments"


@pytest.mark.parametrize(
    ("fields", "load"),
    [
        (
            {"sets_per_week": 3, "kits_held": 1, "free_garments": 1},
            "3 sets a week · 1 kit now · room for 1 more garment",
        ),
        (
            {"sets_per_week": 1, "kits_held": 2, "free_garments": 0},
            "1 set a week · 2 kits now · no room now",
        ),
        (
            {"away_until": date(2026, 3, 5)},
            "1 set a week · 0 kits now · room for 2 more garments · away until 5 March",
        ),
    ],
)
def test_the_counts_read_as_english(fields, load):
    (row,) = roster_rows([_maker(**fields)])
    assert row.load == load


@pytest.mark.parametrize("status", [*Maker.Status.values, "not-a-status"])
def test_the_facts_show_each_choice_as_its_label(status):
    maker = _maker(status=status, age_band=Maker.AgeBand.OVER_70)
    facts = maker_facts(maker)
    assert facts.status == maker.get_status_display()
    assert facts.about.startswith(f"{maker.get_age_band_display()} · ")


def test_the_facts_say_what_a_young_makers_guardian_has_said():
    waiting, refused, agreed = (_maker(), _maker(), _maker())
    waiting.guardian_status = GuardianStatus.WAITING
    refused.guardian_status = GuardianStatus.REFUSED
    agreed.guardian_status = GuardianStatus.AGREED
    assert maker_facts(waiting).guardian == "Waiting for a parent or guardian to agree"
    assert maker_facts(refused).guardian == "Parent or guardian did not agree"
    assert maker_facts(agreed).guardian == ""
    assert maker_facts(_maker()).guardian == ""  # a maker read without the annotation


def test_the_facts_list_machine_point_and_doorstep():
    maker = _maker(
        experience=Maker.Experience.BEGINNER,
        has_sewing_machine=False,
        preferred_point=Point(name="Church hall"),
        needs_doorstep_collection=True,
    )
    facts = maker_facts(maker)
    assert facts.about.endswith(f"{maker.get_experience_display()} · no sewing machine")
    assert facts.place == "DD1 4HN · Church hall · doorstep"
    assert (facts.phone, facts.tel) == ("07700 900123", "07700900123")
    assert maker_facts(_maker(phone="")).place == "DD1 4HN"


def test_the_facts_tag_escapes_what_people_typed():
    maker = _maker(postcode="<b>DD1</b>", preferred_point=Point(name="<i>Hall</i>"))
    html = Template("{% load maker_facts %}{% maker_facts maker %}").render(
        Context({"maker": maker})
    )
    assert "&lt;b&gt;DD1&lt;/b&gt; · &lt;i&gt;Hall&lt;/i&gt;" in html
    assert '<a href="tel:07700900123">07700 900123</a>' in html
    assert '<span class="status-tag">Approved</span>' in html


@pytest.mark.django_db
def test_roster_rows_escape_names_and_show_each_makers_facts(world, client_for):
    point = factories.PointFactory(hub=world.hub, name="<i>Church hall</i>")
    factories.MakerFactory(
        hub=world.hub,
        name="<script>alert(1)</script>",
        phone="07700 900123",
        preferred_point=point,
        sets_per_week=1,
    )
    response = client_for("hub_staff").get(reverse("makers:staff_roster"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;Church hall&lt;/i&gt;" in html
    assert "<script>alert" not in html
    assert 'href="tel:07700900123"' in html
    assert "1 set a week" in html
