"""Starting a hub at /start/: signing up as its coordinator, each setup step through its
service, asking to open, and the operator's approval, with the hub's messages held until
then."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dropoffs.models import OpeningHours, Point
from makers.models import Maker
from packages.models import Pattern
from scrubhub.audit.models import AuditEvent
from scrubhub.celery import app
from scrubhub.hubs.models import Hub, Invitation, Membership, Role, SetupStep
from scrubhub.hubs.team_forms import InviteForm
from scrubhub.hubs.team_services import TeamError
from scrubhub.notifications.delivery import message_deliver, messages_due_for_sweep
from scrubhub.notifications.models import Message
from scrubhub.notifications.services import message_queue
from scrubhub.start import selectors as start_selectors
from scrubhub.start import services as start
from scrubhub.start.forms import HospitalStepForm, PointStepForm, StartAccountForm
from scrubhub.start.views import START_RATE
from tests import factories
from tests.once import token

A = Hub.Approval
PASSWORD = "stitch-in-time-42"


def sign_up(email="ailsa@example.org", hub_name="Angus Scrub Hub"):
    return start.coordinator_sign_up(
        person_name="Ailsa Morrow",
        email=email,
        password=PASSWORD,
        hub_name=hub_name,
        hub_area="Angus",
    )


def all_steps(hub, user, *, laundry_email=""):
    """Every step a hub needs before it may ask to open, through the services."""
    start.setup_hub_save(
        hub=hub,
        actor=user,
        name=hub.name,
        area="Angus",
        slug=hub.slug,
        phone="01307 000000",
        email="angus@example.org",
    )
    start.setup_hospital_add(
        hub=hub, actor=user, name="Stracathro Hospital", laundry_email=laundry_email
    )
    start.setup_garments_save(hub=hub, actor=user, metres={("top", "M"): Decimal("1.5")})
    start.setup_point_add(
        hub=hub,
        actor=user,
        name="Forfar Library",
        address="50 West High Street, Forfar",
        postcode="DD8 1BA",
        latitude=Decimal("56.6440"),
        longitude=Decimal("-2.8890"),
    )
    start.setup_settings_save(
        hub=hub, actor=user, overdue_after_days=10, stand_down_on=None, retention_days=90
    )
    hub.refresh_from_db()
    return hub


@pytest.fixture
def started(db):
    return sign_up()


# --- Signing up and starting ---------------------------------------------------------------


def test_signing_up_makes_an_account_and_a_hub_setting_up_with_them_as_coordinator(started):
    from allauth.account.models import EmailAddress

    user, hub = started
    assert user.check_password(PASSWORD)
    assert (user.email, user.first_name, user.last_name) == (
        "ailsa@example.org",
        "Ailsa",
        "Morrow",
    )
    assert EmailAddress.objects.get(user=user).verified is False
    assert (hub.name, hub.area, hub.slug, hub.approval) == (
        "Angus Scrub Hub",
        "Angus",
        "angus-scrub-hub",
        A.SETTING_UP,
    )
    assert not hub.is_open
    assert Membership.objects.filter(user=user, hub=hub, role=Role.COORDINATOR).exists()
    (row,) = AuditEvent.objects.filter(hub=hub)
    assert row.actor == user and row.action == AuditEvent.Action.ROLE_CHANGED
    assert start_selectors.steps_done(hub=hub) == set()


def test_sign_up_refuses_an_address_that_already_has_an_account(world):
    with pytest.raises(start.StartError) as refused:
        sign_up(email=world.user("maker").email.upper())
    assert refused.value.field == "email"
    assert "already an account" in str(refused.value)
    assert not Hub.objects.filter(name="Angus Scrub Hub").exists()


def test_a_second_hub_of_the_same_name_gets_its_own_web_address(started):
    user, hub = started
    again = start.hub_start(actor=user, name="Angus Scrub Hub", area="Angus")
    assert (hub.slug, again.slug) == ("angus-scrub-hub", "angus-scrub-hub-2")


def test_one_person_cannot_start_hub_after_hub_while_none_is_open(started):
    user, _hub = started
    for n in range(start.MOST_HUBS_WAITING - 1):
        start.hub_start(actor=user, name=f"Hub {n}", area="Angus")
    with pytest.raises(start.StartError, match="already have 3 hubs waiting"):
        start.hub_start(actor=user, name="One too many", area="Angus")


# --- The steps ----------------------------------------------------------------------------


def test_the_hub_step_saves_the_details_and_is_done(started):
    user, hub = started
    saved = start.setup_hub_save(
        hub=hub,
        actor=user,
        name="Angus Scrubs",
        area="Angus and the Mearns",
        slug="angus",
        phone="01307 000000",
        email="Hello@Example.org",
        timezone_name="Europe/London",
        latitude=Decimal("56.64"),
        longitude=Decimal("-2.88"),
    )
    saved.refresh_from_db()
    assert (saved.name, saved.slug, saved.phone, saved.email) == (
        "Angus Scrubs",
        "angus",
        "01307 000000",
        "hello@example.org",
    )
    assert saved.latitude == Decimal("56.64")
    assert start_selectors.steps_done(hub=hub) == {SetupStep.Step.HUB}


def test_the_hub_step_refuses_another_hubs_web_address_beside_the_field(started, world):
    user, hub = started
    with pytest.raises(start.StartError) as refused:
        start.setup_hub_save(
            hub=hub,
            actor=user,
            name="Angus",
            area="Angus",
            slug=world.hub.slug,
            phone="01307 000000",
            email="a@example.org",
        )
    assert refused.value.field == "slug"
    assert start_selectors.steps_done(hub=hub) == set()


def test_an_open_hubs_web_address_cannot_change(world):
    coordinator = world.user("coordinator")
    with pytest.raises(start.StartError, match="cannot change once it is open"):
        start.setup_hub_save(
            hub=world.hub,
            actor=coordinator,
            name=world.hub.name,
            area=world.hub.area,
            slug="somewhere-else",
            phone=world.hub.phone,
            email=world.hub.email,
        )


@pytest.mark.parametrize("persona", ["hub_staff", "other_hub_staff", "maker"])
def test_only_the_hubs_coordinator_may_save_a_step(world, persona):
    with pytest.raises(TeamError):
        start.setup_hospital_add(hub=world.hub, actor=world.user(persona), name="St Elsewhere")
    assert not world.hub.hospitals.filter(name="St Elsewhere").exists()


def test_adding_a_hospital_links_it_and_invites_its_laundry_held_until_open(started):
    user, hub = started
    hospital = start.setup_hospital_add(
        hub=hub,
        actor=user,
        name="Stracathro Hospital",
        laundry_name="Tayside Linen",
        laundry_email="Linen@Example.NHS.uk",
    )
    assert list(hub.hospitals.all()) == [hospital]
    invitation = Invitation.objects.get(hub=hub)
    assert (invitation.role, invitation.hospital, invitation.email) == (
        Role.LAUNDRY,
        hospital,
        "linen@example.nhs.uk",
    )
    message = Message.objects.get(kind="team_invitation", hub=hub)
    assert message_deliver(message_id=message.pk) is False  # held: the hub is not open
    assert Message.objects.get(pk=message.pk).status == Message.Status.PENDING
    assert mail.outbox == []
    details = set(AuditEvent.objects.filter(hub=hub).values_list("detail", flat=True))
    assert f"Invited laundry staff of hospital {hospital.pk}" in details
    assert start_selectors.steps_done(hub=hub) == {SetupStep.Step.HOSPITALS}


def test_a_hospital_already_served_is_refused_and_a_bad_laundry_address_adds_nothing(started):
    user, hub = started
    start.setup_hospital_add(hub=hub, actor=user, name="Stracathro Hospital")
    with pytest.raises(start.StartError, match="already serves"):
        start.setup_hospital_add(hub=hub, actor=user, name="stracathro hospital")
    with pytest.raises(start.StartError) as refused:
        start.setup_hospital_add(hub=hub, actor=user, name="Ninewells", laundry_email="nope")
    assert refused.value.field == "laundry_email"
    assert hub.hospitals.count() == 1


def test_garments_save_a_pattern_a_size_keeping_its_sewing_instructions(started):
    user, hub = started
    shared = factories.PatternFactory(
        hub=None, garment_type="top", size="M", instructions_text="1. Shoulders."
    )
    start.setup_garments_save(
        hub=hub,
        actor=user,
        metres={
            ("top", "M"): Decimal("1.6"),
            ("trousers", "L"): Decimal("1.9"),
            ("top", "S"): None,
        },
    )
    own = {(p.garment_type, p.size): p for p in Pattern.objects.filter(hub=hub, is_current=True)}
    assert set(own) == {("top", "M"), ("trousers", "L")}
    assert own[("top", "M")].metres_per_garment == Decimal("1.60")
    assert own[("top", "M")].instructions_text == shared.instructions_text
    Pattern.objects.filter(pk=own[("top", "M")].pk).update(instructions_text="Our own words.")
    start.setup_garments_save(hub=hub, actor=user, metres={("top", "M"): Decimal("1.7")})
    top = Pattern.objects.get(hub=hub, garment_type="top", size="M", is_current=True)
    assert (top.metres_per_garment, top.instructions_text) == (Decimal("1.70"), "Our own words.")
    assert start_selectors.steps_done(hub=hub) == {SetupStep.Step.GARMENTS}


def test_garments_need_at_least_one_size(started):
    user, hub = started
    with pytest.raises(start.StartError, match="at least one"):
        start.setup_garments_save(hub=hub, actor=user, metres={("top", "M"): None})
    assert start_selectors.steps_done(hub=hub) == set()


def test_a_point_and_its_opening_hours_are_saved_with_audit_rows(started):
    user, hub = started
    point = start.setup_point_add(
        hub=hub,
        actor=user,
        name="Forfar Library",
        address="50 West High Street",
        postcode="DD8 1BA",
        latitude=Decimal("56.644"),
        longitude=Decimal("-2.889"),
    )
    start.setup_hours_save(
        hub=hub,
        actor=user,
        hours={point: ("Mondays 10 to 4", [(0, time(10), time(16)), (5, time(9), time(12))])},
    )
    point.refresh_from_db()
    assert point.opening_hours == "Mondays 10 to 4"
    assert list(OpeningHours.objects.filter(point=point).values_list("weekday", flat=True)) == [
        0,
        5,
    ]
    audited = AuditEvent.objects.filter(hub=hub, subject_type="dropoffs.Point")
    assert audited.count() == 2
    assert start_selectors.steps_done(hub=hub) == {SetupStep.Step.POINTS, SetupStep.Step.HOURS}


def test_hours_of_another_hubs_point_are_refused(started, world):
    user, hub = started
    with pytest.raises(start.StartError, match="different hub"):
        start.setup_hours_save(hub=hub, actor=user, hours={world.point: ("", [])})


def test_settings_save_the_overdue_limit_stand_down_and_retention(started):
    user, hub = started
    stand_down = hub.today() + timedelta(days=120)
    saved = start.setup_settings_save(
        hub=hub, actor=user, overdue_after_days=14, stand_down_on=stand_down, retention_days=60
    )
    saved.refresh_from_db()
    assert (saved.overdue_after_days, saved.stand_down_on, saved.retention_days) == (
        14,
        stand_down,
        60,
    )
    assert saved.erasure_dates_changed_at is not None  # the nightly erasure waits a week
    assert start_selectors.steps_done(hub=hub) == {SetupStep.Step.SETTINGS}


def test_settings_refuse_a_stand_down_date_in_the_past(started):
    user, hub = started
    with pytest.raises(TeamError, match="cannot be in the past"):
        start.setup_settings_save(
            hub=hub,
            actor=user,
            overdue_after_days=7,
            stand_down_on=hub.today() - timedelta(days=1),
            retention_days=180,
        )
    assert start_selectors.steps_done(hub=hub) == set()


# --- Asking to open, approving and declining --------------------------------------------------


def test_asking_to_open_needs_the_steps_done(started):
    user, hub = started
    with pytest.raises(start.StartError, match="finish these steps first"):
        start.setup_ask_to_open(hub=hub, actor=user)
    hub.refresh_from_db()
    assert hub.approval == A.SETTING_UP


def test_asking_to_open_puts_the_hub_in_the_queue_and_tells_the_operators(started, world):
    user, hub = started
    hub = all_steps(hub, user)
    asked = start.setup_ask_to_open(hub=hub, actor=user)
    assert asked.approval == A.WAITING and asked.approval_asked_at is not None
    told = Message.objects.get(kind="hub_asks_to_open")
    assert told.to_address == world.user("operator").email and told.hub is None
    assert reverse("operator:hubs") in told.body
    waiting, _others = start_selectors.hubs_for_operator()
    assert waiting == [hub]


@pytest.mark.parametrize(
    ("now", "to"),
    [(now, to) for now in A.values for to in (A.WAITING, A.APPROVED, A.DECLINED)],
)
def test_every_approval_change_is_allowed_or_refused_by_the_table(world, now, to):
    hub = factories.HubFactory(
        approval=now, approval_asked_at=timezone.now(), approval_decided_at=timezone.now()
    )
    coordinator = factories.UserFactory()
    Membership.objects.create(user=coordinator, role=Role.COORDINATOR, hub=hub)
    for step in start_selectors.NEEDED_TO_OPEN:
        SetupStep.objects.create(hub=hub, step=step, done_at=timezone.now())
    operator = world.user("operator")
    change = {
        A.WAITING: lambda: start.setup_ask_to_open(hub=hub, actor=coordinator),
        A.APPROVED: lambda: start.hub_approve(hub=hub, actor=operator),
        A.DECLINED: lambda: start.hub_decline(hub=hub, actor=operator, reason="Which hospital?"),
    }[to]
    if to in start.APPROVAL_ALLOWED[now]:
        assert change().approval == to
    else:
        with pytest.raises(start.StartError):
            change()
        hub.refresh_from_db()
        assert hub.approval == now


def test_only_platform_operators_approve(started, world):
    user, hub = started
    hub = all_steps(hub, user)
    start.setup_ask_to_open(hub=hub, actor=user)
    for persona in ("coordinator", "hub_staff"):
        with pytest.raises(start.StartError, match="platform operators"):
            start.hub_approve(hub=hub, actor=world.user(persona))
    with pytest.raises(start.StartError, match="platform operators"):
        start.hub_approve(hub=hub, actor=user)
    hub.refresh_from_db()
    assert hub.approval == A.WAITING


def test_no_message_of_an_unapproved_hub_leaves_and_on_approval_they_all_go(
    started, world, django_capture_on_commit_callbacks
):
    user, hub = started
    hub = all_steps(hub, user, laundry_email="linen@example.org")
    maker = factories.MakerFactory(hub=hub, email="sewer@example.org")

    message_queue(
        idempotency_key="test-to-a-maker",
        to_address=maker.email,
        subject="Your kit",
        body="Hello",
        kind="test",
        hub=hub,
    )
    start.setup_ask_to_open(hub=hub, actor=user)
    held = list(Message.objects.filter(hub=hub).order_by("pk"))
    assert len(held) == 2
    # Old enough for the sweep: still not picked, and a worker's try sends nothing.
    Message.objects.filter(hub=hub).update(created_at=timezone.now() - timedelta(hours=1))
    due = set(messages_due_for_sweep())
    assert not due & {m.pk for m in held}
    assert [message_deliver(message_id=m.pk) for m in held] == [False, False]
    assert mail.outbox == []
    # The operator's own email is of no hub: it goes.
    (operator_note,) = Message.objects.filter(kind="hub_asks_to_open")
    assert message_deliver(message_id=operator_note.pk) is True

    with django_capture_on_commit_callbacks() as published:
        start.hub_approve(hub=hub, actor=world.user("operator"))
    assert published  # the held ones are handed to the workers once the approval commits
    sent = [message_deliver(message_id=m.pk) for m in held]
    assert sent == [True, True]
    assert {m.to[0] for m in mail.outbox} >= {"linen@example.org", "sewer@example.org"}
    opened = Message.objects.get(kind="hub_opened")
    assert opened.to_address == user.email and message_deliver(message_id=opened.pk)
    hub.refresh_from_db()
    assert hub.approval == A.APPROVED and hub.approval_decided_at is not None


def test_declining_says_why_holds_the_messages_and_the_hub_may_ask_again(started, world):
    user, hub = started
    hub = all_steps(hub, user, laundry_email="linen@example.org")
    start.setup_ask_to_open(hub=hub, actor=user)
    start.hub_decline(hub=hub, actor=world.user("operator"), reason="Which ward needs them?")
    hub.refresh_from_db()
    assert (hub.approval, hub.approval_note) == (A.DECLINED, "Which ward needs them?")
    told = Message.objects.get(kind="hub_declined")
    assert told.hub is None and "Which ward needs them?" in told.body
    invitation = Message.objects.get(kind="team_invitation")
    assert message_deliver(message_id=invitation.pk) is False
    assert start.setup_ask_to_open(hub=hub, actor=user).approval == A.WAITING


def test_declining_needs_a_reason(started, world):
    user, hub = started
    hub = all_steps(hub, user)
    start.setup_ask_to_open(hub=hub, actor=user)
    with pytest.raises(start.StartError) as refused:
        start.hub_decline(hub=hub, actor=world.user("operator"), reason="  ")
    assert refused.value.field == "reason"


# --- What the public sees ------------------------------------------------------------------


def test_the_join_page_of_a_hub_not_open_says_so_and_takes_nobody(started, client):
    _user, hub = started
    page = client.get(reverse("makers:join", args=[hub.slug]))
    assert page.status_code == 200
    assert "is not open yet" in page.content.decode()
    assert 'name="consent"' not in page.content.decode()
    posted = client.post(
        reverse("makers:join", args=[hub.slug]),
        {"name": "Morag", "email": "morag@example.org", "postcode": "DD8 1BA"},
    )
    assert "is not open yet" in posted.content.decode()
    assert not Maker.objects.filter(hub=hub).exists()
    group = client.get(reverse("makers:group_register", args=[hub.slug]))
    assert "is not open yet" in group.content.decode()


def test_a_hub_not_open_is_not_listed_nor_its_points_shown(started, client, world):
    user, hub = started
    hub = all_steps(hub, user)
    home = client.get(reverse("home")).content.decode()
    assert world.hub.name in home and hub.name not in home
    assert hub.name not in client.get(reverse("makers:join_start")).content.decode()
    assert "Forfar Library" not in client.get(reverse("dropoffs:points")).content.decode()
    start.setup_ask_to_open(hub=hub, actor=user)
    start.hub_approve(hub=hub, actor=world.user("operator"))
    assert hub.name in client.get(reverse("home")).content.decode()
    assert "Forfar Library" in client.get(reverse("dropoffs:points")).content.decode()


# --- The pages ----------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signing_up_on_the_start_page_signs_them_in_at_the_first_step(client, db):
    page = client.get(reverse("start:begin"))
    assert page.status_code == 200 and "Start a scrub hub" in page.content.decode()
    response = client.post(
        reverse("start:begin"),
        {
            "name": "Ailsa Morrow",
            "email": "ailsa@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "hub_name": "Angus Scrub Hub",
            "hub_area": "Angus",
            **token(StartAccountForm),
        },
    )
    hub = Hub.objects.get(name="Angus Scrub Hub")
    assert response.status_code == 302
    assert response.url == reverse("start:hub", args=[hub.pk])
    step = client.get(response.url)
    assert step.status_code == 200
    assert step.wsgi_request.user.email == "ailsa@example.org"


def test_a_start_form_with_mistakes_says_what_beside_each_field_and_saves_nothing(client, db):
    response = client.post(
        reverse("start:begin"),
        {
            "name": "",
            "email": "not an address",
            "password1": PASSWORD,
            "password2": "something else",
            "hub_name": "Angus",
            "hub_area": "",
            **token(StartAccountForm),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    for message in (
        "Enter your full name.",
        "Enter an email address like name@example.com.",
        "The two passwords are not the same.",
        "Enter the town or area the hub serves.",
    ):
        assert body.count(message) == 2  # in the summary and beside the field
    assert not Hub.objects.filter(name="Angus").exists()


def test_leaving_and_coming_back_carries_on_where_they_were(started):
    user, hub = started
    client = signed_in(user)
    client.post(
        reverse("start:hub", args=[hub.pk]),
        {
            "name": hub.name,
            "area": "Angus",
            "slug": hub.slug,
            "phone": "01307 000000",
            "email": "angus@example.org",
            "timezone": "Europe/London",
        },
    )
    back = signed_in(user)  # a new session, as after signing in again
    landing = back.get(reverse("role_home"))
    assert landing.url == reverse("start:overview", args=[hub.pk])
    page = back.get(landing.url).content.decode()
    assert page.count("Not done yet") == 5 and "Done" in page
    assert "Carry on: hospitals" in page


def test_each_step_page_saves_and_goes_on_to_the_next(started):
    user, hub = started
    client = signed_in(user)
    url = lambda name: reverse(f"start:{name}", args=[hub.pk])  # noqa: E731
    wrong = client.post(url("hub"), {"name": hub.name, "area": "Angus", "slug": "Not OK!"})
    assert wrong.status_code == 400
    assert "Use only small letters, numbers and dashes." in wrong.content.decode()
    steps = [
        (
            "hub",
            {
                "name": hub.name,
                "area": "Angus",
                "slug": "angus",
                "phone": "01307 000000",
                "email": "angus@example.org",
                "timezone": "Europe/London",
                "latitude": "56.64",
                "longitude": "-2.88",
            },
            url("hospitals"),
        ),
        (
            "hospitals",
            {"name": "Stracathro Hospital", "laundry_email": "linen@example.org"}
            | token(HospitalStepForm),
            url("hospitals"),
        ),
        ("garments", {"m_top_M": "1.5", "m_trousers_L": "1.8"}, url("points")),
        (
            "points",
            {
                "name": "Forfar Library",
                "address": "50 West High Street",
                "postcode": "dd81ba",
                "latitude": "56.644",
                "longitude": "-2.889",
                "accepts_kit_collection": "on",
                "accepts_finished_garments": "on",
            }
            | token(PointStepForm),
            url("points"),
        ),
        ("settings", {"overdue_after_days": "10", "retention_days": "120"}, url("overview")),
    ]
    for name, data, goes_to in steps:
        response = client.post(url(name), data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
        assert response.url == goes_to, name
    point = Point.objects.get(hub=hub)
    assert point.postcode == "DD8 1BA"
    hours = client.post(
        url("hours"), {f"p{point.pk}-opens_0": "10:00", f"p{point.pk}-closes_0": "09:00"}
    )
    assert hours.status_code == 400
    assert "The point must close after it opens." in hours.content.decode()
    hours = client.post(
        url("hours"), {f"p{point.pk}-opens_0": "10:00", f"p{point.pk}-closes_0": "16:00"}
    )
    assert hours.url == url("settings")
    assert start_selectors.steps_done(hub=hub) == set(start_selectors.STEPS)
    overview = client.get(url("overview")).content.decode()
    assert "Ask to open the hub" in overview and "Not done yet" not in overview
    asked = client.post(reverse("start:ask", args=[hub.pk]))
    assert asked.url == url("overview")
    hub.refresh_from_db()
    assert hub.approval == A.WAITING
    assert "Waiting for us to open it" in client.get(url("overview")).content.decode()


def test_the_operator_page_lists_the_queue_and_opens_or_declines(started, world):
    user, hub = started
    hub = all_steps(hub, user)
    start.setup_ask_to_open(hub=hub, actor=user)
    operator = signed_in(world.user("operator"))
    page = operator.get(reverse("operator:hubs")).content.decode()
    assert hub.name in page and "address not confirmed" in page and "Stracathro" in page
    assert signed_in(world.user("coordinator")).get(reverse("operator:hubs")).status_code == 403
    no_reason = operator.post(reverse("operator:hub_decline", args=[hub.pk]), {})
    assert no_reason.status_code == 400
    assert "Say why, so the coordinator can put it right." in no_reason.content.decode()
    approved = operator.post(reverse("operator:hub_approve", args=[hub.pk]))
    assert approved.url == reverse("operator:hubs")
    hub.refresh_from_db()
    assert hub.approval == A.APPROVED
    assert f'id="hub-{hub.pk}"' not in operator.get(reverse("operator:hubs")).content.decode()


def test_the_hub_step_of_an_open_hub_keeps_its_web_address(world, client_for):
    client = client_for("coordinator")
    response = client.post(
        reverse("start:hub", args=[world.hub.pk]),
        {
            "name": "Tayside Scrubs",
            "area": world.hub.area,
            "slug": "moved",
            "phone": world.hub.phone,
            "email": world.hub.email,
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 302
    world.hub.refresh_from_db()
    assert (world.hub.name, world.hub.slug) == ("Tayside Scrubs", "tayside")


# --- A real worker --------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_a_real_worker_sends_nothing_for_a_hub_until_it_is_approved(transactional_db):
    import time as clock

    from celery.contrib.testing.worker import start_worker

    def wait_for(condition, seconds=20.0):
        deadline = clock.monotonic() + seconds
        while clock.monotonic() < deadline:
            if condition():
                return True
            clock.sleep(0.1)
        return condition()

    app.control.purge()
    world_operator = factories.UserFactory(username="op", is_superuser=True, is_staff=True)
    user, hub = sign_up()
    hub = all_steps(hub, user)
    start.setup_ask_to_open(hub=hub, actor=user)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        message = message_queue(
            idempotency_key="worker-held",
            to_address="sewer@example.org",
            subject="Your kit",
            body="Hello",
            kind="test",
            hub=hub,
        )
        note = Message.objects.get(kind="hub_asks_to_open")
        assert wait_for(lambda: Message.objects.get(pk=note.pk).status == Message.Status.SENT)
        clock.sleep(1.0)  # the held message was published too: the worker left it
        assert Message.objects.get(pk=message.pk).status == Message.Status.PENDING
        assert "sewer@example.org" not in [m.to[0] for m in mail.outbox]
        start.hub_approve(hub=hub, actor=world_operator)
        assert wait_for(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT)
    assert [m.to[0] for m in mail.outbox].count("sewer@example.org") == 1


def test_starting_hubs_is_limited_for_each_client(client, db):

    limit = int(START_RATE.split("/")[0])
    answers = [client.post(reverse("start:begin"), {}).status_code for _ in range(limit + 1)]
    assert answers[:limit] == [400] * limit
    assert answers[-1] == 429


def test_the_hubs_own_pages_say_it_is_not_open_and_invitations_wait(started):
    user, hub = started
    client = signed_in(user)
    dashboard = client.get(reverse("hubs:dashboard")).content.decode()
    assert "This hub is not open yet" in dashboard
    hospital = start.setup_hospital_add(hub=hub, actor=user, name="Stracathro Hospital")

    invited = client.post(
        reverse("hubs:team_invite"),
        {"email": "helper@example.org", "role": Role.HUB_STAFF} | token(InviteForm),
        follow=True,
    )
    assert "It goes once the hub opens." in invited.content.decode()
    assert hospital in hub.hospitals.all()
