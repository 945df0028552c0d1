"""Counts that stop at a cap: exact below it, "more than" above it, on every page that
uses them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from makers.models import Maker
from scrubhub import counting
from scrubhub.counting import CappedPaginator, count_up_to
from tests import factories


@pytest.fixture
def hub(db):
    return factories.HubFactory()


def test_count_is_exact_below_the_cap_and_says_more_above_it(hub):
    factories.MakerFactory.create_batch(3, hub=hub)
    makers = Maker.objects.filter(hub=hub)
    assert count_up_to(makers, 3) == counting.CappedCount(value=3, more=False)
    assert count_up_to(makers, 5) == counting.CappedCount(value=3, more=False)
    assert count_up_to(makers, 2) == counting.CappedCount(value=2, more=True)


def test_capped_paginator_pages_reach_the_cap_and_no_further(hub):
    factories.MakerFactory.create_batch(7, hub=hub)
    makers = Maker.objects.filter(hub=hub).order_by("pk")
    capped = CappedPaginator(makers, 2, cap=5)  # rounded down to whole pages: 4
    assert (capped.count, capped.more, capped.num_pages) == (4, True, 2)
    last = capped.get_page(3)
    assert last.number == 2
    assert [m.pk for m in last.object_list] == list(makers.values_list("pk", flat=True)[2:4])
    whole = CappedPaginator(makers, 2, cap=10)
    assert (whole.count, whole.more, whole.num_pages) == (7, False, 4)


def test_dashboard_says_plus_when_a_to_do_runs_past_the_cap(world, client_for, monkeypatch):
    monkeypatch.setattr("scrubhub.hubs.selectors.TODO_COUNT_CAP", 2)
    factories.MakerFactory.create_batch(3, hub=world.hub, status=Maker.Status.APPLIED)
    text = client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode()
    assert re.search(r'todo-count">2\+</span>\s*<span class="todo-text">\s*people waiting', text)


def test_roster_says_more_than_when_past_the_cap(world, client_for, monkeypatch):
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 50)
    factories.MakerFactory.create_batch(51, hub=world.hub, status=Maker.Status.APPROVED)
    text = client_for("hub_staff").get(reverse("makers:staff_roster")).content.decode()
    assert "More than 50 makers match: the first 50 by name are listed." in text
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 100)
    text = client_for("hub_staff").get(reverse("makers:staff_roster")).content.decode()
    shown = Maker.objects.filter(hub=world.hub).exclude(status="erased").count()
    assert f"{shown} makers match." in text


def test_a_capped_list_pager_says_its_pages_hold_only_the_first_rows(
    world, client_for, monkeypatch
):
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 100)
    factories.MakerGroupFactory.create_batch(101, hub=world.hub)
    staff = client_for("hub_staff")
    text = staff.get(reverse("makers:staff_groups"), {"page": 2}).content.decode()
    assert (
        "Page 2 of 2, which hold the first 100. There are more: search or filter the list "
        "to find them." in text
    )
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 200)
    text = staff.get(reverse("makers:staff_groups"), {"page": 2}).content.decode()
    assert "Page 2 of 3</p>" in text
