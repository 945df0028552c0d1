"""Two hub staff packing the same passed garments into two deliveries at the same moment,
through the real page: real threads, real connections, a Barrier, committed transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from packages.forms import PackForm
from packages.models import Delivery, DeliveryAllocation, Kit
from scrubhub.hubs.models import Role
from tests import factories
from tests.once import token
from tests.packages.helpers import assert_kit_invariants

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need Postgres; SQLite locks it all."
    ),
]

ROUNDS = 3


def _post_at_once(requests):
    """POST each (client, url, data) in its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def run(index, client, url, data):
        try:
            barrier.wait(timeout=10)
            responses[index] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 - reported below
            responses[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def test_a_garment_count_is_packed_into_at_most_one_delivery():
    hub = factories.HubFactory()
    hospital = factories.HospitalFactory()
    hub.hospitals.add(hospital)
    clients = []
    for _ in range(2):
        user = factories.UserFactory()
        factories.MembershipFactory(user=user, role=Role.HUB_STAFF, hub=hub)
        client = Client()
        client.force_login(user)
        clients.append(client)
    for round_number in range(1, ROUNDS + 1):
        # Each round adds 5 passed garments; two staff each try to pack 4 of what is free.
        factories.passed_kit(hub=hub, actor=None, garments=5)
        drafts = [
            factories.delivery(hub=hub, hospital=hospital, status="draft", sizes=())
            for _ in clients
        ]
        responses = _post_at_once(
            [
                (
                    client,
                    reverse("packages:hub_delivery_pack", args=[d.pk]),
                    {"count_top_M": "4"} | token(PackForm),
                )
                for client, d in zip(clients, drafts, strict=True)
            ]
        )
        assert all(not isinstance(r, Exception) for r in responses), responses
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 302], codes
        loser = next(r for r in responses if r.status_code == 200)
        free = 5 * round_number - 4 * round_number
        # Round 1 leaves one top free, so the message says it in the singular.
        passed = "scrub top in size M has" if free == 1 else "scrub tops in size M have"
        assert f"Only {free} {passed} passed the check" in loser.content.decode()
        packed = [
            sum(DeliveryAllocation.objects.filter(line__delivery=d).values_list("count", flat=True))
            for d in drafts
        ]
        assert sorted(packed) == [0, 4], packed
        kits = Kit.objects.filter(hub=hub)
        for kit in kits:
            assert_kit_invariants(kit)
        assert sum(kits.values_list("qty_reserved", flat=True)) == 4 * round_number
        assert sum(kits.values_list("qty_passed", flat=True)) == free
        assert Delivery.objects.filter(lines__count_sent__gt=0).count() == round_number
