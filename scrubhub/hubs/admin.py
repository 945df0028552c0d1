"""Operators' admin for hubs, hospitals and memberships. Hub staff never use the admin."""

from django import forms
from django.contrib import admin

from scrubhub.admin_site import ReadOnlyAdmin, ReadOnlyInline
from scrubhub.hubs.models import Hospital, Hub, Invitation, KitBatch, Membership, ShiftNote
from scrubhub.hubs.team_services import StandDownError, hub_erasure_dates_set, stand_down_check


class MembershipInline(ReadOnlyInline):
    """Roles are given by invitation (and the first coordinator by starting the hub) and
    taken away on the team page, which ends the person's sessions and keeps an audit row."""

    model = Membership
    fk_name = "hub"
    fields = ("user", "role", "point", "created_at")
    readonly_fields = fields


ERASURE_DATES = ("stand_down_on", "retention_days")


class HubAdminForm(forms.ModelForm):
    """The admin builds the fields; this adds the same refusal of a past date as the
    coordinators' settings page."""

    def clean(self):
        data = super().clean()
        if "stand_down_on" in data:
            try:
                stand_down_check(
                    hub=self.instance, stand_down_on=data["stand_down_on"], erasure_confirmed=True
                )
            except StandDownError as error:
                self.add_error("stand_down_on", str(error))
        return data


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    form = HubAdminForm
    list_display = ("name", "slug", "area", "phone", "approval", "auto_approve_makers", "is_active")
    list_filter = ("approval", "is_active", "auto_approve_makers")
    search_fields = ("name", "slug", "area", "email", "phone")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("hospitals",)
    # Hubs started at /start/ are opened or declined on /operator/hubs/ (scrubhub.start.services),
    # which also sends the messages they held.
    readonly_fields = (
        "erasure_dates_changed_at",
        "approval",
        "approval_asked_at",
        "approval_decided_at",
        "approval_note",
    )
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        # The dates that decide erasure go through the service, which records when they
        # changed (the nightly erasure waits a week after that): the rest is saved as usual.
        wanted = {name: getattr(obj, name) for name in ERASURE_DATES}
        if change:
            saved = Hub.objects.filter(pk=obj.pk).values(*ERASURE_DATES).get()
        else:
            saved = {name: Hub._meta.get_field(name).get_default() for name in ERASURE_DATES}
        for name, value in saved.items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        hub = hub_erasure_dates_set(hub=obj, actor=request.user, **wanted)
        for name in (*ERASURE_DATES, "erasure_dates_changed_at"):
            setattr(obj, name, getattr(hub, name))


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "laundry_name", "sets_in_circulation")
    search_fields = ("name", "slug", "laundry_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read-only, for the reason MembershipInline gives."""

    list_display = ("user", "role", "hub", "hospital", "point", "created_at")
    list_filter = ("role", "hub", "hospital")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
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
