"""Reminders to makers and groups, each at most once: a gentle nudge when a kit has been
with them past the hub's limit, one more a week later, the day before a return or doorstep
visit a maker planned, and never more than one reminder message a day per maker or group.
A group's reminder goes to its leader."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from dropoffs.models import Run, RunStop
from makers.models import Maker, MakerGroup, ReturnPlan
from packages.models import Kit, KitAssignment
from scrubhub.notifications.contacts import Contact, group_leader_contact
from scrubhub.notifications.models import KitReminder, Message
from scrubhub.notifications.services import messages_queue_bulk, person_message

SECOND_NUDGE_AFTER = timedelta(days=7)


@dataclass
class OverdueKits:
    """Kits past their hub's limit whose next nudge has not gone, by who holds them:
    {maker_id: [(kit, stage), ...]} and {group_id: [(kit, stage), ...]}."""

    makers: dict[int, list[tuple[Kit, int]]] = field(default_factory=lambda: defaultdict(list))
    groups: dict[int, list[tuple[Kit, int]]] = field(default_factory=lambda: defaultdict(list))


def overdue_kits_due(*, now: datetime) -> OverdueKits:
    """One pass over the kits with a maker or group, whatever the number of holders."""
    open_assignment = KitAssignment.objects.filter(kit=OuterRef("pk"), ended_at__isnull=True)
    kits = (
        Kit.objects.filter(status=Kit.Status.WITH_MAKER, qty_with_maker__gt=0, hub__is_active=True)
        .annotate(
            maker_holder_id=Subquery(open_assignment.values("maker_id")[:1]),
            group_holder_id=Subquery(open_assignment.values("group_id")[:1]),
        )
        .filter(collected_at__isnull=False)
        .select_related("hub")
        .prefetch_related("reminders")
        .order_by("pk")
    )
    due = OverdueKits()
    for kit in kits.iterator(chunk_size=2000):
        if kit.maker_holder_id is not None:
            holders = due.makers[kit.maker_holder_id]
        elif kit.group_holder_id is not None:
            holders = due.groups[kit.group_holder_id]
        else:
            continue
        first_at = kit.collected_at + timedelta(days=kit.hub.overdue_after_days)
        sent = {reminder.stage for reminder in kit.reminders.all()}
        if KitReminder.Stage.FIRST_NUDGE not in sent and now >= first_at:
            holders.append((kit, KitReminder.Stage.FIRST_NUDGE))
        elif (
            KitReminder.Stage.FIRST_NUDGE in sent
            and KitReminder.Stage.SECOND_NUDGE not in sent
            and now >= first_at + SECOND_NUDGE_AFTER
        ):
            holders.append((kit, KitReminder.Stage.SECOND_NUDGE))
    due.makers = {holder: kits for holder, kits in due.makers.items() if kits}
    due.groups = {holder: kits for holder, kits in due.groups.items() if kits}
    return due


@dataclass
class MakerReminder:
    overdue: list[tuple[Kit, int]] = field(default_factory=list)
    plans: list = field(default_factory=list)  # makers.ReturnPlan due tomorrow
    visits: list = field(default_factory=list)  # dropoffs.RunStop on their doorstep tomorrow


def _tomorrows_plans_and_visits(tomorrow: date) -> dict[int, MakerReminder]:
    due: dict[int, MakerReminder] = defaultdict(MakerReminder)
    plans = ReturnPlan.objects.filter(status=ReturnPlan.Status.OPEN, day=tomorrow).select_related(
        "kit", "point"
    )
    for plan in plans:
        due[plan.maker_id].plans.append(plan)
    visits = RunStop.objects.filter(
        maker__isnull=False,
        status=RunStop.Status.TO_VISIT,
        run__day=tomorrow,
        run__status=Run.Status.PLANNED,
    ).select_related("run")
    for stop in visits:
        due[stop.maker_id].visits.append(stop)
    return due


def reminders_send(*, now: datetime | None = None) -> int:
    """Sends today's reminders; returns how many messages were queued.

    Each maker gets at most one reminder message a day, listing everything: kits past the
    hub's limit, and a return, collection or doorstep visit planned for tomorrow. Each
    active group with kits past the limit reminds its leader, once a day for the whole
    group. Safe to run twice or twice at once: the message's key names the day, and each
    kit nudge is a unique row. A fixed number of queries however many makers and groups."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = _tomorrows_plans_and_visits(today + timedelta(days=1))
    overdue = overdue_kits_due(now=now)
    for maker_id, kits in overdue.makers.items():
        due[maker_id].overdue = kits
    makers = Maker.objects.select_related("hub", "user").in_bulk(list(due))
    reminders = []
    for maker_id, reminder in due.items():
        maker = makers[maker_id]
        if maker.status in {Maker.Status.ERASED, Maker.Status.WITHDRAWN, Maker.Status.DECLINED}:
            continue
        reminders.append(
            _Reminder(
                hub=maker.hub,
                kind="reminder",
                key=f"reminder:{maker.pk}:{today.isoformat()}",
                overdue=reminder.overdue,
                context={"name": maker.name, "plans": reminder.plans, "visits": reminder.visits},
                contact=Contact(
                    name=maker.name,
                    email=maker.email,
                    phone=maker.phone,
                    preferred_channel=maker.preferred_channel,
                    recipient=maker.user,
                ),
            )
        )
    # A paused or closed group is left alone: its kits are for the hub to sort out.
    groups = (
        MakerGroup.objects.filter(status=MakerGroup.Status.ACTIVE)
        .select_related("hub", "leader")
        .in_bulk(list(overdue.groups))
    )
    for group_id, kits in overdue.groups.items():
        if group_id not in groups:
            continue
        group = groups[group_id]
        contact = group_leader_contact(group)
        reminders.append(
            _Reminder(
                hub=group.hub,
                kind="reminder_group",
                key=f"reminder:group:{group.pk}:{today.isoformat()}",
                overdue=kits,
                context={"name": contact.name, "group": group},
                contact=contact,
            )
        )
    return _reminders_queue(reminders)


@dataclass
class _Reminder:
    """One maker's or group's message for today, and the kit nudges it carries."""

    hub: object
    kind: str
    key: str
    overdue: list[tuple[Kit, int]]
    context: dict
    contact: Contact


def _reminders_queue(reminders: list[_Reminder]) -> int:
    """Queue today's reminders with their kit nudges claimed, in a fixed number of
    statements; returns how many were queued."""
    if not reminders:
        return 0
    sent_today = set(
        Message.objects.filter(idempotency_key__in=[r.key for r in reminders]).values_list(
            "idempotency_key", flat=True
        )
    )
    rows, claims = [], []
    for reminder in reminders:
        if reminder.key in sent_today:
            continue  # already reminded today: overdue kits wait for tomorrow's message
        row = person_message(
            hub=reminder.hub,
            kind=reminder.kind,
            idempotency_key=reminder.key,
            context={
                **reminder.context,
                "overdue": [kit for kit, _ in reminder.overdue],
                "second": any(
                    stage == KitReminder.Stage.SECOND_NUDGE for _, stage in reminder.overdue
                ),
            },
            recipient_id=getattr(reminder.contact.recipient, "pk", None),
            **reminder.contact.message_fields,
        )
        if row is None:
            continue  # nobody to reach: the nudges stay unclaimed
        rows.append(row)
        claims += [
            (reminder.key, KitReminder(kit=kit, stage=stage)) for kit, stage in reminder.overdue
        ]
    if not rows:
        return 0
    # Kit order, so two runs at once meet on the same first row.
    claims.sort(key=lambda claim: (claim[1].kit_id, claim[1].stage))
    try:
        with transaction.atomic():
            # Claim the nudges first: a second run at the same time waits on these unique
            # rows, then fails here and queues nothing (the first sends every message).
            KitReminder.objects.bulk_create([claim for _, claim in claims])
            queued = messages_queue_bulk(rows)
            if claims:
                ids = dict(
                    Message.objects.filter(
                        idempotency_key__in=[row["idempotency_key"] for row in rows]
                    ).values_list("idempotency_key", "pk")
                )
                for key, claim in claims:
                    claim.message_id = ids.get(key)
                KitReminder.objects.bulk_update([claim for _, claim in claims], ["message"])
    except IntegrityError:
        return 0
    return queued
