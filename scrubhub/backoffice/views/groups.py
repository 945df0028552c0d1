"""The hub staff's maker-group pages under /hub/volunteers/groups/: the list (leader and
how to reach them, kits held, status), changing a group's details, and pausing, starting
again or closing it. Thin: groups are fetched scoped to request.hub (404 for another
hub's), reads go through makers.selectors and writes through makers.services, which
record each change in the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from makers import selectors, services
from makers.models import MakerGroup
from makers.services import MakerError
from makers.staff_group_forms import GroupForm, GroupsFilterForm, GroupsQuery
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs.permissions import hub_staff_required


def _group(request: HttpRequest, pk: int) -> MakerGroup:
    group = selectors.group_for_staff(hub=request.hub, pk=pk)
    if group is None:
        raise Http404
    return group


@require_GET
@hub_staff_required
def groups(request: HttpRequest) -> HttpResponse:
    show = GroupsQuery.read(request)["show"]
    found = selectors.groups_for_staff(hub=request.hub, show=show)
    page = page_of(request, found)
    return render(
        request,
        "backoffice/groups/groups.html",
        {
            "hub": request.hub,
            "page": page,
            "form": GroupsFilterForm(initial={"show": show}),
            "show": show,
            "query": f"show={show}" if show else "",
        },
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def group(request: HttpRequest, pk: int) -> HttpResponse:
    found = _group(request, pk)
    form = GroupForm(request.POST or None, initial=GroupForm.initial_for(found))
    if request.method == "POST" and form.is_valid():
        try:
            found = services.maker_group_update(
                group=found, actor=request.user, **form.cleaned_data
            )
        except MakerError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Saved the details of %(name)s.") % {"name": found.name})
            return redirect("makers:staff_groups")
    return render(
        request,
        "backoffice/groups/group.html",
        {"hub": request.hub, "group": found, "form": form, "closed": found.status == "closed"},
        status=400 if form.errors else 200,
    )


STATUS_CHANGES = {
    "pause": (services.maker_group_pause, _("%(name)s is paused: it is offered no new kits.")),
    "resume": (services.maker_group_resume, _("%(name)s is sewing again.")),
    "close": (services.maker_group_close, _("%(name)s is closed.")),
}


@require_POST
@hub_staff_required
def group_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _group(request, pk)
    change = STATUS_CHANGES.get(request.POST.get("to", ""))
    if change is None:
        messages.error(request, _("Choose whether to pause, start again or close the group."))
        return redirect("makers:staff_group", pk=found.pk)
    service, done = change
    try:
        found = service(group=found, actor=request.user)
    except MakerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"name": found.name})
    return redirect("makers:staff_group", pk=found.pk)
