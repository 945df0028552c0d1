"""Invariant checks for kits and their garments, shared by the packages and dropoffs tests."""

from __future__ import annotations

from packages.models import PLACES, Kit, PointHolding
from packages.selectors import kit_counts_replay, tallies_drift


def assert_kit_invariants(kit: Kit) -> Kit:
    """Every garment accounted for, nothing negative, the movements replay to the counts,
    point holdings match, and the hub's tallies have not drifted."""
    kit.refresh_from_db()
    counts = kit.counts()
    assert sum(counts.values()) == kit.garment_count
    assert all(n >= 0 for n in counts.values())
    assert kit_counts_replay(kit=kit) == counts
    held = sum(PointHolding.objects.filter(kit=kit).values_list("count", flat=True))
    assert held == kit.qty_at_point
    assert tallies_drift(hub=kit.hub) == []
    return kit


def counts_of(kit: Kit, **expected: int) -> dict[str, int]:
    """Expected counts with every other place zero, for comparing with kit.counts()."""
    full = dict.fromkeys(PLACES, 0)
    full.update(expected)
    return full
