"""Settings come from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x9!kq2-production-like-secret-key-with-plenty-of-entropy-7f3a1c9e",
    "DJANGO_ALLOWED_HOSTS": "scrubhub.example.org",
    "SCRUBHUB_SITE_URL": "https://scrubhub.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    # Texts through GOV.UK Notify (made-up ids in Notify's key format).
    "SCRUBHUB_SMS_BACKEND": "notify",
    "SCRUBHUB_NOTIFY_API_KEY": "scrubhub_live-8b3aa9ca-ffe6-4a94-a1d4-8c7a4e9c3f11-"
    "2d6c9b4e-71a3-4f5e-9c88-0b1f2e3d4c5a",
    "SCRUBHUB_NOTIFY_SMS_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "SCRUBHUB_NOTIFY_CALLBACK_TOKEN": "a-long-random-token-notify-sends-with-receipts",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update({"SCRUBHUB_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "notadatabase://x"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("EMAIL_PORT", "twenty-five"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, tmp_path):
    result = manage("check", env={variable: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_needs_a_secret_key(tmp_path):
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_laptop_defaults_need_no_servers(tmp_path):
    """SQLite and the filesystem broker: migrate runs with nothing else installed."""
    env = {"DATABASE_URL": "", "CELERY_BROKER_URL": ""}
    result = manage("migrate", "--no-input", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "scrubhub.sqlite3").exists()
    assert (tmp_path / "celery-queue").is_dir()
    check = manage("makemigrations", "--check", "--dry-run", env=env, tmp_path=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def _site_url(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"SCRUBHUB_SITE_URL": "", "PORT": "", **env}
    return manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        env=env,
        tmp_path=tmp_path,
    )


def test_links_in_development_follow_the_port_the_site_runs_on(tmp_path):
    """`make run PORT=8101`: emails and QR codes lead to port 8101, not 8000."""
    result = _site_url({"PORT": "8101"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8101"


def test_a_named_site_address_wins_over_the_port(tmp_path):
    result = _site_url({"PORT": "8101", "SCRUBHUB_SITE_URL": "https://x.example.org/"}, tmp_path)
    assert result.stdout.strip() == "https://x.example.org", result.stderr


def test_production_needs_the_site_address(tmp_path):
    result = manage("check", env={**PRODUCTION, "SCRUBHUB_SITE_URL": ""}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SCRUBHUB_SITE_URL" in result.stderr


def test_make_run_gives_the_port_to_the_site_worker_and_beat():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "export PORT=8101;" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SCRUBHUB_NOTIFY_API_KEY": ""}, "SCRUBHUB_NOTIFY_API_KEY"),
        (
            {"SCRUBHUB_NOTIFY_API_KEY": "2d6c9b4e-71a3-4f5e-9c88-0b1f2e3d4c5a"},
            "SCRUBHUB_NOTIFY_API_KEY",
        ),
        ({"SCRUBHUB_NOTIFY_SMS_TEMPLATE_ID": ""}, "SCRUBHUB_NOTIFY_SMS_TEMPLATE_ID"),
        ({"SCRUBHUB_EMAIL_BACKEND": "notify"}, "SCRUBHUB_NOTIFY_EMAIL_TEMPLATE_ID"),
        ({"SCRUBHUB_SMS_BACKEND": "twilio"}, "SCRUBHUB_SMS_BACKEND"),
        ({"SCRUBHUB_NOTIFY_CALLBACK_TOKEN": "short"}, "SCRUBHUB_NOTIFY_CALLBACK_TOKEN"),
        ({"SCRUBHUB_NOTIFY_BASE_URL": "http://notify.example.org"}, "SCRUBHUB_NOTIFY_BASE_URL"),
    ],
    ids=["no key", "bad key", "no text template", "no email template", "unknown", "token", "http"],
)
def test_a_misconfigured_notify_stops_start_up_naming_the_variable(change, named, tmp_path):
    result = manage("check", env={**PRODUCTION, **change}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert named in result.stderr


def test_production_that_never_chose_a_text_sender_is_warned_on_deploy_check(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("SCRUBHUB_NOTIFY")}
    env["SCRUBHUB_SMS_BACKEND"] = ""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SCRUBHUB_SMS_BACKEND" in result.stderr + result.stdout
    chosen = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**env, "SCRUBHUB_SMS_BACKEND": "console"},
        tmp_path=tmp_path,
    )
    assert chosen.returncode == 0, chosen.stderr + chosen.stdout
