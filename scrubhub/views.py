"""Pages that belong to no single app: the public home page, health, and where to land."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scrubhub.celery import app as celery_app
from scrubhub.hubs.models import Hub, Role
from scrubhub.hubs.permissions import memberships, roles


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    hubs = (
        Hub.objects.filter(is_active=True, approval=Hub.Approval.APPROVED)
        .only("name", "slug", "area")
        .order_by("name")
    )
    return render(request, "home.html", {"hubs": hubs})


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return False


def _broker_answers() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
            # Virtual transports (Redis) connect lazily; opening a channel really asks.
            conn.default_channel  # noqa: B018
        return True
    except Exception:  # noqa: BLE001
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


# Where each role starts, most hands-on role first for people holding several.
ROLE_HOMES = [
    (Role.COORDINATOR, "hubs:dashboard"),
    (Role.HUB_STAFF, "hubs:dashboard"),
    (Role.LAUNDRY, "packages:laundry_home"),
    (Role.DRIVER, "dropoffs:runs"),
    (Role.POINT_HELPER, "dropoffs:scan"),
    (Role.GROUP_LEADER, "makers:me"),
    (Role.MAKER, "makers:me"),
]


@require_GET
def role_home(request: HttpRequest) -> HttpResponse:
    # Someone whose only hub is still being set up carries on with its setup.
    mine = memberships(request.user)
    setting_up = [m for m in mine if m.role == Role.COORDINATOR and not m.hub.is_open]
    if setting_up and len(setting_up) == len(mine):
        return redirect("start:overview", pk=setting_up[-1].hub_id)
    held = roles(request.user)
    for role, url_name in ROLE_HOMES:
        if role in held:
            return redirect(url_name)
    if request.user.is_superuser:
        return redirect("admin:index")
    return render(request, "no_role.html")
