"""Texts (and email) through GOV.UK Notify: the real client against a fake Notify on loopback,
and the delivery receipts that come back."""

from __future__ import annotations

import threading
from datetime import timedelta

import jwt
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scrubhub.notifications import delivery, services
from scrubhub.notifications.models import Message
from scrubhub.notifications.sms import SendDeferred
from scrubhub.notifications.tasks import poll_message_status, sweep_outbox
from tests import fake_notify
from tests.fake_notify import NOT_A_MOBILE, RATE_LIMITED, RECEIPT_TOKEN, Scripted

PHONE = "07700900123"


def text(key="t1", **extra) -> Message:
    return services.message_queue(
        idempotency_key=key,
        to_address=PHONE,
        subject="Kit ready",
        body="Your kit is ready to collect.",
        kind="kit_ready",
        channel=Message.Channel.SMS,
        **extra,
    )


def row(message: Message) -> Message:
    message.refresh_from_db()
    return message


def sent_text(notify) -> Message:
    message = text()
    assert delivery.message_deliver(message_id=message.pk) is True
    return row(message)


def receipt(message: Message, status: str, *, token: str | None = RECEIPT_TOKEN, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    payload = {
        "id": message.provider_id,
        "reference": delivery.provider_reference(message.pk),
        "to": message.to_address,
        "status": status,
        "created_at": "2026-12-03T10:15:00.000000Z",
        "completed_at": "2026-12-03T10:15:30.000000Z",
        "sent_at": "2026-12-03T10:15:02.000000Z",
        "notification_type": "sms",
        **extra,
    }
    return Client().post(
        reverse("notifications:notify_receipt"),
        payload,
        content_type="application/json",
        **headers,
    )


# --- Sending ----------------------------------------------------------------------------


def test_an_accepted_text_is_sent_by_the_real_client_and_marked_sent_with_notifys_id(db, notify):
    message = sent_text(notify)
    [request] = notify.sends("sms")
    assert request.body == {
        "phone_number": PHONE,
        "template_id": fake_notify.SMS_TEMPLATE_ID,
        "personalisation": {"body": "Your kit is ready to collect."},
        "reference": f"outbox-{message.pk}",
    }
    claims = jwt.decode(
        request.headers["Authorization"].removeprefix("Bearer "),
        fake_notify.SECRET,
        algorithms=["HS256"],
    )
    assert claims["iss"] == fake_notify.SERVICE_ID
    assert message.status == Message.Status.SENT
    assert message.provider_id in notify.notifications
    assert message.sent_at is not None and message.failure_reason == ""


def test_a_text_notify_refuses_fails_at_once_with_notifys_words_and_is_not_retried(db, notify):
    notify.answer_next(NOT_A_MOBILE)
    message = text()
    assert delivery.message_deliver(message_id=message.pk) is False
    message = row(message)
    assert message.status == Message.Status.FAILED
    assert message.failure_reason == Message.FailureReason.REJECTED
    assert "Not a UK mobile number" in message.last_error
    assert message.sent_at is None and message.provider_id == ""
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_outbox() == 0
    assert len(notify.sends("sms")) == 1


def test_a_rate_limited_text_waits_backing_off_then_is_sent_once(db, notify):
    notify.answer_next(RATE_LIMITED)
    message = text()
    with pytest.raises(SendDeferred, match="429"):
        delivery.message_deliver(message_id=message.pk)
    message = row(message)
    assert message.status == Message.Status.PENDING
    assert "Exceeded rate limit" in message.last_error
    wait = (message.retry_at - timezone.now()).total_seconds()
    assert 20 < wait <= 30
    # The sweep leaves it alone while it backs off...
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert sweep_outbox() == 0
    assert len(notify.sends("sms")) == 1
    # ...and sends it once the wait is over.
    Message.objects.filter(pk=message.pk).update(retry_at=timezone.now() - timedelta(seconds=1))
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0
    message = row(message)
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert len(notify.sends("sms")) == 2 and len(notify.notifications) == 1


def test_the_wait_doubles_with_each_attempt_up_to_an_hour():
    assert [delivery.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.retry_delay(20) == 3600


def test_a_text_rate_limited_on_every_attempt_fails_as_technical(db, notify, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    notify.answer_next(RATE_LIMITED, RATE_LIMITED)
    message = text()
    for _ in range(2):
        with pytest.raises(SendDeferred):
            delivery.message_deliver(message_id=message.pk)
    message = row(message)
    assert message.status == Message.Status.FAILED
    assert message.failure_reason == Message.FailureReason.TECHNICAL
    assert "429" in message.last_error


def test_a_text_notify_took_but_answered_too_late_is_not_sent_again(db, notify):
    notify.answer_next(Scripted(delay=2.0, accept=True))
    message = text()
    with pytest.raises(SendDeferred, match="did not answer"):
        delivery.message_deliver(message_id=message.pk)
    assert row(message).status == Message.Status.PENDING
    # The retry finds Notify's message by its reference instead of sending a second.
    assert delivery.message_deliver(message_id=message.pk) is True
    message = row(message)
    [taken] = notify.notifications.values()
    assert message.status == Message.Status.SENT and message.provider_id == taken["id"]
    assert len(notify.sends("sms")) == 1


def test_a_text_that_timed_out_before_notify_took_it_is_sent_on_the_retry(db, notify):
    notify.answer_next(Scripted(status=500, delay=2.0))
    message = text()
    with pytest.raises(SendDeferred):
        delivery.message_deliver(message_id=message.pk)
    assert delivery.message_deliver(message_id=message.pk) is True
    assert row(message).status == Message.Status.SENT
    assert len(notify.sends("sms")) == 2 and len(notify.notifications) == 1


def test_email_goes_through_notify_when_chosen(db, notify, settings):
    fake_notify.configure(settings, notify, email=True)
    message = services.message_queue(
        idempotency_key="e1",
        to_address="maker@example.org",
        subject="Welcome",
        body="Thank you for joining.",
        kind="welcome",
    )
    assert delivery.message_deliver(message_id=message.pk) is True
    [request] = notify.sends("email")
    assert request.body["email_address"] == "maker@example.org"
    assert request.body["template_id"] == fake_notify.EMAIL_TEMPLATE_ID
    assert request.body["personalisation"]["subject"] == "Welcome"
    assert "Thank you for joining." in request.body["personalisation"]["body"]
    assert request.body["reference"] == f"outbox-{message.pk}"
    assert mail.outbox == []
    assert row(message).provider_id in notify.notifications


def test_the_console_backend_prints_the_text_it_would_have_sent(db, capsys):
    message = text()
    assert delivery.message_deliver(message_id=message.pk) is True
    printed = capsys.readouterr().out
    assert PHONE in printed and "Your kit is ready to collect." in printed
    assert "not sent" in printed
    assert row(message).status == Message.Status.SENT


def test_worker_sweep_and_retry_racing_send_a_text_once(transactional_db, notify):
    message = text()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))
    start = threading.Barrier(3)
    results: list = []

    def run(deliver):
        try:
            start.wait()
            results.append(deliver())
        finally:
            connection.close()

    racers = [
        lambda: delivery.message_deliver(message_id=message.pk),  # the worker
        lambda: sweep_outbox(),  # a beat tick
        lambda: delivery.message_deliver(message_id=message.pk),  # a retry
    ]
    threads = [threading.Thread(target=run, args=(r,)) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [0, 0, 1]
    assert len(notify.sends("sms")) == 1
    assert row(message).status == Message.Status.SENT


# --- Delivery receipts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "becomes", "reason"),
    [
        ("delivered", Message.Status.DELIVERED, ""),
        ("permanent-failure", Message.Status.FAILED, Message.FailureReason.PERMANENT),
        ("temporary-failure", Message.Status.FAILED, Message.FailureReason.TEMPORARY),
        ("technical-failure", Message.Status.FAILED, Message.FailureReason.TECHNICAL),
    ],
)
def test_a_receipt_moves_the_message_to_its_final_state_once(db, notify, status, becomes, reason):
    message = sent_text(notify)
    response = receipt(message, status)
    assert response.status_code == 200 and response.json() == {"changed": True}
    message = row(message)
    assert message.status == becomes and message.failure_reason == reason
    if becomes == Message.Status.DELIVERED:
        assert message.delivered_at.isoformat() == "2026-12-03T10:15:30+00:00"
        assert message.last_error == ""
    else:
        assert message.last_error  # a sentence for staff saying what went wrong
    assert receipt(message, status).json() == {"changed": False}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer not-the-token-we-gave-notify"},
        {"HTTP_AUTHORIZATION": f"Basic {RECEIPT_TOKEN}"},
        {"HTTP_AUTHORIZATION": f"Bearer {RECEIPT_TOKEN}x"},
    ],
    ids=["no header", "wrong token", "wrong scheme", "token and more"],
)
def test_a_forged_receipt_is_refused_and_changes_nothing(db, notify, headers):
    message = sent_text(notify)
    response = Client().post(
        reverse("notifications:notify_receipt"),
        {"id": message.provider_id, "reference": f"outbox-{message.pk}", "status": "delivered"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    after = row(message)
    assert after.status == Message.Status.SENT and after.delivered_at is None


def test_with_no_receipt_token_set_every_receipt_is_refused(db, notify, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    message = sent_text(notify)
    assert receipt(message, "delivered", token="").status_code == 401
    assert row(message).status == Message.Status.SENT


def test_a_late_delivered_after_a_failure_changes_nothing(db, notify):
    message = sent_text(notify)
    receipt(message, "permanent-failure")
    assert receipt(message, "delivered").json() == {"changed": False}
    message = row(message)
    assert message.status == Message.Status.FAILED
    assert message.failure_reason == Message.FailureReason.PERMANENT


def test_a_bounce_after_delivery_fails_the_message_but_nothing_else_does(db, notify):
    message = sent_text(notify)
    receipt(message, "delivered")
    assert receipt(message, "temporary-failure").json() == {"changed": False}
    assert row(message).status == Message.Status.DELIVERED
    assert receipt(message, "permanent-failure").json() == {"changed": True}
    assert row(message).failure_reason == Message.FailureReason.PERMANENT


def test_a_receipt_that_is_not_final_or_not_ours_changes_nothing(db, notify):
    message = sent_text(notify)
    assert receipt(message, "sending").json() == {"changed": False}
    assert receipt(message, "delivered", id="3fa85f64-5717-4562-b3fc-2c963f66afa6").json() == {
        "changed": False
    }
    assert row(message).status == Message.Status.SENT


def test_a_receipt_that_is_not_json_is_refused(db, notify):
    response = Client().post(
        reverse("notifications:notify_receipt"),
        "not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {RECEIPT_TOKEN}",
    )
    assert response.status_code == 400


def test_a_failed_text_sent_again_goes_as_a_new_notify_message(db, notify):
    message = sent_text(notify)
    first = message.provider_id
    notify.set_status(first, "permanent-failure")
    receipt(message, "permanent-failure")
    services.message_resend(message=row(message))
    assert delivery.message_deliver(message_id=message.pk) is True
    message = row(message)
    assert message.status == Message.Status.SENT and message.provider_id != first
    assert len(notify.sends("sms")) == 2
    # A late repeat of the first message's receipt does not touch the second.
    assert receipt(message, "permanent-failure", id=first).json() == {"changed": False}
    assert row(message).status == Message.Status.SENT


def test_a_message_cancelled_by_an_erasure_cannot_be_sent_again(db):
    message = text()
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.FAILED,
        failure_reason=Message.FailureReason.CANCELLED,
        last_error="Not sent: the person's details were erased.",
    )
    with pytest.raises(services.MessageError, match="erased"):
        services.message_resend(message=row(message))


# --- Asking Notify where no receipt came ------------------------------------------------


def accepted_a_while_ago(notify, key="t1") -> Message:
    message = text(key)
    delivery.message_deliver(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=20))
    return row(message)


@pytest.mark.parametrize(
    ("status", "becomes"),
    [
        ("delivered", Message.Status.DELIVERED),
        ("permanent-failure", Message.Status.FAILED),
        ("temporary-failure", Message.Status.FAILED),
        ("technical-failure", Message.Status.FAILED),
    ],
)
def test_the_beat_task_asks_notify_and_records_the_answer_once(db, notify, status, becomes):
    message = accepted_a_while_ago(notify)
    notify.set_status(message.provider_id, status)
    assert poll_message_status() == 1
    assert row(message).status == becomes
    assert poll_message_status() == 0
    asked = [r for r in notify.requests if r.path == f"/v2/notifications/{message.provider_id}"]
    assert len(asked) == 1


def test_the_beat_task_asks_again_only_after_a_while(db, notify):
    message = accepted_a_while_ago(notify)  # Notify still says "created"
    assert poll_message_status() == 0
    assert poll_message_status() == 0
    asked = [r for r in notify.requests if r.path == f"/v2/notifications/{message.provider_id}"]
    assert len(asked) == 1
    Message.objects.filter(pk=message.pk).update(checked_at=timezone.now() - timedelta(hours=1))
    notify.set_status(message.provider_id, "delivered")
    assert poll_message_status() == 1


def test_the_beat_task_leaves_messages_just_sent_to_their_receipt(db, notify):
    message = sent_text(notify)
    notify.set_status(message.provider_id, "delivered")
    assert poll_message_status() == 0
    assert row(message).status == Message.Status.SENT


def test_the_beat_task_stops_asking_while_notify_cannot_be_reached(db, notify, settings):
    first = accepted_a_while_ago(notify, "a")
    second = accepted_a_while_ago(notify, "b")
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:1"  # nothing listens there
    assert poll_message_status() == 0
    asked = [m for m in (row(first), row(second)) if m.checked_at is not None]
    assert len(asked) == 1, "after the first went unanswered, the second waits for next time"
    assert all(m.status == Message.Status.SENT for m in (first, second))
