"""The hub's patterns and sewing instructions (/hub/patterns/): list them by garment and
size, add one in the sizes it makes, change one, and preview the printed sheet before
saving. Thin: reads through packages.selectors, writes through packages.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from packages.models import GarmentType, Pattern, Size
from packages.pattern_forms import NewPatternForm, PatternForm
from packages.selectors import pattern_rows
from packages.services import PatternError, pattern_for, pattern_save, patterns_save
from scrubhub import once
from scrubhub.hubs.labels import qr_svg
from scrubhub.hubs.permissions import hub_staff_required


def sheet_context(*, hub, pattern: Pattern | None, garment_type: str, size: str) -> dict:
    """What hubs/includes/instructions_sheet.html needs, for a saved or unsaved pattern."""
    qr = None
    if pattern is not None and pattern.instructions_url:
        qr = qr_svg(pattern.instructions_url, title=_("QR code for the sewing instructions online"))
    return {
        "hub": hub,
        "pattern": pattern,
        "garment_label": GarmentType(garment_type).label,
        "size": size,
        "qr": qr,
    }


@require_GET
@hub_staff_required
def patterns(request: HttpRequest) -> HttpResponse:
    rows = [
        (GarmentType(garment_type).label, sizes)
        for garment_type, sizes in pattern_rows(hub=request.hub)
    ]
    return render(
        request, "backoffice/patterns/patterns.html", {"hub": request.hub, "garments": rows}
    )


def _preview(form, *, hub, garment_type: str, size: str, **fields) -> dict:
    """The sheet as it would print with what was typed, nothing saved."""
    unsaved = Pattern(hub=hub, garment_type=garment_type, size=size, **form.details(), **fields)
    return sheet_context(hub=hub, pattern=unsaved, garment_type=garment_type, size=size)


@require_http_methods(["GET", "POST"])
@hub_staff_required
def pattern_edit(request: HttpRequest, garment_type: str, size: str) -> HttpResponse:
    if garment_type not in GarmentType.values or size not in Size.values:
        raise Http404
    hub = request.hub
    current = pattern_for(hub=hub, garment_type=garment_type, size=size)
    form = PatternForm(request.POST or None, initial=PatternForm.initial_for(current))
    preview = None
    if request.method == "POST" and form.is_valid():
        metres = form.cleaned_data["metres_per_garment"]
        if "preview" in request.POST:
            preview = _preview(
                form, hub=hub, garment_type=garment_type, size=size, metres_per_garment=metres
            )
        else:
            try:
                pattern_save(
                    hub=hub,
                    garment_type=garment_type,
                    size=size,
                    metres_per_garment=metres,
                    actor=request.user,
                    **form.details(),
                )
            except PatternError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Saved the pattern for %(garment)s, size %(size)s.")
                    % {"garment": GarmentType(garment_type).label.lower(), "size": size},
                )
                return redirect("hubs:patterns")
    return render(
        request,
        "backoffice/patterns/pattern_form.html",
        {
            "hub": hub,
            "form": form,
            "current": current,
            "garment_label": GarmentType(garment_type).label,
            "garment_type": garment_type,
            "size": size,
            "preview": preview,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def pattern_new(request: HttpRequest) -> HttpResponse:
    hub = request.hub
    own = {(p.garment_type, p.size): p for p in Pattern.objects.filter(hub=hub, is_current=True)}
    form = NewPatternForm(request.POST or None, hub_patterns=own)
    preview = None
    if request.method == "POST" and form.is_valid():
        garment_type, by_size = form.cleaned_data["garment_type"], form.metres_by_size()
        if "preview" in request.POST:
            size, metres = next(iter(by_size.items()))
            preview = _preview(
                form, hub=hub, garment_type=garment_type, size=size, metres_per_garment=metres
            )
        else:
            try:
                with once.claim(form) as sent:
                    saved = patterns_save(
                        hub=hub,
                        garment_type=garment_type,
                        metres_by_size=by_size,
                        actor=request.user,
                        **form.details(),
                    )
                    sent.done_url = reverse("hubs:patterns")
            except once.AlreadySent as repeat:
                return repeat.redirect(request)
            except PatternError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Saved %(name)s in sizes %(sizes)s.")
                    % {"name": saved[0].name, "sizes": ", ".join(p.size for p in saved)},
                )
                return redirect("hubs:patterns")
    return render(
        request,
        "backoffice/patterns/pattern_new.html",
        {"hub": hub, "form": form, "own": own, "preview": preview},
        status=400 if form.errors else 200,
    )
