"""The maker's kits on /me/kits/: a kit's page, logging finished garments, planning its
return, giving it back unfinished and reporting a problem with it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from makers import selectors, services
from makers.forms import GiveBackForm, ProblemForm, ProgressForm, ReturnForm
from makers.services import MakerError
from makers.views.common import GET_POST, _own_kit
from packages.services import PackagesError
from scrubhub import once
from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import role_required


@require_GET
@role_required(Role.MAKER)
def kit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Her kit, and the page its label's code opens for her: she logs what she has finished
    and says where and when she brings it back here, as from /me/."""
    from packages.models import Kit

    maker, kit = _own_kit(request, code)
    kit.next_step = selectors.kit_next_step(kit)
    forms = {}
    if kit.status == Kit.Status.WITH_MAKER and kit.qty_with_maker:
        if kit.finished_count < kit.garment_count:
            forms["progress_form"] = ProgressForm(kit=kit)
        if kit.finished_count:
            forms["return_form"] = ReturnForm(maker=maker, plan=kit.open_plan)
    doorstep = selectors.doorstep_offer(maker=maker)
    return render(
        request, "makers/kit.html", {"maker": maker, "kit": kit, "doorstep": doorstep, **forms}
    )


def _kit_form_page(request, template: str, maker, kit, form, **extra) -> HttpResponse:
    return render(request, template, {"maker": maker, "kit": kit, "form": form, **extra})


def _not_with_maker(request, kit) -> HttpResponse | None:
    from packages.models import Kit

    if kit.status != Kit.Status.WITH_MAKER or kit.qty_with_maker == 0:
        messages.info(request, _("There is nothing to do on that page for this kit now."))
        return redirect("makers:kit", code=kit.code)
    return None


@GET_POST
@role_required(Role.MAKER)
def kit_progress(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = ProgressForm(request.POST if request.method == "POST" else None, kit=kit)
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.kit_progress_record(
                maker=maker,
                kit=kit,
                finished=form.cleaned_data["finished"],
                seen=form.cleaned_data["seen"],
                actor=request.user,
            )
        except (MakerError, PackagesError) as error:
            form.add_error(None, str(error))
        else:
            if kit.finished_count >= kit.garment_count:
                messages.success(
                    request, _("Well done: all %(n)s finished!") % {"n": kit.garment_count}
                )
                return redirect("makers:kit_return", code=kit.code)
            messages.success(
                request,
                _("Thank you. You have finished %(done)s of %(all)s.")
                % {"done": kit.finished_count, "all": kit.garment_count},
            )
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_progress.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_return(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = ReturnForm(
        request.POST if request.method == "POST" else None, maker=maker, plan=kit.open_plan
    )
    if request.method == "POST" and form.is_valid():
        try:
            # A second plan would replace the first and thank her twice.
            with once.claim(form) as sent:
                plan = services.return_plan_make(
                    maker=maker,
                    kit=kit,
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    **form.place(),
                )
                sent.done_url = reverse("makers:me")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, _("Thank you. We will expect it then."))
            kit.open_plan = plan
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_return.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_give_back(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = GiveBackForm(
        request.POST if request.method == "POST" else None, maker=maker, plan=kit.open_plan
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.return_plan_make(
                    maker=maker,
                    kit=kit,
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    unfinished=True,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    **form.place(),
                )
                sent.done_url = reverse("makers:me")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(
                request,
                _("Thank you for telling us. Bring the kit back as planned; that is a big help."),
            )
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_give_back.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_problem(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    form = ProblemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.kit_problem_report(
                    maker=maker,
                    kit=kit,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    actor=request.user,
                )
                sent.done_url = reverse("makers:kit", kwargs={"code": kit.code})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Thank you. The hub has your message and will get back to you.")
            )
            return redirect("makers:kit", code=kit.code)
    return _kit_form_page(request, "makers/kit_problem.html", maker, kit, form)
