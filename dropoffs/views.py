from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.hubs.permissions import role_required


@require_GET
@role_required(Role.DRIVER, *STAFF_ROLES)
def runs(request: HttpRequest) -> HttpResponse:
    return render(request, "dropoffs/runs.html")


@require_GET
@role_required(Role.POINT_HELPER, *STAFF_ROLES)
def scan(request: HttpRequest) -> HttpResponse:
    return render(request, "dropoffs/scan.html")
