"""Stock, kits, demand and deliveries; the laundry's pages."""

from tests.access.matrix import Route, only

ROUTES = [
    Route("packages:laundry_home", only({"laundry": 200, "other_laundry": 200})),
]
