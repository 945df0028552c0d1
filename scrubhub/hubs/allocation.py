"""Who should get each kit on the shelf: the suggestion behind the allocation page.

Every maker and group that may take a kit is read in a fixed handful of grouped queries
(makers with their kits held and last kit, groups likewise, the makers' on-time record,
their pass rate), never one query per maker, so the page costs the same at 10 makers or
10,000. Scoring and choosing happen in Python on those rows.

How a candidate is scored, in the hub's own words (each part is shown as a reason):
- free capacity: sets a week they offered, minus kits they hold now;
- experience fitting the garment: beginners get trousers before tops; tops go first to
  confident and professional makers, and to beginners who have already finished a kit;
- nearness: how far their preferred point is from where the kit is (its collection point,
  else the hub);
- record: kits handed in within the hub's overdue limit, and the share of their garments
  that passed the check;
- waiting: least recently given a kit first (someone who asked for another kit counts from
  when they asked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from makers.models import Maker, MakerGroup
from packages.models import (
    GarmentMovement,
    GarmentType,
    Kit,
    KitAssignment,
    KitEvent,
    Place,
    QualityCheck,
)
from scrubhub.hubs.models import Hub

HANDED_IN = [Place.AT_POINT, Place.IN_TRANSIT, Place.AWAITING_CHECK]

# How much each part of the score weighs. Experience and record matter most: a kit that
# comes back late or fails the check costs the hospital more than a longer drive.
WEIGHT_FIT = 3.0
WEIGHT_RECORD = 2.0
WEIGHT_WAITING = 2.0
WEIGHT_FREE = 1.0
WEIGHT_NEAR = 1.0
WAITING_FULL_DAYS = 28  # a maker waiting this long (or never given a kit) scores the most
NEAR_FULL_KM = 1.0  # within this of the kit scores the most; 20 km or more scores nothing
FAR_KM = 20.0


# --- The rows the score is made from -----------------------------------------------------


@dataclass
class Record:
    """A maker's or group's history: kits handed in (and how many on time), garments
    checked (and how many passed)."""

    handed_in: int = 0
    on_time: int = 0
    passed: int = 0
    failed: int = 0

    @property
    def checked(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.checked if self.checked else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.handed_in if self.handed_in else None


@dataclass
class Candidate:
    """A maker or a group who may be given a kit, with what the score is made of."""

    kind: str  # "maker" or "group"
    pk: int
    name: str
    capacity: int
    held: int
    last_given: datetime | None
    asked_at: datetime | None
    experience: str = ""
    point_id: int | None = None
    point_name: str = ""
    point_accepts_kits: bool = False
    latitude: float | None = None
    longitude: float | None = None
    doorstep: bool = False
    member_count: int = 0
    record: Record = field(default_factory=Record)
    maker: Maker | None = None
    group: MakerGroup | None = None

    @property
    def key(self) -> str:
        """What a form sends to name this candidate: m<id> for a maker, g<id> for a group."""
        return f"{self.kind[0]}{self.pk}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.held, 0)

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def collection_point_id(self) -> int | None:
        """Where a kit for them waits: their preferred point, if it takes kits."""
        return self.point_id if self.point_accepts_kits else None


@dataclass
class Reason:
    text: str
    good: bool = True


@dataclass
class Suggestion:
    candidate: Candidate
    score: float
    reasons: list[Reason]
    distance_km: float | None = None


@dataclass
class KitRow:
    kit: Kit
    suggestion: Suggestion | None


# --- Reading candidates (a fixed number of queries) ---------------------------------------


def _record_by_maker(*, hub: Hub) -> dict[int, Record]:
    """Each maker's kits handed in (on time or not) and garments checked (passed or not):
    two grouped queries over the hub's history.

    A kit counts as handed in on time when its first garments came back within the hub's
    overdue limit of its collection. A check counts for the maker who held the kit then.
    """
    limit = timedelta(days=hub.overdue_after_days)
    first_hand_in = (
        GarmentMovement.objects.filter(
            kit=OuterRef("kit_id"),
            from_place=Place.WITH_MAKER,
            to_place__in=HANDED_IN,
            created_at__gte=OuterRef("assigned_at"),
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    collected = (
        KitEvent.objects.filter(
            kit=OuterRef("kit_id"),
            new_status=Kit.Status.WITH_MAKER,
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    handed = (
        KitAssignment.objects.filter(maker__hub=hub, maker__isnull=False)
        .annotate(
            handed_in_at=Subquery(first_hand_in, output_field=DateTimeField()),
            collected_at=Subquery(collected, output_field=DateTimeField()),
        )
        .filter(handed_in_at__isnull=False)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=F("handed_in_at")))
        .values("maker_id")
        .annotate(
            handed_in=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(handed_in_at__lte=Coalesce(F("collected_at"), F("assigned_at")) + limit),
            ),
        )
        .order_by()
    )
    records: dict[int, Record] = {}
    for row in handed:
        records[row["maker_id"]] = Record(handed_in=row["handed_in"], on_time=row["on_time"])
    # One filter() call, so the check and the assignment are the same joined rows.
    checked = (
        QualityCheck.objects.filter(
            Q(kit__assignments__ended_at__isnull=True)
            | Q(kit__assignments__ended_at__gte=F("created_at")),
            kit__hub=hub,
            kit__assignments__maker__isnull=False,
            kit__assignments__assigned_at__lte=F("created_at"),
        )
        .values("kit__assignments__maker_id")
        .annotate(passed=Sum("passed"), failed=Sum("failed"))
        .order_by()
    )
    for row in checked:
        record = records.setdefault(row["kit__assignments__maker_id"], Record())
        record.passed = row["passed"] or 0
        record.failed = row["failed"] or 0
    return records


def _open_held():
    return Coalesce(
        Count("assignments", filter=Q(assignments__ended_at__isnull=True)),
        Value(0),
        output_field=IntegerField(),
    )


def maker_candidates(*, hub: Hub, today=None) -> QuerySet[Maker]:
    """Makers who may be given a kit now (approved or active, not away), with `held` (kits
    they hold) and `last_given` (when they were last given one), and their preferred point."""
    today = today or timezone.localdate()
    return (
        Maker.objects.filter(hub=hub, status__in=[Maker.Status.APPROVED, Maker.Status.ACTIVE])
        .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
        .select_related("preferred_point")
        .annotate(held=_open_held(), last_given=Max("assignments__assigned_at"))
    )


def group_candidates(*, hub: Hub) -> QuerySet[MakerGroup]:
    return (
        MakerGroup.objects.filter(hub=hub, status=MakerGroup.Status.ACTIVE)
        .annotate(held=_open_held(), last_given=Max("assignments__assigned_at"))
        .order_by("name", "pk")
    )


def _group_records(*, hub: Hub) -> dict[int, Record]:
    checked = (
        QualityCheck.objects.filter(
            Q(kit__assignments__ended_at__isnull=True)
            | Q(kit__assignments__ended_at__gte=F("created_at")),
            kit__hub=hub,
            kit__assignments__group__isnull=False,
            kit__assignments__assigned_at__lte=F("created_at"),
        )
        .values("kit__assignments__group_id")
        .annotate(passed=Sum("passed"), failed=Sum("failed"))
        .order_by()
    )
    return {
        row["kit__assignments__group_id"]: Record(
            passed=row["passed"] or 0, failed=row["failed"] or 0
        )
        for row in checked
    }


def candidates_for_hub(
    *, hub: Hub, include_full: bool = False, makers: QuerySet[Maker] | None = None
) -> list[Candidate]:
    """Every maker and group who may take a kit, as Candidates: four queries at any size.
    Without `include_full`, only those with free capacity."""
    records = _record_by_maker(hub=hub)
    group_records = _group_records(hub=hub)
    result: list[Candidate] = []
    for maker in makers if makers is not None else maker_candidates(hub=hub):
        point = maker.preferred_point
        usable_point = point is not None and point.is_active
        result.append(
            Candidate(
                kind="maker",
                pk=maker.pk,
                name=maker.name,
                capacity=maker.sets_per_week,
                held=maker.held,
                last_given=maker.last_given,
                asked_at=maker.wants_kit_since,
                experience=maker.experience,
                point_id=point.pk if usable_point else None,
                point_name=point.name if usable_point else "",
                point_accepts_kits=bool(usable_point and point.accepts_kit_collection),
                latitude=float(point.latitude) if usable_point else None,
                longitude=float(point.longitude) if usable_point else None,
                doorstep=maker.needs_doorstep_collection,
                record=records.get(maker.pk, Record()),
                maker=maker,
            )
        )
    if makers is None:
        for group in group_candidates(hub=hub):
            result.append(
                Candidate(
                    kind="group",
                    pk=group.pk,
                    name=group.name,
                    capacity=group.capacity_sets_per_week,
                    held=group.held,
                    last_given=group.last_given,
                    asked_at=None,
                    member_count=group.member_count,
                    record=group_records.get(group.pk, Record()),
                    group=group,
                )
            )
    if include_full:
        return result
    return [c for c in result if c.free > 0]


# --- Scoring ------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): points are a few miles apart, so this is plenty."""
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat = rlat2 - rlat1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _fit(candidate: Candidate, garment_type: str) -> tuple[float, Reason]:
    """Experience fitting the garment, from 0 to 1, and the sentence that says why."""
    if candidate.is_group:
        return 0.7, Reason(_("A group: takes any garment"))
    level = candidate.experience
    trousers = garment_type == GarmentType.TROUSERS
    if level == Maker.Experience.BEGINNER:
        if trousers:
            return 1.0, Reason(_("Beginner: trousers are a good first garment"))
        if candidate.record.handed_in or candidate.record.checked:
            return 0.5, Reason(_("Beginner who has finished a kit: ready to try tops"))
        return 0.0, Reason(_("Beginner: better to start with trousers"), good=False)
    if level == Maker.Experience.PROFESSIONAL:
        if trousers:
            return 0.6, Reason(_("Professional: could take the harder tops"))
        return 1.0, Reason(_("Professional: suits tops"))
    if trousers:
        return 0.8, Reason(_("Confident sewer"))
    return 0.9, Reason(_("Confident sewer: suits tops"))


def _record_score(record: Record) -> tuple[float, Reason]:
    """Record from 0 to 1; someone with no history yet is given the benefit of the doubt."""
    parts: list[float] = []
    words: list[str] = []
    if record.on_time_rate is not None:
        parts.append(record.on_time_rate)
        words.append(
            _("on time with %(on_time)s of %(kits)s kits")
            % {"on_time": record.on_time, "kits": record.handed_in}
        )
    if record.pass_rate is not None:
        parts.append(record.pass_rate)
        words.append(
            _("%(percent)s%% of garments passed") % {"percent": round(record.pass_rate * 100)}
        )
    if not parts:
        return 0.6, Reason(_("No kits handed in yet"))
    score = sum(parts) / len(parts)
    text = _("Record: %(facts)s") % {"facts": ", ".join(words)}
    return score, Reason(text, good=score >= 0.75)


def _waiting(candidate: Candidate, now: datetime) -> tuple[float, Reason]:
    since = candidate.last_given
    if candidate.asked_at and (since is None or candidate.asked_at > since):
        days = max((now - candidate.asked_at).days, 0)
        return min((days + 7) / WAITING_FULL_DAYS, 1.0), Reason(
            ngettext(
                "Asked for another kit %(days)s day ago",
                "Asked for another kit %(days)s days ago",
                days,
            )
            % {"days": days}
            if days
            else _("Asked for another kit today")
        )
    if since is None:
        return 1.0, Reason(_("Has not had a kit yet"))
    days = max((now - since).days, 0)
    return min(days / WAITING_FULL_DAYS, 1.0), Reason(
        ngettext("Last given a kit %(days)s day ago", "Last given a kit %(days)s days ago", days)
        % {"days": days}
        if days
        else _("Last given a kit today"),
        good=days >= 7,
    )


def _free(candidate: Candidate, free: int) -> tuple[float, Reason]:
    offered = candidate.capacity
    text = ngettext(
        "Room for %(free)s more kit (offers %(offered)s sets a week, holds %(held)s kits)",
        "Room for %(free)s more kits (offers %(offered)s sets a week, holds %(held)s kits)",
        free,
    ) % {"free": free, "offered": offered, "held": offered - free}
    return min(free / 3, 1.0), Reason(text, good=free > 0)


def _near(
    candidate: Candidate, origin: tuple[float, float] | None, origin_name: str
) -> tuple[float, float | None, Reason]:
    if candidate.is_group:
        return 0.5, None, Reason(_("Group: collects from the hub"))
    if candidate.latitude is None or origin is None:
        if candidate.doorstep:
            return 0.3, None, Reason(_("Needs the kit brought to their door"), good=False)
        return 0.3, None, Reason(_("No preferred point"), good=False)
    km = distance_km(candidate.latitude, candidate.longitude, *origin)
    score = 1.0 if km <= NEAR_FULL_KM else max(0.0, 1 - (km - NEAR_FULL_KM) / FAR_KM)
    text = _("Uses %(point)s, %(km)s km from %(origin)s") % {
        "point": candidate.point_name,
        "km": f"{km:.1f}",
        "origin": origin_name,
    }
    return score, km, Reason(text, good=km <= 5)


def score(
    candidate: Candidate,
    *,
    garment_type: str,
    origin: tuple[float, float] | None,
    origin_name: str,
    now: datetime,
    free: int | None = None,
) -> Suggestion:
    """The candidate's score for a kit of this garment from this place, with every reason."""
    free = candidate.free if free is None else free
    fit, fit_reason = _fit(candidate, garment_type)
    record, record_reason = _record_score(candidate.record)
    waiting, waiting_reason = _waiting(candidate, now)
    room, room_reason = _free(candidate, free)
    near, km, near_reason = _near(candidate, origin, origin_name)
    total = (
        WEIGHT_FIT * fit
        + WEIGHT_RECORD * record
        + WEIGHT_WAITING * waiting
        + WEIGHT_FREE * room
        + WEIGHT_NEAR * near
    )
    reasons = [room_reason, fit_reason, near_reason, record_reason, waiting_reason]
    return Suggestion(candidate=candidate, score=round(total, 3), reasons=reasons, distance_km=km)


def kit_origin(kit: Kit, hub: Hub) -> tuple[tuple[float, float] | None, str]:
    """Where the kit will be handed over from: its collection point, else the hub."""
    point = kit.collection_point if kit.collection_point_id else None
    if point is not None:
        return (float(point.latitude), float(point.longitude)), point.name
    if hub.latitude is not None and hub.longitude is not None:
        return (float(hub.latitude), float(hub.longitude)), _("the hub")
    return None, _("the hub")


def rank(
    candidates: list[Candidate], *, kit: Kit, hub: Hub, now: datetime | None = None
) -> list[Suggestion]:
    """Candidates for one kit, best first (ties: the one waiting longest, then by name)."""
    now = now or timezone.now()
    origin, origin_name = kit_origin(kit, hub)
    ranked = [
        score(c, garment_type=kit.garment_type, origin=origin, origin_name=origin_name, now=now)
        for c in candidates
    ]
    ranked.sort(key=lambda s: (-s.score, s.candidate.name.lower(), s.candidate.key))
    return ranked


def suggest(
    kits: list[Kit], candidates: list[Candidate], *, hub: Hub, now: datetime | None = None
) -> list[KitRow]:
    """A suggestion for each kit, oldest kit first, spreading kits out: each suggestion uses
    one of the candidate's free places, and nobody is suggested a second kit while someone
    else who fits is still waiting for a first (within this page of kits)."""
    now = now or timezone.now()
    left = {c.key: c.free for c in candidates}
    given: dict[str, int] = {}
    rows: list[KitRow] = []
    ranked_cache: dict[tuple, list[Suggestion]] = {}
    for kit in kits:
        cache_key = (kit.garment_type, kit.collection_point_id)
        if cache_key not in ranked_cache:
            ranked_cache[cache_key] = rank(candidates, kit=kit, hub=hub, now=now)
        best = None
        for suggestion in ranked_cache[cache_key]:
            key = suggestion.candidate.key
            if left[key] <= 0:
                continue
            if best is None or given.get(key, 0) < given.get(best.candidate.key, 0):
                best = suggestion
                if given.get(key, 0) == 0:
                    break
        if best is not None:
            key = best.candidate.key
            # Reasons as they stand when this kit is given: one fewer free place each time.
            origin, origin_name = kit_origin(kit, hub)
            best = score(
                best.candidate,
                garment_type=kit.garment_type,
                origin=origin,
                origin_name=origin_name,
                now=now,
                free=left[key],
            )
            left[key] -= 1
            given[key] = given.get(key, 0) + 1
        rows.append(KitRow(kit=kit, suggestion=best))
    return rows


# --- What the pages read ------------------------------------------------------------------


def prepared_kits(*, hub: Hub) -> QuerySet[Kit]:
    """Kits on the shelf waiting to be given out, oldest first (first made, first out)."""
    return (
        Kit.objects.filter(hub=hub, status=Kit.Status.PREPARED)
        .select_related("collection_point")
        .order_by("created_at", "pk")
    )


def given_kits(*, hub: Hub, query: str = "") -> QuerySet[Kit]:
    """Kits given out (waiting to be collected, or with a maker), with their open assignment
    (maker or group) and the time it was given, oldest first."""
    from django.db.models import Prefetch

    given_at = (
        KitAssignment.objects.filter(kit=OuterRef("pk"), ended_at__isnull=True)
        .order_by("-assigned_at")
        .values("assigned_at")[:1]
    )
    kits = (
        Kit.objects.filter(hub=hub, status__in=[Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER])
        .select_related("collection_point")
        .annotate(given_at=Subquery(given_at, output_field=DateTimeField()))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=KitAssignment.objects.filter(ended_at__isnull=True).select_related(
                    "maker", "group", "assigned_by"
                ),
                to_attr="open_assignments",
            )
        )
    )
    query = query.strip()
    if query:
        from packages.services import normalise_kit_code

        code = normalise_kit_code(query)
        match = Q(assignments__ended_at__isnull=True) & (
            Q(assignments__maker__name__icontains=query)
            | Q(assignments__group__name__icontains=query)
        )
        if code:
            match |= Q(code=code)
        kits = kits.filter(match).distinct()
    return kits.order_by("given_at", "pk")


def search_candidates(candidates: list[Candidate], query: str) -> list[Candidate]:
    """Candidates whose name, postcode, phone or point matches what staff typed."""
    words = query.strip().lower()
    if not words:
        return candidates
    squashed = words.replace(" ", "")
    digits = "".join(ch for ch in words if ch.isdigit())
    found = []
    for c in candidates:
        postcode = phone = ""
        if c.maker is not None:
            postcode = c.maker.postcode.lower().replace(" ", "")
            phone = "".join(ch for ch in c.maker.phone if ch.isdigit())
        if (
            words in c.name.lower()
            or (c.point_name and words in c.point_name.lower())
            or (postcode and squashed in postcode)
            or (len(digits) >= 4 and digits in phone)
        ):
            found.append(c)
    return found


def kit_history(*, kit: Kit) -> list[KitEvent]:
    """The kit's status changes with who made each one, newest first (the last 20), each
    with `new_label`, the new status in words."""
    events = list(kit.events.select_related("actor").order_by("-created_at", "-pk")[:20])
    for event in events:
        known = event.new_status in Kit.Status.values
        event.new_label = Kit.Status(event.new_status).label if known else event.new_status
    return events


def kit_holders(*, kit: Kit) -> list[KitAssignment]:
    """Everyone who has held the kit, who gave it to them and who ended it, newest first."""
    return list(
        kit.assignments.select_related("maker", "group", "assigned_by", "ended_by").order_by(
            "-assigned_at", "-pk"
        )
    )
