"""Traceability: from a delivery line back to kits, makers, handovers and fabric; from a
fabric lot forward to where its garments went."""

from __future__ import annotations

from django.urls import reverse

from tests.dropoffs import builders as b


def test_a_delivery_line_traces_to_kit_maker_handovers_and_fabric(world, client_for):
    line = b.delivery_line(world)
    allocation = line.allocations.get()
    page = client_for("hub_staff").get(reverse("dropoffs:trace_line", kwargs={"line_id": line.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert allocation.kit.display_code in html
    assert b.maker_of(world).name in html
    for kind in ("Kit collected by maker", "Garments returned by maker", "Picked up by driver"):
        assert kind in html
    assert "Library point" in html
    assert "Navy from Tay Mill" in html


def test_a_fabric_lot_shows_where_its_garments_went(world, client_for):
    line = b.delivery_line(world)
    lot = line.allocations.get().kit.precut_stock.fabric_lot
    page = client_for("coordinator").get(reverse("dropoffs:trace_lot", kwargs={"lot_id": lot.pk}))
    html = page.content.decode()
    assert "Ninewells Hospital" in html
    assert str(line.delivery.pk) in html


def test_another_hubs_staff_and_laundry_cannot_trace(world, client_for):
    line = b.delivery_line(world)
    url = reverse("dropoffs:trace_line", kwargs={"line_id": line.pk})
    assert client_for("other_hub_staff").get(url).status_code == 404
    laundry = client_for("laundry").get(url)
    assert laundry.status_code == 403
    assert b.maker_of(world).name not in laundry.content.decode()


def test_trace_line_queries_do_not_grow_with_kits(world, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from packages import services as packages
    from tests import factories

    staff = world.user("hub_staff")
    line = b.delivery_line(world)
    client = client_for("hub_staff")
    url = reverse("dropoffs:trace_line", kwargs={"line_id": line.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    # Four more kits' garments into the same line.
    for _ in range(4):
        kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
        packages.kit_allocate(kit=kit, maker=b.maker_of(world), actor=staff)
        packages.kit_collect(kit=kit, actor=staff)
        packages.garments_return(kit=kit, count=5, actor=staff)
        packages.quality_check_record(kit=kit, passed=5, failures=[], actor=staff)
    packages.delivery_line_add(
        delivery=line.delivery, garment_type="top", size="M", count=20, actor=staff
    )
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).content.decode().count("garments from kit") >= 5
    assert len(one) == len(five)
