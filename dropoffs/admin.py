"""Operators' admin for points and handovers."""

from django.contrib import admin

from dropoffs.models import Handover, Point


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    list_display = ("name", "hub", "postcode", "status", "accepts_kit_collection")
    list_filter = ("status", "hub", "accepts_kit_collection", "accepts_finished_garments")
    search_fields = ("name", "postcode", "address")
    list_select_related = ("hub",)


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
