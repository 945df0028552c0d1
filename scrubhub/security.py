"""Session time-outs and caching rules that apply to every page.

Staff see many people's personal data, so their sessions end sooner; makers see only their
own and sign in by emailed link, so theirs last longer. Pages for signed-in people are never
stored by browsers or proxies (they may hold personal data).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.hubs.permissions import memberships, roles

SESSION_STARTED = "scrubhub_started"
SESSION_SEEN = "scrubhub_seen"
# Writing the session on every request would cost a database write per page view.
SEEN_RESOLUTION = 60
MAKER_ROLES = {Role.MAKER, Role.GROUP_LEADER}


def is_staff_like(user) -> bool:
    """Anyone who may see other people's data: hub staff, drivers, helpers, laundry, operators."""
    return user.is_superuser or bool(roles(user) - MAKER_ROLES)


def session_limits(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for this person's session."""
    if is_staff_like(user):
        return settings.SCRUBHUB_STAFF_IDLE_SECONDS, settings.SCRUBHUB_STAFF_MAX_SECONDS
    return settings.SCRUBHUB_MAKER_IDLE_SECONDS, settings.SCRUBHUB_MAKER_MAX_SECONDS


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            idle, absolute = session_limits(user)
            if now - seen > idle or now - started > absolute:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out to keep your details safe. Please sign in again."),
                )
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            # Personal data must not linger in a shared computer's cache or a proxy.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class TwoFactorRequiredMiddleware:
    """Staff of a hub that requires two-step sign-in must set it up before doing anything
    else. They can still reach the set-up pages and sign out."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and needs_two_factor_setup(user)
        ):
            messages.warning(
                request,
                _(
                    "Your hub asks its staff to use two-step sign-in. Please set it up now: "
                    "it takes two minutes with an authenticator app on your phone."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def needs_two_factor_setup(user) -> bool:
    from allauth.mfa.models import Authenticator

    requiring = [
        m for m in memberships(user) if m.role in STAFF_ROLES and m.hub.require_staff_two_factor
    ]
    if not requiring:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
