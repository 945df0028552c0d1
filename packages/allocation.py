"""Who should get each kit on the shelf: the suggestion behind the allocation page.

Each maker and group carries counters (kits held, when last given one, kits handed in and
on time, garments passed and failed), kept by packages.services as kits move. So the page
reads a shortlist of makers with room, longest waiting first, straight from an index, and
costs the same with 50 makers or 70,000; scoring and choosing happen in Python on those
rows. A search reaches anyone else.

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
from datetime import datetime

from django.db.models import (
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dropoffs.models import Point
from makers.guardian_services import may_have_kits_now
from makers.models import Maker, MakerGroup
from makers.staff_selectors import makers_matching
from packages.codes import normalise_kit_code
from packages.models import (
    GarmentType,
    Kit,
    KitAssignment,
    KitEvent,
    Place,
)
from packages.records import RECORD_FIELDS
from scrubhub.counting import count_up_to
from scrubhub.hubs.models import Hub
from scrubhub.row_links import row_link

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


class Reason:
    """One part of a score, in words. The words are made only when shown: scoring reads
    hundreds of candidates for each kit, and only the best few are ever read out."""

    __slots__ = ("_say", "_text", "good")

    def __init__(self, say, good: bool = True):
        self._say = say  # the sentence, or a function that makes it
        self._text = None
        self.good = good

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._say() if callable(self._say) else self._say
        return self._text

    def __repr__(self) -> str:
        return f"Reason({self.text!r}, good={self.good})"


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


@dataclass(frozen=True, slots=True)
class ShelfRow:
    """A kit on the allocation page and who we suggest for it, every value as the page shows
    it. Built in Python once per kit, so the template only prints: in Django's engine a
    `{% url %}` costs about 30 µs and a translated sentence 15 µs, 30 kits a page."""

    code: str  # the stored code, for the form's names and the element ids
    display_code: str  # as printed on the label: ABC-1234
    garments: str  # "5 scrub tops, size M"
    made_up: str  # "Made up 3 Dec"
    url: str  # the kit's own page for choosing someone
    for_kit: str  # "kit ABC-1234", for screen readers after each button
    suggested: str  # who we suggest, or "" when nobody has room
    is_group: bool
    key: str  # what the form sends to name who we suggest (Candidate.key)
    reasons: list[Reason]
    give: str  # "Give to Ann Smith"
    tick: str  # "Tick kit ABC-1234 to give it to Ann Smith with the others"


def shelf_rows(rows: list[KitRow]) -> list[ShelfRow]:
    """The allocation page's rows, from suggest()."""
    allocate_url = row_link("hubs:allocate_kit")
    shown = []
    for row in rows:
        kit, suggestion = row.kit, row.suggestion
        candidate = suggestion.candidate if suggestion else None
        name = candidate.name if candidate else ""
        shown.append(
            ShelfRow(
                code=kit.code,
                display_code=kit.display_code,
                garments=kit.garments_and_size,
                made_up=_("Made up %(day)s")
                % {"day": date_format(timezone.localtime(kit.created_at), "j M")},
                url=allocate_url(kit.code),
                for_kit=_("kit %(code)s") % {"code": kit.display_code},
                suggested=name,
                is_group=bool(candidate and candidate.is_group),
                key=candidate.key if candidate else "",
                reasons=suggestion.reasons if suggestion else [],
                give=_("Give to %(name)s") % {"name": name} if candidate else "",
                tick=_("Tick kit %(code)s to give it to %(name)s with the others")
                % {"code": kit.display_code, "name": name}
                if candidate
                else "",
            )
        )
    return shown


# --- Reading candidates (a fixed number of queries) ---------------------------------------


# Makers read for suggestions from each queue (asked, never given, given longest ago): a
# board page suggests for 30 kits, so a hundred a queue leaves plenty to spread them over.
SHORTLIST = 100
SEARCH_LIMIT = 100  # makers a search reads, however many match


def _record(counters: dict) -> Record:
    """A Record from a holder's counters (a row of CANDIDATE_FIELDS, or a model's vars())."""
    return Record(
        handed_in=counters["kits_handed_in"],
        on_time=counters["kits_on_time"],
        passed=counters["garments_passed"],
        failed=counters["garments_failed"],
    )


# What a Candidate is made from: hundreds are read per page, as plain rows of just these.
CANDIDATE_FIELDS = (
    "pk",
    "name",
    "sets_per_week",
    "experience",
    "wants_kit_since",
    "needs_doorstep_collection",
    *RECORD_FIELDS,
    "preferred_point_id",
    "preferred_point__name",
    "preferred_point__status",
    "preferred_point__accepts_kit_collection",
    "preferred_point__latitude",
    "preferred_point__longitude",
)


def maker_candidates(*, hub: Hub, today=None) -> QuerySet[Maker]:
    """Makers who may be given a kit now (approved or active, not away, and 18 or over or
    with a parent or guardian's agreement). Their counters (makers.models.HolderRecord)
    say what they hold, when they were last given a kit and their record."""
    today = today or timezone.localdate()
    return (
        Maker.objects.filter(hub=hub, status__in=[Maker.Status.APPROVED, Maker.Status.ACTIVE])
        .filter(Q(away_until__isnull=True) | Q(away_until__lt=today))
        .filter(may_have_kits_now())
    )


def makers_with_room(*, hub: Hub) -> QuerySet[Maker]:
    return maker_candidates(hub=hub).filter(kits_held__lt=F("sets_per_week"))


def maker_shortlist(*, hub: Hub, size: int = SHORTLIST) -> list[Candidate]:
    """The makers suggestions are chosen from: with room, those who asked for another kit
    (first asked, first), then those never given a kit, then those given one longest ago.
    Three short reads down an index, so the page costs the same with 50 makers or 70,000;
    the score then orders them, and a search finds anyone else."""
    room = makers_with_room(hub=hub).values(*CANDIDATE_FIELDS)
    found: dict[int, Candidate] = {}
    for chunk in (
        room.filter(wants_kit_since__isnull=False).order_by("wants_kit_since", "pk")[:size],
        room.filter(last_given_at__isnull=True).order_by("last_given_at", "pk")[:size],
        room.filter(last_given_at__isnull=False).order_by("last_given_at", "pk")[:size],
    ):
        for row in chunk:
            if row["pk"] not in found:
                found[row["pk"]] = _maker_candidate(row)
    return list(found.values())


def maker_search(*, hub: Hub, query: str, limit: int = SEARCH_LIMIT) -> list[Candidate]:
    """Makers who may be given a kit (with room or not) whose name, postcode, phone, email
    or preferred point matches what staff typed (as the roster's search matches)."""
    found = makers_matching(maker_candidates(hub=hub), query, by_point=True)
    return [
        _maker_candidate(row)
        for row in found.order_by("name", "pk").values(*CANDIDATE_FIELDS)[:limit]
    ]


def group_candidates(*, hub: Hub) -> QuerySet[MakerGroup]:
    return MakerGroup.objects.filter(hub=hub, status=MakerGroup.Status.ACTIVE).order_by(
        "name", "pk"
    )


def _maker_candidate(row: dict) -> Candidate:
    """A Candidate from a row of CANDIDATE_FIELDS."""
    usable_point = row["preferred_point_id"] is not None and (
        row["preferred_point__status"] == Point.Status.ACTIVE
    )
    return Candidate(
        kind="maker",
        pk=row["pk"],
        name=row["name"],
        capacity=row["sets_per_week"],
        held=row["kits_held"],
        last_given=row["last_given_at"],
        asked_at=row["wants_kit_since"],
        experience=row["experience"],
        point_id=row["preferred_point_id"] if usable_point else None,
        point_name=row["preferred_point__name"] if usable_point else "",
        point_accepts_kits=bool(usable_point and row["preferred_point__accepts_kit_collection"]),
        latitude=float(row["preferred_point__latitude"]) if usable_point else None,
        longitude=float(row["preferred_point__longitude"]) if usable_point else None,
        doorstep=row["needs_doorstep_collection"],
        record=_record(row),
    )


def _group_candidate(group: MakerGroup) -> Candidate:
    return Candidate(
        kind="group",
        pk=group.pk,
        name=group.name,
        capacity=group.capacity_sets_per_week,
        held=group.kits_held,
        last_given=group.last_given_at,
        asked_at=None,
        member_count=group.member_count,
        record=_record(vars(group)),
        group=group,
    )


def candidates_for_hub(*, hub: Hub, query: str = "") -> list[Candidate]:
    """Who may take a kit, as Candidates, in a fixed handful of queries at any size: with
    no query, the shortlist of makers and the groups, all with room; with a query, the
    makers and groups it matches, with room or not."""
    query = query.strip()
    if query:
        makers = maker_search(hub=hub, query=query)
        groups = group_candidates(hub=hub).filter(name__icontains=query)
    else:
        makers = maker_shortlist(hub=hub)
        groups = group_candidates(hub=hub).filter(kits_held__lt=F("capacity_sets_per_week"))
    result = makers + [_group_candidate(g) for g in groups]
    return result if query else [c for c in result if c.free > 0]


ROOM_COUNTED_UP_TO = 1000  # past this, "more than 1,000 makers have room" says enough


@dataclass
class Room:
    """How many makers (counted up to ROOM_COUNTED_UP_TO) and groups have room for a kit."""

    makers: int
    makers_more: bool
    groups: int


def room_for_kits(*, hub: Hub) -> Room:
    """Two counts, the makers' read from the shortlist's index and stopping at the cap, so
    it costs the same at any size."""
    makers = count_up_to(makers_with_room(hub=hub), ROOM_COUNTED_UP_TO)
    groups = group_candidates(hub=hub).filter(kits_held__lt=F("capacity_sets_per_week")).count()
    return Room(makers=makers.value, makers_more=makers.more, groups=groups)


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
    words: list = []  # functions making each fact, called only when shown
    if record.on_time_rate is not None:
        parts.append(record.on_time_rate)
        words.append(
            lambda: (
                _("on time with %(on_time)s of %(kits)s kits")
                % {"on_time": record.on_time, "kits": record.handed_in}
            )
        )
    if record.pass_rate is not None:
        parts.append(record.pass_rate)
        words.append(
            lambda: (
                _("%(percent)s%% of garments passed") % {"percent": round(record.pass_rate * 100)}
            )
        )
    if not parts:
        return 0.6, Reason(_("No kits handed in yet"))
    score = sum(parts) / len(parts)

    def text():
        return _("Record: %(facts)s") % {"facts": ", ".join(w() for w in words)}

    return score, Reason(text, good=score >= 0.75)


def _waiting(candidate: Candidate, now: datetime) -> tuple[float, Reason]:
    since = candidate.last_given
    if candidate.asked_at and (since is None or candidate.asked_at > since):
        days = max((now - candidate.asked_at).days, 0)
        return min((days + 7) / WAITING_FULL_DAYS, 1.0), Reason(
            lambda: (
                ngettext(
                    "Asked for another kit %(days)s day ago",
                    "Asked for another kit %(days)s days ago",
                    days,
                )
                % {"days": days}
                if days
                else _("Asked for another kit today")
            )
        )
    if since is None:
        return 1.0, Reason(_("Has not had a kit yet"))
    days = max((now - since).days, 0)
    return min(days / WAITING_FULL_DAYS, 1.0), Reason(
        lambda: (
            ngettext(
                "Last given a kit %(days)s day ago", "Last given a kit %(days)s days ago", days
            )
            % {"days": days}
            if days
            else _("Last given a kit today")
        ),
        good=days >= 7,
    )


def _free(candidate: Candidate, free: int) -> tuple[float, Reason]:
    offered = candidate.capacity

    def text():
        return ngettext(
            "Room for %(free)s more kit (offers %(offered)s sets a week, holds %(held)s kits)",
            "Room for %(free)s more kits (offers %(offered)s sets a week, holds %(held)s kits)",
            free,
        ) % {"free": free, "offered": offered, "held": offered - free}

    return min(free / 3, 1.0), Reason(text, good=free > 0)


def _nearness(
    candidate: Candidate, origin: tuple[float, float] | None
) -> tuple[float, float | None]:
    """Nearness from 0 to 1, and the distance in km where both places are known."""
    if candidate.is_group:
        return 0.5, None
    if candidate.latitude is None or origin is None:
        return 0.3, None
    km = distance_km(candidate.latitude, candidate.longitude, *origin)
    return (1.0 if km <= NEAR_FULL_KM else max(0.0, 1 - (km - NEAR_FULL_KM) / FAR_KM)), km


def _near(
    candidate: Candidate, origin: tuple[float, float] | None, origin_name: str
) -> tuple[float, float | None, Reason]:
    score, km = _nearness(candidate, origin)
    if candidate.is_group:
        return score, km, Reason(_("Group: collects from the hub"))
    if km is None:
        if candidate.doorstep:
            return score, km, Reason(_("Needs the kit brought to their door"), good=False)
        return score, km, Reason(_("No preferred point"), good=False)

    def text():
        return _("Uses %(point)s, %(km)s km from %(origin)s") % {
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
    total = _total(fit=fit, record=record, waiting=waiting, room=room) + WEIGHT_NEAR * near
    reasons = [room_reason, fit_reason, near_reason, record_reason, waiting_reason]
    return Suggestion(candidate=candidate, score=round(total, 3), reasons=reasons, distance_km=km)


def _total(*, fit: float, record: float, waiting: float, room: float) -> float:
    """Every part of the score but nearness (the only part that depends on the kit's place)."""
    return WEIGHT_FIT * fit + WEIGHT_RECORD * record + WEIGHT_WAITING * waiting + WEIGHT_FREE * room


def _own_scores(candidate: Candidate, now: datetime) -> tuple[float, float, float]:
    """Record, waiting and room: the parts of the score that depend on nobody but the
    candidate (not the kit's garment, not its place)."""
    return (
        _record_score(candidate.record)[0],
        _waiting(candidate, now)[0],
        _free(candidate, candidate.free)[0],
    )


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
    # The order for each garment and place, as rank() would give it; only nearness differs
    # between places, so the rest of each score is worked out once per garment, and the
    # candidate's own parts of it once.
    apart_from_nearness: dict[str, list[float]] = {}
    orders: dict[tuple, list[Candidate]] = {}
    own_scores = [_own_scores(c, now) for c in candidates] if kits else []
    for kit in kits:
        cache_key = (kit.garment_type, kit.collection_point_id)
        if cache_key not in orders:
            if kit.garment_type not in apart_from_nearness:
                apart_from_nearness[kit.garment_type] = [
                    _total(
                        fit=_fit(c, kit.garment_type)[0], record=record, waiting=waiting, room=room
                    )
                    for c, (record, waiting, room) in zip(candidates, own_scores, strict=True)
                ]
            origin, _name = kit_origin(kit, hub)
            totals = [
                (round(rest + WEIGHT_NEAR * _nearness(c, origin)[0], 3), c)
                for rest, c in zip(apart_from_nearness[kit.garment_type], candidates, strict=True)
            ]
            totals.sort(key=lambda t: (-t[0], t[1].name.lower(), t[1].key))
            orders[cache_key] = [c for _total, c in totals]
        chosen = None
        for candidate in orders[cache_key]:
            key = candidate.key
            if left[key] <= 0:
                continue
            if chosen is None or given.get(key, 0) < given.get(chosen.key, 0):
                chosen = candidate
                if given.get(key, 0) == 0:
                    break
        suggestion = None
        if chosen is not None:
            key = chosen.key
            # Reasons as they stand when this kit is given: one fewer free place each time.
            origin, origin_name = kit_origin(kit, hub)
            suggestion = score(
                chosen,
                garment_type=kit.garment_type,
                origin=origin,
                origin_name=origin_name,
                now=now,
                free=left[key],
            )
            left[key] -= 1
            given[key] = given.get(key, 0) + 1
        rows.append(KitRow(kit=kit, suggestion=suggestion))
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
        code = normalise_kit_code(query)
        match = Q(assignments__ended_at__isnull=True) & (
            Q(assignments__maker__name__icontains=query)
            | Q(assignments__group__name__icontains=query)
        )
        if code:
            match |= Q(code=code)
        kits = kits.filter(match).distinct()
    return kits.order_by("given_at", "pk")


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
