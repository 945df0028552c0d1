"""Every URL, every persona: the answer each gets is the one the matrix says."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.access.matrix import LOGIN, REDIRECT, collect_routes
from tests.access.urls import named_url_patterns
from tests.conftest import PERSONAS

ROUTES = [route for route in collect_routes() if route.name != "admin:*"]


def test_every_url_pattern_has_a_row_in_the_matrix():
    in_matrix = {route.name for route in collect_routes()}
    missing = [name for name in named_url_patterns() if name not in in_matrix]
    assert not missing, f"URL patterns with no access-matrix row: {missing}"


def test_matrix_has_no_rows_for_urls_that_no_longer_exist():
    existing = set(named_url_patterns())
    stale = [route.name for route in collect_routes() if route.name not in existing]
    assert not stale, f"Access-matrix rows for URLs that do not exist: {stale}"


def classify(response) -> object:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.headers["Location"]
        login = reverse(settings.LOGIN_URL)
        return LOGIN if location.split("?")[0] == login else REDIRECT
    return response.status_code


# Writes a GET may make: the session (sign-in state, last seen) and the audit trail, which
# records that staff looked at someone's record.
WRITES_ALLOWED_ON_GET = ("django_session", "audit_auditevent")
# allauth's email page files the account's address in its own table the first time it is
# shown: bookkeeping, nothing a person would call a change.
ALSO_ALLOWED = {"account_email": ("account_emailaddress",)}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_persona_gets_the_expected_answer(route, world):
    """...and, for GET, that the page changed nothing (every write is spied on)."""
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    wrong: list[str] = []
    writes: list[str] = []
    allowed = WRITES_ALLOWED_ON_GET + ALSO_ALLOWED.get(route.name, ())

    def spy(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and not any(
            table in sql for table in allowed
        ):
            writes.append(sql[:120])
        return execute(sql, params, many, context)

    for persona in PERSONAS:
        client = Client()
        if (user := world.user(persona)) is not None:
            client.force_login(user)
        if route.method == "post":
            response = client.post(url, route.data(world) if route.data else {})
        else:
            with connection.execute_wrapper(spy):
                response = client.get(url)
        got, want = classify(response), route.expected(persona)
        if got != want:
            wrong.append(f"{persona}: got {got}, expected {want}")
    assert not wrong, f"{route.method.upper()} {url}\n" + "\n".join(wrong)
    assert not writes, f"GET {url} changed something: {writes}"


POST_ONLY = [route for route in ROUTES if route.method == "post"]


@pytest.mark.parametrize("route", POST_ONLY, ids=lambda r: r.name)
def test_get_on_a_post_only_url_changes_nothing_and_answers_405(route, world):
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    allowed = [p for p in PERSONAS if route.expected(p) not in (LOGIN, 403, 404)]
    for persona in allowed:
        client = Client()
        if persona != "anonymous":  # a public POST (a kit label's link request) too
            client.force_login(world.user(persona))
        assert client.get(url).status_code == 405, persona
