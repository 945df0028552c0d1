"""Erasing a maker's personal data: by staff, by the maker deleting their account, and
every night for hubs whose stand-down date plus retention period has passed."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Case, F, ProtectedError, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from makers import guardian_services
from makers.models import Consent, KitProblem, Maker, MakerEvent, ReturnPlan, SigninCode
from makers.selectors import makers_to_erase
from makers.services.core import MakerError, S, _audit, _holds_kits, _maker_move, _membership_remove
from makers.validators import normalise_phone
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import ERASURE_WAIT_AFTER_CHANGE, Hub, Membership
from scrubhub.notifications.models import Message

logger = logging.getLogger(__name__)


def maker_erase(*, maker: Maker, actor) -> Maker:
    """Blank everything that identifies the maker; keep the row so kit counts still add up.
    Every erasure is in the audit trail, whoever asked for it (hub staff, the maker
    deleting their account, or the hub's retention period, with no actor)."""
    with transaction.atomic():
        if _holds_kits(maker):
            raise MakerError("This maker still has a kit. Close it or mark it lost first.")
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        _membership_remove(current)
        person = {
            "user_id": current.user_id,
            "addresses": [current.email, current.phone, normalise_phone(current.phone)],
        }
        maker = _maker_move(
            maker_id=maker.pk,
            to=S.ERASED,
            actor=actor,
            user=None,
            name="",
            email="",
            phone="",
            postcode="",
            guardian_name="",
            guardian_contact="",
            heard_about="",
            preferred_point=None,
            erased_at=timezone.now(),
        )
        # Notes may name people; the events keep only what happened and when.
        MakerEvent.objects.filter(maker=maker).update(note="")
        guardian_services.guardian_erase(maker_id=maker.pk)
        # What they agreed to ends with their details: the record shows when.
        Consent.objects.filter(maker=maker, withdrawn_at__isnull=True).update(
            withdrawn_at=maker.erased_at
        )
        by_themselves = actor is not None and actor.pk == person["user_id"]
        _person_remove(maker_id=maker.pk, **person)
        # A maker erasing themselves is not kept as the actor: their account is gone.
        _audit(
            actor=None if by_themselves else actor,
            hub=maker.hub,
            action=AuditEvent.Action.ERASED,
            maker=maker,
            detail=(
                "The maker deleted their account"
                if by_themselves
                else "The hub's retention period ended"
                if actor is None
                else ""
            ),
        )
    return maker


def maker_delete_account(*, maker: Maker, actor) -> Maker:
    """The maker deletes their own account: their personal data is erased (maker_erase),
    their sign-in account removed, and the counts of what they made kept without them."""
    from packages.models import Kit, KitAssignment

    with transaction.atomic():
        open_kits = list(
            Kit.objects.select_for_update()
            .filter(assignments__maker=maker, assignments__ended_at__isnull=True)
            .order_by("pk")
        )
        if any(
            kit.status == Kit.Status.ALLOCATED or kit.qty_with_maker or kit.qty_rework
            for kit in open_kits
        ):
            raise MakerError(
                _(
                    "You still have a kit. Please bring it back, or call the hub, before you "
                    "delete your account."
                )
            )
        # Everything from these kits is back with the hub (being checked or delivered):
        # the maker no longer holds them, and the ended assignment keeps the count.
        ended = KitAssignment.objects.filter(
            maker=maker, ended_at__isnull=True, kit__in=open_kits
        ).update(
            ended_at=timezone.now(),
            ended_by=actor,
            end_reason="The maker deleted their account after handing everything in",
        )
        Maker.objects.filter(pk=maker.pk).update(kits_held=F("kits_held") - ended)
        return maker_erase(maker=maker, actor=actor)


def _person_remove(*, maker_id: int, user_id: int | None, addresses: list[str]) -> None:
    """The rest of erasing a person: what they wrote, the messages to them, and their
    account, unless it is also used for another role (then only the maker role goes).
    Deleting the account ends every session it has, wherever it is signed in."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from dropoffs.models import DoorstepAddress, Handover, RunStop
    from scrubhub.notifications.models import OptOut

    ReturnPlan.objects.filter(maker_id=maker_id).update(note="")
    DoorstepAddress.objects.filter(maker_id=maker_id).delete()
    if user_id is not None:
        SigninCode.objects.filter(user_id=user_id).delete()
    Handover.objects.filter(maker_id=maker_id).update(note="")
    RunStop.objects.filter(maker_id=maker_id).update(note="")
    # The operators' admin log names the record it changed; that name is the person's.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Maker), object_id=str(maker_id)
    ).update(object_repr=f"Maker {maker_id} (erased)", change_message="")
    OptOut.objects.filter(address__in=[a.strip().lower() for a in addresses if a]).delete()
    problem_keys = [
        f"kit-problem-{pk}"
        for pk in KitProblem.objects.filter(maker_id=maker_id).values_list("pk", flat=True)
    ]
    # An answered problem must keep an answer (a constraint): it keeps that one was given.
    KitProblem.objects.filter(maker_id=maker_id).update(
        text="",
        answer=Case(
            When(status=KitProblem.Status.ANSWERED, then=Value("(erased)")), default=Value("")
        ),
    )
    # The hub's copy of what they wrote goes too; the hub keeps that a problem was reported.
    Message.objects.filter(idempotency_key__in=problem_keys).update(body="(erased)", html_body="")
    addresses = [a for a in addresses if a]
    to_them = Q(recipient_id=user_id) if user_id else Q(pk__in=[])
    if addresses:
        to_them |= Q(to_address__in=addresses)
    Message.objects.filter(to_them, status__in=[Message.Status.PENDING]).update(
        status=Message.Status.FAILED,
        failure_reason=Message.FailureReason.CANCELLED,
        last_error="Not sent: the person's details were erased.",
    )
    Message.objects.filter(to_them).update(
        to_address="erased", subject="(erased)", body="", html_body="", recipient=None
    )
    if user_id is None:
        return
    User = get_user_model()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    if user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists():
        return
    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError:
        # Still named on a record that must keep them (e.g. a run they drove): keep the
        # row, but nobody can sign in with it and it holds nothing personal.
        User.objects.filter(pk=user.pk).update(
            is_active=False,
            username=f"erased-{user.pk}",
            email="",
            first_name="",
            last_name="",
            password="!",  # noqa: S106 - an unusable password  # nosec B106
        )


RETENTION_BATCH = 100  # makers per look at the hub: a date cleared mid-run stops the run


def _retention_due(*, hub: Hub, now: datetime) -> bool:
    erase_on = hub.erasure_on()
    if erase_on is None or erase_on > hub.today(now):
        return False
    changed_at = hub.erasure_dates_changed_at
    if changed_at is not None and now - changed_at < ERASURE_WAIT_AFTER_CHANGE:
        logger.warning(
            "Hub %s: not erasing yet; its stand-down date or retention changed at %s and "
            "erasure waits %s days after a change.",
            hub.pk,
            changed_at.isoformat(),
            ERASURE_WAIT_AFTER_CHANGE.days,
        )
        return False
    return True


def _retention_erase_one(*, maker: Maker) -> bool:
    """Erase one maker in their own transaction; a refusal is logged and the run goes on."""
    maker_id = maker.pk
    try:
        maker_erase(maker=maker, actor=None)
    except MakerError as error:
        # Our own words (a kit still held, or already erased by another run): no one's data.
        logger.warning("Maker %s not erased yet: %s", maker_id, error)
        return False
    except IntegrityError as error:
        # Only the rule's name: the database's own message repeats the row, personal data.
        rule = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        logger.error(
            "Maker %s not erased: the database refused it (%s). The others carry on; it is "
            "tried again tomorrow.",
            maker_id,
            rule or type(error.__cause__).__name__,
        )
        return False
    return True


def makers_retention_erase(*, now: datetime | None = None) -> int:
    """Erase the personal data of makers of hubs whose stand-down date plus retention period
    has passed (in the hub's own timezone), except those who chose standby. Returns how many
    were erased.

    A hub whose dates changed in the last week waits (a mistaken date can be put right).
    Each maker is erased in their own transaction, so one that cannot be erased (a kit still
    held, a row the database refuses) is left for the next night and the rest go ahead.
    Safe to run twice, even at once: erased makers are skipped, and a maker's row is locked
    while it is erased."""
    now = now or timezone.now()
    erased = 0
    for hub_id in (
        Hub.objects.filter(stand_down_on__isnull=False).order_by("pk").values_list("pk", flat=True)
    ):
        after = 0
        while True:
            # The hub read again before each batch: a coordinator may change the date mid-run.
            hub = Hub.objects.get(pk=hub_id)
            if not _retention_due(hub=hub, now=now):
                break
            batch = list(
                makers_to_erase(hub=hub).filter(pk__gt=after).order_by("pk")[:RETENTION_BATCH]
            )
            if not batch:
                break
            erased += sum(_retention_erase_one(maker=maker) for maker in batch)
            after = batch[-1].pk
    return erased
