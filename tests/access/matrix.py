"""The access matrix: for every URL pattern, what each persona gets.

Each app keeps its rows in tests/access/routes_<app>.py; test_access_matrix.py walks every
URL pattern in the project and fails when one has no row here. Answers:
  200, 403, 404, 405     that status code
  LOGIN                  a redirect to the sign-in page
  REDIRECT               any other redirect (e.g. to the person's home)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

LOGIN = "login"
REDIRECT = "redirect"


@dataclass(frozen=True)
class Route:
    name: str
    expect: dict[str, object]
    method: str = "get"
    kwargs: Callable | None = None  # world -> URL kwargs
    data: Callable | None = None  # world -> POST data
    html: bool = True  # answers with a page axe should check
    note: str = ""
    extra: dict = field(default_factory=dict)

    def expected(self, persona: str):
        return self.expect.get(persona, self.expect.get("*"))


def answers(default, **per_persona) -> dict[str, object]:
    """A persona -> answer table: `default` for anyone not named."""
    unknown = set(per_persona) - set(PERSONAS)
    if unknown:
        raise ValueError(f"Unknown personas in access matrix: {sorted(unknown)}")
    return {"*": default, **per_persona}


def public(code=200) -> dict[str, object]:
    return answers(code)


def signed_in(code=200, **per_persona) -> dict[str, object]:
    return answers(code, anonymous=LOGIN, **per_persona)


def only(allowed: dict[str, object], otherwise=403) -> dict[str, object]:
    """Allowed personas get their answer; every other signed-in persona gets `otherwise`."""
    return answers(otherwise, anonymous=LOGIN, **allowed)


STAFF = ("hub_staff", "coordinator", "other_hub_staff")


def collect_routes() -> list[Route]:
    from tests.access import (
        routes_core,
        routes_dropoffs,
        routes_hubs,
        routes_makers,
        routes_notifications,
        routes_packages,
        routes_start,
    )

    modules = (
        routes_core,
        routes_hubs,
        routes_makers,
        routes_packages,
        routes_dropoffs,
        routes_notifications,
        routes_start,
    )
    return [route for module in modules for route in module.ROUTES]


def page_params():
    """One pytest param per HTML page in the matrix, as (route, persona): the first persona
    allowed to see it. For the browser checks that walk every page (axe, reflow)."""
    for route in collect_routes():
        if route.method != "get" or not route.html or route.name == "admin:*":
            continue
        persona = next((p for p in PERSONAS if route.expected(p) == 200), None)
        if persona is not None:
            yield pytest.param(route, persona, id=f"{route.name}-as-{persona}")


def page_url(route: Route, world) -> str:
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
