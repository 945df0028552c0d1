"""Writing to the audit trail: the one place an audit event is recorded."""

from __future__ import annotations

from django.db import models

from scrubhub.audit.models import AuditEvent


def audit_record(*, actor, hub, action: str, subject: models.Model, detail: str = "") -> AuditEvent:
    """Record a staff action on someone's personal data. Call it in the action's own
    transaction, so a rolled-back change leaves no audit row claiming it happened.

    `detail` must not contain personal data (it survives the person's erasure)."""
    return AuditEvent.objects.create(
        hub=hub,
        actor=actor,
        action=action,
        subject_type=subject._meta.label,
        subject_id=subject.pk,
        detail=detail[:200],
    )
