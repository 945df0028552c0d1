"""The hub report (a page laid out for paper) and the hub's downloads as spreadsheets (CSV):
deliveries, demand, stock, kits and impact. Each is scoped to the hub the staff member
works in (request.hub); the reads are in packages/reports.py and the CSV writing in
scrubhub/exports.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from packages import reports
from packages.forms import ReportQuery
from packages.models import Kit
from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record
from scrubhub.exports import csv_response
from scrubhub.hubs.forms import HubReportQuery, KitsExportQuery
from scrubhub.hubs.permissions import hub_staff_required
from scrubhub.hubs.selectors import kits_list

CHUNK = 500


def _filename(request: HttpRequest, what: str) -> str:
    return f"{request.hub.slug}-{what}"


@require_GET
@hub_staff_required
def report(request: HttpRequest) -> HttpResponse:
    values = HubReportQuery.read(request)
    dates = reports.DateRange.of(values["start"], values["end"])
    return render(
        request,
        "backoffice/reports/report.html",
        {
            "hub": request.hub,
            "report": reports.hub_report(hub=request.hub, dates=dates, period=values["period"]),
            "period_label": reports.PERIODS[values["period"]],
            "periods": list(reports.PERIODS.items()),
            "made_on": timezone.localdate(),
            "max_rows": reports.REPORT_ROWS,
        },
    )


@require_GET
@hub_staff_required
def export_deliveries(request: HttpRequest) -> StreamingHttpResponse:
    lines = reports.hub_delivery_lines(hub=request.hub, dates=ReportQuery.dates(request))
    return csv_response(
        filename=_filename(request, "deliveries"),
        columns=reports.delivery_columns(staff=True),
        rows=lines.iterator(chunk_size=CHUNK),
    )


@require_GET
@hub_staff_required
def export_demand(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        filename=_filename(request, "demand"),
        columns=reports.demand_columns(staff=True),
        rows=reports.hub_demand_rows(hub=request.hub, dates=ReportQuery.dates(request)),
    )


@require_GET
@hub_staff_required
def export_stock(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        filename=_filename(request, "stock"),
        columns=reports.STOCK_COLUMNS,
        rows=reports.stock_rows(hub=request.hub),
    )


@require_GET
@hub_staff_required
def export_kits(request: HttpRequest) -> StreamingHttpResponse:
    """The kits list's view (or every kit). It names who holds each kit, so it is audited
    as the makers' roster is."""
    values = KitsExportQuery.read(request)
    show = values["show"]
    if show == "all":
        kits = Kit.objects.filter(hub=request.hub).order_by("-created_at", "-pk")
    else:
        # The list's own filter and order, without its prefetch (the holder is a subquery).
        kits = kits_list(hub=request.hub, view=show).prefetch_related(None)
    audit_record(
        actor=request.user,
        hub=request.hub,
        action=AuditEvent.Action.EXPORTED,
        subject=request.hub,
        detail=f"Kits CSV ({show})",
    )
    rows = reports.kit_rows(
        kits=kits, dates=reports.DateRange.of(values["start"], values["end"])
    ).iterator(chunk_size=CHUNK)
    return csv_response(filename=_filename(request, "kits"), columns=reports.KIT_COLUMNS, rows=rows)


@require_GET
@hub_staff_required
def export_impact(request: HttpRequest) -> StreamingHttpResponse:
    values = HubReportQuery.read(request)
    periods = reports.impact_by_period(
        hub=request.hub,
        period=values["period"],
        dates=reports.DateRange.of(values["start"], values["end"]),
    )
    return csv_response(
        filename=_filename(request, f"impact-by-{values['period']}"),
        columns=reports.IMPACT_COLUMNS,
        rows=periods,
    )
