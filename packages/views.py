from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import laundry_hospitals, role_required


@require_GET
@role_required(Role.LAUNDRY)
def laundry_home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "packages/laundry_home.html", {"hospitals": laundry_hospitals(request.user)}
    )
