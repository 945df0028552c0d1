"""Fixtures every area uses: the personas and the world they live in."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from scrubhub.hubs.models import Role
from tests import factories

# The personas the access matrix and the browser tests walk, in a fixed order.
PERSONAS = [
    "anonymous",
    "maker",
    "other_maker",
    "group_leader",
    "hub_staff",
    "coordinator",
    "other_hub_staff",
    "laundry",
    "other_laundry",
    "driver",
    "point_helper",
    "operator",
]


@dataclass
class World:
    """Two hubs, each with a point and a hospital, and one user per persona.

    Everything a persona "owns" belongs to hub A / hospital A; the "other_" personas live in
    hub B / hospital B, so any leak across hubs shows up as a wrong answer.
    """

    hub: object
    other_hub: object
    hospital: object
    other_hospital: object
    point: object
    other_point: object
    users: dict = field(default_factory=dict)

    def user(self, persona: str):
        return self.users.get(persona)


def build_world() -> World:
    hub = factories.HubFactory(name="Tayside Scrub Hub", slug="tayside")
    other_hub = factories.HubFactory(name="Fife Scrub Hub", slug="fife", area="Fife")
    hospital = factories.HospitalFactory(name="Ninewells Hospital", slug="ninewells")
    other_hospital = factories.HospitalFactory(name="Victoria Hospital", slug="victoria")
    hub.hospitals.add(hospital)
    other_hub.hospitals.add(other_hospital)
    point = factories.PointFactory(hub=hub, name="Library point")
    other_point = factories.PointFactory(hub=other_hub, name="Kirkcaldy point")
    world = World(hub, other_hub, hospital, other_hospital, point, other_point)

    def person(persona: str, **membership):
        user = factories.UserFactory(username=persona)
        if membership:
            factories.MembershipFactory(user=user, **membership)
        world.users[persona] = user
        return user

    # Fixed names: tests search rosters by name, and a random name could match.
    factories.MakerFactory(
        hub=hub, name="Mairi Persona", user=person("maker", role=Role.MAKER, hub=hub)
    )
    factories.MakerFactory(
        hub=other_hub,
        name="Oscar Persona",
        user=person("other_maker", role=Role.MAKER, hub=other_hub),
    )
    factories.MakerGroupFactory(
        hub=hub, leader=person("group_leader", role=Role.GROUP_LEADER, hub=hub)
    )
    person("hub_staff", role=Role.HUB_STAFF, hub=hub)
    person("coordinator", role=Role.COORDINATOR, hub=hub)
    person("other_hub_staff", role=Role.HUB_STAFF, hub=other_hub)
    person("laundry", role=Role.LAUNDRY, hub=None, hospital=hospital)
    person("other_laundry", role=Role.LAUNDRY, hub=None, hospital=other_hospital)
    person("driver", role=Role.DRIVER, hub=hub)
    person("point_helper", role=Role.POINT_HELPER, hub=hub, point=point)
    operator = factories.UserFactory(username="operator", is_superuser=True, is_staff=True)
    world.users["operator"] = operator
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(client, world):
    """client_for("hub_staff") gives a test client signed in as that persona."""

    def make(persona: str):
        from django.test import Client

        persona_client = Client()
        user = world.user(persona)
        if user is not None:
            persona_client.force_login(user)
        return persona_client

    return make


def pytest_configure(config):
    """Each xdist worker gets its own Redis database, counting up from the one the broker
    URL names, so one worker's tasks never reach another worker's Celery worker (they would
    look up rows in the wrong test database), nor another checkout's run given its own.
    Celery reads CELERY_BROKER_URL from the environment before its settings."""
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        server, _, db = url.rstrip("/").rpartition("/")
        if url.count("/") <= 2 or not db.isdigit():
            server, db = url.rstrip("/"), "10"
        worker_number = int(worker.removeprefix("gw") or 0)
        os.environ["CELERY_BROKER_URL"] = f"{server}/{int(db) + worker_number}"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hashing passwords properly is slow by design; tests make hundreds of users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and one-time form marks live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
