"""Quality: the hub's check of garments waiting at the hub (each failed one with a reason) and
writing off what is missing or spoiled; the hospital's quality requirements printed in
every kit; and garments the laundry reports failed in the wash, which hub staff look at.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from dropoffs.models import Point
from packages.codes import normalise_kit_code
from packages.kit_messages import tell_rework
from packages.models import (
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    GarmentType,
    Kit,
    Place,
    QualityCheck,
    QualityRequirement,
    WashFailure,
)
from packages.services.errors import DeliveryError, KitError, LaundryError
from packages.services.moves import _check_count, _garments, _garments_move, _kit_label, _lock_kit
from scrubhub.hubs.models import Hospital

P = Place


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
