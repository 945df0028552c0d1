"""The audit trail (/hub/audit/), for the hub's coordinators only: who did what, newest
first, filtered by action; read through scrubhub.audit.selectors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from scrubhub.audit.models import AuditEvent
from scrubhub.audit.selectors import audit_events_for_hub
from scrubhub.backoffice.pages import filter_query, page_of
from scrubhub.hubs.permissions import hub_staff_required, is_coordinator_of
from scrubhub.query import QueryForm


class AuditQuery(QueryForm):
    action = forms.ChoiceField(choices=AuditEvent.Action.choices, required=False)


@require_GET
@hub_staff_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not is_coordinator_of(request.user, request.hub):
        raise PermissionDenied(_("Only the hub's coordinators see the audit trail."))
    action = AuditQuery.read(request)["action"]
    page = page_of(request, audit_events_for_hub(hub=request.hub, action=action))
    return render(
        request,
        "backoffice/audit/audit_list.html",
        {
            "page": page,
            "page_query": filter_query(request.GET, ["action"]),
            "action": action,
            "actions": AuditEvent.Action.choices,
            "hub": request.hub,
        },
    )
