"""Joining a hub on the public form: what is kept, what is refused, and what is never said."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from makers.forms import GroupForm
from makers.models import Consent, Maker
from scrubhub.hubs.models import Membership, Role
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def join_url(world) -> str:
    return reverse("makers:join", kwargs={"slug": world.hub.slug})


def form_data(client: Client, world, **changes) -> dict:
    """A complete, valid answer, with the token the form page handed out."""
    page = client.get(join_url(world))
    data = {
        "form_token": page.context["form"]["form_token"].value(),
        "name": "Isla Brown",
        "email": "isla@example.org",
        "phone": "",
        "postcode": "dd1 4hn",
        "age_band": "18_69",
        "experience": "confident",
        "has_sewing_machine": "yes",
        "preferred_point": str(world.point.pk),
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response) -> dict:
    return response.context["form"].errors


def test_a_new_person_joins_and_is_applied_with_an_account_consents_and_messages(client, world):
    response = client.post(join_url(world), form_data(client, world))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse(
        "makers:join_done", kwargs={"slug": world.hub.slug}
    )
    maker = Maker.objects.get(email="isla@example.org")
    assert maker.status == Maker.Status.APPLIED
    assert maker.hub == world.hub
    assert maker.postcode == "DD1 4HN"
    assert maker.preferred_point == world.point
    assert maker.experience == "confident"
    assert maker.preferred_channel == Maker.Channel.EMAIL
    assert not maker.user.has_usable_password()
    assert Membership.objects.filter(user=maker.user, role=Role.MAKER, hub=world.hub).exists()
    assert set(maker.consents.values_list("purpose", flat=True)) == {
        Consent.Purpose.STORE_DETAILS,
        Consent.Purpose.CONTACT,
    }
    kinds = set(Message.objects.filter(recipient=maker.user).values_list("kind", flat=True))
    assert kinds == {"maker_welcome", "maker_signin_link"}
    done = client.get(response.headers["Location"])
    assert world.hub.phone in done.content.decode()


def test_a_hub_that_approves_at_once_approves_the_new_maker(client, world):
    world.hub.auto_approve_makers = True
    world.hub.save()
    client.post(join_url(world), form_data(client, world))
    assert Maker.objects.get(email="isla@example.org").status == Maker.Status.APPROVED


def test_a_phone_only_person_gets_texts(client, world):
    data = form_data(client, world, email="", phone="+44 7700 900 123")
    client.post(join_url(world), data)
    maker = Maker.objects.get(name="Isla Brown")
    assert maker.phone == "07700 900123"
    assert maker.preferred_channel == Maker.Channel.SMS
    # A code to type on the thank-you page, not a link (issue 22).
    message = Message.objects.get(kind="maker_signin_code", recipient=maker.user)
    assert message.channel == Message.Channel.SMS
    assert message.to_address == "07700900123"
    assert "http" not in message.body
    assert not Message.objects.filter(kind="maker_signin_link").exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "Enter your full name"),
        ({"email": "", "phone": ""}, "email", "email address or a phone number"),
        ({"email": "isla@"}, "email", "like name@example.com"),
        ({"phone": "12345"}, "phone", "UK phone number"),
        ({"postcode": "DD1"}, "postcode", "full UK postcode"),
        ({"postcode": "ABCDEFG"}, "postcode", "full UK postcode"),
        ({"age_band": None}, "age_band", "how old you are"),
        ({"consent": None}, "consent", "Tick the box"),
        ({"preferred_point": "999999"}, "preferred_point", "valid choice"),
        ({"age_band": "16_17"}, "guardian_name", "parent or guardian"),
        ({"age_band": "16_17", "guardian_name": "Ann Brown"}, "guardian_contact", "guardian"),
    ],
)
def test_bad_answers_are_shown_beside_the_field_and_in_the_summary_and_nothing_is_kept(
    client, world, changes, field, words
):
    before = (Maker.objects.count(), get_user_model().objects.count(), Message.objects.count())
    response = client.post(join_url(world), form_data(client, world, **changes))
    assert response.status_code == 200
    assert words in " ".join(errors_of(response)[field])
    html = response.content.decode()
    assert "There is a problem" in html  # the summary at the top
    assert f'id="{response.context["form"][field].auto_id}_error"' in html  # beside the field
    after = (Maker.objects.count(), get_user_model().objects.count(), Message.objects.count())
    assert after == before


def test_what_was_typed_stays_in_the_form_after_an_error(client, world):
    response = client.post(join_url(world), form_data(client, world, postcode="nope"))
    assert 'value="Isla Brown"' in response.content.decode()


def test_a_sixteen_year_old_with_a_guardian_joins(client, world):
    data = form_data(
        client, world, age_band="16_17", guardian_name="Ann Brown", guardian_contact="07700 900888"
    )
    client.post(join_url(world), data)
    maker = Maker.objects.get(email="isla@example.org")
    assert (maker.age_band, maker.guardian_name) == ("16_17", "Ann Brown")


def test_an_adult_keeps_no_guardian_details_even_if_the_hidden_boxes_were_filled(client, world):
    data = form_data(client, world, guardian_name="Ann Brown", guardian_contact="01382 1")
    client.post(join_url(world), data)
    maker = Maker.objects.get(email="isla@example.org")
    assert (maker.guardian_name, maker.guardian_contact) == ("", "")


def test_under_sixteen_gets_a_kind_refusal_and_nothing_is_kept(client, world):
    before = (Maker.objects.count(), get_user_model().objects.count(), Message.objects.count())
    response = client.post(join_url(world), form_data(client, world, age_band="under_16"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "16 or over" in html
    assert reverse("makers:group_register", kwargs={"slug": world.hub.slug}) in html
    after = (Maker.objects.count(), get_user_model().objects.count(), Message.objects.count())
    assert after == before


def test_a_known_email_sees_the_same_page_and_gets_a_sign_in_link_instead(client, world):
    known = factories.UserFactory(username="known", email="isla@example.org")
    response = client.post(join_url(world), form_data(client, world, email="ISLA@example.org"))
    fresh = Client()
    new_response = fresh.post(join_url(world), form_data(fresh, world, email="new@example.org"))
    assert response.status_code == new_response.status_code == 302
    assert response.headers["Location"] == new_response.headers["Location"]
    assert not Maker.objects.filter(email="isla@example.org").exists()
    assert Message.objects.filter(kind="maker_signin_link", recipient=known).count() == 1
    assert not Message.objects.filter(kind="maker_welcome", to_address="isla@example.org")


def test_a_known_phone_gets_a_sign_in_code_by_text_and_no_second_maker(client, world):
    client.post(join_url(world), form_data(client, world, email="", phone="07700 900555"))
    again = Client()
    response = again.post(join_url(world), form_data(again, world, email="", phone="07700900555"))
    assert response.status_code == 302
    assert Maker.objects.filter(phone="07700 900555").count() == 1
    assert Message.objects.filter(kind="maker_signin_code", to_address="07700900555").count() == 2


def test_a_form_sent_twice_makes_one_maker_and_both_answers_say_thanks(client, world):
    data = form_data(client, world)
    first = client.post(join_url(world), data)
    second = client.post(join_url(world), data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert Maker.objects.filter(email="isla@example.org").count() == 1


def test_a_stale_or_forged_form_is_refused_with_a_fresh_form_and_nothing_kept(client, world):
    response = client.post(join_url(world), form_data(client, world, form_token="forged"))
    assert response.status_code == 200
    assert "open for a long time" in " ".join(errors_of(response).get("__all__", []))
    assert not Maker.objects.filter(email="isla@example.org").exists()
    fresh_token = response.context["form"].data["form_token"]
    assert fresh_token != "forged"
    data = form_data(client, world)
    data["form_token"] = fresh_token
    assert client.post(join_url(world), data).status_code == 302


def test_a_form_from_another_hub_is_stale_here(client, world):
    other = reverse("makers:join", kwargs={"slug": world.other_hub.slug})
    theirs = client.get(other).context["form"]["form_token"].value()
    response = client.post(join_url(world), form_data(client, world, form_token=theirs))
    assert response.status_code == 200
    assert not Maker.objects.filter(email="isla@example.org").exists()


def test_another_hubs_point_is_not_a_choice(client, world):
    response = client.post(
        join_url(world), form_data(client, world, preferred_point=str(world.other_point.pk))
    )
    assert "preferred_point" in errors_of(response)


def test_join_with_one_hub_goes_straight_to_its_form(client, world):
    world.other_hub.is_active = False
    world.other_hub.save()
    response = client.get(reverse("makers:join_start"))
    assert response.headers["Location"] == join_url(world)


def test_join_with_several_hubs_lists_them_and_finds_one_by_area(client, world):
    response = client.get(reverse("makers:join_start"))
    assert [h.slug for h in response.context["hubs"]] == ["fife", "tayside"]
    found = client.get(reverse("makers:join_start"), {"q": "fife"})
    assert [h.slug for h in found.context["hubs"]] == ["fife"]


def test_the_hub_page_shows_progress_in_words_and_share_tags(client, world):
    from packages import services as packages

    for garment_type in ("top", "trousers"):
        packages.demand_record(
            hospital=world.hospital,
            garment_types=[garment_type],
            quantities={"M": 40},
            actor=world.user("laundry"),
        )
    response = client.get(reverse("makers:hub_page", kwargs={"slug": world.hub.slug}))
    html = response.content.decode()
    assert "0 of 40 sets delivered" in html
    assert '<progress class="hub-progress-bar" max="40" value="0"' in html
    for tag in ('property="og:title"', 'property="og:image"', 'name="twitter:card"'):
        assert tag in html
    assert reverse("makers:join", kwargs={"slug": world.hub.slug}) in html


def test_an_unknown_hub_is_404(client, world):
    assert client.get(reverse("makers:hub_page", kwargs={"slug": "nowhere"})).status_code == 404
    assert client.get(reverse("makers:join", kwargs={"slug": "nowhere"})).status_code == 404


def test_a_group_leader_registers_a_group_and_can_see_it(client, world):
    url = reverse("makers:group_register", kwargs={"slug": world.hub.slug})
    response = client.post(
        url,
        {
            "group_name": "Harris Academy sewing club",
            "kind": "school",
            "member_count": "14",
            "capacity": "10",
            "leader_name": "Jo Teacher",
            "email": "jo@example.org",
            "phone": "",
            "consent": "on",
        }
        | token(GroupForm),
    )
    assert response.status_code == 302
    from makers.models import MakerGroup

    group = MakerGroup.objects.get(name="Harris Academy sewing club")
    assert (group.member_count, group.capacity_sets_per_week) == (14, 10)
    leader = group.leader
    assert Membership.objects.filter(user=leader, role=Role.GROUP_LEADER, hub=world.hub).exists()
    assert Message.objects.filter(kind="maker_signin_link", recipient=leader).exists()
    leader_client = Client()
    leader_client.force_login(leader)
    page = leader_client.get(reverse("makers:group"))
    assert "Harris Academy sewing club" in page.content.decode()


def test_a_class_joining_from_one_address_all_get_their_links(world):
    from makers import signin

    for n in range(signin.CLIENT_LIMIT + 3):
        pupil = Client(REMOTE_ADDR="10.20.30.40")
        pupil.post(join_url(world), form_data(pupil, world, email=f"pupil{n}@example.org"))
    assert Message.objects.filter(kind="maker_signin_link").count() == signin.CLIENT_LIMIT + 3
