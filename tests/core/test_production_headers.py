"""With production settings, every kind of page carries the security headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    var = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "p" * 20 + "-production-like-secret-key-for-the-header-probe",
            "DJANGO_ALLOWED_HOSTS": "scrubhub.example.org",
            "SCRUBHUB_SITE_URL": "https://scrubhub.example.org",
            "DATABASE_URL": f"sqlite:///{var / 'probe.sqlite3'}",
            "SCRUBHUB_VAR_DIR": str(var),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.core.production_headers_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("PROBE:"))
    return json.loads(line.removeprefix("PROBE:"))


KINDS = [
    "public page",
    "sign-in page",
    "health (JSON)",
    "not found",
    "maker page",
    "staff page",
    "laundry page",
    "admin sign-in",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_page_carries_the_security_headers(pages, kind):
    page = pages[kind]
    headers = page["headers"]
    hsts = headers["strict-transport-security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31_536_000
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]
    csp = headers["content-security-policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    for name, flags in page["cookies"].items():
        assert name.startswith("__Host-"), name
        assert flags == {"secure": True, "httponly": True}, name
    if page["personal"]:
        assert "no-store" in headers["cache-control"]
