"""Signing in by a code sent by text, for makers on a phone only (issue 22): six digits, a
short life, five tries, once, and sends limited per number and per client. The page says
the same whether or not we know the number."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from makers import signin
from makers.models import Maker, SigninCode
from makers.services import maker_erase, signin_code_send
from scrubhub.hubs.models import Role
from scrubhub.notifications.models import Message
from tests import factories
from tests.security.test_hostile_input import HOSTILE_TEXT

PHONE = "07700 900777"
NUMBER = "07700900777"
CODE_URL = reverse("makers:signin_code")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def phone_maker(world):
    """The persona "maker", reachable by text only."""
    user = world.user("maker")
    Maker.objects.filter(user=user).update(email="", phone=PHONE, preferred_channel="sms")
    user.email = ""
    user.save()
    return user


def last_code(**filters) -> str:
    message = Message.objects.filter(kind="maker_signin_code", **filters).latest("created_at", "pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def ask(client: Client, number: str = PHONE, ip: str = "10.0.0.1"):
    return client.post(reverse("makers:signin"), {"address": number}, REMOTE_ADDR=ip)


def type_code(client: Client, code: str):
    return client.post(CODE_URL, {"code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


def same_for_anyone(html: str) -> str:
    """A page without what differs on every request (CSRF tokens, script nonces)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'nonce="[^"]+"', "nonce", html)


# --- The journey ------------------------------------------------------------------------------


def test_a_phone_only_maker_asks_types_the_code_and_reaches_her_page(phone_maker):
    client = Client()
    asked = ask(client)
    assert asked.headers["Location"] == CODE_URL
    message = Message.objects.get(kind="maker_signin_code")
    assert (message.channel, message.to_address, message.recipient) == (
        Message.Channel.SMS,
        NUMBER,
        phone_maker,
    )
    code = last_code()
    assert message.body == (
        f"Your ScrubHub sign-in code is {code}. It works for 10 minutes. Do not share it."
    )
    assert not Message.objects.filter(kind="maker_signin_link").exists()

    page = client.get(CODE_URL)
    html = page.content.decode()
    assert "Type the code we sent to <strong>07\u2026 \u202677</strong>" in html
    assert NUMBER not in html and PHONE not in html
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    for attribute in ('inputmode="numeric"', 'autocomplete="one-time-code"', "input-code"):
        assert attribute in field
    assert '<label class="field-label form-label" for="id_code">' in html

    before = client.session.session_key
    done = type_code(client, f" {code[:3]} {code[3:]} ")  # as people type it
    assert done.headers["Location"] == reverse("makers:me")
    assert int(signed_in_as(client)) == phone_maker.pk
    assert client.session.session_key != before  # a fresh session
    assert "makers_signin_code" not in client.session
    assert client.get(reverse("makers:me")).status_code == 200


def test_the_code_is_stored_only_as_hashes(phone_maker):
    client = Client()
    ask(client)
    row = SigninCode.objects.get(user=phone_maker)
    code, challenge = last_code(), client.session["makers_signin_code"]["challenge"]
    assert code not in row.digest and row.challenge != challenge
    assert row.tries_left == SigninCode.TRIES
    assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_a_known_and_an_unknown_number_get_the_same_pages(phone_maker):
    known, unknown = Client(), Client()
    first = ask(known, PHONE)
    other = ask(unknown, "07700 900877", ip="10.0.0.2")  # the same last two digits
    assert first.headers["Location"] == other.headers["Location"] == CODE_URL

    def pages(client, number, guess):
        shown = [client.get(CODE_URL)]
        shown += [type_code(client, guess) for _ in range(SigninCode.TRIES)]
        # The last page offers a new code to her own number, in a hidden field.
        return [
            (page.status_code, same_for_anyone(page.content.decode()).replace(number, "N"))
            for page in shown
        ]

    theirs = pages(known, NUMBER, wrong(last_code()))
    assert theirs == pages(unknown, "07700900877", wrong(last_code()))
    assert Message.objects.filter(kind="maker_signin_code").count() == 1


def test_without_asking_first_the_code_page_sends_her_to_ask(client):
    assert client.get(CODE_URL).headers["Location"] == reverse("makers:signin")
    assert type_code(client, "123456").headers["Location"] == reverse("makers:signin")


# --- Tries, time, once -------------------------------------------------------------------------


def test_a_wrong_code_counts_down_beside_the_field_and_the_fifth_ends_it(phone_maker):
    client = Client()
    ask(client)
    code = last_code()
    for left in range(SigninCode.TRIES - 1, 0, -1):
        page = type_code(client, wrong(code))
        form = page.context["form"]
        word = "try" if left == 1 else "tries"
        assert f"You have {left} more {word}." in " ".join(form.errors["code"])
        assert "data-error-summary" in page.content.decode()
    last = type_code(client, wrong(code))
    assert "That code has stopped working" in last.content.decode()
    assert SigninCode.objects.get(user=phone_maker).tries_left == 0
    # The right code, now, is too late, and the page does not even ask.
    after = type_code(client, code)
    assert "That code has stopped working" in after.content.decode()
    assert signed_in_as(client) is None


def test_the_database_allows_five_tries_however_they_come(phone_maker):
    code, challenge = _code_for(phone_maker)
    for _ in range(SigninCode.TRIES):
        assert signin.user_for_code(challenge=challenge, code=wrong(code)) is None
    assert signin.user_for_code(challenge=challenge, code=code) is None
    assert SigninCode.objects.get(user=phone_maker).tries_left == 0


def test_an_expired_code_does_not_sign_in(phone_maker):
    code, challenge = _code_for(phone_maker)
    past = timezone.now() - timedelta(seconds=1)
    SigninCode.objects.filter(user=phone_maker).update(
        created_at=past - timedelta(minutes=10), expires_at=past
    )
    assert signin.user_for_code(challenge=challenge, code=code) is None


def test_the_page_says_a_code_has_stopped_working_after_its_minutes(phone_maker):
    client = Client()
    ask(client)
    session = client.session
    session["makers_signin_code"]["until"] = timezone.now().isoformat()
    session.save()
    page = type_code(client, last_code())
    assert "That code has stopped working" in page.content.decode()
    assert signed_in_as(client) is None
    # One press sends a new one, to the same number.
    assert f'name="address" value="{NUMBER}"' in page.content.decode()


def test_a_second_send_replaces_the_first(phone_maker):
    first_browser, second_browser = Client(), Client()
    ask(first_browser)
    first = last_code()
    ask(second_browser, ip="10.0.0.2")
    second = last_code()
    assert SigninCode.objects.filter(user=phone_maker).count() == 1
    assert type_code(first_browser, first).status_code == 200  # shown again: not signed in
    assert signed_in_as(first_browser) is None
    assert type_code(second_browser, second).headers["Location"] == reverse("makers:me")


def test_a_code_works_in_the_browser_that_asked_and_guesses_elsewhere_cost_her_nothing(
    phone_maker,
):
    hers, strangers = Client(), Client()
    ask(hers)
    code = last_code()
    # The stranger asks for a code of his own number and types hers: it is not his.
    ask(strangers, "07700 900111", ip="10.0.0.2")
    assert type_code(strangers, code).status_code == 200
    assert signed_in_as(strangers) is None
    assert SigninCode.objects.get(user=phone_maker).tries_left == SigninCode.TRIES
    assert type_code(hers, code).headers["Location"] == reverse("makers:me")


def test_a_code_works_once(phone_maker):
    code, challenge = _code_for(phone_maker)
    assert signin.user_for_code(challenge=challenge, code=code) == phone_maker
    assert signin.user_for_code(challenge=challenge, code=code) is None


def test_signing_in_by_code_spends_every_link_sent_before(phone_maker):
    from makers.services import signin_link_send
    from tests.makers.conftest import last_signin_message, signin_path

    assert signin_link_send(phone=PHONE, client="10.0.0.1")
    token = Client().get(signin_path(last_signin_message())).context["token"]
    code, challenge = _code_for(phone_maker)
    assert signin.user_for_code(challenge=challenge, code=code) == phone_maker
    assert Client().post(reverse("makers:signin_link"), {"token": token}).status_code == 400


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "²²²²²²", "1" * 5000, "12\x003456"]
)
def test_a_code_that_is_not_six_digits_is_refused_and_costs_no_try(code, phone_maker):
    client = Client()
    ask(client)
    page = type_code(client, code)
    assert page.status_code == 200
    assert "6" in " ".join(page.context["form"].errors["code"])
    assert SigninCode.objects.get(user=phone_maker).tries_left == SigninCode.TRIES
    assert signed_in_as(client) is None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=HOSTILE_TEXT)
def test_hostile_values_in_the_code_field_never_break_the_page_or_sign_in(value, phone_maker):
    cache.clear()  # each example asks afresh; the per-number limit is not what is tested
    client = Client()
    ask(client)
    page = client.post(CODE_URL, {"code": [value, value], "unexpected_extra_field": value})
    assert page.status_code == 200
    assert signed_in_as(client) is None
    if "<script>" in value or "onerror=" in value:
        assert value not in page.content.decode()


def _code_for(user) -> tuple[str, str]:
    """A code sent through the service, and the challenge its browser would keep."""
    challenge = signin_code_send(phone=PHONE, client="10.0.0.1")
    return last_code(recipient=user), challenge


# --- Who may have a code ------------------------------------------------------------------------


def test_a_maker_who_is_also_staff_gets_no_code_and_a_text_to_use_their_password(
    world, phone_maker
):
    factories.MembershipFactory(user=phone_maker, role=Role.HUB_STAFF, hub=world.hub)
    client = Client()
    assert ask(client).headers["Location"] == CODE_URL
    assert not Message.objects.filter(kind="maker_signin_code").exists()
    assert not SigninCode.objects.exists()
    told = Message.objects.get(kind="signin_link_refused", recipient=phone_maker)
    assert told.channel == Message.Channel.SMS
    assert reverse("account_login") in told.body


@pytest.mark.parametrize("change", ["role", "operator"])
def test_a_code_sent_before_someone_became_staff_does_not_sign_them_in(change, world, phone_maker):
    client = Client()
    ask(client)
    if change == "role":
        factories.MembershipFactory(user=phone_maker, role=Role.DRIVER, hub=world.hub)
    else:
        phone_maker.is_staff = True
        phone_maker.save()
    assert type_code(client, last_code()).status_code == 200
    assert signed_in_as(client) is None


def test_a_landline_gets_no_code(db):
    assert not SigninCode.objects.exists()
    signin_code_send(phone="01382 123456", client="x")
    assert not Message.objects.filter(kind="maker_signin_code").exists()


def test_erasing_her_deletes_her_code(world, phone_maker):
    _code_for(phone_maker)
    maker_erase(maker=Maker.objects.get(user=phone_maker), actor=phone_maker)
    assert not SigninCode.objects.exists()


# --- Limits ---------------------------------------------------------------------------------


def test_asking_too_often_for_one_number_quietly_stops_new_codes(phone_maker):
    for attempt in range(signin.ADDRESS_LIMIT + 3):
        # Different clients, so only the per-number limit is reached.
        assert ask(Client(), ip=f"10.0.1.{attempt}").headers["Location"] == CODE_URL
    sent = Message.objects.filter(kind="maker_signin_code", recipient=phone_maker)
    assert sent.count() == signin.ADDRESS_LIMIT


def test_links_and_codes_to_one_number_share_its_limit(phone_maker):
    from makers.services import signin_link_send

    for _ in range(signin.ADDRESS_LIMIT):
        signin_link_send(phone=PHONE, client="10.0.2.1")
    ask(Client(), ip="10.0.2.2")
    assert not Message.objects.filter(kind="maker_signin_code").exists()


def test_one_client_asking_for_many_numbers_is_limited(phone_maker):
    for n in range(signin.CLIENT_LIMIT):
        ask(Client(), f"07700 9001{n:02d}", ip="10.9.9.9")
    ask(Client(), ip="10.9.9.9")
    assert not Message.objects.filter(kind="maker_signin_code").exists()
    ask(Client(), ip="10.9.9.10")
    assert Message.objects.filter(kind="maker_signin_code").count() == 1


# --- Joining with a mobile number only ------------------------------------------------------


def test_joining_with_a_mobile_only_shows_the_code_form_and_the_code_signs_in(client, world):
    from tests.makers.test_join import form_data, join_url

    data = form_data(client, world, email="", phone="07700 900123")
    done = client.post(join_url(world), data)
    page = client.get(done.headers["Location"])
    html = page.content.decode()
    assert "Type the code we sent to <strong>07\u2026 \u202623</strong>" in html
    assert f'action="{CODE_URL}"' in html
    maker = Maker.objects.get(phone="07700 900123")
    response = type_code(client, last_code(recipient=maker.user))
    assert response.headers["Location"] == reverse("makers:me")
    assert client.get(reverse("makers:me")).status_code == 200


def test_joining_again_with_a_known_mobile_shows_the_same_page(world):
    from tests.makers.test_join import form_data, join_url

    first, again = Client(), Client()
    first.post(join_url(world), form_data(first, world, email="", phone="07700 900123"))
    again.post(join_url(world), form_data(again, world, email="", phone="07700 900123"))
    done = reverse("makers:join_done", kwargs={"slug": world.hub.slug})
    pages = [same_for_anyone(c.get(done).content.decode()) for c in (first, again)]
    assert pages[0] == pages[1]
    assert type_code(again, last_code()).headers["Location"] == reverse("makers:me")


# --- Two right codes at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_right_code_typed_twice_at_once_signs_in_once():
    user = factories.UserFactory(username="margaret")
    code, challenge = signin.code_issue(user)
    barrier = threading.Barrier(2)
    results: list = []

    def type_it():
        try:
            barrier.wait(timeout=10)
            results.append(signin.user_for_code(challenge=challenge, code=code))
        finally:
            connection.close()

    threads = [threading.Thread(target=type_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2
    assert sum(result is not None for result in results) == 1


@pytest.mark.django_db(transaction=True)
def test_many_wrong_guesses_at_once_take_no_more_than_five_tries():
    user = factories.UserFactory(username="margaret")
    code, challenge = signin.code_issue(user)
    guesses = SigninCode.TRIES + 3
    barrier = threading.Barrier(guesses)
    results: list = []

    def guess():
        try:
            barrier.wait(timeout=10)
            results.append(signin.user_for_code(challenge=challenge, code=wrong(code)))
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Every guess answered (none went below zero, which the column would refuse) ...
    assert results == [None] * guesses
    assert SigninCode.objects.get(user=user).tries_left == 0
    # ... and the code is dead: the right one no longer signs in.
    assert signin.user_for_code(challenge=challenge, code=code) is None
