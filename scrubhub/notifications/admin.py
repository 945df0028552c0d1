from django.contrib import admin

from scrubhub.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "to_address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind", "hub")
    search_fields = ("to_address", "subject", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("hub",)
    # The outbox is a record of what was sent: operators read it, services write it.
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False
