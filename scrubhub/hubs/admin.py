"""Operators' admin for hubs, hospitals and memberships. Hub staff never use the admin."""

from django.contrib import admin

from scrubhub.hubs.models import Hospital, Hub, Invitation, KitBatch, Membership, ShiftNote


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "hub"
    extra = 0
    autocomplete_fields = ("user", "point")
    fields = ("user", "role", "point", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "area", "phone", "auto_approve_makers", "is_active")
    list_filter = ("is_active", "auto_approve_makers")
    search_fields = ("name", "slug", "area", "email", "phone")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("hospitals",)
    inlines = [MembershipInline]


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "laundry_name", "sets_in_circulation")
    search_fields = ("name", "slug", "laundry_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "hub", "hospital", "point", "created_at")
    list_filter = ("role", "hub", "hospital")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "hub", "hospital", "point")
    list_select_related = ("user", "hub", "hospital", "point")


@admin.register(ShiftNote)
class ShiftNoteAdmin(admin.ModelAdmin):
    list_display = ("hub", "created_at", "written_by", "text")
    list_filter = ("hub",)
    search_fields = ("text",)
    list_select_related = ("hub", "written_by")
    autocomplete_fields = ("hub", "written_by")


@admin.register(KitBatch)
class KitBatchAdmin(admin.ModelAdmin):
    list_display = ("hub", "created_at", "garment_type", "size", "kit_count", "garments_per_kit")
    list_filter = ("hub", "garment_type", "size")
    list_select_related = ("hub",)
    # Batches are made by preparing kits on the hub's pages, which draws the stock.
    readonly_fields = (
        "hub",
        "garment_type",
        "size",
        "garments_per_kit",
        "kit_count",
        "precut_stock",
        "fabric_lot",
        "metres_drawn",
        "kits",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "role", "hub", "created_at", "expires_at", "accepted_at")
    list_filter = ("role", "hub")
    search_fields = ("email",)
    list_select_related = ("hub",)
    # Only a hash of the link's token is kept; coordinators invite from the team page.
    readonly_fields = ("token_hash", "invited_by", "accepted_at", "accepted_by", "created_at")
