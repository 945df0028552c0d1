"""The team: invitations by email (sent, accepted signed in or with a new account, expired,
withdrawn), removing roles (access ends at once: sessions too), and the hub's settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scrubhub.accounts.services import user_sessions_end
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs import team_services
from scrubhub.hubs.models import Invitation, Membership, Role
from scrubhub.hubs.team_forms import InviteForm
from scrubhub.hubs.team_services import TeamError
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token


@pytest.fixture
def coordinator(world):
    return world.user("coordinator")


def _invite(world, coordinator, **extra):
    fields = {"hub": world.hub, "email": "New.Person@Example.org", "role": Role.HUB_STAFF}
    fields.update(extra)
    return team_services.invitation_send(actor=coordinator, **fields)


def _path(token: str) -> str:
    return reverse("hubs:invitation", args=[token])


def test_invitation_queues_an_email_with_a_link_and_keeps_only_a_hash(world, coordinator):
    sent = _invite(world, coordinator)
    invitation = sent.invitation
    assert invitation.email == "new.person@example.org"
    assert invitation.token_hash != sent.token and len(invitation.token_hash) == 64
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    message = Message.objects.get(kind="team_invitation")
    assert message.to_address == "new.person@example.org"
    assert _path(sent.token) in message.body
    assert world.hub.name in message.subject


def test_inviting_again_replaces_the_earlier_link(world, coordinator, client):
    first = _invite(world, coordinator)
    second = _invite(world, coordinator)
    assert Invitation.objects.get(pk=first.invitation.pk).cancelled_at is not None
    assert client.get(_path(first.token)).status_code == 410
    assert client.get(_path(second.token)).status_code == 200


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"role": Role.MAKER}, "choose a role"),
        ({"role": Role.POINT_HELPER}, "point"),
        ({"role": Role.LAUNDRY}, "hospital"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_invitation_refuses_bad_requests(world, coordinator, extra, words):
    with pytest.raises(TeamError, match=words):
        _invite(world, coordinator, **extra)
    assert not Invitation.objects.exists()
    assert not Message.objects.filter(kind="team_invitation").exists()


def test_invitation_scopes_must_belong_to_the_hub(world, coordinator):
    with pytest.raises(TeamError, match="different hub"):
        _invite(world, coordinator, role=Role.POINT_HELPER, point=world.other_point)
    with pytest.raises(TeamError, match="does not supply"):
        _invite(world, coordinator, role=Role.LAUNDRY, hospital=world.other_hospital)


def test_only_coordinators_invite(world):
    with pytest.raises(TeamError, match="coordinators"):
        _invite(world, world.user("hub_staff"))
    with pytest.raises(TeamError, match="coordinators"):
        _invite(world, world.user("other_hub_staff"))
    assert not Invitation.objects.exists()


def test_someone_who_already_has_the_role_is_not_invited(world, coordinator):
    with pytest.raises(TeamError, match="already has this role"):
        _invite(world, coordinator, email=world.user("hub_staff").email)


def test_opening_the_link_changes_nothing_and_the_button_accepts(world, coordinator, client):
    sent = _invite(world, coordinator, role=Role.DRIVER)
    person = factories.UserFactory(username="newdriver", email="New.Person@example.org")
    client.force_login(person)
    page = client.get(_path(sent.token))
    assert page.status_code == 200
    assert "Yes, join the team" in page.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    response = client.post(_path(sent.token))
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, role=Role.DRIVER, hub=world.hub).exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == person and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED, actor=person).exists()
    # The link is used up.
    again = client.post(_path(sent.token))
    assert again.status_code == 410
    assert Membership.objects.filter(user=person).count() == 1


def test_laundry_and_point_helper_invitations_give_scoped_roles(world, coordinator):
    laundry = _invite(world, coordinator, role=Role.LAUNDRY, hospital=world.hospital)
    helper = _invite(world, coordinator, role=Role.POINT_HELPER, point=world.point)
    person = factories.UserFactory(email="new.person@example.org")
    washer = team_services.invitation_accept(token=laundry.token, user=person)
    assert (washer.hospital, washer.hub, washer.point) == (world.hospital, None, None)
    helping = team_services.invitation_accept(token=helper.token, user=person)
    assert (helping.hub, helping.point) == (world.hub, world.point)


def test_accept_with_a_new_account_and_a_password(world, coordinator, client):
    sent = _invite(world, coordinator)
    bad = client.post(
        _path(sent.token), {"name": "Sam New", "password1": "short", "password2": "short"}
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert not Membership.objects.filter(role=Role.HUB_STAFF, user__email="new.person@example.org")
    password = "three green tractors sing"
    fields = {"name": "Sam New", "password1": password, "password2": password}
    unconfirmed = client.post(_path(sent.token), fields)
    assert unconfirmed.status_code == 400
    assert "this invitation was sent to you" in unconfirmed.content.decode()
    response = client.post(_path(sent.token), {**fields, "confirm": "on"})
    assert response.status_code == 302
    member = Membership.objects.select_related("user").get(
        role=Role.HUB_STAFF, user__email="new.person@example.org"
    )
    assert member.user.check_password(password)
    assert member.user.get_full_name() == "Sam New"
    # Signed in straight away: the hub's pages open.
    assert client.get(reverse("hubs:dashboard")).status_code == 200


def test_a_known_email_must_sign_in_first(world, coordinator, client):
    existing = factories.UserFactory(email="known@example.org")
    sent = _invite(world, coordinator, email="known@example.org")
    password = "three green tractors sing"
    response = client.post(
        _path(sent.token),
        {"name": "Known", "password1": password, "password2": password, "confirm": "on"},
    )
    assert response.status_code == 400
    assert "Please sign in first" in response.content.decode()
    assert not Membership.objects.filter(user=existing, role=Role.HUB_STAFF).exists()


def test_the_page_says_whose_invitation_it_is(world, coordinator, client):
    sent = _invite(world, coordinator)
    page = client.get(_path(sent.token)).content.decode()
    assert "This invitation is for <strong>new.person@example.org</strong>" in page
    assert "I am new.person@example.org: this invitation was sent to me." in page


def test_a_forwarded_invitation_cannot_be_taken_by_someone_signed_in_as_someone_else(
    world, coordinator, client
):
    sent = _invite(world, coordinator)
    stranger = factories.UserFactory(username="stranger", email="stranger@example.org")
    client.force_login(stranger)
    page = client.get(_path(sent.token))
    assert page.status_code == 200
    assert "with a different email address" in page.content.decode()
    assert "Yes, join the team" not in page.content.decode()
    response = client.post(_path(sent.token))
    assert response.status_code == 409
    assert "This invitation is for new.person@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    assert Invitation.objects.get().accepted_at is None
    with pytest.raises(TeamError, match="different address"):
        team_services.invitation_accept(token=sent.token, user=stranger)


def test_an_invitation_to_another_confirmed_address_of_the_person_works(world, coordinator):
    from allauth.account.models import EmailAddress

    person = factories.UserFactory(email="work@example.org")
    EmailAddress.objects.create(user=person, email="new.person@example.org", verified=True)
    sent = _invite(world, coordinator)
    assert team_services.invitation_accept(token=sent.token, user=person).role == Role.HUB_STAFF


def test_an_expired_or_withdrawn_invitation_cannot_be_used(world, coordinator, client):
    sent = _invite(world, coordinator)
    week_ago = timezone.now() - timedelta(days=8)
    Invitation.objects.update(created_at=week_ago, expires_at=week_ago + timedelta(days=7))
    person = factories.UserFactory()
    client.force_login(person)
    response = client.post(_path(sent.token))
    assert response.status_code == 410
    assert "run out" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()

    other = _invite(world, coordinator, email="second@example.org")
    team_services.invitation_cancel(invitation=other.invitation, actor=coordinator)
    with pytest.raises(TeamError, match="withdrawn"):
        team_services.invitation_accept(token=other.token, user=person)
    assert client.get(_path("made-up-token")).status_code == 410


# --- Removing roles ----------------------------------------------------------------------------


def test_sessions_end_for_one_user_only(world):
    driver, staff = Client(), Client()
    driver.force_login(world.user("driver"))
    staff.force_login(world.user("hub_staff"))
    second_phone = Client()
    second_phone.force_login(world.user("driver"))
    assert driver.get(reverse("dropoffs:runs")).status_code == 200
    user_sessions_end(user_id=world.user("driver").pk)
    for phone in (driver, second_phone):
        assert phone.get(reverse("dropoffs:runs")).url.startswith(reverse("account_login"))
    assert staff.get(reverse("hubs:dashboard")).status_code == 200


def test_removing_a_role_ends_access_at_once(world, coordinator, client_for):
    staff_client = client_for("hub_staff")
    assert staff_client.get(reverse("hubs:dashboard")).status_code == 200
    membership = Membership.objects.get(user=world.user("hub_staff"), role=Role.HUB_STAFF)
    coordinator_client = client_for("coordinator")
    response = coordinator_client.post(reverse("hubs:team_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # Their open session is gone: the next request asks them to sign in.
    after = staff_client.get(reverse("hubs:dashboard"))
    assert after.status_code == 302 and reverse("account_login") in after.url
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert (event.actor, event.subject_id) == (coordinator, world.user("hub_staff").pk)
    # The coordinator is still signed in.
    assert coordinator_client.get(reverse("hubs:team")).status_code == 200


def test_a_hub_keeps_at_least_one_coordinator(world, coordinator, client_for):
    own = Membership.objects.get(user=coordinator, role=Role.COORDINATOR)
    response = client_for("coordinator").post(reverse("hubs:team_remove", args=[own.pk]))
    assert response.status_code == 409
    assert "at least one coordinator" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    second = factories.UserFactory()
    Membership.objects.create(user=second, role=Role.COORDINATOR, hub=world.hub)
    team_services.membership_remove(hub=world.hub, membership=own, actor=coordinator)
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_hub_staff_cannot_remove_roles_or_invite(world, client_for):
    staff_client = client_for("hub_staff")
    membership = Membership.objects.get(user=world.user("driver"), role=Role.DRIVER)
    assert staff_client.post(reverse("hubs:team_remove", args=[membership.pk])).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = staff_client.post(
        reverse("hubs:team_invite"), {"email": "x@example.org", "role": Role.DRIVER}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_team_page_lists_the_team_and_open_invitations(world, coordinator, client_for):
    _invite(world, coordinator, email="waiting@example.org")
    page = client_for("hub_staff").get(reverse("hubs:team")).content.decode()
    assert "waiting@example.org" in page
    assert world.user("driver").email in page
    assert world.user("laundry").email in page  # laundry of a hospital the hub supplies
    assert world.user("other_laundry").email not in page
    assert world.user("maker").email not in page  # volunteers are not the team
    assert "Remove this role" not in page  # hub staff look, coordinators act


def test_invite_page_sends_an_invitation(world, client_for):
    response = client_for("coordinator").post(
        reverse("hubs:team_invite"),
        {"email": "helper@example.org", "role": Role.POINT_HELPER, "point": world.point.pk}
        | token(InviteForm),
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.point) == (Role.POINT_HELPER, world.point)


def test_invite_page_bad_input_sends_nothing(world, client_for):
    response = client_for("coordinator").post(
        reverse("hubs:team_invite"),
        {"email": "helper@example.org", "role": Role.POINT_HELPER} | token(InviteForm),
    )
    assert response.status_code == 400
    assert "Choose the point they will help at." in response.content.decode()
    assert not Invitation.objects.exists()


# --- Settings ----------------------------------------------------------------------------------


def _settings(**extra):
    data = {
        "phone": "01382 999999",
        "email": "Hub@Example.org",
        "about": "We sew scrubs.",
        "overdue_after_days": 10,
        "auto_approve_makers": "on",
        "stand_down_on": "2027-06-30",
    }
    data.update(extra)
    return data


def test_coordinator_changes_the_settings(world, client_for):
    # The date will erase the hub's makers: the coordinator confirms (tests/hubs/test_stand_down).
    response = client_for("coordinator").post(
        reverse("hubs:settings"), _settings(erasure_confirmed="on")
    )
    assert response.status_code == 302
    world.hub.refresh_from_db()
    assert (world.hub.phone, world.hub.email, world.hub.overdue_after_days) == (
        "01382 999999",
        "hub@example.org",
        10,
    )
    assert world.hub.auto_approve_makers is True
    assert str(world.hub.stand_down_on) == "2027-06-30"


def test_settings_bad_input_changes_nothing(world, client_for):
    before = (world.hub.phone, world.hub.overdue_after_days)
    response = client_for("coordinator").post(
        reverse("hubs:settings"), _settings(phone="", overdue_after_days=0)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "from 1 to 90" in body
    world.hub.refresh_from_db()
    assert (world.hub.phone, world.hub.overdue_after_days) == before


def test_settings_are_for_coordinators_only(world, client_for):
    assert client_for("hub_staff").post(reverse("hubs:settings"), _settings()).status_code == 403
    with pytest.raises(TeamError):
        team_services.hub_settings_update(
            hub=world.hub,
            actor=world.user("hub_staff"),
            phone="1",
            email="a@b.org",
            about="",
            overdue_after_days=3,
            auto_approve_makers=False,
            stand_down_on=None,
        )
    world.hub.refresh_from_db()
    assert world.hub.overdue_after_days == 7
