"""What people carry on paper (issue 24): the driver's run sheet with the numbers to call, a
point's day of expected hand-ins for its helpers, and each kit's label on its sewing
instructions. Who may see what on each, and what each says."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from dropoffs import services as dropoffs
from makers.services import return_plan_make
from packages import services as packages
from scrubhub.hubs.models import Role
from tests import factories
from tests.access.routes_hubs import hub_batch
from tests.dropoffs import builders as b
from tests.querycount import assert_same_queries_at_sizes

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# --- The driver's run sheet ----------------------------------------------------------------


@pytest.fixture
def phoned_run(world):
    """Today's run: the world's point (with its own phone) and Agnes's door (hers)."""
    world.point.phone = "01382 555 123"
    world.point.save(update_fields=["phone"])
    run = b.the_run(world)
    agnes = run.stops.get(maker__isnull=False).maker
    agnes.phone = "07700 900777"
    agnes.save(update_fields=["phone"])
    return run


def test_the_run_sheet_gives_the_numbers_to_call_and_a_print_button(world, client_for, phoned_run):
    page = _text(client_for("driver").get(reverse("dropoffs:run", args=[phoned_run.pk])))
    assert 'href="tel:01382555123"' in page and "Phone the point:" in page
    assert 'href="tel:07700900777"' in page and "Phone the maker:" in page
    assert f"Call {world.hub.name}: {world.hub.phone}" in page
    assert "Print the run sheet" in page and "data-print" in page
    assert page.count('class="tick-box print-only"') == 2


def test_a_stop_page_gives_its_number_to_call(world, client_for, phoned_run):
    stop = phoned_run.stops.get(point=world.point)
    url = reverse("dropoffs:run_stop", args=[phoned_run.pk, stop.pk])
    assert 'href="tel:01382555123"' in _text(client_for("driver").get(url))


def test_once_the_run_is_over_its_driver_no_longer_sees_the_makers_phone(
    world, client_for, phoned_run
):
    staff = world.user("hub_staff")
    for stop in phoned_run.stops.all():
        dropoffs.run_stop_skip(stop=stop, actor=staff, reason="Road closed")
    dropoffs.run_finish(run=phoned_run, actor=staff)
    url = reverse("dropoffs:run", args=[phoned_run.pk])
    page = _text(client_for("driver").get(url))
    assert "07700 900777" not in page and "3 Hill Street" not in page
    assert "01382 555 123" in page  # the point's own number is no secret
    # The hub's staff, who keep the makers' details, still see it.
    assert "07700 900777" in _text(client_for("hub_staff").get(url))


def test_another_hubs_staff_cannot_open_the_run_sheet(client_for, phoned_run):
    url = reverse("dropoffs:run", args=[phoned_run.pk])
    assert client_for("other_hub_staff").get(url).status_code == 404


def test_a_point_phone_is_saved_from_the_point_form(world, client_for):
    point = world.point
    data = {
        "name": point.name,
        "address": point.address,
        "postcode": point.postcode,
        "phone": " 01382 555 999 ",
        "latitude": "56.46",
        "longitude": "-2.97",
        "accepts_kit_collection": "on",
        "accepts_finished_garments": "on",
    }
    response = client_for("hub_staff").post(reverse("dropoffs:point_edit", args=[point.pk]), data)
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.phone == "01382 555 999"


# --- A point's day ---------------------------------------------------------------------------


def _expected_url(point, day: str = "") -> str:
    url = reverse("dropoffs:point_expected", args=[point.pk])
    return f"{url}?day={day}" if day else url


def _maker_with_kit(world, *, name: str, finished: int):
    staff = world.user("hub_staff")
    maker = factories.MakerFactory(hub=world.hub, name=name)
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, actor=staff, maker=maker)
    packages.kit_collect(kit=kit, actor=staff)
    if finished:
        packages.kit_progress_log(kit=kit, finished=finished, actor=staff)
    kit.refresh_from_db()
    return maker, kit


def _plan(world, *, name: str, day, point=None, finished=4, unfinished=False):
    maker, kit = _maker_with_kit(world, name=name, finished=0 if unfinished else finished)
    return return_plan_make(
        maker=maker,
        kit=kit,
        actor=world.user("hub_staff"),
        day=day,
        point=point or world.point,
        unfinished=unfinished,
        reason="no_time" if unfinished else "",
    )


def test_a_helper_sees_who_and_what_to_expect_today(world, client_for):
    today = world.hub.today()
    plan = _plan(world, name="Isla Handin", day=today, finished=4)
    _plan(world, name="Rory Unfinished", day=today, unfinished=True)
    _plan(world, name="Tomorrow Tam", day=today + timedelta(days=1))
    left = b.kit_waiting(world)  # on today's run, not yet left here
    run = b.the_run(world)
    page = _text(client_for("point_helper").get(_expected_url(world.point)))
    assert f"Expected at {world.point.name} on {today:%A} {today.day} {today:%B}" in page
    assert "Handing in: 2 kits" in page
    assert "Isla Handin" in page and plan.kit.display_code in page
    assert "4 scrub tops finished, size M" in page
    assert "Rory Unfinished" in page and "back unfinished (I do not have time)" in page
    assert "Tomorrow Tam" not in page
    assert "Waiting to be collected: 1 kit" in page
    assert left.display_code in page and "Mairi Persona" in page
    assert "Coming with the driver." in page
    stop = run.stops.get(point=world.point)
    assert f"A driver calls (stop {stop.position} of the run)" in page
    assert "Print this list" in page


def test_tomorrow_is_one_tap_away_and_junk_reads_as_today(world, client_for):
    tomorrow = world.hub.today() + timedelta(days=1)
    _plan(world, name="Tomorrow Tam", day=tomorrow)
    helper = client_for("point_helper")
    page = _text(helper.get(_expected_url(world.point, "tomorrow")))
    assert f"on {tomorrow:%A} {tomorrow.day} {tomorrow:%B}" in page
    assert "Tomorrow Tam" in page
    assert 'href="?day=tomorrow" aria-current="page"' in page
    for junk in ("yesterday", "\x00", "²", "x" * 5000):
        response = helper.get(_expected_url(world.point), {"day": junk})
        assert response.status_code == 200
        assert "Tomorrow Tam" not in _text(response)


def test_a_kit_left_by_the_driver_waits_without_the_driver_note(world, client_for):
    kit = b.kit_waiting(world)
    run = b.the_run(world)
    stop = run.stops.get(point=world.point)
    dropoffs.run_stop_visit(
        stop=stop, actor=world.user("driver"), pick_up={}, dropped=[kit.pk], note=""
    )
    page = _text(client_for("point_helper").get(_expected_url(world.point)))
    assert kit.display_code in page and "Coming with the driver." not in page
    assert "A driver called at" in page


def test_a_helper_of_another_point_cannot_see_this_points_day(world, client_for):
    from django.test import Client

    other_point = factories.PointFactory(hub=world.hub, name="Church hall point")
    helper = factories.UserFactory(username="hall_helper")
    factories.MembershipFactory(
        user=helper, role=Role.POINT_HELPER, hub=world.hub, point=other_point
    )
    client = Client()
    client.force_login(helper)
    assert client.get(_expected_url(world.point)).status_code == 404
    assert client.get(_expected_url(other_point)).status_code == 200


def test_another_hubs_point_is_a_404_for_staff_and_helpers(world, client_for):
    assert client_for("point_helper").get(_expected_url(world.other_point)).status_code == 404
    assert client_for("hub_staff").get(_expected_url(world.other_point)).status_code == 404
    assert client_for("other_hub_staff").get(_expected_url(world.point)).status_code == 404
    assert client_for("driver").get(_expected_url(world.point)).status_code == 403


def test_the_scan_page_and_the_points_page_link_to_the_day(world, client_for):
    url = _expected_url(world.point)
    assert url in _text(client_for("point_helper").get(reverse("dropoffs:scan")))
    assert url in _text(client_for("hub_staff").get(reverse("dropoffs:staff_points")))


def test_the_points_day_costs_the_same_queries_at_any_size(world, client_for):
    today = world.hub.today()
    made = {"n": 0}

    def grow_to(n: int) -> None:
        # Each row is a plan, a kit waiting there and one on the way: all three lists grow.
        while made["n"] < n:
            _plan(world, name=f"Maker {made['n']}", day=today)
            made["n"] += 1

    b.the_run(world)
    assert_same_queries_at_sizes(
        client_for("point_helper"), _expected_url(world.point), grow_to, sizes=(2, 12)
    )


# --- A kit's label on its sewing instructions -----------------------------------------------


def test_a_kits_sheet_has_its_label_and_its_sewing_instructions(world, client_for):
    staff = world.user("hub_staff")
    packages.pattern_save(
        hub=world.hub,
        garment_type="top",
        size="M",
        name="Tunic top, size M",
        metres_per_garment=Decimal("1.5"),
        instructions_text="Sew the shoulder seams first.",
        instructions_url="https://patterns.example.org/top-m",
        actor=staff,
    )
    kit = hub_batch(world).kits.order_by("pk").first()
    response = client_for("hub_staff").get(reverse("hubs:kit_sheet", args=[kit.code]))
    page = _text(response)
    assert response.status_code == 200
    assert page.count('class="kit-sheet"') == 1
    assert kit.display_code in page and f"QR code for kit {kit.display_code}" in page
    assert "How to sew your kit: Scrub top, size M" in page
    assert "Sew the shoulder seams first." in page
    assert "QR code for the sewing instructions online" in page
    label = _text(client_for("hub_staff").get(reverse("hubs:kit_label", args=[kit.code])))
    assert reverse("hubs:kit_sheet", args=[kit.code]) in label


def test_a_batchs_sheets_are_one_for_each_kit(world, client_for):
    batch = hub_batch(world)
    page = _text(client_for("hub_staff").get(reverse("hubs:batch_sheets", args=[batch.pk])))
    assert page.count('class="kit-sheet"') == batch.kits.count() == 2
    for kit in batch.kits.all():
        assert kit.display_code in page
    assert reverse("hubs:batch_sheets", args=[batch.pk]) in _text(
        client_for("hub_staff").get(reverse("hubs:batch", args=[batch.pk]))
    )


def test_another_hubs_kit_sheet_is_a_404(world, client_for):
    batch = hub_batch(world)
    other = client_for("other_hub_staff")
    assert other.get(reverse("hubs:kit_sheet", args=[batch.kits.first().code])).status_code == 404
    assert other.get(reverse("hubs:batch_sheets", args=[batch.pk])).status_code == 404
