from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import role_required


@require_GET
@role_required(Role.MAKER, Role.GROUP_LEADER)
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "makers/me.html")
