"""The audit trail: staff actions on personal data, recorded without personal data, seen by
coordinators only."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record


def test_an_action_is_recorded_by_id_without_the_persons_details(world):
    maker = world.user("maker").maker
    event = audit_record(
        actor=world.user("hub_staff"),
        hub=world.hub,
        action="viewed",
        subject=maker,
        detail="Opened the maker's page",
    )
    assert (event.subject_type, event.subject_id) == ("makers.Maker", maker.pk)
    for value in (maker.name, maker.email, maker.phone):
        assert value not in str(event.__dict__)


def test_a_rolled_back_change_leaves_no_audit_row(world):
    maker = world.user("maker").maker
    try:
        with transaction.atomic():
            audit_record(actor=None, hub=world.hub, action="changed", subject=maker)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not AuditEvent.objects.exists()


def test_coordinators_see_their_hubs_trail_and_only_theirs(client_for, world):
    maker = world.user("maker").maker
    audit_record(actor=world.user("hub_staff"), hub=world.hub, action="exported", subject=maker)
    other = world.user("other_maker").maker
    audit_record(
        actor=world.user("other_hub_staff"), hub=world.other_hub, action="erased", subject=other
    )
    page = client_for("coordinator").get(reverse("audit:list")).content.decode()
    assert f"makers.Maker #{maker.pk}" in page
    assert f"makers.Maker #{other.pk}" not in page
    assert client_for("hub_staff").get(reverse("audit:list")).status_code == 403


def test_the_trail_can_be_filtered_by_action(client_for, world):
    maker = world.user("maker").maker
    audit_record(actor=world.user("hub_staff"), hub=world.hub, action="viewed", subject=maker)
    audit_record(actor=world.user("hub_staff"), hub=world.hub, action="exported", subject=maker)
    page = client_for("coordinator").get(reverse("audit:list"), {"action": "exported"})
    assert page.content.decode().count(f"makers.Maker #{maker.pk}") == 1
