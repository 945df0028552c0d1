"""The admin is for platform operators: every model answers them, and nobody else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import PERSONAS

# Rows that only make sense on the row they belong to, shown inline there (read-only).
NOT_IN_ADMIN = {
    "makers.MakerEvent",
    "makers.Consent",
    "makers.FormSubmission",  # used one-time form tokens: keys and where they went
    "makers.SigninCode",  # hashes of texted sign-in codes: nothing an operator should change
    "makers.GuardianRequest",  # hashes of the links sent to parents and guardians
    "packages.KitAssignment",
    "packages.KitEvent",
    "packages.KitProgress",
    "packages.PointHolding",
    "packages.DemandChange",
    "packages.DeliveryLine",
    "dropoffs.OpeningHours",
    "hubs.SetupStep",  # which setup steps a new hub has done: shown on its setup page
    "dropoffs.RunStop",
    "dropoffs.RunStopKit",
    # A volunteer sheet between its upload and its import, seen only by whoever uploaded
    # it (it holds other people's details), and who each import brought in.
    "makers.ImportBatch",
    "makers.ImportedMaker",
}
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def demo_site(db):
    """A small demo hub: rows in every model, built through the services."""
    from scrubhub import demo

    return demo.build(makers_count=100)


@pytest.fixture
def operator_user(demo_site):
    return demo_site.users["admin"]


@pytest.fixture
def operator(operator_user):
    client = Client()
    client.force_login(operator_user)
    return client


def test_operator_can_list_search_and_open_every_model(operator, operator_user, demo_site):
    request = RequestFactory().get("/")
    request.user = operator_user
    wrong = []
    for model, model_admin in REGISTERED:
        label = model._meta.label
        answers = {"list": operator.get(admin_url(model, "changelist")).status_code}
        if model_admin.search_fields:
            answers["search"] = operator.get(admin_url(model, "changelist"), {"q": "a"}).status_code
        expected_add = 200 if model_admin.has_add_permission(request) else 403
        if operator.get(admin_url(model, "add")).status_code != expected_add:
            wrong.append(f"{label} add: expected {expected_add}")
        instance = model._default_manager.order_by("pk").first()
        if instance is not None:
            answers["change"] = operator.get(admin_url(model, "change", instance.pk)).status_code
        wrong += [f"{label} {view}: {code}" for view, code in answers.items() if code != 200]
    assert not wrong, wrong


OUR_APPS = {"accounts", "hubs", "notifications", "audit", "makers", "packages", "dropoffs"}


def test_every_model_of_ours_is_registered_and_the_demo_gives_each_a_row(demo_site):
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    unregistered = {m._meta.label for m in ours if m not in admin.site._registry}
    assert unregistered == NOT_IN_ADMIN
    empty = [
        m._meta.label
        for m, _ in REGISTERED
        if m._meta.app_label in OUR_APPS and not m._default_manager.exists()
    ]
    assert not empty, f"No rows to open the admin change page for: {empty}"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "operator"])
def test_everyone_but_operators_is_refused(persona, world):
    client = Client()
    if (user := world.user(persona)) is not None:
        client.force_login(user)
    sign_in_pages = {reverse("admin:login"), reverse("account_login")}
    for model, _ in REGISTERED:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302
        assert response.headers["Location"].split("?")[0] in sign_in_pages
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302


# --- Nothing the services own is added or changed here (issue 23) --------------------------


@pytest.fixture
def operator_client(world):
    client = Client()
    client.force_login(world.user("operator"))
    return client


def test_the_admin_refuses_to_add_a_maker_membership_group_doorstep_or_stock(
    world, operator_client
):
    from dropoffs.models import DoorstepAddress
    from makers.models import Maker, MakerGroup
    from packages.models import FabricLot, Kit, PrecutStock
    from scrubhub.hubs.models import Membership

    tries = {
        Maker: {"hub": world.hub.pk, "name": "Skips Services", "email": "skip@example.org"},
        Membership: {"user": world.user("laundry").pk, "role": "coordinator", "hub": world.hub.pk},
        MakerGroup: {"hub": world.hub.pk, "name": "Back door", "leader_name": "X"},
        DoorstepAddress: {"hub": world.hub.pk, "address": "1 Side Street", "postcode": "DD1 1AA"},
        FabricLot: {"hub": world.hub.pk, "supplier": "Mill", "metres_received": "50"},
        PrecutStock: {"hub": world.hub.pk, "garment_type": "top", "size": "M"},
        Kit: {"hub": world.hub.pk, "code": "ZZZZZZZ", "garment_type": "top", "size": "M"},
    }
    for model, data in tries.items():
        before = model._default_manager.count()
        assert operator_client.get(admin_url(model, "add")).status_code == 403, model
        assert operator_client.post(admin_url(model, "add"), data).status_code == 403, model
        assert model._default_manager.count() == before, model
    assert not Membership.objects.filter(user=world.user("laundry"), role="coordinator").exists()


def test_the_admin_shows_a_maker_but_will_not_change_her(world, operator_client):
    from makers.models import Maker

    maker = Maker.objects.get(user=world.user("maker"))
    page = operator_client.get(admin_url(Maker, "change", maker.pk))
    assert page.status_code == 200 and maker.name in page.content.decode()
    changed = operator_client.post(
        admin_url(Maker, "change", maker.pk),
        {"hub": maker.hub_id, "name": maker.name, "email": "new@example.org", "age_band": "16_17"},
    )
    assert changed.status_code == 403
    maker.refresh_from_db()
    assert maker.email != "new@example.org" and maker.age_band != "16_17"
    assert (
        operator_client.post(admin_url(Maker, "delete", maker.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Maker.objects.filter(pk=maker.pk).exists()


def test_a_role_cannot_be_slipped_in_through_the_hubs_page(world, operator_client):
    from scrubhub.hubs.models import Hub, Membership

    hub = world.hub
    data = {
        "name": hub.name,
        "slug": hub.slug,
        "area": hub.area,
        "phone": hub.phone,
        "email": hub.email,
        "timezone": hub.timezone,
        "overdue_after_days": hub.overdue_after_days,
        "retention_days": hub.retention_days,
        "hospitals": [h.pk for h in hub.hospitals.all()],
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": world.user("laundry").pk,
        "memberships-0-role": "coordinator",
        "memberships-0-hub": hub.pk,
    }
    operator_client.post(admin_url(Hub, "change", hub.pk), data)
    assert not Membership.objects.filter(user=world.user("laundry"), role="coordinator").exists()


def test_a_pattern_added_in_the_admin_goes_through_the_service_with_its_audit_row(
    world, operator_client
):
    from packages.models import Pattern
    from scrubhub.audit.models import AuditEvent

    data = {
        "hub": world.hub.pk,
        "garment_type": "top",
        "size": "L",
        "name": "  Admin   top ",
        "metres_per_garment": "1.80",
        "instructions_text": "Sew it.",
        "instructions_url": "",
    }
    response = operator_client.post(admin_url(Pattern, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pattern = Pattern.objects.get(hub=world.hub, garment_type="top", size="L")
    assert pattern.name == "Admin top"  # the service's tidying, not the raw form value
    event = AuditEvent.objects.get(subject_type="packages.Pattern", subject_id=pattern.pk)
    assert event.actor == world.user("operator")
    # Adding the same garment and size again changes the current one: still one.
    operator_client.post(admin_url(Pattern, "add"), {**data, "metres_per_garment": "1.90"})
    (pattern,) = Pattern.objects.filter(hub=world.hub, garment_type="top", size="L")
    assert pattern.metres_per_garment == Decimal("1.90")


def test_a_pattern_the_service_refuses_is_refused_in_the_admin(world, operator_client):
    from packages.models import Pattern

    data = {
        "hub": world.hub.pk,
        "garment_type": "top",
        "size": "L",
        "name": "Too much",
        "metres_per_garment": "45",
        "instructions_text": "",
        "instructions_url": "",
    }
    response = operator_client.post(admin_url(Pattern, "add"), data)
    assert response.status_code == 200
    assert "No garment takes more than 20 metres" in response.content.decode()
    assert not Pattern.objects.exists()
