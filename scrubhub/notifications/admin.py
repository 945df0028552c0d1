"""The admin's pages for messages, opt-outs, hubs' message settings and kit reminders."""

from django.contrib import admin

from scrubhub.notifications.models import HubMessageSettings, KitReminder, Message, OptOut


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "to_address", "status", "attempts", "sent_at")
    list_filter = ("status", "failure_reason", "channel", "kind", "hub")
    search_fields = ("to_address", "subject", "idempotency_key", "provider_id")
    date_hierarchy = "created_at"
    list_select_related = ("hub",)
    # The outbox is a record of what was sent: operators read it, services write it.
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("address", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("address",)


@admin.register(HubMessageSettings)
class HubMessageSettingsAdmin(admin.ModelAdmin):
    list_display = ("hub", "summary_weekday", "summary_hour", "summaries_enabled")
    list_select_related = ("hub",)


@admin.register(KitReminder)
class KitReminderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kit", "stage", "message")
    search_fields = ("kit__code",)
    list_select_related = ("kit", "message")
    readonly_fields = ("kit", "stage", "message", "created_at")

    def has_add_permission(self, request):
        return False
