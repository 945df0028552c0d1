"""Sign-in accounts for makers and group leaders, and the one-time sign-in links and
codes: made with no password, found by email or phone, limited by makers.signin."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from makers import signin
from makers.models import Maker
from makers.services.core import S, _role_grant
from makers.validators import format_phone, is_mobile, normalise_phone
from scrubhub.hubs.models import Role
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import message_queue


def _username_for(*, email: str, phone: str) -> str:
    # The username is the address itself, so the unique index on usernames stops two
    # accounts for one address even when two joins race.
    base = email or f"phone:{phone}"
    if len(base) <= 150:
        return base
    return "email:" + hashlib.sha256(base.encode()).hexdigest()


def _user_for_address(*, email: str = "", phone: str = ""):
    """The account (existing, or made now for a maker staff signed up without one) that a
    sign-in link for this address should sign in; None if we know nobody by it."""
    User = get_user_model()
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
        if user is not None:
            return user
        maker = (
            Maker.objects.filter(email__iexact=email)
            .exclude(status__in=[S.ERASED, S.DECLINED, S.WITHDRAWN])
            .order_by("pk")
            .first()
        )
    elif phone:
        maker = (
            Maker.objects.filter(phone__in=[phone, format_phone(phone)])
            .exclude(status__in=[S.ERASED, S.DECLINED, S.WITHDRAWN])
            .order_by("pk")
            .first()
        )
    else:
        return None
    if maker is None:
        return None
    if maker.user_id:
        return maker.user if maker.user.is_active else None
    return _account_for_maker(maker=maker)


def _account_create(*, name: str, email: str, phone: str):
    """A new account with no password (a password is optional; links sign people in)."""
    User = get_user_model()
    first, _space, last = name.partition(" ")
    user = User(
        username=_username_for(email=email, phone=phone),
        email=email,
        first_name=first[:150],
        last_name=last[:150],
    )
    user.set_unusable_password()
    user.save()
    if email:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def _account_for_maker(*, maker: Maker):
    """Give a maker whom staff signed up without an account one, so they can sign in."""
    with transaction.atomic():
        maker = Maker.objects.select_for_update().get(pk=maker.pk)
        if maker.user_id:
            return maker.user
        user = _account_create(
            name=maker.name, email=maker.email, phone=normalise_phone(maker.phone)
        )
        Maker.objects.filter(pk=maker.pk).update(user=user)
        _role_grant(user_id=user.pk, role=Role.MAKER, hub=maker.hub)
    return user


def signin_link_send(
    *, email: str = "", phone: str = "", client: str = "", landing: str = ""
) -> bool:
    """Send a one-time sign-in link to an email address or a mobile number, if we know it.

    Quiet by design: the caller shows the same page whatever happens, and this returns
    whether a link was queued only for tests and logs. Limited per address and per
    client (see makers.signin). Links are for makers only: anyone else is told by email to
    sign in with their password, and gets no link."""
    email, phone = email.strip().lower(), normalise_phone(phone)
    address = email or phone
    if not address or (phone and not email and not is_mobile(phone)):
        return False
    if not signin.may_send(address=address, client=client):
        return False
    with transaction.atomic():
        user = _user_for_address(email=email, phone=phone)
        if user is None:
            return False
        if not signin.may_sign_in_by_link(user):
            _signin_link_refused_queue(user=user, email=email, phone=phone)
            return False
        maker = Maker.objects.filter(user=user).select_related("hub").first()
        _signin_link_queue(user=user, maker=maker, email=email, phone=phone, landing=landing)
    return True


def _signin_link_refused_queue(*, user, email: str, phone: str) -> None:
    """Tell someone who must sign in with a password (and a two-step code) where to do it.
    The message carries no way in, so a stranger asking with their address gains nothing."""
    name = user.get_full_name() or user.get_username()
    login, reset = signin.page_url("account_login"), signin.page_url("account_reset_password")
    if user.email or email:
        body = _(
            "Hello %(name)s,\n\nSomeone asked for a link to sign in to ScrubHub with this "
            "address. Links are only for volunteers who sew. Your account does more than "
            "sewing, so please sign in with your password (and your two-step code, if you use one) "
            "here:\n\n%(login)s\n\nIf you have forgotten your password, you can choose a "
            "new one here:\n\n%(reset)s\n\nIf you did not ask, you can ignore this "
            "message: nobody can sign in without your password."
        ) % {"name": name, "login": login, "reset": reset}
        channel, to_address = Message.Channel.EMAIL, user.email or email
    else:
        body = _("ScrubHub: please sign in with your password at %(login)s") % {"login": login}
        channel, to_address = Message.Channel.SMS, phone
    message_queue(
        idempotency_key=f"signin-link-refused-{user.pk}-{uuid.uuid4()}",
        to_address=to_address,
        subject=str(_("How to sign in to ScrubHub")),
        body=str(body),
        kind="signin_link_refused",
        channel=channel,
        recipient=user,
    )


def _signin_link_queue(
    *, user, maker: Maker | None, email: str, phone: str, landing: str = ""
) -> None:
    """Queue the message with a fresh link, by email if we have the address, else by text.
    `landing` is the page of ours the link opens (makers.signin.signin_url)."""
    hub = maker.hub if maker else None
    name = (maker.name if maker else user.get_full_name()) or ""
    link = signin.signin_url(user, landing=landing)
    minutes = signin.link_minutes()
    if email:
        body = _(
            "Hello %(name)s,\n\nHere is your link to sign in to ScrubHub:\n\n%(link)s\n\n"
            "It works once, for the next %(minutes)s minutes. Open it and press "
            "“Sign in”.\n\nIf you did not ask for this, you can ignore it: nobody can "
            "sign in without the link."
        ) % {"name": name, "link": link, "minutes": minutes}
        channel, to_address = Message.Channel.EMAIL, email
    else:
        body = _("ScrubHub: your sign-in link (works once, for %(minutes)s minutes): %(link)s") % {
            "link": link,
            "minutes": minutes,
        }
        channel, to_address = Message.Channel.SMS, phone
    message_queue(
        # Every request is its own message; the limits in makers.signin stop floods.
        idempotency_key=f"maker-signin-{user.pk}-{uuid.uuid4()}",
        to_address=to_address,
        subject=str(_("Your link to sign in to ScrubHub")),
        body=str(body),
        kind="maker_signin_link",
        channel=channel,
        hub=hub,
        recipient=user,
    )


def signin_code_send(*, phone: str, client: str = "") -> str:
    """Text a one-time sign-in code to a mobile number, if we know it and it belongs to a
    maker or group leader; anyone else is told how to sign in with their password.

    Returns the challenge the asking browser keeps to type the code on (makers.signin):
    the code's own when one was sent, else a random one that matches nothing. Quiet by
    design: the caller cannot tell which, so the page never says whether we know the
    number. Limited per number and per client, counted with the links (makers.signin)."""
    phone = normalise_phone(phone)
    nothing_sent = signin.challenge_new()
    if not phone or not is_mobile(phone):
        return nothing_sent
    if not signin.may_send(address=phone, client=client):
        return nothing_sent
    with transaction.atomic():
        user = _user_for_address(phone=phone)
        if user is None:
            return nothing_sent
        if not signin.may_sign_in_by_link(user):
            _signin_link_refused_queue(user=user, email="", phone=phone)
            return nothing_sent
        maker = Maker.objects.filter(user=user).select_related("hub").first()
        return _signin_code_queue(user=user, maker=maker, phone=phone)


def _signin_code_queue(*, user, maker: Maker | None, phone: str) -> str:
    """A new code for `user` (the last one stops working), queued by text; the challenge."""
    code, challenge = signin.code_issue(user)
    body = _(
        "Your ScrubHub sign-in code is %(code)s. It works for %(minutes)s minutes. Do not share it."
    ) % {"code": code, "minutes": signin.code_minutes()}
    message_queue(
        # Every request is its own message; the limits in makers.signin stop floods.
        idempotency_key=f"maker-signin-code-{user.pk}-{uuid.uuid4()}",
        to_address=phone,
        subject=str(_("Your code to sign in to ScrubHub")),
        body=str(body),
        kind="maker_signin_code",
        channel=Message.Channel.SMS,
        hub=maker.hub if maker else None,
        recipient=user,
    )
    return challenge
