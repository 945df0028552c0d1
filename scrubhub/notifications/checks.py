"""`check --deploy`: a production site that never chose how texts go would only print them."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sms_backend_chosen(app_configs, **kwargs):
    if settings.DEBUG or settings.SMS_BACKEND_CHOSEN:
        return []
    return [
        Warning(
            "SCRUBHUB_SMS_BACKEND is not set, so text messages are only printed, never sent.",
            hint="Set SCRUBHUB_SMS_BACKEND=notify with the Notify settings (see README), or "
            "SCRUBHUB_SMS_BACKEND=console if this site should really send no texts.",
            id="notifications.W001",
        )
    ]
