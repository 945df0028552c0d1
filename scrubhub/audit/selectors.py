"""Reading a hub's audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from scrubhub.audit.models import AuditEvent


def audit_events_for_hub(*, hub, action: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(hub=hub).select_related("actor")
    return events.filter(action=action) if action else events
