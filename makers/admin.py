"""Operators' admin for makers and groups."""

from django.contrib import admin

from makers.models import Consent, KitProblem, Maker, MakerEvent, MakerGroup, ReturnPlan
from scrubhub.admin_site import ReadOnlyAdmin


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
    fields = ("purpose", "wording_version", "given_at", "given_by", "withdrawn_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Maker)
class MakerAdmin(ReadOnlyAdmin):
    """Makers join, are signed up by staff and change through makers.services (consents,
    guardians, the audit trail); staff change them on /hub/volunteers/."""

    list_display = ("name", "hub", "status", "age_band", "experience", "postcode", "created_at")
    list_filter = ("status", "hub", "age_band", "experience", "preferred_channel")
    search_fields = ("name", "email", "phone", "postcode")
    list_select_related = ("hub",)
    inlines = [ConsentInline, MakerEventInline]


@admin.register(MakerGroup)
class MakerGroupAdmin(ReadOnlyAdmin):
    """Groups register on the hub's page; staff change, pause and close them on
    /hub/volunteers/groups/ (makers.services, with the leader's role and an audit row)."""

    list_display = ("name", "hub", "kind", "leader_name", "member_count", "capacity_sets_per_week")
    list_filter = ("status", "kind", "hub")
    search_fields = ("name", "leader_name", "leader_contact")
    list_select_related = ("hub",)


@admin.register(ReturnPlan)
class ReturnPlanAdmin(admin.ModelAdmin):
    list_display = ("day", "maker", "kit", "point", "doorstep", "unfinished", "status")
    list_filter = ("status", "unfinished", "doorstep")
    search_fields = ("kit__code", "maker__name")
    list_select_related = ("maker", "kit", "point")
    raw_id_fields = ("maker", "kit")


@admin.register(KitProblem)
class KitProblemAdmin(admin.ModelAdmin):
    list_display = ("created_at", "maker", "kit", "kind", "status")
    list_filter = ("status", "kind")
    search_fields = ("kit__code", "maker__name", "text")
    list_select_related = ("maker", "kit")
    raw_id_fields = ("maker", "kit")
