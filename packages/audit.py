"""An audit of the garment books: the counts, the movements, the point holdings and the
hub tallies must all tell the same story. Used by the tests and by operators
(`python manage.py audit_garments`)."""

from __future__ import annotations

from collections import defaultdict

from packages.models import PLACES, GarmentMovement, Kit, PointHolding, qty_field
from packages.selectors import tallies_drift


def garment_audit(*, hub=None) -> list[str]:
    """One sentence per problem found; an empty list means the books balance.

    Reads each table once (not once per kit), so it runs on a national-sized database.
    """
    kits = Kit.objects.all() if hub is None else Kit.objects.filter(hub=hub)
    problems = list(tallies_drift(hub=hub))

    replayed: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PLACES, 0))
    movements = GarmentMovement.objects.filter(kit__in=kits).values_list(
        "kit_id", "from_place", "to_place", "count"
    )
    for kit_id, from_place, to_place, count in movements.iterator(chunk_size=5000):
        if from_place:
            replayed[kit_id][from_place] -= count
        replayed[kit_id][to_place] += count

    held: dict[int, int] = defaultdict(int)
    for kit_id, count in PointHolding.objects.filter(kit__in=kits).values_list("kit_id", "count"):
        held[kit_id] += count

    columns = ["pk", "code", "garment_count", *[qty_field(p) for p in PLACES]]
    for row in kits.values_list(*columns).iterator(chunk_size=5000):
        pk, code, garment_count, *quantities = row
        counts = dict(zip(PLACES, quantities, strict=True))
        if sum(quantities) != garment_count or min(quantities) < 0:
            problems.append(f"Kit {code}: its counts {counts} do not add up to {garment_count}.")
        if replayed[pk] != counts:
            problems.append(f"Kit {code}: its movements do not replay to its counts.")
        if held[pk] != counts["at_point"]:
            problems.append(
                f"Kit {code}: points hold {held[pk]} garments "
                f"but {counts['at_point']} are at a point."
            )
    return problems
