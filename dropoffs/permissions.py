"""Who may hand kits over where, and who may see or drive a run. Views fetch and authorise
in one call here: another hub's kit or run is a 404, exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from dropoffs.models import Point, Run
from dropoffs.selectors import assignment_expected
from packages.models import Kit, KitAssignment
from packages.services import normalise_kit_code
from scrubhub.hubs.models import STAFF_ROLES, Hub, Role
from scrubhub.hubs.permissions import memberships, staff_hubs

SESSION_STATION_KEY = "scrubhub_station"


@dataclass(frozen=True)
class Station:
    """Where someone is handing kits over: a point, or (hub staff only) the hub itself."""

    hub: Hub
    point: Point | None = None

    @property
    def key(self) -> str:
        return f"point:{self.point.pk}" if self.point else f"hub:{self.hub.pk}"

    @property
    def name(self) -> str:
        return self.point.name if self.point else self.hub.name


def stations_for(user) -> list[Station]:
    """The places the user may record handovers at: each point they help at, and for hub
    staff the hub and every point of it that is not closed."""
    stations: list[Station] = []
    hubs = staff_hubs(user)
    for hub in hubs:
        stations.append(Station(hub=hub))
    if hubs:
        points = Point.objects.filter(hub__in=hubs).exclude(status=Point.Status.CLOSED)
        by_hub = {hub.pk: hub for hub in hubs}
        stations += [Station(hub=by_hub[p.hub_id], point=p) for p in points.order_by("name")]
    staff_hub_ids = {hub.pk for hub in hubs}
    for m in memberships(user):
        if (
            m.role == Role.POINT_HELPER
            and m.point is not None
            and m.hub_id not in staff_hub_ids
            and m.point.status != Point.Status.CLOSED
        ):
            stations.append(Station(hub=m.hub, point=m.point))
    return stations


def current_station(request: HttpRequest) -> Station | None:
    """The station chosen on the scan page, else the first the user has: a helper's point,
    or the hub for staff."""
    stations = stations_for(request.user)
    chosen = request.session.get(SESSION_STATION_KEY)
    for station in stations:
        if station.key == chosen:
            return station
    return stations[0] if stations else None


def may_hand_over(user, hub_id: int) -> bool:
    return hub_id in handover_hub_ids(user)


def handover_hub_ids(user) -> set[int]:
    """The hubs whose kits the user may record handovers for (staff and point helpers)."""
    return {
        m.hub_id for m in memberships(user) if m.role in STAFF_ROLES or m.role == Role.POINT_HELPER
    }


def kits_to_hand_over_by_code(user, codes: list[str]) -> dict[str, Kit]:
    """Of these codes, the kits the user may record handovers for, by code: the kit page's
    scope, so another hub's kit is missing here just as a code nobody has is. One look-up
    down the code's unique index, however many kits there are."""
    hub_ids = handover_hub_ids(user)
    if not codes or not hub_ids:
        return {}
    return {
        kit.code: kit
        for kit in Kit.objects.filter(code__in=codes, hub_id__in=hub_ids).only(
            "code", "hub_id", "status", "garment_type", "size", "garment_count"
        )
    }


def get_kit_for(user, code: str) -> tuple[Kit, bool]:
    """The kit with this code and whether the user may record handovers for it.

    Hub staff and point helpers of the kit's hub may act; the maker holding it may look at
    it. Everyone else gets a 404, the same as for a code that does not exist, so codes
    cannot be tried one by one to find out what exists.
    """
    normal = normalise_kit_code(code)
    if not normal:
        raise Http404
    kit = (
        Kit.objects.select_related("hub", "collection_point", "fabric_lot", "pattern")
        .filter(code=normal)
        .first()
    )
    if kit is None:
        raise Http404
    if may_hand_over(user, kit.hub_id):
        return kit, True
    maker_id = getattr(getattr(user, "maker", None), "pk", None) if user.is_authenticated else None
    if (
        maker_id
        and KitAssignment.objects.filter(kit=kit, maker_id=maker_id, ended_at__isnull=True).exists()
    ):
        return kit, False
    raise Http404


def get_assignment_to_hand_in(station: Station | None, code: str) -> KitAssignment:
    """The open assignment of the kit with this code, for handing in every kit of its maker
    or group at the station: a kit of the station's hub expected at its point (collected
    there, or held by someone who uses it), or any of the hub's for staff at the hub.

    Anything else is a 404, the same as a code that does not exist: a helper cannot read
    the names of people who hand in elsewhere.
    """
    normal = normalise_kit_code(code)
    if station is None or not normal:
        raise Http404
    found = assignment_expected(hub=station.hub, point=station.point, code=normal)
    if found is None:
        raise Http404
    return found


def get_point_for_helper(user, point_id: int) -> Point:
    """A point whose day its helpers and the hub's staff may read (names of the makers
    expected there); 404 for anyone else, like a point that does not exist."""
    point = (
        Point.objects.select_related("hub").prefetch_related("hours").filter(pk=point_id).first()
    )
    if point is None:
        raise Http404
    for m in memberships(user):
        if m.hub_id != point.hub_id:
            continue
        if m.role in STAFF_ROLES or (m.role == Role.POINT_HELPER and m.point_id == point.pk):
            return point
    raise Http404


def get_run_for(user, run_id: int) -> Run:
    """A run its driver or the hub's staff may see and tick off; 404 for anyone else."""
    run = Run.objects.select_related("hub", "driver").filter(pk=run_id).first()
    if run is None:
        raise Http404
    if run.driver_id == user.pk or any(
        m.role in STAFF_ROLES and m.hub_id == run.hub_id for m in memberships(user)
    ):
        return run
    raise Http404


def may_see_doorstep_addresses(user, run: Run) -> bool:
    """A driver sees the addresses of their own run's doorsteps until the run is over; the
    hub's staff, who keep the addresses, always may."""
    if any(m.role in STAFF_ROLES and m.hub_id == run.hub_id for m in memberships(user)):
        return True
    return run.driver_id == user.pk and run.is_open
