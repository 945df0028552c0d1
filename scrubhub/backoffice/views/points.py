"""The hub's drop-off points (/hub/points/): the list, adding and changing one with its
place on the map, and pausing, opening or closing it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs import selectors, services
from dropoffs.forms import (
    NewPointForm,
    PointForm,
)
from dropoffs.maps import allow_tiles, map_settings
from dropoffs.models import Point
from packages.services import PackagesError
from scrubhub import once
from scrubhub.hubs.permissions import hub_staff_required

PROBLEMS = (PackagesError, services.DropoffsError)


def _staff_point(request: HttpRequest, point_id: int) -> Point:
    return get_object_or_404(Point.objects.prefetch_related("hours"), pk=point_id, hub=request.hub)


@require_GET
@hub_staff_required
def staff_points(request: HttpRequest) -> HttpResponse:
    rows = [
        {"point": p, "status": selectors.opening_status(p)}
        for p in selectors.points_for_staff(hub=request.hub)
    ]
    return render(
        request, "backoffice/points/staff_points.html", {"rows": rows, "hub": request.hub}
    )


def _point_form_page(request, *, point: Point | None) -> HttpResponse:
    initial = (
        PointForm.initial_for(point)
        if point
        else {
            "latitude": request.hub.latitude,
            "longitude": request.hub.longitude,
            "accepts_kit_collection": True,
            "accepts_finished_garments": True,
        }
    )
    form = (NewPointForm if point is None else PointForm)(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if point is None:
                with once.claim(form) as sent:
                    point = services.point_create(
                        hub=request.hub, actor=request.user, **form.service_fields()
                    )
                    sent.done_url = reverse("dropoffs:staff_points")
                messages.success(request, _("%s added. It is open now.") % point.name)
            else:
                point = services.point_update(
                    point=point, actor=request.user, **form.service_fields()
                )
                messages.success(request, _("%s saved.") % point.name)
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PROBLEMS as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("dropoffs:staff_points")
    return allow_tiles(
        render(
            request,
            "backoffice/points/point_form.html",
            {"form": form, "point": point, "hub": request.hub, **map_settings()},
            status=400 if form.errors else 200,
        )
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def point_new(request: HttpRequest) -> HttpResponse:
    return _point_form_page(request, point=None)


@require_http_methods(["GET", "POST"])
@hub_staff_required
def point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    return _point_form_page(request, point=_staff_point(request, point_id))


@require_POST
@hub_staff_required
def point_status(request: HttpRequest, point_id: int) -> HttpResponse:
    point = _staff_point(request, point_id)
    change = {
        "pause": services.point_pause,
        "resume": services.point_resume,
        "close": services.point_close,
    }.get(request.POST.get("to", ""))
    if change is None:
        messages.error(request, _("Choose whether to pause, open or close the point."))
        return redirect("dropoffs:staff_points")
    try:
        point = change(point=point, actor=request.user)
    except PROBLEMS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": point.name, "status": point.get_status_display().lower()},
        )
    return redirect("dropoffs:staff_points")
