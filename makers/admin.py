"""Operators' admin for makers and groups."""

from django.contrib import admin

from makers.models import Consent, Maker, MakerEvent, MakerGroup


class MakerEventInline(admin.TabularInline):
    model = MakerEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "old_status", "new_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    fields = ("purpose", "wording_version", "given_at", "withdrawn_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Maker)
class MakerAdmin(admin.ModelAdmin):
    list_display = ("name", "hub", "status", "age_band", "experience", "postcode", "created_at")
    list_filter = ("status", "hub", "age_band", "experience", "preferred_channel")
    search_fields = ("name", "email", "phone", "postcode")
    list_select_related = ("hub",)
    autocomplete_fields = ("user", "preferred_point")
    # Status changes go through the services so they leave their history.
    readonly_fields = ("status", "status_changed_at", "erased_at", "created_at")
    inlines = [ConsentInline, MakerEventInline]


@admin.register(MakerGroup)
class MakerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "hub", "kind", "leader_name", "member_count", "capacity_sets_per_week")
    list_filter = ("status", "kind", "hub")
    search_fields = ("name", "leader_name", "leader_contact")
    list_select_related = ("hub",)
    autocomplete_fields = ("leader",)
