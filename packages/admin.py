"""Operators' admin for stock, kits, demand and deliveries.

Garment counts, movements and allocations are read-only here: they change only through the
services, which keep every count, tally and movement row in step.
"""

from django import forms
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
from packages.services import PatternError, pattern_check, pattern_save
from scrubhub.admin_site import ReadOnlyAdmin


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
class KitAdmin(ReadOnlyAdmin):
    """Kits are made up, given out and moved on the hub's pages; even where one waits
    (its point) is part of giving it out, so nothing here changes."""

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


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ("received_on", "donor_name", "kind", "quantity", "unit", "hub", "thanked_at")
    list_filter = ("kind", "hub")
    search_fields = ("donor_name", "description")
    date_hierarchy = "received_on"
    list_select_related = ("hub",)


@admin.register(FabricLot)
class FabricLotAdmin(ReadOnlyAdmin):
    """Stock comes in through Goods in on the hub's pages and is drawn by preparing kits,
    which keep the metres left in step."""

    list_display = ("supplier", "colour", "metres_received", "metres_available", "hub")
    list_filter = ("hub", "approved_for_hospital_washing")
    search_fields = ("supplier", "colour")
    list_select_related = ("hub",)
    readonly_fields = ("metres_available",)


@admin.register(PrecutStock)
class PrecutStockAdmin(ReadOnlyAdmin):
    """Pre-cut pieces come in through Goods in and are drawn by preparing kits."""

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


class PatternAdminForm(forms.ModelForm):
    """The admin builds the fields; the service's own checks say what is wrong."""

    class Meta:
        model = Pattern
        fields = [
            "hub",
            "garment_type",
            "size",
            "name",
            "metres_per_garment",
            "instructions_text",
            "instructions_url",
        ]

    def clean(self):
        data = super().clean()
        instance = self.instance
        try:
            pattern_check(
                garment_type=data.get("garment_type", instance.garment_type),
                size=data.get("size", instance.size),
                name=data.get("name") or "",
                metres_per_garment=data.get("metres_per_garment") or 0,
                instructions_text=data.get("instructions_text") or "",
                instructions_url=data.get("instructions_url") or "",
            )
        except PatternError as error:
            raise forms.ValidationError(str(error)) from None
        return data


@admin.register(Pattern)
class PatternAdmin(admin.ModelAdmin):
    """Saved through packages.services.pattern_save, as on the hub's patterns page: a hub
    keeps one current pattern a garment and size, with an audit row per change. The
    shared patterns (no hub) are the ones operators look after here."""

    form = PatternAdminForm
    list_display = ("name", "garment_type", "size", "metres_per_garment", "hub", "is_current")
    list_filter = ("garment_type", "size", "is_current", "hub")
    search_fields = ("name",)

    def get_readonly_fields(self, request, obj=None):
        # Which pattern it is stays put: another garment or size is another pattern.
        return ("hub", "garment_type", "size", "is_current") if obj else ("is_current",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = pattern_save(
            hub=obj.hub,
            garment_type=obj.garment_type,
            size=obj.size,
            name=obj.name,
            metres_per_garment=obj.metres_per_garment,
            instructions_text=obj.instructions_text,
            instructions_url=obj.instructions_url,
            actor=request.user,
        )
        # The admin's own history and its next page need the row the service kept.
        obj.pk, obj.is_current = saved.pk, saved.is_current


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
    list_display = ("delivery", "line", "kit", "count", "reason", "reported_at", "status")
    list_filter = ("reason", "status")
    search_fields = ("note", "kit__code")
    list_select_related = ("delivery", "line", "kit")
    # Looked at only through services.wash_failure_look_at (it keeps the audit row).
    readonly_fields = (
        "delivery",
        "line",
        "kit",
        "count",
        "reason",
        "note",
        "reported_by",
        "status",
        "looked_at_at",
        "looked_at_by",
        "looked_at_note",
    )

    def has_add_permission(self, request):
        return False
