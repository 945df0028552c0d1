"""The audit trail of staff actions on personal data: who looked at, exported, changed or
erased whose record, and when. Rows name people by id only, never by name or contact, so
erasing a person leaves nothing of them here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        EXPORTED = "exported", _("Exported")
        CHANGED = "changed", _("Changed")
        ERASED = "erased", _("Erased")
        SIGNED_UP = "signed_up", _("Signed up on their behalf")
        MERGED = "merged", _("Merged")
        ROLE_CHANGED = "role_changed", _("Changed a role")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # What was acted on, by model label and id ("makers.Maker", 42): never a name.
    subject_type = models.CharField(max_length=60)
    subject_id = models.PositiveBigIntegerField()
    detail = models.CharField(
        max_length=200, blank=True, help_text=_("What happened, without personal data.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["hub", "-created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.subject_type} {self.subject_id}"
