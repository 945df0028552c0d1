"""Stock in and patterns: donations (and thanking the donor), fabric lots and pre-cut pieces
received, and the pattern a hub makes each garment type and size with (pattern_save, also
behind the admin and the start-a-hub steps).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from packages.models import (
    DONATION_DESCRIPTION_MAX,
    Donation,
    FabricLot,
    GarmentType,
    Pattern,
    PrecutStock,
    Size,
)
from packages.services.errors import PatternError, StockError
from scrubhub.hubs.models import Hub


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


# --- Patterns and sewing instructions ---------------------------------------------------------


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


def pattern_for(*, hub: Hub, garment_type: str, size: str) -> Pattern | None:
    """The hub's current pattern for a type and size, else the one every hub uses."""
    patterns = Pattern.objects.filter(garment_type=garment_type, size=size, is_current=True)
    return patterns.filter(hub=hub).first() or patterns.filter(hub__isnull=True).first()


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
