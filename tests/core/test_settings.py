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
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
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
