"""A request that will be late, as the laundry and the hub see it on a phone, with
axe-core on each page (issue 25, part 5)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from makers.models import Maker
from packages import services
from tests.hubs.helpers import kits_at

pytestmark = pytest.mark.xdist_group("browser")


def test_a_late_request_is_plain_to_the_laundry_and_the_hub(page_for, world, axe):
    staff = world.user("hub_staff")
    maker = Maker.objects.get(user=world.user("maker"))
    Maker.objects.filter(pk=maker.pk).update(status=Maker.Status.ACTIVE)
    services.demand_record(
        hospital=world.hospital,
        garment_types=["top"],
        quantities={"M": 100},
        priority="urgent",
        needed_by=timezone.localdate() + datetime.timedelta(days=14),
        actor=world.user("laundry"),
    )
    kits_at(world, staff, maker, stage="passed", count=2)

    laundry = page_for("laundry")
    laundry.goto("/laundry/demand/")
    assert "Late:" in laundry.locator(".late-warning").inner_text()
    axe(laundry)

    hub = page_for("hub_staff")
    hub.goto("/hub/")
    hub.get_by_role("link", name="See what would meet the dates").click()
    assert "more makers sewing" in hub.locator(".late-request").inner_text()
    axe(hub)
