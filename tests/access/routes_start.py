"""Starting a hub (/start/) and the operator's queue of hubs asking to open.

The setup pages are the hub coordinator's; the world's hub (already open) stands in for the
hub being set up: its coordinator may still change what was set up. Its other staff get 403,
anyone not on its staff a 404 (the hub's id reveals nothing). The start page is public:
signed out it signs a person up, signed in it starts another hub.
"""

from __future__ import annotations

from tests.access.matrix import REDIRECT, Route, only, public

COORDINATOR_ONLY = only({"coordinator": 200, "hub_staff": 403}, otherwise=404)


def _hub(world) -> dict:
    return {"pk": world.hub.pk}


ROUTES = [
    Route("start:begin", public()),
    Route("start:overview", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:hub", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:hospitals", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:garments", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:points", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:hours", COORDINATOR_ONLY, kwargs=_hub),
    Route("start:settings", COORDINATOR_ONLY, kwargs=_hub),
    Route(
        "start:ask",
        only({"coordinator": REDIRECT, "hub_staff": 403}, otherwise=404),
        method="post",
        kwargs=_hub,
        html=False,
        note="an open hub cannot ask again: told so on the setup page",
    ),
    Route("operator:hubs", only({"operator": 200})),
    Route(
        "operator:hub_approve",
        only({"operator": REDIRECT}),
        method="post",
        kwargs=_hub,
        html=False,
        note="an open hub is not approved twice: the queue says so",
    ),
    Route(
        "operator:hub_decline",
        only({"operator": REDIRECT}),
        method="post",
        kwargs=_hub,
        html=False,
        note="an open hub is not waiting: the queue says so",
    ),
]
