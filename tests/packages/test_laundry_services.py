"""The laundry's services: demand in size runs, confirming deliveries (demand met, makers
thanked), wash failures, quality needs; and the hub's packing and discrepancy follow-up."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from packages import selectors, services
from packages.models import CirculationRecord, Delivery, DemandLine, Kit, WashFailure
from packages.services import DeliveryError, DemandError, LaundryError
from scrubhub.notifications.models import Message
from tests import factories
from tests.packages.helpers import assert_kit_invariants

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def laundry(world):
    return world.user("laundry")


def _run(world, laundry, **overrides):
    options = {
        "hospital": world.hospital,
        "garment_types": ["top", "trousers"],
        "quantities": {"S": 10, "M": 30, "L": 0},
        "actor": laundry,
        "priority": "urgent",
        "needed_by": TODAY + datetime.timedelta(days=14),
        "today": TODAY,
    }
    options.update(overrides)
    return services.demand_record(**options)


# --- Demand ---------------------------------------------------------------------------------


def test_size_run_records_a_line_per_garment_and_size_with_a_quantity(world, laundry):
    lines = _run(world, laundry, requirements="  Ties, not elastic ")
    assert [(line.garment_type, line.size, line.quantity) for line in lines] == [
        ("top", "S", 10),
        ("top", "M", 30),
        ("trousers", "S", 10),
        ("trousers", "M", 30),
    ]
    assert {line.requirements for line in lines} == {"Ties, not elastic"}
    assert all(line.changes.get().actor == laundry for line in lines)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quantities": {"S": 0, "M": 0}}, "at least one size"),
        ({"quantities": {"S": 10, "M": -3}}, "less than nothing"),
        ({"quantities": {"M": 1_000_000}}, "more than we can take"),
        ({"needed_by": TODAY - datetime.timedelta(days=1)}, "in the past"),
        ({"garment_types": []}, "tops, trousers or both"),
    ],
)
def test_size_run_refuses_bad_input_and_records_nothing(world, laundry, overrides, message):
    with pytest.raises(DemandError, match=message):
        _run(world, laundry, **overrides)
    assert not DemandLine.objects.exists()


def test_change_keeps_who_and_when_and_refuses_a_new_date_in_the_past(world, laundry):
    line = factories.demand(hospital=world.hospital, actor=laundry, quantity=20)
    services.demand_change(
        line=line,
        actor=laundry,
        quantity=25,
        priority="urgent",
        needed_by=None,
        requirements="",
        note="More staff on the ward",
    )
    change = line.changes.order_by("pk").last()
    assert change.actor == laundry
    assert change.changes["quantity"] == ["20", "25"]
    assert change.note == "More staff on the ward"
    with pytest.raises(DemandError, match="in the past"):
        services.demand_change(
            line=line,
            actor=laundry,
            quantity=30,
            priority="urgent",
            needed_by=TODAY - datetime.timedelta(days=3),
            requirements="",
            today=TODAY,
        )
    line.refresh_from_db()
    assert line.quantity == 25


def test_change_may_keep_a_date_that_has_since_passed(world, laundry):
    old = timezone.localdate() - datetime.timedelta(days=5)
    line = factories.demand(hospital=world.hospital, actor=laundry, needed_by=old)
    line = services.demand_change(
        line=line, actor=laundry, quantity=40, priority="normal", needed_by=old, requirements=""
    )
    assert (line.quantity, line.needed_by) == (40, old)


def test_cutting_a_request_to_what_has_arrived_marks_it_met(world, laundry):
    staff = world.user("hub_staff")
    line = factories.demand(hospital=world.hospital, actor=laundry, quantity=20)
    factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="received")
    assert selectors.demand_line_figures(line=line).delivered == 5
    line = services.demand_change(
        line=line, actor=laundry, quantity=5, priority="normal", needed_by=None, requirements=""
    )
    assert line.status == DemandLine.Status.MET


def test_withdrawn_request_cannot_be_changed(world, laundry):
    line = factories.demand(hospital=world.hospital, actor=laundry)
    services.demand_withdraw(line=line, actor=laundry, note="Supplier came through")
    with pytest.raises(DemandError, match="withdrawn"):
        services.demand_change(
            line=line, actor=laundry, quantity=3, priority="normal", needed_by=None, requirements=""
        )


def test_sets_in_circulation_are_kept_with_who_and_when(world, laundry):
    services.circulation_record(hospital=world.hospital, sets=6400, actor=laundry)
    services.circulation_record(hospital=world.hospital, sets=6550, actor=laundry)
    world.hospital.refresh_from_db()
    assert world.hospital.sets_in_circulation == 6550
    assert list(CirculationRecord.objects.values_list("sets", "recorded_by")) == [
        (6550, laundry.pk),
        (6400, laundry.pk),
    ]
    with pytest.raises(LaundryError):
        services.circulation_record(hospital=world.hospital, sets=-1, actor=laundry)


def test_open_demand_figures_share_garments_being_made_in_urgency_order(world, laundry, staff):
    normal = factories.demand(hospital=world.hospital, quantity=8, priority="normal")
    urgent = factories.demand(hospital=world.hospital, quantity=6, priority="urgent")
    for _ in range(2):
        factories.passed_kit(hub=world.hub, actor=staff, garments=5)  # 10 passed, top M
    figures = selectors.open_demand_figures(hospital=world.hospital)
    assert [f.line.pk for f in figures] == [urgent.pk, normal.pk]
    assert [f.in_production for f in figures] == [6, 4]


# --- Confirming a delivery ------------------------------------------------------------------


def test_confirming_marks_demand_met_and_thanks_each_maker_once(world, laundry, staff):
    line = factories.demand(hospital=world.hospital, quantity=9, actor=laundry)
    first, second = factories.MakerFactory(hub=world.hub), factories.MakerFactory(hub=world.hub)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    for maker, garments in ((first, 5), (second, 4), (first, 3)):
        factories.passed_kit(hub=world.hub, maker=maker, actor=staff, garments=garments)
    services.delivery_pack(delivery=delivery, counts={("top", "M"): 12}, actor=staff)
    services.delivery_send(delivery=delivery, actor=staff)
    lines = {line.pk: line.count_sent for line in delivery.lines.all()}

    services.delivery_confirm(
        delivery=delivery, received=lines, actor=laundry, thank_you_note="Lovely work!"
    )

    line.refresh_from_db()
    assert line.status == DemandLine.Status.MET
    assert line.changes.last().note == f"Met by delivery {delivery.reference}"
    thanks = {m.idempotency_key: m for m in Message.objects.filter(kind="delivery_thanks")}
    assert set(thanks) == {
        f"delivery-thanks:{delivery.pk}:{first.pk}",
        f"delivery-thanks:{delivery.pk}:{second.pk}",
    }
    assert "8 of your garments reached" in thanks[f"delivery-thanks:{delivery.pk}:{first.pk}"].body
    assert "4 of your garments reached" in thanks[f"delivery-thanks:{delivery.pk}:{second.pk}"].body
    assert all("Lovely work!" in m.body for m in thanks.values())
    assert all(m.hub == world.hub for m in thanks.values())
    for kit in Kit.objects.all():
        assert_kit_invariants(kit)


def test_a_group_is_thanked_through_its_leader(world, laundry, staff):
    group = factories.MakerGroupFactory(hub=world.hub, leader_contact="leader@example.org")
    factories.passed_kit(hub=world.hub, group=group, actor=staff, garments=3)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    services.delivery_pack(delivery=delivery, counts={("top", "M"): 3}, actor=staff)
    services.delivery_send(delivery=delivery, actor=staff)
    services.delivery_confirm(
        delivery=delivery, received={line.pk: 3 for line in delivery.lines.all()}, actor=laundry
    )
    (message,) = Message.objects.filter(kind="delivery_thanks")
    assert message.idempotency_key == f"delivery-thanks:{delivery.pk}:group:{group.pk}"
    assert message.to_address == "leader@example.org"
    assert "3 garments your group sewed" in message.body


def test_confirming_twice_is_refused_and_changes_nothing(world, laundry, staff):
    delivery = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="received"
    )
    messages_before = Message.objects.count()
    (line,) = delivery.lines.all()
    with pytest.raises(DeliveryError, match="already confirmed"):
        services.delivery_confirm(
            delivery=delivery, received={line.pk: 2}, actor=laundry, discrepancy_note="Recount"
        )
    line.refresh_from_db()
    delivery.refresh_from_db()
    assert line.count_received == 5 and delivery.discrepancy_note == ""
    assert Message.objects.count() == messages_before


def test_confirming_more_than_was_sent_needs_a_note(world, laundry, staff):
    delivery = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    (line,) = delivery.lines.all()
    with pytest.raises(DeliveryError, match="differs"):
        services.delivery_confirm(delivery=delivery, received={line.pk: 7}, actor=laundry)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert not Message.objects.filter(kind="delivery_thanks").exists()


def test_an_excess_never_counts_as_more_delivered_than_was_sent(world, laundry, staff):
    demand = factories.demand(hospital=world.hospital, quantity=20, actor=laundry)
    factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        received=[9],
        discrepancy_note="Nine in the bag",
    )
    (figures,) = selectors.open_demand_figures(hospital=world.hospital)
    assert figures.line == demand
    assert figures.delivered == 5


def test_a_discrepancy_shows_until_staff_sort_it_out(world, laundry, staff):
    short = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        received=[3],
        discrepancy_note="Two missing",
    )
    factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="received")
    assert list(selectors.deliveries_with_discrepancy(hub=world.hub)) == [short]
    assert list(selectors.deliveries_with_discrepancy(hub=world.other_hub)) == []
    with pytest.raises(DeliveryError, match="how it was sorted"):
        services.delivery_discrepancy_resolve(delivery=short, actor=staff, note=" ")
    services.delivery_discrepancy_resolve(
        delivery=short, actor=staff, note="Found in the van; taken over next day"
    )
    assert list(selectors.deliveries_with_discrepancy(hub=world.hub)) == []
    with pytest.raises(DeliveryError, match="already"):
        services.delivery_discrepancy_resolve(delivery=short, actor=staff, note="Again")


# --- Packing --------------------------------------------------------------------------------


def test_pack_links_each_line_to_the_most_urgent_open_request(world, laundry, staff):
    factories.demand(hospital=world.hospital, quantity=50, priority="normal")
    later = timezone.localdate() + datetime.timedelta(days=30)
    sooner = timezone.localdate() + datetime.timedelta(days=3)
    factories.demand(hospital=world.hospital, quantity=50, priority="urgent", needed_by=later)
    most = factories.demand(
        hospital=world.hospital, quantity=50, priority="urgent", needed_by=sooner
    )
    factories.passed_kit(hub=world.hub, actor=staff)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    (line,) = services.delivery_pack(delivery=delivery, counts={("top", "M"): 4}, actor=staff)
    assert line.demand_line == most


def test_pack_is_all_or_nothing(world, staff):
    kit = factories.passed_kit(hub=world.hub, actor=staff, size="M")
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    with pytest.raises(DeliveryError, match="Only 0"):
        services.delivery_pack(
            delivery=delivery, counts={("top", "M"): 5, ("top", "L"): 1}, actor=staff
        )
    kit = assert_kit_invariants(kit)
    assert (kit.qty_passed, kit.qty_reserved) == (5, 0)
    assert not delivery.lines.exists()


@pytest.mark.parametrize("counts", [{}, {("top", "M"): 0}, {("top", "M"): -2}])
def test_pack_refuses_nothing_or_negative(world, staff, counts):
    factories.passed_kit(hub=world.hub, actor=staff)
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    with pytest.raises(DeliveryError):
        services.delivery_pack(delivery=delivery, counts=counts, actor=staff)
    assert not delivery.lines.exists()


def test_unpacking_a_line_frees_its_garments(world, staff):
    draft = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="draft")
    (line,) = draft.lines.all()
    kit = line.allocations.get().kit
    services.delivery_line_unpack(line=line, actor=staff)
    kit = assert_kit_invariants(kit)
    assert (kit.qty_passed, kit.qty_reserved) == (5, 0)
    line.refresh_from_db()
    assert line.count_sent == 0 and not line.allocations.exists()
    with pytest.raises(DeliveryError, match="Nothing"):
        services.delivery_line_unpack(line=line, actor=staff)
    with pytest.raises(DeliveryError, match="Pack some garments"):
        services.delivery_send(delivery=draft, actor=staff)


# --- Wash failures --------------------------------------------------------------------------


@pytest.fixture
def received(world, laundry, staff):
    return factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        received=[4],
        discrepancy_note="One short",
    )


def test_wash_failures_are_recorded_against_the_line_and_the_kit(received, laundry):
    (line,) = received.lines.all()
    kit = line.allocations.get().kit
    failure = services.wash_failure_report(
        delivery=received,
        line=line,
        count=2,
        reason="seams",
        actor=laundry,
        kit_code=kit.display_code.lower(),
    )
    assert (failure.count, failure.kit, failure.reported_by) == (2, kit, laundry)
    (traced,) = selectors.delivery_trace(delivery=received)
    assert traced.failed == 2
    assert traced.kits[0][2] == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 0}, "at least one"),
        ({"count": 5}, "cannot have failed"),
        ({"reason": "other"}, "what went wrong"),
        ({"reason": "melted"}, "what went wrong"),
        ({"kit_code": "ZZZZZZZ"}, "kit code was not in this part"),
    ],
)
def test_wash_failure_refusals_record_nothing(received, laundry, options, message):
    (line,) = received.lines.all()
    report = {"count": 1, "reason": "seams", **options}
    with pytest.raises(LaundryError, match=message):
        services.wash_failure_report(delivery=received, line=line, actor=laundry, **report)
    assert not WashFailure.objects.exists()


def test_wash_failures_add_up_to_no_more_than_arrived(received, laundry):
    (line,) = received.lines.all()
    services.wash_failure_report(
        delivery=received, line=line, count=3, reason="shrank", actor=laundry
    )
    with pytest.raises(LaundryError, match="3 are already reported"):
        services.wash_failure_report(
            delivery=received, line=line, count=2, reason="shrank", actor=laundry
        )


def test_wash_failures_wait_until_the_delivery_is_confirmed(world, laundry, staff):
    sent = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    with pytest.raises(LaundryError, match="once the delivery has been confirmed"):
        services.wash_failure_report(
            delivery=sent, line=sent.lines.get(), count=1, reason="seams", actor=laundry
        )


def test_a_line_from_another_delivery_is_refused(world, received, laundry, staff):
    other = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="received"
    )
    with pytest.raises(LaundryError, match="not in this delivery"):
        services.wash_failure_report(
            delivery=received, line=other.lines.get(), count=1, reason="seams", actor=laundry
        )


# --- Quality needs --------------------------------------------------------------------------


def test_quality_needs_feed_the_hubs_check_reasons_and_can_be_removed(world, laundry):
    seam = services.quality_requirement_add(
        hospital=world.hospital, title="1 cm seam allowance", actor=laundry
    )
    services.quality_requirement_add(
        hospital=world.hospital, title="Drawstring ties", garment_type="trousers", actor=laundry
    )
    services.quality_requirement_add(
        hospital=world.other_hospital, title="Elsewhere only", actor=laundry
    )
    assert selectors.quality_check_reasons(hub=world.hub, garment_type="top") == [
        "Does not meet: 1 cm seam allowance"
    ]
    assert len(selectors.quality_requirements_for_hub(hub=world.hub)) == 2
    services.quality_requirement_remove(requirement=seam, actor=laundry)
    assert selectors.quality_check_reasons(hub=world.hub, garment_type="top") == []
    with pytest.raises(LaundryError, match="already been removed"):
        services.quality_requirement_remove(requirement=seam, actor=laundry)
    with pytest.raises(LaundryError, match="short name"):
        services.quality_requirement_add(hospital=world.hospital, title="  ", actor=laundry)
