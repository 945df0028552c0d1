"""Issue 25: the page a kit label's code opens. Its maker logs what she has finished and
plans the return there, signed in or by a sign-in link that brings her back to the kit;
nobody else learns anything about the kit or its maker from it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from makers import signin
from makers.forms import ReturnForm
from makers.models import Maker, ReturnPlan
from makers.services import return_plan_make
from scrubhub.hubs.labels import kit_url
from tests import factories
from tests.makers.conftest import last_signin_message, signin_path
from tests.once import token


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def maker_user(world, maker):
    user = world.user("maker")
    user.email = maker.email
    user.save()
    return user


def label_path(kit) -> str:
    """The path of the address printed in the kit's QR code."""
    path = kit_url(kit.code).split("://", 1)[-1]
    return path[path.index("/") :]


def test_the_label_opens_the_kit_page_from_the_qr_address(world, held_kit):
    kit = held_kit()
    assert label_path(kit) == reverse("dropoffs:kit", kwargs={"code": kit.code})


def test_her_label_opens_her_kit_page_with_her_count_and_the_forms_to_log_and_plan(
    client_for, held_kit, maker, world
):
    kit = held_kit(finished=2)
    day = world.hub.today() + timedelta(days=2)
    return_plan_make(maker=maker, kit=kit, actor=maker.user, day=day, point=world.point)
    me = client_for("maker")
    landing = me.get(label_path(kit), follow=True)
    assert landing.redirect_chain[-1][0] == reverse("makers:kit", kwargs={"code": kit.code})
    html = landing.content.decode()
    assert f'action="{reverse("makers:kit_progress", kwargs={"code": kit.code})}"' in html
    assert f'action="{reverse("makers:kit_return", kwargs={"code": kit.code})}"' in html
    assert "So far you told us 2 of 5." in html
    progress = landing.context["progress_form"]
    assert progress["seen"].value() == 2
    plan = landing.context["return_form"]
    assert plan["where"].value() == str(world.point.pk)  # her chosen point, not the first
    assert plan["day"].value() == day.isoformat()


def test_the_forms_on_her_kit_page_log_and_plan(client_for, held_kit, world):
    kit = held_kit(finished=2)
    me = client_for("maker")
    me.post(reverse("makers:kit_progress", kwargs={"code": kit.code}), {"finished": 4, "seen": 2})
    kit.refresh_from_db()
    assert kit.finished_count == 4
    day = (world.hub.today() + timedelta(days=1)).isoformat()
    me.post(
        reverse("makers:kit_return", kwargs={"code": kit.code}),
        {"where": world.point.pk, "day": day} | token(ReturnForm),
    )
    assert ReturnPlan.objects.get(kit=kit).point == world.point


def test_signed_out_the_label_offers_a_link_that_brings_her_back_to_the_kit(
    client, held_kit, maker_user
):
    kit = held_kit(finished=1)
    page = client.get(label_path(kit))
    assert page.status_code == 200
    assert (
        f'action="{reverse("dropoffs:kit_signin", kwargs={"code": kit.code})}"'
        in page.content.decode()
    )
    asked = client.post(
        reverse("dropoffs:kit_signin", kwargs={"code": kit.code}), {"address": maker_user.email}
    )
    assert asked.headers["Location"] == reverse("makers:signin_sent")
    path = signin_path(last_signin_message())
    assert path.startswith(reverse("dropoffs:kit_signin_link", kwargs={"code": kit.code}) + "?")
    phone = Client()
    button = phone.get(path)
    assert button.status_code == 200
    assert "_auth_user_id" not in phone.session  # opening the link spends nothing
    signed_in = phone.post(
        button.wsgi_request.path, {"token": button.context["token"]}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == reverse("makers:kit", kwargs={"code": kit.code})
    assert "So far you told us 1 of 5." in signed_in.content.decode()


def test_signed_out_the_page_says_nothing_about_the_kit_or_its_maker(client, held_kit, maker):
    kit = held_kit(finished=3)

    def page(code: str, shown: str) -> str:
        html = client.get(reverse("dropoffs:kit", kwargs={"code": code})).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return html.replace(shown, "CODE").replace(code, "CODE")

    html = page(kit.code, kit.display_code)
    assert maker.name not in html and maker.name.split()[0] not in html
    assert "3 of 5" not in html and "finished 3" not in html
    assert html == page("ZZZ9999", "ZZZ-9999")  # the same page as for a code that is no kit


def test_the_kit_link_of_someone_else_signs_them_in_to_their_own_page(client, held_kit, world):
    other = factories.MakerFactory(hub=world.hub, user=factories.UserFactory())
    other.user.email = other.email
    other.user.save()
    factories.MembershipFactory(user=other.user, role="maker", hub=world.hub)
    kit = held_kit()  # Mairi's kit
    client.post(reverse("dropoffs:kit_signin", kwargs={"code": kit.code}), {"address": other.email})
    path = signin_path(last_signin_message())
    token = client.get(path).context["token"]
    response = client.post(path.split("?")[0], {"token": token})
    assert response.headers["Location"] == reverse("makers:me")


def test_the_link_lands_only_on_our_own_pages(world, maker_user):
    for elsewhere in ("https://example.com/kit/", "//example.com/kit/", "kit/"):
        with pytest.raises(ValueError):
            signin.signin_url(maker_user, landing=elsewhere)


@pytest.mark.parametrize("who", ["anonymous", "other_maker", "same_hub_maker"])
def test_nobody_else_can_log_or_plan_on_her_kit(client, client_for, held_kit, world, who):
    kit = held_kit(finished=1)
    if who == "same_hub_maker":
        stranger = factories.MakerFactory(hub=world.hub, user=factories.UserFactory())
        factories.MembershipFactory(user=stranger.user, role="maker", hub=world.hub)
        client.force_login(stranger.user)
        visitor = client
    elif who == "other_maker":
        visitor = client_for("other_maker")
    else:
        visitor = client
    code = {"code": kit.code}
    label = visitor.get(label_path(kit))
    if who == "anonymous":
        assert (
            Maker.objects.get(pk=kit.assignments.get().maker_id).name not in label.content.decode()
        )
    else:
        assert label.status_code == 404
    logged = visitor.post(reverse("makers:kit_progress", kwargs=code), {"finished": 5, "seen": 1})
    planned = visitor.post(
        reverse("makers:kit_return", kwargs=code),
        {"where": world.point.pk, "day": world.hub.today().isoformat()},
    )
    for response in (logged, planned):
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.headers["Location"].startswith(reverse("account_login"))
    kit.refresh_from_db()
    assert kit.finished_count == 1
    assert not ReturnPlan.objects.filter(kit=kit).exists()
