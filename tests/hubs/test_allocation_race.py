"""Two hub staff giving out the same kit at the same moment, as two real HTTP requests to a
running server: each has loaded the allocation page, both press "Give to ..." together.
One kit is given once; the other person gets the allocation page again, saying plainly
that the kit was just given out, and by whom (not an error page)."""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from makers.models import Maker
from packages.models import Kit, KitAssignment
from tests import factories
from tests.packages.helpers import assert_kit_invariants

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="Row locks need Postgres; SQLite locks it all."
    ),
]

ROUNDS = 3
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in person talking HTTP to the live server, keeping their own cookies
    (by hand: the standard cookie jar will not match a bare "localhost")."""

    def __init__(self, base_url: str, user):
        self.base_url = base_url
        client = Client()
        client.force_login(user)
        self.cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
        }
        self.opener = urllib.request.build_opener(_NoRedirect())
        self.token = ""

    def _open(self, request) -> tuple[int, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        status, body = self._open(urllib.request.Request(self.base_url + path))
        found = CSRF_FIELD.search(body)
        if found:
            self.token = found.group(1)
        return status, body

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, **data}).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            headers={"Referer": self.base_url + "/hub/allocate/"},
        )
        return self._open(request)


def _post_at_once(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_staff_giving_the_same_kit_at_once_one_wins_the_other_is_told(live_server, world):
    staff, coordinator = world.user("hub_staff"), world.user("coordinator")
    names = {staff.pk: "Sam Staff", coordinator.pk: "Cath Coordinator"}
    for user in (staff, coordinator):
        user.first_name, user.last_name = names[user.pk].split()
        user.save()
    people = [Browser(live_server.url, staff), Browser(live_server.url, coordinator)]
    makers = [
        factories.MakerFactory(hub=world.hub, name="Ann Early", sets_per_week=5),
        factories.MakerFactory(hub=world.hub, name="Bill Early", sets_per_week=5),
    ]
    for _round in range(ROUNDS):
        (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
        # Both have the page open with this kit on it.
        for person in people:
            status, page = person.get("/hub/allocate/")
            assert status == 200 and kit.display_code in page
        path = f"/hub/allocate/{kit.code}/"
        results = _post_at_once(
            [
                lambda p=person, m=maker, path=path: p.post(path, {"candidate": f"m{m.pk}"})
                for person, maker in zip(people, makers, strict=True)
            ]
        )
        assert all(not isinstance(r, Exception) for r in results), results
        statuses = sorted(status for status, _body in results)
        assert statuses == [302, 409], statuses
        assignment = KitAssignment.objects.select_related("maker", "assigned_by").get(kit=kit)
        winner = assignment.assigned_by.get_full_name()
        loser_page = html.unescape(next(body for status, body in results if status == 409))
        assert "Give out kits" in loser_page  # the allocation page itself
        assert "That kit was not given out" in loser_page
        assert (
            f"Kit {kit.display_code} was just given to {assignment.maker.name} by {winner}, "
            "so it is no longer on the shelf. Choose another kit."
        ) in loser_page
        assert "Server Error" not in loser_page
        kit.refresh_from_db()
        assert kit.status == Kit.Status.ALLOCATED
        assert assignment.maker in makers
        assert kit.events.filter(new_status=Kit.Status.ALLOCATED).count() == 1
        assert_kit_invariants(kit)
    assert Maker.objects.filter(pk__in=[m.pk for m in makers], status="active").exists()
