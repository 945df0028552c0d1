"""Hostile input at every form and every POST endpoint (property-based, hypothesis).

For each page in the access matrix, as the first persona allowed to see it, every POST form
on the page is sent values that are very long, Unicode and control characters, HTML and SQL
fragments, out-of-range numbers, missing, repeated and extra fields. Whatever is sent:
no server error; a form that is shown again (refused) saved nothing at all; the garment
books still balance; and no sent value comes back unescaped.

The same for every GET parameter of every page: the names a page's GET forms send and the
names its view reads (seen while the page is shown once), each sent NUL bytes, digits
that are not 0-9 ("²", "٣"), very long values and hypothesis's junk. No server error, and
nothing is written but the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packages.audit import garment_audit
from tests.access.matrix import collect_routes
from tests.conftest import PERSONAS

MARK = "zq<b>x"  # if this comes back raw, something was not escaped
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 5000,
            "\x00\x01\x07\x1b[31m",
            "\u202e\u200b\ufeff",
            "😷🧵" * 50,
            f"<script>alert('{MARK}')</script>",
            f"\"><img src=x onerror=alert('{MARK}')>",
            "'; DROP TABLE makers_maker; --",
            "1 OR 1=1",
            "-1",
            "0",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2026-02-30",
            "../../etc/passwd",
            '=HYPERLINK("http://x")',
        ]
    ),
)
OUR_APPS = {"accounts", "hubs", "notifications", "audit", "makers", "packages", "dropoffs"}


class FormFinder(HTMLParser):
    """The POST forms on a page: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "select", "textarea", "button"}:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._current["fields"].setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _pages():
    for route in collect_routes():
        if route.name == "admin:*" or route.name.startswith("account_"):
            continue  # allauth's own forms are tested by allauth; the admin is operators'
        persona = next(
            (p for p in PERSONAS if route.expected(p) in (200, "redirect") and p != "anonymous"),
            None,
        )
        if route.expected("anonymous") == 200:
            persona = "anonymous"
        if persona is not None:
            yield pytest.param(route, persona, id=f"{route.name}-as-{persona}")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
    }


@pytest.mark.parametrize(("route", "persona"), list(_pages()))
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # Drawn up front, whatever the page holds, so each example replays the same way.
    values=st.lists(HOSTILE_TEXT, min_size=24, max_size=24),
    choices=st.lists(
        st.sampled_from(["hostile", "missing", "repeated", "keep"]), min_size=24, max_size=24
    ),
)
def test_hostile_values_never_break_a_form_or_half_save(route, persona, world, values, choices):
    client = Client()
    if (user := world.user(persona)) is not None:
        if not type(user).objects.filter(pk=user.pk).exists():
            return  # an earlier example's accepted POST deleted this account
        client.force_login(user)
    try:
        url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    except ObjectDoesNotExist:
        return  # an earlier example's accepted POST used the object up (e.g. removed a role)
    if route.method == "post":
        fields = route.data(world) if route.data else {}
        forms = [{"action": url, "fields": {k: str(v) for k, v in fields.items()}}]
    else:
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.headers.get("Content-Type", ""):
            return
        finder = FormFinder()
        finder.feed(page.content.decode())
        forms = [
            {**form, "action": form["action"] or url}
            for form in finder.forms
            if not form["action"].startswith(("/accounts/logout", "/hub/switch"))
        ]
    for form in forms:
        payload: dict[str, list[str]] = {}
        for index, (name, value) in enumerate(form["fields"].items()):
            choice, hostile = choices[index % 24], values[index % 24]
            if choice == "hostile":
                payload[name] = [hostile]
            elif choice == "repeated":
                payload[name] = [hostile, values[(index + 1) % 24]]
            elif choice == "keep":
                payload[name] = [value]
        payload["unexpected_extra_field"] = [values[-1]]
        before = _row_counts()
        response = client.post(form["action"], payload)
        assert response.status_code < 500, f"{form['action']} answered {response.status_code}"
        body = response.content.decode(errors="replace")
        for value in (v for values in payload.values() for v in values):
            if "<script>" in value or "onerror=" in value:
                assert value not in body, f"{form['action']} echoed {value!r} unescaped"
        if response.status_code >= 400 or "data-error-summary" in body:
            # Refused, or shown again with errors: not one row anywhere may have changed.
            assert _row_counts() == before, f"{form['action']} half-saved {payload!r}"
    assert garment_audit() == []


# --- GET parameters -----------------------------------------------------------------------

# The values that broke pages before: Postgres refuses a NUL byte, str.isdigit() says yes to
# "²" and "٣" (int() refuses the first), and int() refuses more than 4,300 digits.
CLASSIC_JUNK = ["\x00", "a\x00b", "²", "٣", "x" * 5000, "9" * 5000, "99999999999999999999"]
GET_FORM_ACTIONS_SKIPPED = ("/accounts/", "/admin/")


class GetFormFinder(HTMLParser):
    """The GET forms on a page: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "get":
            self._current = {"action": attrs.get("action") or "", "names": set()}
            self.forms.append(self._current)
        elif self._current is not None and attrs.get("name"):
            self._current["names"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@contextmanager
def _query_keys_read() -> Iterator[set[str]]:
    """The keys anything looks up in a QueryDict (request.GET) meanwhile. Only watches:
    every look-up still answers as before."""
    seen: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__")}
    originals["__contains__"] = QueryDict.__contains__

    def watch(original):
        def look_up(self, key, *args, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return original(self, key, *args, **kwargs)

        return look_up

    for name, original in originals.items():
        setattr(QueryDict, name, watch(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _get_pages():
    for param in _pages():
        route, _persona = param.values
        if route.method == "get":
            yield param


def _query_targets(route, persona, world) -> tuple[Client, dict[str, set[str]]] | None:
    """A client signed in as the persona, and each address with the GET parameter names
    it takes: those its view read while the page was shown, and those its GET forms send."""
    client = Client()
    if (user := world.user(persona)) is not None:
        client.force_login(user)
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    with _query_keys_read() as read:
        # Not empty: a view that binds its form to `request.GET or None` reads every field.
        page = client.get(url, {"zz_probe": "1"})
    assert page.status_code < 500, f"{url} answered {page.status_code}"
    targets = {url: read - {"zz_probe"}}
    if page.status_code == 200 and "html" in page.headers.get("Content-Type", ""):
        finder = GetFormFinder()
        finder.feed(page.content.decode())
        for form in finder.forms:
            action = urlsplit(form["action"]).path or url
            if action.startswith("/") and not action.startswith(GET_FORM_ACTIONS_SKIPPED):
                targets.setdefault(action, set()).update(form["names"])
    targets = {action: names for action, names in targets.items() if names}
    return (client, targets) if targets else None


def _rows_but_audit() -> dict[str, int]:
    return {label: n for label, n in _row_counts().items() if label != "audit.AuditEvent"}


def _get_and_check(client, url, params, before) -> None:
    response = client.get(url, params)
    assert response.status_code < 500, f"{url} {params!r} answered {response.status_code}"
    # A streamed answer (the roster's CSV) runs its queries only as it is read.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    for value in (v for values in params.values() for v in values):
        if "<script>" in value or "onerror=" in value:
            assert value not in body, f"{url} echoed {value!r} unescaped"
    assert _rows_but_audit() == before, f"GET {url} {params!r} wrote to the database"


@pytest.mark.parametrize(("route", "persona"), list(_get_pages()))
def test_classic_junk_in_any_query_parameter_is_never_a_server_error(route, persona, world):
    found = _query_targets(route, persona, world)
    if found is None:
        return
    client, targets = found
    before = _rows_but_audit()
    for url, names in targets.items():
        for name in sorted(names):
            for junk in CLASSIC_JUNK:
                _get_and_check(client, url, {name: [junk]}, before)


@pytest.mark.parametrize(("route", "persona"), list(_get_pages()))
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(HOSTILE_TEXT, min_size=24, max_size=24),
    choices=st.lists(st.sampled_from(["hostile", "missing", "repeated"]), min_size=24, max_size=24),
)
def test_hostile_query_strings_never_break_a_page(route, persona, world, values, choices):
    found = _query_targets(route, persona, world)
    if found is None:
        return
    client, targets = found
    before = _rows_but_audit()
    for url, names in targets.items():
        params: dict[str, list[str]] = {}
        for index, name in enumerate(sorted(names)):
            choice, hostile = choices[index % 24], values[index % 24]
            if choice == "hostile":
                params[name] = [hostile]
            elif choice == "repeated":
                params[name] = [hostile, values[(index + 1) % 24]]
        _get_and_check(client, url, params, before)
