"""The laundry's pages: what a bad answer does (a clear message, nothing saved), what they
keep to their own hospital, that no maker's personal data ever reaches them, and that they
make the same number of queries at 10 and at 1,000 rows."""

from __future__ import annotations

import dataclasses
import datetime
import itertools

import pytest
from django.core.paginator import Page
from django.db import models
from django.db.models import QuerySet
from django.urls import URLPattern, reverse
from django.utils import timezone

from makers.models import Maker, MakerGroup
from packages import services
from packages import urls as package_urls
from packages.forms import SizeRunForm, WashFailureForm
from packages.models import (
    Delivery,
    DeliveryLine,
    DemandLine,
    KitAssignment,
    QualityRequirement,
    WashFailure,
)
from tests import factories
from tests.once import token
from tests.querycount import assert_same_queries_at_sizes


@pytest.fixture
def laundry(world):
    return world.user("laundry")


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def _errors(response) -> str:
    assert response.status_code == 200
    text = response.content.decode()
    assert "data-error-summary" in text, "the page shows no error summary"
    return text


# --- Bad input: a clear message, nothing changed --------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size_M": "0", "size_L": ""}, "at least one size"),
        ({"size_M": "-4"}, "Enter 0 or more"),
        ({"size_M": "ten"}, "whole number"),
        ({"size_M": "5", "needed_by": "2020-01-01"}, "cannot be in the past"),
    ],
)
def test_size_run_with_bad_numbers_or_dates_saves_nothing(client_for, data, message):
    response = client_for("laundry").post(
        reverse("packages:laundry_demand_new"),
        {"garments": "sets", "priority": "normal", **data},
    )
    assert message in _errors(response)
    assert not DemandLine.objects.exists()


def test_size_run_records_every_size_for_the_laundrys_own_hospital(client_for, world, laundry):
    response = client_for("laundry").post(
        reverse("packages:laundry_demand_new"),
        {"garments": "top", "priority": "urgent", "size_S": "12", "size_XL": "3"}
        | token(SizeRunForm),
    )
    assert response.status_code == 302
    assert sorted(
        DemandLine.objects.values_list("hospital", "garment_type", "size", "quantity")
    ) == [(world.hospital.pk, "top", "S", 12), (world.hospital.pk, "top", "XL", 3)]


def test_changing_a_request_to_zero_is_refused(client_for, world, laundry):
    line = factories.demand(hospital=world.hospital, quantity=30, actor=laundry)
    response = client_for("laundry").post(
        reverse("packages:laundry_demand_change", args=[line.pk]),
        {"quantity": "0", "priority": "normal"},
    )
    assert "Enter 1 or more" in _errors(response)
    line.refresh_from_db()
    assert line.quantity == 30 and line.changes.count() == 1


def test_a_change_without_how_urgent_says_so_and_changes_nothing(client_for, world, laundry):
    line = factories.demand(hospital=world.hospital, quantity=30, actor=laundry)
    response = client_for("laundry").post(
        reverse("packages:laundry_demand_change", args=[line.pk]), {"quantity": "40"}
    )
    assert "Choose how urgent it is." in _errors(response)
    line.refresh_from_db()
    assert line.quantity == 30


def test_change_and_withdraw_keep_who_and_when(client_for, world, laundry):
    line = factories.demand(hospital=world.hospital, quantity=30, actor=laundry)
    client = client_for("laundry")
    response = client.post(
        reverse("packages:laundry_demand_change", args=[line.pk]),
        {"quantity": "45", "priority": "urgent", "note": "Flu season"},
    )
    assert response.status_code == 302
    response = client.post(reverse("packages:laundry_demand_withdraw", args=[line.pk]), {})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == DemandLine.Status.WITHDRAWN
    history = list(line.changes.order_by("pk").values_list("actor", "note"))
    assert history == [(laundry.pk, "Recorded"), (laundry.pk, "Flu season"), (laundry.pk, "")]
    page = client.get(reverse("packages:laundry_demand_detail", args=[line.pk])).content.decode()
    assert "How many: 30 → 45" in page and "Flu season" in page


def _confirm_data(delivery, counts=None, **notes):
    lines = list(delivery.lines.order_by("garment_type", "size"))
    counts = counts or [line.count_sent for line in lines]
    return {**{f"line_{line.pk}": n for line, n in zip(lines, counts, strict=True)}, **notes}


def test_confirming_more_than_was_sent_without_a_note_is_refused(client_for, world, staff):
    delivery = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    response = client_for("laundry").post(
        reverse("packages:laundry_delivery_confirm", args=[delivery.pk]),
        _confirm_data(delivery, [8]),
    )
    assert "different from what was sent" in _errors(response)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_confirming_twice_is_refused_and_changes_nothing(client_for, world, staff):
    delivery = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    client = client_for("laundry")
    url = reverse("packages:laundry_delivery_confirm", args=[delivery.pk])
    assert client.post(url, _confirm_data(delivery)).status_code == 302
    response = client.post(url, _confirm_data(delivery, [2], discrepancy_note="Recount"))
    assert "already confirmed" in _errors(response)
    delivery.refresh_from_db()
    assert delivery.discrepancy_note == ""
    assert list(delivery.lines.values_list("count_received", flat=True)) == [5]
    # And the page to confirm it says so instead of offering the form again.
    assert client.get(url).status_code == 302


def test_another_hospitals_delivery_is_not_found_and_unchanged(client_for, world):
    other_staff = world.user("other_hub_staff")
    theirs = factories.delivery(
        hub=world.other_hub, hospital=world.other_hospital, actor=other_staff
    )
    client = client_for("laundry")
    for name in ("laundry_delivery", "laundry_delivery_confirm", "laundry_wash_failure"):
        assert client.get(reverse(f"packages:{name}", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("packages:laundry_delivery_confirm", args=[theirs.pk]), _confirm_data(theirs)
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Delivery.Status.SENT


def test_a_draft_delivery_is_invisible_to_the_laundry(client_for, world, staff):
    draft = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff, status="draft")
    response = client_for("laundry").get(reverse("packages:laundry_delivery", args=[draft.pk]))
    assert response.status_code == 404


def test_wash_failure_over_what_arrived_is_refused(client_for, world, staff, laundry):
    delivery = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="received"
    )
    line = delivery.lines.get()
    url = reverse("packages:laundry_wash_failure", args=[delivery.pk])
    sent = token(WashFailureForm)
    response = client_for("laundry").post(
        url, {"line": line.pk, "count": "6", "reason": "seams"} | sent
    )
    assert "cannot have failed" in _errors(response)
    response = client_for("laundry").post(
        url, {"line": line.pk, "count": "1", "reason": "other"} | sent
    )
    assert "Please say what went wrong" in _errors(response)
    assert not WashFailure.objects.exists()


def test_laundry_cannot_switch_to_a_hospital_it_does_not_serve(client_for, world):
    response = client_for("laundry").post(
        reverse("packages:laundry_switch"), {"hospital": world.other_hospital.pk}
    )
    assert response.status_code == 404


# --- Laundry privacy: no maker's personal data, anywhere ------------------------------------

_counter = itertools.count(1)


def _plant(model, instance_filter=None) -> list[str]:
    """Put a unique marker into every free-text field of every row; returns the markers."""
    planted = []
    text_fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]
    for row in model.objects.all():
        changes = {}
        for f in text_fields:
            marker = f"zq{next(_counter)}mark"
            value = f"{marker}@example.org" if isinstance(f, models.EmailField) else marker
            changes[f.name] = value[: f.max_length] if f.max_length else value
            planted.append(marker)
        model.objects.filter(pk=row.pk).update(**changes)
    return planted


@pytest.fixture
def laundry_world(world, staff, laundry):
    """Deliveries in every state, with kits sewn by makers and a group, wash failures
    pinned to kits, demand open and closed, and a quality need."""
    group = factories.MakerGroupFactory(hub=world.hub)
    factories.demand(hospital=world.hospital, quantity=40, actor=laundry)
    closed = factories.demand(hospital=world.hospital, size="L", actor=laundry)
    services.demand_withdraw(line=closed, actor=laundry)
    sent = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    factories.passed_kit(hub=world.hub, group=group, actor=staff, size="S", garments=3)
    received = factories.delivery(
        hub=world.hub,
        hospital=world.hospital,
        actor=staff,
        status="received",
        sizes=(("top", "M", 5), ("trousers", "M", 4)),
        laundry_user=laundry,
    )
    line = received.lines.get(garment_type="top")
    services.wash_failure_report(
        delivery=received,
        line=line,
        count=1,
        reason="seams",
        actor=laundry,
        kit_code=line.allocations.first().kit.code,
    )
    requirement = services.quality_requirement_add(
        hospital=world.hospital, title="Size label in the back seam", actor=laundry
    )
    users = [m.user for m in Maker.objects.exclude(user=None)] + [
        g.leader for g in MakerGroup.objects.exclude(leader=None)
    ]
    from django.contrib.auth import get_user_model

    User = get_user_model()
    markers = _plant(Maker) + _plant(MakerGroup)
    for user in users:
        marker = f"zq{next(_counter)}mark"
        User.objects.filter(pk=user.pk).update(
            first_name=f"{marker}f", last_name=f"{marker}l", email=f"{marker}@example.org"
        )
        markers.append(marker)
    return {
        "markers": markers,
        "demand": DemandLine.objects.filter(hospital=world.hospital).first(),
        "closed": closed,
        "sent": sent,
        "received": received,
        "requirement": requirement,
    }


def _laundry_urls(data) -> list[str]:
    """Every URL under /laundry/, with each object kind it can show."""
    kwargs_for = {
        "laundry_demand_detail": [{"pk": data["demand"].pk}, {"pk": data["closed"].pk}],
        "laundry_demand_change": [{"pk": data["demand"].pk}],
        "laundry_demand_withdraw": [{"pk": data["demand"].pk}],
        "laundry_quality_change": [{"pk": data["requirement"].pk}],
        "laundry_quality_remove": [{"pk": data["requirement"].pk}],
        "laundry_delivery": [{"pk": data["sent"].pk}, {"pk": data["received"].pk}],
        "laundry_delivery_confirm": [{"pk": data["sent"].pk}],
        "laundry_wash_failure": [{"pk": data["received"].pk}],
    }
    urls = []
    for pattern in package_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if not str(pattern.pattern).startswith("laundry/"):
            continue
        if "<" in str(pattern.pattern):
            assert pattern.name in kwargs_for, f"no object to walk {pattern.name} with"
            urls += [
                reverse(f"packages:{pattern.name}", kwargs=k) for k in kwargs_for[pattern.name]
            ]
        else:
            urls.append(reverse(f"packages:{pattern.name}"))
    return urls


FORBIDDEN_TYPES = (Maker, MakerGroup, KitAssignment)


def _context_objects(value, depth=0):
    """Everything a template could reach in the context, a few levels deep."""
    if depth > 4 or isinstance(value, str | bytes | int | float | bool | type(None)):
        return
    yield value
    if isinstance(value, Page):
        value = list(value.object_list)
    elif isinstance(value, QuerySet):
        value = list(value[:50])
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple | set):
        items = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, models.Model):
        items = [
            value._state.fields_cache.get(f.name)
            for f in value._meta.concrete_fields
            if f.is_relation
        ] + list(getattr(value, "_prefetched_objects_cache", {}).values())
    else:
        items = []
    for item in items:
        yield from _context_objects(item, depth + 1)


def _assert_private(response, markers, where):
    # A download (the laundry's CSVs) is streamed: read it to its last line.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode().lower()
    found = [m for m in markers if m in text]
    assert not found, f"{where}: maker data {found[:3]} in the page"
    for context in response.context or []:
        for values in context.dicts:
            for obj in _context_objects(values):
                assert not isinstance(obj, FORBIDDEN_TYPES), f"{where}: {obj!r} in context"
                if isinstance(obj, models.Model | str):
                    shown = repr(obj).lower()
                    assert not any(m in shown for m in markers), f"{where}: {obj!r}"


def test_no_laundry_page_or_response_contains_a_makers_personal_data(
    client_for, laundry_world, world
):
    markers = laundry_world["markers"]
    assert len(markers) > 20
    client = client_for("laundry")
    urls = _laundry_urls(laundry_world)
    for url in urls:
        response = client.get(url, follow=True)
        _assert_private(response, markers, f"GET {url}")

    # The answers to each form, failed and successful, keep to counts too.
    sent, received = laundry_world["sent"], laundry_world["received"]
    posts = [
        (reverse("packages:laundry_delivery_confirm", args=[sent.pk]), _confirm_data(sent, [1])),
        (
            reverse("packages:laundry_delivery_confirm", args=[sent.pk]),
            _confirm_data(sent, [4], discrepancy_note="One short", thank_you_note="Thanks!"),
        ),
        (
            reverse("packages:laundry_wash_failure", args=[received.pk]),
            {"line": received.lines.first().pk, "count": "99", "reason": "seams"},
        ),
        (
            reverse("packages:laundry_wash_failure", args=[received.pk]),
            {"line": received.lines.first().pk, "count": "1", "reason": "label"},
        ),
        (reverse("packages:laundry_demand_new"), {"garments": "sets", "priority": "normal"}),
        (
            reverse("packages:laundry_demand_new"),
            {"garments": "sets", "priority": "normal", "size_M": "3"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        _assert_private(response, markers, f"POST {url}")
    # Then every page again, now showing confirmed deliveries and reported failures.
    for url in urls:
        _assert_private(client.get(url, follow=True), markers, f"GET again {url}")


def test_the_hub_does_see_who_made_the_kits_in_a_delivery(client_for, laundry_world, world):
    """The other side of the privacy rule: hub staff trace a delivery to its makers."""
    received = laundry_world["received"]
    maker_names = {
        a.kit.assignments.last().maker.name
        for line in received.lines.all()
        for a in line.allocations.select_related("kit")
    }
    page = client_for("hub_staff").get(reverse("packages:hub_delivery", args=[received.pk]))
    text = page.content.decode()
    assert maker_names and all(name in text for name in maker_names)
    assert "failed in the wash" in text


# --- Query counts at 10 and 1,000 rows ------------------------------------------------------


def _grow_demand(hospital, status):
    def grow_to(n: int) -> None:
        have = DemandLine.objects.filter(hospital=hospital, status=status).count()
        sizes = itertools.cycle(["S", "M", "L", "XL"])
        DemandLine.objects.bulk_create(
            [
                DemandLine(
                    hospital=hospital,
                    garment_type="top",
                    size=next(sizes),
                    quantity=10 + i,
                    status=status,
                    needed_by=timezone.localdate() + datetime.timedelta(days=i % 60),
                )
                for i in range(n - have)
            ]
        )

    return grow_to


def _grow_deliveries(world, status):
    def grow_to(n: int) -> None:
        have = Delivery.objects.filter(hospital=world.hospital, status=status).count()
        now = timezone.now()
        made = Delivery.objects.bulk_create(
            [
                Delivery(
                    hub=world.hub,
                    hospital=world.hospital,
                    status=status,
                    sent_at=now,
                    received_at=now if status == "received" else None,
                    discrepancy_note="Short" if i % 7 == 0 else "",
                )
                for i in range(n - have)
            ]
        )
        DeliveryLine.objects.bulk_create(
            [
                DeliveryLine(
                    delivery=d,
                    garment_type="top",
                    size="M",
                    count_sent=5,
                    count_received=5 if status == "received" else None,
                )
                for d in made
            ]
        )

    return grow_to


def _grow_requirements(hospital):
    def grow_to(n: int) -> None:
        have = QualityRequirement.objects.filter(hospital=hospital).count()
        QualityRequirement.objects.bulk_create(
            [
                QualityRequirement(hospital=hospital, title=f"Requirement {have + i}")
                for i in range(n - have)
            ]
        )

    return grow_to


@pytest.mark.parametrize(
    ("url_name", "grow"),
    [
        ("packages:laundry_demand", lambda w: _grow_demand(w.hospital, "open")),
        ("packages:laundry_demand_past", lambda w: _grow_demand(w.hospital, "withdrawn")),
        ("packages:laundry_deliveries", lambda w: _grow_deliveries(w, "received")),
        ("packages:laundry_home", lambda w: _grow_deliveries(w, "sent")),
        ("packages:laundry_quality", lambda w: _grow_requirements(w.hospital)),
    ],
)
def test_laundry_pages_make_the_same_queries_at_10_and_1000_rows(client_for, world, url_name, grow):
    assert_same_queries_at_sizes(client_for("laundry"), reverse(url_name), grow(world))


def test_laundry_demand_page_pages_through_1000_open_requests(client_for, world):
    _grow_demand(world.hospital, "open")(1000)
    response = client_for("laundry").get(reverse("packages:laundry_demand"), {"page": 20})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert "Page 20 of 20" in response.content.decode()
