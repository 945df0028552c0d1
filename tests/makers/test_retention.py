"""After a hub stands down: volunteers' details are kept only for its retention period,
except for those who chose standby, who can be invited back in one action."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from makers import services
from makers.models import Consent, KitProblem, Maker, MakerEvent
from makers.tasks import erase_after_retention
from scrubhub.hubs.team_services import hub_settings_update
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


# --- The nightly erasure: a week's wait after a change, and one maker at a time (issue 21) ----


def _erasure_due_today(world, coordinator_sets=False):
    """The hub stands down today with no retention, so its makers are due tonight."""
    world.hub.retention_days = 0
    world.hub.save()
    if coordinator_sets:
        hub_settings_update(
            hub=world.hub,
            actor=world.user("coordinator"),
            phone=world.hub.phone,
            email=world.hub.email,
            about="",
            overdue_after_days=7,
            auto_approve_makers=False,
            stand_down_on=world.hub.today(),
            erasure_confirmed=True,
        )
    else:
        _stood_down(world.hub, days_ago=0, retention=0)


def test_nightly_erasure_waits_a_week_after_the_stand_down_date_changes(world, caplog):
    maker = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Waits")
    _erasure_due_today(world, coordinator_sets=True)
    with caplog.at_level(logging.WARNING, logger="makers.services.erasure"):
        assert services.makers_retention_erase() == 0
    maker.refresh_from_db()
    assert maker.name == "Waits"
    assert f"Hub {world.hub.pk}: not erasing yet" in caplog.text
    six_days_on = timezone.now() + timedelta(days=6, hours=23)
    assert services.makers_retention_erase(now=six_days_on) == 0
    a_week_on = timezone.now() + timedelta(days=7, minutes=1)
    assert services.makers_retention_erase(now=a_week_on) >= 2  # this one and the persona
    maker.refresh_from_db()
    assert maker.status == Maker.Status.ERASED


def _future_consent(maker):
    # A consent stamped ahead of the clock (an import from a machine whose clock was wrong):
    # erasure withdraws it now, before it was given, which the database refuses.
    Consent.objects.create(
        maker=maker,
        purpose=Consent.Purpose.CONTACT,
        wording_version="v1",
        given_at=timezone.now() + timedelta(days=2),
    )


def test_one_maker_the_database_refuses_does_not_stop_or_undo_the_others(world, caplog):
    first = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="First One")
    refused = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Bad Row")
    last = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Last One")
    _future_consent(refused)
    _stood_down(world.hub, days_ago=31)
    with caplog.at_level(logging.WARNING, logger="makers.services.erasure"):
        erased = services.makers_retention_erase()
    assert erased == 3  # first, last and the persona maker
    for maker in (first, last):
        maker.refresh_from_db()
        assert maker.status == Maker.Status.ERASED and maker.name == ""
    refused.refresh_from_db()
    # Nothing half-done for the refused one: still whole, tried again tomorrow.
    assert (refused.status, refused.name) == (Maker.Status.ACTIVE, "Bad Row")
    assert not MakerEvent.objects.filter(maker=refused, new_status=Maker.Status.ERASED).exists()
    assert f"Maker {refused.pk} not erased" in caplog.text
    assert "consent_withdrawn_after_given" in caplog.text
    # The log names the rule, never the person (the database's message repeats the row).
    assert "Bad Row" not in caplog.text and refused.email not in caplog.text


def test_running_the_erasure_twice_erases_each_maker_once(world):
    makers = [factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE) for _ in range(3)]
    refused = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Bad Row")
    _future_consent(refused)
    _stood_down(world.hub, days_ago=31)
    assert erase_after_retention() == 4
    assert erase_after_retention() == 0
    for maker in makers:
        assert MakerEvent.objects.filter(maker=maker, new_status=Maker.Status.ERASED).count() == 1
    refused.refresh_from_db()
    assert refused.name == "Bad Row"


def test_a_maker_whose_problem_the_hub_answered_can_be_erased(world):
    maker = factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE, name="Asked Once")
    (kit,) = factories.prepared_kits(hub=world.hub)
    KitProblem.objects.create(
        maker=maker, kit=kit, kind="other", text="Asked Once here", status="answered",
        answer="Sorry Asked Once, new pieces are on the way.",
    )  # fmt: skip
    _stood_down(world.hub, days_ago=31)
    services.makers_retention_erase()
    maker.refresh_from_db()
    assert maker.status == Maker.Status.ERASED
    problem = KitProblem.objects.get(maker=maker)
    assert "Asked Once" not in problem.text + problem.answer
