"""Two helpers scanning the same kit at the same moment, through real concurrent requests:
one handover, never two.

Real threads, each with its own test client and database connection, lined up with a
Barrier, in committed transactions (no test transaction around them, so the row locks
are real ones).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dropoffs.models import Handover
from dropoffs.services import kit_version
from scrubhub.hubs.models import Role
from tests import factories
from tests.dropoffs import builders as b
from tests.packages.helpers import assert_kit_invariants

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need Postgres; SQLite locks it all."
    ),
]


@pytest.fixture
def two_helpers(world):
    """The world's helper and a second helper at the same point, each signed in."""
    second = factories.UserFactory(username="second_helper")
    factories.MembershipFactory(
        user=second, role=Role.POINT_HELPER, hub=world.hub, point=world.point
    )
    clients = []
    for user in (world.user("point_helper"), second):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def post_at_once(clients, url, data) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list = [None] * len(clients)

    def run(index, client):
        try:
            barrier.wait(timeout=10)
            statuses[index] = client.post(url, data).status_code
        except Exception as error:  # noqa: BLE001 - reported as a failure below
            statuses[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


@pytest.mark.parametrize("round_", range(3))
def test_two_helpers_taking_back_the_same_scrubs_make_one_handover(world, two_helpers, round_):
    kit = b.kit_with_maker(world, finished=2)
    url = reverse("dropoffs:kit_handover", kwargs={"code": kit.code})
    statuses = post_at_once(
        two_helpers, url, {"action": "return", "count": 2, "version": kit_version(kit)}
    )
    assert sorted(statuses) == [302, 409], statuses
    assert Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).count() == 1
    kit = assert_kit_invariants(kit)
    assert (kit.qty_with_maker, kit.qty_at_point) == (3, 2)


@pytest.mark.parametrize("round_", range(3))
def test_two_helpers_giving_out_the_same_kit_make_one_handover(world, two_helpers, round_):
    kit = b.kit_waiting(world)
    url = reverse("dropoffs:kit_handover", kwargs={"code": kit.code})
    statuses = post_at_once(two_helpers, url, {"action": "collect", "version": kit_version(kit)})
    assert sorted(statuses) == [302, 409], statuses
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1
    assert_kit_invariants(kit)
