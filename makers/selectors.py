"""Reads of makers and groups, scoped to a hub or a user."""

from __future__ import annotations

from django.db.models import QuerySet

from makers.models import Maker, MakerGroup


def maker_for_user(*, user) -> Maker | None:
    """The signed-in person's maker record, with hub and preferred point."""
    if not user.is_authenticated:
        return None
    return Maker.objects.filter(user=user).select_related("hub", "preferred_point").first()


def makers_for_hub(*, hub, status: str | None = None) -> QuerySet[Maker]:
    makers = Maker.objects.filter(hub=hub).exclude(status=Maker.Status.ERASED)
    return makers.filter(status=status) if status else makers


def makers_who_may_receive_kits(*, hub) -> QuerySet[Maker]:
    return Maker.objects.filter(hub=hub, status__in=[Maker.Status.APPROVED, Maker.Status.ACTIVE])


def groups_for_hub(*, hub) -> QuerySet[MakerGroup]:
    return MakerGroup.objects.filter(hub=hub).select_related("leader")


def groups_led_by(*, user) -> QuerySet[MakerGroup]:
    return MakerGroup.objects.filter(leader=user).exclude(status=MakerGroup.Status.CLOSED)
