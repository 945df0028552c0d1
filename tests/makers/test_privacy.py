"""UK GDPR: every place a person's data lives is exported and erased, and after erasure not
a trace of them is left in any text column of any table."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import connection

from dropoffs import services as dropoffs
from makers import guardian_services
from makers import services as makers
from makers.models import Maker
from makers.privacy import HANDLING, STAFF_ACTOR_ONLY
from packages import services as packages
from scrubhub.notifications.services import opt_out_record
from tests import factories

MARK = "qz7marker"


def test_every_model_pointing_at_a_maker_or_user_has_export_and_erase_handling():
    targets = {Maker, get_user_model()}
    unhandled = []
    for model in apps.get_models():
        linked = [
            f.name
            for f in model._meta.get_fields()
            if getattr(f, "concrete", False) and f.is_relation and f.related_model in targets
        ]
        label = model._meta.label
        if linked and label not in HANDLING and label not in STAFF_ACTOR_ONLY:
            unhandled.append(f"{label} ({', '.join(linked)})")
    assert not unhandled, f"Say how export and erasure handle: {unhandled}"


def text_columns() -> list[tuple[str, str]]:
    """Every text-like column of every table in the database (not only our models)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('character varying', 'text', 'jsonb', 'json', 'character')
            """
        )
        return cursor.fetchall()


def tables_containing(marker: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{marker}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def marked_maker(world):
    """A maker with the marker in every personal field, who has used every feature that
    copies personal data somewhere else."""
    staff = world.user("hub_staff")
    user = factories.UserFactory(
        username=f"{MARK}user", email=f"{MARK}@example.org", first_name=MARK, last_name=MARK
    )
    maker = makers.maker_apply(
        hub=world.hub,
        user=user,
        name=f"Ada {MARK}",
        email=f"{MARK}@example.org",
        phone="07700 900777",
        postcode="DD1 4HN",
        age_band=Maker.AgeBand.UNDER_18,
        guardian_name=f"Guardian {MARK}",
        guardian_contact=f"{MARK}-guardian@example.org",
        heard_about="friend",
        preferred_point=world.point,
        consents=[("store_details", "privacy-v1")],
    )
    maker = makers.maker_approve(maker=maker, actor=staff)
    # Her guardian agrees on the page their message links to (a new link, sent again).
    token = guardian_services.guardian_ask(maker=maker, actor=staff)
    guardian_services.guardian_answer(token=token, agree=True, name=f"Guardian {MARK}")
    kit = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    packages.kit_allocate(kit=kit, actor=staff, maker=maker)
    dropoffs.handover_kit_collect(kit=kit, actor=staff, point=world.point, note=f"for {MARK}")
    makers.kit_problem_report(
        maker=maker,
        kit=kit,
        kind="missing_pieces",
        actor=user,
        text=f"{MARK} says a sleeve is missing",
    )
    packages.kit_progress_log(kit=kit, finished=5, actor=user)
    dropoffs.handover_garments_return(kit=kit, count=5, actor=staff, note=f"{MARK} was here")
    dropoffs.doorstep_set(
        maker=maker,
        actor=staff,
        address=f"1 {MARK} Street",
        postcode="DD1 4HN",
        consent=True,
        access_notes=f"ring {MARK}'s bell",
    )
    opt_out_record(address=maker.email, kind="weekly_summary")
    # An operator changed the record in the admin: the log names it.
    LogEntry.objects.log_actions(
        user_id=world.user("operator").pk,
        queryset=Maker.objects.filter(pk=maker.pk),
        action_flag=CHANGE,
        change_message=f"Changed name to {maker.name}",
    )
    maker.refresh_from_db()
    return maker


def test_the_marker_is_everywhere_before_erasure(marked_maker):
    found = tables_containing(MARK)
    for expected in (
        "makers_maker.name",
        "notifications_message.body",
        "django_admin_log.object_repr",
        "notifications_optout.address",
        "makers_consent.given_by",
    ):
        assert expected in found, found


def test_after_erasure_no_text_column_of_any_table_holds_the_person(marked_maker, world):
    from packages.models import Kit

    # Erasure waits until the person holds no kit: this one was checked and written off.
    kit = Kit.objects.get(assignments__maker=marked_maker)
    packages.quality_check_record(
        kit=kit,
        passed=0,
        failures=[packages.Failure(reason="Soiled", count=5)],
        failed_outcome="written_off",
        actor=world.user("hub_staff"),
    )
    makers.maker_erase(maker=marked_maker, actor=world.user("coordinator"))
    assert tables_containing(MARK) == []
    assert tables_containing("07700 900777") == []


def test_the_download_holds_what_is_kept_about_them(marked_maker):
    data = makers.maker_export(maker=marked_maker)
    text = json.dumps(data, default=str)
    for section in (
        "details",
        "consents",
        "kits",
        "problems_reported",
        "messages_sent_to_you",
        "handovers",
        "stopped_messages",
        "doorstep",
    ):
        assert section in data, section
    assert f"Ada {MARK}" in text
    assert "weekly_summary" in data["stopped_messages"]
    csv_text = makers.maker_export_csv(maker=marked_maker)
    assert "stopped_messages" in csv_text
