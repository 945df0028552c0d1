"""Reads for the hub staff's volunteer pages: applicants, the roster, one maker's page,
possible duplicates and the problems makers reported. Every read is scoped to one hub;
lists make the same number of queries however many makers the hub has."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Replace, Upper
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from makers.guardian_services import GuardianStatus, with_guardian_status
from makers.models import KitProblem, Maker
from scrubhub.row_links import row_link

S = Maker.Status
# Who is on the roster unless staff ask for everyone: people the hub may still work with.
CURRENT = [S.APPLIED, S.APPROVED, S.ACTIVE, S.PAUSED, S.STANDBY]
GARMENTS_PER_SET = 2


@dataclass
class MakerFilters:
    """What staff typed or chose above a list. Empty means "any"."""

    q: str = ""
    status: str = ""
    age_band: str = ""
    experience: str = ""
    point: int | None = None
    min_sets: int | None = None
    free_capacity: bool = False
    joined_since: object = None
    waiting_for_guardian: bool = False


def _open_unsewn():
    """Garments still to sew in the kits a maker holds now (allocated or with them)."""
    from packages.models import Kit, KitAssignment

    return Coalesce(
        Subquery(
            KitAssignment.objects.filter(
                maker=OuterRef("pk"),
                ended_at__isnull=True,
                kit__status__in=[Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER],
            )
            .values("maker")
            .annotate(n=Sum(F("kit__garment_count") - F("kit__finished_count")))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def makers_matching(makers: QuerySet[Maker], q: str, *, by_point: bool = False) -> QuerySet[Maker]:
    """The makers whose name, postcode (start, spaces ignored), phone (four digits or more,
    spaces and dashes ignored, +44 as 0) or exact email matches what staff typed; with
    `by_point`, their preferred point's name too. Blank matches everyone."""
    q = " ".join(q.split())
    if not q:
        return makers
    match = Q(name__icontains=q)
    if by_point:
        match |= Q(preferred_point__name__icontains=q)
    compact = re.sub(r"\s+", "", q).upper()
    if compact:
        match |= Q(postcode_compact__startswith=compact)
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        match |= Q(phone_digits__contains=digits)
    if "@" in q:
        match |= Q(email__iexact=q)
    return makers.annotate(
        postcode_compact=Upper(Replace(F("postcode"), Value(" "), Value(""))),
        phone_digits=Replace(Replace(F("phone"), Value(" "), Value("")), Value("-"), Value("")),
    ).filter(match)


def makers_listed(*, hub, filters: MakerFilters) -> QuerySet[Maker]:
    """The hub's makers matching the filters, in name order, each with `free_garments`
    (about how many more garments they could take on now: their
    sets a week as garments, less what they still have to sew) and `guardian_status`
    (makers.guardian_services). Preferred point joined."""
    makers = Maker.objects.filter(hub=hub).exclude(status=S.ERASED)
    if filters.status == "all":
        pass
    elif filters.status:
        makers = makers.filter(status=filters.status)
    else:
        makers = makers.filter(status__in=CURRENT)
    if filters.age_band:
        makers = makers.filter(age_band=filters.age_band)
    if filters.experience:
        makers = makers.filter(experience=filters.experience)
    if filters.point:
        makers = makers.filter(preferred_point_id=filters.point)
    if filters.min_sets is not None:
        makers = makers.filter(sets_per_week__gte=filters.min_sets)
    if filters.joined_since:
        makers = makers.filter(created_at__date__gte=filters.joined_since)
    makers = makers_matching(makers, filters.q)
    makers = makers.annotate(
        free_garments=Greatest(F("sets_per_week") * GARMENTS_PER_SET - _open_unsewn(), Value(0)),
    )
    makers = with_guardian_status(makers)
    if filters.waiting_for_guardian:
        makers = makers.filter(
            age_band=Maker.AgeBand.UNDER_18,
            guardian_status__in=[GuardianStatus.WAITING, GuardianStatus.REFUSED],
        )
    if filters.free_capacity:
        makers = makers.filter(free_garments__gt=0, status__in=[S.APPROVED, S.ACTIVE]).exclude(
            away_until__gt=timezone.localdate()
        )
    return makers.select_related("preferred_point").order_by("name", "pk")


@dataclass(frozen=True, slots=True)
class MakerFacts:
    """The two lines of facts about a maker in a list (makers/staff/maker_facts.html), as
    the page shows them."""

    status: str
    guardian: str  # what a young maker's parent or guardian has said, when it holds her up
    about: str  # "16 or 17 · Beginner · no sewing machine"
    phone: str
    tel: str  # the phone for a tel: link, without spaces
    place: str  # "DD1 4HN · Church hall · doorstep"


def maker_facts(maker: Maker) -> MakerFacts:
    """For a maker from makers_listed() (`guardian_status`, the preferred point), or any
    maker with the preferred point read."""
    guardian = getattr(maker, "guardian_status", None)
    about = [maker.get_age_band_display(), maker.get_experience_display()]
    if not maker.has_sewing_machine:
        about.append(_("no sewing machine"))
    place = [maker.postcode]
    if maker.preferred_point:
        place.append(maker.preferred_point.name)
    if maker.needs_doorstep_collection:
        place.append(_("doorstep"))
    return MakerFacts(
        status=maker.get_status_display(),
        guardian=(
            _("Waiting for a parent or guardian to agree")
            if guardian == GuardianStatus.WAITING
            else _("Parent or guardian did not agree")
            if guardian == GuardianStatus.REFUSED
            else ""
        ),
        about=" · ".join(about),
        phone=maker.phone,
        tel=maker.phone.replace(" ", ""),
        place=" · ".join(place),
    )


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One maker on the roster, every value as the page shows it. Built in Python once per
    row, so the template only prints: in Django's engine a `{% url %}` costs about 30 µs
    and a translated plural 15 µs, 50 times a page."""

    name: str
    url: str
    facts: MakerFacts
    load: str  # "1 set a week · 2 kits now · room for 2 more garments · away until 5 March"


def roster_rows(makers: Iterable[Maker]) -> list[RosterRow]:
    """The roster's rows, for a page of makers_listed()."""
    maker_url = row_link("makers:staff_maker")
    rows = []
    for maker in makers:
        load = [
            ngettext("%(n)s set a week", "%(n)s sets a week", maker.sets_per_week)
            % {"n": maker.sets_per_week},
            ngettext("%(n)s kit now", "%(n)s kits now", maker.kits_held) % {"n": maker.kits_held},
            ngettext(
                "room for %(n)s more garment", "room for %(n)s more garments", maker.free_garments
            )
            % {"n": maker.free_garments}
            if maker.free_garments
            else _("no room now"),
        ]
        if maker.away_until:
            load.append(_("away until %(day)s") % {"day": date_format(maker.away_until, "j F")})
        rows.append(
            RosterRow(
                name=maker.name,
                url=maker_url(maker.pk),
                facts=maker_facts(maker),
                load=" · ".join(load),
            )
        )
    return rows


def applicants_listed(*, hub, filters: MakerFilters) -> QuerySet[Maker]:
    """People waiting for the hub's answer, oldest first (they have waited longest)."""
    filters.status = S.APPLIED
    return makers_listed(hub=hub, filters=filters).order_by("created_at", "pk")


def maker_for_staff(*, hub, pk: int) -> Maker | None:
    """One maker of the hub (not an erased one), or None: another hub's maker is None too."""
    return (
        Maker.objects.filter(hub=hub, pk=pk)
        .exclude(status=S.ERASED)
        .select_related("hub", "preferred_point", "user")
        .first()
    )


@dataclass
class KitLine:
    assignment: object
    kit: object
    passed: int = 0
    failed: int = 0
    collected_at: object = None
    handed_in_at: object = None
    on_time: bool | None = None  # None: not handed in yet

    @property
    def places(self) -> list[tuple[str, int]]:
        """Where the kit's garments are now, as (label, count), leaving out empty places."""
        from packages.models import Place

        return [(Place(p).label, n) for p, n in self.kit.counts().items() if n]


@dataclass
class MakerRecord:
    """A maker's kits, garments and record, for their page on the hub's side."""

    current: list[KitLine] = field(default_factory=list)
    past: list[KitLine] = field(default_factory=list)
    passed: int = 0
    failed: int = 0
    handed_back: int = 0
    on_time: int = 0
    overdue_now: int = 0

    @property
    def pass_rate(self) -> int | None:
        checked = self.passed + self.failed
        return round(100 * self.passed / checked) if checked else None


def maker_record(*, maker: Maker) -> MakerRecord:
    """Kits (current and past), garment history and record in four queries: on time means
    every garment was handed in within the hub's overdue limit of collecting the kit."""
    from packages.models import GarmentMovement, Kit, KitAssignment, KitEvent, Place, QualityCheck

    assignments = list(
        KitAssignment.objects.filter(maker=maker)
        .select_related("kit__collection_point", "assigned_by")
        .order_by("-assigned_at", "-pk")
    )
    kit_ids = [a.kit_id for a in assignments]
    checks = {
        row["kit_id"]: row
        for row in QualityCheck.objects.filter(kit_id__in=kit_ids)
        .values("kit_id")
        .annotate(passed=Sum("passed"), failed=Sum("failed"))
    }
    collected = {
        row["kit_id"]: row["first"]
        for row in KitEvent.objects.filter(kit_id__in=kit_ids, new_status=Kit.Status.WITH_MAKER)
        .values("kit_id")
        .annotate(first=Min("created_at"))
    }
    handed_in = {
        row["kit_id"]: row["last"]
        for row in GarmentMovement.objects.filter(
            kit_id__in=kit_ids, from_place__in=[Place.WITH_MAKER, Place.REWORK]
        )
        .values("kit_id")
        .annotate(last=Max("created_at"))
    }
    limit = timedelta(days=maker.hub.overdue_after_days)
    now = timezone.now()
    record = MakerRecord()
    for assignment in assignments:
        kit = assignment.kit
        row = checks.get(kit.pk, {})
        line = KitLine(
            assignment=assignment,
            kit=kit,
            passed=row.get("passed") or 0,
            failed=row.get("failed") or 0,
            collected_at=collected.get(kit.pk),
        )
        record.passed += line.passed
        record.failed += line.failed
        still_out = kit.qty_with_maker + kit.qty_rework
        if line.collected_at and not still_out and kit.pk in handed_in:
            line.handed_in_at = handed_in[kit.pk]
            line.on_time = line.handed_in_at - line.collected_at <= limit
            record.handed_back += 1
            record.on_time += int(line.on_time)
        elif line.collected_at and still_out and now - line.collected_at > limit:
            record.overdue_now += 1
        if assignment.ended_at is None:
            record.current.append(line)
        else:
            record.past.append(line)
    return record


def possible_duplicates(*, maker: Maker, limit: int = 10) -> list[Maker]:
    """Other records of the hub that may be the same person: the same phone number, email
    or name."""
    match = Q(name__iexact=maker.name)
    if maker.phone:
        digits = re.sub(r"\D", "", maker.phone)
        match |= Q(phone_digits=digits)
    if maker.email:
        match |= Q(email__iexact=maker.email)
    return list(
        Maker.objects.filter(hub_id=maker.hub_id)
        .exclude(pk=maker.pk)
        .exclude(status=S.ERASED)
        .annotate(phone_digits=Replace(F("phone"), Value(" "), Value("")))
        .filter(match)
        .select_related("preferred_point")
        .order_by("created_at", "pk")[:limit]
    )


PROBLEM_VIEWS = {
    "open": [KitProblem.Status.OPEN],
    "answered": [KitProblem.Status.ANSWERED],
    "resolved": [KitProblem.Status.RESOLVED],
    "all": [KitProblem.Status.OPEN, KitProblem.Status.ANSWERED, KitProblem.Status.RESOLVED],
}


def problems_for_hub(*, hub, show: str = "open") -> QuerySet[KitProblem]:
    """Problems makers reported about the hub's kits, oldest open first (they have waited
    longest); sorted-out ones newest first. Maker, kit and who answered joined."""
    problems = KitProblem.objects.filter(
        kit__hub=hub, status__in=PROBLEM_VIEWS.get(show, PROBLEM_VIEWS["open"])
    ).select_related("maker", "kit", "answered_by")
    if show in {"resolved", "all"}:
        return problems.order_by("-created_at", "-pk")
    return problems.order_by("created_at", "pk")


def problem_for_staff(*, hub, pk: int) -> KitProblem | None:
    return (
        KitProblem.objects.filter(kit__hub=hub, pk=pk)
        .select_related("maker__hub", "kit", "answered_by")
        .first()
    )


# --- Bringing in a spreadsheet of volunteers (issue 23) ------------------------------------


def import_batch_for_staff(*, hub, user, pk: int):
    """An uploaded sheet, only for the staff member who uploaded it and only in their hub
    (None for anyone else: it holds other people's details)."""
    from makers.models import ImportBatch

    return ImportBatch.objects.filter(hub=hub, uploaded_by=user, pk=pk).first()


def import_batches_waiting(*, hub, user, now) -> list:
    """The staff member's own uploads not imported yet and not past their day, newest first,
    without their rows."""
    from makers.models import ImportBatch

    return list(
        ImportBatch.objects.filter(
            hub=hub, uploaded_by=user, status=ImportBatch.Status.UPLOADED, expires_at__gt=now
        ).defer("rows")[:5]
    )


def import_answers(*, batch) -> dict[str, int]:
    """How the people an import brought in answered their welcome so far."""
    from django.db.models import Count

    return batch.people.filter(merged=False).aggregate(
        new=Count("pk"),
        stayed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        left=Count("pk", filter=Q(left_at__isnull=False)),
    )
