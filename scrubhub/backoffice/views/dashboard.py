"""The hub's dashboard (/hub/), switching between one's hubs, and shift notes. Thin: the
board is read through scrubhub.hubs.selectors; a note is left through a service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from scrubhub import once
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs import selectors, services
from scrubhub.hubs.forms import (
    ShiftNoteForm,
)
from scrubhub.hubs.permissions import (
    SESSION_HUB_KEY,
    get_hub_for_staff,
    hub_staff_required,
)


@require_GET
@hub_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard_for_hub(hub=request.hub)
    for todo in board.todos:
        todo.url = reverse(todo.url_name) + todo.url_query
    return render(
        request,
        "backoffice/dashboard/dashboard.html",
        {"hub": request.hub, "board": board, "note_form": ShiftNoteForm()},
    )


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


@require_GET
@hub_staff_required
def shift_notes(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.shift_notes_for_hub(hub=request.hub))
    return render(
        request,
        "backoffice/dashboard/shift_notes.html",
        {"hub": request.hub, "page": page, "form": ShiftNoteForm()},
    )


@require_POST
@hub_staff_required
def shift_note_add(request: HttpRequest) -> HttpResponse:
    form = ShiftNoteForm(request.POST)
    if form.is_valid():
        try:
            with once.claim(form) as sent:
                services.shift_note_leave(
                    hub=request.hub, text=form.cleaned_data["text"], actor=request.user
                )
                sent.done_url = reverse("hubs:dashboard")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except services.HubError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Your note is saved for the next shift."))
            return redirect("hubs:dashboard")
    page = page_of(request, selectors.shift_notes_for_hub(hub=request.hub))
    return render(
        request,
        "backoffice/dashboard/shift_notes.html",
        {"hub": request.hub, "page": page, "form": form},
        status=400,
    )
