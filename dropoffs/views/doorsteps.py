"""A maker's doorstep visits, her own choice: asking for them (the address kept only with
her consent) and stopping them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dropoffs import services
from dropoffs.forms import (
    DoorstepForm,
)
from dropoffs.models import DoorstepAddress
from dropoffs.views.common import PROBLEMS
from makers.models import Maker
from makers.selectors import maker_for_user
from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import role_required


def _own_maker(request: HttpRequest) -> Maker:
    maker = maker_for_user(user=request.user)
    if maker is None:
        raise PermissionDenied(_("This page is for makers."))
    return maker


@require_http_methods(["GET", "POST"])
@role_required(Role.MAKER)
def doorstep(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    request.hub = maker.hub
    current = DoorstepAddress.objects.filter(maker=maker).first()
    initial = (
        {
            "address": current.address,
            "postcode": current.postcode,
            "access_notes": current.access_notes,
        }
        if current
        else {"postcode": maker.postcode}
    )
    form = DoorstepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.doorstep_set(
                maker=maker,
                address=data["address"],
                postcode=data["postcode"],
                access_notes=data["access_notes"],
                consent=data["consent"],
                actor=request.user,
            )
        except PROBLEMS as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. A driver will bring your kits to your door."))
            return redirect("dropoffs:doorstep")
    return render(
        request,
        "dropoffs/doorstep.html",
        {
            "form": form,
            "maker": maker,
            "current": current,
            "offered": maker.age_band == Maker.AgeBand.OVER_70,
            "hub_offers": maker.hub.offers_doorstep_visits,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.MAKER)
def doorstep_stop(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    try:
        services.doorstep_stop(maker=maker, actor=request.user)
    except PROBLEMS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Doorstep visits stopped. We have deleted your address."))
    return redirect("dropoffs:doorstep")
