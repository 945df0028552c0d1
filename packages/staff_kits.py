"""Hub staff giving out many kits at once: the write behind the allocation page that is
more than one kit rule (the quality check is packages.services.quality_check_record).
Giving out, handing on and taking back one kit are packages.services' kit_allocate,
kit_reallocate and kit_take_back, which also tell the maker.

Locking order, as in packages.services: kits (in id order), then makers (in id order),
so two staff giving out overlapping kits never wait on each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from dropoffs.models import Point
from makers.models import Maker, MakerGroup
from packages import services as kits
from packages.models import Kit
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
