"""Points: the public list (open now, sorted, usable without a map), and staff adding,
changing, pausing and closing them."""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from dropoffs import services
from dropoffs.forms import NewPointForm
from dropoffs.models import OpeningHours, Point
from dropoffs.selectors import district_sort_key, opening_status, postcode_district
from dropoffs.services import PointError
from tests import factories
from tests.dropoffs import builders as b
from tests.once import token
from tests.querycount import assert_same_queries_at_sizes

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 6 April 2020, hub time."""
    return datetime(2020, 4, 6 + day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def hours(world):
    point = Point.objects.prefetch_related("hours").get(pk=world.point.pk)
    b.opening_hours(world.point, 0, 1, 2, 3, 4, opens=time(10), closes=time(16))
    b.opening_hours(world.point, 5, opens=time(10), closes=time(12))
    return Point.objects.prefetch_related("hours").select_related("hub").get(pk=point.pk)


@pytest.mark.parametrize(
    ("moment", "is_open", "text"),
    [
        (at(0, 11), True, "Open now until 16:00"),
        (at(0, 9), False, "Closed now. Opens today at 10:00"),
        (at(0, 16), False, "Closed now. Opens tomorrow at 10:00"),
        (at(5, 13), False, "Closed now. Opens Monday at 10:00"),
        (at(6, 10), False, "Closed now. Opens tomorrow at 10:00"),
        (at(5, 11, 59), True, "Open now until 12:00"),
    ],
)
def test_open_now_comes_from_the_structured_hours(hours, moment, is_open, text):
    status = opening_status(hours, moment)
    assert (status.is_open, status.text) == (is_open, text)


def test_a_point_open_once_a_week_opens_again_next_week(world):
    b.opening_hours(world.point, 0, opens=time(10), closes=time(11))
    point = Point.objects.prefetch_related("hours").select_related("hub").get(pk=world.point.pk)
    assert opening_status(point, at(0, 12)).text == "Closed now. Opens Monday at 10:00"


def test_postcode_districts_sort_as_people_expect():
    postcodes = ["DD10 8AA", "DD2 1AA", "dd1 4hn", "PH1 5AA", "DD4 7XY"]
    assert [postcode_district(p) for p in sorted(postcodes, key=district_sort_key)] == [
        "DD1",
        "DD2",
        "DD4",
        "DD10",
        "PH1",
    ]


def test_public_list_shows_open_points_of_active_hubs_without_signing_in(world, client):
    factories.PointFactory(hub=world.hub, name="Paused point", status=Point.Status.PAUSED)
    page = client.get(reverse("dropoffs:points")).content.decode()
    assert "Library point" in page and "Kirkcaldy point" in page
    assert "Paused point" not in page
    hub_page = client.get(reverse("dropoffs:hub_points", kwargs={"hub_slug": "tayside"}))
    assert "Library point" in hub_page.content.decode()
    assert "Kirkcaldy point" not in hub_page.content.decode()
    assert (
        client.get(reverse("dropoffs:hub_points", kwargs={"hub_slug": "nope"})).status_code == 404
    )


def test_the_list_works_without_a_map_and_fetches_no_tiles(world, client, settings):
    page = client.get(reverse("dropoffs:points")).content.decode()
    assert 'data-tile-url=""' in page
    assert "tile.openstreetmap" not in page
    assert (
        "tiles.example.org" not in client.get(reverse("dropoffs:points"))["Content-Security-Policy"]
    )
    settings.SCRUBHUB_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get(reverse("dropoffs:points"))
    assert "tiles.example.org" in response.content.decode()
    # The tile server is allowed for images on the map's pages, and nothing more.
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org" in policy
    assert "script-src 'self'" in policy and "tiles.example.org" not in policy.split("img-src")[0]


def test_map_positions_are_numbers_in_any_language(world, client, settings):
    """The map reads each point's position from the page: a language with a decimal comma
    must not turn 56.46 into "56,46", which the map would read as 56."""
    settings.LANGUAGE_CODE = "de"
    page = client.get(reverse("dropoffs:points")).content.decode()
    positions = re.findall(r'data-(?:lat|lng)="([^"]*)"', page)
    assert positions and len(positions) % 2 == 0
    assert all(re.fullmatch(r"-?[0-9]+\.[0-9]+", value) for value in positions), positions
    assert Decimal(world.point.latitude) in {Decimal(value) for value in positions}


def test_a_postcode_district_puts_points_there_first(world, client):
    factories.PointFactory(hub=world.hub, name="Aardvark hall", postcode="DD4 7XY")
    plain = client.get(reverse("dropoffs:hub_points", kwargs={"hub_slug": "tayside"}))
    near = client.get(
        reverse("dropoffs:hub_points", kwargs={"hub_slug": "tayside"}), {"near": "dd4"}
    )
    plain, near = plain.content.decode(), near.content.decode()
    assert plain.index("Library point") < plain.index("Aardvark hall")
    assert near.index("Aardvark hall") < near.index("Library point")


def test_public_list_queries_do_not_grow_with_points(world, client):
    def grow_to(n):
        have = Point.objects.filter(hub=world.hub).count()
        for i in range(have, n):
            point = factories.PointFactory(hub=world.hub, name=f"Point {i}")
            b.opening_hours(point, 0, 1)

    assert_same_queries_at_sizes(client, reverse("dropoffs:points"), grow_to, sizes=(10, 60))


def test_staff_add_a_point_with_hours_through_the_page(world, client_for):
    staff = client_for("hub_staff")
    data = {
        "name": "Post office",
        "address": "5 Main Street",
        "postcode": "dd11aa",
        "latitude": "56.47",
        "longitude": "-2.96",
        "opening_hours": "Mon 9–5",
        "accepts_kit_collection": "on",
        "opens_0": "09:00",
        "closes_0": "17:00",
        "opens_2": "12:00",
    }
    data |= token(NewPointForm)
    bad = staff.post(reverse("dropoffs:point_new"), data)
    assert bad.status_code == 400
    assert "Give both times for Wednesday" in bad.content.decode()
    assert not Point.objects.filter(name="Post office").exists()
    data["closes_2"] = "15:00"
    assert staff.post(reverse("dropoffs:point_new"), data).status_code == 302
    point = Point.objects.get(name="Post office")
    assert point.postcode == "DD1 1AA"
    assert point.hub == world.hub
    assert point.accepts_finished_garments is False
    assert list(OpeningHours.objects.filter(point=point).values_list("weekday", flat=True)) == [
        0,
        2,
    ]


def test_an_empty_point_form_says_what_each_field_needs(world, client_for):
    blank = dict.fromkeys(["name", "address", "postcode", "latitude", "longitude"], "")
    response = client_for("hub_staff").post(reverse("dropoffs:point_new"), blank)
    text = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    for words in (
        "Enter the point's name, as people know it.",
        "Enter the point's address.",
        "Enter the point's postcode.",
        "Click the map, or type the latitude.",
    ):
        assert words in text
    assert "This field is required" not in text


def test_staff_of_another_hub_cannot_change_a_point(world, client_for):
    other = client_for("other_hub_staff")
    url = reverse("dropoffs:point_edit", kwargs={"point_id": world.point.pk})
    assert other.get(url).status_code == 404
    status_url = reverse("dropoffs:point_status", kwargs={"point_id": world.point.pk})
    assert other.post(status_url, {"to": "close"}).status_code == 404
    assert Point.objects.get(pk=world.point.pk).status == Point.Status.ACTIVE


def test_a_point_holding_garments_or_kits_cannot_close_until_they_move(world):
    staff = world.user("hub_staff")
    kit = b.kit_with_maker(world)
    services.handover_garments_return(kit=kit, count=2, actor=staff, point=world.point)
    with pytest.raises(PointError, match="holds 2 finished garments"):
        services.point_close(point=world.point, actor=staff)
    services.handover_pick_up(point=world.point, kit_counts=[(kit, 2)], actor=staff)
    waiting = b.kit_waiting(world)
    with pytest.raises(PointError, match="1 kits are waiting"):
        services.point_close(point=world.point, actor=staff)
    from packages import services as packages

    packages.kit_take_back(kit=waiting, actor=staff)
    services.point_close(point=world.point, actor=staff)
    assert Point.objects.get(pk=world.point.pk).status == Point.Status.CLOSED
    with pytest.raises(PointError, match="closed"):
        services.point_resume(point=world.point, actor=staff)


def test_pausing_a_point_stops_scrubs_being_handed_in_there(world, client_for):
    staff = world.user("hub_staff")
    kit = b.kit_with_maker(world)
    services.point_pause(point=world.point, actor=staff)
    page = client_for("point_helper").get(reverse("dropoffs:kit", kwargs={"code": kit.code}))
    assert "not taking finished scrubs" in page.content.decode()


def test_the_staff_list_counts_what_waits_at_each_point(world, client_for):
    staff = world.user("hub_staff")
    kit = b.kit_with_maker(world)
    services.handover_garments_return(kit=kit, count=3, actor=staff, point=world.point)
    b.kit_waiting(world)
    page = client_for("hub_staff").get(reverse("dropoffs:staff_points")).content.decode()
    assert "3 finished garments waiting for a driver" in page
    assert "1 kit waiting for its maker" in page


def test_coordinates_off_the_map_are_refused(world):
    with pytest.raises(PointError, match="not on the map"):
        services.point_create(
            hub=world.hub,
            name="Nowhere",
            address="x",
            postcode="DD1 1AA",
            latitude=Decimal("95"),
            longitude=Decimal("0"),
            actor=None,
        )
