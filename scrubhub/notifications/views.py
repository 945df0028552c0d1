"""The two public message pages: the stop link, and the address GOV.UK Notify sends its
delivery receipts to. The hub's message pages are scrubhub/backoffice/views/messages.py."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from scrubhub.notifications import delivery, notify, services


@login_not_required
@require_http_methods(["GET", "POST"])
def stop_messages(request: HttpRequest, token: str) -> HttpResponse:
    """Landing page of the link in a weekly summary. GET only shows a button, so mail
    scanners that open links change nothing; the POST stops the summaries."""
    try:
        address, kind = services.opt_out_read(token=token)
    except services.MessageError as error:
        return render(request, "notifications/stop.html", {"error": str(error)}, status=400)
    if request.method == "POST":
        services.opt_out_record(address=address, kind=kind)
        return render(request, "notifications/stop.html", {"done": True})
    return render(request, "notifications/stop.html", {"address": address})


@csrf_exempt  # Notify has no CSRF token: its bearer token, checked first, is the proof
@login_not_required
@require_POST
def notify_receipt(request: HttpRequest) -> HttpResponse:
    """A delivery receipt from GOV.UK Notify: moves the message to delivered or failed.
    Repeats and receipts for messages that are not ours answer 200 and change nothing,
    so Notify stops retrying them."""
    if not notify.receipt_authorised(authorization=request.headers.get("Authorization", "")):
        return JsonResponse(
            {"error": "A receipt needs the bearer token set for it."},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        payload = json.loads(request.body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
        return JsonResponse({"error": "A receipt is a JSON object with an id."}, status=400)
    report = notify.Report.from_notify(payload)
    changed = delivery.message_report_record(
        provider_id=report.provider_id[:100],
        status=report.status,
        completed_at=report.completed_at,
        sent_at=report.sent_at,
    )
    return JsonResponse({"changed": changed})
