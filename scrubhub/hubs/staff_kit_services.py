"""Hub staff giving out many kits at once and checking garments with a reason for each
failure: the writes behind the allocation and quality-check pages that are more than one
kit rule. Giving out, handing on and taking back one kit are packages.services'
kit_allocate, kit_reallocate and kit_take_back, which also tell the maker.

Locking order, as in packages/services.py: kits (in id order), then makers (in id order),
so two staff giving out overlapping kits never wait on each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dropoffs.models import Point
from makers.models import Maker, MakerGroup
from packages import services as kits
from packages.kit_messages import tell
from packages.models import Kit, KitAssignment, QualityCheck
from packages.services import KitError
from scrubhub.hubs.models import Hub

# --- Giving out kits ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One kit and who it goes to, as staff chose it on the allocation page."""

    kit: Kit
    maker: Maker | None = None
    group: MakerGroup | None = None
    collection_point: Point | None = None


@dataclass
class ManyResult:
    given: list[Kit] = field(default_factory=list)
    refused: list[tuple[Kit, str]] = field(default_factory=list)


def kits_give_many(*, hub: Hub, choices: list[Choice], actor) -> ManyResult:
    """Give many kits at once, in one transaction. A kit a colleague gave out a moment ago
    (or a maker who cannot take kits any more) is refused by itself with the reason; the
    others are still given. A choice that names another hub's kit, maker, group or point
    refuses the whole lot before anything is written."""
    if not choices:
        raise KitError(_("Tick at least one kit to give out."))
    seen: set[int] = set()
    for choice in choices:
        holder = choice.maker or choice.group
        if choice.kit.pk in seen:
            raise KitError(_("Kit %(code)s is ticked twice.") % {"code": choice.kit.display_code})
        seen.add(choice.kit.pk)
        if holder is None or (choice.maker is not None and choice.group is not None):
            raise KitError(
                _("Choose one maker or one group for kit %(code)s.")
                % {"code": choice.kit.display_code}
            )
        hub_ids = {choice.kit.hub_id, holder.hub_id}
        if choice.collection_point is not None:
            hub_ids.add(choice.collection_point.hub_id)
        if hub_ids != {hub.pk}:
            raise KitError(_("Something you chose belongs to a different hub."))
    result = ManyResult()
    ordered = sorted(choices, key=lambda c: c.kit.pk)
    with transaction.atomic():
        # All the kits first, then the makers who may become active, each in id order.
        list(Kit.objects.select_for_update().filter(pk__in=seen).order_by("pk"))
        maker_ids = sorted({c.maker.pk for c in choices if c.maker is not None})
        list(Maker.objects.select_for_update().filter(pk__in=maker_ids).order_by("pk"))
        for choice in ordered:
            try:
                with transaction.atomic():
                    result.given.append(
                        kits.kit_allocate(
                            kit=choice.kit,
                            actor=actor,
                            maker=choice.maker,
                            group=choice.group,
                            collection_point=choice.collection_point,
                        )
                    )
            except KitError as error:
                result.refused.append((choice.kit, str(error)))
    return result


# --- The quality check ----------------------------------------------------------------------

STANDARD_REASONS = {
    "seams": gettext_lazy("Seams"),
    "sizing": gettext_lazy("Sizing"),
    "fabric": gettext_lazy("Fabric"),
    "soiled": gettext_lazy("Soiled"),
}


@dataclass(frozen=True)
class Failure:
    """Garments that failed for one reason."""

    reason: str
    count: int


def _reason_text(failures: list[Failure]) -> str:
    return "; ".join(f"{f.reason}: {f.count}" for f in failures if f.count)


def quality_check_with_reasons(
    *,
    kit: Kit,
    passed: int,
    failures: list[Failure],
    actor,
    failed_outcome: str = "",
    note: str = "",
) -> QualityCheck:
    """Record a check with a reason for every failed garment
    (packages.services.quality_check_record). Garments sent back for rework are queued to
    the maker (or group) with the reasons and the note, in the same transaction."""
    failures = [f for f in failures if f.count]
    if any(f.count < 0 for f in failures):
        raise KitError(_("A number of garments cannot be less than nothing."))
    if any(not f.reason.strip() for f in failures):
        raise KitError(_("Say what was wrong with each failed garment."))
    failed = sum(f.count for f in failures)
    note = note.strip()
    reason = _reason_text(failures)
    if note and failed:
        reason = f"{reason}. {note}"
    with transaction.atomic():
        check = kits.quality_check_record(
            kit=kit,
            passed=passed,
            failed=failed,
            actor=actor,
            failed_outcome=failed_outcome if failed else "",
            reason=reason[:2000],
        )
        if failed and failed_outcome == QualityCheck.FailedOutcome.REWORK:
            assignment = (
                KitAssignment.objects.filter(kit_id=kit.pk)
                .select_related("maker", "group", "group__leader", "kit__hub")
                .order_by("-assigned_at", "-pk")
                .first()
            )
            if assignment is not None:
                lines = [
                    ngettext(
                        "We checked the scrubs from kit %(code)s. Thank you for sewing them. "
                        "%(count)s garment needs a little more work before it can go to the "
                        "hospital:",
                        "We checked the scrubs from kit %(code)s. Thank you for sewing them. "
                        "%(count)s garments need a little more work before they can go to the "
                        "hospital:",
                        failed,
                    )
                    % {"code": assignment.kit.display_code, "count": failed},
                    "\n".join(f"- {f.reason}: {f.count}" for f in failures),
                ]
                if note:
                    lines.append(note)
                lines.append(
                    _(
                        "We will get them back to you. When they are done, hand them in as "
                        "before. If you are unsure what to change, please ring us."
                    )
                )
                tell(
                    key=f"quality-rework:{check.pk}",
                    hub=assignment.kit.hub,
                    maker=assignment.maker,
                    group=assignment.group,
                    subject=_("Kit %(code)s: some scrubs need more work")
                    % {"code": assignment.kit.display_code},
                    lines=lines,
                )
    return check
