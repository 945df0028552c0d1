"""With the shared Redis cache down, people still join and sign in, and every limit holds.

Each test starts its own redis-server on a free loopback port and points the production
cache settings (scrubhub/settings.py read with REDIS_CACHE_URL set) at it, then stops it.
"""

from __future__ import annotations

import importlib
import logging
import runpy
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.urls import reverse

from makers import signin
from makers.models import Maker
from scrubhub.notifications.models import Message
from tests.makers.test_join import form_data, join_url

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "scrubhub" / "settings.py"
RETRY_SECONDS = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of this test's own, which the test can stop and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1"]
        command += ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder)]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def production_caches(url: str, monkeypatch) -> dict:
    """CACHES exactly as production builds it from REDIS_CACHE_URL."""
    monkeypatch.setenv("REDIS_CACHE_URL", url)
    monkeypatch.setenv("SCRUBHUB_CACHE_RETRY_SECONDS", str(RETRY_SECONDS))
    return runpy.run_path(str(SETTINGS_FILE))["CACHES"]


@pytest.fixture
def shared_cache(settings, monkeypatch, redis_server):
    """The site's cache is this test's Redis; the test stops and starts it."""
    settings.CACHES = production_caches(redis_server.url, monkeypatch)
    return redis_server


def outage_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.levelno == logging.WARNING and "cannot reach" in r.message
    ]


def join(client: Client, world, n: int):
    return client.post(
        join_url(world), form_data(client, world, name=f"Person {n}", email=f"p{n}@ex.org")
    )


def test_people_can_join_while_the_cache_is_down_and_it_is_said_once(world, shared_cache, caplog):
    shared_cache.stop()
    caplog.set_level(logging.INFO)
    crowd = Client(REMOTE_ADDR="203.0.113.20")
    for n in range(3):
        response = join(crowd, world, n)
        assert response.status_code == 302
        assert response.headers["Location"] == reverse(
            "makers:join_done", kwargs={"slug": world.hub.slug}
        )
    assert Maker.objects.filter(email__in=["p0@ex.org", "p1@ex.org", "p2@ex.org"]).count() == 3
    # One warning for the outage, not one for every request.
    assert len(outage_warnings(caplog)) == 1
    assert f"127.0.0.1:{shared_cache.port}" in outage_warnings(caplog)[0].message


def test_joining_is_still_limited_and_one_time_forms_still_hold_during_an_outage(
    world, shared_cache, settings
):
    settings.SCRUBHUB_JOIN_RATE = "3/h"
    shared_cache.stop()
    crowd = Client(REMOTE_ADDR="203.0.113.21")
    same_form = form_data(crowd, world, name="Twice", email="twice@ex.org")
    assert crowd.post(join_url(world), same_form).status_code == 302
    # A double tap sends the same form again: it was already done, nobody joins twice.
    assert crowd.post(join_url(world), same_form).status_code == 302
    assert Maker.objects.filter(email="twice@ex.org").count() == 1
    assert join(crowd, world, 1).status_code == 302
    over = join(crowd, world, 2)
    assert over.status_code == 429
    assert not Maker.objects.filter(email="p2@ex.org").exists()
    assert join(Client(REMOTE_ADDR="198.51.100.21"), world, 3).status_code == 302


@pytest.fixture
def maker_user(world):
    user = world.user("maker")
    user.email = Maker.objects.get(user=user).email
    user.save()
    return user


def ask_for_link(address: str, ip: str):
    return Client().post(reverse("makers:signin"), {"address": address}, REMOTE_ADDR=ip)


def test_sign_in_links_are_still_limited_per_address_and_per_client_during_an_outage(
    world, shared_cache, maker_user
):
    shared_cache.stop()
    for attempt in range(signin.ADDRESS_LIMIT + 3):
        assert ask_for_link(maker_user.email, ip=f"10.0.2.{attempt}").status_code == 302
    sent = Message.objects.filter(kind="maker_signin_link", recipient=maker_user)
    assert sent.count() == signin.ADDRESS_LIMIT
    for n in range(signin.CLIENT_LIMIT):
        ask_for_link(f"someone{n}@example.org", ip="10.9.9.20")
    other = world.user("other_maker")
    other.email = Maker.objects.get(user=other).email
    other.save()
    ask_for_link(other.email, ip="10.9.9.20")
    assert not Message.objects.filter(kind="maker_signin_link", recipient=other).exists()


def test_staff_sign_in_works_and_failed_passwords_are_still_limited_during_an_outage(
    world, shared_cache
):
    shared_cache.stop()
    coordinator = world.user("coordinator")
    coordinator.set_password("a long and right password")
    coordinator.save()
    person = Client(REMOTE_ADDR="198.51.100.30")
    signed_in = person.post(
        reverse("account_login"),
        {"login": "coordinator", "password": "a long and right password"},
    )
    assert signed_in.status_code == 302
    assert person.session.get("_auth_user_id") == str(coordinator.pk)
    # Guessing one account's password from many addresses: 5 tries in 5 minutes.
    answers = [
        Client(REMOTE_ADDR=f"203.0.113.{40 + n}")
        .post(reverse("account_login"), {"login": "hub_staff", "password": f"wrong{n}"})
        .content.decode()
        for n in range(6)
    ]
    assert not any("Too many failed login attempts" in page for page in answers[:5])
    assert "Too many failed login attempts" in answers[5]
    # Guessing many accounts from one address: 10 a minute.
    attacker = Client(REMOTE_ADDR="203.0.113.60")
    pages = [
        attacker.post(
            reverse("account_login"), {"login": f"nobody{n}", "password": "wrong"}
        ).content.decode()
        for n in range(11)
    ]
    assert "Too many failed login attempts" in pages[-1]


def test_the_cache_goes_back_to_redis_when_it_answers_again(world, shared_cache, caplog):
    caplog.set_level(logging.INFO)
    crowd = Client(REMOTE_ADDR="203.0.113.70")
    assert join(crowd, world, 0).status_code == 302
    assert shared_cache.client().dbsize() > 0
    shared_cache.stop()
    assert join(crowd, world, 1).status_code == 302
    shared_cache.start()  # an empty Redis on the same port, as after a restart
    time.sleep(RETRY_SECONDS + 0.2)
    assert join(crowd, world, 2).status_code == 302
    assert shared_cache.client().dbsize() > 0, "the limits are counted in Redis again"
    assert any("answers again" in r.message for r in caplog.records)
    # A second outage is a new one, and is said again.
    shared_cache.stop()
    assert join(crowd, world, 3).status_code == 302
    assert len(outage_warnings(caplog)) == 2
    assert Maker.objects.filter(email__in=[f"p{n}@ex.org" for n in range(4)]).count() == 4


def test_a_redis_that_never_answers_does_not_hang_joining(world, settings, monkeypatch):
    # A server that takes connections and never replies, like a Redis behind a dead link.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        port = silent.getsockname()[1]
        settings.CACHES = production_caches(f"redis://127.0.0.1:{port}/0", monkeypatch)
        crowd = Client(REMOTE_ADDR="203.0.113.80")
        started = time.monotonic()
        for n in range(3):
            assert join(crowd, world, n).status_code == 302
        assert time.monotonic() - started < 5


def test_a_cache_address_that_is_not_redis_stops_start_up(monkeypatch):
    monkeypatch.setenv("REDIS_CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(ImproperlyConfigured, match="REDIS_CACHE_URL"):
        runpy.run_path(str(SETTINGS_FILE))


def test_the_fallback_table_is_the_one_the_migration_makes():
    migration = importlib.import_module("scrubhub.cache.migrations.0001_fallback_table")
    assert django_settings.CACHES["database"]["LOCATION"] == migration.TABLE


def fallback_expiry(key: str):
    table = connection.ops.quote_name(django_settings.CACHES["database"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {table} WHERE cache_key LIKE %s", [f"%{key}"])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_fallback_counter_keeps_the_window_it_was_added_with():
    counters = caches["database"]
    counters.add("window", 0, timeout=3600)
    before = fallback_expiry("window")
    assert [counters.incr("window") for _ in range(3)] == [1, 2, 3]
    # Django's own incr would have moved the end to five minutes from now.
    assert fallback_expiry("window") == before
    with pytest.raises(ValueError):
        counters.incr("never-added")


@pytest.mark.django_db(transaction=True)
def test_fallback_counters_counted_at_the_same_moment_lose_no_count():
    counters = caches["database"]
    counters.add("crowd", 0, timeout=600)
    barrier = threading.Barrier(8)
    errors: list = []

    def count():
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                caches["database"].incr("crowd")
        except Exception as error:  # reported below, not lost in a thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert not errors
        assert counters.get("crowd") == 40
    finally:
        counters.clear()  # not a model's table, so the test's flush would leave it
