"""Writes behind the hub staff pages: shift notes and goods in.

Stock and kits themselves change only through packages.services (preparing a batch of kits
is packages.services.kits_prepare); goods in puts the pieces its page needs into one
transaction, so the page never leaves half of its work saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from packages import services as packages
from packages.models import Donation, GarmentType, Size
from packages.services import MAX_GARMENTS_PER_KIT, MAX_KITS_PER_BATCH  # noqa: F401 - forms
from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hub, ShiftNote

SHIFT_NOTE_MAX = 1000


class HubError(DomainError):
    """A change the rules do not allow; the message is a sentence for the person who tried."""


# --- Shift notes ----------------------------------------------------------------------------


def shift_note_leave(*, hub: Hub, text: str, actor) -> ShiftNote:
    """The outgoing shift's note for the next one."""
    text = (text or "").strip()
    if not text:
        raise HubError("Please write a note before saving it.")
    if len(text) > SHIFT_NOTE_MAX:
        raise HubError(
            f"Please keep the note to {SHIFT_NOTE_MAX} letters or fewer; it has {len(text)}."
        )
    return ShiftNote.objects.create(hub=hub, text=text, written_by=actor)


# --- Goods in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FabricIn:
    colour: str
    metres: Decimal
    width_cm: int | None = None
    approved_for_hospital_washing: bool = False


@dataclass(frozen=True)
class PrecutIn:
    garment_type: str
    size: str
    quantity: int
    cut_by: str


def goods_in_record(
    *,
    hub: Hub,
    actor,
    donor_name: str,
    kind: str,
    received_on: date | None = None,
    quantity: Decimal | int = 0,
    unit: str = "",
    description: str = "",
    donor_contact: str = "",
    fabric: FabricIn | None = None,
    precut: PrecutIn | None = None,
) -> Donation:
    """Record a donation and, for fabric or pre-cut pieces, put it on the shelf as stock,
    all or nothing."""
    if kind not in Donation.Kind.values:
        raise HubError("Please choose what was given.")
    if received_on is not None and received_on > timezone.localdate():
        raise HubError("The date it came in cannot be in the future.")
    if kind == Donation.Kind.FABRIC and fabric is None:
        raise HubError("Please give the fabric's colour and how many metres came in.")
    if kind == Donation.Kind.PRECUT and precut is None:
        raise HubError("Please say which garment, which size and how many came in.")
    if precut is not None and (
        precut.garment_type not in GarmentType.values or precut.size not in Size.values
    ):
        raise HubError("Please choose the garment and size of the pieces.")
    with transaction.atomic():
        try:
            if kind == Donation.Kind.FABRIC:
                quantity, unit = fabric.metres, "metres"
            elif kind == Donation.Kind.PRECUT:
                quantity, unit = precut.quantity, "garments"
            donation = packages.donation_record(
                hub=hub,
                donor_name=donor_name,
                kind=kind,
                actor=actor,
                received_on=received_on,
                quantity=quantity,
                unit=unit,
                description=description,
                donor_contact=donor_contact,
            )
            if kind == Donation.Kind.FABRIC:
                packages.fabric_lot_receive(
                    hub=hub,
                    supplier=donation.donor_name,
                    colour=fabric.colour.strip(),
                    metres=fabric.metres,
                    width_cm=fabric.width_cm,
                    approved_for_hospital_washing=fabric.approved_for_hospital_washing,
                    donation=donation,
                    actor=actor,
                )
            elif kind == Donation.Kind.PRECUT:
                packages.precut_receive(
                    hub=hub,
                    garment_type=precut.garment_type,
                    size=precut.size,
                    quantity=precut.quantity,
                    cut_by=precut.cut_by.strip() or donation.donor_name,
                    donation=donation,
                    actor=actor,
                )
        except packages.PackagesError as error:
            raise HubError(str(error)) from error
    return donation
