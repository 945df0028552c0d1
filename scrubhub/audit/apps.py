from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "scrubhub.audit"
    label = "audit"
