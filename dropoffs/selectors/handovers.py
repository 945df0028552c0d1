"""Reads for handovers at a point: a hub's handovers, finding a maker's kits expected at a
point (by code, name or phone), and what can happen to a kit here and now (the kit page's
buttons, and what a maker says is finished)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import (
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from dropoffs.models import Handover, Point
from packages.models import (
    Kit,
    KitAssignment,
    PointHolding,
)


def handovers_for_hub(*, hub) -> QuerySet[Handover]:
    """Newest first, with point and who recorded it; movements prefetched."""
    return (
        Handover.objects.filter(hub=hub)
        .select_related("point", "recorded_by")
        .prefetch_related("movements")
    )


# --- Finding a maker's kits at a point ------------------------------------------------------

SEARCH_LIMIT = 20
EXPECTED_STATUSES = [Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER]


def _expected(*, hub, point=None) -> QuerySet[KitAssignment]:
    """The open assignments of kits expected at a point (to collect there, or held by
    someone who uses it), or anywhere in the hub when no point is given."""
    found = KitAssignment.objects.filter(
        ended_at__isnull=True, kit__hub=hub, kit__status__in=EXPECTED_STATUSES
    )
    if point is not None:
        found = found.filter(
            Q(kit__collection_point=point)
            | Q(maker__preferred_point=point)
            | Q(kit__movements__point=point)
        )
    return found


def assignment_expected(*, hub, point=None, code: str) -> KitAssignment | None:
    """The open assignment of the kit with this (normalised) code, if the kit is expected
    at the point (or anywhere in the hub when no point is given); holder joined in."""
    return (
        _expected(hub=hub, point=point)
        .filter(kit__code=code)
        .select_related("kit", "maker", "group")
        .first()
    )


def kits_expected(*, hub, point=None, query: str = "") -> list[KitAssignment]:
    """Open kits whose maker or group matches a name or phone number, among the kits
    expected at a point (to collect there, or held by someone who uses it), or anywhere in
    the hub when no point is given. At most SEARCH_LIMIT, holder and kit joined in."""
    query = query.strip()
    if len(query) < 2:
        return []
    found = _expected(hub=hub, point=point)
    digits = re.sub(r"\D", "", query)
    match = Q(maker__name__icontains=query) | Q(group__name__icontains=query)
    match |= Q(group__leader_name__icontains=query)
    if len(digits) >= 4:
        found = found.annotate(
            phone_digits=Replace(
                Replace(Replace("maker__phone", Value(" "), Value("")), Value("-"), Value("")),
                Value("+44"),
                Value("0"),
            )
        )
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        match |= Q(phone_digits__contains=digits)
    return list(
        found.filter(match)
        .select_related("kit", "kit__collection_point", "maker", "group")
        .distinct()
        .order_by("maker__name", "group__name", "kit_id")[:SEARCH_LIMIT]
    )


def holder_kits(*, assignment: KitAssignment) -> list[Kit]:
    """Every open kit of the same maker or group in the hub, for handing in several at once."""
    holder = (
        Q(assignments__maker_id=assignment.maker_id)
        if assignment.maker_id
        else Q(assignments__group_id=assignment.group_id)
    )
    return list(
        Kit.objects.filter(
            holder, assignments__ended_at__isnull=True, status__in=EXPECTED_STATUSES
        ).order_by("pk")
    )


def kit_point_holding(*, kit: Kit, point: Point | None) -> int:
    if point is None:
        return 0
    held = PointHolding.objects.filter(kit=kit, point=point).values_list("count", flat=True)
    return next(iter(held), 0)


# --- What can happen to a kit here and now ----------------------------------------------------


def said_finished(kit: Kit) -> int:
    """How many of the garments still with the maker she says are finished (0 when she
    has said nothing since her last hand-in)."""
    handed = kit.garment_count - kit.qty_with_maker - kit.qty_in_kit
    return max(0, min(kit.qty_with_maker, kit.finished_count - handed))


def take_back_default(kit: Kit) -> int:
    """The count offered when finished scrubs are taken from the maker: what she says is
    finished or, when she has not said, all she has (most often what is in the bag; the
    old fixed 1 was almost never right)."""
    return said_finished(kit) or kit.qty_with_maker


@dataclass(frozen=True)
class HandoverOption:
    action: str
    most: int | None = None
    default: int | None = None


def handover_options(*, kit: Kit, point: Point | None, held_here: int) -> tuple[list, str]:
    """The handovers a kit allows at a point (or, with no point, at the hub) right now, and a
    sentence saying why there are none when there are none."""
    options: list[HandoverOption] = []
    status = kit.status
    if status == Kit.Status.PREPARED:
        return [], _("This kit has not been given to a maker yet.")
    if status in {Kit.Status.CLOSED, Kit.Status.CANCELLED, Kit.Status.LOST}:
        return [], _("This kit is %s. There is nothing more to hand over.") % (
            kit.get_status_display().lower()
        )
    if status == Kit.Status.ALLOCATED:
        if point is None:
            return [HandoverOption("collect")], ""
        if kit.collection_point_id != point.pk:
            if kit.collection_point_id:
                return [], _("This kit waits at %s, not here. Please send the maker there.") % (
                    kit.collection_point.name
                )
            return [], _("This kit is waiting at the hub, not at a point.")
        if not point.is_active or not point.accepts_kit_collection:
            return [], _("This point is not giving out kits at the moment.")
        return [HandoverOption("collect")], ""
    # With the maker.
    takes_scrubs = point is None or (point.is_active and point.accepts_finished_garments)
    if kit.qty_with_maker and takes_scrubs:
        options.append(HandoverOption("return", kit.qty_with_maker, take_back_default(kit)))
        options.append(HandoverOption("unfinished", kit.qty_with_maker, said_finished(kit)))
    if kit.qty_rework and takes_scrubs:
        options.append(HandoverOption("return_rework", kit.qty_rework, kit.qty_rework))
    if point is not None and held_here:
        options.append(HandoverOption("pick_up", held_here, held_here))
    if point is None and kit.qty_in_transit:
        options.append(HandoverOption("arrive", kit.qty_in_transit, kit.qty_in_transit))
    if options:
        return options, ""
    if not takes_scrubs:
        return [], _("This point is not taking finished scrubs at the moment.")
    return [], _("Everything the maker had from this kit has already been handed in.")
