"""Writes behind the hub staff pages: shift notes, goods in, and preparing a batch of kits.

Stock and kits themselves change only through packages.services; these functions put the
pieces a page needs into one transaction, so a page never leaves half of its work saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from packages import services as packages
from packages.models import Donation, FabricLot, GarmentType, PrecutStock, Size
from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hub, KitBatch, ShiftNote

SHIFT_NOTE_MAX = 1000
# A batch bigger than this is a typing mistake, not a day's work for a hub.
MAX_KITS_PER_BATCH = 200
MAX_GARMENTS_PER_KIT = 20


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


# --- Preparing kits -------------------------------------------------------------------------


def stock_left(stock: PrecutStock | FabricLot) -> Decimal | int:
    """What is left of a stock row now: garments' worth of pieces, or metres of fabric."""
    if isinstance(stock, PrecutStock):
        return stock.quantity_available
    return stock.metres_available


def kit_batch_prepare(
    *,
    hub: Hub,
    garment_type: str,
    size: str,
    garments_per_kit: int,
    kit_count: int,
    stock: PrecutStock | FabricLot,
    expected_left: Decimal | int,
    actor,
) -> KitBatch:
    """Make up a batch of kits from one stock, as the person saw it on the confirm page.

    `expected_left` is what was left of the stock when they looked: if anyone has drawn
    from (or put back into) the same stock since, the numbers they confirmed are stale, so
    nothing is drawn and they are shown the new numbers.
    """
    if not 1 <= kit_count <= MAX_KITS_PER_BATCH:
        raise HubError(f"Make between 1 and {MAX_KITS_PER_BATCH} kits in one batch.")
    if not 1 <= garments_per_kit <= MAX_GARMENTS_PER_KIT:
        raise HubError(f"Put between 1 and {MAX_GARMENTS_PER_KIT} garments in each kit.")
    if stock.hub_id != hub.pk:
        raise HubError("That stock belongs to a different hub.")
    model = type(stock)
    with transaction.atomic():
        # Held until commit, so the check below and the draw see the same stock.
        current = model.objects.select_for_update().get(pk=stock.pk)
        now_left = stock_left(current)
        if Decimal(now_left) != Decimal(expected_left):
            unit = "garments' worth of pieces" if model is PrecutStock else "metres"
            raise HubError(
                f"Someone else has used this stock since you looked: it had {expected_left} "
                f"{unit} left, and now it has {now_left}. Nothing was drawn. Check the new "
                "numbers below and confirm again."
            )
        try:
            kits = packages.kits_prepare(
                hub=hub,
                garment_type=garment_type,
                size=size,
                kit_count=kit_count,
                garments_per_kit=garments_per_kit,
                actor=actor,
                precut_stock=current if model is PrecutStock else None,
                fabric_lot=current if model is FabricLot else None,
            )
        except packages.PackagesError as error:
            raise HubError(str(error)) from error
        batch = KitBatch.objects.create(
            hub=hub,
            garment_type=garment_type,
            size=size,
            garments_per_kit=garments_per_kit,
            kit_count=kit_count,
            precut_stock=current if model is PrecutStock else None,
            fabric_lot=current if model is FabricLot else None,
            metres_drawn=(
                sum((k.fabric_metres for k in kits), Decimal(0)) if model is FabricLot else None
            ),
            created_by=actor,
        )
        batch.kits.set(kits)
    return batch
