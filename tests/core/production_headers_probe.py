"""Run with production settings (see test_production_headers.py): requests each kind of page
over HTTPS with Django's test client and prints the answers' headers and cookies as JSON."""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrubhub.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from scrubhub.hubs.models import Hospital, Hub, Membership, Role  # noqa: E402
from tests import factories  # noqa: E402

call_command("migrate", verbosity=0)
# Production serves static files from a manifest, as after a real deploy.
call_command("collectstatic", interactive=False, verbosity=0)
hub = Hub.objects.create(name="Probe hub", slug="probe", area="Dundee", phone="1", email="a@b.c")
hospital = Hospital.objects.create(name="Probe hospital", slug="probe-hospital")
hub.hospitals.add(hospital)
people = {
    "maker": {"role": Role.MAKER, "hub": hub},
    "staff": {"role": Role.HUB_STAFF, "hub": hub},
    "laundry": {"role": Role.LAUNDRY, "hospital": hospital},
}
PAGES = {
    "public page": (None, "/"),
    "sign-in page": (None, "/accounts/login/"),
    "health (JSON)": (None, "/healthz"),
    "not found": (None, "/no-such-page/"),
    "maker page": ("maker", "/me/"),
    "staff page": ("staff", "/hub/"),
    "laundry page": ("laundry", "/laundry/"),
    "admin sign-in": (None, "/admin/login/"),
}
result = {}
for kind, (persona, path) in PAGES.items():
    client = Client(HTTP_HOST="scrubhub.example.org")
    if persona:
        user = factories.UserFactory(username=f"probe-{persona}")
        Membership.objects.create(user=user, **people[persona])
        client.force_login(user)
    response = client.get(path, secure=True)
    cookies = {
        name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
        for name, morsel in response.cookies.items()
    }
    if persona:
        session = client.cookies.get("__Host-sessionid")
        cookies["__Host-sessionid"] = {
            "secure": bool(session and session["secure"]),
            "httponly": bool(session and session["httponly"]),
        }
    result[kind] = {
        "status": response.status_code,
        "headers": {k.lower(): v for k, v in response.headers.items()},
        "cookies": cookies,
        "personal": persona is not None,
    }
print("PROBE:" + json.dumps(result))
