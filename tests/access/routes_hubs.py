"""Hub staff pages under /hub/."""

from tests.access.matrix import REDIRECT, Route, only

STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}

ROUTES = [
    Route("hubs:dashboard", only(STAFF_200)),
    Route(
        "hubs:switch",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        data=lambda w: {"hub": w.hub.pk},
        html=False,
        note="another hub's id is a 404, never a switch",
    ),
]
