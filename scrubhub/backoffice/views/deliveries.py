"""The hub's side of deliveries to the hospital (/hub/deliveries/: build, pack, send,
cancel, resolve) and the wash failures the laundry reported (/hub/wash-failures/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from packages import selectors, services
from packages.forms import (
    NewDeliveryForm,
    PackForm,
    ResolveForm,
    WashFailureLookForm,
)
from packages.models import (
    Delivery,
    DeliveryLine,
    WashFailure,
    garment_size_order,
)
from packages.services import PackagesError
from scrubhub import once
from scrubhub.backoffice.pages import PAGE_SIZE, page_of
from scrubhub.hubs.permissions import hub_staff_required


def _posted(request):
    """The form's data on a POST (even an empty one, so it is checked), else None."""
    return request.POST if request.method == "POST" else None


def _refused(form, error: PackagesError) -> None:
    """The service said no: its sentence goes at the top of the form; nothing was saved."""
    form.add_error(None, str(error))


def _staff_delivery(request, pk: int) -> Delivery:
    """One of the user's hubs' deliveries (404 for another hub's); the page then shows that
    delivery's hub in the header."""
    delivery = get_object_or_404(selectors.deliveries_for_staff(user=request.user), pk=pk)
    request.hub = delivery.hub
    return delivery


@require_GET
@hub_staff_required
def hub_deliveries(request: HttpRequest) -> HttpResponse:
    deliveries = selectors.deliveries_for_hub(hub=request.hub).select_related("hospital")
    S = Delivery.Status
    return render(
        request,
        "backoffice/deliveries/deliveries.html",
        {
            "hub": request.hub,
            "packing": deliveries.filter(status=S.DRAFT).order_by("-created_at", "-pk")[:50],
            "sent": deliveries.filter(status=S.SENT).order_by("-sent_at", "-pk")[:50],
            "discrepancies": selectors.deliveries_with_discrepancy(hub=request.hub)[:50],
            "page": page_of(
                request,
                deliveries.filter(status=S.RECEIVED).order_by("-received_at", "-pk"),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def hub_delivery_new(request: HttpRequest) -> HttpResponse:
    form = NewDeliveryForm(_posted(request), hub=request.hub)
    hospitals = list(form.fields["hospital"].queryset)
    if len(hospitals) == 1:
        form.fields["hospital"].initial = hospitals[0].pk
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                delivery = services.delivery_create(
                    hub=request.hub, hospital=form.cleaned_data["hospital"], actor=request.user
                )
                sent.done_url = reverse("packages:hub_delivery", kwargs={"pk": delivery.pk})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            return redirect("packages:hub_delivery", pk=delivery.pk)
    return render(
        request,
        "backoffice/deliveries/delivery_new.html",
        {"form": form, "hub": request.hub, "hospitals": hospitals},
    )


def _hub_delivery_page(request, delivery: Delivery, *, pack_form=None, status=200):
    context = {"delivery": delivery, "trace": selectors.delivery_trace(delivery=delivery)}
    if delivery.status == Delivery.Status.DRAFT:
        rows = selectors.pack_rows(delivery=delivery)
        context["pack_form"] = pack_form or PackForm(rows=rows)
    return render(request, "backoffice/deliveries/delivery.html", context, status=status)


@require_GET
@hub_staff_required
def hub_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    return _hub_delivery_page(request, _staff_delivery(request, pk))


@require_POST
@hub_staff_required
def hub_delivery_pack(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    if delivery.status != Delivery.Status.DRAFT:
        messages.error(request, _("This delivery has left the hub, so nothing more can go in."))
        return redirect("packages:hub_delivery", pk=delivery.pk)
    form = PackForm(request.POST, rows=selectors.pack_rows(delivery=delivery))
    if form.is_valid():
        try:
            with once.claim(form) as sent:
                services.delivery_pack(delivery=delivery, counts=form.counts(), actor=request.user)
                sent.done_url = reverse("packages:hub_delivery", args=[delivery.pk])
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except PackagesError as error:
            _refused(form, error)
        else:
            packed = sum(form.counts().values())
            messages.success(
                request,
                ngettext("%(count)s garment packed.", "%(count)s garments packed.", packed)
                % {"count": packed},
            )
            return redirect("packages:hub_delivery", pk=delivery.pk)
    return _hub_delivery_page(request, delivery, pack_form=form)


@require_POST
@hub_staff_required
def hub_delivery_unpack(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    line = get_object_or_404(DeliveryLine.objects.filter(delivery=delivery), pk=line_pk)
    try:
        services.delivery_line_unpack(line=line, actor=request.user)
    except PackagesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(garment)s in size %(size)s taken out of the delivery.")
            % {"garment": line.get_garment_type_display(), "size": line.size},
        )
    return redirect("packages:hub_delivery", pk=delivery.pk)


@require_GET
@hub_staff_required
def hub_delivery_note(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    lines = list(delivery.lines.filter(count_sent__gt=0).order_by(*garment_size_order()))
    return render(
        request,
        "backoffice/deliveries/delivery_note.html",
        {
            "delivery": delivery,
            "lines": lines,
            "total": sum(line.count_sent for line in lines),
        },
    )


@require_POST
@hub_staff_required
def hub_delivery_send(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    try:
        services.delivery_send(delivery=delivery, actor=request.user)
    except PackagesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Delivery %(ref)s is on its way. The laundry can now confirm it.")
            % {"ref": delivery.reference},
        )
    return redirect("packages:hub_delivery", pk=delivery.pk)


@require_POST
@hub_staff_required
def hub_delivery_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    try:
        services.delivery_cancel(delivery=delivery, actor=request.user)
    except PackagesError as error:
        messages.error(request, str(error))
        return redirect("packages:hub_delivery", pk=delivery.pk)
    messages.success(
        request,
        _("Delivery %(ref)s is cancelled; its garments are free to pack again.")
        % {"ref": delivery.reference},
    )
    return redirect("packages:hub_deliveries")


@require_http_methods(["GET", "POST"])
@hub_staff_required
def hub_delivery_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    if not delivery.has_discrepancy or delivery.discrepancy_resolved_at:
        messages.info(request, _("This delivery has no difference to sort out."))
        return redirect(reverse("packages:hub_delivery", kwargs={"pk": delivery.pk}))
    form = ResolveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.delivery_discrepancy_resolve(
                delivery=delivery, actor=request.user, note=form.cleaned_data["note"]
            )
        except PackagesError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Marked as sorted out."))
            return redirect("packages:hub_delivery", pk=delivery.pk)
    return render(
        request,
        "backoffice/deliveries/delivery_resolve.html",
        {
            "delivery": delivery,
            "form": form,
            "lines": list(delivery.lines.order_by(*garment_size_order())),
        },
    )


def _with_makers(failures: list) -> list:
    """Each failure with `sewn_by`: the assignment of the maker or group who sewed its kit."""
    holders = selectors.wash_failure_makers(failures)
    for failure in failures:
        failure.sewn_by = holders.get(failure.kit_id)
    return failures


@require_GET
@hub_staff_required
def hub_wash_failures(request: HttpRequest) -> HttpResponse:
    failures = selectors.wash_failures_for_hub(hub=request.hub)
    page = page_of(
        request,
        failures.filter(status=WashFailure.Status.LOOKED_AT)
        .select_related("looked_at_by")
        .order_by("-looked_at_at", "-pk"),
    )
    _with_makers(page.object_list)
    return render(
        request,
        "backoffice/deliveries/wash_failures.html",
        {
            "hub": request.hub,
            "to_look_at": _with_makers(
                list(selectors.wash_failures_to_look_at(hub=request.hub)[:PAGE_SIZE])
            ),
            "page": page,
        },
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def hub_wash_failure(request: HttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(
        selectors.wash_failures_for_hub(hub=request.hub).select_related(
            "looked_at_by", "reported_by"
        ),
        pk=pk,
    )
    form = WashFailureLookForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.wash_failure_look_at(
                failure=failure, actor=request.user, note=form.cleaned_data["note"]
            )
        except PackagesError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, _("Marked as looked at."))
        return redirect("packages:hub_wash_failures")
    (failure,) = _with_makers([failure])
    return render(
        request,
        "backoffice/deliveries/wash_failure.html",
        {"failure": failure, "form": form},
    )
