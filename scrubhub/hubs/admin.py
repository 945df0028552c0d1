"""Operators' admin for hubs, hospitals and memberships. Hub staff never use the admin."""

from django.contrib import admin

from scrubhub.hubs.models import Hospital, Hub, Membership


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
