"""Two staff importing sheets with the same people into one hub at the same moment: each
person is added once (the second import finds them and merges), never twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from makers import services
from makers.models import Maker
from makers.sheets import Sheet
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_people_at_once_add_each_person_once():
    hub = factories.HubFactory()
    people = [(n + 2, [f"Racer {n}", f"racer{n}@example.org"]) for n in range(40)]
    batches = []
    for name in ("ann", "bob"):
        staff = factories.UserFactory(username=f"staff-{name}")
        sheet = Sheet(headers=["Name", "Email"], rows=people)
        batches.append(
            (
                services.import_batch_start(hub=hub, by_user=staff, file_name="s.csv", sheet=sheet),
                staff,
            )
        )
    barrier = threading.Barrier(2)
    results: list = []

    def run(batch, staff):
        try:
            barrier.wait(timeout=10)
            results.append(
                services.makers_import(batch=batch, contact_basis="paper_form", by_user=staff)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert Maker.objects.filter(hub=hub, name__startswith="Racer ").count() == 40
    assert sorted((r.created_count, r.merged_count) for r in results) == [(0, 40), (40, 0)]
