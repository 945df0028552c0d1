from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from scrubhub.hubs.permissions import (
    SESSION_HUB_KEY,
    get_hub_for_staff,
    hub_staff_required,
    staff_hubs,
)


@require_GET
@hub_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "hubs/dashboard.html", {"hub": request.hub})


@require_POST
@hub_staff_required
def switch_hub(request: HttpRequest) -> HttpResponse:
    try:
        hub = get_hub_for_staff(request.user, int(request.POST.get("hub", "")))
    except ValueError:
        raise Http404 from None
    request.session[SESSION_HUB_KEY] = hub.pk
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "hubs:dashboard"
    return redirect(next_url)


def staff_hub_choices(request: HttpRequest):
    return staff_hubs(request.user)
