"""Reminders to makers, each at most once: a gentle nudge when a kit has been with them past
the hub's limit, one more a week later, and never more than one reminder a day per maker."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from makers.models import Maker
from packages.models import Kit, KitAssignment, KitEvent
from scrubhub.notifications.models import KitReminder, Message
from scrubhub.notifications.services import person_notify

SECOND_NUDGE_AFTER = timedelta(days=7)


def _collected_at():
    return Subquery(
        KitEvent.objects.filter(kit=OuterRef("pk"), new_status=Kit.Status.WITH_MAKER)
        .order_by("-created_at")
        .values("created_at")[:1]
    )


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
        .annotate(collected_at=_collected_at(), holder_id=open_maker)
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


def overdue_reminders_send(*, now: datetime | None = None) -> int:
    """Sends today's overdue-kit reminders; returns how many messages were queued.

    Safe to run twice or twice at once: one message per maker per day (its idempotency key
    names the day) and each kit's nudge is recorded once (a unique row)."""
    now = now or timezone.now()
    queued = 0
    due = overdue_kits_due(now=now)
    makers = Maker.objects.in_bulk(list(due))
    for maker_id, kits in due.items():
        maker = makers[maker_id]
        if maker.status not in {Maker.Status.ACTIVE, Maker.Status.APPROVED, Maker.Status.PAUSED}:
            continue
        queued += _remind_maker(maker=maker, kits=kits, today=timezone.localdate(now))
    return queued


class _NothingToSend(Exception):
    pass


def _remind_maker(*, maker: Maker, kits: list[tuple[Kit, int]], today: date) -> int:
    key = f"reminder:{maker.pk}:{today.isoformat()}"
    try:
        with transaction.atomic():
            if Message.objects.filter(idempotency_key=key).exists():
                # Already reminded today: these kits wait for tomorrow's message.
                raise _NothingToSend
            # Claim the nudges first: a second run (or a second beat tick at the same time)
            # hits these unique rows and rolls back without sending.
            reminders = [KitReminder.objects.create(kit=kit, stage=stage) for kit, stage in kits]
            message = person_notify(
                hub=maker.hub,
                kind="kit_overdue",
                idempotency_key=key,
                context={
                    "name": maker.name,
                    "kits": [kit for kit, _ in kits],
                    "second": any(stage == KitReminder.Stage.SECOND_NUDGE for _, stage in kits),
                },
                email=maker.email,
                phone=maker.phone,
                preferred_channel=maker.preferred_channel,
                recipient=maker.user,
            )
            if message is None:
                raise _NothingToSend
            KitReminder.objects.filter(pk__in=[r.pk for r in reminders]).update(message=message)
    except (IntegrityError, _NothingToSend):
        return 0
    return 1
