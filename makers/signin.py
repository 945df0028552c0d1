"""Sign-in links for makers (django-sesame), and the quiet limits on asking for them.

Why sesame and not a token of our own or allauth's login code: a sesame token is signed,
scoped, expires (SESAME_MAX_AGE) and works once (SESAME_ONE_TIME puts the user's last_login
into the token's hash, so any sign-in spends every link sent before it). It is not tied to
the browser that asked, so a link asked for on a library computer works on the maker's
phone. The link opens a page with one "Sign in" button; only that POST spends it, so a mail
scanner that opens links cannot use it up.

Asking for a new link does not spend the old ones, so a stranger who types someone's
address many times cannot lock them out: at worst the limit below stops more messages
being sent, and the links already sent still work.

Makers on a phone only can be sent a six-digit code by text instead (`code_issue`,
`user_for_code`): a link in a text is hard to open on an old phone, and a code can be
typed on the page she asked on. The code is kept only as a hash, works for
SCRUBHUB_SIGNIN_CODE_MINUTES, for SigninCode.TRIES tries, once, and only in the browser
that asked (the session holds a random challenge; the row holds its hash). So the page
can show the same thing whether or not we know the number, and nobody elsewhere can use
up her tries. A new code replaces the last one. Codes follow the same rule as links:
for makers and group leaders only, checked when sending and when signing in.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from sesame.utils import get_token, get_user

from makers.models import SigninCode
from scrubhub.hubs.models import Membership
from scrubhub.security import MAKER_ROLES

logger = logging.getLogger(__name__)

SCOPE = "maker-signin"
# Messages to one address, and requests from one client, per window.
ADDRESS_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW_SECONDS = 60 * 60


def link_minutes() -> int:
    return int(settings.SESAME_MAX_AGE // 60)


def signin_url(user, *, landing: str = "") -> str:
    """The full address of a one-time sign-in link for `user`. `landing` is another page of
    ours that takes the token (a kit label's page, which returns her to that kit)."""
    if landing and (not landing.startswith("/") or landing.startswith("//")):
        raise ValueError("A sign-in link lands on one of our own pages.")
    query = urlencode({settings.SESAME_TOKEN_NAME: get_token(user, scope=SCOPE)})
    return f"{settings.SITE_URL}{landing or reverse('makers:signin_link')}?{query}"


def page_url(name: str) -> str:
    """The full address of one of the site's pages, for a message."""
    return f"{settings.SITE_URL}{reverse(name)}"


def may_sign_in_by_link(user) -> bool:
    """Links and codes are for makers and group leaders only. Anyone who can see other
    people's data (staff, laundry, drivers, helpers, operators) or who has set up two-step
    sign-in must pass allauth's password and code stages, which a link would skip. Read
    from the database, not a request's cache: a role may have been granted since the link
    was sent."""
    if not user.is_active or user.is_superuser or user.is_staff:
        return False
    if Membership.objects.filter(user=user).exclude(role__in=MAKER_ROLES).exists():
        return False
    return not Authenticator.objects.filter(user=user).exists()


def user_for_token(token: str):
    """The user a link belongs to, spending the link; None if it is wrong, expired or spent,
    or if the person may no longer sign in by link (a link sent before they became staff).

    Two clicks at the same moment must not both sign in: the user's row is locked and the
    token checked again under the lock, so the second click sees the first one's last_login
    (which is part of the token's hash) and fails.
    """
    if not token or len(token) > 200:
        return None
    user = get_user(token, scope=SCOPE, update_last_login=False)
    if user is None:
        return None
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        user = get_user(token, scope=SCOPE, update_last_login=False)
        if user is None or not may_sign_in_by_link(user):
            return None
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return user


CODE_TRIES = SigninCode.TRIES


def code_minutes() -> int:
    return settings.SCRUBHUB_SIGNIN_CODE_MINUTES


def challenge_new() -> str:
    """A random challenge for a browser's session. Given also when no code was sent (a
    number we do not know, a limit reached), where it matches nothing."""
    return secrets.token_urlsafe(32)


def _challenge_digest(challenge: str) -> str:
    return hashlib.sha256(challenge.encode()).hexdigest()


def _code_digest(*, user_id: int, challenge: str, code: str) -> str:
    # Keyed with the site's secret: a copy of the table alone cannot be tried against
    # every six-digit number.
    return salted_hmac(
        "makers.signin.code", f"{user_id}:{challenge}:{code}", algorithm="sha256"
    ).hexdigest()


def code_issue(user) -> tuple[str, str]:
    """A new code for `user`, replacing any earlier one: (the code to text her, the
    challenge for the asking browser's session). Only their hashes are stored."""
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = challenge_new()
    now = timezone.now()
    with transaction.atomic():
        # Two requests at once: one row per person, the later replacing the earlier.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        SigninCode.objects.filter(user=user).delete()
        SigninCode.objects.create(
            user=user,
            challenge=_challenge_digest(challenge),
            digest=_code_digest(user_id=user.pk, challenge=challenge, code=code),
            created_at=now,
            expires_at=now + timedelta(minutes=code_minutes()),
        )
    return code, challenge


def code_clean(raw: str) -> str:
    """The code as typed, without the spaces or dashes people add; "" if it is not six
    digits 0-9 (str.isdigit() also says yes to "²" and "٣")."""
    code = "".join(raw.split()).replace("-", "")
    return code if len(code) == 6 and all("0" <= c <= "9" for c in code) else ""


def user_for_code(*, challenge: str, code: str):
    """The user whose live code this is, spending it; None if it is wrong, expired, used,
    out of tries, replaced, for another browser, or if the person may no longer sign in
    this way (a code sent before they became staff).

    A try is taken before the code is compared, with a conditional UPDATE: however many
    guesses arrive at once, no more than SigninCode.TRIES are ever compared. A right code
    is spent by compare-and-set under the user's row lock, so two at once sign in once.
    """
    code = code_clean(code or "")
    if not code or not challenge or len(challenge) > 100:
        return None
    row = (
        SigninCode.objects.filter(challenge=_challenge_digest(challenge))
        .only("pk", "user_id", "digest")
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    took = SigninCode.objects.filter(
        pk=row.pk, spent_at=None, expires_at__gt=now, tries_left__gt=0
    ).update(tries_left=F("tries_left") - 1)
    if not took:
        return None
    expected = _code_digest(user_id=row.user_id, challenge=challenge, code=code)
    if not constant_time_compare(row.digest, expected):
        return None
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=row.user_id).first()
        spent = SigninCode.objects.filter(pk=row.pk, spent_at=None).update(spent_at=now)
        if not spent or user is None or not may_sign_in_by_link(user):
            return None
        # As a link's sign-in does: this also spends every link sent before it.
        user.last_login = now
        user.save(update_fields=["last_login"])
    return user


def _allow(kind: str, value: str, limit: int) -> bool:
    """A fixed-window counter in the shared cache. Values are hashed: no addresses in Redis."""
    digest = hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
    key = f"makers:signin-limit:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit


def may_send(*, address: str, client: str, limit_client: bool = True) -> bool:
    """True while neither the address nor the client has asked too often. Both counters
    count every request, so one busy client cannot hide behind many addresses.

    The first link of someone who has just joined counts only against their address: a
    class or a library joining together shares one client address."""
    address_ok = _allow("address", address.lower(), ADDRESS_LIMIT)
    client_ok = _allow("client", client or "unknown", CLIENT_LIMIT) if limit_client else True
    if not (address_ok and client_ok):
        logger.info("Sign-in link not sent: too many requests (address ok=%s).", address_ok)
    return address_ok and client_ok
