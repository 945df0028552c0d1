"""Deliveries to the hospital: made, packed (line by line or several sizes at once), unpacked,
cancelled and sent; and a confirmed delivery with its effects (demand met, makers thanked)
in one transaction, and what hub staff did about a shortfall or an excess.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from makers.selectors import maker_contact
from packages.models import (
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    DemandLine,
    GarmentType,
    HubTally,
    Kit,
    KitAssignment,
    Place,
    Size,
    garments_text,
)
from packages.services.demand import _demand_delivered, demand_mark_met
from packages.services.errors import DeliveryError
from packages.services.moves import _garments_move, _lock_kit
from scrubhub.hubs.models import Hospital, Hub
from scrubhub.notifications.contacts import group_leader_contact

P = Place


THANK_YOU_NOTE_MAX = 500


def delivery_create(*, hub: Hub, hospital: Hospital, actor) -> Delivery:
    if not hub.hospitals.filter(pk=hospital.pk).exists():
        raise DeliveryError(f"{hub.name} does not supply {hospital.name}.")
    return Delivery.objects.create(hub=hub, hospital=hospital, created_by=actor)


def _lock_delivery(delivery_id: int, *, status: str) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != status:
        raise DeliveryError(
            f"This delivery is {delivery.get_status_display().lower()}, not "
            f"{Delivery.Status(status).label.lower()}."
        )
    return delivery


def delivery_line_add(
    *,
    delivery: Delivery,
    garment_type: str,
    size: str,
    count: int,
    actor,
    kits: Iterable[Kit] | None = None,
    demand_line: DemandLine | None = None,
) -> DeliveryLine:
    """Pack `count` passed garments of one type and size into the delivery, from the given
    kits or else the oldest kits first. Each kit's share is recorded, so a garment can be
    traced back to its kit."""
    if count < 1:
        raise DeliveryError("Pack at least one garment.")
    garment_type, size = GarmentType(garment_type), Size(size)
    with transaction.atomic():
        delivery = _lock_delivery(delivery.pk, status=Delivery.Status.DRAFT)
        candidates = Kit.objects.filter(
            hub_id=delivery.hub_id, garment_type=garment_type, size=size, qty_passed__gt=0
        )
        if kits is not None:
            candidates = candidates.filter(pk__in=[k.pk for k in kits])
        # Lock in id order, the same order everywhere, so two packers never deadlock.
        locked = list(candidates.select_for_update().order_by("pk"))
        available = sum(k.qty_passed for k in locked)
        if available < count:
            raise DeliveryError(
                f"Only {garments_text(garment_type, available)} in size {size} "
                f"{ngettext('has', 'have', available)} passed the check and "
                f"{ngettext('is', 'are', available)} free; you asked for {count}."
            )
        if demand_line is not None and demand_line.hospital_id != delivery.hospital_id:
            raise DeliveryError("That request came from a different hospital.")
        line, _ = DeliveryLine.objects.get_or_create(
            delivery=delivery,
            garment_type=garment_type,
            size=size,
            defaults={"demand_line": demand_line},
        )
        remaining = count
        for kit in locked:
            if not remaining:
                break
            take = min(remaining, kit.qty_passed)
            _garments_move(
                kit_id=kit.pk,
                from_place=P.PASSED,
                to_place=P.RESERVED,
                count=take,
                actor=actor,
                delivery_line=line,
                reason=f"Packed for delivery {delivery.pk}",
            )
            # The delivery is locked, so nobody else adds to this line meanwhile.
            if not DeliveryAllocation.objects.filter(line=line, kit=kit).update(
                count=F("count") + take
            ):
                DeliveryAllocation.objects.create(line=line, kit=kit, count=take)
            remaining -= take
        DeliveryLine.objects.filter(pk=line.pk).update(count_sent=F("count_sent") + count)
    line.refresh_from_db()
    return line


def delivery_pack(
    *, delivery: Delivery, counts: dict[tuple[str, str], int], actor
) -> list[DeliveryLine]:
    """Pack several sizes into a delivery at once, all or nothing. Each new line is linked
    to the hospital's most urgent open request for that garment and size."""
    from packages.selectors import most_urgent_open_demand

    if any(n < 0 for n in counts.values()):
        raise DeliveryError(gettext("A number of garments cannot be less than nothing."))
    wanted = sorted((key, n) for key, n in counts.items() if n)
    if not wanted:
        raise DeliveryError(gettext("Enter how many garments to pack for at least one size."))
    lines = []
    with transaction.atomic():
        delivery = _lock_delivery(delivery.pk, status=Delivery.Status.DRAFT)
        # Sizes in one fixed order, so two packers lock kits in the same order.
        for (garment_type, size), count in wanted:
            demand = most_urgent_open_demand(
                hospital_id=delivery.hospital_id, garment_type=garment_type, size=size
            )
            lines.append(
                delivery_line_add(
                    delivery=delivery,
                    garment_type=garment_type,
                    size=size,
                    count=count,
                    actor=actor,
                    demand_line=demand,
                )
            )
    return lines


def delivery_line_unpack(*, line: DeliveryLine, actor) -> DeliveryLine:
    """Take one size back out of a delivery being packed: its garments are free again."""
    with transaction.atomic():
        _lock_delivery(line.delivery_id, status=Delivery.Status.DRAFT)
        allocations = list(
            DeliveryAllocation.objects.filter(line_id=line.pk).order_by("kit_id", "pk")
        )
        if not allocations:
            raise DeliveryError(gettext("Nothing of this size is packed."))
        for allocation in allocations:
            _garments_move(
                kit_id=allocation.kit_id,
                from_place=P.RESERVED,
                to_place=P.PASSED,
                count=allocation.count,
                actor=actor,
                delivery_line=line,
                reason=f"Taken out of delivery {line.delivery_id}",
            )
        DeliveryAllocation.objects.filter(line_id=line.pk).delete()
        # The line stays (its movements point at it), with nothing in it.
        DeliveryLine.objects.filter(pk=line.pk).update(count_sent=0)
    line.refresh_from_db()
    return line


def _delivery_garments_move(*, delivery: Delivery, to_place: str, actor, reason: str) -> None:
    """Move every garment reserved for a delivery on (received) or back (cancelled). Kits
    are locked in id order first, as every multi-kit write does, so two never deadlock."""
    allocations = list(
        DeliveryAllocation.objects.filter(line__delivery=delivery)
        .select_related("line")
        .order_by("kit_id", "pk")
    )
    for kit_id in sorted({a.kit_id for a in allocations}):
        _lock_kit(kit_id)
    for allocation in allocations:
        _garments_move(
            kit_id=allocation.kit_id,
            from_place=P.RESERVED,
            to_place=to_place,
            count=allocation.count,
            actor=actor,
            delivery_line=allocation.line,
            reason=reason,
        )


def delivery_cancel(*, delivery: Delivery, actor, reason: str = "") -> Delivery:
    """Unpack a delivery that has not left: its garments are free again."""
    with transaction.atomic():
        delivery = _lock_delivery(delivery.pk, status=Delivery.Status.DRAFT)
        _delivery_garments_move(
            delivery=delivery,
            to_place=P.PASSED,
            actor=actor,
            reason=reason or f"Delivery {delivery.pk} cancelled",
        )
        delivery.status = Delivery.Status.CANCELLED
        delivery.save(update_fields=["status"])
    return delivery


def delivery_send(*, delivery: Delivery, actor) -> Delivery:
    with transaction.atomic():
        delivery = _lock_delivery(delivery.pk, status=Delivery.Status.DRAFT)
        if not delivery.lines.filter(count_sent__gt=0).exists():
            raise DeliveryError("Pack some garments before sending the delivery.")
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.sent_by = actor
        delivery.save(update_fields=["status", "sent_at", "sent_by"])
    return delivery


def _thanks_body(*, greeting: str, garments: str, delivery: Delivery, note: str) -> str:
    parts = [
        greeting,
        gettext("%(garments)s reached %(hospital)s today. Thank you for sewing them.")
        % {"garments": garments, "hospital": delivery.hospital.name},
    ]
    if note:
        parts.append(gettext("The laundry team wrote:") + f'\n"{note}"')
    parts.append(f"{delivery.hub.name}\n{delivery.hub.phone}")
    return "\n\n".join(parts)


def _delivery_thank_makers(*, delivery: Delivery, note: str) -> int:
    """One message per maker (and per group) whose garments were in the delivery, queued in
    the caller's transaction. Returns how many were queued."""
    from scrubhub.notifications.services import message_queue

    per_kit: dict[int, int] = {}
    for kit_id, count in DeliveryAllocation.objects.filter(line__delivery=delivery).values_list(
        "kit_id", "count"
    ):
        per_kit[kit_id] = per_kit.get(kit_id, 0) + count
    # Who sewed a kit: its latest holder (a kit handed on is finished by the last one).
    sewer: dict[int, KitAssignment] = {}
    for assignment in (
        KitAssignment.objects.filter(kit_id__in=per_kit)
        .select_related("maker", "maker__user", "group", "group__leader")
        .order_by("kit_id", "-assigned_at", "-pk")
    ):
        sewer.setdefault(assignment.kit_id, assignment)
    makers: dict[int, list] = {}
    groups: dict[int, list] = {}
    for kit_id, count in per_kit.items():
        assignment = sewer.get(kit_id)
        if assignment is None:
            continue
        if assignment.maker_id:
            makers.setdefault(assignment.maker_id, [assignment.maker, 0])[1] += count
        else:
            groups.setdefault(assignment.group_id, [assignment.group, 0])[1] += count
    queued = 0
    subject = gettext("Your scrubs reached the hospital")
    for maker, count in makers.values():
        address = maker_contact(maker=maker).route
        if address is None:
            continue
        first_name = (maker.name.split() or [""])[0]
        garments = ngettext("%(count)s of your garments", "%(count)s of your garments", count) % {
            "count": count
        }
        message_queue(
            idempotency_key=f"delivery-thanks:{delivery.pk}:{maker.pk}",
            to_address=address[1],
            channel=address[0],
            subject=subject,
            body=_thanks_body(
                greeting=gettext("Hello %(name)s,") % {"name": first_name},
                garments=garments,
                delivery=delivery,
                note=note,
            ),
            kind="delivery_thanks",
            hub=delivery.hub,
            recipient=maker.user,
        )
        queued += 1
    for group, count in groups.values():
        address = group_leader_contact(group).route
        if address is None:
            continue
        garments = ngettext(
            "%(count)s garment your group sewed", "%(count)s garments your group sewed", count
        ) % {"count": count}
        message_queue(
            idempotency_key=f"delivery-thanks:{delivery.pk}:group:{group.pk}",
            to_address=address[1],
            channel=address[0],
            subject=subject,
            body=_thanks_body(
                greeting=gettext("Hello %(name)s,") % {"name": group.name},
                garments=garments,
                delivery=delivery,
                note=note,
            ),
            kind="delivery_thanks",
            hub=delivery.hub,
            recipient=group.leader,
        )
        queued += 1
    return queued


def delivery_confirm(
    *,
    delivery: Delivery,
    received: dict[int, int],
    actor,
    discrepancy_note: str = "",
    thank_you_note: str = "",
) -> Delivery:
    """The laundry confirms what arrived, line by line (`received` maps line id to count).
    If any count differs from what was sent, a note must say why. In the same transaction
    the requests it met are marked met and the makers whose garments were in it are
    thanked, with the laundry's own note if it wrote one."""
    thank_you_note = thank_you_note.strip()
    if len(thank_you_note) > THANK_YOU_NOTE_MAX:
        raise DeliveryError(
            gettext("Please keep the thank-you note under %(max)s letters.")
            % {"max": THANK_YOU_NOTE_MAX}
        )
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == Delivery.Status.RECEIVED:
            raise DeliveryError(
                gettext("This delivery was already confirmed on %(day)s.")
                % {"day": timezone.localtime(delivery.received_at).strftime("%-d %B %Y")}
            )
        if delivery.status != Delivery.Status.SENT:
            raise DeliveryError(
                gettext("This delivery has not been sent yet, so it cannot arrive.")
            )
        lines = list(delivery.lines.all())
        missing = [line for line in lines if line.pk not in received]
        if missing:
            raise DeliveryError("Please give a count received for every line of the delivery.")
        if any(received[line.pk] < 0 for line in lines):
            raise DeliveryError("A count received cannot be less than nothing.")
        differs = any(received[line.pk] != line.count_sent for line in lines)
        if differs and not discrepancy_note.strip():
            raise DeliveryError(
                "What arrived differs from what was sent. Please say what was different."
            )
        _delivery_garments_move(
            delivery=delivery,
            to_place=P.DELIVERED,
            actor=actor,
            reason=f"Delivery {delivery.pk} received",
        )
        for line in lines:
            DeliveryLine.objects.filter(pk=line.pk).update(count_received=received[line.pk])
            HubTally.objects.filter(
                hub_id=delivery.hub_id, garment_type=line.garment_type, size=line.size
            ).update(received_by_laundry=F("received_by_laundry") + received[line.pk])
        delivery.status = Delivery.Status.RECEIVED
        delivery.received_at = timezone.now()
        delivery.confirmed_by = actor
        delivery.discrepancy_note = discrepancy_note.strip()
        delivery.thank_you_note = thank_you_note or delivery.thank_you_note
        delivery.save(
            update_fields=[
                "status",
                "received_at",
                "confirmed_by",
                "discrepancy_note",
                "thank_you_note",
            ]
        )
        demand_ids = sorted(
            {
                pk
                for pk in delivery.lines.exclude(demand_line=None).values_list(
                    "demand_line_id", flat=True
                )
            }
        )
        for line in DemandLine.objects.filter(
            pk__in=demand_ids, status=DemandLine.Status.OPEN
        ).order_by("pk"):
            if _demand_delivered(line.pk) >= line.quantity:
                demand_mark_met(
                    line=line, actor=actor, note=f"Met by delivery {delivery.reference}"
                )
        _delivery_thank_makers(delivery=delivery, note=thank_you_note)
    return delivery


def delivery_discrepancy_resolve(*, delivery: Delivery, actor, note: str) -> Delivery:
    """Hub staff say what they did about a shortfall or excess; it leaves the dashboard."""
    if not note.strip():
        raise DeliveryError(gettext("Please say how it was sorted out."))
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != Delivery.Status.RECEIVED or not delivery.discrepancy_note:
            raise DeliveryError(gettext("This delivery has no difference to sort out."))
        if delivery.discrepancy_resolved_at is not None:
            raise DeliveryError(gettext("This difference has already been sorted out."))
        delivery.discrepancy_resolved_at = timezone.now()
        delivery.discrepancy_resolved_by = actor
        delivery.discrepancy_resolution = note.strip()
        delivery.save(
            update_fields=[
                "discrepancy_resolved_at",
                "discrepancy_resolved_by",
                "discrepancy_resolution",
            ]
        )
    return delivery
