"""The admin's read-only view of the audit trail."""

from django.contrib import admin

from scrubhub.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "hub", "actor", "action", "subject_type", "subject_id")
    list_filter = ("action", "subject_type", "hub")
    search_fields = ("subject_type", "detail", "actor__username")
    list_select_related = ("hub", "actor")
    date_hierarchy = "created_at"
    # The trail is evidence: nobody edits or adds to it by hand.
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
