"""Reads of makers and groups, scoped to a hub or a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from makers.models import KitProblem, Maker, MakerGroup, ReturnPlan
from packages.codes import normalise_kit_code
from scrubhub.counting import FIGURE_COUNT_CAP, CappedCount, count_up_to
from scrubhub.hubs.models import ERASURE_WAIT_AFTER_CHANGE
from scrubhub.notifications.contacts import Contact


def maker_for_user(*, user) -> Maker | None:
    """The signed-in person's maker record, with hub and preferred point."""
    if not user.is_authenticated:
        return None
    return Maker.objects.filter(user=user).select_related("hub", "preferred_point").first()


def makers_for_hub(*, hub, status: str | None = None) -> QuerySet[Maker]:
    makers = Maker.objects.filter(hub=hub).exclude(status=Maker.Status.ERASED)
    return makers.filter(status=status) if status else makers


def makers_who_may_receive_kits(*, hub) -> QuerySet[Maker]:
    return Maker.objects.filter(hub=hub, status__in=[Maker.Status.APPROVED, Maker.Status.ACTIVE])


def groups_for_hub(*, hub) -> QuerySet[MakerGroup]:
    return MakerGroup.objects.filter(hub=hub).select_related("leader")


def groups_led_by(*, user) -> QuerySet[MakerGroup]:
    return MakerGroup.objects.filter(leader=user).exclude(status=MakerGroup.Status.CLOSED)


GROUP_VIEWS = {
    "": [MakerGroup.Status.ACTIVE, MakerGroup.Status.PAUSED],
    "paused": [MakerGroup.Status.PAUSED],
    "closed": [MakerGroup.Status.CLOSED],
    "all": MakerGroup.Status.values,
}


def groups_for_staff(*, hub, show: str = "") -> QuerySet[MakerGroup]:
    """The hub's groups for its staff, by name: the ones it works with now unless `show`
    asks for paused, closed or all. Kits held come from the group's own counter."""
    return MakerGroup.objects.filter(
        hub=hub, status__in=GROUP_VIEWS.get(show, GROUP_VIEWS[""])
    ).order_by("name", "pk")


def group_for_staff(*, hub, pk: int) -> MakerGroup | None:
    return MakerGroup.objects.filter(hub=hub, pk=pk).select_related("leader", "hub").first()


@dataclass(frozen=True)
class DoorstepOffer:
    """What a maker's pages say about doorstep visits: she has them, or they are offered
    to her (aged 70 or over, at a hub that offers them), or neither (nothing shown)."""

    has_visits: bool
    offered: bool


def doorstep_offer(*, maker: Maker) -> DoorstepOffer:
    """One query at most, and none for a maker the offer is not for. Needs maker.hub."""
    from dropoffs.models import DoorstepAddress

    over_70 = maker.age_band == Maker.AgeBand.OVER_70
    if not (maker.needs_doorstep_collection or over_70):
        return DoorstepOffer(has_visits=False, offered=False)
    has_visits = DoorstepAddress.objects.filter(maker=maker).exists()
    offered = (
        not has_visits
        and over_70
        and maker.hub.offers_doorstep_visits
        and maker.status not in {Maker.Status.DECLINED, Maker.Status.WITHDRAWN}
    )
    return DoorstepOffer(has_visits=has_visits, offered=offered)


# --- The maker's own pages and the public hub page (issue 5) -----------------------------

HANDED_IN_PLACES = ("at_point", "in_transit", "awaiting_check", "passed", "reserved", "delivered")


def kits_for_maker(*, maker: Maker) -> list:
    """The kits a maker holds now, oldest first, each with `collection_point`, `pattern`
    (the hub's current one when the kit has none), `open_plan` (ReturnPlan or None),
    `open_problems` and, before she has it, `whereabouts`. A fixed number of queries,
    however many kits the hub has."""
    from packages.models import Kit

    kits = list(
        Kit.objects.filter(assignments__maker=maker, assignments__ended_at__isnull=True)
        .select_related("collection_point", "pattern")
        .prefetch_related(
            Prefetch(
                "return_plans",
                queryset=ReturnPlan.objects.filter(status=ReturnPlan.Status.OPEN).select_related(
                    "point"
                ),
                to_attr="open_plans",
            ),
            Prefetch(
                "problems",
                queryset=KitProblem.objects.exclude(status=KitProblem.Status.RESOLVED),
                to_attr="open_problems",
            ),
        )
        .order_by("created_at", "pk")
    )
    _fill_patterns(kits, hub_id=maker.hub_id)
    for kit in kits:
        kit.open_plan = kit.open_plans[0] if kit.open_plans else None
    kits_whereabouts(kits, maker=maker)
    return kits


def _fill_patterns(kits: list, *, hub_id: int) -> None:
    """Kits made up before the hub had a pattern get the current one, in one query."""
    from packages.models import Pattern

    missing = [kit for kit in kits if kit.pattern_id is None]
    if not missing:
        return
    current: dict[tuple[str, str], object] = {}
    for pattern in Pattern.objects.filter(
        Q(hub_id=hub_id) | Q(hub__isnull=True), is_current=True
    ).order_by(F("hub_id").asc(nulls_first=True)):
        current[(pattern.garment_type, pattern.size)] = pattern  # the hub's own wins
    for kit in missing:
        kit.pattern = current.get((kit.garment_type, kit.size))


def maker_contact(*, maker: Maker) -> Contact:
    """How to reach a maker, for every message sent to one: their email, phone, chosen
    channel and account. The database holds every maker to an email or a phone
    (maker_has_email_or_phone) except an erased one, who keeps neither: `.route` is None
    only for them, and nothing is sent or listed as "could not reach" for someone erased."""
    return Contact(
        name=maker.name,
        email=maker.email,
        phone=maker.phone,
        preferred_channel=maker.preferred_channel,
        recipient=maker.user,
    )


def kit_for_maker(*, maker: Maker, code: str):
    """One kit the maker holds now, by its code however it was typed, or None. Another
    maker's kit, or another hub's, is None too: the page must not say it exists."""
    normal = normalise_kit_code(code)
    if not normal:
        return None
    kits = [kit for kit in kits_for_maker_by_code(maker=maker, code=normal)]
    return kits[0] if kits else None


def kits_for_maker_by_code(*, maker: Maker, code: str) -> list:
    from packages.models import Kit

    kits = list(
        Kit.objects.filter(
            code=code,
            hub_id=maker.hub_id,
            assignments__maker=maker,
            assignments__ended_at__isnull=True,
        )
        .select_related("collection_point", "pattern")
        .prefetch_related(
            Prefetch(
                "return_plans",
                queryset=ReturnPlan.objects.filter(status=ReturnPlan.Status.OPEN).select_related(
                    "point"
                ),
                to_attr="open_plans",
            ),
            Prefetch(
                "problems",
                queryset=KitProblem.objects.order_by("-created_at"),
                to_attr="all_problems",
            ),
        )
    )
    _fill_patterns(kits, hub_id=maker.hub_id)
    for kit in kits:
        kit.open_plan = kit.open_plans[0] if kit.open_plans else None
    kits_whereabouts(kits, maker=maker)
    return kits


@dataclass(frozen=True)
class Whereabouts:
    """Where a kit given to a maker really is before she has it, read from the runs that
    carry kits out: the hub chose a point for it, but it is there only once a driver has
    left it there."""

    where: str  # "At the hub; at Stobswell pharmacy from Friday 6 June"
    next_step: str  # what she should do, in one sentence
    ready: bool = False  # at its point now: she can go and collect it


def _on_day(day: date, today: date) -> str:
    """ "today", "tomorrow" or "on Friday 6 June", to follow a verb."""
    if day <= today:
        return _("today")
    if day == today + timedelta(days=1):
        return _("tomorrow")
    return _("on %(day)s") % {"day": date_format(day, "l j F")}


def _from_day(day: date, today: date) -> str:
    """ "from today", "from tomorrow" or "from Friday 6 June"."""
    if day <= today:
        return _("from today")
    if day == today + timedelta(days=1):
        return _("from tomorrow")
    return _("from %(day)s") % {"day": date_format(day, "l j F")}


def kits_whereabouts(kits: list, *, maker: Maker) -> None:
    """Set `whereabouts` on each of the maker's kits waiting to reach her (status
    allocated), from the runs carrying them: one query for all of them."""
    from dropoffs.models import Run, RunStop, RunStopKit
    from packages.models import Kit

    waiting = [kit for kit in kits if kit.status == Kit.Status.ALLOCATED]
    if not waiting:
        return
    drops: dict[int, list[RunStopKit]] = {}
    for drop in (
        RunStopKit.objects.filter(kit__in=waiting)
        .exclude(stop__run__status=Run.Status.CANCELLED)
        .select_related("stop__run")
        .order_by("stop__run__day", "pk")
    ):
        drops.setdefault(drop.kit_id, []).append(drop)
    today = maker.hub.today()
    for kit in waiting:
        point = kit.collection_point if kit.collection_point_id else None
        carried = drops.get(kit.pk, [])
        # A stop of this kit's point (or of her door) that its driver has still to visit.
        coming = [
            d
            for d in carried
            if d.dropped_at is None
            and d.stop.status == RunStop.Status.TO_VISIT
            and d.stop.run.is_open
            and (d.stop.point_id == point.pk if point else d.stop.maker_id == maker.pk)
        ]
        left_at_point = point is not None and any(
            d.dropped_at is not None and d.stop.point_id == point.pk for d in carried
        )
        if left_at_point:
            kit.whereabouts = Whereabouts(
                where=_("At %(point)s, ready for you to collect") % {"point": point.name},
                next_step=_("Collect it from %(point)s.") % {"point": point.name},
                ready=True,
            )
        elif point is not None and coming:
            day = coming[0].stop.run.day
            words = {"point": point.name, "from": _from_day(day, today)}
            kit.whereabouts = Whereabouts(
                where=_("At the hub; at %(point)s %(from)s") % words,
                next_step=_(
                    "It is still at the hub. Collect it from %(point)s %(from)s, once a "
                    "driver has taken it there."
                )
                % words,
            )
        elif point is not None:
            kit.whereabouts = Whereabouts(
                where=_("At the hub; it goes to %(point)s on a driver's run")
                % {"point": point.name},
                next_step=_("It is still at the hub. This page will say when it is at %(point)s.")
                % {"point": point.name},
            )
        elif coming:
            on = _on_day(coming[0].stop.run.day, today)
            kit.whereabouts = Whereabouts(
                where=_("At the hub; a driver brings it to your door %(on)s") % {"on": on},
                next_step=_("A driver will bring it to your door %(on)s.") % {"on": on},
            )
        else:
            kit.whereabouts = Whereabouts(
                where=_("At the hub"),
                next_step=_("The hub will tell you where and when to collect it."),
            )


def kit_next_step(kit) -> str:
    """What the maker should do next with a kit, in one sentence. A kit not yet with her
    needs `whereabouts` (kits_whereabouts)."""
    from packages.models import Kit

    plan = getattr(kit, "open_plan", None)
    if kit.status == Kit.Status.ALLOCATED:
        return kit.whereabouts.next_step
    if kit.status != Kit.Status.WITH_MAKER:
        return _("Nothing to do: this kit is finished with. Thank you!")
    if kit.qty_with_maker == 0:
        return _("Thank you! Your scrubs are on their way to be checked.")
    if plan is not None:
        where = plan.point.name if plan.point_id else _("your door")
        return _("Bring it to %(where)s on %(day)s.") % {
            "where": where,
            "day": date_format(plan.day, "l j F"),
        }
    if kit.finished_count >= kit.garment_count:
        return _("All sewn! Tell us where and when you will bring them back.")
    if kit.finished_count == 0:
        return _("Start sewing. Tell us each time you finish one.")
    return _("Keep going: you have finished %(done)s of %(all)s.") % {
        "done": kit.finished_count,
        "all": kit.garment_count,
    }


@dataclass(frozen=True)
class HubProgress:
    """How far the hub has come towards what its hospitals asked for, in sets."""

    sets_needed: int
    sets_delivered: int
    sets_made: int
    makers: int
    makers_more: bool = False  # more makers than `makers`, which is then the count's cap

    @property
    def percent(self) -> int:
        if not self.sets_needed:
            return 0
        return min(100, round(100 * self.sets_delivered / self.sets_needed))


def hub_progress(*, hub) -> HubProgress:
    """Sets the laundry confirmed receiving of sets asked for, sets made, and makers who
    have had a kit: five queries whatever the size of the hub. Erased makers still count
    (their work stays)."""
    from packages.models import DemandLine, GarmentType, sets
    from packages.selectors import delivered_figures, hub_figures

    asked: dict[str, dict[str, int]] = {}
    for row in (
        DemandLine.objects.filter(hospital__hubs=hub)
        .exclude(status=DemandLine.Status.WITHDRAWN)
        .values("size", "garment_type")
        .annotate(total=Sum("quantity"))
    ):
        asked.setdefault(row["size"], {})[row["garment_type"]] = row["total"]
    needed = sum(
        sets(per.get(GarmentType.TOP, 0), per.get(GarmentType.TROUSERS, 0))
        for per in asked.values()
    )
    figures = hub_figures(hub=hub)
    # The same figure as the dashboard's and the summaries': what the laundry confirmed.
    delivered = delivered_figures(hub=hub).sets_received
    made = sum(
        sets(
            sum(row.tops[p] for p in HANDED_IN_PLACES),
            sum(row.trousers[p] for p in HANDED_IN_PLACES),
        )
        for row in figures
    )
    # Makers who have had a kit: "active" means exactly that, and paused or standby makers
    # kept their history. An indexed count by status, stopping at the cap.
    makers = count_up_to(
        Maker.objects.filter(
            hub=hub, status__in=[Maker.Status.ACTIVE, Maker.Status.PAUSED, Maker.Status.STANDBY]
        ),
        FIGURE_COUNT_CAP,
    )
    return HubProgress(
        sets_needed=needed,
        sets_delivered=delivered,
        sets_made=made,
        makers=makers.value,
        makers_more=makers.more,
    )


@dataclass(frozen=True)
class MakerImpact:
    kits: int
    garments_made: int
    garments_delivered: int


def maker_impact(*, maker: Maker) -> MakerImpact:
    """What one maker's kits became, in one query: garments made (the larger of what they
    said was finished and what they handed in) and garments that reached the hospital."""
    from packages.models import Kit, KitAssignment

    handed_in = sum((F(f"qty_{p}") for p in HANDED_IN_PLACES), Value(0))
    row = Kit.objects.filter(
        pk__in=KitAssignment.objects.filter(maker=maker).values("kit_id")
    ).aggregate(
        kits=Count("pk"),
        made=Sum(Greatest(F("finished_count"), handed_in + F("qty_rework"))),
        delivered=Sum("qty_delivered"),
    )
    return MakerImpact(
        kits=row["kits"] or 0,
        garments_made=row["made"] or 0,
        garments_delivered=row["delivered"] or 0,
    )


@dataclass(frozen=True)
class Agreements:
    """What a maker agreed to (current and withdrawn, oldest first), and whether the weekly
    summary email is on (None when we have no email for them, so none is sent)."""

    consents: list
    weekly_email: bool | None


def agreements_for_maker(*, maker: Maker) -> Agreements:
    from scrubhub.notifications.services import WEEKLY_SUMMARY, has_opted_out

    weekly = None
    if maker.email:
        weekly = not has_opted_out(address=maker.email, kind=WEEKLY_SUMMARY)
    return Agreements(consents=list(maker.consents.order_by("given_at", "pk")), weekly_email=weekly)


def hubs_to_join(*, query: str = "") -> QuerySet:
    """Hubs taking volunteers, by name or area (a hub waiting to be approved takes none)."""
    from scrubhub.hubs.models import Hub

    hubs = Hub.objects.filter(
        is_active=True, stand_down_on__isnull=True, approval=Hub.Approval.APPROVED
    ).order_by("name")
    query = query.strip()
    if query:
        hubs = hubs.filter(Q(name__icontains=query) | Q(area__icontains=query))
    return hubs


def points_for_makers(*, hub, returns: bool = False) -> QuerySet:
    """The hub's open points a maker may choose: for collecting kits, or for returning."""
    from dropoffs.models import Point

    points = Point.objects.filter(hub=hub, status=Point.Status.ACTIVE)
    if returns:
        # The return form offers each point's open days (dropoffs.selectors.open_on).
        points = points.filter(accepts_finished_garments=True)
        points = points.select_related("hub").prefetch_related("hours")
    return points.order_by("name")


def group_kits(*, group: MakerGroup) -> QuerySet:
    """A group's kits, current and past, newest first."""
    from packages.models import Kit

    return (
        Kit.objects.filter(assignments__group=group)
        .distinct()
        .select_related("collection_point")
        .order_by("-created_at", "-pk")
    )


def group_output(*, group: MakerGroup) -> MakerImpact:
    from packages.models import Kit, KitAssignment

    handed_in = sum((F(f"qty_{p}") for p in HANDED_IN_PLACES), Value(0))
    row = Kit.objects.filter(
        pk__in=KitAssignment.objects.filter(group=group).values("kit_id")
    ).aggregate(
        kits=Count("pk"),
        made=Sum(Greatest(F("finished_count"), handed_in + F("qty_rework"))),
        delivered=Sum("qty_delivered"),
    )
    return MakerImpact(
        kits=row["kits"] or 0,
        garments_made=row["made"] or 0,
        garments_delivered=row["delivered"] or 0,
    )


# --- Retention: who the nightly erasure will reach (issue 21) ----------------------------------

# Makers who chose standby keep their details so the hub can invite them back.
KEPT_AT_ERASURE = (Maker.Status.STANDBY, Maker.Status.ERASED)


def makers_to_erase(*, hub) -> QuerySet[Maker]:
    """The hub's makers whose details go when its retention period ends."""
    return Maker.objects.filter(hub=hub).exclude(status__in=KEPT_AT_ERASURE)


@dataclass(frozen=True)
class ErasurePreview:
    erase_on: date
    people: CappedCount  # capped: a national hub's count must not read every maker


def erasure_preview(
    *, hub, stand_down_on: date | None = None, now: datetime | None = None
) -> ErasurePreview | None:
    """Who would be erased, and on which night, for the hub's stand-down date or a new one
    (which starts the week's wait again). None when there is no date or nobody to erase."""
    now = now or timezone.now()
    erase_on = hub.erasure_on(stand_down_on)
    if erase_on is None:
        return None
    changed_at = now if stand_down_on else hub.erasure_dates_changed_at
    if changed_at is not None:
        # The nightly run after the week is up: the first night it is not still waiting.
        wait_over = hub.today(changed_at + ERASURE_WAIT_AFTER_CHANGE) + timedelta(days=1)
        erase_on = max(erase_on, wait_over)
    erase_on = max(erase_on, hub.today(now))
    people = count_up_to(makers_to_erase(hub=hub), FIGURE_COUNT_CAP)
    if not people.value:
        return None
    return ErasurePreview(erase_on=erase_on, people=people)


def erasure_warning(preview: ErasurePreview) -> str:
    """What a coordinator reads before and after choosing a stand-down date."""
    when = date_format(preview.erase_on, "j F Y")
    if preview.people.more:
        return _("More than %(count)s people will have their details erased on %(date)s.") % {
            "count": f"{preview.people.value:,}",
            "date": when,
        }
    return ngettext(
        "%(count)s person will have their details erased on %(date)s.",
        "%(count)s people will have their details erased on %(date)s.",
        preview.people.value,
    ) % {"count": f"{preview.people.value:,}", "date": when}
