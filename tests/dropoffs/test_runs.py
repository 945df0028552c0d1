"""Doorsteps and collection runs: planning, ticking off stops with counts, finishing at the
hub, and who sees a maker's doorstep address."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dropoffs import services
from dropoffs.forms import RunPlanForm
from dropoffs.models import DoorstepAddress, Handover, Run, RunStop
from dropoffs.services import DoorstepError, RunError
from makers.models import Maker
from packages import services as packages
from packages.models import Kit
from tests import factories
from tests.dropoffs import builders as b
from tests.once import token
from tests.packages.helpers import assert_kit_invariants


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def plan(world, **kwargs):
    defaults = {
        "hub": world.hub,
        "driver": world.user("driver"),
        "day": timezone.localdate(),
        "actor": world.user("hub_staff"),
    }
    return services.run_plan(**{**defaults, **kwargs})


# --- Doorsteps ------------------------------------------------------------------------------


def test_doorstep_needs_consent_and_keeps_nothing_without_it(world):
    maker = factories.MakerFactory(hub=world.hub, age_band="70_plus")
    with pytest.raises(DoorstepError, match="agree"):
        services.doorstep_set(
            maker=maker, address="1 Road", postcode="DD1 1AA", consent=False, actor=None
        )
    assert not DoorstepAddress.objects.exists()
    maker.refresh_from_db()
    assert maker.needs_doorstep_collection is False


def test_stopping_doorstep_visits_deletes_the_address(world):
    maker = b.doorstep_maker(world)
    assert Maker.objects.get(pk=maker.pk).needs_doorstep_collection
    services.doorstep_stop(maker=maker, actor=None)
    assert not DoorstepAddress.objects.filter(maker=maker).exists()
    assert Maker.objects.get(pk=maker.pk).needs_doorstep_collection is False


def test_doorstep_cannot_stop_while_a_visit_is_planned(world):
    maker = b.doorstep_maker(world)
    plan(world, makers=[maker])
    with pytest.raises(DoorstepError, match="due to visit"):
        services.doorstep_stop(maker=maker, actor=None)
    assert DoorstepAddress.objects.filter(maker=maker).exists()


def test_a_maker_over_70_is_offered_doorstep_visits_and_chooses_them(world, client_for):
    maker = b.maker_of(world)
    Maker.objects.filter(pk=maker.pk).update(age_band="70_plus")
    client = client_for("maker")
    page = client.get(reverse("dropoffs:doorstep")).content.decode()
    assert "Because you are 70 or over" in page
    refused = client.post(
        reverse("dropoffs:doorstep"), {"address": "4 Elm Row", "postcode": "DD2 1AB"}
    )
    assert refused.status_code == 400
    assert "Tick the box to agree" in refused.content.decode()
    assert not DoorstepAddress.objects.exists()
    done = client.post(
        reverse("dropoffs:doorstep"),
        {"address": "4 Elm Row", "postcode": "dd21ab", "consent": "on"},
    )
    assert done.status_code == 302
    doorstep = DoorstepAddress.objects.get(maker=maker)
    assert doorstep.postcode == "DD2 1AB"
    assert doorstep.consent_given_at is not None


# --- Planning -----------------------------------------------------------------------------


def test_the_run_orders_stops_by_distance_from_the_hub(world):
    near = factories.PointFactory(
        hub=world.hub, name="Near", latitude=Decimal("56.460"), longitude=Decimal("-2.985")
    )
    far = factories.PointFactory(
        hub=world.hub, name="Far", latitude=Decimal("56.560"), longitude=Decimal("-2.985")
    )
    middle = factories.PointFactory(
        hub=world.hub, name="Middle", latitude=Decimal("56.510"), longitude=Decimal("-2.985")
    )
    run = plan(world, points=[far, near, middle])
    names = [s.point.name for s in run.stops.order_by("position")]
    assert names in (["Near", "Middle", "Far"], ["Far", "Middle", "Near"])
    assert run.distance_km == pytest.approx(Decimal("22.5"), abs=Decimal("0.5"))


def test_a_doorstep_without_a_position_goes_last(world):
    unmapped = b.doorstep_maker(world, name="No Map", lat=None, lng=None)
    mapped = b.doorstep_maker(world, name="On Map")
    run = plan(world, makers=[unmapped, mapped], points=[world.point])
    assert run.stops.order_by("position").last().maker == unmapped


def test_planning_refuses_another_hubs_point_a_non_driver_and_a_past_day(world):
    with pytest.raises(RunError, match="different hub"):
        plan(world, points=[world.other_point])
    with pytest.raises(RunError, match="does not drive"):
        plan(world, points=[world.point], driver=world.user("maker"))
    with pytest.raises(RunError, match="passed"):
        plan(world, points=[world.point], day=timezone.localdate() - timedelta(days=1))
    with pytest.raises(RunError, match="at least one"):
        plan(world)
    assert not Run.objects.exists()


def test_the_sheet_says_what_to_drop_and_pick_up_at_each_stop(world, staff):
    waiting = b.kit_waiting(world)
    returned = b.kit_with_maker(world)
    services.handover_garments_return(kit=returned, count=4, actor=staff, point=world.point)
    doorstep = b.doorstep_maker(world)
    at_door = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=at_door, maker=doorstep, actor=staff)
    run = plan(world, points=[world.point], makers=[doorstep])
    point_stop = run.stops.get(point=world.point)
    door_stop = run.stops.get(maker=doorstep)
    assert [d.kit for d in point_stop.kits.all()] == [waiting]
    assert [d.kit for d in door_stop.kits.all()] == [at_door]
    from dropoffs.selectors import run_sheet

    sheet = {s.stop.pk: s for s in run_sheet(run=run, with_addresses=True)}
    assert [(h.kit, h.count) for h in sheet[point_stop.pk].pick_ups] == [(returned, 4)]
    # A kit already on a planned run is not put on a second one.
    again = plan(world, points=[world.point])
    assert not again.stops.get().kits.exists()


def test_planning_tells_the_driver_and_the_doorstep_maker(world):
    from scrubhub.notifications.models import Message

    maker = b.doorstep_maker(world)
    run = plan(world, makers=[maker])
    kinds = set(Message.objects.filter(hub=world.hub).values_list("kind", flat=True))
    assert {"run_planned", "doorstep_visit"} <= kinds
    assert Message.objects.filter(idempotency_key=f"run-{run.pk}-doorstep-{maker.pk}").exists()


# --- On the road ---------------------------------------------------------------------------


def test_a_full_run_picks_up_drops_and_lands_garments_at_the_hub_awaiting_a_check(
    world, staff, client_for
):
    at_point = b.kit_with_maker(world)
    services.handover_garments_return(kit=at_point, count=5, actor=staff, point=world.point)
    doorstep = b.doorstep_maker(world)
    home_kit = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=home_kit, maker=doorstep, actor=staff)
    packages.kit_collect(kit=home_kit, actor=staff)
    new_kit = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=new_kit, maker=doorstep, actor=staff)
    run = plan(world, points=[world.point], makers=[doorstep])
    driver = client_for("driver")
    point_stop = run.stops.get(point=world.point)
    door_stop = run.stops.get(maker=doorstep)

    url = reverse("dropoffs:run_stop", kwargs={"run_id": run.pk, "stop_id": point_stop.pk})
    assert driver.post(url, {f"pick_{at_point.pk}": 5}).status_code == 302
    url = reverse("dropoffs:run_stop", kwargs={"run_id": run.pk, "stop_id": door_stop.pk})
    too_many = driver.post(url, {f"pick_{home_kit.pk}": 6, f"drop_{new_kit.pk}": "on"})
    assert too_many.status_code == 400
    assert Kit.objects.get(pk=new_kit.pk).status == Kit.Status.ALLOCATED
    assert (
        driver.post(url, {f"pick_{home_kit.pk}": 3, f"drop_{new_kit.pk}": "on"}).status_code == 302
    )

    assert Kit.objects.get(pk=new_kit.pk).status == Kit.Status.WITH_MAKER
    assert Run.objects.get(pk=run.pk).status == Run.Status.STARTED
    finish = reverse("dropoffs:run_finish", kwargs={"run_id": run.pk})
    assert driver.post(finish).status_code == 302
    run.refresh_from_db()
    assert run.status == Run.Status.DONE
    at_point = assert_kit_invariants(at_point)
    home_kit = assert_kit_invariants(home_kit)
    assert (at_point.qty_awaiting_check, home_kit.qty_awaiting_check) == (5, 3)
    assert home_kit.qty_with_maker == 2
    arrival = Handover.objects.get(kind=Handover.Kind.DELIVERED_TO_HUB)
    assert arrival.run == run
    assert Handover.objects.filter(run_stop=door_stop).count() == 2


def test_a_run_cannot_finish_with_stops_left_and_a_ticked_stop_stays_ticked(world, client_for):
    run = plan(world, points=[world.point])
    stop = run.stops.get()
    driver = client_for("driver")
    driver.post(reverse("dropoffs:run_finish", kwargs={"run_id": run.pk}))
    assert Run.objects.get(pk=run.pk).status == Run.Status.PLANNED
    skip = reverse("dropoffs:run_stop_skip", kwargs={"run_id": run.pk, "stop_id": stop.pk})
    assert driver.post(skip, {"reason": "Shop was shut"}).status_code == 302
    with pytest.raises(RunError, match="already been ticked"):
        services.run_stop_visit(stop=stop, actor=world.user("driver"))
    assert RunStop.objects.get(pk=stop.pk).note == "Shop was shut"


def test_the_driver_sees_doorstep_addresses_only_on_their_own_run_until_it_is_done(
    world, client_for
):
    maker = b.doorstep_maker(world)
    run = plan(world, makers=[maker])
    url = reverse("dropoffs:run", kwargs={"run_id": run.pk})
    driver = client_for("driver")
    assert "3 Hill Street" in driver.get(url).content.decode()
    # Another driver of the same hub cannot even see that the run exists.
    other = factories.UserFactory(username="other_driver")
    factories.MembershipFactory(user=other, role="driver", hub=world.hub)
    from django.test import Client

    other_client = Client()
    other_client.force_login(other)
    assert other_client.get(url).status_code == 404
    stop = run.stops.get()
    services.run_stop_visit(stop=stop, actor=world.user("driver"))
    services.run_finish(run=run, actor=world.user("driver"))
    page = driver.get(url)
    assert page.status_code == 200
    assert "3 Hill Street" not in page.content.decode()
    assert "DD3 6AB" not in page.content.decode()
    assert "3 Hill Street" in client_for("hub_staff").get(url).content.decode()


def test_staff_plan_a_run_through_the_page(world, client_for):
    maker = b.doorstep_maker(world)
    staff = client_for("hub_staff")
    page = staff.get(reverse("dropoffs:run_new"))
    assert page.status_code == 200
    empty = staff.post(
        reverse("dropoffs:run_new"),
        {"driver": world.user("driver").pk, "day": timezone.localdate().isoformat()},
    )
    assert empty.status_code == 400
    assert "Choose at least one point or doorstep" in empty.content.decode()
    done = staff.post(
        reverse("dropoffs:run_new"),
        {
            "driver": world.user("driver").pk,
            "day": timezone.localdate().isoformat(),
            "points": [world.point.pk],
            "makers": [maker.pk],
        }
        | token(RunPlanForm),
    )
    assert done.status_code == 302
    run = Run.objects.get()
    assert run.stops.count() == 2
    assert run.created_by == world.user("hub_staff")


def test_laundry_staff_never_reach_doorstep_or_run_pages(world, client_for):
    maker = b.doorstep_maker(world)
    run = plan(world, makers=[maker])
    laundry = client_for("laundry")
    for url in (
        reverse("dropoffs:run", kwargs={"run_id": run.pk}),
        reverse("dropoffs:staff_runs"),
        reverse("dropoffs:doorstep_for_maker", kwargs={"maker_id": maker.pk}),
    ):
        response = laundry.get(url)
        assert response.status_code in (403, 404)
        assert "Hill Street" not in response.content.decode()


# --- The doorstep stop's page (issue 25) ------------------------------------------------------

MAP = "https://www.openstreetmap.org/search?query=3%20Hill%20Street%2C%20Dundee%2C%20DD3%206AB"


def doorstep_run_with_a_kit_each_way(world, staff):
    """A doorstep maker sewing one kit (nothing logged yet) and one new kit to bring her."""
    doorstep = b.doorstep_maker(world)
    sewing = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=sewing, maker=doorstep, actor=staff)
    packages.kit_collect(kit=sewing, actor=staff)
    new = factories.prepared_kits(hub=world.hub, garment_type="trousers", size="L")[0]
    packages.kit_allocate(kit=new, maker=doorstep, actor=staff)
    run = plan(world, makers=[doorstep])
    stop = run.stops.get()
    url = reverse("dropoffs:run_stop", kwargs={"run_id": run.pk, "stop_id": stop.pk})
    return run, url, sewing, new


def test_the_doorstep_stop_says_what_to_pick_up_and_what_to_leave(world, staff, client_for):
    _run, url, sewing, new = doorstep_run_with_a_kit_each_way(world, staff)
    page = client_for("driver").get(url).content.decode()
    assert f"Finished scrubs from kit {sewing.display_code} (the maker has 5)." in page
    assert "The maker has not said how many are finished: please ask." in page
    assert f"Kit {new.display_code}: 5 pairs of scrub trousers, size L" in page
    packages.kit_progress_log(kit=sewing, finished=3, actor=staff)
    assert "The maker says 3 are finished." in client_for("driver").get(url).content.decode()


def test_the_driver_gets_the_addresses_as_map_links_and_staff_do_not(world, staff, client_for):
    run, url, _sewing, _new = doorstep_run_with_a_kit_each_way(world, staff)
    sheet = reverse("dropoffs:run", kwargs={"run_id": run.pk})
    for page in (url, sheet):
        driver_page = client_for("driver").get(page).content.decode()
        assert f'href="{MAP}" rel="noreferrer noopener"' in driver_page
        staff_page = client_for("hub_staff").get(page).content.decode()
        assert "3 Hill Street" in staff_page
        assert "openstreetmap" not in staff_page


def test_a_point_stop_links_the_points_address_for_the_driver(world, client_for):
    run = plan(world, points=[world.point])
    page = client_for("driver").get(reverse("dropoffs:run", kwargs={"run_id": run.pk}))
    assert "https://www.openstreetmap.org/search?query=" in page.content.decode()


def test_a_finished_run_shows_no_doorstep_map_link(world, staff, client_for):
    maker = b.doorstep_maker(world)
    run = plan(world, makers=[maker])
    services.run_stop_visit(stop=run.stops.get(), actor=world.user("driver"))
    services.run_finish(run=run, actor=world.user("driver"))
    page = client_for("driver").get(reverse("dropoffs:run", kwargs={"run_id": run.pk}))
    assert "Hill%20Street" not in page.content.decode()
