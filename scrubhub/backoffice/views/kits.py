"""Kits (/hub/kits/...): the list, preparing a batch, batches, labels, each kit's sewing
sheet and the instructions. Thin: each view fetches through a selector scoped to
request.hub (404 for anything of another hub) and writes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from packages.models import FabricLot, GarmentType, Kit, PrecutStock, Size
from packages.selectors import kit_for_staff
from packages.services import StockError, kits_prepare, pattern_for
from scrubhub import once
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs import selectors
from scrubhub.hubs.forms import (
    ConfirmForm,
    KitsQuery,
    PrepareForm,
    PrepareLinkQuery,
)
from scrubhub.hubs.labels import kit_url, qr_svg
from scrubhub.hubs.permissions import (
    hub_staff_required,
)

# --- Dashboard, hub switcher, shift notes -------------------------------------------------


# --- Stock and goods in ---------------------------------------------------------------------


# --- Kits: the list, preparing a batch, labels ----------------------------------------------

KIT_VIEW_TITLES = {
    "open": gettext_lazy("Kits in use"),
    "prepared": gettext_lazy("Kits on the shelf"),
    "allocated": gettext_lazy("Kits waiting to be collected"),
    "with_maker": gettext_lazy("Kits with makers"),
    "overdue": gettext_lazy("Overdue kits"),
}


@require_GET
@hub_staff_required
def kits(request: HttpRequest) -> HttpResponse:
    show = KitsQuery.read(request)["show"]
    page = page_of(request, selectors.kits_list(hub=request.hub, view=show))
    views = list(KIT_VIEW_TITLES.items())
    return render(
        request,
        "backoffice/kits/kits.html",
        {
            "hub": request.hub,
            "page": page,
            "rows": selectors.kit_list_rows(page.object_list),
            "show": show,
            "views": views,
            "title": KIT_VIEW_TITLES[show],
        },
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def prepare(request: HttpRequest) -> HttpResponse:
    """Step one: GET shows the form (filled in from the plan's links); a valid POST shows the
    draw for confirming and changes nothing."""
    if request.method == "GET":
        initial = {
            key: value
            for key, value in PrepareLinkQuery.read(request).items()
            if value not in ("", None)
        }
        form = PrepareForm(hub=request.hub, initial=initial)
        return render(request, "backoffice/kits/prepare.html", {"hub": request.hub, "form": form})
    form = PrepareForm(request.POST, hub=request.hub)
    if not form.is_valid():
        return render(
            request, "backoffice/kits/prepare.html", {"hub": request.hub, "form": form}, status=400
        )
    return _preview(request, form)


def _preview(request: HttpRequest, form: PrepareForm, *, error: str = "", status: int = 200):
    data = form.cleaned_data
    draw = data["draw"]
    confirm = ConfirmForm(
        hub=request.hub,
        initial={
            "garment_type": data["garment_type"],
            "size": data["size"],
            "garments_per_kit": data["garments_per_kit"],
            "kit_count": data["kit_count"],
            "stock": draw.stock_value,
            "expected_left": draw.left,
        },
    )
    return render(
        request,
        "backoffice/kits/prepare_confirm.html",
        {
            "hub": request.hub,
            "data": data,
            "draw": draw,
            "garment_label": GarmentType(data["garment_type"]).label,
            "garments": data["garments_per_kit"] * data["kit_count"],
            "confirm": confirm,
            "error": error,
        },
        status=status,
    )


@require_POST
@hub_staff_required
def prepare_confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST, hub=request.hub)
    if not form.is_valid():
        # Bad input, or the stock ran out under them: step one again, with the reasons.
        step_one = PrepareForm(request.POST, hub=request.hub)
        if step_one.is_valid():
            stale = str(once.STALE_MESSAGE) if form.once_key is None else ""
            return _preview(request, step_one, error=stale, status=400)
        return render(
            request,
            "backoffice/kits/prepare.html",
            {"hub": request.hub, "form": step_one},
            status=400,
        )
    data = form.cleaned_data
    try:
        with once.claim(form) as sent:
            stock = data["stock_row"]
            batch = kits_prepare(
                hub=request.hub,
                garment_type=data["garment_type"],
                size=data["size"],
                garments_per_kit=data["garments_per_kit"],
                kit_count=data["kit_count"],
                precut_stock=stock if isinstance(stock, PrecutStock) else None,
                fabric_lot=stock if isinstance(stock, FabricLot) else None,
                expected_left=data["expected_left"],
                actor=request.user,
            )
            sent.done_url = reverse("hubs:batch", kwargs={"pk": batch.pk})
    except once.AlreadySent as repeat:
        return repeat.redirect(request)
    except StockError as error:
        fresh = PrepareForm(request.POST, hub=request.hub)
        if fresh.is_valid():
            return _preview(request, fresh, error=str(error), status=409)
        fresh.add_error(None, str(error))
        return render(
            request, "backoffice/kits/prepare.html", {"hub": request.hub, "form": fresh}, status=409
        )
    messages.success(
        request,
        _("%(count)s kits are ready. Print their labels and put one on each kit.")
        % {"count": batch.kit_count},
    )
    return redirect("hubs:batch", pk=batch.pk)


@require_GET
@hub_staff_required
def batches(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.batches_for_hub(hub=request.hub))
    return render(request, "backoffice/kits/batches.html", {"hub": request.hub, "page": page})


def _batch(request: HttpRequest, pk: int):
    batch = selectors.batch_for_staff(hub=request.hub, batch_id=pk)
    if batch is None:
        raise Http404
    return batch


@require_GET
@hub_staff_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = _batch(request, pk)
    kits = list(selectors.batch_kits(batch=found))
    return render(
        request, "backoffice/kits/batch.html", {"hub": request.hub, "batch": found, "kits": kits}
    )


def _label_rows(request: HttpRequest, kits: list[Kit], *, instructions: bool = False) -> list:
    """Each kit's label: its scan address, QR code and pattern (the kit's own, else the
    hub's for its garment and size), and with `instructions` that pattern's online
    instructions as a QR code, drawn once for each garment and size."""
    patterns: dict = {}
    instruction_qrs: dict = {}
    labels = []
    for kit in kits:
        key = (kit.garment_type, kit.size)
        if key not in patterns:
            patterns[key] = kit.pattern or pattern_for(
                hub=request.hub, garment_type=kit.garment_type, size=kit.size
            )
            found = patterns[key]
            instruction_qrs[key] = None
            if instructions and found is not None and found.instructions_url:
                instruction_qrs[key] = qr_svg(
                    found.instructions_url, title=_("QR code for the sewing instructions online")
                )
        url = kit_url(kit.code)
        labels.append(
            {
                "kit": kit,
                "url": url,
                "qr": qr_svg(url, title=_("QR code for kit %(code)s") % {"code": kit.display_code}),
                "pattern": patterns[key],
                "instructions_url": reverse("hubs:instructions", args=[kit.garment_type, kit.size]),
                "instructions_qr": instruction_qrs[key],
                "garment_label": kit.get_garment_type_display(),
            }
        )
    return labels


def _labels(request: HttpRequest, kits: list[Kit], *, back_url: str, sheets_url: str):
    return render(
        request,
        "backoffice/kits/labels.html",
        {
            "hub": request.hub,
            "labels": _label_rows(request, kits),
            "back_url": back_url,
            "sheets_url": sheets_url,
        },
    )


def _kit_sheets(request: HttpRequest, kits: list[Kit], *, back_url: str) -> HttpResponse:
    """Each kit's label on top of its sewing instructions, one A4 page a kit: the sheet
    goes in the bag with the label showing through, so nothing can be mixed up."""
    return render(
        request,
        "backoffice/kits/kit_sheets.html",
        {
            "hub": request.hub,
            "labels": _label_rows(request, kits, instructions=True),
            "back_url": back_url,
        },
    )


@require_GET
@hub_staff_required
def batch_labels(request: HttpRequest, pk: int) -> HttpResponse:
    found = _batch(request, pk)
    kits = list(selectors.batch_kits(batch=found).select_related("pattern"))
    return _labels(
        request,
        kits,
        back_url=reverse("hubs:batch", args=[found.pk]),
        sheets_url=reverse("hubs:batch_sheets", args=[found.pk]),
    )


@require_GET
@hub_staff_required
def batch_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    found = _batch(request, pk)
    kits = list(selectors.batch_kits(batch=found).select_related("pattern"))
    return _kit_sheets(request, kits, back_url=reverse("hubs:batch_labels", args=[found.pk]))


@require_GET
@hub_staff_required
def kit_label(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    return _labels(
        request,
        [kit],
        back_url=reverse("hubs:kits"),
        sheets_url=reverse("hubs:kit_sheet", args=[kit.code]),
    )


@require_GET
@hub_staff_required
def kit_sheet(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    return _kit_sheets(request, [kit], back_url=reverse("hubs:kit_label", args=[kit.code]))


@require_GET
@hub_staff_required
def instructions(request: HttpRequest, garment_type: str, size: str) -> HttpResponse:
    if garment_type not in GarmentType.values or size not in Size.values:
        raise Http404
    pattern = pattern_for(hub=request.hub, garment_type=garment_type, size=size)
    qr = None
    if pattern is not None and pattern.instructions_url:
        qr = qr_svg(pattern.instructions_url, title=_("QR code for the sewing instructions online"))
    return render(
        request,
        "backoffice/kits/instructions.html",
        {
            "hub": request.hub,
            "pattern": pattern,
            "garment_label": GarmentType(garment_type).label,
            "size": size,
            "qr": qr,
        },
    )


# --- The plan -------------------------------------------------------------------------------
