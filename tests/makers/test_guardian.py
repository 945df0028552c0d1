"""Parents and guardians of makers aged 16 or 17 (issue 22): the message with its link, the
page it opens, the answer recorded as a consent, no kit before they agree on any path that
gives one, what staff and the maker see, and erasure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from makers import guardian_services as guardians
from makers import services
from makers.forms import GuardianAgreeForm, GuardianRefuseForm
from makers.guardian_services import GuardianStatus
from makers.models import Consent, GuardianRequest, Maker, MakerEvent
from makers.staff_forms import GuardianAskForm
from packages import allocation
from packages import services as packages
from packages.models import Kit, KitAssignment
from packages.services import KitError
from scrubhub.hubs.selectors import todos_for_hub
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token as once_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def _young(world, *, contact="ann.reid@example.org", status=None, **fields) -> Maker:
    """A 16-year-old signed up through the services (so her guardian is asked)."""
    maker = services.maker_apply(
        hub=world.hub,
        name=fields.pop("name", "Isla Reid"),
        email=fields.pop("email", "isla.reid@example.org"),
        postcode="DD1 4HN",
        age_band=Maker.AgeBand.UNDER_18,
        guardian_name="Ann Reid",
        guardian_contact=contact,
        preferred_point=world.point,
        sets_per_week=2,
        consents=[(Consent.Purpose.STORE_DETAILS, "privacy-v1")],
        **fields,
    )
    if status == "approved":
        maker = services.maker_approve(maker=maker, actor=world.user("hub_staff"))
    return maker


def _message_to_guardian(maker: Maker) -> Message:
    return Message.objects.filter(
        idempotency_key__startswith=guardians.message_key_prefix(maker.pk)
    ).latest("created_at", "pk")


def _token_in(message: Message) -> str:
    return re.search(r"/guardian/([A-Za-z0-9_\-]+)/", message.body).group(1)


def _url(token: str) -> str:
    return reverse("makers:guardian", kwargs={"token": token})


def _agree(client: Client, token: str, name: str = "Ann Reid"):
    return client.post(
        _url(token),
        {"answer": "agree", "name": name, "agree": "on"} | once_token(GuardianAgreeForm),
    )


def _refuse(client: Client, token: str):
    token_field = once_token(GuardianRefuseForm)
    return client.post(
        _url(token), {"answer": "refuse", "no-form_token": token_field["form_token"]}
    )


# --- Asking -------------------------------------------------------------------------------


def test_joining_at_16_sends_the_guardian_an_email_with_a_link_that_names_the_hub(world):
    maker = _young(world)
    request = GuardianRequest.objects.get(maker=maker)
    assert request.closed_at is None
    assert request.expires_at - request.created_at == timedelta(days=guardians.LINK_DAYS)
    message = _message_to_guardian(maker)
    assert (message.channel, message.to_address) == ("email", "ann.reid@example.org")
    assert message.kind == guardians.MESSAGE_KIND
    assert "Isla Reid" in message.subject and world.hub.name in message.subject
    assert "Hello Ann Reid" in message.body
    token = _token_in(message)
    assert token in message.html_body
    # Only a hash of the token is kept.
    assert token not in request.digest
    assert guardians.link_read(token=token).usable


def test_a_mobile_number_gets_a_text_and_a_landline_goes_on_the_phone_list(world):
    texted = _young(world, contact="+44 7700 900123", email="a@example.org")
    assert (_message_to_guardian(texted).channel, _message_to_guardian(texted).to_address) == (
        "sms",
        "07700900123",
    )
    texted.refresh_from_db()
    assert texted.guardian_contact == "07700 900123"  # kept as we keep phone numbers
    rung = _young(world, contact="01382 123456", email="b@example.org", name="Bo Reid")
    assert _message_to_guardian(rung).channel == "phone"


def test_an_adult_has_no_guardian_asked_and_may_have_kits(world):
    adult = services.maker_apply(
        hub=world.hub, name="Ada Adult", email="ada@example.org", postcode="DD1 4HN"
    )
    assert not GuardianRequest.objects.filter(maker=adult).exists()
    assert guardians.guardian_state(maker=adult).status == GuardianStatus.NOT_NEEDED


@pytest.mark.parametrize("contact", ["Mum", "01382 1", "ann@"])
def test_a_guardian_contact_that_is_neither_a_phone_nor_an_email_is_refused(world, contact):
    with pytest.raises(services.MakerError, match="phone number"):
        _young(world, contact=contact)
    assert not Maker.objects.filter(name="Isla Reid").exists()


def test_the_join_form_asks_again_for_a_guardian_contact_we_cannot_reach(client, world):
    from tests.makers.test_join import form_data, join_url

    data = form_data(
        client, world, age_band="16_17", guardian_name="Ann Reid", guardian_contact="Mum"
    )
    response = client.post(join_url(world), data)
    assert response.status_code == 200
    assert "We send them a message to agree" in response.content.decode()
    assert not Maker.objects.filter(email="isla@example.org").exists()


# --- The guardian's page ------------------------------------------------------------------


def test_the_page_names_the_hub_says_what_they_signed_up_for_and_changes_nothing(world):
    maker = _young(world)
    token = _token_in(_message_to_guardian(maker))
    before = (MakerEvent.objects.count(), Consent.objects.count())
    response = Client().get(_url(token))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.hub.name in page and "Isla Reid" in page
    assert world.point.name in page  # where she collects and brings back kits
    assert "We delete them" in page  # how long
    assert "I agree" in page and "I do not agree" in page
    assert 'name="robots" content="noindex"' in page
    assert (MakerEvent.objects.count(), Consent.objects.count()) == before
    assert guardians.link_read(token=token).usable


def test_agreeing_records_the_consent_with_name_wording_and_time_and_the_link_is_spent(world):
    maker = _young(world, status="approved")
    token = _token_in(_message_to_guardian(maker))
    client = Client()
    response = _agree(client, token, name="  Ann   Reid ")
    assert response.status_code == 302
    consent = Consent.objects.get(maker=maker, purpose=Consent.Purpose.GUARDIAN)
    assert consent.given_by == "Ann Reid"
    assert consent.wording_version == guardians.GUARDIAN_WORDING
    assert timezone.now() - consent.given_at < timedelta(minutes=1)
    assert consent.withdrawn_at is None
    request = GuardianRequest.objects.get(maker=maker)
    assert request.answer == "agreed" and request.closed_at is not None
    assert guardians.guardian_state(maker=maker).agreed
    # The maker hears, on her own channel.
    assert Message.objects.filter(
        idempotency_key=f"maker-{maker.pk}-guardian-agreed-{request.pk}",
        to_address=maker.email,
    ).exists()
    # The link now says thank you; sending the form again adds nothing.
    page = client.get(_url(token)).content.decode()
    assert "Thank you for answering" in page and "You agreed on" in page
    again = _agree(Client(), token)
    assert again.status_code == 200
    assert Consent.objects.filter(maker=maker, purpose=Consent.Purpose.GUARDIAN).count() == 1


def test_the_same_agree_form_sent_twice_records_one_consent(world):
    maker = _young(world)
    token = _token_in(_message_to_guardian(maker))
    sent = {"answer": "agree", "name": "Ann Reid", "agree": "on"} | once_token(GuardianAgreeForm)
    assert Client().post(_url(token), sent).status_code == 302
    assert Client().post(_url(token), sent).status_code in (200, 302)
    assert Consent.objects.filter(maker=maker, purpose=Consent.Purpose.GUARDIAN).count() == 1


def test_agreeing_needs_the_box_ticked_and_a_name(world):
    maker = _young(world)
    token = _token_in(_message_to_guardian(maker))
    response = Client().post(
        _url(token), {"answer": "agree", "name": ""} | once_token(GuardianAgreeForm)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Type your full name." in page and "Tick the box to say you agree" in page
    assert not Consent.objects.filter(purpose=Consent.Purpose.GUARDIAN).exists()
    assert guardians.link_read(token=token).usable


def test_not_agreeing_tells_the_maker_kindly_records_no_consent_and_staff_see_it(world, client_for):
    maker = _young(world, status="approved")
    token = _token_in(_message_to_guardian(maker))
    assert _refuse(Client(), token).status_code == 302
    assert not Consent.objects.filter(maker=maker, purpose=Consent.Purpose.GUARDIAN).exists()
    assert guardians.guardian_state(maker=maker).refused
    told = Message.objects.get(idempotency_key__startswith=f"maker-{maker.pk}-guardian-refused")
    assert "did not agree" in told.body and "kind of you" in told.body
    page = client_for("hub_staff").get(reverse("makers:staff_maker", args=[maker.pk]))
    assert "Their parent or guardian did not agree" in page.content.decode()
    (kit,) = factories.prepared_kits(hub=world.hub, actor=world.user("hub_staff"))
    with pytest.raises(KitError, match="parent or guardian did not agree"):
        packages.kit_allocate(kit=kit, maker=maker, actor=world.user("hub_staff"))


def test_an_old_link_a_replaced_link_and_a_made_up_one_each_get_a_clear_page(world):
    maker = _young(world)
    first = _token_in(_message_to_guardian(maker))
    second = guardians.guardian_ask(maker=maker, actor=world.user("hub_staff"))
    replaced = Client().get(_url(first))
    assert replaced.status_code == 410
    assert "That link has stopped working" in replaced.content.decode()
    assert world.hub.phone in replaced.content.decode()
    assert _agree(Client(), first).status_code == 410
    assert not Consent.objects.filter(purpose=Consent.Purpose.GUARDIAN).exists()
    GuardianRequest.objects.filter(maker=maker, closed_at__isnull=True).update(
        created_at=timezone.now() - timedelta(days=guardians.LINK_DAYS + 1),
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert Client().get(_url(second)).status_code == 410
    made_up = Client().get(_url("not-a-real-link"))
    assert made_up.status_code == 404
    assert "That link has stopped working" in made_up.content.decode()


def test_opening_the_page_is_limited_per_client(world, settings):
    settings.SCRUBHUB_GUARDIAN_RATE = "3/h"
    client = Client(REMOTE_ADDR="203.0.113.8")
    answers = [client.get(_url(f"guess{n}")).status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
    assert Client(REMOTE_ADDR="198.51.100.3").get(_url("guess")).status_code == 404


# --- No kit before a guardian agrees: every path that gives one ---------------------------


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def _waiting_and_agreed(world):
    waiting = _young(world, status="approved")
    agreed = _young(world, status="approved", name="Agnes Agreed", email="agnes@example.org")
    guardians.guardian_answer(
        token=guardians.guardian_ask(maker=agreed), agree=True, name="Ann Reid"
    )
    return waiting, agreed


def test_kit_allocate_refuses_a_maker_waiting_for_a_guardian(world, staff):
    waiting, agreed = _waiting_and_agreed(world)
    first, second = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    with pytest.raises(KitError, match="Isla Reid is waiting for a parent or guardian to agree"):
        packages.kit_allocate(kit=first, maker=waiting, actor=staff)
    first.refresh_from_db()
    assert first.status == Kit.Status.PREPARED
    assert not KitAssignment.objects.filter(maker=waiting).exists()
    packages.kit_allocate(kit=second, maker=agreed, actor=staff)
    assert KitAssignment.objects.get(kit=second).maker == agreed


def test_staff_giving_a_kit_on_the_kit_page_is_refused_with_the_reason(world, staff, client_for):
    waiting, _agreed = _waiting_and_agreed(world)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    with pytest.raises(KitError, match="waiting for a parent or guardian"):
        packages.kit_allocate(kit=kit, maker=waiting, actor=staff)
    response = client_for("hub_staff").post(
        reverse("hubs:allocate_kit", args=[kit.code]), {"candidate": f"m{waiting.pk}"}
    )
    assert response.status_code == 400
    assert "Isla Reid is waiting for a parent or guardian to agree" in response.content.decode()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED


def test_giving_many_refuses_the_waiting_maker_and_gives_the_rest(world, staff, client_for):
    waiting, agreed = _waiting_and_agreed(world)
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    data = {"kit": [k.code for k in kits]}
    data[f"for_{kits[0].code}"] = f"m{waiting.pk}"
    data[f"for_{kits[1].code}"] = f"m{agreed.pk}"
    response = client_for("hub_staff").post(reverse("hubs:allocate_many"), data, follow=True)
    page = response.content.decode()
    assert "1 kit is given out." in page
    assert "Isla Reid is waiting for a parent or guardian to agree" in page
    assert not KitAssignment.objects.filter(maker=waiting).exists()
    assert KitAssignment.objects.get(kit=kits[1]).maker == agreed


def test_giving_a_kit_to_someone_else_refuses_a_waiting_maker(world, staff):
    waiting, agreed = _waiting_and_agreed(world)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=agreed, actor=staff)
    with pytest.raises(KitError, match="waiting for a parent or guardian"):
        packages.kit_reallocate(kit=kit, maker=waiting, actor=staff)
    assert KitAssignment.objects.get(kit=kit, ended_at__isnull=True).maker == agreed


def test_the_suggestions_never_propose_a_waiting_maker(world, staff):
    waiting, agreed = _waiting_and_agreed(world)
    Maker.objects.filter(hub=world.hub).exclude(pk__in=[waiting.pk, agreed.pk]).update(
        status=Maker.Status.PAUSED
    )
    from makers.models import MakerGroup

    MakerGroup.objects.filter(hub=world.hub).update(status=MakerGroup.Status.PAUSED)
    kits = factories.prepared_kits(hub=world.hub, kit_count=3, actor=staff)
    candidates = allocation.candidates_for_hub(hub=world.hub)
    assert {c.pk for c in candidates} == {agreed.pk}
    rows = allocation.suggest(kits, candidates, hub=world.hub)
    assert {row.suggestion.candidate.pk for row in rows if row.suggestion} == {agreed.pk}
    assert allocation.room_for_kits(hub=world.hub).makers == 1
    assert not allocation.candidates_for_hub(hub=world.hub, query="Isla")


def test_once_the_guardian_agrees_staff_can_give_the_kit(world, staff):
    maker = _young(world, status="approved")
    _agree(Client(), _token_in(_message_to_guardian(maker)))
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    assert KitAssignment.objects.get(kit=kit).maker == maker


# --- What staff see and do ----------------------------------------------------------------


def test_the_dashboard_counts_young_makers_waiting_or_refused_and_links_to_them(world, client_for):
    waiting, agreed = _waiting_and_agreed(world)
    refused = _young(world, name="Rona Refused", email="rona@example.org")
    guardians.guardian_answer(token=guardians.guardian_ask(maker=refused), agree=False)
    todo = next(t for t in todos_for_hub(hub=world.hub, plan=[]) if t.key == "guardians")
    assert todo.count == 2
    page = client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode()
    assert "young makers waiting for a parent or guardian to agree" in page
    roster = client_for("hub_staff").get(reverse("makers:staff_roster"), {"guardian": "on"})
    names = roster.content.decode()
    assert "Isla Reid" in names and "Rona Refused" in names
    assert "Agnes Agreed" not in names
    assert "Waiting for a parent or guardian to agree" in names
    assert "Parent or guardian did not agree" in names


def test_the_maker_record_says_they_wait_and_sends_the_message_again_once(world, client_for):
    maker = _young(world)
    first = GuardianRequest.objects.get(maker=maker)
    client = client_for("hub_staff")
    page = client.get(reverse("makers:staff_maker", args=[maker.pk])).content.decode()
    assert "Waiting for a parent or guardian to agree" in page
    assert "s message again</button>" in page
    sent = once_token(GuardianAskForm)
    url = reverse("makers:staff_maker_guardian_ask", args=[maker.pk])
    assert client.post(url, sent).status_code == 302
    assert client.post(url, sent).status_code == 302  # a double tap
    requests = list(GuardianRequest.objects.filter(maker=maker).order_by("created_at", "pk"))
    assert len(requests) == 2
    first.refresh_from_db()
    assert first.closed_at is not None and not first.answer
    assert requests[1].closed_at is None
    assert (
        Message.objects.filter(
            idempotency_key__startswith=guardians.message_key_prefix(maker.pk)
        ).count()
        == 2
    )


def test_another_hubs_staff_cannot_send_the_message(world, client_for):
    maker = _young(world)
    response = client_for("other_hub_staff").post(
        reverse("makers:staff_maker_guardian_ask", args=[maker.pk]), once_token(GuardianAskForm)
    )
    assert response.status_code == 404
    assert GuardianRequest.objects.filter(maker=maker).count() == 1


def test_the_message_cannot_be_sent_again_once_they_agreed(world):
    maker = _young(world)
    _agree(Client(), _token_in(_message_to_guardian(maker)))
    with pytest.raises(services.MakerError, match="already agreed"):
        guardians.guardian_ask(maker=maker)


def test_staff_changing_the_guardian_contact_sends_a_new_message(world, client_for):
    maker = _young(world)
    old = _token_in(_message_to_guardian(maker))
    client = client_for("hub_staff")
    form = client.get(reverse("makers:staff_maker_change", args=[maker.pk])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(guardian_contact="07700 900321", preferred_point="", sets_per_week="2")
    response = client.post(reverse("makers:staff_maker_change", args=[maker.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    message = _message_to_guardian(maker)
    assert (message.channel, message.to_address) == ("sms", "07700900321")
    assert Client().get(_url(old)).status_code == 410
    assert guardians.link_read(token=_token_in(message)).usable


def test_the_maker_changing_her_guardian_contact_sends_a_new_message(world):
    maker = _young(world)
    services.maker_details_update(
        maker=maker,
        actor=None,
        name=maker.name,
        email=maker.email,
        phone="",
        postcode=maker.postcode,
        preferred_channel="email",
        sets_per_week=1,
        guardian_name="Ann Reid",
        guardian_contact="ann.new@example.org",
    )
    assert _message_to_guardian(maker).to_address == "ann.new@example.org"
    assert GuardianRequest.objects.filter(maker=maker, closed_at__isnull=True).count() == 1


# --- The maker's own page -----------------------------------------------------------------


def test_her_page_says_we_wait_for_her_guardian_until_they_agree(world):
    from scrubhub.hubs.models import Membership, Role

    user = factories.UserFactory(username="isla")
    maker = _young(world, user=user, status="approved")
    Membership.objects.get_or_create(user=user, role=Role.MAKER, hub=world.hub)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("makers:me")).content.decode()
    assert "We are waiting for your parent or guardian to agree." in page
    assert "ready for another kit" not in page
    _agree(Client(), _token_in(_message_to_guardian(maker)))
    page = client.get(reverse("makers:me")).content.decode()
    assert "We are waiting for your parent or guardian" not in page


# --- Erasure --------------------------------------------------------------------------------


def test_erasing_the_maker_removes_the_guardians_consent_links_and_messages(world):
    maker = _young(world)
    token = _token_in(_message_to_guardian(maker))
    _agree(Client(), token)
    services.maker_erase(maker=maker, actor=world.user("coordinator"))
    assert not Consent.objects.filter(maker=maker, purpose=Consent.Purpose.GUARDIAN).exists()
    assert Consent.objects.filter(maker=maker).exists()  # the others are kept, ended
    assert not GuardianRequest.objects.filter(maker=maker).exists()
    message = Message.objects.get(
        idempotency_key__startswith=guardians.message_key_prefix(maker.pk)
    )
    assert (message.to_address, message.body) == ("erased", "")
    assert Client().get(_url(token)).status_code == 404


def test_an_unanswered_link_stops_working_when_the_maker_is_erased(world):
    maker = _young(world)
    message = _message_to_guardian(maker)
    token = _token_in(message)
    services.maker_erase(maker=maker, actor=world.user("coordinator"))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED  # never sent
    assert message.failure_reason == Message.FailureReason.CANCELLED
    assert Client().get(_url(token)).status_code == 404
    assert _agree(Client(), token).status_code == 404


def test_staff_signing_up_a_16_year_old_on_the_phone_asks_their_guardian_by_text(world):
    maker = services.maker_sign_up_on_behalf(
        hub=world.hub,
        actor=world.user("hub_staff"),
        name="Rory Young",
        phone="07700 900111",
        postcode="DD1 4HN",
        consent_version="privacy-v1",
        age_band=Maker.AgeBand.UNDER_18,
        guardian_name="Fiona Young",
        guardian_contact="07700 900222",
    )
    message = _message_to_guardian(maker)
    assert (message.channel, message.to_address) == ("sms", "07700900222")
    assert "Hello Fiona Young" in message.body and "/guardian/" in message.body
    assert guardians.guardian_state(maker=maker).waiting


def test_her_details_page_lets_her_correct_her_guardians_contact(world):
    from scrubhub.hubs.models import Membership, Role

    user = factories.UserFactory(username="isla")
    maker = _young(world, user=user)
    Membership.objects.get_or_create(user=user, role=Role.MAKER, hub=world.hub)
    client = Client()
    client.force_login(user)
    form = client.get(reverse("makers:details")).context["form"]
    assert form["guardian_contact"].value() == "ann.reid@example.org"
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(guardian_contact="07700 900333", preferred_point="")
    response = client.post(reverse("makers:details"), data)
    assert response.status_code == 302
    assert _message_to_guardian(maker).to_address == "07700900333"
