"""Text messages through a pluggable sender (`SCRUBHUB_SMS_BACKEND`): GOV.UK Notify in
production (notify.py), the console here, which prints what it would have sent.

A backend has `send(*, to, body, reference) -> str`, returning the provider's id for the
message ("" when it has none), and `accepted_earlier(*, reference) -> str`, the id of a
message with that reference the provider already took (for a retry after a time-out). It
raises `SendRejected` when the provider refuses the message for good and `SendDeferred`
when it may take it later (rate limit, provider down, no answer)."""

from __future__ import annotations

import sys
import threading

from django.conf import settings
from django.utils.module_loading import import_string


class SendRejected(Exception):
    """The provider refused this message; sending it again would be refused the same way."""


class SendDeferred(Exception):
    """Not sent this time (rate limited, the provider down or not answering): try later."""


class ConsoleSmsBackend:
    """`make run`'s texts: written to the terminal (the worker's), never sent."""

    _lock = threading.Lock()

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        # stdout, as Django's console email backend: the worker runs at WARNING, so a
        # log line at INFO would never show.
        with self._lock:
            sys.stdout.write(
                f"--- Text message (console backend, not sent) to {to} [{reference}]\n"
                f"{body.rstrip()}\n---\n"
            )
            sys.stdout.flush()
        return ""

    def accepted_earlier(self, *, reference: str) -> str:
        return ""


def get_sms_backend():
    path = getattr(settings, "SMS_BACKEND", "scrubhub.notifications.sms.ConsoleSmsBackend")
    return import_string(path)()
