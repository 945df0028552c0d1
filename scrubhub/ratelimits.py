"""Limits on how often one client may do things that can be abused: joining (fake sign-ups
that flood the hub's inbox) and looking up kit codes (guessing other people's kits).

Counted in the shared cache (Redis in production) with django-ratelimit; while Redis cannot
be reached they are counted in the database instead (scrubhub/cache/backends.py), so an
outage neither stops anyone joining nor switches a limit off. Sign-in and
password reset are limited by django-allauth (ACCOUNT_RATE_LIMITS); sign-in links by
makers/signin.py, per address and per client, without locking the real person out.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def over_limit(request, *, group: str, rate, key: str = "ip") -> bool:
    """Counts this request against the group's limit; True once the client is over it."""
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def too_many(request, *, what: str):
    """The page a person sees over a limit: what happened and what to do, with status 429."""
    return render(request, "too_many.html", {"what": what}, status=429)


def join_rate(group, request) -> str:
    return settings.SCRUBHUB_JOIN_RATE


def kit_lookup_rate(group, request) -> str:
    return settings.SCRUBHUB_KIT_LOOKUP_RATE


def guardian_rate(group, request) -> str:
    return settings.SCRUBHUB_GUARDIAN_RATE
