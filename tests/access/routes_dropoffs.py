"""Points, handovers and runs."""

from tests.access.matrix import Route, only

STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}

ROUTES = [
    Route("dropoffs:runs", only({"driver": 200, **STAFF_200})),
    Route("dropoffs:scan", only({"point_helper": 200, **STAFF_200})),
]
