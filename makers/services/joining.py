"""Joining: a maker applies (maker_apply, shared with staff signing people up) or joins on
the hub's own form (maker_join), with an account, first consents and a sign-in link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from makers import guardian_services, signin
from makers.models import Maker, MakerEvent
from makers.services.accounts import (
    _account_create,
    _signin_code_queue,
    _signin_link_queue,
    _user_for_address,
    signin_code_send,
    signin_link_send,
)
from makers.services.consents import _consents_record_first
from makers.services.core import (
    JOIN_CONSENTS,
    UNDER_16,
    MakerError,
    S,
    _message_maker,
    _role_grant,
    _validate_contact,
)
from makers.services.status import maker_approve
from makers.validators import (
    contact_channel,
    format_phone,
    is_mobile,
    normalise_contact,
    normalise_phone,
    normalise_postcode,
)
from scrubhub.hubs.models import Hub, Role


def maker_apply(
    *,
    hub: Hub,
    name: str,
    postcode: str,
    actor=None,
    user=None,
    email: str = "",
    phone: str = "",
    age_band: str = Maker.AgeBand.ADULT,
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    sets_per_week: int = 1,
    preferred_point=None,
    preferred_channel: str = Maker.Channel.EMAIL,
    heard_about: str = "",
    needs_doorstep_collection: bool = False,
    consents: Iterable[tuple[str, str]] = (),
) -> Maker:
    """Sign someone up as a maker (themselves, or by staff for phone-only people).

    `consents` are (purpose, wording_version) pairs the person agreed to. Queues a welcome
    message, and approves at once when the hub does that automatically.
    """
    name, email, phone = name.strip(), email.strip(), phone.strip()
    guardian_name = " ".join(guardian_name.split())
    guardian_contact = normalise_contact(guardian_contact) or guardian_contact.strip()
    if not name:
        raise MakerError("Please tell us your name.")
    _validate_contact(
        email=email,
        phone=phone,
        age_band=age_band,
        guardian_name=guardian_name,
        guardian_contact=guardian_contact,
        preferred_channel=preferred_channel,
    )
    if preferred_point is not None and preferred_point.hub_id != hub.pk:
        raise MakerError("That drop-off point belongs to a different hub.")
    if sets_per_week < 0:
        raise MakerError("Sets a week cannot be less than nothing.")
    # Joining and staff sign-up call this inside their own transaction and let every error
    # end it: a savepoint would be two more round trips for nothing.
    with transaction.atomic(savepoint=False):
        if user is not None and Maker.objects.filter(user=user).exists():
            raise MakerError("You are already signed up as a maker.")
        maker = Maker.objects.create(
            hub=hub,
            user=user,
            name=name,
            email=email,
            phone=phone,
            postcode=postcode.strip().upper(),
            age_band=age_band,
            guardian_name=guardian_name,
            guardian_contact=guardian_contact,
            experience=experience,
            has_sewing_machine=has_sewing_machine,
            sets_per_week=sets_per_week,
            preferred_point=preferred_point,
            preferred_channel=preferred_channel,
            heard_about=heard_about,
            needs_doorstep_collection=needs_doorstep_collection,
            status=S.APPLIED,
            status_changed_at=timezone.now(),
        )
        MakerEvent.objects.create(
            maker=maker, old_status="", new_status=S.APPLIED, actor=actor or user
        )
        _consents_record_first(maker=maker, consents=consents, given_at=maker.created_at)
        if maker.needs_guardian:
            guardian_services.guardian_ask(maker=maker)
        if user is not None:
            _role_grant(user_id=user.pk, role=Role.MAKER, hub=hub)
        _message_maker(
            maker=maker,
            kind="welcome",
            subject=f"Welcome to {hub.name}",
            body=(
                f"Hello {maker.name},\n\nThank you for offering to sew scrubs with "
                f"{hub.name}. We will be in touch soon.\n\n"
                + (
                    f"We have sent {maker.guardian_name} a message asking them to agree. "
                    "We can send you a kit when they have.\n\n"
                    if maker.needs_guardian
                    else ""
                )
                + f"If you have questions, call us on {hub.phone} or email {hub.email}."
            ),
        )
        if hub.auto_approve_makers:
            maker = maker_approve(maker=maker, actor=actor)
    return maker


@dataclass(frozen=True)
class JoinOutcome:
    """What joining did. The person sees the same page either way, so `known` (a sign-in
    link went to an address we already had) must never reach them."""

    maker: Maker | None
    known: bool
    # For someone who joined with a mobile number only: the challenge the browser keeps
    # to type her sign-in code on (makers.signin). Random, matching nothing, when no code
    # was sent, so it says nothing about `known` either.
    code_challenge: str = ""


def maker_join(
    *,
    hub: Hub,
    name: str,
    postcode: str,
    age_band: str,
    consent_version: str,
    email: str = "",
    phone: str = "",
    guardian_name: str = "",
    guardian_contact: str = "",
    experience: str = Maker.Experience.BEGINNER,
    has_sewing_machine: bool = True,
    preferred_point=None,
    client: str = "",
) -> JoinOutcome:
    """Someone joins on the hub's own form: an account with no password, the maker (through
    maker_apply, which queues the welcome and approves at once if the hub says so), and a
    sign-in link. An email or phone we already know gets a sign-in link instead and nothing
    else changes, so the form never tells anyone who has joined."""
    email = email.strip().lower()
    phone = normalise_phone(phone) if phone.strip() else ""
    if age_band == UNDER_16:
        raise MakerError(
            _(
                "You need to be 16 or over to sew for the hub on your own. You could sew with an "
                "adult in a group instead."
            )
        )
    if phone == "" and not email:
        raise MakerError(_("Please give an email address or a phone number, so we can reach you."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not consent_version:
        raise MakerError(_("Please tick the box to say we may keep your details."))
    if _user_for_address(email=email) or (phone and not email and _user_for_address(phone=phone)):
        return _join_known(email=email, phone=phone, client=client)
    try:
        with transaction.atomic():
            user = _account_create(name=name.strip(), email=email, phone=phone)
            maker = maker_apply(
                hub=hub,
                user=user,
                name=name,
                email=email,
                phone=format_phone(phone),
                postcode=postcode_ok,
                age_band=age_band,
                guardian_name=guardian_name.strip() if age_band == Maker.AgeBand.UNDER_18 else "",
                guardian_contact=(
                    guardian_contact.strip() if age_band == Maker.AgeBand.UNDER_18 else ""
                ),
                experience=experience,
                has_sewing_machine=has_sewing_machine,
                preferred_point=preferred_point,
                preferred_channel=contact_channel(email=email, phone=phone),
                consents=[(purpose, consent_version) for purpose in JOIN_CONSENTS],
            )
            # The first link or code goes in the same transaction as the joining, and
            # counts only against the address: a class or a library joining together
            # shares a client. Someone with a mobile number only gets a code by text.
            challenge = "" if email else signin.challenge_new()
            if signin.may_send(address=email or phone, client=client, limit_client=False) and (
                email or is_mobile(phone)
            ):
                if email:
                    _signin_link_queue(user=user, maker=maker, email=email, phone=phone)
                else:
                    challenge = _signin_code_queue(user=user, maker=maker, phone=phone)
    except IntegrityError:
        # Someone joined with the same address a moment ago: treat it as known.
        return _join_known(email=email, phone=phone, client=client)
    return JoinOutcome(maker=maker, known=False, code_challenge=challenge)


def _join_known(*, email: str, phone: str, client: str) -> JoinOutcome:
    """Joining with an address we know: a sign-in link (a code, for a mobile number only)
    and nothing else."""
    if email:
        signin_link_send(email=email, phone=phone, client=client)
        return JoinOutcome(maker=None, known=True)
    challenge = signin_code_send(phone=phone, client=client)
    return JoinOutcome(maker=None, known=True, code_challenge=challenge)
