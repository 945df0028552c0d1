"""The maker's own pages (/me/ and joining)."""

from tests.access.matrix import Route, only

ROUTES = [
    Route("makers:me", only({"maker": 200, "other_maker": 200, "group_leader": 200})),
]
