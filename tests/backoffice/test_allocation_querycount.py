"""The allocation pages and the quality-check list make the same number of queries at 10
and at 1,000 makers and kits (with history behind them: kits handed in and checked)."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from makers.models import Maker
from packages import services
from packages.models import GarmentMovement, Kit, KitAssignment, Place, QualityCheck
from scrubhub.backoffice.views.allocation import BOARD_PAGE_SIZE
from tests import factories
from tests.querycount import assert_same_queries_at_sizes

pytestmark = pytest.mark.django_db


def _bulk_kits_with_maker(*, hub, makers, count, awaiting: int, staff):
    """`count` kits already with makers (spread over `makers`), `awaiting` garments of each
    handed in and waiting for the check, one earlier check each: built in bulk, with counts
    that obey the kit constraints, so 1,000 rows take seconds."""
    stock = factories.PrecutStockFactory(hub=hub, quantity_received=count * 5)
    kits = Kit.objects.bulk_create(
        [
            Kit(
                code=services.kit_code_generate(),
                hub=hub,
                garment_type="top" if i % 2 else "trousers",
                size="M",
                garment_count=5,
                source=Kit.Source.PRECUT,
                precut_stock=stock,
                status=Kit.Status.WITH_MAKER,
                qty_with_maker=4 - awaiting,
                qty_awaiting_check=awaiting,
                qty_passed=1,
            )
            for i in range(count)
        ]
    )
    KitAssignment.objects.bulk_create(
        [
            KitAssignment(kit=kit, maker=makers[i % len(makers)], assigned_by=staff)
            for i, kit in enumerate(kits)
        ]
    )
    GarmentMovement.objects.bulk_create(
        [
            GarmentMovement(
                kit=kit, from_place=Place.WITH_MAKER, to_place=Place.AWAITING_CHECK, count=1
            )
            for kit in kits
        ]
    )
    QualityCheck.objects.bulk_create(
        [QualityCheck(kit=kit, passed=1, failed=0, checked_by=staff) for kit in kits]
    )
    return kits


@pytest.fixture
def grow(world):
    """grow(n) brings the hub's makers (with preferred points and every experience), kits
    on the shelf and kits with makers (with history and garments waiting for the check) up
    to n each."""
    staff = world.user("hub_staff")
    hub = world.hub
    points = [world.point, factories.PointFactory(hub=hub, name="Church hall")]
    rng = random.Random(7)

    def grow_to(n: int) -> None:
        more = n - Maker.objects.filter(hub=hub).count()
        if more > 0:
            Maker.objects.bulk_create(
                [
                    Maker(
                        hub=hub,
                        name=f"Maker {n}-{i}",
                        email=f"maker{n}-{i}@example.org",
                        phone="07700 900123",
                        postcode="DD1 4HN",
                        status=rng.choice(["approved", "active"]),
                        experience=rng.choice(["beginner", "confident", "professional"]),
                        sets_per_week=rng.randint(1, 4),
                        preferred_point=rng.choice(points + [None]),
                    )
                    for i in range(more)
                ]
            )
        shelf = n - Kit.objects.filter(hub=hub, status=Kit.Status.PREPARED).count()
        if shelf > 0:
            factories.prepared_kits(hub=hub, kit_count=shelf, garments=2, actor=staff)
        out = n - Kit.objects.filter(hub=hub, status=Kit.Status.WITH_MAKER).count()
        if out > 0:
            makers = list(Maker.objects.filter(hub=hub).order_by("?")[:n])
            _bulk_kits_with_maker(hub=hub, makers=makers, count=out, awaiting=2, staff=staff)

    return grow_to


def test_allocation_page_costs_the_same_at_10_and_1000(client_for, grow):
    assert_same_queries_at_sizes(client_for("hub_staff"), reverse("hubs:allocate"), grow)


def test_one_kits_choices_cost_the_same_at_10_and_1000(world, client_for, grow):
    grow(10)
    kit = Kit.objects.filter(hub=world.hub, status=Kit.Status.PREPARED).order_by("pk").first()
    url = reverse("hubs:allocate_kit", args=[kit.code])
    assert_same_queries_at_sizes(client_for("hub_staff"), url, grow)


def test_searching_for_a_maker_costs_the_same_at_10_and_1000(world, client_for, grow):
    grow(10)
    kit = Kit.objects.filter(hub=world.hub, status=Kit.Status.PREPARED).order_by("pk").first()
    url = reverse("hubs:allocate_kit", args=[kit.code]) + "?q=maker"
    assert_same_queries_at_sizes(client_for("hub_staff"), url, grow)


def test_kits_given_out_cost_the_same_at_10_and_1000(client_for, grow):
    assert_same_queries_at_sizes(client_for("hub_staff"), reverse("hubs:allocate_given"), grow)


def test_quality_check_list_costs_the_same_at_10_and_1000(client_for, grow):
    count = assert_same_queries_at_sizes(client_for("hub_staff"), reverse("hubs:checks"), grow)
    assert count < 20


def test_reallocate_page_costs_the_same_at_10_and_1000(world, client_for, grow):
    grow(10)
    kit = Kit.objects.filter(hub=world.hub, status=Kit.Status.WITH_MAKER).order_by("pk").first()
    url = reverse("hubs:kit_reallocate", args=[kit.code])
    assert_same_queries_at_sizes(client_for("hub_staff"), url, grow)


def test_the_page_suggests_someone_for_every_kit_at_1000(world, client_for, grow):
    grow(1000)
    page = client_for("hub_staff").get(reverse("hubs:allocate")).content.decode()
    assert page.count('formaction="/hub/allocate/') == BOARD_PAGE_SIZE
