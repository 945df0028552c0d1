"""Hub staff giving out kits, checking garments, and taking kits back: the writes behind
the allocation and quality-check pages. Each one builds on the kit services in
packages/services.py (which own the rules of a kit's life) and adds what the pages need:
a plain answer when a colleague got there first, many kits at once, a reason for every
failed garment, and a message to the maker.

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
from packages.models import GarmentType, Kit, KitAssignment, QualityCheck
from packages.services import KitError
from scrubhub.hubs.models import Hub
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import channel_for, message_queue

K = Kit.Status


class KitTakenError(KitError):
    """The kit was given out (or changed) by someone else a moment ago."""

    def __init__(self, message: str, *, kit: Kit):
        super().__init__(message)
        self.kit = kit


# --- Telling the maker (or the group's leader) ----------------------------------------------


def _address(*, maker: Maker | None = None, group: MakerGroup | None = None):
    """(channel, address, recipient user) for a maker or a group's leader, or None."""
    if maker is not None:
        if maker.status == Maker.Status.ERASED:
            return None
        route = channel_for(email=maker.email, phone=maker.phone, preferred=maker.preferred_channel)
        return (*route, maker.user) if route else None
    leader = group.leader
    if leader is not None and leader.email:
        return Message.Channel.EMAIL, leader.email, leader
    contact = (group.leader_contact or "").strip()
    if "@" in contact:
        return Message.Channel.EMAIL, contact, leader
    if contact:
        return Message.Channel.PHONE_LIST, contact, leader
    return None


def _tell(*, key: str, hub: Hub, maker=None, group=None, subject: str, lines: list[str]) -> None:
    """Queue a plain message in the caller's transaction (once per key)."""
    route = _address(maker=maker, group=group)
    if route is None:
        return
    channel, address, user = route
    name = maker.name.split()[0] if maker is not None and maker.name else group.name
    body = "\n\n".join([_("Hello %(name)s,") % {"name": name}, *lines, f"{hub.name}\n{hub.phone}"])
    message_queue(
        idempotency_key=key,
        to_address=address,
        channel=channel,
        subject=subject,
        body=body,
        kind="kit_staff",
        hub=hub,
        recipient=user,
    )


def _kit_words(kit: Kit) -> str:
    return ngettext(
        "%(count)s %(garment)s in size %(size)s",
        "%(count)s %(garment)s in size %(size)s",
        kit.garment_count,
    ) % {
        "count": kit.garment_count,
        "garment": GarmentType(kit.garment_type).label.lower(),
        "size": kit.size,
    }


def _point_words(point: Point) -> str:
    words = _("%(point)s, %(address)s.") % {
        "point": point.name,
        "address": " ".join(point.address.split()),
    }
    if point.opening_hours:
        words += " " + _("Open: %(hours)s.") % {"hours": point.opening_hours}
    return words


def _tell_given(*, kit: Kit, assignment: KitAssignment) -> None:
    point = kit.collection_point
    if point is not None:
        # The kit is still on the hub's shelf: it reaches the point on a driver's run, and
        # the maker hears again when it is there (kit_at_point_tell).
        where = _(
            "A driver will take it to %(point)s. We will tell you when it is there, ready "
            "for you to collect."
        ) % {"point": point.name}
    elif assignment.maker_id and assignment.maker.needs_doorstep_collection:
        where = _("A driver will bring it to your door. We will let you know when.")
    else:
        where = _("Please ring the hub to arrange when to collect it.")
    _tell(
        key=f"kit-given:{assignment.pk}",
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("A kit is ready for you: %(code)s") % {"code": kit.display_code},
        lines=[
            _("We have a kit for you to sew: %(what)s. Its code is %(code)s.")
            % {"what": _kit_words(kit), "code": kit.display_code},
            where,
            _("Thank you for sewing for the hospital."),
        ],
    )


def _tell_not_needed(*, kit: Kit, assignment: KitAssignment) -> None:
    _tell(
        key=f"kit-not-needed:{assignment.pk}",
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("Kit %(code)s is no longer waiting for you") % {"code": kit.display_code},
        lines=[
            _(
                "The hub has taken back kit %(code)s, so there is no need to collect it. "
                "Nothing is wrong: we will send you another kit when one is ready."
            )
            % {"code": kit.display_code},
        ],
    )


def kit_at_point_tell(*, kit: Kit) -> None:
    """A driver has left the kit at its point: now, and not before, its maker (or group)
    hears it is ready to collect. Called in the transaction that records the drop."""
    assignment = (
        KitAssignment.objects.filter(kit=kit, ended_at__isnull=True)
        .select_related("maker", "group", "group__leader")
        .first()
    )
    point = kit.collection_point
    if assignment is None or point is None:
        return
    _tell(
        key=f"kit-at-point:{assignment.pk}:{point.pk}",
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("Your kit %(code)s is ready to collect") % {"code": kit.display_code},
        lines=[
            _("Your kit %(code)s (%(what)s) is now at %(where)s")
            % {"code": kit.display_code, "what": _kit_words(kit), "where": _point_words(point)},
            _("Show the label or say your name to the helper there."),
        ],
    )


# --- Giving out kits ------------------------------------------------------------------------


def _holder_name(assignment: KitAssignment | None) -> str:
    if assignment is None:
        return ""
    return str(assignment.holder)


def _person(user) -> str:
    if user is None:
        return _("someone")
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
                _(
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
        _("Kit %(code)s is no longer on the shelf: it is %(status)s. Choose another kit.")
        % {"code": kit.display_code, "status": kit.get_status_display().lower()},
        kit=kit,
    )


def kit_give(
    *,
    kit: Kit,
    actor,
    maker: Maker | None = None,
    group: MakerGroup | None = None,
    collection_point: Point | None = None,
) -> Kit:
    """Give a kit on the shelf to a maker or group (packages.services.kit_allocate), tell
    them where to collect it, and say plainly when a colleague gave it out first."""
    with transaction.atomic():
        locked = Kit.objects.select_for_update().get(pk=kit.pk)
        if locked.status != K.PREPARED:
            raise _taken_error(locked)
        given = kits.kit_allocate(
            kit=locked, actor=actor, maker=maker, group=group, collection_point=collection_point
        )
        assignment = (
            KitAssignment.objects.filter(kit=given, ended_at__isnull=True)
            .select_related("maker", "group", "group__leader")
            .get()
        )
        _tell_given(kit=given, assignment=assignment)
    return given


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
                        kit_give(
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


def kit_give_to_someone_else(
    *, kit: Kit, actor, maker: Maker | None = None, group: MakerGroup | None = None, reason=""
) -> Kit:
    """packages.services.kit_reallocate, and the messages: the new holder is told; the old
    one, if they had not collected it yet, is told not to come for it."""
    with transaction.atomic():
        locked = Kit.objects.select_for_update().get(pk=kit.pk)
        before = (
            KitAssignment.objects.filter(kit=locked, ended_at__isnull=True)
            .select_related("maker", "group", "group__leader")
            .first()
        )
        kits.kit_reallocate(
            kit=locked,
            actor=actor,
            maker=maker,
            group=group,
            reason=reason.strip() or _("Given to someone else"),
        )
        after = (
            KitAssignment.objects.filter(kit=locked, ended_at__isnull=True)
            .select_related("maker", "group", "group__leader")
            .get()
        )
        if locked.status == K.ALLOCATED:
            if before is not None:
                _tell_not_needed(kit=locked, assignment=before)
            _tell_given(kit=locked, assignment=after)
    return locked


def kit_take_back_from_holder(*, kit: Kit, actor, reason: str = "") -> Kit:
    """packages.services.kit_take_back (a kit nobody collected goes back on the shelf), and
    the holder is told they need not come for it."""
    with transaction.atomic():
        locked = Kit.objects.select_for_update().get(pk=kit.pk)
        if locked.status != K.ALLOCATED:
            raise KitError(
                _(
                    "Kit %(code)s is %(status)s. Only a kit waiting to be collected can be "
                    "taken back onto the shelf."
                )
                % {"code": locked.display_code, "status": locked.get_status_display().lower()}
            )
        before = (
            KitAssignment.objects.filter(kit=locked, ended_at__isnull=True)
            .select_related("maker", "group", "group__leader")
            .first()
        )
        taken = kits.kit_take_back(
            kit=locked, actor=actor, reason=reason.strip() or _("Taken back")
        )
        if before is not None:
            _tell_not_needed(kit=taken, assignment=before)
    return taken


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
                _tell(
                    key=f"quality-rework:{check.pk}",
                    hub=assignment.kit.hub,
                    maker=assignment.maker,
                    group=assignment.group,
                    subject=_("Kit %(code)s: some scrubs need more work")
                    % {"code": assignment.kit.display_code},
                    lines=lines,
                )
    return check
