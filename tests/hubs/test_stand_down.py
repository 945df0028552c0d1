"""The stand-down date decides when volunteers' details are erased (issue 21): a date in the
past is refused, a coordinator is told how many people a date will erase and when, and asked
to confirm; the operators' admin goes through the same rules."""

from __future__ import annotations

import html
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from makers.models import Maker
from makers.selectors import ErasurePreview, erasure_warning
from scrubhub.audit.models import AuditEvent
from scrubhub.counting import CappedCount
from scrubhub.hubs import team_services
from scrubhub.hubs.team_services import ErasureNotConfirmed, StandDownError
from tests import factories


def _settings(world, **extra):
    hub = world.hub
    data = {
        "phone": hub.phone,
        "email": hub.email,
        "about": "",
        "overdue_after_days": 7,
        "stand_down_on": "",
    }
    data.update(extra)
    return data


def _update(world, **extra):
    fields = {
        "phone": world.hub.phone,
        "email": world.hub.email,
        "about": "",
        "overdue_after_days": 7,
        "auto_approve_makers": False,
        "stand_down_on": None,
    }
    fields.update(extra)
    return team_services.hub_settings_update(
        hub=world.hub, actor=world.user("coordinator"), **fields
    )


def _long(day: date) -> str:
    return date_format(day, "j F Y")


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_settings_refuse_a_stand_down_date_in_the_past(world, client_for):
    yesterday = world.hub.today() - timedelta(days=1)
    response = client_for("coordinator").post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=yesterday.isoformat(), erasure_confirmed="on"),
    )
    assert response.status_code == 400
    body = _body(response)
    assert "There is a problem" in body
    message = f"The stand-down date cannot be in the past. Enter {_long(world.hub.today())}"
    assert message in body
    assert 'id="id_stand_down_on_error"' in body  # beside the field, not only in the summary
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on is None and world.hub.erasure_dates_changed_at is None


def test_the_service_refuses_a_past_date_too(world):
    with pytest.raises(StandDownError, match="cannot be in the past"):
        _update(
            world,
            stand_down_on=world.hub.today() - timedelta(days=1),
            erasure_confirmed=True,
        )
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on is None


def test_the_past_is_judged_where_the_hub_is(world, client_for):
    # Far east, a hub's today is tomorrow in London; far west, it is still yesterday there.
    # Whatever the hour, one of the two differs from the server's date.
    server_today = timezone.localdate()
    east = timezone.localdate(timezone=ZoneInfo("Pacific/Kiritimati"))
    if east > server_today:
        world.hub.timezone, date_sent, refused = "Pacific/Kiritimati", server_today, True
    else:
        world.hub.timezone = "Etc/GMT+12"
        date_sent, refused = timezone.localdate(timezone=ZoneInfo("Etc/GMT+12")), False
        assert date_sent < server_today
    world.hub.save()
    response = client_for("coordinator").post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=date_sent.isoformat(), erasure_confirmed="on"),
    )
    assert response.status_code == (400 if refused else 302)
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on == (None if refused else date_sent)


def test_a_saved_date_now_past_does_not_stop_other_changes(world, client_for):
    long_ago = world.hub.today() - timedelta(days=400)
    world.hub.stand_down_on = long_ago
    world.hub.save()
    response = client_for("coordinator").post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=long_ago.isoformat(), phone="01382 111111"),
    )
    assert response.status_code == 302
    world.hub.refresh_from_db()
    assert world.hub.phone == "01382 111111"
    assert world.hub.erasure_dates_changed_at is None  # the date did not change


def test_a_date_that_erases_people_asks_first_naming_how_many_and_when(world, client_for):
    factories.MakerFactory(hub=world.hub, status=Maker.Status.ACTIVE)
    factories.MakerFactory(hub=world.hub, status=Maker.Status.STANDBY)  # kept
    factories.MakerFactory(hub=world.other_hub)  # not this hub's
    stand_down = world.hub.today() + timedelta(days=30)
    erase_on = stand_down + timedelta(days=world.hub.retention_days)
    client = client_for("coordinator")
    response = client.post(
        reverse("hubs:settings"), _settings(world, stand_down_on=stand_down.isoformat())
    )
    assert response.status_code == 400
    body = _body(response)
    # The persona maker and the active one; the one on standby keeps their details.
    assert f"2 people will have their details erased on {_long(erase_on)}." in body
    assert 'name="erasure_confirmed"' in body
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on is None

    response = client.post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=stand_down.isoformat(), erasure_confirmed="on"),
    )
    assert response.status_code == 302
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on == stand_down
    assert world.hub.erasure_dates_changed_at is not None
    assert AuditEvent.objects.filter(
        hub=world.hub, subject_type="hubs.Hub", detail__contains=erase_on.isoformat()
    ).exists()
    page = _body(client.get(reverse("hubs:settings")))
    assert f"2 people will have their details erased on {_long(erase_on)}." in page
    assert 'name="erasure_confirmed"' not in page  # asked once, for the new date only


def test_the_service_wants_the_confirmation_as_well(world):
    with pytest.raises(ErasureNotConfirmed, match="1 person will have their details erased"):
        _update(world, stand_down_on=world.hub.today() + timedelta(days=1))


def test_the_warning_counts_the_week_wait_after_a_change(world, client_for):
    world.hub.retention_days = 0
    world.hub.save()
    today = world.hub.today()
    client_for("coordinator").post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=today.isoformat(), erasure_confirmed="on"),
    )
    page = _body(client_for("coordinator").get(reverse("hubs:settings")))
    week_on = world.hub.today(timezone.now() + timedelta(days=7)) + timedelta(days=1)
    assert f"1 person will have their details erased on {_long(week_on)}." in page


def test_a_hub_with_nobody_to_erase_shows_no_warning(world, client_for):
    Maker.objects.filter(hub=world.hub).update(status=Maker.Status.STANDBY)
    response = client_for("coordinator").post(
        reverse("hubs:settings"),
        _settings(world, stand_down_on=(world.hub.today() + timedelta(days=5)).isoformat()),
    )
    assert response.status_code == 302
    assert "will have their details erased" not in _body(
        client_for("coordinator").get(reverse("hubs:settings"))
    )


def test_a_count_past_the_cap_says_more_than():
    preview = ErasurePreview(erase_on=date(2027, 6, 1), people=CappedCount(10_000, more=True))
    assert erasure_warning(preview) == (
        "More than 10,000 people will have their details erased on 1 June 2027."
    )


def test_the_warning_counts_with_a_cap(world, client_for, django_assert_max_num_queries):
    world.hub.stand_down_on = world.hub.today() + timedelta(days=3)
    world.hub.save()
    with django_assert_max_num_queries(50) as captured:
        client_for("coordinator").get(reverse("hubs:settings"))
    # A count that stops after the cap (scrubhub.counting), never every maker of the hub.
    assert any("LIMIT 10001" in query["sql"] for query in captured.captured_queries)


# --- The operators' admin goes through the same service ----------------------------------------


def _admin_post(world, **changes):
    hub = world.hub
    data = {
        "name": hub.name,
        "slug": hub.slug,
        "area": hub.area,
        "about": hub.about,
        "phone": hub.phone,
        "email": hub.email,
        "timezone": hub.timezone,
        "overdue_after_days": hub.overdue_after_days,
        "stand_down_on": hub.stand_down_on.isoformat() if hub.stand_down_on else "",
        "retention_days": hub.retention_days,
        "latitude": hub.latitude,
        "longitude": hub.longitude,
        "is_active": "on",
        "hospitals": [h.pk for h in hub.hospitals.all()],
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    client = Client()
    client.force_login(world.user("operator"))
    return client.post(reverse("admin:hubs_hub_change", args=[hub.pk]), data)


def test_the_admin_refuses_a_past_date_and_records_a_change(world):
    response = _admin_post(world, stand_down_on=(world.hub.today() - timedelta(days=2)))
    assert response.status_code == 200
    assert "cannot be in the past" in _body(response)
    world.hub.refresh_from_db()
    assert world.hub.stand_down_on is None

    response = _admin_post(world, retention_days=30)
    assert response.status_code == 302, _body(response)
    world.hub.refresh_from_db()
    assert world.hub.retention_days == 30
    assert world.hub.erasure_dates_changed_at is not None
    assert world.hub.hospitals.count() == 1  # the rest of the hub saved as usual
