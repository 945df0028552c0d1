"""The maker's own pages on /me/ (ready for a kit, what she has made, her details, away and
back, stopping) and the group leader's page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from makers import guardian_services, selectors, services
from makers.forms import AwayForm, ConfirmForm, DetailsForm
from makers.services import MakerError
from makers.views.common import GET_POST, _own_maker, _show_hub
from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import has_role, role_required


@require_GET
@role_required(Role.MAKER, Role.GROUP_LEADER)
def me(request: HttpRequest) -> HttpResponse:
    maker = selectors.maker_for_user(user=request.user)
    # Leading a group comes with the group-leader role: no query for every other maker.
    groups = (
        list(selectors.groups_led_by(user=request.user))
        if has_role(request.user, Role.GROUP_LEADER)
        else []
    )
    if maker is None:
        if groups:
            return redirect("makers:group")
        raise PermissionDenied(_("This page is for makers."))
    _show_hub(request, maker.hub)
    kits = selectors.kits_for_maker(maker=maker)
    for kit in kits:
        kit.next_step = selectors.kit_next_step(kit)
    return render(
        request,
        "makers/me.html",
        {
            "maker": maker,
            "kits": kits,
            "groups": groups,
            "impact": selectors.maker_impact(maker=maker),
            "progress": selectors.hub_progress(hub=maker.hub),
            "guardian": guardian_services.guardian_state(maker=maker),
            "doorstep": selectors.doorstep_offer(maker=maker),
        },
    )


@require_POST
@role_required(Role.MAKER)
def ready_for_kit(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    try:
        services.maker_ready_for_kit(maker=maker, actor=request.user)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Thank you! We will tell you when a kit is ready for you to collect.")
        )
    return redirect("makers:me")


@require_GET
@role_required(Role.MAKER)
def impact(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    return render(
        request,
        "makers/impact.html",
        {
            "maker": maker,
            "impact": selectors.maker_impact(maker=maker),
            "progress": selectors.hub_progress(hub=maker.hub),
        },
    )


@GET_POST
@role_required(Role.MAKER)
def details(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    initial = {
        "name": maker.name,
        "email": maker.email,
        "phone": maker.phone,
        "postcode": maker.postcode,
        "preferred_channel": maker.preferred_channel,
        "sets_per_week": maker.sets_per_week,
        "preferred_point": maker.preferred_point_id,
        "needs_doorstep_collection": maker.needs_doorstep_collection,
        "guardian_name": maker.guardian_name,
        "guardian_contact": maker.guardian_contact,
    }
    form = DetailsForm(
        request.POST if request.method == "POST" else None, maker=maker, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_details_update(maker=maker, actor=request.user, **form.cleaned_data)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("makers:details")
    return render(request, "makers/details.html", {"maker": maker, "form": form})


@GET_POST
@role_required(Role.MAKER)
def away(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = AwayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        until = timezone.localdate() + timedelta(weeks=form.cleaned_data["weeks"])
        try:
            services.maker_away(maker=maker, actor=request.user, until=until)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Enjoy your break. We will not send you a kit until you are back.")
            )
            return redirect("makers:me")
    return render(request, "makers/away.html", {"maker": maker, "form": form})


@require_POST
@role_required(Role.MAKER)
def back(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    try:
        services.maker_back(maker=maker, actor=request.user)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Welcome back!"))
    return redirect("makers:me")


@GET_POST
@role_required(Role.MAKER)
def withdraw(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, I want to stop sewing for the hub"),
        required_message=_("Tick the box to say you want to stop."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_withdraw(maker=maker, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(
                request, _("Thank you for all you have done. You have stopped sewing for the hub.")
            )
            return redirect("home")
    return render(request, "makers/withdraw.html", {"maker": maker, "form": form})


@require_GET
@role_required(Role.GROUP_LEADER)
def group(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_led_by(user=request.user).select_related("hub"))
    if groups:
        _show_hub(request, groups[0].hub)
    rows = [
        {
            "group": g,
            "kits": list(selectors.group_kits(group=g)[:50]),
            "output": selectors.group_output(group=g),
        }
        for g in groups
    ]
    return render(request, "makers/group.html", {"rows": rows})
