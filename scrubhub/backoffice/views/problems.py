"""The problems makers reported with a kit (/hub/volunteers/problems/): the list, one
problem, and resolving it with an answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from makers import services, staff_selectors
from makers.models import KitProblem, Maker
from makers.services import MakerError
from makers.staff_forms import (
    AnswerForm,
    ProblemFilterForm,
)
from scrubhub.backoffice.pages import GET_POST, page_of, render_for_hub
from scrubhub.hubs.permissions import hub_staff_required


@require_GET
@hub_staff_required
def problems(request: HttpRequest) -> HttpResponse:
    form = ProblemFilterForm(request.GET or None)
    show = form.cleaned_data.get("show") if form.is_valid() else ""
    show = show or "open"
    found = staff_selectors.problems_for_hub(hub=request.hub, show=show)
    page = page_of(request, found)
    return render_for_hub(
        request,
        "backoffice/problems/problems.html",
        {"page": page, "show": show, "shows": ProblemFilterForm.SHOWS},
    )


def _problem(request: HttpRequest, pk: int) -> KitProblem:
    problem = staff_selectors.problem_for_staff(hub=request.hub, pk=pk)
    if problem is None:
        raise Http404
    return problem


@GET_POST
@hub_staff_required
def problem(request: HttpRequest, pk: int) -> HttpResponse:
    found = _problem(request, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if found.maker.status == Maker.Status.ERASED:
                raise MakerError(_("This maker's details were erased, so we cannot reach them."))
            services.kit_problem_answer(
                problem=found, answer=form.cleaned_data["answer"], actor=request.user
            )
        except MakerError as error:
            form.add_error("answer", str(error))
        else:
            messages.success(
                request,
                _("Your answer is on its way to %(name)s.") % {"name": found.maker.name},
            )
            return redirect("makers:staff_problem", pk=found.pk)
    status = 400 if form.is_bound else 200
    return render_for_hub(
        request, "backoffice/problems/problem.html", {"problem": found, "form": form}, status
    )


@require_POST
@hub_staff_required
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _problem(request, pk)
    try:
        services.kit_problem_resolve(problem=found, actor=request.user)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The problem is marked as sorted out."))
    return redirect("makers:staff_problems")
