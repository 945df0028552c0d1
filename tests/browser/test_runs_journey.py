"""Hub staff plan a run on a phone; the driver ticks off its stops and finishes at the hub."""

from __future__ import annotations

import pytest

from dropoffs import services
from dropoffs.models import Run
from packages import services as packages
from tests import factories
from tests.dropoffs import builders as b

pytestmark = pytest.mark.xdist_group("browser")


def test_plan_a_run_and_tick_off_its_stops(page_for, world, axe):
    staff = world.user("hub_staff")
    kit = b.kit_with_maker(world)
    services.handover_garments_return(kit=kit, count=4, actor=staff, point=world.point)
    doorstep = b.doorstep_maker(world)
    new_kit = factories.prepared_kits(hub=world.hub)[0]
    packages.kit_allocate(kit=new_kit, maker=doorstep, actor=staff)

    planner = page_for("hub_staff")
    planner.goto("/hub/runs/")
    axe(planner)
    planner.get_by_role("link", name="Plan a run").click()
    planner.locator("#id_driver").select_option(label=world.user("driver").get_full_name())
    planner.get_by_label("Library point", exact=False).check()
    planner.get_by_label("Agnes Doorstep", exact=False).check()
    axe(planner)
    planner.get_by_role("button", name="Plan the run").click()
    planner.wait_for_url("**/runs/*/")
    run = Run.objects.get()
    assert run.stops.count() == 2
    axe(planner)

    driver = page_for("driver")
    driver.goto("/runs/")
    axe(driver)
    driver.get_by_role("link", name="Open the run").click()
    assert driver.get_by_text("3 Hill Street").is_visible()
    axe(driver)
    for stop in run.stops.order_by("position"):
        driver.get_by_role("link", name=f"Tick off stop {stop.position}").click()
        axe(driver)
        if stop.point_id:
            assert driver.get_by_label(f"Kit {kit.display_code}", exact=False).input_value() == "4"
        else:
            assert driver.get_by_label(f"Left kit {new_kit.display_code}", exact=False).is_checked()
        driver.get_by_role("button", name="Stop done").click()
        driver.wait_for_url(f"**/runs/{run.pk}/*")
    driver.get_by_role("button", name="Finish the run at the hub").click()
    assert "waiting to be checked" in driver.locator(".messages").inner_text()
    assert driver.get_by_text("3 Hill Street").count() == 0
    axe(driver)
    run.refresh_from_db()
    kit.refresh_from_db()
    assert run.status == Run.Status.DONE
    assert kit.qty_awaiting_check == 4
