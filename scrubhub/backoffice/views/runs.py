"""Collection runs as staff plan them (/hub/runs/): the list, planning and cancelling a
run, and keeping a maker's doorstep address for runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs import selectors, services
from dropoffs.forms import (
    RunPlanForm,
    StaffDoorstepForm,
)
from dropoffs.maps import allow_tiles, map_settings
from dropoffs.models import DoorstepAddress, Run
from makers.models import Maker
from packages.services import PackagesError
from scrubhub import once
from scrubhub.hubs.permissions import hub_staff_required

PROBLEMS = (PackagesError, services.DropoffsError)


@require_GET
@hub_staff_required
def staff_runs(request: HttpRequest) -> HttpResponse:
    hub = request.hub
    return render(
        request,
        "backoffice/runs/staff_runs.html",
        {
            "hub": hub,
            "points": [
                p for p in selectors.waiting_at_points(hub=hub) if p.garments_held or p.kits_waiting
            ],
            "doorsteps": list(selectors.doorsteps_for_hub(hub=hub)),
            "runs": list(selectors.runs_for_hub(hub=hub)[:30]),
        },
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def run_new(request: HttpRequest) -> HttpResponse:
    hub = request.hub
    form = RunPlanForm(
        request.POST or None,
        hub=hub,
        points=list(selectors.waiting_at_points(hub=hub)),
        doorsteps=list(selectors.doorsteps_for_hub(hub=hub)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.claim(form) as sent:
                run = services.run_plan(
                    hub=hub,
                    driver=data["driver"],
                    day=data["day"],
                    points=form.chosen_points(),
                    makers=form.chosen_makers(),
                    note=data["note"],
                    actor=request.user,
                )
                sent.done_url = reverse("dropoffs:run", kwargs={"run_id": run.pk})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PROBLEMS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Run planned. The driver has been told."))
            return redirect("dropoffs:run", run_id=run.pk)
    return render(
        request,
        "backoffice/runs/run_new.html",
        {"form": form, "hub": hub},
        status=400 if form.errors else 200,
    )


@require_POST
@hub_staff_required
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(Run, pk=run_id, hub=request.hub)
    try:
        services.run_cancel(run=run, actor=request.user)
    except PROBLEMS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Run cancelled."))
    return redirect("dropoffs:staff_runs")


@require_http_methods(["GET", "POST"])
@hub_staff_required
def doorstep_for_maker(request: HttpRequest, maker_id: int) -> HttpResponse:
    """Staff record a doorstep for a maker who rang in (many have no account)."""
    maker = get_object_or_404(
        Maker.objects.exclude(status=Maker.Status.ERASED).select_related("hub"),
        pk=maker_id,
        hub=request.hub,
    )
    current = DoorstepAddress.objects.filter(maker=maker).first()
    initial = (
        {
            "address": current.address,
            "postcode": current.postcode,
            "access_notes": current.access_notes,
            "latitude": current.latitude,
            "longitude": current.longitude,
        }
        if current
        else {"postcode": maker.postcode}
    )
    form = StaffDoorstepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.doorstep_set(actor=request.user, maker=maker, **data)
        except PROBLEMS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Doorstep visits saved for %s.") % maker.name)
            return redirect("dropoffs:staff_runs")
    return allow_tiles(
        render(
            request,
            "backoffice/runs/doorstep_staff.html",
            {
                "form": form,
                "maker": maker,
                "current": current,
                "start_lat": maker.hub.latitude,
                "start_lng": maker.hub.longitude,
                **map_settings(),
            },
            status=400 if form.errors else 200,
        )
    )
