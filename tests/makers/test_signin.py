"""Signing in by a one-time link: asked for quietly, opened safely, used once, on any device."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from makers import signin
from makers.services import signin_link_send
from scrubhub.notifications.models import Message
from tests.makers.conftest import last_signin_message, signin_path


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def maker_user(world, maker):
    user = world.user("maker")
    user.email = maker.email
    user.save()
    return user


def ask(client: Client, address: str, ip: str = "10.0.0.1"):
    return client.post(reverse("makers:signin"), {"address": address}, REMOTE_ADDR=ip)


def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_one_gets_mail(
    client, maker_user
):
    known = ask(client, maker_user.email.upper())
    unknown = ask(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert Message.objects.filter(kind="maker_signin_link").count() == 1
    assert last_signin_message().recipient == maker_user


def test_the_link_opens_a_page_with_one_button_and_opening_it_spends_nothing(client, maker_user):
    ask(client, maker_user.email)
    path = signin_path(last_signin_message())
    scanner = Client()
    for _ in range(3):  # a mail scanner opening the link, several times
        page = scanner.get(path)
        assert page.status_code == 200
        assert b'<button type="submit"' in page.content
    assert "_auth_user_id" not in scanner.session
    person = Client()
    token = person.get(path).context["token"]
    response = person.post(reverse("makers:signin_link"), {"token": token})
    assert response.headers["Location"] == reverse("makers:me")
    assert person.get(reverse("makers:me")).status_code == 200


def test_a_link_asked_for_on_one_device_works_on_another(maker_user):
    computer, phone = Client(), Client()
    ask(computer, maker_user.email)
    token = phone.get(signin_path(last_signin_message())).context["token"]
    response = phone.post(reverse("makers:signin_link"), {"token": token})
    assert response.status_code == 302
    assert int(phone.session["_auth_user_id"]) == maker_user.pk
    assert "_auth_user_id" not in computer.session


def test_a_link_works_once(maker_user):
    ask(Client(), maker_user.email)
    token = Client().get(signin_path(last_signin_message())).context["token"]
    first, second = Client(), Client()
    assert first.post(reverse("makers:signin_link"), {"token": token}).status_code == 302
    again = second.post(reverse("makers:signin_link"), {"token": token})
    assert again.status_code == 400
    assert "stopped working" in again.content.decode()
    assert "_auth_user_id" not in second.session


def test_any_sign_in_spends_every_earlier_link(maker_user):
    ask(Client(), maker_user.email)
    older = Client().get(signin_path(last_signin_message())).context["token"]
    ask(Client(), maker_user.email)
    newer = Client().get(signin_path(last_signin_message())).context["token"]
    assert Client().post(reverse("makers:signin_link"), {"token": newer}).status_code == 302
    assert Client().post(reverse("makers:signin_link"), {"token": older}).status_code == 400


def test_an_expired_link_does_not_sign_in(maker_user, monkeypatch):
    ask(Client(), maker_user.email)
    token = Client().get(signin_path(last_signin_message())).context["token"]
    later = time.time() + signin.link_minutes() * 60 + 5

    class Later:
        @staticmethod
        def time():
            return later

    monkeypatch.setattr("sesame.tokens_v2.time", Later)
    response = Client().post(reverse("makers:signin_link"), {"token": token})
    assert response.status_code == 400


@pytest.mark.parametrize("token", ["", "nonsense", "A" * 500])
def test_a_wrong_token_does_not_sign_in(token, maker_user):
    client = Client()
    response = client.post(reverse("makers:signin_link"), {"token": token})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_link_for_a_deleted_or_inactive_account_does_not_sign_in(maker_user):
    ask(Client(), maker_user.email)
    token = Client().get(signin_path(last_signin_message())).context["token"]
    maker_user.is_active = False
    maker_user.save()
    assert Client().post(reverse("makers:signin_link"), {"token": token}).status_code == 400


def test_asking_too_often_quietly_stops_new_messages_but_old_links_still_work(maker_user):
    for attempt in range(signin.ADDRESS_LIMIT + 3):
        # Different clients, so only the per-address limit is reached.
        assert ask(Client(), maker_user.email, ip=f"10.0.1.{attempt}").status_code == 302
    sent = Message.objects.filter(kind="maker_signin_link", recipient=maker_user)
    assert sent.count() == signin.ADDRESS_LIMIT
    # Someone typing her address again and again has not locked her out.
    first = sent.order_by("pk").first()
    token = Client().get(signin_path(first)).context["token"]
    assert Client().post(reverse("makers:signin_link"), {"token": token}).status_code == 302


def test_one_client_asking_for_many_addresses_is_limited(world, maker_user):
    for n in range(signin.CLIENT_LIMIT):
        ask(Client(), f"someone{n}@example.org", ip="10.9.9.9")
    ask(Client(), maker_user.email, ip="10.9.9.9")
    assert not Message.objects.filter(kind="maker_signin_link").exists()
    ask(Client(), maker_user.email, ip="10.9.9.10")
    assert Message.objects.filter(kind="maker_signin_link").count() == 1


def test_a_phone_only_maker_gets_the_link_by_text(world, maker):
    maker.email = ""
    maker.phone = "07700 900777"
    maker.preferred_channel = "sms"
    maker.save()
    world.user("maker").email = ""
    world.user("maker").save()
    assert signin_link_send(phone="+447700900777", client="x")
    message = last_signin_message()
    assert (message.channel, message.to_address) == (Message.Channel.SMS, "07700900777")


def test_a_landline_cannot_get_a_text_and_the_form_says_so(client):
    response = client.post(reverse("makers:signin"), {"address": "01382 123456"})
    assert response.status_code == 200
    assert "mobile" in " ".join(response.context["form"].errors["address"])


def test_a_maker_staff_signed_up_without_an_account_gets_one_with_the_link(world):
    from makers.services import maker_apply

    staff = world.user("hub_staff")
    maker = maker_apply(
        hub=world.hub, name="Jean Grant", postcode="DD1 1AA", email="jean@example.org", actor=staff
    )
    assert maker.user is None
    assert signin_link_send(email="jean@example.org", client="x")
    maker.refresh_from_db()
    assert maker.user is not None
    assert last_signin_message().recipient == maker.user


def test_the_sign_in_page_asks_again_without_a_token(client):
    response = client.get(reverse("makers:signin_link"))
    assert response.headers["Location"] == reverse("makers:signin")


# --- Links are for makers only (issue 21) ----------------------------------------------------

NOT_MAKERS = ["hub_staff", "coordinator", "laundry", "driver", "point_helper", "operator"]


@pytest.mark.parametrize("persona", NOT_MAKERS)
def test_anyone_but_a_maker_gets_the_same_answer_no_link_and_an_email_to_use_their_password(
    persona, world
):
    user = world.user(persona)
    theirs = ask(Client(), user.email)
    unknown = ask(Client(), "nobody@example.org", ip="10.0.0.2")
    assert theirs.status_code == unknown.status_code == 302
    assert theirs.headers["Location"] == unknown.headers["Location"]
    assert not Message.objects.filter(kind="maker_signin_link").exists()
    told = Message.objects.get(kind="signin_link_refused")
    assert (told.recipient, told.to_address) == (user, user.email)
    assert "password" in told.body
    assert reverse("account_login") in told.body
    assert "token=" not in told.body


def test_a_group_leader_still_signs_in_by_link(world):
    leader = world.user("group_leader")
    ask(Client(), leader.email)
    token = Client().get(signin_path(last_signin_message(recipient=leader))).context["token"]
    client = Client()
    assert client.post(reverse("makers:signin_link"), {"token": token}).status_code == 302
    assert int(client.session["_auth_user_id"]) == leader.pk


def test_a_maker_who_is_also_staff_gets_no_link(world, maker_user):
    from scrubhub.hubs.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=maker_user, role=Role.HUB_STAFF, hub=world.hub)
    ask(Client(), maker_user.email)
    assert not Message.objects.filter(kind="maker_signin_link").exists()
    assert Message.objects.filter(kind="signin_link_refused", recipient=maker_user).exists()


@pytest.mark.parametrize("change", ["role", "operator"])
def test_a_link_sent_before_someone_became_staff_does_not_sign_them_in(change, world, maker_user):
    from scrubhub.hubs.models import Role
    from tests.factories import MembershipFactory

    ask(Client(), maker_user.email)
    token = Client().get(signin_path(last_signin_message())).context["token"]
    if change == "role":
        MembershipFactory(user=maker_user, role=Role.DRIVER, hub=world.hub)
    else:
        maker_user.is_staff = True
        maker_user.save()
    client = Client()
    assert client.post(reverse("makers:signin_link"), {"token": token}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_joining_with_a_staff_address_sends_no_link(world):
    from makers.services import maker_join

    staff = world.user("coordinator")
    outcome = maker_join(
        hub=world.hub,
        name="Someone",
        postcode="DD1 1AA",
        age_band="18_69",
        consent_version="v1",
        email=staff.email,
        client="10.0.0.9",
    )
    assert outcome.known
    assert not Message.objects.filter(kind="maker_signin_link").exists()
    assert Message.objects.filter(kind="signin_link_refused", recipient=staff).exists()
