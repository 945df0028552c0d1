"""Fixtures for the kits and garments tests."""

from __future__ import annotations

import pytest

from makers.models import Maker


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def maker(world):
    return Maker.objects.get(user=world.user("maker"))


@pytest.fixture
def other_maker(world):
    return Maker.objects.get(user=world.user("other_maker"))
