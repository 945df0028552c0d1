"""The audit trail: who changed what, per hub."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "scrubhub.audit"
    label = "audit"
