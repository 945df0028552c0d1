"""Two-step sign-in: staff may turn it on; a hub can require it of its staff."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_staff_can_set_it_up_after_confirming_their_password(world):
    client = sign_in("hub_staff")
    first = client.get(reverse("mfa_activate_totp"))
    if first.status_code == 302:  # allauth asks for the password again before a change
        assert first.headers["Location"].startswith(reverse("account_reauthenticate"))
        client.post(first.headers["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "authenticator" in page.content.decode().lower()


@pytest.fixture
def strict_hub(world):
    world.hub.require_staff_two_factor = True
    world.hub.save()
    return world.hub


def test_when_the_hub_requires_it_staff_are_sent_to_set_it_up(strict_hub, client_for):
    response = client_for("hub_staff").get(reverse("hubs:dashboard"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_work_as_usual(strict_hub, world, client_for):
    Authenticator.objects.create(
        user=world.user("hub_staff"), type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert client_for("hub_staff").get(reverse("hubs:dashboard")).status_code == 200


def test_the_rule_is_for_that_hubs_staff_only(strict_hub, client_for):
    assert client_for("other_hub_staff").get(reverse("hubs:dashboard")).status_code == 200
    assert client_for("maker").get(reverse("makers:me")).status_code == 200
    assert client_for("laundry").get(reverse("packages:laundry_home")).status_code == 200


def test_with_the_rule_on_staff_can_still_sign_out(strict_hub, client_for):
    client = client_for("hub_staff")
    assert client.post(reverse("account_logout")).status_code == 302
    assert (
        client.get(reverse("hubs:dashboard"))
        .headers["Location"]
        .startswith(reverse("account_login"))
    )


def test_a_coordinator_turns_the_rule_on_in_the_hubs_settings(world, client_for):
    response = client_for("coordinator").post(
        reverse("hubs:settings"),
        {
            "phone": "01382 384000",
            "email": "hub@example.org",
            "about": "",
            "overdue_after_days": "7",
            "require_staff_two_factor": "on",
        },
    )
    assert response.status_code == 302
    world.hub.refresh_from_db()
    assert world.hub.require_staff_two_factor is True
    hub_staff = client_for("hub_staff")
    assert hub_staff.get(reverse("hubs:dashboard")).headers["Location"] == reverse(
        "mfa_activate_totp"
    )
