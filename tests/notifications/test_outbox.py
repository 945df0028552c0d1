"""The outbox: a message row in the event's transaction, sent once after commit."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from scrubhub.notifications import delivery, services
from scrubhub.notifications.models import Message
from scrubhub.notifications.tasks import sweep_outbox


def queue(key="k1", **extra) -> Message:
    return services.message_queue(
        idempotency_key=key,
        to_address="maker@example.org",
        subject="Welcome",
        body="Thank you for joining.",
        kind="welcome",
        **extra,
    )


def test_queueing_twice_with_one_key_makes_one_message(db):
    first, second = queue(), queue()
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_a_new_message_is_written_without_reading_the_outbox_first(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as run:
        queue("brand-new")
    statements = [q["sql"].split()[0].upper() for q in run.captured_queries]
    assert "INSERT" in statements and "SELECT" not in statements


def test_a_row_refused_for_another_reason_is_not_mistaken_for_a_repeat(db):
    with pytest.raises(IntegrityError):  # "sent" needs a time: a check constraint says no
        services._message_insert_or_get(
            idempotency_key="k-sent",
            to_address="maker@example.org",
            subject="Welcome",
            body="Hello",
            kind="welcome",
            status=Message.Status.SENT,
        )
    assert not Message.objects.filter(idempotency_key="k-sent").exists()


def test_a_message_is_published_only_after_the_transaction_commits(db, monkeypatch):
    published = []
    monkeypatch.setattr(services, "publish_delivery", published.append)
    with pytest.raises(RuntimeError), transaction.atomic():
        queue("rolled-back")
        raise RuntimeError("the event failed")
    assert not Message.objects.filter(idempotency_key="rolled-back").exists()
    assert published == []


def test_deliver_sends_once_and_marks_sent(db):
    message = queue()
    assert delivery.message_deliver(message_id=message.pk) is True
    assert delivery.message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maker@example.org"]


def test_a_failed_send_goes_back_to_pending_with_the_error(db, monkeypatch):
    message = queue()

    def broken(self, fail_silently=False):
        raise SMTPException("mail server said no")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(SMTPException):
        delivery.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert "mail server said no" in message.last_error


def test_after_the_last_attempt_a_message_is_failed_and_can_be_resent(db, monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue()
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(SMTPException("down")),
    )
    for _ in range(2):
        with pytest.raises(SMTPException):
            delivery.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    monkeypatch.undo()
    services.message_resend(message=message)
    assert delivery.message_deliver(message_id=message.pk) is True
    assert len(mail.outbox) == 1


def test_only_a_failed_message_can_be_resent(db):
    with pytest.raises(services.MessageError):
        services.message_resend(message=queue())


def test_sweep_sends_what_was_never_published_and_only_once(db):
    message = queue()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox() == 1
    assert sweep_outbox() == 0
    assert len(mail.outbox) == 1


def test_sweep_takes_back_a_message_whose_worker_died_mid_send(db):
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert sweep_outbox() == 1
    assert len(mail.outbox) == 1


def test_sweep_leaves_a_message_another_worker_is_sending(db):
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=timezone.now()
    )
    assert sweep_outbox() == 0
    assert mail.outbox == []


def test_phone_list_messages_are_never_sent_by_a_worker(db):
    message = queue(channel=Message.Channel.PHONE_LIST)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox() == 0


def test_sms_goes_through_the_configured_gateway(db, settings):
    sent = []

    class FakeGateway:  # the SMS gateway is outside this machine: the one thing we fake
        def send(self, *, to, body, reference):
            sent.append((to, body))
            return ""

        def accepted_earlier(self, *, reference):
            return ""

    settings.SMS_BACKEND = f"{__name__}.FakeGatewayForTest"
    globals()["FakeGatewayForTest"] = FakeGateway
    message = services.message_queue(
        idempotency_key="sms1",
        to_address="07700900123",
        subject="Kit ready",
        body="Your kit is ready.",
        kind="kit_ready",
        channel=Message.Channel.SMS,
    )
    assert delivery.message_deliver(message_id=message.pk) is True
    assert sent == [("07700900123", "Your kit is ready.")]


def test_the_database_refuses_a_sent_message_without_a_time(db):
    from django.db import IntegrityError

    message = queue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)


def test_every_email_from_a_hub_carries_its_name_and_phone_in_text_and_html(world):
    message = services.message_queue(
        idempotency_key="footer",
        to_address="maker@example.org",
        subject="Your kit",
        body="Hello Ann,\n\nYour kit is ready.",
        kind="kit_ready",
        hub=world.hub,
    )
    assert world.hub.phone in message.body and world.hub.name in message.body
    assert world.hub.phone in message.html_body and "<p " in message.html_body
    delivery.message_deliver(message_id=message.pk)
    sent = mail.outbox[0]
    assert sent.alternatives[0][1] == "text/html"
