"""The order of a run's stops: a short round trip from the hub and back.

Exact (Held-Karp dynamic programming) up to EXACT_UP_TO stops, which takes well under a
second in Python; beyond that nearest neighbour, improved by 2-opt and Or-opt until no move
shortens the trip. On the run sizes a hub plans (up to about 30 stops) that is within a few
per cent of the best order; tests/dropoffs/test_route_order.py checks both against brute
force. Distances are great-circle distances between coordinates, which is what a hub has;
roads make every leg longer, but rarely change which order is shortest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088
EXACT_UP_TO = 11

Coordinate = tuple[float, float]


def distance_km(a: Coordinate, b: Coordinate) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude) pairs."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def trip_km(start: Coordinate | None, stops: Sequence[Coordinate], order: Sequence[int]) -> float:
    """Length of the trip visiting `stops` in `order`, from `start` and back to it (an open
    path through the stops when there is no start)."""
    path = [stops[i] for i in order]
    if start is not None and path:
        path = [start, *path, start]
    return sum(distance_km(path[i], path[i + 1]) for i in range(len(path) - 1))


def _matrix(nodes: Sequence[Coordinate]) -> list[list[float]]:
    return [[distance_km(a, b) for b in nodes] for a in nodes]


def _held_karp(d: list[list[float]]) -> list[int]:
    """The shortest tour from node 0 through every other node and back (exact)."""
    n = len(d)
    if n <= 2:
        return list(range(1, n))
    # best[(mask, j)]: shortest path from 0 through the nodes in mask, ending at j.
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for j in range(1, n):
        best[(1 << j, j)] = (d[0][j], 0)
    for size in range(2, n):
        for mask in range(1 << n):
            if mask & 1 or bin(mask).count("1") != size:
                continue
            for j in range(1, n):
                if not mask & (1 << j):
                    continue
                rest = mask ^ (1 << j)
                best[(mask, j)] = min(
                    (best[(rest, k)][0] + d[k][j], k)
                    for k in range(1, n)
                    if rest & (1 << k) and (rest, k) in best
                )
    full = (1 << n) - 2
    _length, last = min((best[(full, j)][0] + d[j][0], j) for j in range(1, n))
    order, mask = [], full
    while last:
        order.append(last)
        mask, last = mask ^ (1 << last), best[(mask, last)][1]
    return order[::-1]


def _length(d: list[list[float]], tour: list[int]) -> float:
    return sum(d[tour[i]][tour[(i + 1) % len(tour)]] for i in range(len(tour)))


def _nearest_neighbour(d: list[list[float]]) -> list[int]:
    tour, left = [0], set(range(1, len(d)))
    while left:
        here = tour[-1]
        nearest = min(left, key=lambda j: (d[here][j], j))
        tour.append(nearest)
        left.remove(nearest)
    return tour


def _improve(d: list[list[float]], tour: list[int]) -> list[int]:
    """2-opt (reverse a stretch) and Or-opt (move a run of 1-3 stops elsewhere) until
    neither finds a shorter tour. Node 0 (the hub) stays first."""
    n = len(tour)
    eps = 1e-9
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            for j in range(i + 1, n):
                a, b = tour[i - 1], tour[i]
                c, e = tour[j], tour[(j + 1) % n]
                if d[a][c] + d[b][e] + eps < d[a][b] + d[c][e]:
                    tour[i : j + 1] = reversed(tour[i : j + 1])
                    improved = True
        for seg in (1, 2, 3):
            for i in range(1, n - seg + 1):
                moved = tour[i : i + seg]
                rest = tour[:i] + tour[i + seg :]
                before = _length(d, tour)
                best_tour, best_len = None, before
                for k in range(1, len(rest) + 1):
                    for piece in (moved, moved[::-1]):
                        candidate = rest[:k] + piece + rest[k:]
                        length = _length(d, candidate)
                        if length + eps < best_len:
                            best_tour, best_len = candidate, length
                if best_tour is not None:
                    tour[:] = best_tour
                    improved = True
    return tour


def order_stops(stops: Sequence[Coordinate], start: Coordinate | None = None) -> list[int]:
    """Indexes into `stops` in the order to visit them, starting and ending at `start` (the
    hub). Without a start, the trip starts at whichever stop makes the round shortest."""
    if len(stops) <= 1:
        return list(range(len(stops)))
    if start is None:
        return [0, *(i + 1 for i in order_stops(stops[1:], start=stops[0]))]
    d = _matrix([start, *stops])
    tour = [0, *_held_karp(d)] if len(stops) <= EXACT_UP_TO else _nearest_neighbour(d)
    if len(stops) > EXACT_UP_TO:
        tour = _improve(d, tour)
    return [node - 1 for node in tour[1:]]
