"""Operators' admin for points and handovers."""

from django.contrib import admin

from dropoffs.models import DoorstepAddress, Handover, OpeningHours, Point, Run, RunStop
from scrubhub.admin_site import ReadOnlyAdmin


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    list_display = ("name", "hub", "postcode", "status", "accepts_kit_collection")
    list_filter = ("status", "hub", "accepts_kit_collection", "accepts_finished_garments")
    search_fields = ("name", "postcode", "address")
    list_select_related = ("hub",)
    inlines = [OpeningHoursInline]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "location", "hub", "point", "maker", "group")
    list_filter = ("kind", "location", "hub")
    search_fields = ("point__name", "maker__name", "group__name", "movements__kit__code")
    list_select_related = ("hub", "point", "maker", "group")
    date_hierarchy = "created_at"
    # A handover is a record of garments changing hands; the services make them.
    readonly_fields = [f.name for f in Handover._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(DoorstepAddress)
class DoorstepAddressAdmin(ReadOnlyAdmin):
    """Kept only with the maker's consent (dropoffs.services.doorstep_set): set by the maker
    or by hub staff on the maker's doorstep page."""

    list_display = ("maker", "hub", "postcode", "consent_given_at")
    list_filter = ("hub",)
    search_fields = ("postcode", "maker__name")
    list_select_related = ("maker", "hub")


class RunStopInline(admin.TabularInline):
    model = RunStop
    extra = 0
    can_delete = False
    fields = ("position", "kind", "point", "maker", "status", "visited_at", "visited_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("day", "hub", "driver", "status", "distance_km")
    list_filter = ("status", "hub")
    search_fields = ("driver__username", "note")
    list_select_related = ("hub", "driver")
    date_hierarchy = "day"
    inlines = [RunStopInline]
