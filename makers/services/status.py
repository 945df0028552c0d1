"""A maker's status: approving and declining applicants, first kit, pausing, standby,
being away and back, ready for another kit, stopping (withdrawing), and inviting makers on
standby back when the hub starts again. Every change goes through core._maker_move."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from makers.models import Maker
from makers.services.core import (
    MakerError,
    S,
    _holds_kits,
    _maker_move,
    _membership_remove,
    _message_maker,
)
from scrubhub.hubs.models import Hub


def maker_approve(*, maker: Maker, actor) -> Maker:
    """Let a maker receive kits."""
    with transaction.atomic():
        maker = _maker_move(maker_id=maker.pk, to=S.APPROVED, actor=actor)
        _message_maker(
            maker=maker,
            kind="approved",
            subject="You can now receive scrub kits",
            body=(
                f"Hello {maker.name},\n\n{maker.hub.name} has approved you as a maker. "
                "We will let you know when a kit is ready for you."
            ),
        )
    return maker


def maker_decline(*, maker: Maker, actor, reason: str = "") -> Maker:
    """Say no to an applicant. They are told kindly; `reason` is the hub's own note and is
    not sent to them."""
    with transaction.atomic():
        maker = _maker_move(maker_id=maker.pk, to=S.DECLINED, actor=actor, note=reason)
        _message_maker(
            maker=maker,
            kind="declined",
            subject=str(_("Thank you for offering to help")),
            body=str(
                _(
                    "Hello %(name)s,\n\nThank you so much for offering to sew scrubs with "
                    "%(hub)s. We are not able to send you a kit this time, and we are sorry. "
                    "So many people offered to help that we cannot give everyone a kit.\n\n"
                    "It was very kind of you to offer. If you have any questions, please call "
                    "us on %(phone)s."
                )
                % {"name": maker.name, "hub": maker.hub.name, "phone": maker.hub.phone}
            ),
        )
    return maker


def maker_mark_active(*, maker: Maker, actor) -> Maker:
    """An approved maker becomes active when they get their first kit. Safe to call again."""
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.ACTIVE:
            return current
        return _maker_move(maker_id=maker.pk, to=S.ACTIVE, actor=actor, note="First kit")


def maker_pause(*, maker: Maker, actor, reason: str = "") -> Maker:
    """No new kits for now; a kit they hold stays with them."""
    return _maker_move(maker_id=maker.pk, to=S.PAUSED, actor=actor, note=reason)


def maker_resume(*, maker: Maker, actor) -> Maker:
    """Back from a pause or standby: active if they have had a kit, else approved."""
    from packages.models import KitAssignment

    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status not in {S.PAUSED, S.STANDBY}:
            raise MakerError(
                f"Only a paused maker or one on standby can resume, not one who is "
                f"{current.get_status_display().lower()}."
            )
        had_kit = KitAssignment.objects.filter(maker=current).exists()
        return _maker_move(maker_id=maker.pk, to=S.ACTIVE if had_kit else S.APPROVED, actor=actor)


def maker_standby(*, maker: Maker, actor, note: str = "") -> Maker:
    """The hub stood down and the maker agreed to be asked again."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError("This maker still has a kit. Take it back or close it first.")
        return _maker_move(maker_id=maker.pk, to=S.STANDBY, actor=actor, note=note)


def maker_withdraw(*, maker: Maker, actor, reason: str = "") -> Maker:
    """The maker stops sewing for the hub, at their own word (from their page) or hub
    staff's. They must not still hold a kit; a maker who asked is told so in their own
    words, since they read it, not staff."""
    by_themselves = actor is not None and maker.user_id is not None and actor.pk == maker.user_id
    with transaction.atomic():
        if _holds_kits(maker):
            if by_themselves:
                raise MakerError(
                    _(
                        "You still have a kit. Please bring it back, or call the hub, "
                        "before you stop."
                    )
                )
            raise MakerError(
                "This maker still has a kit. Take it back, or mark it lost, before they leave."
            )
        if not reason and by_themselves:
            reason = "The maker stopped"
        maker = _maker_move(maker_id=maker.pk, to=S.WITHDRAWN, actor=actor, note=reason)
        _membership_remove(maker)
    return maker


def maker_away(*, maker: Maker, actor, until: date) -> Maker:
    """The maker is away: no new kits until `until`. A kit they hold stays with them."""
    today = timezone.localdate()
    if until <= today:
        raise MakerError(_("Please choose a day after today."))
    if until > today + timedelta(days=366):
        raise MakerError(_("Please choose a day within the next year."))
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.PAUSED:
            current.away_until = until
            current.save(update_fields=["away_until"])
            return current
        if current.status == S.APPLIED:
            raise MakerError(
                _(
                    "The hub has not approved you yet, so there is nothing to pause. "
                    "Call the hub if you want to wait before starting."
                )
            )
        return _maker_move(
            maker_id=maker.pk,
            to=S.PAUSED,
            actor=actor,
            note=f"Away until {until:%d %B %Y}",
            away_until=until,
            wants_kit_since=None,
        )


def maker_back(*, maker: Maker, actor) -> Maker:
    """The maker is back from being away."""
    with transaction.atomic():
        maker = maker_resume(maker=maker, actor=actor)
        Maker.objects.filter(pk=maker.pk).update(away_until=None)
        maker.away_until = None
    return maker


def maker_ready_for_kit(*, maker: Maker, actor) -> Maker:
    """The maker says they are ready for another kit; staff see who is waiting, longest
    first. Saying it again keeps their place."""
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        if current.status == S.APPLIED:
            raise MakerError(
                _("The hub has not approved you yet. They will be in touch when they have.")
            )
        if current.status == S.PAUSED:
            raise MakerError(_("You are marked as away. Say you are back first."))
        if not current.may_receive_kits:
            raise MakerError(
                _("You are %(status)s, so the hub cannot send you a kit. Please call the hub.")
                % {"status": current.get_status_display().lower()}
            )
        if current.wants_kit_since is None:
            current.wants_kit_since = timezone.now()
            current.save(update_fields=["wants_kit_since"])
    return current


def makers_invite_back(*, hub: Hub, actor) -> int:
    """The hub starts again: every maker on standby becomes approved and is told. One action
    for the coordinator; returns how many were invited back."""
    with transaction.atomic():
        standby = list(
            Maker.objects.select_for_update().filter(hub=hub, status=S.STANDBY).order_by("pk")
        )
        for maker in standby:
            maker = _maker_move(maker_id=maker.pk, to=S.APPROVED, actor=actor, note="Invited back")
            _message_maker(
                maker=maker,
                kind=f"invited-back-{timezone.localdate().isoformat()}",
                subject=f"{hub.name} is sewing again",
                body=(
                    f"Hello {maker.name},\n\nYou said we could ask you again: {hub.name} is "
                    "sewing scrubs for the hospital again, and we would love your help. Sign in "
                    f"to see your page, or call us on {hub.phone}.\n\nThank you."
                ),
            )
    return len(standby)
