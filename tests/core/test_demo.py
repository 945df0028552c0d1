"""The demo builds through the services, on Postgres and SQLite, twice, keeping every rule."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from makers.models import Consent, GuardianRequest, Maker
from packages.audit import garment_audit
from packages.models import PLACES, Delivery, Kit, qty_field

ROOT = Path(__file__).resolve().parents[2]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_demo_builds_on_postgres_with_every_rule_holding_and_a_second_run_changes_nothing(
    settings,
):
    settings.DEBUG = True
    first = run_demo()
    assert "600 makers" in first
    for login in ("staff", "laundry", "maker", "driver", "helper"):
        assert f"  {login} " in first
    before = row_counts()
    second = run_demo()
    assert "nothing was changed" in second
    assert row_counts() == before

    assert garment_audit() == []

    # A real hub mid-crisis: kits in every status, garments in every place.
    assert set(Kit.objects.values_list("status", flat=True)) == set(Kit.Status.values)
    for place in PLACES:
        assert Kit.objects.filter(**{f"{qty_field(place)}__gt": 0}).exists(), place
    bands = set(Maker.objects.values_list("age_band", flat=True))
    assert bands == set(Maker.AgeBand.values)
    assert Maker.objects.filter(status=Maker.Status.APPLIED).count() >= 20
    # Young makers' parents agreed before they had kits; this week's 16-year-old waits.
    assert Consent.objects.filter(purpose=Consent.Purpose.GUARDIAN).exists()
    assert GuardianRequest.objects.filter(closed_at__isnull=True).exists()
    assert Delivery.objects.exclude(discrepancy_note="").filter(status="received").exists()


def test_demo_refuses_to_run_without_debug(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        run_demo()


def test_demo_builds_on_sqlite_twice_with_every_rule_holding(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({"SCRUBHUB_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "", "DATABASE_URL": ""})

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--no-input")
    assert "Demo loaded" in manage("demo", "--if-empty")
    assert "nothing was changed" in manage("demo")
    assert "The garment books balance." in manage("audit_garments")
