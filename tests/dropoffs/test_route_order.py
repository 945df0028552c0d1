"""The run sheet's stop order: exact for small runs, near-optimal for bigger ones, checked
against brute force over every order."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from dropoffs import routing
from dropoffs.routing import distance_km, order_stops, trip_km

HUB = (56.4582, -2.9822)


def scatter(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """Stops spread over Dundee and Angus, as the hub's runs are."""
    return [(56.35 + rng.random() * 0.35, -3.3 + rng.random() * 0.7) for _ in range(n)]


def brute_force_km(start, stops) -> float:
    """The shortest round trip over every possible order (8 stops: 40,320 orders)."""
    nodes = [start, *stops]
    d = [[distance_km(a, b) for b in nodes] for a in nodes]
    best = float("inf")
    for order in itertools.permutations(range(1, len(nodes))):
        length = d[0][order[0]] + d[order[-1]][0]
        for a, b in itertools.pairwise(order):
            length += d[a][b]
        best = min(best, length)
    return best


def heuristic_order(start, stops) -> list[int]:
    d = routing._matrix([start, *stops])
    tour = routing._improve(d, routing._nearest_neighbour(d))
    return [node - 1 for node in tour[1:]]


def test_distance_between_dundee_and_edinburgh_is_about_58_km():
    assert distance_km((56.4620, -2.9707), (55.9533, -3.1883)) == pytest.approx(58.4, abs=0.5)


@pytest.mark.parametrize("n", [0, 1])
def test_no_stops_or_one_stop_needs_no_planning(n):
    assert order_stops(scatter(random.Random(n), n), HUB) == list(range(n))


@pytest.mark.parametrize("n", range(2, 9))
def test_small_runs_are_the_shortest_order_brute_force_finds(n):
    rng = random.Random(100 + n)
    for _ in range(8):
        stops = scatter(rng, n)
        order = order_stops(stops, HUB)
        assert sorted(order) == list(range(n))
        assert trip_km(HUB, stops, order) == pytest.approx(brute_force_km(HUB, stops), abs=1e-9)


@pytest.mark.parametrize("n", range(3, 9))
def test_the_heuristic_for_big_runs_is_within_5_percent_of_brute_force(n):
    rng = random.Random(200 + n)
    ratios = []
    for _ in range(20):
        stops = scatter(rng, n)
        order = heuristic_order(HUB, stops)
        assert sorted(order) == list(range(n))
        ratios.append(trip_km(HUB, stops, order) / brute_force_km(HUB, stops))
    assert max(ratios) <= 1.05
    # Most of the time it finds the very best order.
    assert sum(r < 1 + 1e-9 for r in ratios) >= 0.8 * len(ratios)


def test_thirty_stops_are_ordered_quickly_and_beat_the_order_they_were_added_in():
    rng = random.Random(30)
    stops = scatter(rng, 30)
    began = time.perf_counter()
    order = order_stops(stops, HUB)
    assert time.perf_counter() - began < 2
    assert sorted(order) == list(range(30))
    planned = trip_km(HUB, stops, order)
    assert planned < trip_km(HUB, stops, list(range(30)))
    # A local optimum: no single 2-opt reversal makes it shorter.
    for i in range(len(order) - 1):
        for j in range(i + 1, len(order)):
            swapped = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
            assert trip_km(HUB, stops, swapped) >= planned - 1e-9


def test_stops_on_a_line_are_one_trip_out_and_back():
    home = (56.0, -3.0)
    stops = [(56.0 + k * 0.01, -3.0) for k in (3, 1, 4, 2)]
    order = order_stops(stops, home)
    assert trip_km(home, stops, order) == pytest.approx(2 * distance_km(home, stops[2]))


def test_without_a_hub_position_the_round_starts_at_the_first_stop():
    stops = scatter(random.Random(7), 6)
    order = order_stops(stops)
    assert order[0] == 0
    assert sorted(order) == list(range(6))
