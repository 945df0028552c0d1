"""Fixtures for the hub staff pages' tests."""

from __future__ import annotations

import pytest

from makers.models import Maker


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def maker(world):
    return Maker.objects.get(user=world.user("maker"))
