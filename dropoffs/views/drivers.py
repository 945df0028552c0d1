"""The driver's pages: their runs, a run's sheet (printed as the run sheet), ticking off or
skipping a stop, and finishing the run back at the hub."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs import selectors, services
from dropoffs.forms import (
    RunStopForm,
    SkipStopForm,
)
from dropoffs.models import Run, RunStop
from dropoffs.permissions import (
    get_run_for,
    may_see_doorstep_addresses,
)
from dropoffs.views.common import PROBLEMS
from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.hubs.permissions import role_required


@require_GET
@role_required(Role.DRIVER, *STAFF_ROLES)
def runs(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.runs_for_driver(user=request.user)[:30])
    return render(
        request,
        "dropoffs/runs.html",
        {
            "open_runs": [r for r in mine if r.is_open],
            "done_runs": [r for r in mine if not r.is_open][:10],
        },
    )


@require_GET
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    the_run = get_run_for(request.user, run_id)
    request.hub = the_run.hub
    addresses = may_see_doorstep_addresses(request.user, the_run)
    return render(
        request,
        "dropoffs/run.html",
        {
            "run": the_run,
            "sheet": selectors.run_sheet(run=the_run, with_addresses=addresses),
            "addresses": addresses,
            "map_links": _map_links(request, the_run, addresses),
            "is_staff": the_run.driver_id != request.user.pk,
        },
    )


def _map_links(request: HttpRequest, the_run: Run, addresses: bool) -> bool:
    """Addresses are map links for the run's own driver, who is on the road; staff who
    read the sheet at the hub see them as text."""
    return addresses and the_run.driver_id == request.user.pk


def _sheet_stop(the_run: Run, stop_id: int, *, with_addresses: bool):
    sheet = selectors.run_sheet(run=the_run, with_addresses=with_addresses)
    found = next((s for s in sheet if s.stop.pk == stop_id), None)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def run_stop(request: HttpRequest, run_id: int, stop_id: int) -> HttpResponse:
    the_run = get_run_for(request.user, run_id)
    request.hub = the_run.hub
    addresses = may_see_doorstep_addresses(request.user, the_run)
    sheet_stop = _sheet_stop(the_run, stop_id, with_addresses=addresses)
    if sheet_stop.stop.status != RunStop.Status.TO_VISIT or not the_run.is_open:
        messages.info(request, _("That stop has already been ticked off."))
        return redirect("dropoffs:run", run_id=the_run.pk)
    form = RunStopForm(request.POST or None, sheet_stop=sheet_stop)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_stop_visit(
                stop=sheet_stop.stop,
                actor=request.user,
                pick_up=form.pick_up(),
                dropped=form.dropped(),
                note=form.cleaned_data["note"],
            )
        except PROBLEMS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stop %s ticked off.") % sheet_stop.stop.position)
            return redirect(reverse("dropoffs:run", kwargs={"run_id": the_run.pk}) + "#next")
    return render(
        request,
        "dropoffs/run_stop.html",
        {
            "run": the_run,
            "item": sheet_stop,
            "form": form,
            "skip_form": SkipStopForm(),
            "addresses": addresses,
            "map_links": _map_links(request, the_run, addresses),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def run_stop_skip(request: HttpRequest, run_id: int, stop_id: int) -> HttpResponse:
    the_run = get_run_for(request.user, run_id)
    request.hub = the_run.hub
    addresses = may_see_doorstep_addresses(request.user, the_run)
    sheet_stop = _sheet_stop(the_run, stop_id, with_addresses=addresses)
    skip_form = SkipStopForm(request.POST)
    if skip_form.is_valid():
        try:
            services.run_stop_skip(
                stop=sheet_stop.stop, actor=request.user, reason=skip_form.cleaned_data["reason"]
            )
        except PROBLEMS as exc:
            skip_form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stop %s marked as missed.") % sheet_stop.stop.position)
            return redirect("dropoffs:run", run_id=the_run.pk)
    return render(
        request,
        "dropoffs/run_stop.html",
        {
            "run": the_run,
            "item": sheet_stop,
            "form": RunStopForm(sheet_stop=sheet_stop),
            "skip_form": skip_form,
            "addresses": addresses,
            "map_links": _map_links(request, the_run, addresses),
        },
        status=400,
    )


@require_POST
def run_finish(request: HttpRequest, run_id: int) -> HttpResponse:
    the_run = get_run_for(request.user, run_id)
    try:
        services.run_finish(run=the_run, actor=request.user)
    except PROBLEMS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Run finished. The scrubs are at the hub, waiting to be checked.")
        )
    return redirect("dropoffs:run", run_id=the_run.pk)
