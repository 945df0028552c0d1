"""The demo gains doorstep makers, opening hours and runs: one done today, one planned."""

from __future__ import annotations

import pytest

from dropoffs.models import DoorstepAddress, OpeningHours, Run, RunStop


@pytest.mark.django_db
def test_the_demo_has_doorsteps_hours_and_runs_a_driver_can_open(client):
    from scrubhub.demo import build

    demo = build(makers_count=300)
    assert DoorstepAddress.objects.filter(hub=demo.hub).count() >= 4
    assert all(
        d.maker.age_band == "70_plus" and d.consent_given_at
        for d in DoorstepAddress.objects.select_related("maker")
    )
    assert OpeningHours.objects.filter(point__hub=demo.hub).count() >= 10
    done = Run.objects.get(hub=demo.hub, status=Run.Status.DONE)
    planned = Run.objects.get(hub=demo.hub, status=Run.Status.PLANNED)
    assert not done.stops.filter(status=RunStop.Status.TO_VISIT).exists()
    assert done.handovers.filter(kind="delivered_to_hub").exists()
    assert planned.stops.filter(kind=RunStop.Kind.DOORSTEP).exists()
    client.force_login(demo.users["driver"])
    page = client.get(f"/runs/{planned.pk}/")
    assert page.status_code == 200
    address = DoorstepAddress.objects.get(maker=planned.stops.filter(kind="doorstep")[0].maker)
    assert address.address in page.content.decode()
    # The finished run no longer shows its doorsteps' addresses to the driver.
    done_page = client.get(f"/runs/{done.pk}/").content.decode()
    done_doorsteps = done.stops.filter(kind="doorstep")
    assert done_doorsteps.exists()
    for stop in done_doorsteps:
        assert DoorstepAddress.objects.get(maker=stop.maker).address not in done_page
