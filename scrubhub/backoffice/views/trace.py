"""Traceability (/hub/trace/): from a delivery line or a fabric lot back to the kits, makers
and points its garments passed through."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from dropoffs import selectors
from packages.models import DeliveryLine, FabricLot
from scrubhub.hubs.permissions import hub_staff_required


@require_GET
@hub_staff_required
def trace(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/trace/trace.html",
        {
            "lines": list(selectors.delivery_lines_for_hub(hub=request.hub)[:50]),
            "lots": list(selectors.fabric_lots_for_hub(hub=request.hub)[:50]),
        },
    )


@require_GET
@hub_staff_required
def trace_line(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_object_or_404(
        DeliveryLine.objects.select_related("delivery", "delivery__hospital"),
        pk=line_id,
        delivery__hub=request.hub,
    )
    return render(
        request,
        "backoffice/trace/trace_line.html",
        {
            "line": line,
            "traces": selectors.delivery_line_trace(line=line),
            # Reported without naming a kit: they belong to the line, not to one maker.
            "kitless_failures": list(line.wash_failures.filter(kit__isnull=True)),
        },
    )


@require_GET
@hub_staff_required
def trace_lot(request: HttpRequest, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(FabricLot, pk=lot_id, hub=request.hub)
    return render(
        request,
        "backoffice/trace/trace_lot.html",
        {"lot": lot, "trace": selectors.fabric_lot_trace(lot=lot)},
    )
