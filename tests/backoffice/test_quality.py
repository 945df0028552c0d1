"""The quality check: the list of kits with garments waiting, and recording a check with a
reason for every failed garment, through the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from packages import services
from packages.models import Kit, QualityCheck
from scrubhub.backoffice.views.quality import CheckForm
from scrubhub.notifications.models import Message
from tests import factories
from tests.hubs.helpers import kits_at
from tests.once import token
from tests.packages.helpers import assert_kit_invariants

pytestmark = pytest.mark.django_db


def _post(client, kit, **data):
    return client.post(reverse("hubs:check_kit", args=[kit.code]), data | token(CheckForm))


def test_the_list_shows_kits_waiting_grouped_by_kit_with_the_maker(world, staff, maker, client_for):
    waiting = kits_at(world, staff, maker, stage="awaiting_check", count=2)
    (not_back,) = kits_at(world, staff, maker, stage="with_maker")
    page = client_for("hub_staff").get(reverse("hubs:checks")).content.decode()
    for kit in waiting:
        assert kit.display_code in page
    assert not_back.display_code not in page
    assert "5 garments waiting" in page
    assert f"sewn by {maker.name}" in page


def test_the_check_page_offers_the_standard_reasons_and_the_hospitals_requirements(
    world, staff, maker, client_for
):
    services.quality_requirement_add(
        hospital=world.hospital, title="1 cm seam allowance", actor=world.user("laundry")
    )
    services.quality_requirement_add(
        hospital=world.hospital,
        title="Drawstring, not elastic",
        garment_type="trousers",
        actor=world.user("laundry"),
    )
    services.quality_requirement_add(
        hospital=world.other_hospital, title="Other hospital's rule", actor=None
    )
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    page = client_for("hub_staff").get(reverse("hubs:check_kit", args=[kit.code])).content.decode()
    for name in ("seams", "sizing", "fabric", "soiled"):
        assert f'name="fail_{name}"' in page, name
    requirement = world.hospital.quality_requirements.get(title="1 cm seam allowance")
    assert f'name="fail_req_{requirement.pk}"' in page
    assert "Does not meet: 1 cm seam allowance" in page
    assert "Drawstring, not elastic" not in page  # a trousers rule, and this kit is tops
    assert "Other hospital" not in page


def test_all_passed_makes_them_available_for_deliveries(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    response = _post(client_for("hub_staff"), kit, passed="5")
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.qty_awaiting_check, kit.qty_passed) == (0, 5)
    assert kit.status == Kit.Status.WITH_MAKER  # open until the passed garments are delivered
    check = QualityCheck.objects.get(kit=kit)
    assert (check.passed, check.failed, check.checked_by) == (5, 0, staff)
    assert_kit_invariants(kit)


def test_failures_sent_for_rework_carry_a_reason_each_and_the_maker_is_told(
    world, staff, maker, client_for
):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    response = _post(
        client_for("hub_staff"),
        kit,
        passed="3",
        fail_seams="1",
        fail_sizing="1",
        outcome="rework",
        note="The side seams are open at the hem.",
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.qty_passed, kit.qty_rework, kit.qty_awaiting_check) == (3, 2, 0)
    assert kit.status == Kit.Status.WITH_MAKER  # the kit stays open until the rework is back
    check = QualityCheck.objects.get(kit=kit)
    assert check.failed == 2 and check.failed_outcome == "rework"
    assert check.reason == "Seams: 1; Sizing: 1. The side seams are open at the hem."
    message = Message.objects.get(idempotency_key=f"quality-rework:{check.pk}")
    assert message.to_address == maker.email
    assert "- Seams: 1" in message.body and "- Sizing: 1" in message.body
    assert "The side seams are open at the hem." in message.body
    assert_kit_invariants(kit)


def test_a_hospital_requirement_can_be_the_reason(world, staff, maker, client_for):
    requirement = services.quality_requirement_add(
        hospital=world.hospital, title="Size label sewn in", actor=None
    )
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    data = {"passed": "4", f"fail_req_{requirement.pk}": "1", "outcome": "rework"}
    assert _post(client_for("hub_staff"), kit, **data).status_code == 302
    check = QualityCheck.objects.get(kit=kit)
    assert check.reason == "Does not meet: Size label sewn in: 1"


def test_written_off_failures_are_not_sent_to_the_maker(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    response = _post(
        client_for("hub_staff"), kit, passed="4", fail_soiled="1", outcome="written_off"
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.qty_passed, kit.qty_written_off) == (4, 1)
    assert not Message.objects.filter(idempotency_key__startswith="quality-rework:").exists()
    assert_kit_invariants(kit)


def test_something_else_needs_words(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    client = client_for("hub_staff")
    refused = _post(client, kit, passed="4", other="1", outcome="rework")
    assert refused.status_code == 400
    assert "Say what else was wrong." in refused.content.decode()
    assert not QualityCheck.objects.filter(kit=kit).exists()
    done = _post(
        client, kit, passed="4", other="1", other_reason="Pocket on upside down", outcome="rework"
    )
    assert done.status_code == 302
    assert QualityCheck.objects.get(kit=kit).reason == "Pocket on upside down: 1"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"passed": "4", "fail_seams": "1"}, "Say whether the failed garments go back"),
        (
            {"passed": "6", "outcome": "rework"},
            "5 garments are waiting to be checked, but 6 passed",
        ),
        ({"passed": "0"}, "Enter how many passed, or how many failed and why."),
        ({"passed": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"passed": "", "fail_seams": "1", "outcome": "rework"}, "Enter how many passed, or 0."),
    ],
)
def test_bad_input_changes_nothing_and_says_why_at_the_top(
    world, staff, maker, client_for, data, error
):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    # Giving the kit out told the maker; the refused check must tell them nothing more.
    told_before = Message.objects.filter(kind="kit_staff").count()
    response = _post(client_for("hub_staff"), kit, **data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and error in page
    kit.refresh_from_db()
    assert kit.qty_awaiting_check == 5
    assert not QualityCheck.objects.filter(kit=kit).exists()
    assert Message.objects.filter(kind="kit_staff").count() == told_before


def test_a_check_someone_else_recorded_first_is_refused_in_the_page(
    world, staff, maker, client_for
):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    services.quality_check_record(kit=kit, passed=5, failures=[], actor=world.user("coordinator"))
    response = _post(client_for("hub_staff"), kit, passed="5")
    page = response.content.decode()
    assert response.status_code == 409
    assert "There is a problem" in page
    assert f"Nothing from kit {kit.display_code} is waiting to be checked now" in page
    assert QualityCheck.objects.filter(kit=kit).count() == 1


def test_rework_for_a_group_goes_to_its_leader(world, staff, client_for):
    group = factories.MakerGroupFactory(
        hub=world.hub, leader=None, leader_contact="pat@example.org"
    )
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    services.kit_allocate(kit=kit, group=group, actor=staff)
    services.kit_collect(kit=kit, actor=staff)
    services.garments_return(kit=kit, count=5, actor=staff)
    response = _post(client_for("hub_staff"), kit, passed="4", fail_fabric="1", outcome="rework")
    assert response.status_code == 302
    check = QualityCheck.objects.get(kit=kit)
    message = Message.objects.get(idempotency_key=f"quality-rework:{check.pk}")
    assert message.to_address == "pat@example.org"
    assert "- Fabric: 1" in message.body


def test_another_hubs_kit_is_a_404(world, client_for):
    staff_b = world.user("other_hub_staff")
    maker_b = factories.MakerFactory(hub=world.other_hub)
    (kit,) = factories.prepared_kits(hub=world.other_hub, actor=staff_b)
    services.kit_allocate(kit=kit, maker=maker_b, actor=staff_b)
    services.kit_collect(kit=kit, actor=staff_b)
    services.garments_return(kit=kit, count=5, actor=staff_b)
    client = client_for("hub_staff")
    assert client.get(reverse("hubs:check_kit", args=[kit.code])).status_code == 404
    assert _post(client, kit, passed="5").status_code == 404
    assert kit.display_code not in client.get(reverse("hubs:checks")).content.decode()
    kit.refresh_from_db()
    assert kit.qty_awaiting_check == 5


def test_laundry_staff_never_reach_the_check_pages(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    client = client_for("laundry")
    assert client.get(reverse("hubs:checks")).status_code == 403
    assert client.get(reverse("hubs:check_kit", args=[kit.code])).status_code == 403
