"""Stock and goods in (/hub/stock/): fabric lots, pre-cut pieces, recording what came in,
and donations with their thank-you letters."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from packages.models import Donation
from packages.services import StockError, donation_thank
from scrubhub import once
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs import selectors, services
from scrubhub.hubs.forms import (
    DonationsQuery,
    GoodsInForm,
)
from scrubhub.hubs.permissions import (
    hub_staff_required,
)


@require_GET
@hub_staff_required
def stock(request: HttpRequest) -> HttpResponse:
    summary = selectors.stock_summary(hub=request.hub)
    unthanked = selectors.donations_for_hub(hub=request.hub, unthanked_only=True).count()
    return render(
        request,
        "backoffice/stock/stock.html",
        {"hub": request.hub, "summary": summary, "unthanked": unthanked},
    )


@require_GET
@hub_staff_required
def fabric_lots(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.fabric_lots_for_hub(hub=request.hub))
    return render(request, "backoffice/stock/fabric_lots.html", {"hub": request.hub, "page": page})


@require_GET
@hub_staff_required
def precut_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.precut_for_hub(hub=request.hub))
    return render(request, "backoffice/stock/precut_list.html", {"hub": request.hub, "page": page})


@require_GET
@hub_staff_required
def donations(request: HttpRequest) -> HttpResponse:
    unthanked_only = DonationsQuery.read(request)["show"] == "unthanked"
    page = page_of(
        request, selectors.donations_for_hub(hub=request.hub, unthanked_only=unthanked_only)
    )
    return render(
        request,
        "backoffice/stock/donations.html",
        {"hub": request.hub, "page": page, "unthanked_only": unthanked_only},
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def goods_in(request: HttpRequest) -> HttpResponse:
    form = GoodsInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                donation = services.goods_in_record(
                    hub=request.hub, actor=request.user, **form.service_kwargs()
                )
                sent.done_url = reverse("hubs:donations")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except services.HubError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Goods in from %(donor)s are recorded.") % {"donor": donation.donor_name},
            )
            return redirect("hubs:donations")
    status = 400 if form.is_bound else 200
    return render(
        request, "backoffice/stock/goods_in.html", {"hub": request.hub, "form": form}, status=status
    )


def _donation(request: HttpRequest, pk: int) -> Donation:
    return get_object_or_404(Donation.objects.select_related("thanked_by"), pk=pk, hub=request.hub)


@require_POST
@hub_staff_required
def donation_thanked(request: HttpRequest, pk: int) -> HttpResponse:
    donation = _donation(request, pk)
    try:
        donation_thank(hub=request.hub, donation=donation, actor=request.user)
    except StockError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(donor)s is marked as thanked.") % {"donor": donation.donor_name}
        )
    return redirect("hubs:donations")


@require_GET
@hub_staff_required
def donation_letter(request: HttpRequest, pk: int) -> HttpResponse:
    donation = _donation(request, pk)
    return render(
        request,
        "backoffice/stock/donation_letter.html",
        {"hub": request.hub, "donation": donation, "signer": request.user},
    )
