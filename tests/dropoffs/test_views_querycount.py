"""The scan page, the kit page and a handover make the same number of queries with 10 kits
in the hub as with 10,000."""

from __future__ import annotations

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dropoffs.services import kit_version
from packages.models import Kit, KitAssignment
from tests import factories
from tests.dropoffs import builders as b
from tests.querycount import assert_same_queries_at_sizes

SIZES = (10, 10_000)
_codes = (f"Q{n:06d}" for n in itertools.count())


def kits_growing(world):
    """grow_to(n): allocated kits waiting at the world's point for its maker, made with
    bulk_create (each whole, as the constraints want), until there are n."""
    maker = b.maker_of(world)
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=1)

    def grow_to(n: int) -> None:
        missing = n - Kit.objects.filter(hub=world.hub).count()
        if missing <= 0:
            return
        kits = Kit.objects.bulk_create(
            [
                Kit(
                    code=next(_codes),
                    hub=world.hub,
                    garment_type="top",
                    size="M",
                    garment_count=5,
                    qty_in_kit=5,
                    source=Kit.Source.PRECUT,
                    precut_stock=stock,
                    status=Kit.Status.ALLOCATED,
                    collection_point=world.point,
                )
                for _ in range(missing)
            ],
            batch_size=2000,
        )
        KitAssignment.objects.bulk_create(
            [KitAssignment(kit=kit, maker=maker) for kit in kits], batch_size=2000
        )

    return grow_to


def test_scan_search_makes_the_same_queries_at_10_and_10000_kits(world, client_for):
    helper = client_for("point_helper")
    name = b.maker_of(world).name.split()[0]
    url = reverse("dropoffs:scan") + f"?q={name}"
    assert_same_queries_at_sizes(helper, url, kits_growing(world), sizes=SIZES)


def test_kit_page_makes_the_same_queries_at_10_and_10000_kits(world, client_for):
    helper = client_for("point_helper")
    kit = b.kit_with_maker(world)
    url = reverse("dropoffs:kit", kwargs={"code": kit.code})
    assert_same_queries_at_sizes(helper, url, kits_growing(world), sizes=SIZES)


def test_a_handover_makes_the_same_queries_at_10_and_10000_kits(world, client_for):
    helper = client_for("point_helper")
    grow_to = kits_growing(world)
    counts = []
    for size in SIZES:
        grow_to(size)
        kit = b.kit_with_maker(world)
        url = reverse("dropoffs:kit_handover", kwargs={"code": kit.code})
        helper.get(reverse("dropoffs:kit", kwargs={"code": kit.code}))
        with CaptureQueriesContext(connection) as captured:
            response = helper.post(
                url, {"action": "return", "count": 2, "version": kit_version(kit)}
            )
        assert response.status_code == 302
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_a_mistyped_code_makes_the_same_queries_at_10_and_1000_kits(world, client_for):
    # One slip from a grown kit's code, so there are near misses to suggest at any size;
    # the page looks up the few hundred codes it could be, never the hub's kits.
    helper = client_for("point_helper")

    def url() -> str:
        first = Kit.objects.filter(hub=world.hub).order_by("code").values_list("code", flat=True)[0]
        slip = "Z" if first.endswith("Y") else "Y"  # a slip, never the code itself
        return reverse("dropoffs:scan") + f"?code={first[:-1]}{slip}"

    assert_same_queries_at_sizes(helper, url, kits_growing(world), sizes=(10, 1000))
    page = helper.get(url()).content.decode()
    assert "There is a problem" in page and "Did you mean one of these kits?" in page
