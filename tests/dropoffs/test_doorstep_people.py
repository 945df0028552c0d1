"""Doorstep visits run without the admin (issue 23): staff keep a maker's door with its map
position, so the door takes its place in a run's order like a point; the hub says whether
it offers visits; a maker aged 70 or over is offered them on /me/ and her kit's page, and
asking for them reaches the hub."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dropoffs import services
from dropoffs.models import DoorstepAddress
from dropoffs.services import DoorstepError
from makers.models import Maker
from packages import services as packages
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Hub
from scrubhub.notifications.models import Message
from tests import factories


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def maker(world):
    """The signed-in maker, aged 70 or over."""
    maker = Maker.objects.get(user=world.user("maker"))
    Maker.objects.filter(pk=maker.pk).update(age_band=Maker.AgeBand.OVER_70)
    maker.refresh_from_db()
    return maker


def plan(world, **kwargs):
    return services.run_plan(
        hub=world.hub,
        driver=world.user("driver"),
        day=timezone.localdate(),
        actor=world.user("hub_staff"),
        **kwargs,
    )


def point_at(world, name, lat):
    return factories.PointFactory(
        hub=world.hub, name=name, latitude=Decimal(lat), longitude=Decimal("-2.985")
    )


def door_data(**changes):
    return {
        "address": "3 Hill Street, Dundee",
        "postcode": "dd3 6ab",
        "access_notes": "Side door",
        "latitude": "56.510000",
        "longitude": "-2.985000",
        "consent": "on",
        **changes,
    }


def door_url(maker):
    return reverse("dropoffs:doorstep_for_maker", kwargs={"maker_id": maker.pk})


# --- A door with a map position takes its place in the run ---------------------------------


def test_a_door_with_a_position_goes_between_the_points_it_lies_between(world, staff):
    near, far = point_at(world, "Near", "56.460"), point_at(world, "Far", "56.560")
    door = factories.MakerFactory(hub=world.hub, name="Middle Door", age_band="70_plus")
    services.doorstep_set(
        maker=door,
        address="3 Hill Street",
        postcode="DD3 6AB",
        consent=True,
        actor=staff,
        latitude=Decimal("56.510"),
        longitude=Decimal("-2.985"),
    )
    run = plan(world, points=[far, near], makers=[door])
    order = [s.point.name if s.point else s.maker.name for s in run.stops.order_by("position")]
    assert order in (["Near", "Middle Door", "Far"], ["Far", "Middle Door", "Near"])
    # The trip is out through the three and back: the door added no detour.
    assert run.distance_km == pytest.approx(Decimal("22.5"), abs=Decimal("0.5"))


def test_staff_place_a_door_on_the_page_and_the_next_run_puts_it_in_its_place(
    world, staff, maker, client_for
):
    near, far = point_at(world, "Near", "56.460"), point_at(world, "Far", "56.560")
    services.doorstep_set(
        maker=maker, address="3 Hill Street", postcode="DD3 6AB", consent=True, actor=maker.user
    )
    unplaced = plan(world, points=[far, near], makers=[maker])
    assert unplaced.stops.order_by("position").last().maker == maker  # no position: last
    services.run_cancel(run=unplaced, actor=staff)

    response = client_for("hub_staff").post(door_url(maker), door_data())
    assert response.status_code == 302
    door = DoorstepAddress.objects.get(maker=maker)
    assert (door.latitude, door.longitude) == (Decimal("56.510000"), Decimal("-2.985000"))
    placed = plan(world, points=[far, near], makers=[maker])
    assert [s.kind for s in placed.stops.order_by("position")] == ["point", "doorstep", "point"]


def test_the_staff_page_offers_the_map_starting_at_the_hub_and_fetches_no_tiles(
    world, maker, client_for
):
    page = client_for("hub_staff").get(door_url(maker)).content.decode()
    assert "data-place-map" in page
    assert 'data-start-lat="56.458000"' in page
    assert 'data-tile-url=""' in page  # no tile server set: markers on a plain background
    assert 'id="id_latitude"' in page and 'id="id_longitude"' in page


def test_staff_keeping_a_door_is_in_the_audit_trail_without_the_address(
    world, staff, maker, client_for
):
    client_for("hub_staff").post(door_url(maker), door_data())
    client_for("hub_staff").post(door_url(maker), door_data(latitude="", longitude=""))
    events = AuditEvent.objects.filter(subject_type="makers.Maker", subject_id=maker.pk)
    assert [e.detail for e in events.order_by("pk")] == [
        "Doorstep address recorded, with a map position",
        "Doorstep address changed, without a map position",
    ]
    assert all("Hill" not in e.detail and "DD3" not in e.detail for e in events)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "56.5", "longitude": ""}, "both latitude and longitude"),
        ({"latitude": "91", "longitude": "0"}, "less than or equal to 90"),
        ({"consent": ""}, "only keep the address if the maker agreed"),
    ],
)
def test_a_door_that_cannot_be_kept_is_refused_on_the_page(
    world, maker, client_for, changes, message
):
    response = client_for("hub_staff").post(door_url(maker), door_data(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not DoorstepAddress.objects.filter(maker=maker).exists()


def test_the_service_refuses_coordinates_off_the_map(world, staff, maker):
    with pytest.raises(DoorstepError, match="not on the map"):
        services.doorstep_set(
            maker=maker,
            address="3 Hill Street",
            postcode="DD3 6AB",
            consent=True,
            actor=staff,
            latitude=Decimal("95"),
            longitude=Decimal("0"),
        )


# --- The hub says whether it offers doorstep visits ---------------------------------------


def test_the_coordinator_turns_doorstep_visits_off_in_the_settings(world, client_for):
    hub = world.hub
    data = {
        "phone": hub.phone,
        "email": hub.email,
        "about": hub.about,
        "overdue_after_days": hub.overdue_after_days,
        "stand_down_on": "",
    }
    assert Hub.objects.get(pk=hub.pk).offers_doorstep_visits
    response = client_for("coordinator").post(reverse("hubs:settings"), data)
    assert response.status_code == 302
    assert not Hub.objects.get(pk=hub.pk).offers_doorstep_visits
    client_for("coordinator").post(
        reverse("hubs:settings"), {**data, "offers_doorstep_visits": "on"}
    )
    assert Hub.objects.get(pk=hub.pk).offers_doorstep_visits


def test_a_hub_that_does_not_offer_visits_takes_no_new_doors_but_keeps_the_ones_it_has(
    world, staff, maker
):
    kept = factories.MakerFactory(hub=world.hub, age_band="70_plus")
    services.doorstep_set(
        maker=kept, address="1 Elm Row", postcode="DD2 1AB", consent=True, actor=staff
    )
    Hub.objects.filter(pk=world.hub.pk).update(offers_doorstep_visits=False)
    with pytest.raises(DoorstepError, match="does not offer doorstep visits"):
        services.doorstep_set(
            maker=maker, address="3 Hill Street", postcode="DD3 6AB", consent=True, actor=staff
        )
    services.doorstep_set(
        maker=kept, address="2 Elm Row", postcode="DD2 1AB", consent=True, actor=staff
    )
    assert DoorstepAddress.objects.get(maker=kept).address == "2 Elm Row"


def test_the_makers_doorstep_page_says_when_the_hub_does_not_offer_visits(world, maker, client_for):
    Hub.objects.filter(pk=world.hub.pk).update(offers_doorstep_visits=False)
    page = client_for("maker").get(reverse("dropoffs:doorstep")).content.decode()
    assert "does not offer doorstep visits at the moment" in page
    assert 'name="address"' not in page


# --- The offer on the maker's own pages ----------------------------------------------------

OFFER = "We can collect from your door"


def test_a_maker_over_70_is_offered_the_doorstep_visit_on_her_page(world, maker, client_for):
    page = client_for("maker").get(reverse("makers:me")).content.decode()
    assert OFFER in page
    assert reverse("dropoffs:doorstep") in page


def test_the_offer_is_on_her_kits_page_too(world, staff, maker, client_for):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    packages.kit_collect(kit=kit, actor=staff)
    page = client_for("maker").get(reverse("makers:kit", args=[kit.code])).content.decode()
    assert OFFER in page


def test_no_offer_under_70_or_where_the_hub_does_not_offer_visits(world, maker, client_for):
    Hub.objects.filter(pk=world.hub.pk).update(offers_doorstep_visits=False)
    assert OFFER not in client_for("maker").get(reverse("makers:me")).content.decode()
    Hub.objects.filter(pk=world.hub.pk).update(offers_doorstep_visits=True)
    Maker.objects.filter(pk=maker.pk).update(age_band=Maker.AgeBand.ADULT)
    assert OFFER not in client_for("maker").get(reverse("makers:me")).content.decode()


def test_asking_for_visits_reaches_the_hub_and_the_page_then_says_she_has_them(
    world, maker, client_for
):
    client = client_for("maker")
    response = client.post(
        reverse("dropoffs:doorstep"),
        {"address": "3 Hill Street", "postcode": "DD3 6AB", "consent": "on"},
    )
    assert response.status_code == 302
    told = Message.objects.get(kind="doorstep_asked")
    assert told.to_address == world.hub.email
    assert maker.name not in told.body and "Hill" not in told.body
    assert reverse("dropoffs:staff_runs") in told.body
    page = client.get(reverse("makers:me")).content.decode()
    assert OFFER not in page and "A driver brings your kits to your door" in page
    runs = client_for("hub_staff").get(reverse("dropoffs:staff_runs")).content.decode()
    assert maker.name in runs and "no map position" in runs
    # Changing her address later tells the hub nothing new.
    client.post(
        reverse("dropoffs:doorstep"),
        {"address": "4 Hill Street", "postcode": "DD3 6AB", "consent": "on"},
    )
    assert Message.objects.filter(kind="doorstep_asked").count() == 1


def test_the_staff_maker_page_links_to_her_doorstep(world, maker, client_for):
    url = reverse("makers:staff_maker", args=[maker.pk])
    page = client_for("hub_staff").get(url).content.decode()
    assert door_url(maker) in page and "Set up doorstep visits" in page
