"""`{% jinja2 %}` fragments: the long lists' rows rendered by Jinja2 inside Django pages.
They must escape what people typed, translate and pluralise as Django's tags do, and show
dates in the hub's local time as Django's `|date` does."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template, engines
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from makers.models import Maker
from tests import factories


def jinja(source: str, **values) -> str:
    return engines["jinja2"].from_string(source).render(values)


def test_values_in_translated_sentences_are_escaped():
    html = jinja("{% trans name=who %}Give to {{ name }}{% endtrans %}", who="<b>Ann</b>")
    assert html == "Give to &lt;b&gt;Ann&lt;/b&gt;"


@pytest.mark.parametrize(("n", "expected"), [(1, "1 kit now"), (3, "3 kits now")])
def test_plurals_follow_the_number(n, expected):
    source = "{% trans n=n %}{{ n }} kit now{% pluralize %}{{ n }} kits now{% endtrans %}"
    assert jinja(source, n=n) == expected


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night the clocks go forward
        datetime(2026, 7, 1, 23, 30, tzinfo=UTC),  # summer time: already the next day here
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_dates_read_as_django_shows_them(moment):
    django_date = Template('{{ moment|date:"l j F, H:i" }}').render(Context({"moment": moment}))
    assert jinja('{{ moment|date("l j F, H:i") }}', moment=moment) == django_date


def test_urls_are_reversed_with_their_arguments():
    assert jinja("{{ url('hubs:kit_label', 'ABC1234') }}") == reverse(
        "hubs:kit_label", args=["ABC1234"]
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("makers:staff_maker", 7),
        ("makers:staff_maker", 1234567890123),
        ("makers:staff_maker", "42"),
        ("makers:staff_maker", 0),
        ("hubs:kit_label", "ABC1234"),
        ("hubs:kit_label", "7305917"),  # the key the helper reverses with
        ("hubs:kit_label", "a b?c&d"),  # reverse() quotes these: so must the rows
        ("hubs:kit_label", "é"),
        ("hubs:allocate_kit", "K9"),
        ("dropoffs:kit", 12),
    ],
)
def test_url_each_gives_what_url_gives(name, key):
    html = jinja("{% set row_url = url_each(name) %}{{ row_url(key) }}", name=name, key=key)
    assert html == str(escape(reverse(name, args=[key])))


def test_url_each_refuses_what_reverse_refuses():
    with pytest.raises(NoReverseMatch):
        jinja("{% set row_url = url_each('makers:staff_maker') %}{{ row_url('ABC') }}")
    with pytest.raises(NoReverseMatch):
        jinja("{% set row_url = url_each('makers:staff_maker') %}{{ row_url(True) }}")


@pytest.mark.parametrize("status", [*Maker.Status.values, "not-a-status"])
def test_display_shows_what_django_shows_for_a_choice(status):
    maker = Maker(status=status, age_band=Maker.AgeBand.OVER_70)
    assert jinja('{{ m|display("status") }}', m=maker) == maker.get_status_display()
    assert jinja('{{ m|display("age_band") }}', m=maker) == maker.get_age_band_display()


def test_the_tag_puts_the_escaped_fragment_into_the_page():
    page = Template(
        '{% load jinja2_fragments %}<main>{% jinja2 "hubs/allocate_reasons.html" '
        "suggestion=suggestion %}</main>"
    )
    reason = SimpleNamespace(good=False, text="<script>alert(1)</script> lives far away")
    html = page.render(Context({"suggestion": SimpleNamespace(reasons=[reason])}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lives far away" in html
    assert "<script>" not in html
    assert html.startswith('<main><ul class="alloc-reasons">')


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
