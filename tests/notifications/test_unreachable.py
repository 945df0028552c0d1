"""People we could not reach: counted once each on the dashboard, listed with why and their
number, their details corrected and the messages sent again in one press, or dealt with."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from makers.models import Maker, MakerEvent
from makers.services import MakerError, maker_contact_correct
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.selectors import todos_for_hub
from scrubhub.notifications import delivery, selectors, services
from scrubhub.notifications.forms import ContactCorrectForm
from scrubhub.notifications.models import Message
from scrubhub.notifications.sms import SendDeferred
from tests import factories
from tests.fake_notify import RECEIPT_TOKEN, Scripted
from tests.querycount import assert_same_queries_at_sizes

OLD_PHONE = "07700 900123"
NEW_PHONE = "07700 900456"
_keys = iter(range(10**6))


def message(hub, *, status="failed", reason="permanent", channel="sms", to=OLD_PHONE, **extra):
    """A message as the worker and the receipts leave it (written straight to the outbox)."""
    failed = status == "failed"
    fields = {
        "kind": "maker_kit-problem-1-answer",
        "attempts": 1,
        "last_error": "The provider says the number does not exist or is wrong." if failed else "",
        "sent_at": timezone.now() if status in ("sent", "delivered") else None,
        "delivered_at": timezone.now() if status == "delivered" else None,
        **extra,
    }
    return Message.objects.create(
        hub=hub,
        idempotency_key=f"test-{next(_keys)}",
        to_address=to,
        subject="Your kit is ready",
        body="Your kit is ready to collect.",
        channel=channel,
        status=status,
        failure_reason=reason if failed else "",
        **fields,
    )


def unreachable_count(hub) -> int:
    todo = next(t for t in todos_for_hub(hub=hub, plan=[]) if t.key == "unreachable")
    return todo.count


@pytest.fixture
def maker(world):
    """A phone-only maker the hub signed up, who hears by text: no account."""
    return factories.MakerFactory(
        hub=world.hub, name="Elsie Reid", email="", phone=OLD_PHONE, preferred_channel="sms"
    )


def correct(maker, *, actor, phone=NEW_PHONE, email="", channel="sms"):
    return maker_contact_correct(
        maker=maker, actor=actor, email=email, phone=phone, preferred_channel=channel
    )


# --- Who counts --------------------------------------------------------------------------


def test_people_are_counted_once_however_many_messages_failed(world, maker):
    message(world.hub)
    message(world.hub, reason="rejected")
    message(world.hub, to="someone@example.org", channel="email")
    assert unreachable_count(world.hub) == 2


def test_the_phone_list_counts_with_the_failures(world, maker):
    message(world.hub, status="pending", channel="phone", to="01382 555666")
    message(world.hub)
    assert unreachable_count(world.hub) == 2


@pytest.mark.parametrize("reason", ["temporary", "technical", "cancelled"])
def test_a_failure_that_may_mend_itself_or_was_cancelled_does_not_count(world, reason):
    message(world.hub, reason=reason)
    assert unreachable_count(world.hub) == 0


def test_a_message_that_reached_them_since_takes_them_off(world, maker):
    message(world.hub)
    message(world.hub, status="delivered")
    assert unreachable_count(world.hub) == 0


def test_a_message_still_waiting_to_send_does_not_count(world, maker):
    message(world.hub, status="pending", last_error="GOV.UK Notify answered 429")
    assert unreachable_count(world.hub) == 0


def test_a_later_failure_of_the_same_kind_keeps_them_on_once(world, maker):
    message(world.hub, status="delivered")
    message(world.hub)
    message(world.hub, reason="rejected")
    assert unreachable_count(world.hub) == 1
    [person] = selectors.unreachable_for_hub(hub=world.hub)
    assert len(person.messages) == 2


def test_another_hubs_people_do_not_count(world):
    message(world.other_hub)
    assert unreachable_count(world.hub) == 0
    assert selectors.unreachable_for_hub(hub=world.hub) == []


def test_the_list_finds_the_maker_by_account_or_by_address(world, maker):
    user = world.user("maker")
    with_account = Maker.objects.get(user=user)
    message(world.hub, to=with_account.email, channel="email", recipient=user)
    message(world.hub, to="07700900123")  # written without the space: still Elsie
    people = {p.maker.pk: p for p in selectors.unreachable_for_hub(hub=world.hub)}
    assert set(people) == {with_account.pk, maker.pk}
    assert people[maker.pk].phone == OLD_PHONE
    assert people[with_account.pk].email == with_account.email


# --- Correcting and sending again ---------------------------------------------------------


def test_correcting_the_number_sends_the_failed_text_again_as_a_new_attempt(world, maker):
    failed = message(world.hub, provider_id="notify-1", attempts=3)
    done = correct(maker, actor=world.user("hub_staff"))
    failed.refresh_from_db()
    assert (done.resent, done.left) == (1, 0)
    assert failed.status == Message.Status.PENDING
    assert failed.to_address == NEW_PHONE
    assert failed.channel == Message.Channel.SMS
    assert (failed.attempts, failed.failure_reason, failed.last_error) == (0, "", "")
    assert failed.provider_id == "" and failed.sent_at is None
    assert unreachable_count(world.hub) == 0


def test_the_correction_changes_the_maker_and_is_in_the_audit_trail(world, maker):
    message(world.hub)
    staff = world.user("hub_staff")
    correct(maker, actor=staff)
    maker.refresh_from_db()
    assert maker.phone == NEW_PHONE
    event = MakerEvent.objects.filter(maker=maker).latest("pk")
    assert event.actor == staff and "did not reach them" in event.note
    audit = AuditEvent.objects.get(subject_type="makers.Maker", subject_id=maker.pk)
    assert audit.action == AuditEvent.Action.CHANGED and audit.actor == staff
    assert audit.detail == "contact corrected; 1 message(s) sent again"
    assert NEW_PHONE not in audit.detail


def test_a_new_channel_comes_from_the_corrected_details(world, maker):
    failed = message(world.hub)
    correct(
        maker, actor=world.user("hub_staff"), phone="", email="elsie@example.org", channel="email"
    )
    failed.refresh_from_db()
    assert (failed.channel, failed.to_address) == ("email", "elsie@example.org")
    assert world.hub.name in failed.html_body  # an email gets the hub's layout


def test_a_landline_puts_the_message_on_the_list_to_phone(world, maker):
    failed = message(world.hub)
    done = correct(maker, actor=world.user("hub_staff"), phone="01382 444555", channel="phone")
    failed.refresh_from_db()
    assert (failed.channel, failed.status) == ("phone", "pending")
    assert done.channel == Message.Channel.PHONE_LIST
    assert unreachable_count(world.hub) == 1  # still someone to ring, on the new number


def test_a_refused_correction_saves_nothing_and_sends_nothing(world, maker):
    failed = message(world.hub)
    with pytest.raises(MakerError):
        correct(maker, actor=world.user("hub_staff"), phone="01382 444555", channel="sms")
    maker.refresh_from_db()
    failed.refresh_from_db()
    assert maker.phone == OLD_PHONE
    assert failed.status == "failed" and failed.to_address == OLD_PHONE
    assert not AuditEvent.objects.filter(subject_id=maker.pk).exists()


def test_old_messages_and_codes_that_ran_out_are_not_sent_but_leave_the_list(world, maker):
    old = message(world.hub)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=15))
    code = message(world.hub, kind="maker_signin_code")
    done = correct(maker, actor=world.user("hub_staff"))
    assert (done.resent, done.left) == (0, 2)
    for row in Message.objects.filter(pk__in=[old.pk, code.pk]):
        assert row.status == "failed" and row.dealt_with_at is not None
    assert unreachable_count(world.hub) == 0


def test_a_cancelled_message_is_never_sent_again(world, maker):
    cancelled = message(world.hub, reason="cancelled")
    done = correct(maker, actor=world.user("hub_staff"))
    cancelled.refresh_from_db()
    assert done.resent == 0 and cancelled.failure_reason == "cancelled"
    assert cancelled.dealt_with_at is None


def test_another_persons_failures_are_left_alone(world, maker):
    theirs = message(world.hub, to="07700 900999")
    correct(maker, actor=world.user("hub_staff"))
    theirs.refresh_from_db()
    assert theirs.status == "failed"


def test_pressing_twice_at_once_sends_each_message_once(world, maker):
    message(world.hub)
    first = correct(maker, actor=world.user("hub_staff"))
    second = correct(maker, actor=world.user("coordinator"))
    assert (first.resent, second.resent) == (1, 0)


# --- Dealt with -----------------------------------------------------------------------------


def test_we_phoned_them_clears_the_person_and_sends_nothing(world, maker):
    failed = message(world.hub)
    call = message(world.hub, status="pending", channel="phone")
    services.person_mark_dealt_with(message=failed, actor=world.user("hub_staff"))
    failed.refresh_from_db()
    call.refresh_from_db()
    assert failed.status == "failed" and failed.dealt_with_at is not None
    assert call.status == "sent" and call.sent_at is not None
    assert unreachable_count(world.hub) == 0


def test_dealing_with_someone_twice_is_refused_with_a_message(world, maker):
    failed = message(world.hub)
    services.person_mark_dealt_with(message=failed, actor=world.user("hub_staff"))
    with pytest.raises(services.MessageError):
        services.person_mark_dealt_with(message=failed, actor=world.user("hub_staff"))


# --- The pages ------------------------------------------------------------------------------


def test_the_page_lists_them_with_a_number_to_ring_and_why_in_plain_words(world, maker, client_for):
    message(world.hub)
    message(
        world.hub,
        to="07700 900777",
        reason="rejected",
        last_error="GOV.UK Notify answered 400: phone_number Not a UK mobile number",
    )
    page = client_for("hub_staff").get(reverse("notifications:unreachable")).content.decode()
    assert "Elsie Reid" in page
    assert reverse("makers:staff_maker", args=[maker.pk]) in page
    assert 'href="tel:07700900123"' in page
    assert "The number does not exist or is wrong" in page
    assert "Rejected by Notify: phone_number Not a UK mobile number" in page
    assert "Save and send again" in page and "We phoned them" in page


def test_another_hubs_staff_do_not_see_them(world, maker, client_for):
    message(world.hub)
    page = client_for("other_hub_staff").get(reverse("notifications:unreachable"))
    assert "Elsie Reid" not in page.content.decode()


def _form_data(page: str, maker: Maker, **answers) -> dict:
    prefix = f"p{maker.pk}"
    token = re.search(rf'name="{prefix}-form_token" value="([^"]+)"', page).group(1)
    data = {f"{prefix}-form_token": token, f"{prefix}-email": "", f"{prefix}-phone": NEW_PHONE}
    data[f"{prefix}-preferred_channel"] = "sms"
    data.update({f"{prefix}-{k}": v for k, v in answers.items()})
    return data


def test_save_and_send_again_in_one_press(world, maker, client_for):
    failed = message(world.hub)
    client = client_for("hub_staff")
    page = client.get(reverse("notifications:unreachable")).content.decode()
    url = reverse("notifications:contact_correct", args=[maker.pk])
    response = client.post(url, _form_data(page, maker), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:unreachable")
    assert "1 message will be sent again to 07700 900456" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.to_address == NEW_PHONE


def test_the_same_form_sent_twice_saves_once(world, maker, client_for):
    message(world.hub)
    client = client_for("hub_staff")
    page = client.get(reverse("notifications:unreachable")).content.decode()
    url = reverse("notifications:contact_correct", args=[maker.pk])
    data = _form_data(page, maker)
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert "already saved" in again.content.decode()
    assert MakerEvent.objects.filter(maker=maker, note__contains="did not reach").count() == 1


def test_a_bad_number_is_shown_beside_the_field_and_nothing_is_saved(world, maker, client_for):
    failed = message(world.hub)
    client = client_for("hub_staff")
    page = client.get(reverse("notifications:unreachable")).content.decode()
    url = reverse("notifications:contact_correct", args=[maker.pk])
    response = client.post(url, _form_data(page, maker, phone="12345"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "data-error-summary" in body
    assert f'id="id_p{maker.pk}-phone_error"' in body
    assert "Enter a UK phone number" in body
    maker.refresh_from_db()
    failed.refresh_from_db()
    assert maker.phone == OLD_PHONE and failed.status == "failed"


def test_a_landline_for_texts_is_refused_beside_the_number(world, maker, client_for):
    message(world.hub)
    client = client_for("hub_staff")
    page = client.get(reverse("notifications:unreachable")).content.decode()
    url = reverse("notifications:contact_correct", args=[maker.pk])
    response = client.post(url, _form_data(page, maker, phone="01382 444555"))
    assert response.status_code == 400
    assert "Texts need a mobile number" in response.content.decode()


def test_another_hubs_maker_is_a_404(world, client_for):
    theirs = factories.MakerFactory(hub=world.other_hub, phone=OLD_PHONE)
    url = reverse("notifications:contact_correct", args=[theirs.pk])
    prefix = f"p{theirs.pk}"
    data = {
        **{f"{prefix}-{k}": v for k, v in {"phone": NEW_PHONE, "preferred_channel": "sms"}.items()},
        f"{prefix}-form_token": ContactCorrectForm(maker=theirs)._token_new(),
    }
    assert client_for("hub_staff").post(url, data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.phone == OLD_PHONE


def test_another_hubs_message_cannot_be_dealt_with(world, client_for):
    theirs = message(world.other_hub)
    url = reverse("notifications:dealt_with", args=[theirs.pk])
    assert client_for("hub_staff").post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.dealt_with_at is None


def test_the_makers_record_says_how_each_recent_message_went(world, maker, client_for):
    message(world.hub, status="delivered", kind="reminder")
    message(world.hub, kind="maker_welcome")
    message(world.hub, status="pending", channel="phone", kind="maker_approved")
    message(world.hub, to="07700 900999", kind="run_planned")  # someone else's
    page = client_for("hub_staff").get(reverse("makers:staff_maker", args=[maker.pk]))
    body = page.content.decode()
    assert "Reminder about a kit" in body and "Delivered" in body
    assert "Welcome" in body and "Failed: The number does not exist or is wrong" in body
    assert "Waiting for a call from the hub" in body
    assert "Their collection run" not in body


def test_a_makers_messages_are_one_query_and_the_last_ten(world, maker):
    for _ in range(12):
        message(world.hub, status="delivered")
    with CaptureQueriesContext(connection) as run:
        shown = selectors.messages_to_maker(maker=maker)
    assert len(run.captured_queries) == 1
    assert len(shown) == 10


# --- Queries do not grow with the hub -------------------------------------------------------


@pytest.fixture
def grow_messages(world):
    """grow(n): n people who could not be reached (each with two failures), n on the phone
    list, n reached, and n failures in the other hub."""

    def grow(n: int) -> None:
        have = Message.objects.filter(kind="grown").count() // 5
        rows = []
        for i in range(have, n):
            phone = f"07700 {100000 + i}"
            for status, reason, channel, hub in [
                ("failed", "permanent", "sms", world.hub),
                ("failed", "rejected", "sms", world.hub),
                ("pending", "", "phone", world.hub),
                ("delivered", "", "email", world.hub),
                ("failed", "permanent", "sms", world.other_hub),
            ]:
                to = f"p{i}@example.org" if channel == "email" else phone
                if channel == "phone":
                    to = f"01382 {100000 + i}"
                rows.append(
                    Message(
                        hub=hub,
                        idempotency_key=f"grown-{i}-{status}-{reason}-{hub.pk}",
                        to_address=to,
                        subject="s",
                        body="b",
                        kind="grown",
                        channel=channel,
                        status=status,
                        failure_reason=reason,
                        sent_at=timezone.now() if status == "delivered" else None,
                        delivered_at=timezone.now() if status == "delivered" else None,
                    )
                )
        Message.objects.bulk_create(rows)

    return grow


def test_the_dashboard_makes_the_same_queries_with_many_people_unreached(
    client_for, grow_messages, world
):
    assert_same_queries_at_sizes(client_for("hub_staff"), reverse("hubs:dashboard"), grow_messages)
    assert unreachable_count(world.hub) == 2000


def test_the_list_makes_the_same_queries_at_10_and_1000_people(client_for, grow_messages):
    assert_same_queries_at_sizes(
        client_for("hub_staff"), reverse("notifications:unreachable"), grow_messages
    )


def test_a_makers_record_makes_the_same_queries_however_many_messages(world, maker, client_for):
    def grow(n: int) -> None:
        have = Message.objects.filter(to_address=OLD_PHONE).count()
        for _ in range(n - have):
            message(world.hub, status="delivered")

    url = reverse("makers:staff_maker", args=[maker.pk])
    assert_same_queries_at_sizes(client_for("hub_staff"), url, grow, sizes=(10, 60))


# --- End to end through GOV.UK Notify --------------------------------------------------------


def _receipt(message: Message, status: str):
    return Client().post(
        reverse("notifications:notify_receipt"),
        {
            "id": message.provider_id,
            "reference": delivery.provider_reference(message.pk),
            "to": message.to_address,
            "status": status,
            "notification_type": "sms",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {RECEIPT_TOKEN}",
    )


def test_a_text_that_fails_for_good_is_corrected_and_reaches_the_new_number(
    world, maker, client_for, notify, django_capture_on_commit_callbacks
):
    text = services.message_queue(
        idempotency_key="e2e-kit-ready",
        to_address=maker.phone,
        subject="Your kit is ready",
        body="Your kit is ready to collect at the library.",
        kind="maker_kit-problem-9-answer",
        channel=Message.Channel.SMS,
        hub=world.hub,
    )
    # What the worker does with it: sent through the real client to the fake Notify.
    assert delivery.message_deliver(message_id=text.pk) is True
    text.refresh_from_db()
    assert text.status == "sent"
    assert _receipt(text, "permanent-failure").json() == {"changed": True}

    client = client_for("hub_staff")
    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert re.search(
        r'todo-count">1</span>\s*<span class="todo-text">\s*person we could not reach', dashboard
    )
    assert reverse("notifications:unreachable") in dashboard

    page = client.get(reverse("notifications:unreachable")).content.decode()
    assert "Elsie Reid" in page and "The number does not exist or is wrong" in page
    with django_capture_on_commit_callbacks() as published:
        client.post(
            reverse("notifications:contact_correct", args=[maker.pk]), _form_data(page, maker)
        )
    assert len(published) == 1  # delivery is published once the correction is committed

    assert delivery.message_deliver(message_id=text.pk) is True
    assert notify.texts_to(NEW_PHONE) == ["Your kit is ready to collect at the library."]
    assert notify.texts_to(OLD_PHONE) == ["Your kit is ready to collect at the library."]
    text.refresh_from_db()
    assert text.status == "sent" and text.to_address == NEW_PHONE
    assert _receipt(text, "delivered").json() == {"changed": True}

    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert "person we could not reach" not in dashboard
    record = client.get(reverse("makers:staff_maker", args=[maker.pk])).content.decode()
    assert re.search(r"Answer to a problem they reported</th>.*?<td>Delivered", record, re.S)


def test_sent_again_to_the_same_number_asks_notify_first_and_never_sends_twice(
    world, maker, notify, settings
):
    # Notify took the text but never answered in time, and the worker gave up: a technical
    # failure. Staff then press "Save and send again" without changing the number.
    settings.OUTBOX_MAX_ATTEMPTS = 1
    notify.answer_next(Scripted(delay=2.0, accept=True))
    text = services.message_queue(
        idempotency_key="e2e-timed-out",
        to_address=maker.phone,
        subject="Your kit is ready",
        body="Your kit is ready.",
        kind="maker_kit-problem-9-answer",
        channel=Message.Channel.SMS,
        hub=world.hub,
    )
    with pytest.raises(SendDeferred):
        delivery.message_deliver(message_id=text.pk)
    text.refresh_from_db()
    assert (text.status, text.failure_reason) == ("failed", "technical")

    settings.OUTBOX_MAX_ATTEMPTS = 5
    correct(maker, actor=world.user("hub_staff"), phone=OLD_PHONE)
    assert delivery.message_deliver(message_id=text.pk) is True
    text.refresh_from_db()
    [taken] = notify.notifications.values()
    assert text.status == "sent" and text.provider_id == taken["id"]
    assert len(notify.sends("sms")) == 1


def test_a_refused_correction_for_someone_already_dealt_with_still_shows_why(
    world, maker, client_for
):
    failed = message(world.hub)
    client = client_for("hub_staff")
    page = client.get(reverse("notifications:unreachable")).content.decode()
    services.person_mark_dealt_with(message=failed, actor=world.user("coordinator"))
    url = reverse("notifications:contact_correct", args=[maker.pk])
    response = client.post(url, _form_data(page, maker, phone="12345"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a UK phone number" in body and "Elsie Reid" in body


# --- Nowhere to send ---------------------------------------------------------------------


def test_a_message_they_must_hear_with_nowhere_to_send_it_is_kept_for_staff(world):
    helper = factories.UserFactory(email="", first_name="Sam", last_name="Point")
    message = {"hub": world.hub, "kind": "point_day_before", "context": {"name": "Sam"}}
    assert services.person_notify(recipient=helper, idempotency_key="k0", **message) is None
    kept = [
        services.person_notify(recipient=helper, idempotency_key="k1", must_reach=True, **message)
        for _ in range(2)
    ]
    assert kept[0] == kept[1], "once per key"
    assert (kept[0].status, kept[0].failure_reason) == ("failed", "no_channel")
    assert unreachable_count(world.hub) == 1
    (person,) = selectors.unreachable_for_hub(hub=world.hub)
    assert person.name == "Sam Point"
