"""The hub staff pages under /hub/: dashboard, stock and goods in, preparing kits, labels,
the plan and shift notes. Thin: each view fetches through a selector scoped to request.hub
(404 for anything of another hub) and writes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from packages.models import Donation, GarmentType, Kit, Size
from packages.planning import fabric_metres_held, plan_for_hub, plan_totals
from packages.services import pattern_for
from scrubhub import once
from scrubhub.counting import CappedPaginator
from scrubhub.hubs import selectors, services
from scrubhub.hubs.forms import (
    ConfirmForm,
    DonationsQuery,
    GoodsInForm,
    KitsQuery,
    PlanQuery,
    PrepareForm,
    PrepareLinkQuery,
    ShiftNoteForm,
)
from scrubhub.hubs.labels import kit_url, qr_svg
from scrubhub.hubs.permissions import (
    SESSION_HUB_KEY,
    get_hub_for_staff,
    hub_staff_required,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, items) -> Page:
    return CappedPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Dashboard, hub switcher, shift notes -------------------------------------------------


@require_GET
@hub_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard_for_hub(hub=request.hub)
    for todo in board.todos:
        todo.url = reverse(todo.url_name) + todo.url_query
    return render(
        request,
        "hubs/dashboard.html",
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
    page = _page(request, selectors.shift_notes_for_hub(hub=request.hub))
    return render(
        request,
        "hubs/shift_notes.html",
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
    page = _page(request, selectors.shift_notes_for_hub(hub=request.hub))
    return render(
        request,
        "hubs/shift_notes.html",
        {"hub": request.hub, "page": page, "form": form},
        status=400,
    )


# --- Stock and goods in ---------------------------------------------------------------------


@require_GET
@hub_staff_required
def stock(request: HttpRequest) -> HttpResponse:
    summary = selectors.stock_summary(hub=request.hub)
    unthanked = selectors.donations_for_hub(hub=request.hub, unthanked_only=True).count()
    return render(
        request,
        "hubs/stock.html",
        {"hub": request.hub, "summary": summary, "unthanked": unthanked},
    )


@require_GET
@hub_staff_required
def fabric_lots(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.fabric_lots_for_hub(hub=request.hub))
    return render(request, "hubs/fabric_lots.html", {"hub": request.hub, "page": page})


@require_GET
@hub_staff_required
def precut_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.precut_for_hub(hub=request.hub))
    return render(request, "hubs/precut_list.html", {"hub": request.hub, "page": page})


@require_GET
@hub_staff_required
def donations(request: HttpRequest) -> HttpResponse:
    unthanked_only = DonationsQuery.read(request)["show"] == "unthanked"
    page = _page(
        request, selectors.donations_for_hub(hub=request.hub, unthanked_only=unthanked_only)
    )
    return render(
        request,
        "hubs/donations.html",
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
    return render(request, "hubs/goods_in.html", {"hub": request.hub, "form": form}, status=status)


def _donation(request: HttpRequest, pk: int) -> Donation:
    return get_object_or_404(Donation.objects.select_related("thanked_by"), pk=pk, hub=request.hub)


@require_POST
@hub_staff_required
def donation_thanked(request: HttpRequest, pk: int) -> HttpResponse:
    donation = _donation(request, pk)
    try:
        services.donation_mark_thanked(hub=request.hub, donation=donation, actor=request.user)
    except services.HubError as error:
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
        "hubs/donation_letter.html",
        {"hub": request.hub, "donation": donation, "signer": request.user},
    )


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
    page = _page(request, selectors.kits_list(hub=request.hub, view=show))
    views = list(KIT_VIEW_TITLES.items())
    return render(
        request,
        "hubs/kits.html",
        {
            "hub": request.hub,
            "page": page,
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
        return render(request, "hubs/prepare.html", {"hub": request.hub, "form": form})
    form = PrepareForm(request.POST, hub=request.hub)
    if not form.is_valid():
        return render(request, "hubs/prepare.html", {"hub": request.hub, "form": form}, status=400)
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
        "hubs/prepare_confirm.html",
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
            request, "hubs/prepare.html", {"hub": request.hub, "form": step_one}, status=400
        )
    data = form.cleaned_data
    try:
        with once.claim(form) as sent:
            batch = services.kit_batch_prepare(
                hub=request.hub,
                garment_type=data["garment_type"],
                size=data["size"],
                garments_per_kit=data["garments_per_kit"],
                kit_count=data["kit_count"],
                stock=data["stock_row"],
                expected_left=data["expected_left"],
                actor=request.user,
            )
            sent.done_url = reverse("hubs:batch", kwargs={"pk": batch.pk})
    except once.AlreadySent as repeat:
        return repeat.redirect(request)
    except services.HubError as error:
        fresh = PrepareForm(request.POST, hub=request.hub)
        if fresh.is_valid():
            return _preview(request, fresh, error=str(error), status=409)
        fresh.add_error(None, str(error))
        return render(request, "hubs/prepare.html", {"hub": request.hub, "form": fresh}, status=409)
    messages.success(
        request,
        _("%(count)s kits are ready. Print their labels and put one on each kit.")
        % {"count": batch.kit_count},
    )
    return redirect("hubs:batch", pk=batch.pk)


@require_GET
@hub_staff_required
def batches(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.batches_for_hub(hub=request.hub))
    return render(request, "hubs/batches.html", {"hub": request.hub, "page": page})


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
    return render(request, "hubs/batch.html", {"hub": request.hub, "batch": found, "kits": kits})


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
        "hubs/labels.html",
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
        "hubs/kit_sheets.html",
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


def _hub_kit(request: HttpRequest, code: str) -> Kit:
    return get_object_or_404(Kit.objects.select_related("pattern"), hub=request.hub, code=code)


@require_GET
@hub_staff_required
def kit_label(request: HttpRequest, code: str) -> HttpResponse:
    kit = _hub_kit(request, code)
    return _labels(
        request,
        [kit],
        back_url=reverse("hubs:kits"),
        sheets_url=reverse("hubs:kit_sheet", args=[kit.code]),
    )


@require_GET
@hub_staff_required
def kit_sheet(request: HttpRequest, code: str) -> HttpResponse:
    kit = _hub_kit(request, code)
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
        "hubs/instructions.html",
        {
            "hub": request.hub,
            "pattern": pattern,
            "garment_label": GarmentType(garment_type).label,
            "size": size,
            "qr": qr,
        },
    )


# --- The plan -------------------------------------------------------------------------------


@require_GET
@hub_staff_required
def plan(request: HttpRequest) -> HttpResponse:
    per_kit = min(max(PlanQuery.read(request)["per_kit"], 1), services.MAX_GARMENTS_PER_KIT)
    lines = plan_for_hub(hub=request.hub, garments_per_kit=per_kit)
    totals = plan_totals(lines)
    fabric = fabric_metres_held(hub=request.hub)
    return render(
        request,
        "hubs/plan.html",
        {
            "hub": request.hub,
            "late": selectors.late_requests_named(hub=request.hub, garments_per_kit=per_kit),
            "lines": lines,
            "totals": totals,
            "per_kit": per_kit,
            "fabric_held": fabric,
            "fabric_short": max(totals["metres_needed"] - fabric, 0),
            "max_batch": services.MAX_KITS_PER_BATCH,
        },
    )
