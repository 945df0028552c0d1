"""The hub's delivery pages: packing from passed garments, the delivery note, sending,
cancelling, sorting out discrepancies; another hub's delivery is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from packages.forms import NewDeliveryForm, PackForm
from packages.models import Delivery, DeliveryAllocation, Kit
from tests import factories
from tests.once import token
from tests.packages.helpers import assert_kit_invariants
from tests.querycount import assert_same_queries_at_sizes


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def test_start_a_delivery_for_a_hospital_the_hub_supplies(client_for, world):
    client = client_for("hub_staff")
    response = client.post(
        reverse("packages:hub_delivery_new"),
        {"hospital": world.hospital.pk} | token(NewDeliveryForm),
    )
    delivery = Delivery.objects.get()
    assert response.headers["Location"] == reverse("packages:hub_delivery", args=[delivery.pk])
    assert (delivery.hub, delivery.hospital) == (world.hub, world.hospital)
    # A hospital the hub does not supply is not a choice.
    response = client.post(
        reverse("packages:hub_delivery_new"), {"hospital": world.other_hospital.pk}
    )
    assert response.status_code == 200 and "data-error-summary" in response.content.decode()
    assert Delivery.objects.count() == 1


def test_pack_page_suggests_what_the_most_urgent_request_still_needs(client_for, world, staff):
    factories.passed_kit(hub=world.hub, actor=staff, size="M", garments=5)
    factories.passed_kit(hub=world.hub, actor=staff, size="L", garments=5)
    factories.demand(hospital=world.hospital, size="M", quantity=3, priority="urgent")
    draft = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="draft", sizes=()
    )
    form = (
        client_for("hub_staff")
        .get(reverse("packages:hub_delivery", args=[draft.pk]))
        .context["pack_form"]
    )
    assert form["count_top_M"].initial == 3
    assert form["count_top_L"].initial == 0  # passed, but nobody asked for it


def test_packing_more_than_has_passed_shows_why_and_packs_nothing(client_for, world, staff):
    kit = factories.passed_kit(hub=world.hub, actor=staff, size="M", garments=5)
    draft = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="draft", sizes=()
    )
    response = client_for("hub_staff").post(
        reverse("packages:hub_delivery_pack", args=[draft.pk]),
        {"count_top_M": "6"} | token(PackForm),
    )
    assert response.status_code == 200
    assert "Only 5 scrub tops in size M" in response.content.decode()
    kit = assert_kit_invariants(kit)
    assert kit.qty_reserved == 0


def test_another_hubs_delivery_is_not_found(client_for, world):
    theirs = factories.delivery(
        hub=world.other_hub,
        hospital=world.other_hospital,
        actor=world.user("other_hub_staff"),
        status="draft",
    )
    client = client_for("hub_staff")
    for name in ("hub_delivery", "hub_delivery_note", "hub_delivery_resolve"):
        assert client.get(reverse(f"packages:{name}", args=[theirs.pk])).status_code == 404
    for name in ("hub_delivery_send", "hub_delivery_cancel"):
        assert client.post(reverse(f"packages:{name}", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Delivery.Status.DRAFT


def test_delivery_note_has_a_reference_and_a_line_per_size(client_for, world, staff):
    draft = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="draft",
        sizes=(("top", "S", 2), ("top", "M", 4), ("trousers", "M", 3)),
    )
    text = (
        client_for("hub_staff")
        .get(reverse("packages:hub_delivery_note", args=[draft.pk]))
        .content.decode()
    )
    assert draft.reference in text
    assert text.count("<tr><td>") == 3
    assert "data-print" in text


def test_send_then_cancel_is_refused_with_a_message(client_for, world, staff):
    draft = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="draft")
    client = client_for("hub_staff")
    client.post(reverse("packages:hub_delivery_send", args=[draft.pk]))
    response = client.post(reverse("packages:hub_delivery_cancel", args=[draft.pk]), follow=True)
    assert "This delivery is sent, not being packed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Delivery.Status.SENT


def test_cancel_frees_the_garments(client_for, world, staff):
    draft = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="draft")
    kit = draft.lines.get().allocations.get().kit
    client_for("coordinator").post(reverse("packages:hub_delivery_cancel", args=[draft.pk]))
    kit = assert_kit_invariants(kit)
    assert (kit.qty_passed, kit.qty_reserved) == (5, 0)


def test_staff_say_how_a_discrepancy_was_sorted_out(client_for, world, staff):
    short = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        received=[3],
        discrepancy_note="Two missing",
    )
    url = reverse("packages:hub_delivery_resolve", args=[short.pk])
    client = client_for("hub_staff")
    assert "data-error-summary" in client.post(url, {"note": ""}).content.decode()
    response = client.post(url, {"note": "Two were left in the van; taken over next day"})
    assert response.status_code == 302
    short.refresh_from_db()
    assert short.discrepancy_resolved_by == staff


def test_deliveries_page_makes_the_same_queries_at_10_and_1000(client_for, world):
    from tests.packages.test_laundry_views import _grow_deliveries

    assert_same_queries_at_sizes(
        client_for("hub_staff"),
        reverse("packages:hub_deliveries"),
        _grow_deliveries(world, "received"),
    )


def test_delivery_page_makes_the_same_queries_for_1_and_20_kits(client_for, world, staff):
    draft = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="draft", sizes=()
    )
    from packages import services

    def grow_to(n: int) -> None:
        while DeliveryAllocation.objects.filter(line__delivery=draft).count() < n:
            factories.passed_kit(hub=world.hub, actor=staff, garments=1)
            services.delivery_pack(delivery=draft, counts={("top", "M"): 1}, actor=staff)

    assert_same_queries_at_sizes(
        client_for("hub_staff"),
        reverse("packages:hub_delivery", args=[draft.pk]),
        grow_to,
        sizes=(1, 20),
    )
    assert Kit.objects.filter(qty_reserved=1).count() == 20
