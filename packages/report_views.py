"""The laundry's report (a page laid out for paper) and its downloads as spreadsheets
(CSV): the deliveries to its hospital and its requests. Counts only: nothing here reads a
kit's holder, a maker or a group (packages/reports.py says the same of its reads)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from packages import reports
from packages.forms import ReportQuery
from packages.views import laundry_required
from scrubhub.exports import csv_response


@require_GET
@laundry_required
def laundry_report(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "packages/laundry_report.html",
        {
            "hospital": request.hospital,
            "report": reports.laundry_report(
                hospital=request.hospital, dates=ReportQuery.dates(request)
            ),
            "made_on": timezone.localdate(),
            "max_rows": reports.REPORT_ROWS,
        },
    )


@require_GET
@laundry_required
def laundry_export_deliveries(request: HttpRequest) -> StreamingHttpResponse:
    lines = reports.laundry_delivery_lines(
        hospital=request.hospital, dates=ReportQuery.dates(request)
    )
    return csv_response(
        filename=f"{request.hospital.slug}-deliveries",
        columns=reports.delivery_columns(staff=False),
        rows=lines.iterator(chunk_size=500),
    )


@require_GET
@laundry_required
def laundry_export_demand(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(
        filename=f"{request.hospital.slug}-requests",
        columns=reports.demand_columns(staff=False),
        rows=reports.laundry_demand_rows(
            hospital=request.hospital, dates=ReportQuery.dates(request)
        ),
    )
