"""GOV.UK Notify: texts (and email, when chosen) through its API, its delivery receipts and
its status look-ups. Only services.py calls this; nothing here touches the outbox.

Notify sends with templates, so one text template whose whole content is ((body)), and one
email template of ((subject)) and ((body)), carry any message. Each message goes with the
outbox row's reference, so a send that timed out can be found again rather than sent twice.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.dateparse import parse_datetime
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from scrubhub.notifications.sms import SendDeferred, SendRejected

DELIVERED = "delivered"
FAILURES = frozenset({"permanent-failure", "temporary-failure", "technical-failure"})


@dataclass(frozen=True)
class Report:
    """What Notify says about one message, from a receipt or a status look-up."""

    provider_id: str
    reference: str
    status: str
    completed_at: datetime | None = None
    sent_at: datetime | None = None

    @classmethod
    def from_notify(cls, data: dict) -> Report:
        def when(key: str) -> datetime | None:
            value = data.get(key)
            try:
                return parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                return None

        return cls(
            provider_id=str(data.get("id") or ""),
            reference=str(data.get("reference") or ""),
            status=str(data.get("status") or ""),
            completed_at=when("completed_at"),
            sent_at=when("sent_at"),
        )


def _client() -> NotificationsAPIClient:
    # One client per call: the client keeps a requests session and is not thread-safe.
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY,
        base_url=settings.NOTIFY_BASE_URL,
        timeout=settings.NOTIFY_TIMEOUT_SECONDS,
    )


def _error_text(error: APIError) -> str:
    if error.response is None:
        cause = type(error.__cause__).__name__ if error.__cause__ else "no answer"
        return f"GOV.UK Notify did not answer ({cause})"
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            str(item.get("message", item)) if isinstance(item, dict) else str(item)
            for item in message
        )
    return f"GOV.UK Notify answered {error.status_code}: {message}"


def _ask(call, *, for_good: tuple[int, ...] = (400,)):
    """Run one API call; Notify's refusal of the request itself (400) is for good, anything
    else (403 while a key is being fixed, 429, 5xx, a time-out) may pass on a later try."""
    try:
        return call(_client())
    except APIError as error:
        if error.status_code in for_good:
            raise SendRejected(_error_text(error)) from error
        raise SendDeferred(_error_text(error)) from error


class NotifySmsBackend:
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        answer = _ask(
            lambda client: client.send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
                reference=reference or None,
            )
        )
        return str(answer["id"])

    def accepted_earlier(self, *, reference: str) -> str:
        return accepted_earlier(reference=reference, template_type="sms")


def email_send(*, to: str, subject: str, body: str, reference: str) -> str:
    answer = _ask(
        lambda client: client.send_email_notification(
            email_address=to,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )
    )
    return str(answer["id"])


def accepted_earlier(*, reference: str, template_type: str) -> str:
    """The id of a message Notify already took with this reference and has not failed, or "".
    A failed one does not count: sending again after a failure is what staff asked for."""
    answer = _ask(
        lambda client: client.get_all_notifications(
            reference=reference, template_type=template_type
        )
    )
    for notification in answer.get("notifications") or []:
        if notification.get("reference") == reference and notification.get("status") not in (
            FAILURES
        ):
            return str(notification["id"])
    return ""


def status_of(*, provider_id: str) -> Report:
    # 404: Notify no longer has it (it keeps messages 7 days), or never did: asking again
    # will not help, unlike a busy or absent provider.
    answer = _ask(lambda client: client.get_notification_by_id(provider_id), for_good=(400, 404))
    return Report.from_notify(answer)


def receipt_authorised(*, authorization: str) -> bool:
    """Whether a receipt carries the bearer token we gave Notify. No token set: none is."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    scheme, _, token = authorization.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    # Constant time: how much of a guess matched must not show in how long the answer takes.
    return hmac.compare_digest(token.strip().encode(), expected.encode())
