"""Patterns and sewing instructions: saved through packages.services.pattern_save."""

from __future__ import annotations

from decimal import Decimal

import pytest

from packages.models import Pattern
from packages.services import PatternError, kits_prepare, pattern_for, pattern_save
from scrubhub.audit.models import AuditEvent
from tests import factories


def save(world, **changes):
    fields = {
        "hub": world.hub,
        "garment_type": "top",
        "size": "M",
        "name": "Unisex scrub top",
        "metres_per_garment": Decimal("1.60"),
        "instructions_text": "1. Sew the shoulders.\n2. Sew the sides.",
        "instructions_url": "https://example.org/top",
        "actor": world.user("hub_staff"),
    }
    return pattern_save(**{**fields, **changes})


def audit_rows(pattern):
    return AuditEvent.objects.filter(subject_type="packages.Pattern", subject_id=pattern.pk)


def test_saving_makes_the_hubs_pattern_with_an_audit_row(world):
    pattern = save(world)
    assert (pattern.hub, pattern.garment_type, pattern.size) == (world.hub, "top", "M")
    assert pattern.metres_per_garment == Decimal("1.60")
    assert pattern_for(hub=world.hub, garment_type="top", size="M") == pattern
    (row,) = audit_rows(pattern)
    assert row.hub == world.hub and row.actor == world.user("hub_staff")
    assert row.action == AuditEvent.Action.CHANGED
    assert row.detail == "Pattern added for Scrub top M"


def test_saving_again_changes_the_current_pattern_and_says_what_changed(world):
    first = save(world)
    second = save(world, metres_per_garment="1.75", name="  Unisex   top ")
    assert second.pk == first.pk
    assert Pattern.objects.filter(hub=world.hub, garment_type="top", size="M").count() == 1
    second.refresh_from_db()
    assert (second.name, second.metres_per_garment) == ("Unisex top", Decimal("1.75"))
    newest = audit_rows(first).first()
    assert newest.detail == "Pattern for Scrub top M changed: name, metres per garment"


def test_saving_the_same_again_changes_nothing_and_records_nothing(world):
    pattern = save(world)
    save(world)
    assert audit_rows(pattern).count() == 1


def test_a_hub_using_the_shared_pattern_gets_its_own_and_other_hubs_keep_the_shared_one(world):
    shared = factories.PatternFactory(hub=None, garment_type="top", size="M")
    own = save(world, metres_per_garment="2")
    assert own.pk != shared.pk
    assert pattern_for(hub=world.hub, garment_type="top", size="M") == own
    assert pattern_for(hub=world.other_hub, garment_type="top", size="M") == shared
    shared.refresh_from_db()
    assert shared.metres_per_garment == Decimal("1.50")


def test_kits_already_made_keep_the_fabric_they_were_counted_with(world):
    pattern = save(world, metres_per_garment="1.50")
    lot = factories.FabricLotFactory(hub=world.hub, metres_received=100, metres_available=100)
    (kit,) = kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        kit_count=1,
        garments_per_kit=4,
        fabric_lot=lot,
        actor=world.user("hub_staff"),
    ).kits.order_by("pk")
    save(world, metres_per_garment="2.00")
    kit.refresh_from_db()
    assert kit.pattern_id == pattern.pk and kit.fabric_metres == Decimal("6.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"garment_type": "cape"}, "Choose the garment"),
        ({"size": "XXXXL"}, "Choose a size"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "under 200"),
        ({"metres_per_garment": "0"}, "more than 0"),
        ({"metres_per_garment": "-1"}, "more than 0"),
        ({"metres_per_garment": "25"}, "more than 20 metres"),
        ({"metres_per_garment": "lots"}, "in metres"),
        ({"metres_per_garment": "NaN"}, "more than 0"),
        ({"instructions_url": "javascript:alert(1)"}, "https://"),
        ({"instructions_url": "example.org/top"}, "https://"),
        ({"instructions_text": "x" * 20_001}, "too long"),
    ],
)
def test_saving_refuses_what_cannot_be_a_pattern_and_keeps_nothing(world, changes, message):
    with pytest.raises(PatternError, match=message):
        save(world, **changes)
    assert not Pattern.objects.filter(hub=world.hub).exists()
    assert not AuditEvent.objects.filter(subject_type="packages.Pattern").exists()


def test_the_shared_pattern_is_saved_without_a_hub_trail(world):
    pattern = save(world, hub=None, actor=world.user("operator"))
    assert pattern.hub is None
    assert pattern_for(hub=world.other_hub, garment_type="top", size="M") == pattern
    assert not audit_rows(pattern).exists()


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_the_same_pattern_at_once_leave_one_current_pattern():
    from django.db import connection

    from tests.packages.test_races import race

    if connection.vendor != "postgresql":
        pytest.skip("Row locks need Postgres.")
    hub, staff = factories.HubFactory(), factories.UserFactory()
    outcomes = race(
        *[
            lambda m=metres: pattern_save(
                hub=hub,
                garment_type="trousers",
                size="L",
                name="Trousers",
                metres_per_garment=m,
                actor=staff,
            )
            for metres in ("1.20", "1.30")
        ]
    )
    assert [o[0] for o in outcomes] == ["won", "won"]
    (pattern,) = Pattern.objects.filter(hub=hub, garment_type="trousers", size="L")
    assert pattern.metres_per_garment in (Decimal("1.20"), Decimal("1.30"))
    # One added it, the other changed it: both are in the trail.
    assert audit_rows(pattern).count() == 2
