"""Per-client limits on joining and kit-code look-ups: what a person sees, and that a
different client (or the real person elsewhere) is not locked out."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from makers.models import Maker
from tests.makers.test_join import form_data, join_url


def test_joining_is_limited_per_client_with_a_kind_page(world, settings):
    settings.SCRUBHUB_JOIN_RATE = "3/h"
    crowd = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        response = crowd.post(
            join_url(world), form_data(crowd, world, name=f"Person {n}", email=f"p{n}@ex.org")
        )
        assert response.status_code == 302
    over = crowd.post(join_url(world), form_data(crowd, world, name="Four", email="p4@ex.org"))
    assert over.status_code == 429
    page = over.content.decode()
    assert "Please wait a little" in page
    assert "Nothing you sent before was lost" in page
    assert not Maker.objects.filter(name="Four").exists()
    # Someone joining from another connection is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    ok = elsewhere.post(
        join_url(world), form_data(elsewhere, world, name="Five", email="p5@ex.org")
    )
    assert ok.status_code == 302


def test_kit_code_look_ups_are_limited_per_person_whether_right_or_wrong(
    world, client_for, settings
):
    settings.SCRUBHUB_KIT_LOOKUP_RATE = "5/h"
    helper = client_for("point_helper")
    answers = [
        helper.get(reverse("dropoffs:kit", kwargs={"code": f"ZZZZZZ{n}"})).status_code
        for n in range(6)
    ]
    assert answers[:5] == [404] * 5
    assert answers[5] == 429
    assert helper.get(reverse("dropoffs:scan"), {"code": "ABC1234"}).status_code == 429
    # Another helper at another point carries on.
    other = client_for("hub_staff")
    assert other.get(reverse("dropoffs:kit", kwargs={"code": "ZZZZZZ9"})).status_code == 404


def test_failed_password_sign_ins_are_limited_and_say_so(world):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    messages = []
    for _ in range(11):
        response = attacker.post(
            reverse("account_login"), {"login": "hub_staff", "password": "wrong"}
        )
        messages.append(response.content.decode())
    assert "Too many failed login attempts" in messages[-1]
    # The real person, from their own connection, is only slowed for a few minutes at most
    # and can always reset their password by email.
    assert (
        Client(REMOTE_ADDR="198.51.100.3").get(reverse("account_reset_password")).status_code == 200
    )
