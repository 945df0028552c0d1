"""Taking out what others need (issue 23): the hub's downloads (deliveries, demand, stock,
kits, impact) and its printable report, and the laundry's downloads and report.

What must hold: each says what the pages say (the same selectors), each is scoped to the
viewer's own hub or hospital, no cell runs as a formula in a spreadsheet, no laundry export
carries a maker's personal data, and each costs the same queries at 2 rows as at 20.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from makers.models import Maker
from packages import services
from packages.models import Delivery, DemandLine, HubDayTally
from packages.selectors import delivered_figures
from scrubhub.audit.models import AuditEvent
from scrubhub.exports import csv_cell
from scrubhub.hubs.selectors import dashboard_for_hub
from tests import factories
from tests.hubs.helpers import kits_at
from tests.querycount import queries_for

STAFF_EXPORTS = [
    "hubs:export_deliveries",
    "hubs:export_demand",
    "hubs:export_stock",
    "hubs:export_kits",
    "hubs:export_impact",
]
LAUNDRY_EXPORTS = ["packages:laundry_export_deliveries", "packages:laundry_export_demand"]


def download(client, name: str, **params) -> tuple[list[dict], str]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, response.status_code)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text))), text


def export_queries(client, url: str) -> int:
    """The queries of one download, read to its last line (the rows are read as it streams)."""
    b"".join(client.get(url).streaming_content)  # the session's first save does not count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(captured.captured_queries)


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def maker(world):
    return Maker.objects.get(user=world.user("maker"))


def _sent_days_ago(delivery: Delivery, days: int) -> None:
    moment = timezone.now() - timedelta(days=days)
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=moment, created_at=moment)


# --- The shared cell rule ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["=1+1", "+44 7700 900123", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_plain_text(typed):
    assert csv_cell(typed) == "'" + typed


def test_numbers_dates_and_yes_no_are_written_as_themselves():
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5
    assert csv_cell(None) == "" and csv_cell(True) == "yes" and csv_cell(False) == "no"
    assert csv_cell(date(2026, 3, 1)) == "2026-03-01"
    assert csv_cell("Ninewells") == "Ninewells"


# --- Staff: what each download holds ---------------------------------------------------------


def test_deliveries_download_has_a_row_per_garment_and_size(world, staff, client_for):
    delivery = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("trousers", "L", 4)),
        received=[4, 4],
        discrepancy_note="=1+1 one top short",
        laundry_user=world.user("laundry"),
    )
    line = delivery.lines.get(garment_type="top")
    services.wash_failure_report(
        delivery=delivery, line=line, count=2, reason="seams", actor=world.user("laundry")
    )
    rows, _text = download(client_for("hub_staff"), "hubs:export_deliveries")
    assert [(r["Garment"], r["Size"]) for r in rows] == [
        ("Scrub top", "M"),
        ("Scrub trousers", "L"),
    ]
    top = rows[0]
    assert top["Delivery"] == delivery.reference
    assert top["Hospital"] == "Ninewells Hospital"
    assert top["Status"] == "Received"
    assert (top["Quantity sent"], top["Quantity received"]) == ("5", "4")
    assert top["Difference (received less sent)"] == "-1"
    assert top["Failed in the wash"] == "2"
    assert top["Sent on"] == timezone.localdate(delivery.sent_at).isoformat()
    assert top["Received on"] == timezone.localdate(delivery.received_at).isoformat()
    assert top["Laundry's note on the numbers"] == "'=1+1 one top short"


def test_deliveries_download_keeps_to_the_dates_chosen(world, staff, client_for):
    old = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    new = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    _sent_days_ago(old, 40)
    _sent_days_ago(new, 2)
    client = client_for("hub_staff")
    today = timezone.localdate()
    start = (today - timedelta(days=10)).isoformat()
    rows, _text = download(client, "hubs:export_deliveries", start=start)
    assert {r["Delivery"] for r in rows} == {new.reference}
    rows, _text = download(client, "hubs:export_deliveries", end=start)
    assert {r["Delivery"] for r in rows} == {old.reference}
    # The dates typed the wrong way round mean the same range.
    rows, _text = download(client, "hubs:export_deliveries", start=today.isoformat(), end=start)
    assert {r["Delivery"] for r in rows} == {new.reference}
    # A date that is no date is left out, never an error.
    rows, _text = download(client, "hubs:export_deliveries", start="31/31/0001", end="\x00")
    assert {r["Delivery"] for r in rows} == {new.reference, old.reference}


def test_demand_download_says_what_was_asked_delivered_and_still_needed(
    world, staff, maker, client_for
):
    laundry = world.user("laundry")
    open_line = factories.demand(
        hospital=world.hospital,
        size="M",
        quantity=20,
        actor=laundry,
        needed_by=timezone.localdate() + timedelta(days=30),
        requirements="@ties not elastic",
    )
    met = factories.demand(hospital=world.hospital, size="S", quantity=3, actor=laundry)
    factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("top", "S", 3)),
        laundry_user=laundry,
    )
    factories.demand(hospital=world.other_hospital, quantity=7, actor=world.user("other_laundry"))
    rows, _text = download(client_for("hub_staff"), "hubs:export_demand")
    by_id = {int(r["Request"]): r for r in rows}
    assert set(by_id) == {open_line.pk, met.pk}  # not the other hub's hospital's
    row = by_id[open_line.pk]
    assert (row["Garment"], row["Size"], row["Quantity asked for"]) == ("Scrub top", "M", "20")
    assert row["Hospital"] == "Ninewells Hospital"
    assert row["Needed by"] == open_line.needed_by.isoformat()
    assert (row["Status"], row["Met"]) == ("Open", "no")
    assert row["Delivered (received by the laundry)"] == "5"
    assert (row["Still needed"], row["Being packed"], row["On the way"]) == ("15", "0", "0")
    assert row["Late"] in ("yes", "no")
    assert row["Must have"] == "'@ties not elastic"
    met.refresh_from_db()
    assert met.status == DemandLine.Status.MET
    assert (by_id[met.pk]["Status"], by_id[met.pk]["Met"]) == ("Met", "yes")
    assert by_id[met.pk]["Still needed"] == "0"


def test_stock_download_lists_fabric_lots_and_precut_pieces(world, staff, client_for):
    factories.FabricLotFactory(hub=world.hub, supplier="+Tay Mill", colour="Navy")
    factories.prepared_kits(hub=world.hub, size="L", kit_count=2, garments=5, actor=staff)
    factories.FabricLotFactory(hub=world.other_hub, supplier="Fife Mill")
    rows, _text = download(client_for("hub_staff"), "hubs:export_stock")
    fabric = [r for r in rows if r["Stock"] == "Fabric"]
    pieces = [r for r in rows if r["Stock"] == "Pre-cut pieces"]
    assert [r["From (supplier or who cut it)"] for r in fabric] == ["'+Tay Mill"]
    assert (fabric[0]["Received"], fabric[0]["Left"], fabric[0]["Unit"]) == (
        "100.00",
        "100.00",
        "metres",
    )
    assert fabric[0]["Approved for hospital washing"] == "yes"
    assert [(r["Garment"], r["Size"], r["Received"], r["Left"]) for r in pieces] == [
        ("Scrub top", "L", "10", "0")
    ]
    assert pieces[0]["Drawn into kits"] == "10"


def test_kits_download_names_the_holder_only_and_is_audited(world, staff, maker, client_for):
    allocated, shelf = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    services.kit_allocate(kit=allocated, maker=maker, actor=staff)
    Maker.objects.filter(pk=maker.pk).update(name="=HYPERLINK(1)")
    rows, text = download(client_for("hub_staff"), "hubs:export_kits")
    by_code = {r["Kit"]: r for r in rows}
    assert set(by_code) == {allocated.display_code, shelf.display_code}
    assert by_code[allocated.display_code]["Who has it"] == "'=HYPERLINK(1)"
    assert by_code[allocated.display_code]["Status"] == "Allocated"
    assert by_code[shelf.display_code]["Where the garments are"] == "In a kit at the hub: 5"
    assert by_code[shelf.display_code]["Prepared on"] == timezone.localdate().isoformat()
    # The holder's name, never how to reach her.
    assert maker.email not in text and maker.phone not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.hub, event.detail) == (staff, world.hub, "Kits CSV (all)")
    # The kits list's views: the same kits the page shows.
    rows, _text = download(client_for("hub_staff"), "hubs:export_kits", show="prepared")
    assert [r["Kit"] for r in rows] == [shelf.display_code]


def test_the_current_week_in_the_impact_download_is_the_dashboards_week(
    world, staff, maker, client_for
):
    kits_at(world, staff, maker, stage="passed", count=2)
    kits_at(world, staff, maker, stage="awaiting_check", size="L")
    factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("trousers", "M", 5)),
        maker=maker,
    )
    rows, _text = download(client_for("hub_staff"), "hubs:export_impact", period="week")
    week = dashboard_for_hub(hub=world.hub).week
    this_week = rows[-1]
    assert this_week["From"] == week.starts_on.isoformat()
    assert int(this_week["Garments handed in"]) == week.returned == 25
    assert int(this_week["Garments passed the check"]) == week.passed == 20
    assert int(this_week["Garments the laundry confirmed (as sent)"]) == week.delivered == 10
    assert this_week["Sets the laundry confirmed (as sent)"] == "5"
    assert this_week["Deliveries sent"] == "1"
    assert this_week["Kits prepared"] == "5"
    assert this_week["Makers and groups given a kit"] == "1"  # five kits, one maker


def test_impact_by_month_adds_up_each_month(world, staff, maker, client_for):
    kits_at(world, staff, maker, stage="passed", count=1)
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    last_month = first_of_month - timedelta(days=20)
    HubDayTally.objects.create(
        hub=world.hub, day=last_month, garment_type="top", size="S", handed_in=7, passed=6
    )
    rows, _text = download(
        client_for("hub_staff"),
        "hubs:export_impact",
        period="month",
        start=last_month.isoformat(),
        end=today.isoformat(),
    )
    assert [r["From"] for r in rows] == [
        last_month.replace(day=1).isoformat(),
        first_of_month.isoformat(),
    ]
    assert [(r["Garments handed in"], r["Garments passed the check"]) for r in rows] == [
        ("7", "6"),
        ("5", "5"),
    ]


def test_the_hub_report_shows_the_dashboards_figures(world, staff, maker, client_for):
    kits_at(world, staff, maker, stage="passed", count=2, garment_type="trousers")
    laundry = world.user("laundry")
    factories.demand(hospital=world.hospital, garment_type="trousers", quantity=30, actor=laundry)
    factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("trousers", "M", 5)),
        received=[5, 4],
        discrepancy_note="One short",
        laundry_user=laundry,
    )
    factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="sent")
    client = client_for("hub_staff")
    dashboard = client.get(reverse("hubs:dashboard")).context["board"]
    response = client.get(reverse("hubs:report"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.week.in_all == dashboard.week.in_all == delivered_figures(hub=world.hub)
    assert report.week.active_makers == dashboard.week.active_makers
    assert report.plan == dashboard.plan and report.plan_totals == dashboard.totals
    assert report.stock == dashboard.stock
    page = response.content.decode()
    assert "Tayside Scrub Hub: hub report" in page
    assert "data-print" in page
    for name in STAFF_EXPORTS:
        assert reverse(name) in page
    assert len(report.deliveries) == 2
    assert [row.line.garment_type for row in report.requests] == ["trousers"]


# --- Scoping ---------------------------------------------------------------------------------


def test_another_hubs_staff_get_their_own_hub_never_hub_a(world, staff, maker, client_for):
    delivery = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    factories.demand(hospital=world.hospital, actor=world.user("laundry"))
    factories.FabricLotFactory(hub=world.hub, supplier="Tay Mill only")
    kits_at(world, staff, maker, stage="allocated")
    other = client_for("other_hub_staff")
    for name in STAFF_EXPORTS:
        _rows, text = download(other, name)
        assert delivery.reference not in text, name
        assert "Ninewells" not in text and "Tay Mill only" not in text, name
        assert maker.name not in text, name
    page = other.get(reverse("hubs:report")).content.decode()
    assert delivery.reference not in page and "Ninewells" not in page


def test_staff_downloads_are_not_for_the_laundry_makers_or_drivers(world, client_for):
    for persona in ("laundry", "maker", "driver", "point_helper"):
        client = client_for(persona)
        for name in [*STAFF_EXPORTS, "hubs:report"]:
            assert client.get(reverse(name)).status_code == 403, (persona, name)
    assert not AuditEvent.objects.exists()


def test_laundry_downloads_are_only_their_own_hospitals(world, staff, client_for):
    ours = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    draft = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="draft")
    theirs = factories.delivery(
        hub=world.other_hub, hospital=world.other_hospital, actor=world.user("other_hub_staff")
    )
    our_request = factories.demand(hospital=world.hospital, actor=world.user("laundry"))
    factories.demand(hospital=world.other_hospital, actor=world.user("other_laundry"))
    rows, _text = download(client_for("laundry"), "packages:laundry_export_deliveries")
    assert {r["Delivery"] for r in rows} == {ours.reference}  # nothing still being packed
    assert draft.reference not in _text and theirs.reference not in _text
    assert "Packing started" not in rows[0]
    rows, _text = download(client_for("laundry"), "packages:laundry_export_demand")
    assert [int(r["Request"]) for r in rows] == [our_request.pk]
    assert "Being packed" not in rows[0]
    rows, _text = download(client_for("other_laundry"), "packages:laundry_export_deliveries")
    assert {r["Delivery"] for r in rows} == {theirs.reference}
    for name in [*LAUNDRY_EXPORTS, "packages:laundry_report"]:
        assert client_for("hub_staff").get(reverse(name)).status_code == 403


# --- The laundry never gets a maker's personal data -------------------------------------------


def test_no_laundry_export_or_report_holds_a_makers_personal_data(world, staff, client_for):
    laundry = world.user("laundry")
    makers = [
        factories.MakerFactory(
            hub=world.hub,
            name=f"Distinct Sewer{n}",
            email=f"sewer{n}@example.net",
            phone=f"07700 90012{n}",
            postcode=f"DD{n} 9ZZ",
        )
        for n in range(3)
    ]
    group = factories.MakerGroupFactory(
        hub=world.hub, name="Broughty Stitchers", leader_name="Lena Leader"
    )
    factories.demand(hospital=world.hospital, quantity=40, actor=laundry)
    for who in makers[:2]:
        delivery = factories.delivery(
            hub=world.hub,
            hospital=world.hospital,
            actor=staff,
            status="received",
            maker=who,
            laundry_user=laundry,
        )
    factories.passed_kit(hub=world.hub, group=group, actor=staff)
    kit = delivery.lines.get().allocations.get().kit
    services.wash_failure_report(
        delivery=delivery,
        line=delivery.lines.get(),
        count=1,
        reason="seams",
        kit_code=kit.code,
        actor=laundry,
    )
    factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="sent", maker=makers[2]
    )
    personal = set()
    for maker in Maker.objects.all():
        personal |= {v for v in (maker.name, maker.email, maker.phone, maker.postcode) if v}
    personal |= {group.name, group.leader_name, group.leader_contact}
    client = client_for("laundry")
    texts = {name: download(client, name)[1] for name in LAUNDRY_EXPORTS}
    texts["packages:laundry_report"] = client.get(
        reverse("packages:laundry_report")
    ).content.decode()
    assert delivery.reference in texts["packages:laundry_export_deliveries"]
    for name, text in texts.items():
        found = sorted(value for value in personal if value in text)
        assert not found, f"{name} holds makers' personal data: {found}"


# --- Fixed queries at any size ---------------------------------------------------------------


def _grow(build, count_rows):
    """grow_to(n): calls build() until count_rows() reaches n."""

    def grow_to(n: int) -> None:
        while count_rows() < n:
            build()

    return grow_to


def _same_export_queries(client, url: str, grow_to) -> int:
    grow_to(2)
    small = export_queries(client, url)
    grow_to(20)
    large = export_queries(client, url)
    assert small == large, f"{url}: {small} queries at 2 rows, {large} at 20"
    return large


def test_each_staff_download_costs_the_same_queries_at_2_and_20_rows(world, staff, maker):
    from django.test import Client

    client = Client()
    client.force_login(staff)
    from packages.models import FabricLot, Kit

    # Kits first: every delivery below brings kits of its own.
    kits = _grow(
        lambda: kits_at(world, staff, maker, stage="with_maker"),
        lambda: Kit.objects.filter(hub=world.hub).count(),
    )
    _same_export_queries(client, reverse("hubs:export_kits"), kits)

    lots = _grow(
        lambda: factories.FabricLotFactory(hub=world.hub),
        lambda: FabricLot.objects.filter(hub=world.hub).count(),
    )
    _same_export_queries(client, reverse("hubs:export_stock"), lots)

    requests = _grow(
        lambda: factories.demand(hospital=world.hospital, quantity=3, actor=world.user("laundry")),
        lambda: DemandLine.objects.filter(hospital=world.hospital).count(),
    )
    _same_export_queries(client, reverse("hubs:export_demand"), requests)

    sizes = iter(["XS", "S", "M", "L", "XL", "2XL", "3XL"] * 4)
    deliveries = _grow(
        lambda: factories.delivery(
            hub=world.hub,
            hospital=world.hospital,
            actor=staff,
            status="received",
            sizes=(("top", next(sizes), 1),),
        ),
        lambda: Delivery.objects.filter(hub=world.hub).count(),
    )
    _same_export_queries(client, reverse("hubs:export_deliveries"), deliveries)

    today = timezone.localdate()
    url = reverse("hubs:export_impact")
    for period, days in (("week", 7), ("month", 31)):
        small = export_queries(
            client, f"{url}?period={period}&start={today - timedelta(days=days):%Y-%m-%d}"
        )
        large = export_queries(
            client, f"{url}?period={period}&start={today - timedelta(days=20 * days):%Y-%m-%d}"
        )
        assert small == large, period


def test_each_laundry_download_and_report_costs_the_same_queries_at_2_and_20_rows(
    world, staff, client_for
):
    client = client_for("laundry")
    laundry = world.user("laundry")

    deliveries = _grow(
        lambda: factories.delivery(
            hub=world.hub, hospital=world.hospital, actor=staff, laundry_user=laundry
        ),
        lambda: Delivery.objects.filter(hospital=world.hospital).count(),
    )
    _same_export_queries(client, reverse("packages:laundry_export_deliveries"), deliveries)
    requests = _grow(
        lambda: factories.demand(hospital=world.hospital, quantity=3, actor=laundry),
        lambda: DemandLine.objects.filter(hospital=world.hospital).count(),
    )
    _same_export_queries(client, reverse("packages:laundry_export_demand"), requests)


def test_the_reports_cost_the_same_queries_at_2_and_20_deliveries(world, staff, client_for):
    laundry = world.user("laundry")
    factories.demand(hospital=world.hospital, quantity=500, actor=laundry)
    grow_to = _grow(
        lambda: factories.delivery(
            hub=world.hub,
            hospital=world.hospital,
            actor=staff,
            status="received",
            laundry_user=laundry,
        ),
        lambda: Delivery.objects.filter(hub=world.hub).count(),
    )
    pages = [
        (client_for("hub_staff"), reverse("hubs:report")),
        (client_for("laundry"), reverse("packages:laundry_report")),
    ]
    grow_to(2)
    small = []
    for client, url in pages:
        client.get(url)  # the session's first save does not count
        small.append(len(queries_for(client, url)))
    grow_to(20)
    large = [len(queries_for(client, url)) for client, url in pages]
    assert small == large


# --- Where people find them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "page", "link"),
    [
        ("hub_staff", "packages:hub_deliveries", "hubs:export_deliveries"),
        ("hub_staff", "hubs:plan", "hubs:export_demand"),
        ("hub_staff", "hubs:stock", "hubs:export_stock"),
        ("hub_staff", "hubs:kits", "hubs:export_kits"),
        ("hub_staff", "hubs:dashboard", "hubs:report"),
        ("laundry", "packages:laundry_deliveries", "packages:laundry_export_deliveries"),
        ("laundry", "packages:laundry_demand", "packages:laundry_export_demand"),
        ("laundry", "packages:laundry_home", "packages:laundry_report"),
    ],
)
def test_pages_link_to_their_download(world, client_for, persona, page, link):
    html = client_for(persona).get(reverse(page)).content.decode()
    assert f'href="{reverse(link)}' in html
    if link != "hubs:report" and page != "packages:laundry_home":
        assert "Download as a spreadsheet (CSV)" in html
