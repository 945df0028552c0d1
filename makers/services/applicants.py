"""Hub staff and applicants: approving or declining many at once, and signing people
up on their behalf (one, or many from a list), each with an audit row."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from makers.models import Maker
from makers.services.core import JOIN_CONSENTS, UNDER_16, MakerError, S, _audit
from makers.services.joining import maker_apply
from makers.services.status import maker_approve, maker_decline
from makers.validators import contact_channel, format_phone, normalise_phone, normalise_postcode
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Hub


@dataclass(frozen=True)
class Decision:
    """What a batch decision did: the makers it changed, and how many it left alone because
    someone else had already decided about them (or they are not applicants of this hub)."""

    changed: list[Maker]
    skipped: int


def _applicants_locked(*, hub: Hub, maker_ids: Iterable[int]) -> tuple[list[Maker], int]:
    wanted = sorted({int(pk) for pk in maker_ids})
    # Locked in id order, so two staff deciding overlapping batches cannot deadlock.
    makers = list(
        Maker.objects.select_for_update()
        .filter(pk__in=wanted, hub=hub, status=S.APPLIED)
        .order_by("pk")
    )
    return makers, len(wanted) - len(makers)


def makers_approve_many(*, hub: Hub, maker_ids: Iterable[int], actor) -> Decision:
    """Approve many applicants in one go (the 500-overnight case); each is told. Makers who
    are no longer applicants, or not of this hub, are skipped and counted."""
    with transaction.atomic():
        makers, skipped = _applicants_locked(hub=hub, maker_ids=maker_ids)
        changed = [maker_approve(maker=maker, actor=actor) for maker in makers]
    return Decision(changed=changed, skipped=skipped)


def makers_decline_many(*, hub: Hub, maker_ids: Iterable[int], actor, reason: str = "") -> Decision:
    """Decline many applicants in one go; each is told kindly (maker_decline)."""
    reason = reason.strip()[:500]
    with transaction.atomic():
        makers, skipped = _applicants_locked(hub=hub, maker_ids=maker_ids)
        changed = [maker_decline(maker=maker, actor=actor, reason=reason) for maker in makers]
    return Decision(changed=changed, skipped=skipped)


def maker_sign_up_on_behalf(
    *,
    hub: Hub,
    actor,
    name: str,
    phone: str,
    postcode: str,
    consent_version: str,
    age_band: str = Maker.AgeBand.ADULT,
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    sets_per_week: int = 1,
    preferred_point=None,
    needs_doorstep_collection: bool = False,
    approve: bool = False,
) -> Maker:
    """Hub staff sign up someone who rang or sent a paper form: phone only, no email and no
    account (they can have one later by asking for a sign-in link by text). The person
    agreed to the privacy notice on the phone or on paper: `consent_version` records which.
    The same name with the same phone number is refused as a likely double entry."""

    name = " ".join(name.split())
    digits = normalise_phone(phone)
    if not name:
        raise MakerError(_("Please give the person's name."))
    if not digits:
        raise MakerError(_("Please give a UK phone number, like 07700 900123 or 01382 123456."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not consent_version:
        raise MakerError(_("Please confirm they agreed that we may keep their details."))
    if not 0 <= sets_per_week <= 50:
        raise MakerError(_("Please give a number of sets a week from 0 to 50."))
    if age_band == UNDER_16:
        raise MakerError(_("Makers must be 16 or over. Younger people can sew in a group."))
    phone = format_phone(digits)
    with transaction.atomic():
        _sign_up_locks(hub=hub, people=[(name, digits)])
        if (
            Maker.objects.filter(hub=hub, name__iexact=name, phone__in=[phone, digits])
            .exclude(status=S.ERASED)
            .exists()
        ):
            raise MakerError(
                _("%(name)s with the phone number %(phone)s is already signed up.")
                % {"name": name, "phone": phone}
            )
        maker = maker_apply(
            hub=hub,
            actor=actor,
            name=name,
            phone=phone,
            postcode=postcode_ok,
            age_band=age_band,
            guardian_name=guardian_name.strip() if age_band == Maker.AgeBand.UNDER_18 else "",
            guardian_contact=(
                guardian_contact.strip() if age_band == Maker.AgeBand.UNDER_18 else ""
            ),
            experience=experience,
            has_sewing_machine=has_sewing_machine,
            sets_per_week=sets_per_week,
            preferred_point=preferred_point,
            preferred_channel=contact_channel(phone=digits),
            needs_doorstep_collection=needs_doorstep_collection,
            consents=[(purpose, consent_version) for purpose in JOIN_CONSENTS],
        )
        if approve and maker.status == S.APPLIED:
            maker = maker_approve(maker=maker, actor=actor)
        _audit(actor=actor, hub=hub, action=AuditEvent.Action.SIGNED_UP, maker=maker)
    return maker


class MakerRowError(MakerError):
    """A refusal for one row of several (a paper form); `row` counts from 1."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row


def _sign_up_locks(*, hub: Hub, people: list[tuple[str, str]]) -> None:
    """Lock each (name, phone digits) for signing up until the transaction ends. The check
    for someone already signed up is a read: without this, two staff typing in the same
    person at once would both pass it. Taken in one order, so two sheets cannot deadlock."""
    keys = sorted(
        {
            int.from_bytes(
                hashlib.blake2b(
                    f"maker-sign-up:{hub.pk}:{name.upper()}:{digits}".encode(), digest_size=8
                ).digest(),
                "big",
                signed=True,
            )
            for name, digits in people
        }
    )
    if connection.vendor != "postgresql":
        # SQLite (the laptop default) takes its write lock when the transaction begins
        # (transaction_mode IMMEDIATE), so sign-ups there are already one at a time.
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def makers_sign_up_many(*, hub: Hub, actor, rows: list[dict]) -> list[Maker]:
    """Paper forms typed in row after row: all are signed up, or none (the first refusal
    says which row), so nobody is left half entered."""
    makers = []
    with transaction.atomic():
        _sign_up_locks(
            hub=hub,
            people=[
                (" ".join(row.get("name", "").split()), normalise_phone(row.get("phone", "")))
                for row in rows
            ],
        )
        for number, row in enumerate(rows, start=1):
            try:
                makers.append(maker_sign_up_on_behalf(hub=hub, actor=actor, **row))
            except MakerError as error:
                raise MakerRowError(number, str(error)) from error
    return makers
