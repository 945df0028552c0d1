"""The laundry's pages (/laundry/); the hub's side of deliveries is in the back office
(scrubhub/backoffice/views/deliveries.py).

Thin: each view fetches and authorises in one call (another hospital's or hub's row is a
404), calls one service, and shows the service's sentence when it refuses. The laundry's
pages never load a maker, a group or an assignment, not even into the template context.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from packages import selectors, services
from packages.forms import (
    CirculationForm,
    ConfirmDeliveryForm,
    DemandChangeForm,
    NewQualityRequirementForm,
    NoteForm,
    QualityRequirementForm,
    SizeRunForm,
    WashFailureForm,
)
from packages.models import (
    Delivery,
    DemandLine,
    QualityRequirement,
    garment_size_order,
)
from packages.services import PackagesError
from scrubhub import once
from scrubhub.hubs.permissions import laundry_hospitals

PAGE_SIZE = 50
SESSION_HOSPITAL_KEY = "scrubhub_hospital_id"


# --- The laundry ----------------------------------------------------------------------------


def laundry_required(view):
    """Lets laundry staff in, with request.hospital set to the hospital they are working for
    (the one they chose, else their first) and request.hub to a hub that supplies it, so
    every page shows whom to call."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        hospitals = laundry_hospitals(request.user)
        if not hospitals:
            raise PermissionDenied("This page is for hospital laundry staff.")
        chosen = request.session.get(SESSION_HOSPITAL_KEY)
        request.hospital = next((h for h in hospitals if h.pk == chosen), hospitals[0])
        request.hospitals = hospitals
        request.hub = request.hospital.hubs.order_by("name").first()
        return view(request, *args, **kwargs)

    return wrapped


def _posted(request):
    """The form's data on a POST (even an empty one, so it is checked), else None."""
    return request.POST if request.method == "POST" else None


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _refused(form, error: PackagesError) -> None:
    """The service said no: its sentence goes at the top of the form; nothing was saved."""
    form.add_error(None, str(error))


@require_GET
@laundry_required
def laundry_home(request: HttpRequest) -> HttpResponse:
    hospital = request.hospital
    expected = list(
        selectors.deliveries_for_laundry(user=request.user)
        .filter(hospital=hospital, status=Delivery.Status.SENT)
        .order_by("sent_at", "pk")[:20]
    )
    open_count = DemandLine.objects.filter(hospital=hospital, status=DemandLine.Status.OPEN).count()
    return render(
        request,
        "packages/laundry_home.html",
        {
            "hospital": hospital,
            "hospitals": request.hospitals,
            "expected": expected,
            "open_count": open_count,
        },
    )


@require_POST
@laundry_required
def laundry_switch(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("hospital", ""))
    except ValueError:
        raise Http404 from None
    hospital = next((h for h in request.hospitals if h.pk == wanted), None)
    if hospital is None:
        raise Http404
    request.session[SESSION_HOSPITAL_KEY] = hospital.pk
    return redirect("packages:laundry_home")


@require_GET
@laundry_required
def demand_list(request: HttpRequest) -> HttpResponse:
    figures = selectors.open_demand_figures(hospital=request.hospital)
    return render(
        request,
        "packages/laundry_demand.html",
        {
            "hospital": request.hospital,
            "page": _page(request, figures),
            "total_needed": sum(f.still_needed for f in figures),
        },
    )


@require_GET
@laundry_required
def demand_past(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "packages/laundry_demand_past.html",
        {
            "hospital": request.hospital,
            "page": _page(request, selectors.closed_demand(hospital=request.hospital)),
        },
    )


@require_http_methods(["GET", "POST"])
@laundry_required
def demand_new(request: HttpRequest) -> HttpResponse:
    form = SizeRunForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                lines = services.demand_record(
                    hospital=request.hospital,
                    garment_types=form.garment_types(),
                    quantities=form.quantities(),
                    priority=form.cleaned_data["priority"],
                    needed_by=form.cleaned_data["needed_by"],
                    requirements=form.cleaned_data["requirements"],
                    actor=request.user,
                )
                sent.done_url = reverse("packages:laundry_demand")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            total = sum(line.quantity for line in lines)
            messages.success(
                request,
                ngettext(
                    "Your request for %(count)s garment has been sent to the hub.",
                    "Your request for %(count)s garments has been sent to the hub.",
                    total,
                )
                % {"count": total},
            )
            return redirect("packages:laundry_demand")
    return render(
        request, "packages/laundry_demand_new.html", {"form": form, "hospital": request.hospital}
    )


def _laundry_line(request, pk: int) -> DemandLine:
    return get_object_or_404(
        selectors.demand_lines_for_laundry(user=request.user).select_related("hospital"), pk=pk
    )


def _change_rows(change) -> list[tuple[str, str, str]]:
    """A history row's changes in words: ("How many", "100", "120")."""
    labels = {
        "quantity": _("How many"),
        "priority": _("Priority"),
        "needed_by": _("Needed by"),
        "requirements": _("Must have"),
        "status": _("Status"),
    }
    choices = {
        "priority": dict(DemandLine.Priority.choices),
        "status": dict(DemandLine.Status.choices),
    }
    rows = []
    for name, values in change.changes.items():
        old, new = (list(values) + [None, None])[:2]
        names = choices.get(name, {})
        rows.append(
            (
                str(labels.get(name, name)),
                str(names.get(old, old)) if old not in (None, "") else "—",
                str(names.get(new, new)) if new not in (None, "") else "—",
            )
        )
    return rows


@require_GET
@laundry_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = _laundry_line(request, pk)
    return render(
        request,
        "packages/laundry_demand_detail.html",
        {
            "line": line,
            "figures": selectors.demand_line_figures(line=line),
            "history": [
                (change, _change_rows(change)) for change in selectors.demand_history(line=line)
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@laundry_required
def demand_change(request: HttpRequest, pk: int) -> HttpResponse:
    line = _laundry_line(request, pk)
    if line.status != DemandLine.Status.OPEN:
        messages.info(request, _("This request is closed, so it cannot be changed."))
        return redirect("packages:laundry_demand_detail", pk=line.pk)
    form = DemandChangeForm(_posted(request), line=line)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.demand_change(
                line=line,
                actor=request.user,
                quantity=form.cleaned_data["quantity"],
                priority=form.cleaned_data["priority"],
                needed_by=form.cleaned_data["needed_by"],
                requirements=form.cleaned_data["requirements"],
                note=form.cleaned_data["note"],
            )
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Your request has been changed."))
            return redirect("packages:laundry_demand_detail", pk=line.pk)
    return render(request, "packages/laundry_demand_change.html", {"line": line, "form": form})


@require_http_methods(["GET", "POST"])
@laundry_required
def demand_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    line = _laundry_line(request, pk)
    form = NoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_withdraw(line=line, actor=request.user, note=form.cleaned_data["note"])
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The request has been withdrawn."))
            return redirect("packages:laundry_demand")
    return render(request, "packages/laundry_demand_withdraw.html", {"line": line, "form": form})


@require_http_methods(["GET", "POST"])
@laundry_required
def circulation(request: HttpRequest) -> HttpResponse:
    hospital = request.hospital
    form = CirculationForm(_posted(request), initial={"sets": hospital.sets_in_circulation})
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.circulation_record(
                    hospital=hospital, sets=form.cleaned_data["sets"], actor=request.user
                )
                sent.done_url = reverse("packages:laundry_home")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Thank you. The number of sets in use is saved."))
            return redirect("packages:laundry_home")
    history = hospital.circulation_records.select_related("recorded_by")[:10]
    return render(
        request,
        "packages/laundry_circulation.html",
        {"form": form, "hospital": hospital, "history": history},
    )


@require_GET
@laundry_required
def quality_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "packages/laundry_quality.html",
        {
            "hospital": request.hospital,
            "requirements": selectors.quality_requirements_for_hospital(hospital=request.hospital),
        },
    )


def _laundry_requirement(request, pk: int) -> QualityRequirement:
    hospitals = [h.pk for h in laundry_hospitals(request.user)]
    return get_object_or_404(
        QualityRequirement.objects.filter(hospital__in=hospitals, is_active=True), pk=pk
    )


@require_http_methods(["GET", "POST"])
@laundry_required
def quality_new(request: HttpRequest) -> HttpResponse:
    form = NewQualityRequirementForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.quality_requirement_add(
                    hospital=request.hospital, actor=request.user, **form.requirement()
                )
                sent.done_url = reverse("packages:laundry_quality")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Saved. The hub and the makers will see it."))
            return redirect("packages:laundry_quality")
    return render(request, "packages/laundry_quality_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@laundry_required
def quality_change(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _laundry_requirement(request, pk)
    form = QualityRequirementForm(
        _posted(request),
        initial={
            "title": requirement.title,
            "garment_type": requirement.garment_type,
            "detail": requirement.detail,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quality_requirement_change(
                requirement=requirement, actor=request.user, **form.cleaned_data
            )
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Your change is saved."))
            return redirect("packages:laundry_quality")
    return render(
        request,
        "packages/laundry_quality_form.html",
        {"form": form, "requirement": requirement},
    )


@require_POST
@laundry_required
def quality_remove(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _laundry_requirement(request, pk)
    try:
        services.quality_requirement_remove(requirement=requirement, actor=request.user)
    except PackagesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Removed: %(title)s.") % {"title": requirement.title})
    return redirect("packages:laundry_quality")


@require_GET
@laundry_required
def laundry_deliveries(request: HttpRequest) -> HttpResponse:
    deliveries = selectors.deliveries_for_laundry(user=request.user).filter(
        hospital=request.hospital
    )
    expected = list(deliveries.filter(status=Delivery.Status.SENT).order_by("sent_at", "pk")[:50])
    received = deliveries.filter(status=Delivery.Status.RECEIVED).order_by("-received_at", "-pk")
    return render(
        request,
        "packages/laundry_deliveries.html",
        {
            "expected": expected,
            "page": _page(request, received),
            "in_all": selectors.delivered_figures(hospital=request.hospital),
        },
    )


def _laundry_delivery(request, pk: int) -> Delivery:
    return get_object_or_404(selectors.deliveries_for_laundry(user=request.user), pk=pk)


@require_GET
@laundry_required
def laundry_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _laundry_delivery(request, pk)
    lines = selectors.delivery_lines_for_laundry(delivery=delivery)
    return render(
        request,
        "packages/laundry_delivery.html",
        {
            "delivery": delivery,
            "lines": lines,
            "total_sent": sum(line.count_sent for line in lines),
            "total_received": sum(line.count_received or 0 for line in lines),
        },
    )


@require_http_methods(["GET", "POST"])
@laundry_required
def laundry_delivery_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _laundry_delivery(request, pk)
    if delivery.status == Delivery.Status.RECEIVED and request.method == "GET":
        messages.info(request, _("This delivery has already been confirmed."))
        return redirect("packages:laundry_delivery", pk=delivery.pk)
    lines = list(delivery.lines.filter(count_sent__gt=0).order_by(*garment_size_order()))
    form = ConfirmDeliveryForm(_posted(request), lines=lines)
    if request.method == "POST" and form.is_valid():
        received = form.received()
        # Lines with nothing in them (a size taken back out while packing) arrived as sent.
        for line in delivery.lines.filter(count_sent=0):
            received[line.pk] = 0
        try:
            services.delivery_confirm(
                delivery=delivery,
                received=received,
                actor=request.user,
                discrepancy_note=form.cleaned_data["discrepancy_note"],
                thank_you_note=form.cleaned_data["thank_you_note"],
            )
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("Thank you. Delivery %(ref)s is confirmed.") % {"ref": delivery.reference},
            )
            return redirect("packages:laundry_delivery", pk=delivery.pk)
    return render(
        request,
        "packages/laundry_delivery_confirm.html",
        {"delivery": delivery, "form": form},
    )


@require_http_methods(["GET", "POST"])
@laundry_required
def wash_failure_new(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _laundry_delivery(request, pk)
    if delivery.status != Delivery.Status.RECEIVED:
        messages.info(
            request, _("You can report wash failures once the delivery has been confirmed.")
        )
        return redirect("packages:laundry_delivery", pk=delivery.pk)
    lines = [
        line
        for line in selectors.delivery_lines_for_laundry(delivery=delivery)
        if line.count_received
    ]
    kits = selectors.delivery_kits_for_laundry(delivery=delivery)
    form = WashFailureForm(_posted(request), lines=lines, kits=kits)
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.wash_failure_report(
                    delivery=delivery,
                    line=form.chosen_line(),
                    count=form.cleaned_data["count"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    kit_code=form.cleaned_data["kit_code"],
                    actor=request.user,
                )
                sent.done_url = reverse("packages:laundry_delivery", kwargs={"pk": delivery.pk})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Thank you. The hub will look into it."))
            return redirect("packages:laundry_delivery", pk=delivery.pk)
    return render(
        request,
        "packages/laundry_wash_failure.html",
        {"delivery": delivery, "form": form, "lines": lines},
    )


# --- The hub's deliveries -------------------------------------------------------------------


# --- Wash failures the laundry reported (the hub's side) ------------------------------------
