"""Every change to stock, kits, their garments, demand and deliveries: one function each.

Locking order, everywhere: delivery, then kits (in id order), then stock, then tallies and
point holdings. Keeping one order means two requests never wait on each other in a circle.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from dropoffs.models import Handover, Point
from makers.selectors import maker_contact
from packages.kit_messages import tell_given, tell_not_needed, tell_rework
from packages.models import (
    DONATION_DESCRIPTION_MAX,
    CirculationRecord,
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    DemandChange,
    DemandLine,
    Donation,
    FabricLot,
    GarmentMovement,
    GarmentType,
    HubDayTally,
    HubTally,
    Kit,
    KitAssignment,
    KitEvent,
    KitProgress,
    Pattern,
    Place,
    PointHolding,
    PrecutStock,
    QualityCheck,
    QualityRequirement,
    Size,
    WashFailure,
    garments_text,
    qty_field,
)
from packages.records import HANDED_IN_PLACES, day_tally_field
from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hospital, Hub, KitBatch
from scrubhub.notifications.contacts import group_leader_contact


class PackagesError(DomainError):
    """A change the rules do not allow; the message is a sentence for the person who tried."""


class StockError(PackagesError):
    pass


class KitError(PackagesError):
    pass


class KitTakenError(KitError):
    """The kit was given out (or changed) by someone else a moment ago."""

    def __init__(self, message: str, *, kit: Kit):
        super().__init__(message)
        self.kit = kit


class DeliveryError(PackagesError):
    pass


class DemandError(PackagesError):
    pass


# --- Kit codes ------------------------------------------------------------------------------

# Crockford's base 32: no I, L, O or U, so what is printed cannot be misread as another
# code; what people type is forgiven by normalise_kit_code (O is 0, I and L are 1).
KIT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KIT_CODE_LENGTH = 7
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\t\n\u2010\u2011\u2012\u2013\u2014")


def kit_code_generate() -> str:
    """A random code, not sequential, so a code reveals nothing about how many kits exist."""
    return "".join(secrets.choice(KIT_CODE_ALPHABET) for _ in range(KIT_CODE_LENGTH))


def normalise_kit_code(text: str) -> str:
    """What someone typed or scanned, as the stored code: any case, spaces, hyphens and
    look-alike letters forgiven. Returns "" when it cannot be a kit code."""
    code = (text or "").upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    if len(code) != KIT_CODE_LENGTH or any(ch not in KIT_CODE_ALPHABET for ch in code):
        return ""
    return code


# Characters of the alphabet (and U, which it leaves out) that people misread for one
# another on a worn label; O, I and L are already forgiven above.
_MISREAD = {
    "0": "DQ",
    "D": "0",
    "Q": "0",
    "1": "7",
    "7": "1",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B",
    "B": "8",
    "U": "V",
    "V": "U",
}


def kit_code_neighbours(text: str) -> list[str]:
    """The codes one slip away from what someone typed, nearest first: one misread
    character, two neighbours swapped, then any one character wrong, missing or extra.
    A few hundred at most, so they can be looked up by the code's index."""
    typed = (text or "").upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    if not typed.isascii() or abs(len(typed) - KIT_CODE_LENGTH) > 1:
        return []
    found: dict[str, None] = {}  # a dict keeps the order and drops repeats

    def add(code: str) -> None:
        if code != typed and all(ch in KIT_CODE_ALPHABET for ch in code):
            found[code] = None

    if len(typed) == KIT_CODE_LENGTH:
        for i, ch in enumerate(typed):
            for other in _MISREAD.get(ch, ""):
                add(typed[:i] + other + typed[i + 1 :])
        for i in range(KIT_CODE_LENGTH - 1):
            add(typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :])
        for i in range(KIT_CODE_LENGTH):
            for other in KIT_CODE_ALPHABET:
                add(typed[:i] + other + typed[i + 1 :])
    elif len(typed) < KIT_CODE_LENGTH:
        for i in range(KIT_CODE_LENGTH):
            for other in KIT_CODE_ALPHABET:
                add(typed[:i] + other + typed[i:])
    else:
        for i in range(len(typed)):
            add(typed[:i] + typed[i + 1 :])
    return list(found)


# --- Kit statuses and garment moves -------------------------------------------------------

K = Kit.Status
KIT_ALLOWED: dict[str, set[str]] = {
    K.PREPARED: {K.ALLOCATED, K.CANCELLED},
    K.ALLOCATED: {K.WITH_MAKER, K.PREPARED, K.CANCELLED, K.LOST},
    K.WITH_MAKER: {K.CLOSED, K.LOST},
    K.CLOSED: set(),
    K.CANCELLED: set(),
    K.LOST: set(),
}
OPEN_KIT_STATUSES = {K.PREPARED, K.ALLOCATED, K.WITH_MAKER}

P = Place
GARMENT_MOVES: dict[str, set[str]] = {
    P.IN_KIT: {P.WITH_MAKER, P.RETURNED_TO_STOCK, P.WRITTEN_OFF},
    P.WITH_MAKER: {
        P.AT_POINT,
        P.IN_TRANSIT,
        P.AWAITING_CHECK,
        P.RETURNED_TO_STOCK,
        P.WRITTEN_OFF,
    },
    P.REWORK: {P.AT_POINT, P.IN_TRANSIT, P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.AT_POINT: {P.IN_TRANSIT, P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.IN_TRANSIT: {P.AWAITING_CHECK, P.WRITTEN_OFF},
    P.AWAITING_CHECK: {P.PASSED, P.REWORK, P.WRITTEN_OFF},
    P.PASSED: {P.RESERVED, P.WRITTEN_OFF},
    P.RESERVED: {P.PASSED, P.DELIVERED},
    P.DELIVERED: set(),
    P.WRITTEN_OFF: set(),
    P.RETURNED_TO_STOCK: set(),
}


def _place_label(place: str) -> str:
    return str(Place(place).label).lower()


def _garments(n: int) -> str:
    return ngettext("%(n)s garment", "%(n)s garments", n) % {"n": n}


def _garments_worth(n: int) -> str:
    return ngettext("%(n)s garment's worth", "%(n)s garments' worth", n) % {"n": n}


def _kits(n: int) -> str:
    return ngettext("%(n)s kit", "%(n)s kits", n) % {"n": n}


def _kit_label(kit: Kit) -> str:
    return f"Kit {kit.display_code}"


def _lock_kit(kit_id: int) -> Kit:
    return Kit.objects.select_for_update().get(pk=kit_id)


def _tally_add(*, hub_id: int, garment_type: str, size: str, deltas: dict[str, int]) -> None:
    """Add to the hub's per-size counters in the caller's transaction (after the kit lock)."""
    changes = {qty_field(p): F(qty_field(p)) + d for p, d in deltas.items() if d}
    if not changes:
        return
    HubTally.objects.bulk_create(
        [HubTally(hub_id=hub_id, garment_type=garment_type, size=size)], ignore_conflicts=True
    )
    HubTally.objects.filter(hub_id=hub_id, garment_type=garment_type, size=size).update(**changes)


def _day_tally_add(*, kit: Kit, from_place: str, to_place: str, movement) -> None:
    """Count garments handed in, passed or delivered on the hub's day tally."""
    field = day_tally_field(from_place, to_place)
    if field is None:
        return
    key = {
        "hub_id": kit.hub_id,
        "day": timezone.localdate(movement.created_at),
        "garment_type": kit.garment_type,
        "size": kit.size,
    }
    HubDayTally.objects.bulk_create([HubDayTally(**key)], ignore_conflicts=True)
    HubDayTally.objects.filter(**key).update(**{field: F(field) + movement.count})


def _holding_add(*, point: Point, kit: Kit, delta: int) -> None:
    if delta > 0:
        PointHolding.objects.bulk_create(
            [PointHolding(point=point, kit=kit, count=0)], ignore_conflicts=True
        )
        PointHolding.objects.filter(point=point, kit=kit).update(count=F("count") + delta)
        return
    taken = PointHolding.objects.filter(point=point, kit=kit, count__gte=-delta).update(
        count=F("count") + delta
    )
    if not taken:
        held = PointHolding.objects.filter(point=point, kit=kit).values_list("count", flat=True)
        raise KitError(
            f"{point.name} holds {_garments(next(iter(held), 0))} from {_kit_label(kit)}, "
            f"not {-delta}."
        )


def _kit_event(*, kit: Kit, old: str, new: str, actor, note: str = "") -> None:
    event = KitEvent.objects.create(kit=kit, old_status=old, new_status=new, actor=actor, note=note)
    if new == K.WITH_MAKER:
        Kit.objects.filter(pk=kit.pk).update(collected_at=event.created_at)
        kit.collected_at = event.created_at


def _holder_model(assignment: KitAssignment):
    """The holder's row to count on: the maker's, or the group's."""
    from makers.models import Maker, MakerGroup

    if assignment.maker_id:
        return Maker.objects.filter(pk=assignment.maker_id)
    return MakerGroup.objects.filter(pk=assignment.group_id)


def _assignment_end(*, kit: Kit, actor, reason: str) -> None:
    """End the kit's open assignment (if any); its holder holds one kit fewer."""
    current = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if current is None:
        return
    KitAssignment.objects.filter(pk=current.pk).update(
        ended_at=timezone.now(), ended_by=actor, end_reason=reason[:200]
    )
    _holder_model(current).update(kits_held=F("kits_held") - 1)


def _hand_in_count(*, kit: Kit, at) -> None:
    """Garments left the maker: the first time for this assignment, their record gains a
    kit handed in, on time if within the hub's overdue limit of when they collected it."""
    current = KitAssignment.objects.filter(
        kit=kit, ended_at__isnull=True, handed_in_at__isnull=True
    ).first()
    if current is None:
        return
    collected = (
        KitEvent.objects.filter(
            kit=kit, new_status=K.WITH_MAKER, created_at__gte=current.assigned_at
        )
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )
    due = (collected or current.assigned_at) + timedelta(days=kit.hub.overdue_after_days)
    on_time = at <= due
    KitAssignment.objects.filter(pk=current.pk).update(handed_in_at=at, handed_in_on_time=on_time)
    _holder_model(current).update(
        kits_handed_in=F("kits_handed_in") + 1,
        kits_on_time=F("kits_on_time") + (1 if on_time else 0),
    )


def _check_count(*, kit: Kit, passed: int, failed: int) -> None:
    """A check counts for whoever holds the kit when it is made."""
    current = KitAssignment.objects.filter(kit=kit, ended_at__isnull=True).first()
    if current is not None:
        _holder_model(current).update(
            garments_passed=F("garments_passed") + passed,
            garments_failed=F("garments_failed") + failed,
        )


def _kit_status_set(*, kit: Kit, to: str, actor, note: str = "", **changes) -> Kit:
    """Change the status of a kit the caller has locked."""
    if to not in KIT_ALLOWED[kit.status]:
        raise KitError(
            f"A {kit.get_status_display().lower()} kit cannot become {K(to).label.lower()}."
        )
    old = kit.status
    updated = Kit.objects.filter(pk=kit.pk, status=old).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if not updated:  # only possible if a caller forgot the lock
        raise KitError(f"{_kit_label(kit)} changed while you were working on it. Try again.")
    _kit_event(kit=kit, old=old, new=to, actor=actor, note=note)
    kit.refresh_from_db()
    return kit


def _garments_move(
    *,
    kit_id: int,
    from_place: str,
    to_place: str,
    count: int,
    actor,
    point: Point | None = None,
    handover: Handover | None = None,
    delivery_line: DeliveryLine | None = None,
    reason: str = "",
    new_status: str | None = None,
    status_note: str = "",
) -> Kit:
    """Move `count` garments of one kit between places: the counts, the movement row, the
    hub's tally and the point's holding, in one transaction. With `new_status` the kit's
    status changes in the same statement (the constraints see both at once)."""
    if count < 1:
        raise KitError("Say how many garments moved: at least one.")
    if to_place not in GARMENT_MOVES[from_place]:
        raise KitError(
            f"Garments {_place_label(from_place)} cannot go straight to {_place_label(to_place)}."
        )
    if P.AT_POINT in (from_place, to_place) and point is None:
        raise KitError("Say which point the garments are at.")
    with transaction.atomic():
        kit = _lock_kit(kit_id)
        if kit.status not in OPEN_KIT_STATUSES:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; "
                "its garments cannot move."
            )
        if new_status is None and kit.status != K.WITH_MAKER:
            raise KitError(
                f"{_kit_label(kit)} has not been collected yet; its garments are all still "
                "in the kit."
            )
        if new_status is not None and new_status not in KIT_ALLOWED[kit.status]:
            raise KitError(
                f"A {kit.get_status_display().lower()} kit cannot become "
                f"{K(new_status).label.lower()}."
            )
        have = getattr(kit, qty_field(from_place))
        if have < count:
            raise KitError(
                f"{_kit_label(kit)} has {_garments(have)} {_place_label(from_place)}, "
                f"so {count} cannot move."
            )
        src, dst = qty_field(from_place), qty_field(to_place)
        changes = {src: F(src) - count, dst: F(dst) + count, "updated_at": timezone.now()}
        if new_status is not None:
            changes["status"] = new_status
        # Compare-and-set: the count must still be there when we take it.
        updated = Kit.objects.filter(pk=kit_id, **{f"{src}__gte": count}).update(**changes)
        if not updated:
            raise KitError(
                f"{_kit_label(kit)} no longer has {_garments(count)} {_place_label(from_place)}."
            )
        movement = GarmentMovement.objects.create(
            kit=kit,
            from_place=from_place,
            to_place=to_place,
            count=count,
            actor=actor,
            point=point,
            handover=handover,
            delivery_line=delivery_line,
            reason=reason[:300],
        )
        _tally_add(
            hub_id=kit.hub_id,
            garment_type=kit.garment_type,
            size=kit.size,
            deltas={from_place: -count, to_place: count},
        )
        _day_tally_add(kit=kit, from_place=from_place, to_place=to_place, movement=movement)
        if from_place == P.WITH_MAKER and to_place in HANDED_IN_PLACES:
            _hand_in_count(kit=kit, at=movement.created_at)
        if from_place == P.AT_POINT:
            _holding_add(point=point, kit=kit, delta=-count)
        if to_place == P.AT_POINT:
            _holding_add(point=point, kit=kit, delta=count)
        old_status = kit.status
        kit.refresh_from_db()
        if new_status is not None:
            _kit_event(kit=kit, old=old_status, new=new_status, actor=actor, note=status_note)
            if new_status in {K.LOST, K.CANCELLED}:
                _assignment_end(kit=kit, actor=actor, reason=K(new_status).label)
        _kit_close_if_done(kit=kit, actor=actor)
    return kit


def _kit_close_if_done(*, kit: Kit, actor) -> None:
    if kit.status == K.WITH_MAKER and kit.open_garments == 0:
        _kit_status_set(
            kit=kit,
            to=K.CLOSED,
            actor=actor,
            note="Every garment is accounted for.",
            closed_at=timezone.now(),
        )
        _assignment_end(kit=kit, actor=actor, reason="Kit closed")


def _stock_recredit(*, kit: Kit, count: int, actor) -> None:
    """Unsewn pieces back on the shelf: to the pre-cut batch they came from, or, for a kit
    the hub cut from fabric, to a batch of pieces cut from that lot."""
    if kit.precut_stock_id:
        PrecutStock.objects.filter(pk=kit.precut_stock_id).update(
            quantity_available=F("quantity_available") + count
        )
        return
    batch, _ = PrecutStock.objects.get_or_create(
        hub_id=kit.hub_id,
        fabric_lot_id=kit.fabric_lot_id,
        garment_type=kit.garment_type,
        size=kit.size,
        cut_by="The hub (unsewn pieces returned from kits)",
        defaults={"quantity_received": 0, "quantity_available": 0, "received_by": actor},
    )
    PrecutStock.objects.filter(pk=batch.pk).update(
        quantity_available=F("quantity_available") + count
    )


# --- Stock in -------------------------------------------------------------------------------


def donation_record(
    *,
    hub: Hub,
    donor_name: str,
    kind: str,
    actor,
    received_on: date | None = None,
    quantity: Decimal | int = 0,
    unit: str = "",
    description: str = "",
    donor_contact: str = "",
) -> Donation:
    """Goods in: who gave what, when and how much."""
    if not donor_name.strip():
        raise StockError("Please say who gave the donation.")
    if Decimal(quantity) < 0:
        raise StockError("A donation cannot be less than nothing.")
    if len(description) > DONATION_DESCRIPTION_MAX:
        raise StockError(
            f"Please keep the note to {DONATION_DESCRIPTION_MAX} letters or fewer; "
            f"it has {len(description)}."
        )
    return Donation.objects.create(
        hub=hub,
        donor_name=donor_name.strip(),
        donor_contact=donor_contact,
        kind=kind,
        description=description,
        quantity=quantity,
        unit=unit,
        received_on=received_on or timezone.localdate(),
        recorded_by=actor,
    )


def donation_thank(*, hub: Hub, donation: Donation, actor) -> Donation:
    """Record that the donor was thanked (once), by staff of the hub that was given it."""
    if donation.hub_id != hub.pk:
        raise StockError("That donation was given to a different hub.")
    with transaction.atomic():
        done = Donation.objects.filter(pk=donation.pk, thanked_at__isnull=True).update(
            thanked_at=timezone.now(), thanked_by=actor
        )
        if not done:
            raise StockError(f"{donation.donor_name} has already been thanked for this.")
    donation.refresh_from_db()
    return donation


def fabric_lot_receive(
    *,
    hub: Hub,
    supplier: str,
    colour: str,
    metres: Decimal | int,
    actor,
    width_cm: int | None = None,
    approved_for_hospital_washing: bool = False,
    donation: Donation | None = None,
) -> FabricLot:
    metres = Decimal(metres)
    if metres <= 0:
        raise StockError("A fabric lot needs some metres of fabric.")
    if donation is not None and donation.hub_id != hub.pk:
        raise StockError("That donation was given to a different hub.")
    return FabricLot.objects.create(
        hub=hub,
        supplier=supplier,
        colour=colour,
        width_cm=width_cm,
        approved_for_hospital_washing=approved_for_hospital_washing,
        metres_received=metres,
        metres_available=metres,
        donation=donation,
        received_by=actor,
    )


def precut_receive(
    *,
    hub: Hub,
    garment_type: str,
    size: str,
    quantity: int,
    cut_by: str,
    actor,
    fabric_lot: FabricLot | None = None,
    donation: Donation | None = None,
) -> PrecutStock:
    """Pre-cut pieces in, counted in garments' worth."""
    if quantity < 1:
        raise StockError("Say how many garments' worth of pieces came in: at least one.")
    if fabric_lot is not None and fabric_lot.hub_id != hub.pk:
        raise StockError("That fabric lot belongs to a different hub.")
    return PrecutStock.objects.create(
        hub=hub,
        garment_type=garment_type,
        size=size,
        quantity_received=quantity,
        quantity_available=quantity,
        cut_by=cut_by,
        fabric_lot=fabric_lot,
        donation=donation,
        received_by=actor,
    )


def pattern_for(*, hub: Hub, garment_type: str, size: str) -> Pattern | None:
    """The hub's current pattern for a type and size, else the one every hub uses."""
    patterns = Pattern.objects.filter(garment_type=garment_type, size=size, is_current=True)
    return patterns.filter(hub=hub).first() or patterns.filter(hub__isnull=True).first()


# --- Patterns and sewing instructions ---------------------------------------------------------


class PatternError(PackagesError):
    pass


PATTERN_METRES_MAX = Decimal("20")
PATTERN_TEXT_MAX = 20_000
_instructions_url_valid = URLValidator(schemes=["http", "https"])


def _pattern_metres(value) -> Decimal:
    try:
        metres = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise PatternError("Give the fabric per garment in metres, for example 1.5.") from None
    if not metres.is_finite() or metres <= 0:
        raise PatternError("A garment takes some fabric: give more than 0 metres.")
    if metres > PATTERN_METRES_MAX:
        raise PatternError(
            f"No garment takes more than {PATTERN_METRES_MAX} metres. Check the figure: it is "
            "metres for one garment, not for a kit."
        )
    return metres


def pattern_check(
    *,
    garment_type: str,
    size: str,
    name: str,
    metres_per_garment,
    instructions_text: str = "",
    instructions_url: str = "",
) -> dict:
    """What pattern_save would keep for these answers (name, metres and instructions), or
    the PatternError it would raise: for forms that must say so before saving."""
    if garment_type not in GarmentType.values:
        raise PatternError("Choose the garment: scrub top or scrub trousers.")
    if size not in Size.values:
        raise PatternError("Choose a size from the list.")
    name = " ".join(name.split())
    if not name:
        raise PatternError("Give the pattern a name people will recognise.")
    if len(name) > 200:
        raise PatternError("Keep the pattern's name under 200 characters.")
    metres = _pattern_metres(metres_per_garment)
    instructions_text = instructions_text.replace("\r\n", "\n").strip()
    if len(instructions_text) > PATTERN_TEXT_MAX:
        raise PatternError(
            f"The instructions are too long for a printed sheet: keep them under "
            f"{PATTERN_TEXT_MAX:,} characters, and link to the rest online."
        )
    instructions_url = instructions_url.strip()
    if instructions_url:
        try:
            _instructions_url_valid(instructions_url)
        except ValidationError:
            raise PatternError(
                "The instructions' web address should start https:// (copy it from the "
                "browser's address bar)."
            ) from None
    return {
        "name": name,
        "metres_per_garment": metres,
        "instructions_text": instructions_text,
        "instructions_url": instructions_url,
    }


def pattern_save(
    *,
    hub: Hub | None,
    garment_type: str,
    size: str,
    name: str,
    metres_per_garment: Decimal,
    actor,
    instructions_text: str = "",
    instructions_url: str = "",
) -> Pattern:
    """The pattern a hub makes one garment type and size with: its current one is changed,
    or made if the hub has none (a hub using the shared pattern gets its own copy, and other
    hubs keep theirs). Kits already made keep their link; their fabric was counted when
    they were made, so a new figure changes only kits made from now on. Saving the same
    again changes nothing, so a setup page may save each step as often as it likes.

    With no hub it is the shared pattern every hub without its own falls back to (the
    operators' admin); only a hub's own changes go in its audit trail."""
    wanted = pattern_check(
        garment_type=garment_type,
        size=size,
        name=name,
        metres_per_garment=metres_per_garment,
        instructions_text=instructions_text,
        instructions_url=instructions_url,
    )
    label = f"{GarmentType(garment_type).label} {size}"
    with transaction.atomic():
        if hub is not None:
            # Two staff saving the same garment and size at once: the second waits here and
            # changes the first one's row (the partial unique index would refuse a second).
            Hub.objects.select_for_update().filter(pk=hub.pk).first()
        current = (
            Pattern.objects.select_for_update()
            .filter(hub=hub, garment_type=garment_type, size=size, is_current=True)
            .first()
        )
        if current is None:
            current = Pattern.objects.create(
                hub=hub, garment_type=garment_type, size=size, is_current=True, **wanted
            )
            change = f"Pattern added for {label}"
        else:
            changed = [field for field, value in wanted.items() if getattr(current, field) != value]
            if not changed:
                return current
            for field in changed:
                setattr(current, field, wanted[field])
            current.save(update_fields=changed)
            change = f"Pattern for {label} changed: {', '.join(changed)}"
        if hub is not None:
            from scrubhub.audit.models import AuditEvent
            from scrubhub.audit.services import audit_record

            audit_record(
                actor=actor,
                hub=hub,
                action=AuditEvent.Action.CHANGED,
                subject=current,
                detail=change.replace("_", " "),
            )
    return current


def patterns_save(
    *,
    hub: Hub,
    garment_type: str,
    name: str,
    metres_by_size: dict[str, Decimal],
    actor,
    instructions_text: str = "",
    instructions_url: str = "",
) -> list[Pattern]:
    """One pattern in several sizes, each with the fabric it takes (pattern_save for each):
    all of them are saved, or none."""
    if not metres_by_size:
        raise PatternError("Fill in the fabric for at least one size: the sizes it makes.")
    with transaction.atomic():
        return [
            pattern_save(
                hub=hub,
                garment_type=garment_type,
                size=size,
                name=name,
                metres_per_garment=metres,
                instructions_text=instructions_text,
                instructions_url=instructions_url,
                actor=actor,
            )
            for size, metres in metres_by_size.items()
        ]


# --- Kits -----------------------------------------------------------------------------------


# A batch bigger than this is a typing mistake, not a day's work for a hub.
MAX_KITS_PER_BATCH = 200
MAX_GARMENTS_PER_KIT = 20


def stock_left(stock: PrecutStock | FabricLot) -> Decimal | int:
    """What is left of a stock row now: garments' worth of pieces, or metres of fabric."""
    if isinstance(stock, PrecutStock):
        return stock.quantity_available
    return stock.metres_available


def kits_prepare(
    *,
    hub: Hub,
    garment_type: str,
    size: str,
    kit_count: int,
    garments_per_kit: int,
    actor,
    precut_stock: PrecutStock | None = None,
    fabric_lot: FabricLot | None = None,
    pattern: Pattern | None = None,
    expected_left: Decimal | int | None = None,
) -> KitBatch:
    """Make up a batch of `kit_count` kits of `garments_per_kit` garments each, drawing
    pre-cut pieces or fabric (the pattern's metres per garment), never both, and record the
    batch with the kits it made.

    `expected_left` is what was left of the stock when the person looked (the confirm
    page): if anyone has drawn from, or put back into, the same stock since, the numbers
    they confirmed are stale, so nothing is drawn and they are shown the new numbers.
    """
    if not 1 <= kit_count <= MAX_KITS_PER_BATCH:
        raise StockError(f"Make between 1 and {MAX_KITS_PER_BATCH} kits in one batch.")
    if not 1 <= garments_per_kit <= MAX_GARMENTS_PER_KIT:
        raise StockError(f"Put between 1 and {MAX_GARMENTS_PER_KIT} garments in each kit.")
    if (precut_stock is None) == (fabric_lot is None):
        raise StockError("Choose either a batch of pre-cut pieces or a fabric lot, not both.")
    garment_type, size = GarmentType(garment_type), Size(size)
    if pattern is None:
        pattern = pattern_for(hub=hub, garment_type=garment_type, size=size)
    elif pattern.hub_id not in (None, hub.pk) or (pattern.garment_type, pattern.size) != (
        garment_type,
        size,
    ):
        raise StockError(f"That pattern is not for {garment_type.label.lower()} in size {size}.")
    stock = precut_stock if precut_stock is not None else fabric_lot
    if stock.hub_id != hub.pk:
        kind = "batch of pieces" if precut_stock is not None else "fabric lot"
        raise StockError(f"That {kind} belongs to a different hub.")
    total = kit_count * garments_per_kit
    with transaction.atomic():
        if expected_left is not None:
            # Held until commit, so the check below and the draw see the same stock.
            current = type(stock).objects.select_for_update().get(pk=stock.pk)
            now_left = stock_left(current)
            if Decimal(now_left) != Decimal(expected_left):
                unit = "garments' worth of pieces" if precut_stock is not None else "metres"
                raise StockError(
                    f"Someone else has used this stock since you looked: it had "
                    f"{expected_left} {unit} left, and now it has {now_left}. Nothing was "
                    "drawn. Check the new numbers below and confirm again."
                )
        if precut_stock is not None:
            if (precut_stock.garment_type, precut_stock.size) != (garment_type, size):
                raise StockError(
                    f"That batch holds {precut_stock.get_garment_type_display().lower()} "
                    f"in size {precut_stock.size}, not {garment_type.label.lower()} in {size}."
                )
            # Compare-and-set: two staff drawing the last pieces cannot both have them.
            drawn = PrecutStock.objects.filter(
                pk=precut_stock.pk, quantity_available__gte=total
            ).update(quantity_available=F("quantity_available") - total)
            if not drawn:
                left = PrecutStock.objects.get(pk=precut_stock.pk).quantity_available
                raise StockError(
                    f"There are only {_garments_worth(left)} of pieces left in that batch; "
                    f"{_kits(kit_count)} of {garments_per_kit} need {total}."
                )
            source = {"source": Kit.Source.PRECUT, "precut_stock": precut_stock}
        else:
            if not fabric_lot.approved_for_hospital_washing:
                raise StockError(
                    "That fabric is not approved for hospital washing, so it cannot be used."
                )
            if pattern is None:
                raise StockError(
                    f"There is no pattern for {garment_type.label.lower()} in size {size}, "
                    "so we cannot tell how much fabric a kit needs."
                )
            per_kit = pattern.metres_per_garment * garments_per_kit
            metres = per_kit * kit_count
            drawn = FabricLot.objects.filter(pk=fabric_lot.pk, metres_available__gte=metres).update(
                metres_available=F("metres_available") - metres
            )
            if not drawn:
                left = FabricLot.objects.get(pk=fabric_lot.pk).metres_available
                raise StockError(
                    f"There are only {left} metres left in that lot; {_kits(kit_count)} of "
                    f"{garments_per_kit} need {metres} metres."
                )
            source = {
                "source": Kit.Source.FABRIC,
                "fabric_lot": fabric_lot,
                "fabric_metres": per_kit,
            }
        kits = [
            _kit_create(
                hub=hub,
                garment_type=garment_type,
                size=size,
                garment_count=garments_per_kit,
                pattern=pattern,
                actor=actor,
                **source,
            )
            for _ in range(kit_count)
        ]
        GarmentMovement.objects.bulk_create(
            [
                GarmentMovement(
                    kit=kit, from_place="", to_place=P.IN_KIT, count=garments_per_kit, actor=actor
                )
                for kit in kits
            ]
        )
        KitEvent.objects.bulk_create(
            [KitEvent(kit=kit, old_status="", new_status=K.PREPARED, actor=actor) for kit in kits]
        )
        _tally_add(hub_id=hub.pk, garment_type=garment_type, size=size, deltas={P.IN_KIT: total})
        batch = KitBatch.objects.create(
            hub=hub,
            garment_type=garment_type,
            size=size,
            garments_per_kit=garments_per_kit,
            kit_count=kit_count,
            precut_stock=precut_stock,
            fabric_lot=fabric_lot,
            metres_drawn=metres if fabric_lot is not None else None,
            created_by=actor,
        )
        batch.kits.set(kits)
    return batch


def _kit_create(**fields) -> Kit:
    actor = fields.pop("actor")
    for _attempt in range(5):
        code = kit_code_generate()
        try:
            # A savepoint, so a code collision does not spoil the caller's transaction.
            with transaction.atomic():
                return Kit.objects.create(
                    code=code,
                    qty_in_kit=fields["garment_count"],
                    created_by=actor,
                    **fields,
                )
        except IntegrityError:
            if not Kit.objects.filter(code=code).exists():
                raise
    raise KitError("Could not find a free kit code. Please try again.")


def _check_holder(*, kit: Kit, maker, group) -> None:
    if (maker is None) == (group is None):
        raise KitError("A kit goes to one maker or one group.")
    if maker is not None:
        if maker.hub_id != kit.hub_id:
            raise KitError("That maker belongs to a different hub.")
        if not maker.may_receive_kits:
            raise KitError(
                f"{maker} is {maker.get_status_display().lower()}, so cannot be given a kit."
            )
        from makers.guardian_services import kit_refusal

        # 16 and 17 year olds wait for a parent or guardian to agree (the maker is locked).
        if refusal := kit_refusal(maker=maker):
            raise KitError(refusal)
    else:
        if group.hub_id != kit.hub_id:
            raise KitError("That group belongs to a different hub.")
        if group.status != group.Status.ACTIVE:
            raise KitError(f"{group} is {group.get_status_display().lower()}, so gets no kits.")


def _assignment_open(*, kit: Kit, maker, group, actor) -> KitAssignment:
    assignment = KitAssignment.objects.create(kit=kit, maker=maker, group=group, assigned_by=actor)
    _holder_model(assignment).update(
        kits_held=F("kits_held") + 1, last_given_at=assignment.assigned_at
    )
    if maker is not None and maker.status != maker.Status.ACTIVE:
        from makers.services import maker_mark_active

        maker_mark_active(maker=maker, actor=actor)
    return assignment


def _holder_name(assignment: KitAssignment | None) -> str:
    if assignment is None:
        return ""
    return str(assignment.holder)


def _person(user) -> str:
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


def _taken_error(kit: Kit) -> KitTakenError:
    """The plain sentence for a kit that is no longer on the shelf."""
    if kit.status in {K.ALLOCATED, K.WITH_MAKER}:
        assignment = (
            KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
            .select_related("maker", "group", "assigned_by")
            .first()
        )
        if assignment is not None:
            return KitTakenError(
                gettext(
                    "Kit %(code)s was just given to %(holder)s by %(staff)s, so it is no "
                    "longer on the shelf. Choose another kit."
                )
                % {
                    "code": kit.display_code,
                    "holder": _holder_name(assignment),
                    "staff": _person(assignment.assigned_by),
                },
                kit=kit,
            )
    return KitTakenError(
        gettext("Kit %(code)s is no longer on the shelf: it is %(status)s. Choose another kit.")
        % {"code": kit.display_code, "status": kit.get_status_display().lower()},
        kit=kit,
    )


def _open_assignment(kit: Kit) -> KitAssignment | None:
    return (
        KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
        .select_related("maker", "group", "group__leader")
        .first()
    )


def kit_allocate(
    *, kit: Kit, actor, maker=None, group=None, collection_point: Point | None = None
) -> Kit:
    """Give a prepared kit to one maker or one group, optionally to collect at a point, and
    tell them where to collect it. A kit a colleague gave out a moment ago is refused with
    who has it (KitTakenError), not a bare status."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.PREPARED:
            raise _taken_error(kit)
        _check_holder(kit=kit, maker=maker, group=group)
        if collection_point is not None:
            if collection_point.hub_id != kit.hub_id:
                raise KitError("That point belongs to a different hub.")
            if not (collection_point.is_active and collection_point.accepts_kit_collection):
                raise KitError(f"{collection_point.name} is not taking kits for collection.")
        kit = _kit_status_set(
            kit=kit, to=K.ALLOCATED, actor=actor, collection_point=collection_point
        )
        _assignment_open(kit=kit, maker=maker, group=group, actor=actor)
        tell_given(kit=kit, assignment=_open_assignment(kit))
    return kit


def kit_reallocate(*, kit: Kit, actor, maker=None, group=None, reason: str = "") -> Kit:
    """Give an allocated or collected kit to someone else; the earlier holder stays in the
    kit's history. If it was still waiting to be collected, the new holder is told where,
    and the old one is told not to come for it."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status not in {K.ALLOCATED, K.WITH_MAKER}:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; only a kit that "
                "has been given out can be given to someone else."
            )
        _check_holder(kit=kit, maker=maker, group=group)
        before = _open_assignment(kit)
        if (
            before
            and before.maker_id == getattr(maker, "pk", None)
            and before.group_id == (getattr(group, "pk", None))
        ):
            raise KitError(f"{_kit_label(kit)} is already with {before.holder}.")
        _assignment_end(
            kit=kit, actor=actor, reason=reason.strip() or gettext("Given to someone else")
        )
        _assignment_open(kit=kit, maker=maker, group=group, actor=actor)
        _kit_event(kit=kit, old=kit.status, new=kit.status, actor=actor, note="Reallocated")
        if kit.status == K.ALLOCATED:
            if before is not None:
                tell_not_needed(kit=kit, assignment=before)
            tell_given(kit=kit, assignment=_open_assignment(kit))
    return kit


def kit_take_back(*, kit: Kit, actor, reason: str = "") -> Kit:
    """An allocated kit nobody collected goes back on the shelf, and its holder is told
    they need not come for it."""
    reason = reason.strip() or gettext("Taken back")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.ALLOCATED:
            raise KitError(
                gettext(
                    "Kit %(code)s is %(status)s. Only a kit waiting to be collected can be "
                    "taken back onto the shelf."
                )
                % {"code": kit.display_code, "status": kit.get_status_display().lower()}
            )
        before = _open_assignment(kit)
        kit = _kit_status_set(
            kit=kit, to=K.PREPARED, actor=actor, note=reason, collection_point=None
        )
        _assignment_end(kit=kit, actor=actor, reason=reason)
        if before is not None:
            tell_not_needed(kit=kit, assignment=before)
    return kit


def kit_collect(
    *, kit: Kit, actor, handover: Handover | None = None, point: Point | None = None
) -> Kit:
    """The maker (or group) has the kit: every garment goes from the kit to them."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.ALLOCATED:
            raise KitError(
                f"{_kit_label(kit)} is {kit.get_status_display().lower()}; only a kit given "
                "to a maker can be collected."
            )
        return _garments_move(
            kit_id=kit.pk,
            from_place=P.IN_KIT,
            to_place=P.WITH_MAKER,
            count=kit.garment_count,
            actor=actor,
            handover=handover,
            point=point,
            reason="Collected",
            new_status=K.WITH_MAKER,
        )


def kit_progress_log(*, kit: Kit, finished: int, actor) -> Kit:
    """The maker says how many garments are finished. The number only goes up."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.WITH_MAKER:
            raise KitError(f"{_kit_label(kit)} is not with a maker, so progress cannot be logged.")
        if not 0 <= finished <= kit.garment_count:
            raise KitError(
                f"{_kit_label(kit)} has {_garments(kit.garment_count)}; "
                f"{finished} cannot be finished."
            )
        moved = Kit.objects.filter(pk=kit.pk, finished_count__lt=finished).update(
            finished_count=finished
        )
        if not moved:
            raise KitError(
                f"You already said {kit.finished_count} are finished; the number can only go up."
            )
        KitProgress.objects.create(kit=kit, finished=finished, actor=actor)
    kit.refresh_from_db()
    return kit


def garments_return(
    *,
    kit: Kit,
    count: int,
    actor,
    point: Point | None = None,
    doorstep: bool = False,
    handover: Handover | None = None,
    from_place: str = P.WITH_MAKER,
) -> Kit:
    """A maker hands in finished garments: at a point (they wait there for a driver), on
    their doorstep (a driver takes them on), or at the hub (straight to checking). Part of
    a kit may come back now and the rest later."""
    if from_place not in {P.WITH_MAKER, P.REWORK}:
        raise KitError("Only garments with the maker or being reworked can be handed in.")
    if point is not None and doorstep:
        raise KitError("Garments are handed in at a point or on a doorstep, not both.")
    if point is not None:
        if point.hub_id != kit.hub_id:
            raise KitError("That point belongs to a different hub.")
        if not (point.is_active and point.accepts_finished_garments):
            raise KitError(f"{point.name} is not taking finished scrubs at the moment.")
    to_place = P.AT_POINT if point else P.IN_TRANSIT if doorstep else P.AWAITING_CHECK
    return _garments_move(
        kit_id=kit.pk,
        from_place=from_place,
        to_place=to_place,
        count=count,
        actor=actor,
        point=point,
        handover=handover,
        reason="Collected from the doorstep" if doorstep else "",
    )


def garments_pick_up(
    *, kit: Kit, point: Point, count: int, actor, handover: Handover | None = None
) -> Kit:
    """A driver takes finished garments from a point."""
    return _garments_move(
        kit_id=kit.pk,
        from_place=P.AT_POINT,
        to_place=P.IN_TRANSIT,
        count=count,
        actor=actor,
        point=point,
        handover=handover,
    )


def garments_arrive_at_hub(*, kit: Kit, count: int, actor, handover: Handover | None = None) -> Kit:
    """Garments on the way reach the hub and wait to be checked."""
    return _garments_move(
        kit_id=kit.pk,
        from_place=P.IN_TRANSIT,
        to_place=P.AWAITING_CHECK,
        count=count,
        actor=actor,
        handover=handover,
    )


def kit_return_unfinished(
    *,
    kit: Kit,
    actor,
    finished: int,
    to_stock: int = 0,
    written_off: int = 0,
    reason: str = "",
    handover: Handover | None = None,
) -> Kit:
    """A maker gives back a kit they cannot finish: finished garments go to checking, unsewn
    pieces back to stock or written off (with a reason). Together they must be everything
    the maker still has."""
    if min(finished, to_stock, written_off) < 0:
        raise KitError("Counts cannot be less than nothing.")
    if written_off and not reason.strip():
        raise KitError("Please say why the pieces are being written off.")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if kit.status != K.WITH_MAKER:
            raise KitError(f"{_kit_label(kit)} is not with a maker.")
        if finished + to_stock + written_off != kit.qty_with_maker:
            raise KitError(
                f"The maker has {_garments(kit.qty_with_maker)} from {_kit_label(kit)}; "
                f"{finished} finished, {to_stock} to stock and {written_off} written off "
                f"make {finished + to_stock + written_off}."
            )
        moves = [
            (P.AWAITING_CHECK, finished, "Handed back unfinished kit"),
            (P.RETURNED_TO_STOCK, to_stock, "Unsewn pieces back in stock"),
            (P.WRITTEN_OFF, written_off, reason),
        ]
        for to_place, count, why in moves:
            if count:
                kit = _garments_move(
                    kit_id=kit.pk,
                    from_place=P.WITH_MAKER,
                    to_place=to_place,
                    count=count,
                    actor=actor,
                    handover=handover,
                    reason=why,
                )
        if to_stock:
            _stock_recredit(kit=kit, count=to_stock, actor=actor)
    return kit


# The reasons the check page offers for a failed garment, besides one typed in.
STANDARD_REASONS = {
    "seams": gettext_lazy("Seams"),
    "sizing": gettext_lazy("Sizing"),
    "fabric": gettext_lazy("Fabric"),
    "soiled": gettext_lazy("Soiled"),
}


@dataclass(frozen=True)
class Failure:
    """Garments that failed the check for one reason."""

    reason: str
    count: int


def quality_check_record(
    *,
    kit: Kit,
    passed: int,
    failures: list[Failure],
    actor,
    failed_outcome: str = "",
    note: str = "",
) -> QualityCheck:
    """Record a check of garments waiting at the hub, with a reason for every failed one (a
    check everything passed has no failures). Failed ones go back to the maker for rework
    or are written off; rework is queued to the maker (or group) with the reasons and the
    note, in the same transaction."""
    failures = [f for f in failures if f.count]
    if any(f.count < 0 for f in failures):
        raise KitError(gettext("A number of garments cannot be less than nothing."))
    if any(not f.reason.strip() for f in failures):
        raise KitError(gettext("Say what was wrong with each failed garment."))
    failed = sum(f.count for f in failures)
    if passed < 0 or passed + failed < 1:
        raise KitError("Say how many garments passed and how many failed.")
    if failed and failed_outcome not in QualityCheck.FailedOutcome.values:
        raise KitError("Say whether the failed garments go back for rework or are written off.")
    note = note.strip()
    reason = "; ".join(f"{f.reason}: {f.count}" for f in failures)
    if note and failed:
        reason = f"{reason}. {note}"
    reason = reason[:2000]
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if passed + failed > kit.qty_awaiting_check:
            raise KitError(
                f"{_kit_label(kit)} has {_garments(kit.qty_awaiting_check)} waiting to be "
                f"checked, not {passed + failed}."
            )
        check = QualityCheck.objects.create(
            kit=kit,
            passed=passed,
            failed=failed,
            failed_outcome=failed_outcome if failed else "",
            reason=reason,
            checked_by=actor,
        )
        _check_count(kit=kit, passed=passed, failed=failed)
        # Failures first: a kit whose last garments pass must close with nothing pending.
        if failed:
            _garments_move(
                kit_id=kit.pk,
                from_place=P.AWAITING_CHECK,
                to_place=failed_outcome,
                count=failed,
                actor=actor,
                reason=reason,
            )
        if passed:
            _garments_move(
                kit_id=kit.pk,
                from_place=P.AWAITING_CHECK,
                to_place=P.PASSED,
                count=passed,
                actor=actor,
            )
        if failed and failed_outcome == QualityCheck.FailedOutcome.REWORK:
            tell_rework(check=check, failures=failures, note=note)
    return check


def garments_write_off(
    *,
    kit: Kit,
    from_place: str,
    count: int,
    reason: str,
    actor,
    point: Point | None = None,
) -> Kit:
    """Write off garments that are missing or spoiled, with a reason."""
    if not reason.strip():
        raise KitError("Please say why the garments are being written off.")
    return _garments_move(
        kit_id=kit.pk,
        from_place=from_place,
        to_place=P.WRITTEN_OFF,
        count=count,
        actor=actor,
        point=point,
        reason=reason,
    )


def kit_mark_lost(*, kit: Kit, actor, reason: str) -> Kit:
    """The kit went missing while a maker had it: what they held is written off."""
    if not reason.strip():
        raise KitError("Please say what happened to the kit.")
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if K.LOST not in KIT_ALLOWED[kit.status]:
            raise KitError(f"A {kit.get_status_display().lower()} kit cannot be marked lost.")
        elsewhere = kit.open_garments - kit.qty_in_kit - kit.qty_with_maker - kit.qty_rework
        if elsewhere:
            raise KitError(
                f"{_garments(elsewhere)} from {_kit_label(kit)} "
                f"{ngettext('has', 'have', elsewhere)} already been handed in. "
                "Write off only the missing ones instead."
            )
        moves = [
            (p, getattr(kit, qty_field(p)))
            for p in (P.IN_KIT, P.WITH_MAKER, P.REWORK)
            if getattr(kit, qty_field(p))
        ]
        for index, (place, count) in enumerate(moves):
            last = index == len(moves) - 1
            kit = _garments_move(
                kit_id=kit.pk,
                from_place=place,
                to_place=P.WRITTEN_OFF,
                count=count,
                actor=actor,
                reason=reason,
                new_status=K.LOST if last else None,
                status_note=reason if last else "",
            )
        if not moves:  # nothing left with the maker: everything else is already settled
            kit = _kit_status_set(kit=kit, to=K.LOST, actor=actor, note=reason)
            _assignment_end(kit=kit, actor=actor, reason=str(K.LOST.label))
    return kit


def kit_cancel(*, kit: Kit, actor, reason: str = "") -> Kit:
    """A kit nobody has collected is broken up: its pieces go back to stock."""
    with transaction.atomic():
        kit = _lock_kit(kit.pk)
        if K.CANCELLED not in KIT_ALLOWED[kit.status]:
            raise KitError(f"A {kit.get_status_display().lower()} kit cannot be cancelled.")
        kit = _garments_move(
            kit_id=kit.pk,
            from_place=P.IN_KIT,
            to_place=P.RETURNED_TO_STOCK,
            count=kit.qty_in_kit,
            actor=actor,
            reason=reason or "Kit cancelled",
            new_status=K.CANCELLED,
            status_note=reason,
        )
        _stock_recredit(kit=kit, count=kit.qty_returned_to_stock, actor=actor)
    return kit


# --- Demand ---------------------------------------------------------------------------------


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


# --- Deliveries -----------------------------------------------------------------------------


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


# --- Tallies --------------------------------------------------------------------------------


def tallies_rebuild(*, hub: Hub) -> int:
    """Recompute a hub's tallies from its kits (for repair after a bypass; in normal running
    they never drift). Returns how many tally rows were written."""
    from django.db.models import Sum

    with transaction.atomic():
        HubTally.objects.select_for_update().filter(hub=hub).exists()
        sums = (
            Kit.objects.filter(hub=hub)
            .values("garment_type", "size")
            .annotate(**{qty_field(p): Sum(qty_field(p)) for p in Place.values})
        )
        written = 0
        seen = set()
        for row in sums:
            key = (row["garment_type"], row["size"])
            seen.add(key)
            HubTally.objects.update_or_create(
                hub=hub,
                garment_type=key[0],
                size=key[1],
                defaults={qty_field(p): row[qty_field(p)] or 0 for p in Place.values},
            )
            written += 1
        for tally in HubTally.objects.filter(hub=hub):
            if (tally.garment_type, tally.size) not in seen:
                HubTally.objects.filter(pk=tally.pk).update(
                    **{qty_field(p): 0 for p in Place.values}
                )
    return written


# --- The laundry and the hub's deliveries (issue 9) ---------------------------------------
#
# The laundry's requests as its pages make them (a size run all or nothing), and a
# confirmed delivery with its effects (demand met, makers thanked) in one transaction.

# Nobody asks for more than this of one size at once; a bigger number is a typing slip.
DEMAND_MAX_PER_SIZE = 20_000
THANK_YOU_NOTE_MAX = 500


class LaundryError(PackagesError):
    pass


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


def _requirement_fields(*, title: str, detail: str, garment_type: str) -> dict:
    title = title.strip()
    if not title:
        raise LaundryError(gettext("Give the requirement a short name."))
    if garment_type and garment_type not in GarmentType.values:
        raise LaundryError(gettext("Choose which garments this applies to."))
    return {"title": title[:120], "detail": detail.strip(), "garment_type": garment_type}


def quality_requirement_add(
    *, hospital: Hospital, title: str, actor, detail: str = "", garment_type: str = ""
) -> QualityRequirement:
    fields = _requirement_fields(title=title, detail=detail, garment_type=garment_type)
    return QualityRequirement.objects.create(
        hospital=hospital, created_by=actor, changed_by=actor, **fields
    )


def quality_requirement_change(
    *,
    requirement: QualityRequirement,
    title: str,
    actor,
    detail: str = "",
    garment_type: str = "",
) -> QualityRequirement:
    fields = _requirement_fields(title=title, detail=detail, garment_type=garment_type)
    with transaction.atomic():
        requirement = QualityRequirement.objects.select_for_update().get(pk=requirement.pk)
        if not requirement.is_active:
            raise LaundryError(gettext("This requirement was removed, so it cannot be changed."))
        for name, value in fields.items():
            setattr(requirement, name, value)
        requirement.changed_by = actor
        requirement.save()
    return requirement


def quality_requirement_remove(*, requirement: QualityRequirement, actor) -> QualityRequirement:
    """Stop asking for it. The row stays, so old kits' instructions still make sense."""
    with transaction.atomic():
        updated = QualityRequirement.objects.filter(pk=requirement.pk, is_active=True).update(
            is_active=False, changed_by=actor, changed_at=timezone.now()
        )
        if not updated:
            raise LaundryError(gettext("This requirement has already been removed."))
    requirement.refresh_from_db()
    return requirement


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


def wash_failure_report(
    *,
    delivery: Delivery,
    line: DeliveryLine,
    count: int,
    reason: str,
    actor,
    note: str = "",
    kit_code: str = "",
) -> WashFailure:
    """The laundry reports garments from a delivery that failed in the wash. Never more than
    arrived of that size; a kit code read off a label must be one that was in that line."""
    if count < 1:
        raise LaundryError(gettext("Say how many garments failed: at least one."))
    if reason not in WashFailure.Reason.values:
        raise LaundryError(gettext("Choose what went wrong."))
    if reason == WashFailure.Reason.OTHER and not note.strip():
        raise LaundryError(gettext("Please say what went wrong."))
    with transaction.atomic():
        # One report at a time per delivery, so two reports cannot both use the last garments.
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != Delivery.Status.RECEIVED:
            raise LaundryError(
                gettext("You can report wash failures once the delivery has been confirmed.")
            )
        line = DeliveryLine.objects.filter(pk=line.pk, delivery=delivery).first()
        if line is None:
            raise LaundryError(gettext("That part is not in this delivery."))
        from django.db.models import Sum

        arrived = min(line.count_received or 0, line.count_sent)
        already = line.wash_failures.aggregate(n=Sum("count"))["n"] or 0
        if already + count > arrived:
            raise LaundryError(
                gettext(
                    "%(arrived)s %(garment)s in size %(size)s arrived in this delivery and "
                    "%(already)s are already reported, so %(count)s more cannot have failed."
                )
                % {
                    "arrived": arrived,
                    "garment": GarmentType(line.garment_type).label.lower(),
                    "size": line.size,
                    "already": already,
                    "count": count,
                }
            )
        kit = None
        if kit_code.strip():
            code = normalise_kit_code(kit_code)
            allocation = (
                DeliveryAllocation.objects.filter(line=line, kit__code=code)
                .select_related("kit")
                .first()
                if code
                else None
            )
            if allocation is None:
                raise LaundryError(
                    gettext(
                        "That kit code was not in this part of the delivery. Check the label, "
                        "or leave the code empty."
                    )
                )
            kit = allocation.kit
            kit_already = line.wash_failures.filter(kit=kit).aggregate(n=Sum("count"))["n"] or 0
            if kit_already + count > allocation.count:
                raise LaundryError(
                    ngettext(
                        "Kit %(code)s had %(sent)s garment in this delivery and %(already)s "
                        "already reported, so %(count)s more cannot have failed.",
                        "Kit %(code)s had %(sent)s garments in this delivery and %(already)s "
                        "already reported, so %(count)s more cannot have failed.",
                        allocation.count,
                    )
                    % {
                        "code": kit.display_code,
                        "sent": allocation.count,
                        "already": kit_already,
                        "count": count,
                    }
                )
        else:
            # When every garment of the size came from one kit, the failed ones did too: the
            # report then reaches that kit's maker without the laundry naming it.
            only = list(DeliveryAllocation.objects.filter(line=line).select_related("kit")[:2])
            if len(only) == 1:
                kit = only[0].kit
        return WashFailure.objects.create(
            delivery=delivery,
            line=line,
            kit=kit,
            count=count,
            reason=reason,
            note=note.strip(),
            reported_by=actor,
        )


def wash_failure_look_at(*, failure: WashFailure, actor, note: str = "") -> WashFailure:
    """Hub staff say they have looked at a wash failure (the kit, how it was made, a word
    with the maker): it leaves the dashboard's to-dos. Once only; kept in the audit trail."""
    from scrubhub.audit.models import AuditEvent
    from scrubhub.audit.services import audit_record

    with transaction.atomic():
        # Two staff may clear the same to-do at once: the second is told, not recorded twice.
        failure = (
            WashFailure.objects.select_for_update(of=("self",))
            .select_related("delivery")
            .get(pk=failure.pk)
        )
        if failure.status == WashFailure.Status.LOOKED_AT:
            raise DeliveryError(gettext("Someone has already looked at this wash failure."))
        failure.status = WashFailure.Status.LOOKED_AT
        failure.looked_at_at = timezone.now()
        failure.looked_at_by = actor
        failure.looked_at_note = note.strip()
        failure.save(update_fields=["status", "looked_at_at", "looked_at_by", "looked_at_note"])
        audit_record(
            actor=actor,
            hub=failure.delivery.hub,
            action=AuditEvent.Action.CHANGED,
            subject=failure,
            detail="Wash failure marked as looked at",
        )
    return failure
