"""What a kit's maker (or group leader) is told when staff give it, take it back or hand it
on, when it reaches their point and when garments come back from the check for rework:
queued to the outbox in the caller's transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dropoffs.models import Point
from makers.models import Maker, MakerGroup
from makers.selectors import maker_contact
from packages.models import GarmentType, Kit, KitAssignment, QualityCheck
from scrubhub.hubs.models import Hub
from scrubhub.notifications.contacts import Contact, group_leader_contact
from scrubhub.notifications.services import message_queue


def _contact(*, maker: Maker | None = None, group: MakerGroup | None = None) -> Contact:
    return maker_contact(maker=maker) if maker is not None else group_leader_contact(group)


def tell(*, key: str, hub: Hub, maker=None, group=None, subject: str, lines: list[str]) -> None:
    """Queue a plain message in the caller's transaction (once per key)."""
    contact = _contact(maker=maker, group=group)
    route = contact.route
    if route is None:
        return
    channel, address = route
    user = contact.recipient
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


def kit_words(kit: Kit) -> str:
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


def tell_given(*, kit: Kit, assignment: KitAssignment) -> None:
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
    tell(
        key=f"kit-given:{assignment.pk}",
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("A kit is ready for you: %(code)s") % {"code": kit.display_code},
        lines=[
            _("We have a kit for you to sew: %(what)s. Its code is %(code)s.")
            % {"what": kit_words(kit), "code": kit.display_code},
            where,
            _("Thank you for sewing for the hospital."),
        ],
    )


def tell_not_needed(*, kit: Kit, assignment: KitAssignment) -> None:
    tell(
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
    tell(
        key=f"kit-at-point:{assignment.pk}:{point.pk}",
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("Your kit %(code)s is ready to collect") % {"code": kit.display_code},
        lines=[
            _("Your kit %(code)s (%(what)s) is now at %(where)s")
            % {"code": kit.display_code, "what": kit_words(kit), "where": _point_words(point)},
            _("Show the label or say your name to the helper there."),
        ],
    )


def tell_rework(*, check: QualityCheck, failures: list, note: str) -> None:
    """Garments failed the check and go back for rework: the kit's last holder is told
    why (each failure's reason and count, then the checker's note)."""
    assignment = (
        KitAssignment.objects.filter(kit_id=check.kit_id)
        .select_related("maker", "group", "group__leader", "kit__hub")
        .order_by("-assigned_at", "-pk")
        .first()
    )
    if assignment is None:
        return
    kit = assignment.kit
    lines = [
        ngettext(
            "We checked the scrubs from kit %(code)s. Thank you for sewing them. "
            "%(count)s garment needs a little more work before it can go to the hospital:",
            "We checked the scrubs from kit %(code)s. Thank you for sewing them. "
            "%(count)s garments need a little more work before they can go to the hospital:",
            check.failed,
        )
        % {"code": kit.display_code, "count": check.failed},
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
        hub=kit.hub,
        maker=assignment.maker,
        group=assignment.group,
        subject=_("Kit %(code)s: some scrubs need more work") % {"code": kit.display_code},
        lines=lines,
    )
