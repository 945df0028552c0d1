"""Counters rebuilt from history: makers' and groups' records, and each hub's day tallies.

packages.services keeps each holder's counters (makers.models.HolderRecord) and each
assignment's hand-in facts up to date in the same transaction as the change they count.
This module works them all out again from the kits' history, in a few set-based updates:
the migration that added the counters, the national seed (which writes history in bulk)
and the tests (which prove the live counters equal the history) all use it.

It takes an app registry so the migration can pass its historical models.
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps as global_apps
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

# Garments are handed in when they leave the maker for a point, a driver or the hub.
HANDED_IN_PLACES = ["at_point", "in_transit", "awaiting_check"]
HANDED_IN_FROM = ["with_maker", "rework"]


def day_tally_field(from_place: str, to_place: str) -> str | None:
    """Which day-tally count a movement adds to, if any."""
    if from_place in HANDED_IN_FROM and to_place in HANDED_IN_PLACES:
        return "handed_in"
    if from_place == "awaiting_check" and to_place == "passed":
        return "passed"
    if to_place == "delivered":
        return "delivered"
    return None


def day_tallies_recount(*, apps=global_apps, hub_ids: list[int] | None = None) -> None:
    """Rebuild the hubs' day tallies from the garment movements (in the current time zone's
    days, as the services count them)."""
    HubDayTally = apps.get_model("packages", "HubDayTally")
    GarmentMovement = apps.get_model("packages", "GarmentMovement")
    tallies = HubDayTally.objects.all()
    movements = GarmentMovement.objects.all()
    if hub_ids is not None:
        tallies = tallies.filter(hub_id__in=hub_ids)
        movements = movements.filter(kit__hub_id__in=hub_ids)
    tallies.delete()
    rows = (
        movements.annotate(day=TruncDate("created_at"))
        .values("kit__hub_id", "day", "kit__garment_type", "kit__size")
        .annotate(
            handed_in=Sum(
                "count",
                filter=Q(from_place__in=HANDED_IN_FROM, to_place__in=HANDED_IN_PLACES),
            ),
            passed=Sum("count", filter=Q(from_place="awaiting_check", to_place="passed")),
            delivered=Sum("count", filter=Q(to_place="delivered")),
        )
        .order_by()
    )
    new = [
        HubDayTally(
            hub_id=row["kit__hub_id"],
            day=row["day"],
            garment_type=row["kit__garment_type"],
            size=row["kit__size"],
            handed_in=row["handed_in"] or 0,
            passed=row["passed"] or 0,
            delivered=row["delivered"] or 0,
        )
        for row in rows.iterator(chunk_size=5000)
        if row["handed_in"] or row["passed"] or row["delivered"]
    ]
    HubDayTally.objects.bulk_create(new, batch_size=5000)


HOLDERS = (("makers", "Maker", "maker"), ("makers", "MakerGroup", "group"))

RECORD_FIELDS = (
    "kits_held",
    "last_given_at",
    "kits_handed_in",
    "kits_on_time",
    "garments_passed",
    "garments_failed",
)


def kits_collected_at_recount(*, apps=global_apps, hub_ids: list[int] | None = None) -> None:
    """Each kit's `collected_at`: its latest event saying it went to a holder."""
    Kit = apps.get_model("packages", "Kit")
    KitEvent = apps.get_model("packages", "KitEvent")
    kits = Kit.objects.all() if hub_ids is None else Kit.objects.filter(hub_id__in=hub_ids)
    kits.update(
        collected_at=Subquery(
            KitEvent.objects.filter(kit=OuterRef("pk"), new_status="with_maker")
            .order_by("-created_at", "-pk")
            .values("created_at")[:1],
            output_field=DateTimeField(),
        )
    )


def holder_records_recount(*, apps=global_apps, hub_ids: list[int] | None = None) -> None:
    """Set every assignment's hand-in facts, then every maker's and group's counters, from
    the history (all hubs, or those named)."""
    Hub = apps.get_model("hubs", "Hub")
    hubs = Hub.objects.all() if hub_ids is None else Hub.objects.filter(pk__in=hub_ids)
    for hub_id, overdue_days in hubs.values_list("pk", "overdue_after_days"):
        _assignments_recount(apps=apps, hub_id=hub_id, limit=timedelta(days=overdue_days))
        for app_label, model_name, field in HOLDERS:
            _holders_recount(
                apps=apps, model=apps.get_model(app_label, model_name), field=field, hub_id=hub_id
            )


def _assignments_recount(*, apps, hub_id: int, limit: timedelta) -> None:
    KitAssignment = apps.get_model("packages", "KitAssignment")
    GarmentMovement = apps.get_model("packages", "GarmentMovement")
    KitEvent = apps.get_model("packages", "KitEvent")
    hand_ins = GarmentMovement.objects.filter(
        kit=OuterRef("kit_id"),
        from_place="with_maker",
        to_place__in=HANDED_IN_PLACES,
        created_at__gte=OuterRef("assigned_at"),
    ).order_by("created_at", "pk")
    assignments = KitAssignment.objects.filter(kit__hub_id=hub_id)
    # The first hand-in while the assignment was open (two updates: open and ended ones).
    assignments.filter(ended_at__isnull=True).update(
        handed_in_at=Subquery(hand_ins.values("created_at")[:1])
    )
    assignments.filter(ended_at__isnull=False).update(
        handed_in_at=Subquery(
            hand_ins.filter(created_at__lte=OuterRef("ended_at")).values("created_at")[:1]
        )
    )
    # The clock starts when they collected the kit (or were given one already collected).
    collected = (
        KitEvent.objects.filter(
            kit=OuterRef("kit_id"), new_status="with_maker", created_at__gte=OuterRef("assigned_at")
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    due = ExpressionWrapper(
        Coalesce(Subquery(collected, output_field=DateTimeField()), F("assigned_at")) + limit,
        output_field=DateTimeField(),
    )
    assignments.update(
        handed_in_on_time=Case(
            When(handed_in_at__isnull=True, then=Value(None)),
            When(handed_in_at__lte=due, then=Value(True)),
            default=Value(False),
        )
    )


def _count(queryset, field: str, aggregate):
    return Coalesce(
        Subquery(
            queryset.values(field).annotate(total=aggregate).values("total")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _holders_recount(*, apps, model, field: str, hub_id: int) -> None:
    KitAssignment = apps.get_model("packages", "KitAssignment")
    QualityCheck = apps.get_model("packages", "QualityCheck")
    theirs = KitAssignment.objects.filter(**{field: OuterRef("pk")}).order_by()
    # A check counts for whoever held the kit when it was made (one filter() call, so the
    # check and the assignment are the same joined rows).
    checks = QualityCheck.objects.filter(
        Q(kit__assignments__ended_at__isnull=True)
        | Q(kit__assignments__ended_at__gte=F("created_at")),
        **{f"kit__assignments__{field}": OuterRef("pk")},
        kit__assignments__assigned_at__lte=F("created_at"),
    ).order_by()
    model.objects.filter(hub_id=hub_id).update(
        kits_held=_count(theirs.filter(ended_at__isnull=True), field, Count("pk")),
        last_given_at=Subquery(
            theirs.order_by("-assigned_at").values("assigned_at")[:1],
            output_field=DateTimeField(),
        ),
        kits_handed_in=_count(theirs.filter(handed_in_at__isnull=False), field, Count("pk")),
        kits_on_time=_count(theirs.filter(handed_in_on_time=True), field, Count("pk")),
        garments_passed=_count(checks, f"kit__assignments__{field}", Sum("passed")),
        garments_failed=_count(checks, f"kit__assignments__{field}", Sum("failed")),
    )


def holder_records_drift(*, hub) -> list[str]:
    """Where the live counters (and kits' `collected_at`) differ from the history (empty
    when they agree): recounts inside a savepoint that is rolled back, so nothing changes."""
    from django.db import transaction

    from makers.models import Maker, MakerGroup
    from packages.models import Kit, KitAssignment

    def snapshot():
        rows = {}
        for model in (Maker, MakerGroup):
            for row in model.objects.filter(hub=hub).values("pk", *RECORD_FIELDS):
                rows[(model.__name__, row.pop("pk"))] = row
        for row in KitAssignment.objects.filter(kit__hub=hub).values(
            "pk", "handed_in_at", "handed_in_on_time"
        ):
            rows[("KitAssignment", row.pop("pk"))] = row
        for row in Kit.objects.filter(hub=hub).values("pk", "collected_at"):
            rows[("Kit", row.pop("pk"))] = row
        return rows

    live = snapshot()
    with transaction.atomic():
        kits_collected_at_recount(hub_ids=[hub.pk])
        holder_records_recount(hub_ids=[hub.pk])
        recounted = snapshot()
        transaction.set_rollback(True)
    return [
        f"{kind} {pk}: kept {live[(kind, pk)]}, history says {row}"
        for (kind, pk), row in recounted.items()
        if live.get((kind, pk)) != row
    ]


def day_tallies_drift(*, hub) -> list[str]:
    """Where the hub's day tallies differ from its movements (empty when they agree)."""
    from django.db import transaction

    from packages.models import HubDayTally

    def snapshot():
        return {
            (t.day, t.garment_type, t.size): (t.handed_in, t.passed, t.delivered)
            for t in HubDayTally.objects.filter(hub=hub)
            if t.handed_in or t.passed or t.delivered
        }

    live = snapshot()
    with transaction.atomic():
        day_tallies_recount(hub_ids=[hub.pk])
        recounted = snapshot()
        transaction.set_rollback(True)
    keys = live.keys() | recounted.keys()
    return [
        f"{key}: kept {live.get(key)}, movements say {recounted.get(key)}"
        for key in sorted(keys)
        if live.get(key) != recounted.get(key)
    ]
