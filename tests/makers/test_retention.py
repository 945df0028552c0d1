"""After a hub stands down: volunteers' details are kept only for its retention period,
except for those who chose standby, who can be invited back in one action."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from makers import services
from makers.models import Maker
from makers.tasks import erase_after_retention
from scrubhub.notifications.models import Message
from tests import factories


def _stood_down(hub, *, days_ago: int, retention: int = 30):
    hub.stand_down_on = date.today() - timedelta(days=days_ago)
    hub.retention_days = retention
    hub.save()


def test_makers_are_erased_after_the_retention_period_but_standby_ones_are_kept(world):
    active = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Active One")
    standby = factories.MakerFactory(hub=world.hub, status=Maker.Status.STANDBY, name="Kept One")
    elsewhere = factories.MakerFactory(hub=world.other_hub, name="Other Hub")
    _stood_down(world.hub, days_ago=31)
    assert services.makers_retention_erase() >= 2  # active, and the persona maker
    active.refresh_from_db()
    standby.refresh_from_db()
    elsewhere.refresh_from_db()
    assert active.status == Maker.Status.ERASED and active.name == ""
    assert standby.status == Maker.Status.STANDBY and standby.name == "Kept One"
    assert elsewhere.name == "Other Hub"


def test_nothing_is_erased_before_the_period_ends_and_a_second_run_changes_nothing(world):
    maker = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Early")
    _stood_down(world.hub, days_ago=29)
    assert erase_after_retention() == 0
    maker.refresh_from_db()
    assert maker.name == "Early"
    _stood_down(world.hub, days_ago=30)
    first = erase_after_retention()
    assert first >= 1
    assert erase_after_retention() == 0


def test_a_coordinator_invites_standby_volunteers_back_in_one_action(world, client_for):
    waiting = [
        factories.MakerFactory(hub=world.hub, status=Maker.Status.STANDBY, name=f"Standby {n}")
        for n in range(3)
    ]
    page = client_for("coordinator").get(reverse("makers:staff_standby"))
    assert "3 volunteers said we could ask them again" in page.content.decode()
    client_for("coordinator").post(reverse("makers:staff_standby"))
    for maker in waiting:
        maker.refresh_from_db()
        assert maker.status == Maker.Status.APPROVED
    assert Message.objects.filter(subject__contains="is sewing again").count() == 3
    assert client_for("hub_staff").post(reverse("makers:staff_standby")).status_code == 403
