"""Two people doing the same thing at the same moment: exactly one of them wins.

Real threads on real connections, lined up with a Barrier, against Postgres in committed
transactions (no test transaction around them, so the row locks are the real ones).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from packages import services
from packages.models import Kit, KitAssignment, PrecutStock
from packages.services import DeliveryError, KitError, PackagesError, StockError
from tests import factories
from tests.packages.helpers import assert_kit_invariants

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need Postgres; SQLite locks it all."
    ),
]

ROUNDS = 5


def refusal(outcomes):
    """The one loser's error, after checking there is exactly one winner."""
    assert sorted(o[0] for o in outcomes) == ["refused", "won"], outcomes
    return next(o[1] for o in outcomes if o[0] == "refused")


def race(*calls):
    """Run the calls at once, each in its own thread and connection. Returns, per call,
    ("won", result) or ("refused", error); any other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("won", call())
        except PackagesError as error:
            outcomes[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported below as a failure
            outcomes[index] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    crashed = [o for o in outcomes if o is None or o[0] == "crashed"]
    assert not crashed, f"A racer failed in a way people would not understand: {crashed}"
    return outcomes


def _setting():
    hub = factories.HubFactory()
    hospital = factories.HospitalFactory()
    hub.hospitals.add(hospital)
    staff = factories.UserFactory()
    return hub, hospital, staff


def test_two_staff_allocating_the_same_kit_one_wins():
    hub, _hospital, staff = _setting()
    for _ in range(ROUNDS):
        (kit,) = factories.prepared_kits(hub=hub, actor=staff)
        first, second = factories.MakerFactory(hub=hub), factories.MakerFactory(hub=hub)
        outcomes = race(
            lambda k=kit, m=first: services.kit_allocate(kit=k, maker=m, actor=staff),
            lambda k=kit, m=second: services.kit_allocate(kit=k, maker=m, actor=staff),
        )
        error = refusal(outcomes)
        # The loser waited on the row lock and then saw the winner's status.
        assert isinstance(error, KitError)
        assert "no longer on the shelf" in str(error)
        assert KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).count() == 1
        assert Kit.objects.get(pk=kit.pk).status == Kit.Status.ALLOCATED
        assert kit.events.filter(new_status=Kit.Status.ALLOCATED).count() == 1


def test_two_staff_drawing_the_last_precut_pieces_one_wins():
    hub, _hospital, staff = _setting()
    for _ in range(ROUNDS):
        stock = factories.PrecutStockFactory(hub=hub, quantity_received=5)

        def draw(stock=stock):
            return services.kits_prepare(
                hub=hub,
                garment_type="top",
                size="M",
                kit_count=1,
                garments_per_kit=5,
                precut_stock=stock,
                actor=staff,
            )

        outcomes = race(draw, draw)
        error = refusal(outcomes)
        assert isinstance(error, StockError)
        assert "only 0 garments' worth of pieces left" in str(error)
        stock = PrecutStock.objects.get(pk=stock.pk)
        assert stock.quantity_available == 0
        assert stock.kits.count() == 1


def test_two_staff_reserving_the_same_passed_garments_one_wins():
    hub, hospital, staff = _setting()
    for _ in range(ROUNDS):
        maker = factories.MakerFactory(hub=hub)
        (kit,) = factories.prepared_kits(hub=hub, size="XS", actor=staff)
        services.kit_allocate(kit=kit, maker=maker, actor=staff)
        services.kit_collect(kit=kit, actor=staff)
        services.garments_return(kit=kit, count=5, actor=staff)
        services.quality_check_record(kit=kit, passed=5, failures=[], actor=staff)
        deliveries = [
            services.delivery_create(hub=hub, hospital=hospital, actor=staff) for _ in range(2)
        ]
        outcomes = race(
            *[
                lambda d=d: services.delivery_line_add(
                    delivery=d, garment_type="top", size="XS", count=5, actor=staff
                )
                for d in deliveries
            ]
        )
        error = refusal(outcomes)
        assert isinstance(error, DeliveryError)
        assert "Only 0 scrub tops in size XS have passed" in str(error)
        kit = assert_kit_invariants(kit)
        assert (kit.qty_passed, kit.qty_reserved) == (0, 5)
        assert sum(d.lines.count() for d in deliveries) == 1
