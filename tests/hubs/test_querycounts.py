"""The dashboard and every list make the same number of queries at 10 and at 1,000 rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from makers.models import Maker
from packages import services
from packages.models import Donation, FabricLot, Kit, KitEvent, PrecutStock
from scrubhub.hubs.models import KitBatch, ShiftNote
from tests import factories
from tests.querycount import assert_same_queries_at_sizes


@pytest.fixture
def grow(world):
    """grow(n) brings the hub's kits (some given out and collected), makers, donations,
    stock, batches and shift notes up to n rows each."""
    staff = world.user("hub_staff")
    hub = world.hub

    def grow_to(n: int) -> None:
        have = Kit.objects.filter(hub=hub).count()
        if have < n:
            stock = factories.PrecutStockFactory(hub=hub, quantity_received=(n - have) * 2)
            kits = []
            while len(kits) < n - have:
                batch = services.kits_prepare(
                    hub=hub,
                    garment_type="top",
                    size="M",
                    kit_count=min(services.MAX_KITS_PER_BATCH, n - have - len(kits)),
                    garments_per_kit=2,
                    precut_stock=stock,
                    actor=staff,
                )
                kits += batch.kits.order_by("pk")
            maker = factories.MakerFactory(hub=hub)
            collected = kits[: max(4, len(kits) // 50)]
            for kit in collected:
                services.kit_allocate(kit=kit, maker=maker, actor=staff)
                services.kit_collect(kit=kit, actor=staff)
            # Half of them collected long ago, so the overdue list has rows too.
            long_ago = timezone.now() - timedelta(days=30)
            KitEvent.objects.filter(
                kit__in=collected[::2], new_status=Kit.Status.WITH_MAKER
            ).update(created_at=long_ago)
            Kit.objects.filter(pk__in=[k.pk for k in collected[::2]]).update(collected_at=long_ago)
            for kit in kits[len(collected) : len(collected) * 2]:
                services.kit_allocate(kit=kit, maker=maker, actor=staff)
        more = n - Maker.objects.filter(hub=hub).count()
        Maker.objects.bulk_create(
            [
                Maker(hub=hub, name=f"Maker {i}", email=f"m{n}-{i}@example.org", status="applied")
                for i in range(max(0, more))
            ]
        )
        more = n - Donation.objects.filter(hub=hub).count()
        Donation.objects.bulk_create(
            [
                Donation(hub=hub, donor_name=f"Donor {i}", kind="other", received_on="2020-04-01")
                for i in range(max(0, more))
            ]
        )
        more = n - FabricLot.objects.filter(hub=hub).count()
        FabricLot.objects.bulk_create(
            [
                FabricLot(
                    hub=hub,
                    supplier=f"Mill {i}",
                    colour="Navy",
                    metres_received=10,
                    metres_available=10,
                    approved_for_hospital_washing=True,
                )
                for i in range(max(0, more))
            ]
        )
        more = n - PrecutStock.objects.filter(hub=hub).count()
        PrecutStock.objects.bulk_create(
            [
                PrecutStock(
                    hub=hub,
                    cut_by=f"Cutter {i}",
                    garment_type="trousers",
                    size="L",
                    quantity_received=5,
                    quantity_available=5,
                )
                for i in range(max(0, more))
            ]
        )
        more = n - KitBatch.objects.filter(hub=hub).count()
        KitBatch.objects.bulk_create(
            [
                KitBatch(
                    hub=hub,
                    garment_type="top",
                    size="M",
                    garments_per_kit=1,
                    kit_count=1,
                    precut_stock=stock if have < n else PrecutStock.objects.first(),
                    created_by=staff,
                )
                for _ in range(max(0, more))
            ]
        )
        more = n - ShiftNote.objects.filter(hub=hub).count()
        ShiftNote.objects.bulk_create(
            [ShiftNote(hub=hub, text=f"Note {i}", written_by=staff) for i in range(max(0, more))]
        )
        services.demand_record(
            hospital=world.hospital, garment_types=["top"], quantities={"M": n}, actor=staff
        )

    return grow_to


PAGES = [
    "hubs:dashboard",
    "hubs:plan",
    "hubs:stock",
    "hubs:fabric_lots",
    "hubs:precut_list",
    "hubs:donations",
    "hubs:kits",
    "hubs:batches",
    "hubs:shift_notes",
    "hubs:prepare",
]


@pytest.mark.parametrize("name", PAGES)
def test_page_makes_the_same_queries_at_10_and_1000_rows(name, client_for, grow):
    assert_same_queries_at_sizes(client_for("hub_staff"), reverse(name), grow)


@pytest.mark.parametrize("show", ["open", "prepared", "allocated", "with_maker", "overdue"])
def test_each_kits_list_makes_the_same_queries(show, client_for, grow):
    url = reverse("hubs:kits") + f"?show={show}"
    client = client_for("hub_staff")
    assert_same_queries_at_sizes(client, url, grow)
    assert 'class="kit-code"' in client.get(url).content.decode(), "the list had no rows"


def test_batch_labels_make_the_same_queries_for_few_kits_and_many(world, client_for, grow):
    def url():
        batch = KitBatch.objects.filter(hub=world.hub).order_by("-kit_count").first()
        return reverse("hubs:batch_labels", args=[batch.pk])

    assert_same_queries_at_sizes(client_for("hub_staff"), url, grow, sizes=(10, 200))
