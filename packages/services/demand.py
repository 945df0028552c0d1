"""Hospital demand: the laundry's requests as its pages make them (a size run all or nothing),
changed, met or withdrawn with the history kept, and the sets the laundry has in
circulation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from packages.models import (
    CirculationRecord,
    Delivery,
    DeliveryLine,
    DemandChange,
    DemandLine,
    GarmentType,
    Size,
)
from packages.services.errors import DemandError, LaundryError
from scrubhub.hubs.models import Hospital

# Nobody asks for more than this of one size at once; a bigger number is a typing slip.
DEMAND_MAX_PER_SIZE = 20_000


def _check_needed_by(needed_by: date | None, today: date | None) -> None:
    if needed_by is not None and needed_by < (today or timezone.localdate()):
        raise DemandError(gettext("The date you need them by cannot be in the past."))


def demand_record(
    *,
    hospital: Hospital,
    garment_types: Iterable[str],
    quantities: dict[str, int],
    actor,
    priority: str = DemandLine.Priority.NORMAL,
    needed_by: date | None = None,
    requirements: str = "",
    today: date | None = None,
) -> list[DemandLine]:
    """What the laundry asks for, a whole size run at once: one demand line per garment type
    and size with a quantity, each with its first history entry. All of it is recorded, or
    (on any bad number) none of it."""
    garment_types = [GarmentType(t) for t in garment_types]
    if not garment_types:
        raise DemandError(gettext("Choose tops, trousers or both."))
    if priority not in DemandLine.Priority.values:
        raise DemandError(gettext("Choose how urgent this is."))
    for size, quantity in quantities.items():
        Size(size)
        if quantity < 0:
            raise DemandError(
                gettext("Size %(size)s: a number of garments cannot be less than nothing.")
                % {"size": size}
            )
        if quantity > DEMAND_MAX_PER_SIZE:
            raise DemandError(
                gettext("Size %(size)s: %(quantity)s is more than we can take in one request.")
                % {"size": size, "quantity": quantity}
            )
    wanted = sorted(
        ((size, q) for size, q in quantities.items() if q), key=lambda w: Size.values.index(w[0])
    )
    if not wanted:
        raise DemandError(gettext("Enter how many you need of at least one size."))
    _check_needed_by(needed_by, today)
    requirements = requirements.strip()
    with transaction.atomic():
        lines = [
            DemandLine.objects.create(
                hospital=hospital,
                garment_type=garment_type,
                size=Size(size),
                quantity=quantity,
                priority=priority,
                needed_by=needed_by,
                requirements=requirements,
                created_by=actor,
                changed_by=actor,
            )
            for garment_type in garment_types
            for size, quantity in wanted
        ]
        DemandChange.objects.bulk_create(
            DemandChange(
                line=line, actor=actor, changes={"status": [None, line.status]}, note="Recorded"
            )
            for line in lines
        )
    return lines


_UNSET = object()


def demand_change(
    *,
    line: DemandLine,
    actor,
    quantity: int | None = None,
    priority: str | None = None,
    needed_by=_UNSET,
    requirements: str | None = None,
    note: str = "",
    today: date | None = None,
) -> DemandLine:
    """The laundry changes an open request; the history keeps each old and new value. A
    new date cannot be in the past (an old one may stay); cutting the quantity to what has
    already arrived marks the request met."""
    if quantity is not None and quantity < 1:
        raise DemandError(gettext("Ask for at least one garment."))
    if quantity is not None and quantity > DEMAND_MAX_PER_SIZE:
        raise DemandError(gettext("That is more than we can take in one request."))
    if requirements is not None:
        requirements = requirements.strip()
    note = note.strip()
    with transaction.atomic():
        line = DemandLine.objects.select_for_update().get(pk=line.pk)
        if line.status != DemandLine.Status.OPEN:
            raise DemandError(
                f"This request is {line.get_status_display().lower()}, so it cannot be changed."
            )
        if needed_by is not _UNSET and needed_by != line.needed_by:
            _check_needed_by(needed_by, today)
        wanted = {
            "quantity": quantity,
            "priority": priority,
            "requirements": requirements,
            "needed_by": None if needed_by is _UNSET else needed_by,
        }
        changes = {}
        for name, value in wanted.items():
            if name == "needed_by" and needed_by is _UNSET:
                continue
            if name != "needed_by" and value is None:
                continue
            old = getattr(line, name)
            if old != value:
                changes[name] = [str(old) if old is not None else None, str(value)]
                setattr(line, name, value)
        if not changes:
            raise DemandError("Nothing was changed.")
        line.changed_by = actor
        line.save()
        DemandChange.objects.create(line=line, actor=actor, changes=changes, note=note)
        if _demand_delivered(line.pk) >= line.quantity:
            line = demand_mark_met(
                line=line, actor=actor, note="Everything asked for has been delivered"
            )
    return line


def _demand_status_set(*, line: DemandLine, to: str, actor, note: str) -> DemandLine:
    with transaction.atomic():
        line = DemandLine.objects.select_for_update().get(pk=line.pk)
        if line.status != DemandLine.Status.OPEN:
            raise DemandError(f"This request is already {line.get_status_display().lower()}.")
        old = line.status
        line.status = to
        line.changed_by = actor
        line.save()
        DemandChange.objects.create(
            line=line, actor=actor, changes={"status": [old, to]}, note=note
        )
    return line


def demand_mark_met(*, line: DemandLine, actor, note: str = "") -> DemandLine:
    return _demand_status_set(line=line, to=DemandLine.Status.MET, actor=actor, note=note)


def demand_withdraw(*, line: DemandLine, actor, note: str = "") -> DemandLine:
    return _demand_status_set(line=line, to=DemandLine.Status.WITHDRAWN, actor=actor, note=note)


def _demand_delivered(line_id: int) -> int:
    """Garments delivered against a request: what arrived, never more than was sent (an
    excess is a discrepancy to sort out, not garments the hub made)."""
    from django.db.models import Sum
    from django.db.models.functions import Least

    total = DeliveryLine.objects.filter(
        demand_line_id=line_id, delivery__status=Delivery.Status.RECEIVED
    ).aggregate(n=Sum(Least("count_received", "count_sent")))["n"]
    return total or 0


def circulation_record(*, hospital: Hospital, sets: int, actor) -> CirculationRecord:
    """How many sets the laundry already has in use; kept with who said so and when."""
    if sets < 0:
        raise LaundryError(gettext("The number of sets cannot be less than nothing."))
    if sets > 1_000_000:
        raise LaundryError(gettext("That number is too big. Please check it."))
    with transaction.atomic():
        Hospital.objects.select_for_update().filter(pk=hospital.pk).update(sets_in_circulation=sets)
        record = CirculationRecord.objects.create(hospital=hospital, sets=sets, recorded_by=actor)
    hospital.sets_in_circulation = sets
    return record
