"""Hub staff pages. Other areas' staff pages also live under /hub/ (points, runs,
deliveries) but are defined in their own apps."""

from django.urls import path

from scrubhub.hubs import (
    allocation_views,
    pattern_views,
    quality_views,
    report_views,
    team_views,
    views,
)

app_name = "hubs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch_hub, name="switch"),
    path("notes/", views.shift_notes, name="shift_notes"),
    path("notes/add/", views.shift_note_add, name="shift_note_add"),
    path("plan/", views.plan, name="plan"),
    path("stock/", views.stock, name="stock"),
    path("stock/fabric/", views.fabric_lots, name="fabric_lots"),
    path("stock/pieces/", views.precut_list, name="precut_list"),
    path("stock/goods-in/", views.goods_in, name="goods_in"),
    path("stock/donations/", views.donations, name="donations"),
    path("stock/donations/<int:pk>/thanked/", views.donation_thanked, name="donation_thanked"),
    path("stock/donations/<int:pk>/letter/", views.donation_letter, name="donation_letter"),
    path("kits/", views.kits, name="kits"),
    path("kits/prepare/", views.prepare, name="prepare"),
    path("kits/prepare/confirm/", views.prepare_confirm, name="prepare_confirm"),
    path("kits/batches/", views.batches, name="batches"),
    path("kits/batches/<int:pk>/", views.batch, name="batch"),
    path("kits/batches/<int:pk>/labels/", views.batch_labels, name="batch_labels"),
    path("kits/<str:code>/label/", views.kit_label, name="kit_label"),
    # Each kit's label and its sewing instructions on one A4 page (issue 24).
    path("kits/batches/<int:pk>/sheets/", views.batch_sheets, name="batch_sheets"),
    path("kits/<str:code>/sheet/", views.kit_sheet, name="kit_sheet"),
    path("instructions/<str:garment_type>/<str:size>/", views.instructions, name="instructions"),
    # Patterns and sewing instructions, per garment and size.
    path("patterns/", pattern_views.patterns, name="patterns"),
    path("patterns/new/", pattern_views.pattern_new, name="pattern_new"),
    path(
        "patterns/<str:garment_type>/<str:size>/",
        pattern_views.pattern_edit,
        name="pattern_edit",
    ),
    # The team and the hub's settings (team_views).
    path("team/", team_views.team, name="team"),
    path("team/invite/", team_views.team_invite, name="team_invite"),
    path(
        "team/invitations/<int:pk>/cancel/",
        team_views.team_invitation_cancel,
        name="team_invitation_cancel",
    ),
    path("team/roles/<int:pk>/remove/", team_views.team_remove, name="team_remove"),
    path("team/join/<str:token>/", team_views.invitation, name="invitation"),
    path("settings/", team_views.hub_settings, name="settings"),
    # Giving out kits, and taking them back (issue 7).
    path("allocate/", allocation_views.allocate, name="allocate"),
    path("allocate/many/", allocation_views.allocate_many, name="allocate_many"),
    path("allocate/given/", allocation_views.allocate_given, name="allocate_given"),
    path("allocate/<str:code>/", allocation_views.allocate_kit, name="allocate_kit"),
    path("kits/<str:code>/reallocate/", allocation_views.kit_reallocate, name="kit_reallocate"),
    path("kits/<str:code>/take-back/", allocation_views.kit_take_back, name="kit_take_back"),
    path("kits/<str:code>/lost/", allocation_views.kit_lost, name="kit_lost"),
    # The hub report on paper, and the downloads as spreadsheets (issue 23).
    path("report/", report_views.report, name="report"),
    path("report/deliveries.csv", report_views.export_deliveries, name="export_deliveries"),
    path("report/demand.csv", report_views.export_demand, name="export_demand"),
    path("report/stock.csv", report_views.export_stock, name="export_stock"),
    path("report/kits.csv", report_views.export_kits, name="export_kits"),
    path("report/impact.csv", report_views.export_impact, name="export_impact"),
    # The quality check (issue 7).
    path("checks/", quality_views.checks, name="checks"),
    path("checks/<str:code>/", quality_views.check_kit, name="check_kit"),
]
