"""A maker's data on /me/data/: what we hold (and its downloads), the weekly email on or
off, and deleting her account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from makers import selectors, services
from makers.forms import ConfirmForm
from makers.services import MakerError
from makers.views.common import GET_POST, _own_maker
from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import role_required


@require_GET
@role_required(Role.MAKER)
def my_data(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    agreements = selectors.agreements_for_maker(maker=maker)
    return render(request, "makers/data.html", {"maker": maker, "agreements": agreements})


@require_POST
@role_required(Role.MAKER)
def weekly_email(request: HttpRequest) -> HttpResponse:
    """The weekly summary email off or back on, from the data page: as easy to stop as it
    was to get."""
    maker = _own_maker(request)
    wanted = request.POST.get("weekly_email") == "on"
    try:
        services.maker_summaries_set(maker=maker, wanted=wanted)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You will get the weekly email again.")
            if wanted
            else _("Done: we will not send you the weekly email."),
        )
    return redirect("makers:data")


def _download(content: str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.MAKER)
def my_data_json(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    data = services.maker_export(maker=maker)
    return _download(
        json.dumps(data, indent=2, ensure_ascii=False),
        filename="my-scrubhub-data.json",
        content_type="application/json; charset=utf-8",
    )


@require_GET
@role_required(Role.MAKER)
def my_data_csv(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    return _download(
        services.maker_export_csv(maker=maker),
        filename="my-scrubhub-data.csv",
        content_type="text/csv; charset=utf-8",
    )


@GET_POST
@role_required(Role.MAKER)
def delete_account(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, delete my account and my details. I understand this cannot be undone."),
        required_message=_("Tick the box to say you want to delete your account."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_delete_account(maker=maker, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            return redirect("makers:deleted")
    return render(request, "makers/delete.html", {"maker": maker, "form": form})


@login_not_required
@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "makers/deleted.html")
