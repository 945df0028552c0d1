"""The hub staff pages end to end through the test client: what people see, what a POST
changes, and that bad input changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from makers.models import KitProblem
from packages.models import Donation, FabricLot, Kit, PrecutStock
from scrubhub.hubs.forms import ConfirmForm, GoodsInForm, ShiftNoteForm
from scrubhub.hubs.models import KitBatch, ShiftNote
from tests import factories
from tests.hubs.helpers import kits_at
from tests.once import token


@pytest.fixture
def staff_client(client_for):
    return client_for("hub_staff")


def _prepare_data(stock):
    return {
        "garment_type": "top",
        "size": "M",
        "garments_per_kit": "5",
        "kit_count": "3",
        "stock": f"precut-{stock.pk}",
    }


def test_dashboard_shows_what_needs_doing_and_demand(world, staff, maker, staff_client):
    from packages import services

    services.demand_record(
        hospital=world.hospital, garment_types=["top"], quantities={"M": 60}, actor=staff
    )
    kits_at(world, staff, maker, stage="allocated", count=2)
    (checked,) = kits_at(world, staff, maker, stage="awaiting_check")
    KitProblem.objects.create(maker=maker, kit=checked, kind="missing_pieces")
    other_maker = factories.MakerFactory(hub=world.other_hub)
    (theirs,) = factories.prepared_kits(hub=world.other_hub)
    KitProblem.objects.create(maker=other_maker, kit=theirs, kind="other")
    response = staff_client.get(reverse("hubs:dashboard"))
    text = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'todo-count">1</span>\s*<span class="todo-text">\s*problem reported', text)
    assert re.search(r'todo-count">2</span>\s*<span class="todo-text">\s*kits given out', text)
    assert re.search(r'todo-count">5</span>\s*<span class="todo-text">\s*garments waiting', text)
    assert f'href="{reverse("hubs:kits")}?show=allocated"' in text
    assert "Scrub top M" in text
    # Each bar under its label, which is page text (as large as the rest on a phone).
    assert '<span class="chart-label">Scrub top M</span>' in text
    assert 'class="chart-bar"' in text
    # The chart draws with classes; the page has no inline style anywhere (CSP).
    assert "style=" not in text


def test_dashboard_chart_coordinates_are_numbers_in_any_language(
    world, staff, maker, staff_client, settings
):
    """A language with a decimal comma must not turn "200.5" into "200,5" in the SVG."""
    from packages import services

    services.demand_record(
        hospital=world.hospital, garment_types=["top"], quantities={"M": 7}, actor=staff
    )
    kits_at(world, staff, maker, stage="allocated", count=1)
    settings.LANGUAGE_CODE = "de"
    text = staff_client.get(reverse("hubs:dashboard")).content.decode()
    chart = text[text.index('<ul class="chart-rows"') : text.index('<ul class="chart-legend"')]
    coordinates = re.findall(r' (?:x|y|x1|x2|width|height)="([^"]*)"', chart)
    assert "285.7" in coordinates  # 5 of 7 garments in the hub's hands, on a 400-wide bar
    assert all(re.fullmatch(r"[0-9.]+", value) for value in coordinates), coordinates


def test_hub_switcher_changes_the_hub_the_pages_show(world, client):
    from scrubhub.hubs.models import Membership, Role

    both = factories.UserFactory(username="both")
    Membership.objects.create(user=both, role=Role.HUB_STAFF, hub=world.hub)
    Membership.objects.create(user=both, role=Role.COORDINATOR, hub=world.other_hub)
    client.force_login(both)
    assert "Fife Scrub Hub: dashboard" in client.get(reverse("hubs:dashboard")).content.decode()
    response = client.post(reverse("hubs:switch"), {"hub": world.hub.pk, "next": "/hub/plan/"})
    assert response.headers["Location"] == "/hub/plan/"
    assert "Tayside Scrub Hub: dashboard" in client.get(reverse("hubs:dashboard")).content.decode()


def test_shift_note_is_left_for_the_next_shift(world, staff_client):
    response = staff_client.post(
        reverse("hubs:shift_note_add"), {"text": "Bag of ties by door"} | token(ShiftNoteForm)
    )
    assert response.status_code == 302
    assert "Bag of ties by door" in staff_client.get(reverse("hubs:dashboard")).content.decode()
    assert ShiftNote.objects.get().hub == world.hub


def test_empty_shift_note_shows_the_error_summary_and_saves_nothing(staff_client):
    response = staff_client.post(reverse("hubs:shift_note_add"), {"text": "  "})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "Write the note before saving it." in response.content.decode()
    assert not ShiftNote.objects.exists()


def test_goods_in_fabric_puts_a_lot_on_the_shelf(world, staff_client):
    response = staff_client.post(
        reverse("hubs:goods_in"),
        {
            "donor_name": "Tay Mill",
            "kind": "fabric",
            "received_on": "2020-04-14",
            "colour": "Teal",
            "metres": "250",
            "approved_for_hospital_washing": "on",
        }
        | token(GoodsInForm),
    )
    assert response.status_code == 302
    lot = FabricLot.objects.get()
    assert (lot.hub, lot.colour, lot.metres_available) == (world.hub, "Teal", Decimal("250"))
    assert lot.approved_for_hospital_washing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metres": "-4"}, "metres"),
        ({"metres": "99999999"}, "metres"),
        ({"metres": ""}, "metres"),
        ({"colour": ""}, "colour"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"donor_name": ""}, "donor_name"),
        ({"kind": ""}, "kind"),
        ({"received_on": ""}, "received_on"),
    ],
)
def test_bad_goods_in_shows_the_message_beside_the_field_and_saves_nothing(
    staff_client, changes, field
):
    data = {"donor_name": "Tay Mill", "kind": "fabric", "received_on": "2020-04-14"}
    data |= {"colour": "Teal", "metres": "20", **changes}
    response = staff_client.post(reverse("hubs:goods_in"), data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert f'href="#id_{field}' in text  # a group of radios links to its first
    assert f'id="error_1_id_{field}"' in text  # the message beside the field
    assert "This field is required" not in text  # our own words say what is missing
    assert not Donation.objects.exists() and not FabricLot.objects.exists()


def test_thank_you_letter_and_marking_thanked(world, staff, staff_client):
    from scrubhub.hubs.services import goods_in_record

    donation = goods_in_record(
        hub=world.hub, actor=staff, donor_name="Broughty Rotary", kind="notions", quantity=40
    )
    letter = staff_client.get(reverse("hubs:donation_letter", args=[donation.pk]))
    assert "Dear Broughty Rotary," in letter.content.decode()
    assert "data-print" in letter.content.decode()
    staff_client.post(reverse("hubs:donation_thanked", args=[donation.pk]))
    assert Donation.objects.get().thanked_at is not None
    unthanked = staff_client.get(reverse("hubs:donations") + "?show=unthanked")
    assert "Everyone has been thanked." in unthanked.content.decode()


def test_stock_lists_show_what_came_in_what_was_drawn_and_what_is_left(world, staff, staff_client):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    from packages.services import kits_prepare

    kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=5,
        kit_count=3,
        precut_stock=stock,
        expected_left=40,
        actor=staff,
    )
    text = staff_client.get(reverse("hubs:precut_list")).content.decode()
    cells = re.findall(r'<td class="num">(?:<strong>)?(\d+)', text)
    assert cells == ["40", "15", "25"]


def test_preview_shows_the_draw_and_changes_nothing(world, staff_client):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    response = staff_client.post(reverse("hubs:prepare"), _prepare_data(stock))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Check and confirm the batch" in text
    assert re.search(r"Left after</dt><dd>25 garments", text)
    assert 'name="expected_left" value="40"' in text
    assert PrecutStock.objects.get().quantity_available == 40
    assert not Kit.objects.exists()


def test_confirm_makes_the_batch_and_goes_to_it(world, staff_client):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    data = _prepare_data(stock) | {"expected_left": "40"} | token(ConfirmForm)
    response = staff_client.post(reverse("hubs:prepare_confirm"), data)
    batch = KitBatch.objects.get()
    assert response.headers["Location"] == reverse("hubs:batch", args=[batch.pk])
    assert batch.kits.count() == 3
    assert PrecutStock.objects.get().quantity_available == 25


def test_stale_confirm_is_refused_with_the_new_numbers_and_draws_nothing(world, staff, client_for):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    data = _prepare_data(stock) | {"expected_left": "40"}
    client_for("coordinator").post(reverse("hubs:prepare_confirm"), data | token(ConfirmForm))
    response = client_for("hub_staff").post(
        reverse("hubs:prepare_confirm"), data | token(ConfirmForm)
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert "Someone else has used this stock since you looked" in text
    assert 'name="expected_left" value="25"' in text  # the fresh numbers, ready to confirm
    assert PrecutStock.objects.get().quantity_available == 25
    assert Kit.objects.count() == 3


def test_confirm_when_the_stock_ran_out_says_so_and_draws_nothing(world, client_for):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=15)
    data = _prepare_data(stock) | {"expected_left": "15"}
    client_for("coordinator").post(reverse("hubs:prepare_confirm"), data | token(ConfirmForm))
    response = client_for("hub_staff").post(
        reverse("hubs:prepare_confirm"), data | token(ConfirmForm)
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Kit.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kit_count": "-2"}, "greater than or equal to 1"),
        ({"kit_count": "100000"}, "less than or equal to 200"),
        ({"garments_per_kit": "0"}, "greater than or equal to 1"),
        ({"kit_count": "9"}, "make only 40 garments. 9 kits of 5 need 45: 5 too many"),
        ({"size": "L"}, "Those pieces are for scrub top in size M"),
        ({"stock": "precut-999999"}, "Choose stock from this hub"),
        ({"garment_type": ""}, "Choose scrub top or scrub trousers."),
        ({"size": ""}, "Choose a size."),
        ({"kit_count": ""}, "Say how many kits to prepare."),
        ({"stock": ""}, "Choose the stock to draw from."),
    ],
)
def test_bad_prepare_input_shows_a_clear_message_and_changes_nothing(
    world, staff_client, changes, message
):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    response = staff_client.post(reverse("hubs:prepare"), _prepare_data(stock) | changes)
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert message in text
    assert PrecutStock.objects.get().quantity_available == 40


def test_stock_of_another_hub_is_not_offered_nor_accepted(world, staff_client):
    theirs = factories.PrecutStockFactory(hub=world.other_hub, quantity_received=40)
    form = staff_client.get(reverse("hubs:prepare")).content.decode()
    assert f"precut-{theirs.pk}" not in form
    data = _prepare_data(theirs) | {"expected_left": "40"}
    response = staff_client.post(reverse("hubs:prepare_confirm"), data)
    assert response.status_code == 400
    assert "Choose stock from this hub" in response.content.decode()
    assert PrecutStock.objects.get().quantity_available == 40
    assert not Kit.objects.exists()


def test_labels_carry_code_qr_hub_phone_and_instructions(world, staff, staff_client):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    factories.PatternFactory(instructions_url="https://example.org/sew-top-m")
    from packages.services import kits_prepare

    batch = kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=5,
        kit_count=3,
        precut_stock=stock,
        expected_left=40,
        actor=staff,
    )
    text = staff_client.get(reverse("hubs:batch_labels", args=[batch.pk])).content.decode()
    assert text.count('<li class="kit-label">') == 3
    assert text.count('<svg role="img"') == 3
    for kit in batch.kits.all():
        assert kit.display_code in text
    assert world.hub.phone in text
    assert "https://example.org/sew-top-m" in text
    assert "style=" not in text


def test_the_qr_code_holds_the_kit_scan_address(settings):
    from scrubhub.hubs.labels import kit_url

    settings.SITE_URL = "https://scrubs.example.org"
    assert kit_url("ABC1234") == "https://scrubs.example.org/kit/ABC1234/"


def test_instructions_sheet_for_a_garment_and_size(world, staff_client):
    factories.PatternFactory(
        garment_type="trousers", size="L", name="Trousers L", instructions_text="Ties, not elastic."
    )
    text = staff_client.get(reverse("hubs:instructions", args=["trousers", "L"])).content.decode()
    assert "Trousers L" in text and "Ties, not elastic." in text
    assert staff_client.get("/hub/instructions/hat/L/").status_code == 404


def test_plan_page_links_each_line_to_a_filled_in_prepare_form(world, staff, staff_client):
    from packages import services

    services.demand_record(
        hospital=world.hospital, garment_types=["trousers"], quantities={"XL": 23}, actor=staff
    )
    text = staff_client.get(reverse("hubs:plan")).content.decode()
    assert "Scrub trousers XL" in text
    assert (
        "/hub/kits/prepare/?garment_type=trousers&amp;size=XL&amp;garments_per_kit=5&amp;kit_count=5"
        in text
    )
    prefilled = staff_client.get(
        reverse("hubs:prepare") + "?garment_type=trousers&size=XL&kit_count=5"
    ).content.decode()
    assert 'value="5"' in prefilled


def test_kits_list_shows_overdue_kits_with_the_maker(world, staff, maker, staff_client):
    from django.utils import timezone

    from packages.models import Kit, KitEvent

    (late,) = kits_at(world, staff, maker, stage="with_maker")
    (recent,) = kits_at(world, staff, maker, stage="with_maker")
    long_ago = timezone.now() - timezone.timedelta(days=world.hub.overdue_after_days + 1)
    KitEvent.objects.filter(kit=late, new_status="with_maker").update(created_at=long_ago)
    Kit.objects.filter(pk=late.pk).update(collected_at=long_ago)
    text = staff_client.get(reverse("hubs:kits") + "?show=overdue").content.decode()
    assert late.display_code in text and recent.display_code not in text
    assert maker.name in text


def test_laundry_never_reaches_a_hub_page_with_makers_data(world, maker, client_for):
    response = client_for("laundry").get(reverse("hubs:kits"))
    assert response.status_code == 403
    assert maker.name not in response.content.decode()
