"""The public list of points on a phone: the map draws markers without fetching any tiles,
and "nearest first" uses the phone's location without sending it anywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories

pytestmark = pytest.mark.xdist_group("browser")


def test_map_shows_markers_without_tiles_and_nearest_first_reorders(
    page_for, world, axe, live_server
):
    factories.PointFactory(
        hub=world.hub,
        name="Broughty Ferry library",
        postcode="DD5 2AA",
        latitude=Decimal("56.4670"),
        longitude=Decimal("-2.8720"),
    )
    page = page_for("anonymous")
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 56.4675, "longitude": -2.8700})
    page.goto("/points/")
    assert page.locator(".leaflet-interactive").count() == 3
    assert page.locator(".leaflet-tile").count() == 0
    axe(page)
    names = page.locator("[data-point] h2")
    assert names.first.inner_text() != "Broughty Ferry library"
    page.get_by_role("button", name="Show the nearest first").click()
    page.get_by_text("The nearest point is now first.").wait_for()
    assert names.first.inner_text() == "Broughty Ferry library"
    assert "km away" in page.locator("[data-point]").first.inner_text()
    axe(page)
    assert outside == []


def test_a_point_name_that_looks_like_markup_is_shown_as_text(page_for, world, live_server):
    name = '<b id="injected">Kirk hall</b><img src="x" id="injected-img">'
    factories.PointFactory(
        hub=world.hub,
        name=name,
        latitude=Decimal("56.4600"),
        longitude=Decimal("-2.9700"),
    )
    page = page_for("anonymous")
    page.goto("/points/")
    markers = page.locator(".leaflet-interactive")
    for index in range(markers.count()):
        markers.nth(index).dispatch_event("mouseover")
    tooltips = page.locator(".leaflet-tooltip")
    assert name in [tooltips.nth(i).inner_text() for i in range(tooltips.count())]
    assert page.locator("#injected, #injected-img").count() == 0
