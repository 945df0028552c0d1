"""The row presenters of the kits list and the allocation page: each row's values are what
the page shows, built in Python so the templates only print them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from dropoffs.models import Point
from makers.models import Maker, MakerGroup
from packages.allocation import Candidate, KitRow, Reason, Suggestion, shelf_rows
from packages.models import Kit, KitAssignment
from scrubhub.hubs.selectors import kit_list_rows
from tests import factories
from tests.hubs.helpers import kits_at


def _kit(**fields) -> Kit:
    fields = {
        "code": "ABC1234",
        "garment_type": "top",
        "garment_count": 5,
        "size": "M",
        "status": Kit.Status.PREPARED,
        "created_at": datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        **fields,
    }
    kit = Kit(**fields)
    kit.open_assignments = []
    return kit


def test_a_kit_on_the_shelf_reads_as_the_list_shows_it():
    (row,) = kit_list_rows([_kit()])
    assert row.code == "ABC-1234"
    assert row.garments == "5 scrub tops, size M"
    assert row.where == "Prepared"
    assert row.since == ""
    assert row.holders == ()
    assert row.label_url == reverse("hubs:kit_label", args=["ABC1234"])
    assert row.label_for == "for kit ABC-1234"


def test_a_kit_given_out_says_where_it_waits_and_who_has_it():
    kit = _kit(status=Kit.Status.ALLOCATED, collection_point=Point(name="Church hall"))
    maker = Maker(name="Ann Smith", phone="07700 900123")
    kit.open_assignments = [KitAssignment(maker=maker)]
    (row,) = kit_list_rows([kit])
    assert row.where == "Allocated: waiting at Church hall"
    assert [(h.name, h.phone, h.tel) for h in row.holders] == [
        ("Ann Smith", "07700 900123", "07700900123")
    ]


def test_a_group_holds_a_kit_with_no_phone_to_show():
    kit = _kit(status=Kit.Status.WITH_MAKER, collected_at=datetime(2026, 11, 30, 9, tzinfo=UTC))
    kit.open_assignments = [KitAssignment(group=MakerGroup(name="Tuesday sewing circle"))]
    (row,) = kit_list_rows([kit])
    assert [(h.name, h.phone) for h in row.holders] == [("Tuesday sewing circle", "")]


@pytest.mark.parametrize(
    ("collected", "day"),
    [
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "29 Mar"),  # the night the clocks go forward
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "2 Jul"),  # summer time: the next day here
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "31 Dec"),
    ],
)
def test_the_day_a_kit_was_collected_is_the_hubs_own_day(collected, day):
    (row,) = kit_list_rows([_kit(status=Kit.Status.WITH_MAKER, collected_at=collected)])
    assert row.since.startswith(f"since {day} (")


def test_the_rows_template_escapes_what_people_typed_and_prints_a_dash_for_nobody():
    kit = _kit(status=Kit.Status.ALLOCATED, collection_point=Point(name="<i>Hall</i>"))
    kit.open_assignments = [KitAssignment(maker=Maker(name="<script>x</script>", phone="1 2"))]
    html = render_to_string("backoffice/kits/kit_rows.html", {"rows": kit_list_rows([kit, _kit()])})
    assert "waiting at &lt;i&gt;Hall&lt;/i&gt;" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert '<a href="tel:12">1 2</a>' in html
    assert "<td>—</td>" in html
    assert f'<a href="{reverse("hubs:kit_label", args=["ABC1234"])}">Print label' in html


def _suggested(kit: Kit, *, kind: str = "maker", name: str = "Ann Smith") -> KitRow:
    candidate = Candidate(
        kind=kind, pk=7, name=name, capacity=2, held=0, last_given=None, asked_at=None
    )
    reasons = [Reason("Has room for 2 more kits"), Reason("Lives 30 km away", good=False)]
    return KitRow(kit=kit, suggestion=Suggestion(candidate=candidate, score=1.0, reasons=reasons))


def test_a_kit_on_the_allocation_page_reads_as_the_page_shows_it():
    (row,) = shelf_rows([_suggested(_kit())])
    assert (row.code, row.display_code) == ("ABC1234", "ABC-1234")
    assert row.garments == "5 scrub tops, size M"
    assert row.made_up == "Made up 30 Nov"
    assert row.url == reverse("hubs:allocate_kit", args=["ABC1234"])
    assert row.for_kit == "kit ABC-1234"
    assert (row.suggested, row.is_group, row.key) == ("Ann Smith", False, "m7")
    assert row.give == "Give to Ann Smith"
    assert row.tick == "Tick kit ABC-1234 to give it to Ann Smith with the others"
    assert [(r.text, r.good) for r in row.reasons] == [
        ("Has room for 2 more kits", True),
        ("Lives 30 km away", False),
    ]


def test_a_group_is_suggested_by_its_key():
    (row,) = shelf_rows([_suggested(_kit(), kind="group", name="Tuesday circle")])
    assert (row.is_group, row.key) == (True, "g7")


def test_a_kit_nobody_has_room_for_still_links_to_its_page():
    (row,) = shelf_rows([KitRow(kit=_kit(), suggestion=None)])
    assert (row.suggested, row.key, row.give, row.tick, row.reasons) == ("", "", "", "", [])
    html = render_to_string("backoffice/allocation/allocate_rows.html", {"rows": [row]})
    assert "Nobody has room for another kit at the moment." in html
    assert f'href="{row.url}">Choose someone anyway' in html
    assert 'name="kit"' not in html


def test_the_reasons_escape_what_people_typed_and_say_which_way_each_counts():
    rows = shelf_rows([_suggested(_kit(), name="<b>Ann</b>")])
    rows[0].reasons.append(Reason("<script>alert(1)</script> lives far away", good=False))
    html = render_to_string("backoffice/allocation/allocate_rows.html", {"rows": rows})
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lives far away" in html
    assert "<script>" not in html and "<b>Ann</b>" not in html
    assert "Give to &lt;b&gt;Ann&lt;/b&gt;" in html
    assert '<li class="reason-for"><span class="reason-mark" aria-hidden="true">✓</span>' in html
    assert '<span class="visually-hidden">Against: </span>' in html


@pytest.mark.django_db
def test_the_kits_page_prints_each_kits_row(world, client_for):
    maker = factories.MakerFactory(hub=world.hub, name="<b>Ann</b>", phone="07700 900123")
    (kit,) = kits_at(world, world.user("hub_staff"), maker, stage="with_maker", garments=2)
    html = client_for("hub_staff").get(reverse("hubs:kits") + "?show=with_maker").content.decode()
    assert f'<th scope="row" class="kit-code">{kit.display_code}</th>' in html
    assert "<td>2 scrub tops, size M</td>" in html
    assert 'With maker<br><span class="small">since ' in html
    assert '&lt;b&gt;Ann&lt;/b&gt;<br><a href="tel:07700900123">07700 900123</a>' in html
    assert f'<a href="{reverse("hubs:kit_label", args=[kit.code])}">Print label' in html
