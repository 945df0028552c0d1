"""The admin is for platform operators: every model answers them, and nobody else."""

from __future__ import annotations

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
    "packages.KitAssignment",
    "packages.KitEvent",
    "packages.KitProgress",
    "packages.PointHolding",
    "packages.DemandChange",
    "packages.DeliveryLine",
    "dropoffs.OpeningHours",
    "dropoffs.RunStop",
    "dropoffs.RunStopKit",
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
