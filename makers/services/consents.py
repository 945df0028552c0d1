"""What a maker agreed to: giving and withdrawing a consent (each with the version of the
wording they saw), a new maker's first consents, and the weekly summary email on or off."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from makers.models import Consent, Maker
from makers.services.core import MakerError
from scrubhub.notifications.services import WEEKLY_SUMMARY, opt_out_record, opt_out_undo


def _require_wording(wording_version: str) -> None:
    if not wording_version:
        raise MakerError("A consent needs the version of the wording the person agreed to.")


def consent_give(
    *, maker: Maker, purpose: str, wording_version: str, given_at: datetime | None = None
) -> Consent:
    """Record a consent; a new wording replaces the current one for the same purpose."""
    _require_wording(wording_version)
    now = given_at or timezone.now()
    with transaction.atomic():
        Consent.objects.select_for_update().filter(
            maker=maker, purpose=purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=now)
        return Consent.objects.create(
            maker=maker, purpose=purpose, wording_version=wording_version, given_at=now
        )


def _consents_record_first(*, maker: Maker, consents, given_at: datetime) -> None:
    """A new maker's consents, (purpose, wording version) pairs, in one insert: there is no
    earlier consent for consent_give to replace."""
    consents = list(consents)
    for _purpose, wording_version in consents:
        _require_wording(wording_version)
    Consent.objects.bulk_create(
        Consent(maker=maker, purpose=purpose, wording_version=wording_version, given_at=given_at)
        for purpose, wording_version in consents
    )


def maker_summaries_set(*, maker: Maker, wanted: bool) -> None:
    """The maker turns the weekly summary email off, or back on. Messages about their kits
    cannot be turned off while they sew; stopping sewing or deleting the account ends them."""
    if not maker.email:
        raise MakerError(_("We have no email address for you, so we send you no weekly email."))
    if wanted:
        opt_out_undo(address=maker.email, kind=WEEKLY_SUMMARY)
    else:
        opt_out_record(address=maker.email, kind=WEEKLY_SUMMARY)


def consent_withdraw(*, maker: Maker, purpose: str) -> int:
    """Withdraw the current consent for a purpose. Returns how many were withdrawn."""
    with transaction.atomic():
        return Consent.objects.filter(
            maker=maker, purpose=purpose, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
