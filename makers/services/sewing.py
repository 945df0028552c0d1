"""The maker's kits: logging finished garments, planning a kit's return (a day, a point or
the doorstep), and reporting a problem with a kit, answered and resolved by staff."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from makers.models import KitProblem, Maker, ReturnPlan
from makers.services.core import MakerError, _message_maker
from scrubhub.notifications.services import message_queue

RETURN_DAYS_AHEAD = 28


def _held_kit(*, maker: Maker, kit):
    """Lock the kit and check the maker holds it now (an open assignment)."""
    from packages.models import Kit, KitAssignment

    kit = Kit.objects.select_for_update().get(pk=kit.pk)
    if not KitAssignment.objects.filter(kit=kit, maker=maker, ended_at__isnull=True).exists():
        raise MakerError(_("Kit %(code)s is not with you.") % {"code": kit.display_code})
    return kit


def kit_progress_record(*, maker: Maker, kit, finished: int, seen: int, actor):
    """The maker says "I have finished N of M". `seen` is the number their page showed: if
    it changed since (another phone, a replayed form), we ask them to look again."""
    from packages.services.making import kit_progress_log

    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        if kit.finished_count != seen:
            raise MakerError(
                _(
                    "Kit %(code)s now shows %(n)s finished: it changed since you opened this "
                    "page. Please check the number and send it again."
                )
                % {"code": kit.display_code, "n": kit.finished_count}
            )
        if finished > kit.garment_count:
            raise MakerError(
                ngettext(
                    "This kit has %(all)s garment, so you cannot have finished %(n)s.",
                    "This kit has %(all)s garments, so you cannot have finished %(n)s.",
                    kit.garment_count,
                )
                % {"all": kit.garment_count, "n": finished}
            )
        if finished <= kit.finished_count:
            raise MakerError(
                _("You already told us %(n)s are finished. The number can only go up.")
                % {"n": kit.finished_count}
            )
        kit = kit_progress_log(kit=kit, finished=finished, actor=actor)
    return kit


def return_plan_make(
    *,
    maker: Maker,
    kit,
    actor,
    day: date,
    point=None,
    doorstep: bool = False,
    unfinished: bool = False,
    reason: str = "",
    note: str = "",
) -> ReturnPlan:
    """The maker says where and when they will bring a kit back: finished scrubs ("ready
    to return"), or a kit they cannot finish (with a reason). A newer plan replaces the
    older one. Garments move only when the kit is handed over."""
    from dropoffs.selectors import closed_day_message, hours_known, open_on
    from packages.models import Kit

    today = maker.hub.today()
    if day < today:
        raise MakerError(_("Please choose today or a day after today."), field="day")
    if day > today + timedelta(days=RETURN_DAYS_AHEAD):
        raise MakerError(
            _("Please choose a day in the next %(days)s days.") % {"days": RETURN_DAYS_AHEAD},
            field="day",
        )
    if (point is None) == (not doorstep):
        raise MakerError(_("Please choose where you will bring it."))
    if unfinished and reason not in ReturnPlan.Reason.values:
        raise MakerError(_("Please tell us why you cannot finish it."))
    if point is not None:
        if point.hub_id != maker.hub_id:
            raise MakerError(_("That drop-off point belongs to a different hub."))
        if not (point.is_active and point.accepts_finished_garments):
            raise MakerError(
                _("%(point)s is not taking scrubs at the moment.") % {"point": point.name}
            )
        if hours_known(point) and not open_on(point, day):
            raise MakerError(closed_day_message(point, day), field="day")
    if doorstep and not maker.needs_doorstep_collection:
        raise MakerError(_("Please choose a drop-off point, or call the hub to ask for a visit."))
    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        if kit.status != Kit.Status.WITH_MAKER:
            raise MakerError(_("Kit %(code)s is not with you yet.") % {"code": kit.display_code})
        if not unfinished and kit.finished_count < 1:
            raise MakerError(
                _(
                    "You have not told us you have finished any yet. Tell us how many you have "
                    "finished first."
                )
            )
        ReturnPlan.objects.filter(kit=kit, status=ReturnPlan.Status.OPEN).update(
            status=ReturnPlan.Status.REPLACED, closed_at=timezone.now()
        )
        plan = ReturnPlan.objects.create(
            maker=maker,
            kit=kit,
            point=point,
            doorstep=doorstep,
            day=day,
            unfinished=unfinished,
            reason=reason if unfinished else "",
            finished_count=kit.finished_count,
            note=note.strip()[:2000],
        )
        where = point.name if point else str(_("your door"))
        _message_maker(
            maker=maker,
            kind=f"return-plan-{plan.pk}",
            subject=str(_("Thank you: we will expect kit %(code)s") % {"code": kit.display_code}),
            body=str(
                _(
                    "Hello %(name)s,\n\nThank you. We will expect kit %(code)s at %(where)s "
                    "on %(day)s.\n\nIf your plans change, you can change the day on your "
                    "page, or call us on %(phone)s."
                )
                % {
                    "name": maker.name,
                    "code": kit.display_code,
                    "where": where,
                    "day": f"{day:%A %-d %B}",
                    "phone": maker.hub.phone,
                }
            ),
        )
    return plan


def kit_problem_report(*, maker: Maker, kit, kind: str, actor, text: str = "") -> KitProblem:
    """The maker tells the hub something is wrong with a kit; hub staff get a note."""
    text = text.strip()
    if kind not in KitProblem.Kind.values:
        raise MakerError(_("Please choose what is wrong."))
    if kind == KitProblem.Kind.OTHER and not text:
        raise MakerError(_("Please tell us what is wrong."))
    if len(text) > 2000:
        raise MakerError(_("Please keep it shorter: 2,000 letters at most."))
    with transaction.atomic():
        kit = _held_kit(maker=maker, kit=kit)
        problem = KitProblem.objects.create(maker=maker, kit=kit, kind=kind, text=text)
        hub = maker.hub
        message_queue(
            idempotency_key=f"kit-problem-{problem.pk}",
            to_address=hub.email,
            subject=f"Problem with kit {kit.display_code}: {problem.get_kind_display()}",
            # No name here: staff look the maker up on the hub's pages, and an erased maker
            # must not live on in the hub's mailbox.
            body=(
                f"A maker reported a problem with kit {kit.display_code} "
                f"({kit.get_garment_type_display()}, size {kit.size}):\n\n"
                f"{problem.get_kind_display()}\n{text}"
            ),
            kind="kit_problem",
            hub=hub,
        )
    return problem


def kit_problem_answer(*, problem: KitProblem, answer: str, actor) -> KitProblem:
    """Hub staff answer a problem; the maker hears on their usual channel."""
    answer = answer.strip()
    if not answer:
        raise MakerError(_("Please write an answer."))
    with transaction.atomic():
        problem = (
            KitProblem.objects.select_for_update()
            .select_related("maker__hub", "kit")
            .get(pk=problem.pk)
        )
        if problem.status == KitProblem.Status.RESOLVED:
            raise MakerError(_("This problem is already sorted out."))
        problem.status = KitProblem.Status.ANSWERED
        problem.answer = answer
        problem.answered_by = actor
        problem.answered_at = timezone.now()
        problem.save()
        _message_maker(
            maker=problem.maker,
            kind=f"kit-problem-{problem.pk}-answer-{problem.answered_at:%Y%m%d%H%M%S}",
            subject=f"About kit {problem.kit.display_code}",
            body=f"Hello {problem.maker.name},\n\n{answer}\n\n{problem.maker.hub.name}",
        )
    return problem


def kit_problem_resolve(*, problem: KitProblem, actor) -> KitProblem:
    with transaction.atomic():
        done = (
            KitProblem.objects.filter(pk=problem.pk)
            .exclude(status=KitProblem.Status.RESOLVED)
            .update(status=KitProblem.Status.RESOLVED, resolved_at=timezone.now())
        )
        if not done:
            raise MakerError(_("This problem is already sorted out."))
    problem.refresh_from_db()
    return problem
