"""Operators' admin for stock, kits, demand and deliveries.

Garment counts, movements and allocations are read-only here: they change only through the
services, which keep every count, tally and movement row in step.
"""

from django.contrib import admin

from packages.models import (
    PLACES,
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    DemandChange,
    DemandLine,
    Donation,
    FabricLot,
    GarmentMovement,
    HubDayTally,
    HubTally,
    Kit,
    KitAssignment,
    KitEvent,
    Pattern,
    PrecutStock,
    QualityCheck,
    qty_field,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KitAssignmentInline(ReadOnlyInline):
    model = KitAssignment
    fields = ("maker", "group", "assigned_at", "assigned_by", "ended_at", "end_reason")
    readonly_fields = fields


class GarmentMovementInline(ReadOnlyInline):
    model = GarmentMovement
    fields = (
        "created_at",
        "from_place",
        "to_place",
        "count",
        "point",
        "handover",
        "actor",
        "reason",
    )
    readonly_fields = fields


class KitEventInline(ReadOnlyInline):
    model = KitEvent
    fields = ("created_at", "old_status", "new_status", "actor", "note")
    readonly_fields = fields


class QualityCheckInline(ReadOnlyInline):
    model = QualityCheck
    fields = ("created_at", "passed", "failed", "failed_outcome", "reason", "checked_by")
    readonly_fields = fields


@admin.register(Kit)
class KitAdmin(admin.ModelAdmin):
    list_display = ("code", "hub", "garment_type", "size", "garment_count", "status", "created_at")
    list_filter = ("status", "hub", "garment_type", "size", "source")
    search_fields = ("code",)
    list_select_related = ("hub",)
    readonly_fields = [
        "code",
        "hub",
        "garment_type",
        "size",
        "garment_count",
        "source",
        "precut_stock",
        "fabric_lot",
        "fabric_metres",
        "pattern",
        "status",
        "finished_count",
        "created_by",
        "created_at",
        "closed_at",
        *[qty_field(p) for p in PLACES],
    ]
    fields = ["collection_point", *readonly_fields]
    inlines = [KitAssignmentInline, GarmentMovementInline, KitEventInline, QualityCheckInline]

    def has_add_permission(self, request):
        return False


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ("received_on", "donor_name", "kind", "quantity", "unit", "hub", "thanked_at")
    list_filter = ("kind", "hub")
    search_fields = ("donor_name", "description")
    date_hierarchy = "received_on"
    list_select_related = ("hub",)


@admin.register(FabricLot)
class FabricLotAdmin(admin.ModelAdmin):
    list_display = ("supplier", "colour", "metres_received", "metres_available", "hub")
    list_filter = ("hub", "approved_for_hospital_washing")
    search_fields = ("supplier", "colour")
    list_select_related = ("hub",)
    readonly_fields = ("metres_available",)


@admin.register(PrecutStock)
class PrecutStockAdmin(admin.ModelAdmin):
    list_display = (
        "garment_type",
        "size",
        "quantity_received",
        "quantity_available",
        "cut_by",
        "hub",
    )
    list_filter = ("hub", "garment_type", "size")
    search_fields = ("cut_by",)
    list_select_related = ("hub",)
    readonly_fields = ("quantity_available",)


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    list_display = ("name", "garment_type", "size", "metres_per_garment", "hub", "is_current")
    list_filter = ("garment_type", "size", "is_current", "hub")
    search_fields = ("name",)


@admin.register(HubTally)
class HubTallyAdmin(admin.ModelAdmin):
    list_display = (
        "hub",
        "garment_type",
        "size",
        "qty_passed",
        "qty_delivered",
        "received_by_laundry",
    )
    list_filter = ("hub", "garment_type", "size")
    readonly_fields = [f.name for f in HubTally._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HubDayTally)
class HubDayTallyAdmin(admin.ModelAdmin):
    list_display = ("hub", "day", "garment_type", "size", "handed_in", "passed", "delivered")
    list_filter = ("hub", "garment_type", "size")
    date_hierarchy = "day"
    readonly_fields = [f.name for f in HubDayTally._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(QualityCheck)
class QualityCheckAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kit", "passed", "failed", "failed_outcome", "checked_by")
    list_filter = ("failed_outcome",)
    search_fields = ("kit__code", "reason")
    list_select_related = ("kit", "checked_by")
    readonly_fields = [f.name for f in QualityCheck._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(GarmentMovement)
class GarmentMovementAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kit", "from_place", "to_place", "count", "point", "actor")
    list_filter = ("to_place", "from_place")
    search_fields = ("kit__code", "reason")
    list_select_related = ("kit", "point", "actor")
    readonly_fields = [f.name for f in GarmentMovement._meta.fields]

    def has_add_permission(self, request):
        return False


class DemandChangeInline(ReadOnlyInline):
    model = DemandChange
    fields = ("created_at", "actor", "changes", "note")
    readonly_fields = fields


@admin.register(DemandLine)
class DemandLineAdmin(admin.ModelAdmin):
    list_display = (
        "hospital",
        "garment_type",
        "size",
        "quantity",
        "priority",
        "needed_by",
        "status",
    )
    list_filter = ("status", "priority", "garment_type", "size", "hospital")
    search_fields = ("hospital__name", "requirements")
    list_select_related = ("hospital",)
    inlines = [DemandChangeInline]


class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ("garment_type", "size", "count_sent", "count_received", "demand_line")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("pk", "hub", "hospital", "status", "sent_at", "received_at")
    list_filter = ("status", "hub", "hospital")
    search_fields = ("pk", "hospital__name", "discrepancy_note")
    list_select_related = ("hub", "hospital")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryLineInline]

    def has_add_permission(self, request):
        return False


@admin.register(DeliveryAllocation)
class DeliveryAllocationAdmin(admin.ModelAdmin):
    list_display = ("line", "kit", "count")
    search_fields = ("kit__code",)
    list_select_related = ("line", "kit")
    readonly_fields = ("line", "kit", "count")

    def has_add_permission(self, request):
        return False


# --- The laundry (issue 9) ------------------------------------------------------------------

from packages.models import CirculationRecord, QualityRequirement, WashFailure  # noqa: E402


@admin.register(QualityRequirement)
class QualityRequirementAdmin(admin.ModelAdmin):
    list_display = ("title", "hospital", "garment_type", "is_active", "changed_at")
    list_filter = ("is_active", "hospital")
    search_fields = ("title", "detail", "hospital__name")
    list_select_related = ("hospital",)


@admin.register(CirculationRecord)
class CirculationRecordAdmin(admin.ModelAdmin):
    list_display = ("hospital", "sets", "recorded_at", "recorded_by")
    list_filter = ("hospital",)
    list_select_related = ("hospital", "recorded_by")
    readonly_fields = ("hospital", "sets", "recorded_by", "recorded_at")

    def has_add_permission(self, request):
        return False


@admin.register(WashFailure)
class WashFailureAdmin(admin.ModelAdmin):
    list_display = ("delivery", "line", "kit", "count", "reason", "reported_at")
    list_filter = ("reason",)
    search_fields = ("note", "kit__code")
    list_select_related = ("delivery", "line", "kit")
    readonly_fields = ("delivery", "line", "kit", "count", "reason", "note", "reported_by")

    def has_add_permission(self, request):
        return False
