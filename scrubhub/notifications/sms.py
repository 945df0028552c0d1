"""Text messages through a pluggable gateway. Here: a console backend that logs them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", to, body)


def get_sms_backend():
    path = getattr(settings, "SMS_BACKEND", "scrubhub.notifications.sms.ConsoleSmsBackend")
    return import_string(path)()
