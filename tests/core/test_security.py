"""Sessions end on time; signed-in pages are never cached; production headers on every kind
of page."""

from __future__ import annotations

import time

import pytest

from scrubhub import security


def _age_session(client, *, started_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[security.SESSION_STARTED] = now - started_ago
    session[security.SESSION_SEEN] = now - seen_ago
    session.save()


@pytest.mark.parametrize(
    ("persona", "page", "idle_ok", "idle_too_long"),
    [
        ("hub_staff", "/hub/", 20 * 60, 31 * 60),
        ("laundry", "/laundry/", 20 * 60, 31 * 60),
        ("maker", "/me/", 2 * 24 * 3600, 4 * 24 * 3600),
    ],
)
def test_idle_sessions_end_sooner_for_staff(client_for, persona, page, idle_ok, idle_too_long):
    client = client_for(persona)
    client.get(page)
    _age_session(client, started_ago=idle_ok, seen_ago=idle_ok)
    assert client.get(page).status_code == 200
    _age_session(client, started_ago=idle_too_long, seen_ago=idle_too_long)
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    # Signed out for real: the next request is anonymous too.
    assert client.get(page).headers["Location"].startswith("/accounts/login/")


def test_an_active_staff_session_still_ends_at_the_absolute_limit(client_for):
    client = client_for("hub_staff")
    client.get("/hub/")
    _age_session(client, started_ago=13 * 3600, seen_ago=10)
    assert client.get("/hub/").status_code == 302


def test_signed_in_pages_are_never_stored(client_for):
    response = client_for("maker").get("/me/")
    cache = response.headers["Cache-Control"]
    assert "no-store" in cache and "private" in cache


def test_public_pages_may_be_cached_by_the_browser(client, db):
    assert "no-store" not in client.get("/privacy/").headers.get("Cache-Control", "")


def test_removing_a_role_ends_access_on_the_next_request(client_for, world):
    client = client_for("hub_staff")
    assert client.get("/hub/").status_code == 200
    world.user("hub_staff").memberships.all().delete()
    assert client.get("/hub/").status_code == 403


def test_signing_in_gives_a_fresh_session(client, world):
    from tests.factories import PASSWORD

    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    client.post("/accounts/login/", {"login": "hub_staff", "password": PASSWORD})
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after


def _signed_in_twice(world, persona):
    from django.test import Client

    from tests.factories import PASSWORD

    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.post("/accounts/login/", {"login": persona, "password": PASSWORD})
    return phone, laptop


def test_signing_out_ends_the_persons_other_sessions(world):
    phone, laptop = _signed_in_twice(world, "hub_staff")
    assert laptop.get("/hub/").status_code == 200
    phone.post("/accounts/logout/")
    assert laptop.get("/hub/").headers["Location"].startswith("/accounts/login/")


def test_a_password_change_ends_other_sessions_but_keeps_this_one(world):
    from tests.factories import PASSWORD

    phone, laptop = _signed_in_twice(world, "hub_staff")
    response = phone.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase-42",
            "password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert phone.get("/hub/").status_code == 200
    assert laptop.get("/hub/").headers["Location"].startswith("/accounts/login/")


def test_someone_elses_sign_out_changes_nothing_for_me(world):
    phone, _ = _signed_in_twice(world, "hub_staff")
    coordinator, _ = _signed_in_twice(world, "coordinator")
    coordinator.post("/accounts/logout/")
    assert phone.get("/hub/").status_code == 200
