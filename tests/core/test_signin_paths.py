"""Every way of signing in, walked with a two-step (TOTP) account: none may skip the code.

The ways in: the password form (allauth), the operators' admin, the makers' sign-in link
and code by text, accepting a team invitation, and a password reset. Signing out of the
admin ends the operator's other sessions, as the site's own sign-out does.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from makers import signin
from makers.services import signin_link_send
from scrubhub.hubs import team_services
from scrubhub.hubs.models import Role
from scrubhub.notifications.models import Message
from tests import factories
from tests.factories import PASSWORD

SESSION_USER = "_auth_user_id"


def two_step(user) -> str:
    """Give the person an authenticator app; the secret, to work out codes with."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def signed_in(client: Client) -> bool:
    return SESSION_USER in client.session


@pytest.fixture
def strict_hub(world):
    world.hub.require_staff_two_factor = True
    world.hub.save()
    return world.hub


@pytest.fixture
def coordinator(world, strict_hub):
    user = world.user("coordinator")
    user.secret = two_step(user)
    return user


@pytest.fixture
def operator(world):
    user = world.user("operator")
    user.secret = two_step(user)
    return user


# --- The password form ----------------------------------------------------------------------


def test_the_password_form_asks_for_the_code_before_signing_in(coordinator):
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": coordinator.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get(reverse("hubs:dashboard")).status_code == 302
    done = client.post(reverse("mfa_authenticate"), {"code": code(coordinator.secret)})
    assert done.status_code == 302
    assert int(client.session[SESSION_USER]) == coordinator.pk
    assert client.get(reverse("hubs:dashboard")).status_code == 200


# --- The admin ------------------------------------------------------------------------------


def test_the_admins_own_sign_in_page_hands_over_to_the_sites(operator):
    response = Client().get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == ["/admin/"]


def test_the_admins_password_form_cannot_skip_the_code(operator):
    client = Client()
    client.post(
        reverse("admin:login"),
        {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert not signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_operator_reaches_the_admin_through_the_password_and_the_code(operator):
    client = Client()
    login_page = client.get(reverse("admin:index"), follow=True)
    assert login_page.request["PATH_INFO"] == reverse("account_login")
    response = client.post(
        reverse("account_login"),
        {"login": operator.username, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.headers["Location"] == reverse("mfa_authenticate")
    done = client.post(reverse("mfa_authenticate"), {"code": code(operator.secret)})
    assert done.headers["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_someone_signed_in_without_the_operator_role_is_refused_not_asked_again(client_for):
    # Django's own page would offer a form to sign in as someone else.
    response = client_for("hub_staff").get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 403


def test_signing_out_of_the_admin_ends_every_session_of_the_operator(world):
    here, elsewhere = Client(), Client()
    here.force_login(world.user("operator"))
    elsewhere.force_login(world.user("operator"))
    assert elsewhere.get(reverse("admin:index")).status_code == 200
    response = here.post(reverse("admin:logout"))
    assert response.status_code == 302
    assert not signed_in(here)
    assert elsewhere.get(reverse("admin:index")).status_code == 302


# --- The makers' sign-in link ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "operator"])
def test_no_sign_in_link_is_sent_to_a_two_step_account(persona, request):
    user = request.getfixturevalue(persona)
    assert not signin_link_send(email=user.email, client="10.0.0.1")
    assert not Message.objects.filter(kind="maker_signin_link").exists()


@pytest.mark.parametrize("persona", ["coordinator", "operator"])
def test_a_link_made_for_a_two_step_account_does_not_sign_in(persona, request):
    user = request.getfixturevalue(persona)
    token = re.search(r"token=(\S+)", signin.signin_url(user)).group(1)
    client = Client()
    response = client.post(reverse("makers:signin_link"), {"token": token})
    assert response.status_code == 400
    assert not signed_in(client)


def test_a_maker_who_set_up_two_step_signs_in_with_it_not_by_link(world):
    maker = world.user("maker")
    two_step(maker)
    assert not signin_link_send(email=maker.email, client="10.0.0.1")
    token = re.search(r"token=(\S+)", signin.signin_url(maker)).group(1)
    client = Client()
    assert client.post(reverse("makers:signin_link"), {"token": token}).status_code == 400
    assert not signed_in(client)


# --- The makers' sign-in code by text (issue 22) ---------------------------------------------


def test_a_maker_who_set_up_two_step_gets_no_code_and_an_old_code_does_not_sign_in(world):
    from makers.models import Maker
    from makers.services import signin_code_send

    maker = world.user("maker")
    Maker.objects.filter(user=maker).update(email="", phone="07700 900777")
    code, challenge = signin.code_issue(maker)  # sent before she set up two-step
    two_step(maker)
    signin_code_send(phone="07700900777", client="10.0.0.1")
    assert not Message.objects.filter(kind="maker_signin_code").exists()
    assert signin.user_for_code(challenge=challenge, code=code) is None


# --- Accepting a team invitation ------------------------------------------------------------


def _invitation(world, email: str, role: str = Role.HUB_STAFF):
    return team_services.invitation_send(
        hub=world.hub, email=email, role=role, actor=world.user("coordinator")
    )


def test_a_two_step_account_accepting_an_invitation_must_sign_in_with_the_code(world, strict_hub):
    person = factories.UserFactory(username="newcomer", email="newcomer@example.org")
    two_step(person)
    sent = _invitation(world, person.email)
    path = reverse("hubs:invitation", args=[sent.token])
    client = Client()
    password = "three green tractors sing"
    response = client.post(
        path, {"name": "New Comer", "password1": password, "password2": password, "confirm": "on"}
    )
    assert response.status_code == 400
    assert "There is already an account for newcomer@example.org" in response.content.decode()
    assert not signed_in(client)


def test_a_new_account_in_a_hub_that_requires_two_step_is_sent_to_set_it_up(world, strict_hub):
    sent = _invitation(world, "new.staff@example.org")
    client = Client()
    password = "three green tractors sing"
    response = client.post(
        reverse("hubs:invitation", args=[sent.token]),
        {"name": "Sam New", "password1": password, "password2": password, "confirm": "on"},
        follow=True,
    )
    # Setting up asks for the password again first (allauth), then for the app's code.
    landed = urlsplit(response.redirect_chain[-1][0])
    assert landed.path == reverse("account_reauthenticate")
    assert parse_qs(landed.query)["next"] == [reverse("mfa_activate_totp")]
    assert client.get(reverse("hubs:dashboard")).headers["Location"] == reverse("mfa_activate_totp")


# --- A password reset -----------------------------------------------------------------------


def test_a_password_reset_does_not_sign_in_and_the_new_password_still_needs_the_code(coordinator):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": coordinator.email})
    message = Message.objects.filter(to_address=coordinator.email).latest("pk")
    link = urlsplit(re.search(r"https?://\S+", message.body).group(0)).path
    form_page = client.get(link, follow=True)
    new_password = "a brand new long password"
    response = client.post(
        form_page.request["PATH_INFO"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    assert not signed_in(client)
    coordinator.refresh_from_db()
    assert coordinator.check_password(new_password)
    again = client.post(
        reverse("account_login"), {"login": coordinator.username, "password": new_password}
    )
    assert again.headers["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
