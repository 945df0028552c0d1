"""Reminders to makers, each at most once: a gentle nudge when a kit has been with them past
the hub's limit, one more a week later, the day before a return or doorstep visit they
planned, and never more than one reminder message a day per maker."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from makers.models import Maker
from packages.models import Kit, KitAssignment
from scrubhub.notifications.models import KitReminder, Message
from scrubhub.notifications.services import person_notify

SECOND_NUDGE_AFTER = timedelta(days=7)


def overdue_kits_due(*, now: datetime) -> dict[int, list[tuple[Kit, int]]]:
    """Kits with a maker past their hub's limit whose next nudge has not gone, grouped by
    the maker holding them: {maker_id: [(kit, stage), ...]}."""
    open_maker = Subquery(
        KitAssignment.objects.filter(kit=OuterRef("pk"), ended_at__isnull=True).values("maker_id")[
            :1
        ]
    )
    kits = (
        Kit.objects.filter(status=Kit.Status.WITH_MAKER, qty_with_maker__gt=0, hub__is_active=True)
        .annotate(holder_id=open_maker)
        .filter(holder_id__isnull=False)
        .select_related("hub")
        .prefetch_related("reminders")
        .order_by("pk")
    )
    due: dict[int, list[tuple[Kit, int]]] = defaultdict(list)
    for kit in kits.iterator(chunk_size=2000):
        if kit.collected_at is None:
            continue
        first_at = kit.collected_at + timedelta(days=kit.hub.overdue_after_days)
        sent = {reminder.stage for reminder in kit.reminders.all()}
        if KitReminder.Stage.FIRST_NUDGE not in sent and now >= first_at:
            due[kit.holder_id].append((kit, KitReminder.Stage.FIRST_NUDGE))
        elif (
            KitReminder.Stage.FIRST_NUDGE in sent
            and KitReminder.Stage.SECOND_NUDGE not in sent
            and now >= first_at + SECOND_NUDGE_AFTER
        ):
            due[kit.holder_id].append((kit, KitReminder.Stage.SECOND_NUDGE))
    return due


@dataclass
class MakerReminder:
    overdue: list[tuple[Kit, int]] = field(default_factory=list)
    plans: list = field(default_factory=list)  # makers.ReturnPlan due tomorrow
    visits: list = field(default_factory=list)  # dropoffs.RunStop on their doorstep tomorrow


def _tomorrows_plans_and_visits(tomorrow: date) -> dict[int, MakerReminder]:
    from dropoffs.models import Run, RunStop
    from makers.models import ReturnPlan

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
    hub's limit, and a return, collection or doorstep visit planned for tomorrow. Safe to run
    twice or twice at once: the message's key names the day, and each kit nudge is a unique
    row."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = _tomorrows_plans_and_visits(today + timedelta(days=1))
    for maker_id, kits in overdue_kits_due(now=now).items():
        due[maker_id].overdue = kits
    makers = Maker.objects.select_related("hub", "user").in_bulk(list(due))
    queued = 0
    for maker_id, reminder in due.items():
        maker = makers[maker_id]
        if maker.status in {Maker.Status.ERASED, Maker.Status.WITHDRAWN, Maker.Status.DECLINED}:
            continue
        queued += _remind_maker(maker=maker, reminder=reminder, today=today)
    return queued


class _NothingToSend(Exception):
    pass


def _remind_maker(*, maker: Maker, reminder: MakerReminder, today: date) -> int:
    key = f"reminder:{maker.pk}:{today.isoformat()}"
    try:
        with transaction.atomic():
            if Message.objects.filter(idempotency_key=key).exists():
                # Already reminded today: overdue kits wait for tomorrow's message.
                raise _NothingToSend
            # Claim the nudges first: a second run (or a second beat tick at the same time)
            # hits these unique rows and rolls back without sending.
            claims = [
                KitReminder.objects.create(kit=kit, stage=stage) for kit, stage in reminder.overdue
            ]
            message = person_notify(
                hub=maker.hub,
                kind="reminder",
                idempotency_key=key,
                context={
                    "name": maker.name,
                    "overdue": [kit for kit, _ in reminder.overdue],
                    "second": any(
                        stage == KitReminder.Stage.SECOND_NUDGE for _, stage in reminder.overdue
                    ),
                    "plans": reminder.plans,
                    "visits": reminder.visits,
                },
                email=maker.email,
                phone=maker.phone,
                preferred_channel=maker.preferred_channel,
                recipient=maker.user,
            )
            if message is None:
                raise _NothingToSend
            KitReminder.objects.filter(pk__in=[c.pk for c in claims]).update(message=message)
    except (IntegrityError, _NothingToSend):
        return 0
    return 1
