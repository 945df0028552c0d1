"""Two records of one person made one (makers_merge): kits, handovers and history move to
the record kept; the other is erased."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from makers import guardian_services
from makers.models import Consent, KitProblem, Maker, MakerEvent, ReturnPlan
from makers.services.core import MakerError, S, _audit, _maker_move, _role_grant
from makers.services.erasure import _person_remove
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Membership, Role

MERGE_FILL = ("email", "phone", "postcode", "heard_about")
# How far along a record is: the merged person keeps the furthest of their two records.
STATUS_RANK = {S.APPLIED: 0, S.APPROVED: 1, S.ACTIVE: 2}


def _records_merge(*, keep: Maker, other: Maker) -> None:
    """`other`'s kits are now `keep`'s, so are the counters that came with them."""
    from makers.models import HolderRecord

    counted = [f.name for f in HolderRecord._meta.fields if f.name != "last_given_at"]
    changes = {name: F(name) + getattr(other, name) for name in counted}
    if other.last_given_at and (
        keep.last_given_at is None or other.last_given_at > keep.last_given_at
    ):
        changes["last_given_at"] = other.last_given_at
    Maker.objects.filter(pk=keep.pk).update(**changes)
    Maker.objects.filter(pk=other.pk).update(**{name: 0 for name in counted}, last_given_at=None)
    keep.refresh_from_db(fields=[*counted, "last_given_at"])


def makers_merge(*, keep: Maker, other: Maker, actor) -> Maker:
    """Two records that are the same person become one. Everything of `other` moves to
    `keep`: kits (current and past), handovers, run stops, return plans, problems, status
    history and consents, and its account if `keep` has none. `keep`'s own details win;
    blanks in them are filled from `other`. Then `other` is erased (its row stays, empty, so
    counts add up)."""
    from dropoffs.models import DoorstepAddress, Handover, RunStop
    from packages.models import KitAssignment

    if keep.pk == other.pk:
        raise MakerError(_("Choose two different records to merge."))
    with transaction.atomic():
        # Both rows locked, in id order, so a merge the other way round waits its turn.
        locked = {
            m.pk: m
            for m in Maker.objects.select_for_update()
            .filter(pk__in=[keep.pk, other.pk])
            .order_by("pk")
        }
        keep, other = locked[keep.pk], locked[other.pk]
        if keep.hub_id != other.hub_id:
            raise MakerError(_("These records belong to different hubs."))
        if S.ERASED in {keep.status, other.status}:
            raise MakerError(_("One of these records has been erased, so it cannot be merged."))
        shared_runs = set(
            RunStop.objects.filter(maker=keep).values_list("run_id", flat=True)
        ) & set(RunStop.objects.filter(maker=other).values_list("run_id", flat=True))
        if shared_runs:
            raise MakerError(
                _("Both records have a doorstep stop on the same run. Change that run first.")
            )
        KitAssignment.objects.filter(maker=other).update(maker=keep)
        _records_merge(keep=keep, other=other)
        Handover.objects.filter(maker=other).update(maker=keep)
        RunStop.objects.filter(maker=other).update(maker=keep)
        ReturnPlan.objects.filter(maker=other).update(maker=keep)
        KitProblem.objects.filter(maker=other).update(maker=keep)
        MakerEvent.objects.filter(maker=other).update(maker=keep)
        if DoorstepAddress.objects.filter(maker=keep).exists():
            DoorstepAddress.objects.filter(maker=other).delete()
        else:
            DoorstepAddress.objects.filter(maker=other).update(maker=keep)
        # Consents: where both agreed to the same purpose, the newer agreement is the
        # current one and the older ends when it was given, as consent_give does.
        for consent in Consent.objects.filter(maker=other, withdrawn_at__isnull=True):
            current = Consent.objects.filter(
                maker=keep, purpose=consent.purpose, withdrawn_at__isnull=True
            ).first()
            if current is None:
                continue
            older, newer = sorted([current, consent], key=lambda c: (c.given_at, c.pk))
            Consent.objects.filter(pk=older.pk).update(withdrawn_at=newer.given_at)
        Consent.objects.filter(maker=other).update(maker=keep)

        changes: dict = {}
        for field_name in MERGE_FILL:
            if not getattr(keep, field_name) and getattr(other, field_name):
                changes[field_name] = getattr(other, field_name)
        if keep.preferred_point_id is None and other.preferred_point_id:
            changes["preferred_point_id"] = other.preferred_point_id
        if keep.wants_kit_since is None and other.wants_kit_since:
            changes["wants_kit_since"] = other.wants_kit_since
        old_user_id = other.user_id
        if other.user_id and keep.user_id is None:
            Maker.objects.filter(pk=other.pk).update(user=None)
            changes["user_id"] = other.user_id
            old_user_id = None
        if changes:
            Maker.objects.filter(pk=keep.pk).update(**changes)

        # The person keeps the furthest of their two records' status.
        other_rank = STATUS_RANK.get(other.status, -1)
        if other_rank > STATUS_RANK.get(keep.status, 99) and keep.status == S.APPLIED:
            _maker_move(maker_id=keep.pk, to=S.APPROVED, actor=actor, note="Merged")
        keep = Maker.objects.get(pk=keep.pk)
        if keep.status == S.APPROVED and KitAssignment.objects.filter(maker=keep).exists():
            keep = _maker_move(maker_id=keep.pk, to=S.ACTIVE, actor=actor, note="Merged")

        if old_user_id:
            from scrubhub.notifications.models import Message

            # Their messages stay theirs, on the record that is kept.
            Message.objects.filter(recipient_id=old_user_id).update(recipient_id=keep.user_id)
            Membership.objects.filter(
                user_id=old_user_id, role=Role.MAKER, hub_id=keep.hub_id
            ).delete()
            Maker.objects.filter(pk=other.pk).update(user=None)
        # Its consents are `keep`'s now; its guardian's links and messages go with it.
        guardian_services.guardian_erase(maker_id=other.pk)
        _maker_move(
            maker_id=other.pk,
            to=S.ERASED,
            actor=actor,
            note="",
            user=None,
            name="",
            email="",
            phone="",
            postcode="",
            guardian_name="",
            guardian_contact="",
            heard_about="",
            preferred_point=None,
            wants_kit_since=None,
            erased_at=timezone.now(),
        )
        if old_user_id:
            # The spare account goes, unless it holds another role.
            _person_remove(maker_id=other.pk, user_id=old_user_id, addresses=[])
        if keep.user_id:
            _role_grant(user_id=keep.user_id, role=Role.MAKER, hub=keep.hub)
        _audit(
            actor=actor,
            hub=keep.hub,
            action=AuditEvent.Action.MERGED,
            maker=keep,
            detail=f"Merged maker #{other.pk} into this record",
        )
        _audit(
            actor=actor,
            hub=keep.hub,
            action=AuditEvent.Action.ERASED,
            maker=other,
            detail=f"Merged into maker #{keep.pk}",
        )
    return Maker.objects.get(pk=keep.pk)
