"""Two staff confirming a batch from the same stock at the same moment, both having seen
the same numbers: one batch is made, the other is refused as stale and draws nothing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from packages.models import Kit, PrecutStock
from packages.services import StockError, kits_prepare
from scrubhub.hubs.models import KitBatch
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need Postgres; SQLite locks it all."
    ),
]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("won", call())
        except StockError as error:
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
    return outcomes


def test_two_confirms_from_the_same_stock_one_batch_is_made():
    hub = factories.HubFactory()
    staff = factories.UserFactory()
    for _ in range(3):
        stock = factories.PrecutStockFactory(hub=hub, quantity_received=30)

        def confirm(stock=stock):
            return kits_prepare(
                hub=hub,
                garment_type="top",
                size="M",
                garments_per_kit=5,
                kit_count=4,
                precut_stock=stock,
                expected_left=30,
                actor=staff,
            )

        outcomes = _race(confirm, confirm)
        assert sorted(o[0] for o in outcomes) == ["refused", "won"], outcomes
        error = next(o[1] for o in outcomes if o[0] == "refused")
        assert "now it has 10" in str(error)
        assert PrecutStock.objects.get(pk=stock.pk).quantity_available == 10
        assert Kit.objects.filter(precut_stock=stock).count() == 4
        assert KitBatch.objects.filter(precut_stock=stock).count() == 1
