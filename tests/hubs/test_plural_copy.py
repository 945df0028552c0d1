"""Counts read as English on the pages that show them: "1 kit of 1 scrub top", "3 kits of
5 scrub tops", never "5 scrub top" or "1 kits"."""

from __future__ import annotations

from django.urls import reverse

from packages.services import kits_prepare
from tests import factories


def _batch(world, *, kits: int, per_kit: int):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    return kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=per_kit,
        kit_count=kits,
        precut_stock=stock,
        expected_left=40,
        actor=world.user("hub_staff"),
    )


def test_a_batch_says_its_kits_and_garments_in_proper_plurals(world, client_for):
    client = client_for("hub_staff")
    many = _batch(world, kits=3, per_kit=5)
    one = _batch(world, kits=1, per_kit=1)
    page = client.get(reverse("hubs:batch", args=[many.pk])).content.decode()
    assert "3 kits of 5 scrub tops, size M" in page
    page = client.get(reverse("hubs:batch", args=[one.pk])).content.decode()
    assert "1 kit of 1 scrub top, size M" in page
    listing = client.get(reverse("hubs:batches")).content.decode()
    assert "3 kits of 5 scrub tops" in listing and "1 kit of 1 scrub top" in listing


def test_a_kit_is_described_by_what_it_holds(world, client_for):
    batch = _batch(world, kits=1, per_kit=5)
    kit = batch.kits.get()
    page = client_for("hub_staff").get(reverse("hubs:allocate_kit", args=[kit.code]))
    assert "5 scrub tops, size M" in page.content.decode()
    kits = client_for("hub_staff").get(reverse("hubs:kits")).content.decode()
    assert "5 scrub tops, size M" in kits
