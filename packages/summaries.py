"""Weekly summaries: hub staff, laundry staff, every active maker and the leader of every
active group (for their group), once a week each.

The hourly beat tick sends a hub's summaries when that hub's chosen weekday and hour come
round in its own time zone. Every message's idempotency key names the week, so running a
tick twice, or two ticks at once, sends nothing more. Makers are read in batches with one
aggregate query per batch, so a 70,000-maker hub runs in bounded memory.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from makers.models import KitProblem, Maker, MakerEvent, MakerGroup
from makers.selectors import HANDED_IN_PLACES
from packages.models import (
    Delivery,
    DeliveryLine,
    DemandLine,
    GarmentMovement,
    Kit,
    KitAssignment,
    KitEvent,
    Place,
    PrecutStock,
    Size,
    garment_size_key,
    garment_size_order,
)
from packages.planning import plan_for_hub, plan_sets
from packages.selectors import (
    DeliveredFigures,
    delivered_figures,
    points_holding_garments,
    wash_failures_for_hub,
)
from scrubhub.hubs.models import STAFF_ROLES, Hospital, Hub, Membership, Role
from scrubhub.notifications.contacts import group_leader_contact
from scrubhub.notifications.models import HubMessageSettings
from scrubhub.notifications.services import (
    WEEKLY_SUMMARY,
    WEEKLY_SUMMARY_GROUP,
    messages_queue_bulk,
    opted_out_addresses,
    person_message,
    person_notify,
)

MAKER_BATCH = 1000
GARMENTS_PER_KIT = 5
RETURNED_FROM = [Place.WITH_MAKER, Place.REWORK]
RETURNED_TO = [Place.AT_POINT, Place.IN_TRANSIT, Place.AWAITING_CHECK]


def week_of(moment: datetime, tz: zoneinfo.ZoneInfo) -> tuple[date, datetime, datetime]:
    """The ISO week before `moment` (in the hub's zone): its Monday and [start, end)."""
    local = moment.astimezone(tz)
    this_monday = (local - timedelta(days=local.weekday())).date()
    start_day = this_monday - timedelta(days=7)
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=tz)
    return start_day, start, start + timedelta(days=7)


def hubs_due(*, now: datetime) -> list[Hub]:
    """Hubs whose summary weekday and hour is now, in each hub's own time zone."""
    due = []
    settings_by_hub = {s.hub_id: s for s in HubMessageSettings.objects.all()}
    for hub in Hub.objects.filter(is_active=True):
        chosen = settings_by_hub.get(hub.pk) or HubMessageSettings(hub=hub)
        local = now.astimezone(zoneinfo.ZoneInfo(hub.timezone))
        if (
            chosen.summaries_enabled
            and local.weekday() == chosen.summary_weekday
            and local.hour == chosen.summary_hour
        ):
            due.append(hub)
    return due


@dataclass
class HubWeek:
    returned: int
    passed: int
    delivered: int  # garments, as sent, in deliveries the laundry confirmed that week
    in_all: DeliveredFigures  # everything the hub has delivered (the dashboard's figures)
    # For the requests still open (the plan's figures, as on the dashboard).
    sets_received_for_open_requests: int
    sets_needed: int
    remaining_by_size: list[tuple[str, int, int]]  # size, tops still needed, trousers
    overdue_kits: int
    kits_stock_makes: list[tuple[str, str, int]]  # garment type label, size, kits
    makers_joined: int
    makers_approved: int
    points_holding: list[tuple[str, int]]
    problems_open: int
    discrepancies: list[Delivery]
    # Reported by the laundry that week: how many reports, and the first WEEK_LIST_MAX.
    wash_failures_count: int = 0
    wash_failures: list = field(default_factory=list)

    @property
    def wash_failures_more(self) -> int:
        return self.wash_failures_count - len(self.wash_failures)


def _moved_in_week(hub: Hub, start: datetime, end: datetime, **where) -> int:
    total = GarmentMovement.objects.filter(
        kit__hub=hub, created_at__gte=start, created_at__lt=end, **where
    ).aggregate(n=Sum("count"))["n"]
    return total or 0


def _open_demand(hospitals) -> dict[tuple[str, str], int]:
    rows = (
        DemandLine.objects.filter(hospital__in=hospitals, status=DemandLine.Status.OPEN)
        .values("garment_type", "size")
        .annotate(quantity=Sum("quantity"))
    )
    return {(row["garment_type"], row["size"]): row["quantity"] for row in rows}


def hub_week(*, hub: Hub, start: datetime, end: datetime, now: datetime) -> HubWeek:
    # What is still needed is the plan's arithmetic, so the summary says what the
    # dashboard says: open requests less what the laundry received against them.
    plan = plan_for_hub(hub=hub, today=timezone.localdate(now))
    by_pair = {(line.garment_type, line.size): line for line in plan}
    remaining = []
    for size in Size.values:
        tops, trousers = (
            max(0, line.needed - line.delivered) if line else 0
            for line in (by_pair.get(("top", size)), by_pair.get(("trousers", size)))
        )
        if tops or trousers:
            remaining.append((size, tops, trousers))
    overdue_before = now - timedelta(days=hub.overdue_after_days)
    overdue = (
        Kit.objects.filter(hub=hub, status=Kit.Status.WITH_MAKER, qty_with_maker__gt=0)
        .filter(
            ~Exists(
                KitEvent.objects.filter(
                    kit=OuterRef("pk"),
                    new_status=Kit.Status.WITH_MAKER,
                    created_at__gte=overdue_before,
                )
            )
        )
        .count()
    )
    stock = (
        PrecutStock.objects.filter(hub=hub, quantity_available__gte=GARMENTS_PER_KIT)
        .values("garment_type", "size")
        .annotate(available=Sum("quantity_available"))
        .order_by(*garment_size_order())
    )
    labels = dict(Kit._meta.get_field("garment_type").choices)
    problems_open = KitProblem.objects.filter(maker__hub=hub, status=KitProblem.Status.OPEN).count()
    week = Q(created_at__gte=start, created_at__lt=end)
    return HubWeek(
        returned=_moved_in_week(
            hub, start, end, from_place__in=RETURNED_FROM, to_place__in=RETURNED_TO
        ),
        passed=_moved_in_week(hub, start, end, to_place=Place.PASSED),
        delivered=_moved_in_week(hub, start, end, to_place=Place.DELIVERED),
        in_all=delivered_figures(hub=hub),
        sets_received_for_open_requests=plan_sets(plan, "delivered"),
        sets_needed=plan_sets(plan, "needed"),
        remaining_by_size=remaining,
        overdue_kits=overdue,
        kits_stock_makes=[
            (labels[row["garment_type"]], row["size"], row["available"] // GARMENTS_PER_KIT)
            for row in stock
        ],
        makers_joined=Maker.objects.filter(week, hub=hub).count(),
        makers_approved=MakerEvent.objects.filter(
            week, maker__hub=hub, new_status=Maker.Status.APPROVED
        ).count(),
        points_holding=[
            (point.name, point.garments_held) for point in points_holding_garments(hub=hub)
        ],
        problems_open=problems_open,
        discrepancies=list(
            Delivery.objects.filter(hub=hub, received_at__gte=start, received_at__lt=end)
            .exclude(discrepancy_note="")
            .select_related("hospital")
        ),
        **_wash_failures_in_week(hub, start, end),
    )


WEEK_LIST_MAX = 20


def _wash_failures_in_week(hub: Hub, start: datetime, end: datetime) -> dict:
    reported = wash_failures_for_hub(hub=hub).filter(reported_at__gte=start, reported_at__lt=end)
    return {
        "wash_failures_count": reported.count(),
        "wash_failures": list(reported.order_by("reported_at", "pk")[:WEEK_LIST_MAX]),
    }


def _queued(message) -> int:
    """1 when this call put a new message in the outbox, 0 when it was already there."""
    return int(bool(message is not None and message.newly_queued))


def _staff_summaries(hub: Hub, week_key: str, context: dict) -> int:
    staff = (
        Membership.objects.filter(hub=hub, role__in=STAFF_ROLES)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )
    sent, seen = 0, set()
    for membership in staff:
        user = membership.user
        if user.pk in seen:
            continue
        seen.add(user.pk)
        sent += _queued(
            person_notify(
                hub=hub,
                kind="weekly_summary_staff",
                idempotency_key=f"summary:{week_key}:staff:{hub.pk}:{user.pk}",
                context={**context, "name": user.get_full_name() or user.username},
                email=user.email,
                recipient=user,
            )
        )
    return sent


def _laundry_summaries(hub: Hub, week_key: str, start, end) -> int:
    sent = 0
    for hospital in Hospital.objects.filter(hubs=hub):
        delivered = (
            DeliveryLine.objects.filter(
                delivery__hospital=hospital,
                delivery__hub=hub,
                delivery__received_at__gte=start,
                delivery__received_at__lt=end,
            ).aggregate(n=Sum("count_received"))["n"]
            or 0
        )
        on_the_way = (
            DeliveryLine.objects.filter(
                delivery__hospital=hospital, delivery__hub=hub, delivery__status="sent"
            ).aggregate(n=Sum("count_sent"))["n"]
            or 0
        )
        demand = _open_demand([hospital])
        context = {
            "hospital": hospital,
            "delivered": delivered,
            "on_the_way": on_the_way,
            "in_all": delivered_figures(hub=hub, hospital=hospital),
            "demand": sorted(demand.items(), key=lambda item: garment_size_key(*item[0])),
        }
        laundry = Membership.objects.filter(hospital=hospital, role=Role.LAUNDRY).exclude(
            user__email=""
        )
        for membership in laundry.select_related("user"):
            user = membership.user
            sent += _queued(
                person_notify(
                    hub=hub,
                    kind="weekly_summary_laundry",
                    idempotency_key=f"summary:{week_key}:laundry:{hub.pk}:{user.pk}",
                    context={**context, "name": user.get_full_name() or user.username},
                    email=user.email,
                    recipient=user,
                )
            )
    return sent


def _maker_totals(maker_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{maker_id: (garments made, garments delivered)} for one batch, in one query.

    A kit's garments count for the maker who held it last (reallocated kits move on)."""
    latest = KitAssignment.objects.filter(maker_id__in=maker_ids).exclude(
        Exists(KitAssignment.objects.filter(kit=OuterRef("kit"), pk__gt=OuterRef("pk")))
    )
    rows = latest.values("maker_id").annotate(
        made=Sum(F("kit__qty_passed") + F("kit__qty_reserved") + F("kit__qty_delivered")),
        delivered=Sum("kit__qty_delivered"),
    )
    return {row["maker_id"]: (row["made"] or 0, row["delivered"] or 0) for row in rows}


def _maker_summaries(hub: Hub, week_key: str, context: dict) -> int:
    makers = (
        Maker.objects.filter(hub=hub, status=Maker.Status.ACTIVE)
        .exclude(email="")
        .only("pk", "name", "email", "user_id", "hub_id")
        .order_by("pk")
    )
    queued, last_pk = 0, 0
    while True:
        # Keyset pagination and a fixed handful of queries per batch keep memory and
        # database work flat however many makers a hub has.
        batch = list(makers.filter(pk__gt=last_pk)[:MAKER_BATCH])
        if not batch:
            return queued
        last_pk = batch[-1].pk
        totals = _maker_totals([maker.pk for maker in batch])
        stopped = opted_out_addresses(
            addresses=[maker.email for maker in batch], kind=WEEKLY_SUMMARY
        )
        rows = []
        for maker in batch:
            made, delivered = totals.get(maker.pk, (0, 0))
            row = person_message(
                hub=hub,
                kind=WEEKLY_SUMMARY,
                idempotency_key=f"summary:{week_key}:maker:{maker.pk}",
                context={**context, "name": maker.name, "made": made, "delivered": delivered},
                email=maker.email,
                # Summaries go by email only: a text a week would cost the hub money.
                preferred_channel="email",
                recipient_id=maker.user_id,
                opted_out=stopped,
            )
            if row is not None:
                rows.append(row)
        queued += messages_queue_bulk(rows)


@dataclass
class GroupWeek:
    handed_in: int = 0  # garments the group handed in that week
    made: int = 0  # in all, as the group's page counts them (makers.selectors.group_output)
    delivered: int = 0
    kits_with_group: int = 0
    kits_waiting: int = 0  # given to the group, not collected yet


def _group_weeks(group_ids: list[int], start: datetime, end: datetime) -> dict[int, GroupWeek]:
    """Each group's week and totals in three queries, however many groups."""
    weeks = {group_id: GroupWeek() for group_id in group_ids}
    handed_in = sum((F(f"kit__qty_{p}") for p in HANDED_IN_PLACES), Value(0))
    # One row per group and kit it ever held (a kit given to it twice counts once).
    kits = (
        KitAssignment.objects.filter(group_id__in=group_ids)
        .values("group_id", "kit_id")
        .annotate(
            made=Greatest(F("kit__finished_count"), handed_in + F("kit__qty_rework")),
            delivered=F("kit__qty_delivered"),
        )
        .distinct()
    )
    for row in kits:
        weeks[row["group_id"]].made += row["made"] or 0
        weeks[row["group_id"]].delivered += row["delivered"] or 0
    holding = (
        KitAssignment.objects.filter(group_id__in=group_ids, ended_at__isnull=True)
        .values("group_id")
        .annotate(
            # A kit stays "with maker" until the hub closes it; once all its garments are
            # handed in the group no longer has it in hand (Kit.status_now).
            with_group=Count(
                "pk",
                filter=Q(kit__status=Kit.Status.WITH_MAKER)
                & (Q(kit__qty_with_maker__gt=0) | Q(kit__qty_rework__gt=0)),
            ),
            waiting=Count("pk", filter=Q(kit__status=Kit.Status.ALLOCATED)),
        )
    )
    for row in holding:
        weeks[row["group_id"]].kits_with_group = row["with_group"]
        weeks[row["group_id"]].kits_waiting = row["waiting"]
    # Garments handed in while the group held the kit (one Q: the same assignment row).
    while_held = Q(
        kit__assignments__group_id__in=group_ids,
        kit__assignments__assigned_at__lte=F("created_at"),
    ) & (
        Q(kit__assignments__ended_at__isnull=True)
        | Q(kit__assignments__ended_at__gte=F("created_at"))
    )
    returned = (
        GarmentMovement.objects.filter(
            while_held,
            created_at__gte=start,
            created_at__lt=end,
            from_place__in=RETURNED_FROM,
            to_place__in=RETURNED_TO,
        )
        .values("kit__assignments__group_id")
        .annotate(n=Sum("count"))
    )
    for row in returned:
        weeks[row["kit__assignments__group_id"]].handed_in = row["n"] or 0
    return weeks


def _group_summaries(hub: Hub, week_key: str, context: dict, start, end) -> int:
    """Each active group's leader gets the week for their group, by email like makers (a
    text a week would cost the hub money); one stop link stops it with the makers' one."""
    groups = list(
        MakerGroup.objects.filter(hub=hub, status=MakerGroup.Status.ACTIVE)
        .select_related("leader")
        .order_by("pk")
    )
    contacts = {group.pk: group_leader_contact(group) for group in groups}
    groups = [group for group in groups if contacts[group.pk].email]
    if not groups:
        return 0
    weeks = _group_weeks([group.pk for group in groups], start, end)
    stopped = opted_out_addresses(
        addresses=[contacts[group.pk].email for group in groups], kind=WEEKLY_SUMMARY
    )
    rows = []
    for group in groups:
        contact = contacts[group.pk]
        row = person_message(
            hub=hub,
            kind=WEEKLY_SUMMARY_GROUP,
            idempotency_key=f"summary:{week_key}:group:{group.pk}",
            context={**context, "name": contact.name, "group": group, "mine": weeks[group.pk]},
            email=contact.email,
            preferred_channel="email",
            recipient_id=group.leader_id,
            opted_out=stopped,
        )
        if row is not None:
            rows.append(row)
    return messages_queue_bulk(rows)


def weekly_summaries_send(*, hub: Hub, now: datetime | None = None) -> int:
    """Sends one hub's summaries for the week before `now`; returns messages queued."""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(hub.timezone)
    monday, start, end = week_of(now, tz)
    week_key = monday.isoformat()
    week = hub_week(hub=hub, start=start, end=end, now=now)
    makers_total = Maker.objects.filter(
        hub=hub, status__in=[Maker.Status.ACTIVE, Maker.Status.PAUSED, Maker.Status.STANDBY]
    ).count()
    context = {"week": week, "week_start": monday, "makers_total": makers_total}
    return (
        _staff_summaries(hub, week_key, context)
        + _laundry_summaries(hub, week_key, start, end)
        + _maker_summaries(hub, week_key, context)
        + _group_summaries(hub, week_key, context, start, end)
    )


def due_summaries_send(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(weekly_summaries_send(hub=hub, now=now) for hub in hubs_due(now=now))
