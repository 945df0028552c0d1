"""Every page of the hub's back office, under /hub/: one list per URL namespace.

The names keep the namespace of the app that first drew each page (hubs:dashboard,
makers:staff_roster, packages:hub_deliveries, dropoffs:staff_points, notifications:list,
audit:list), so every {% url %} and reverse() is unchanged. A namespace is one include, so
scrubhub/urls.py joins each list below to its app's public pages under that namespace
(NAMESPACES says which list goes where)."""

from django.urls import include, path

from scrubhub.backoffice.views import (
    allocation,
    applicants,
    audit,
    dashboard,
    deliveries,
    demand,
    groups,
    imports,
    kits,
    messages,
    patterns,
    points,
    problems,
    quality,
    reports,
    runs,
    stock,
    team,
    trace,
    volunteers,
)

# Every path below is under /hub/.
hubs_urls = [
    path("", dashboard.dashboard, name="dashboard"),
    path("switch/", dashboard.switch_hub, name="switch"),
    path("notes/", dashboard.shift_notes, name="shift_notes"),
    path("notes/add/", dashboard.shift_note_add, name="shift_note_add"),
    path("plan/", demand.plan, name="plan"),
    path("stock/", stock.stock, name="stock"),
    path("stock/fabric/", stock.fabric_lots, name="fabric_lots"),
    path("stock/pieces/", stock.precut_list, name="precut_list"),
    path("stock/goods-in/", stock.goods_in, name="goods_in"),
    path("stock/donations/", stock.donations, name="donations"),
    path("stock/donations/<int:pk>/thanked/", stock.donation_thanked, name="donation_thanked"),
    path("stock/donations/<int:pk>/letter/", stock.donation_letter, name="donation_letter"),
    path("kits/", kits.kits, name="kits"),
    path("kits/prepare/", kits.prepare, name="prepare"),
    path("kits/prepare/confirm/", kits.prepare_confirm, name="prepare_confirm"),
    path("kits/batches/", kits.batches, name="batches"),
    path("kits/batches/<int:pk>/", kits.batch, name="batch"),
    path("kits/batches/<int:pk>/labels/", kits.batch_labels, name="batch_labels"),
    path("kits/<str:code>/label/", kits.kit_label, name="kit_label"),
    # Each kit's label and its sewing instructions on one A4 page (issue 24).
    path("kits/batches/<int:pk>/sheets/", kits.batch_sheets, name="batch_sheets"),
    path("kits/<str:code>/sheet/", kits.kit_sheet, name="kit_sheet"),
    path("instructions/<str:garment_type>/<str:size>/", kits.instructions, name="instructions"),
    # Patterns and sewing instructions, per garment and size.
    path("patterns/", patterns.patterns, name="patterns"),
    path("patterns/new/", patterns.pattern_new, name="pattern_new"),
    path(
        "patterns/<str:garment_type>/<str:size>/",
        patterns.pattern_edit,
        name="pattern_edit",
    ),
    # The team and the hub's settings.
    path("team/", team.team, name="team"),
    path("team/invite/", team.team_invite, name="team_invite"),
    path(
        "team/invitations/<int:pk>/cancel/",
        team.team_invitation_cancel,
        name="team_invitation_cancel",
    ),
    path("team/roles/<int:pk>/remove/", team.team_remove, name="team_remove"),
    path("team/join/<str:token>/", team.invitation, name="invitation"),
    path("settings/", team.hub_settings, name="settings"),
    # Giving out kits, and taking them back (issue 7).
    path("allocate/", allocation.allocate, name="allocate"),
    path("allocate/many/", allocation.allocate_many, name="allocate_many"),
    path("allocate/given/", allocation.allocate_given, name="allocate_given"),
    path("allocate/<str:code>/", allocation.allocate_kit, name="allocate_kit"),
    path("kits/<str:code>/reallocate/", allocation.kit_reallocate, name="kit_reallocate"),
    path("kits/<str:code>/take-back/", allocation.kit_take_back, name="kit_take_back"),
    path("kits/<str:code>/lost/", allocation.kit_lost, name="kit_lost"),
    # The hub report on paper, and the downloads as spreadsheets (issue 23).
    path("report/", reports.report, name="report"),
    path("report/deliveries.csv", reports.export_deliveries, name="export_deliveries"),
    path("report/demand.csv", reports.export_demand, name="export_demand"),
    path("report/stock.csv", reports.export_stock, name="export_stock"),
    path("report/kits.csv", reports.export_kits, name="export_kits"),
    path("report/impact.csv", reports.export_impact, name="export_impact"),
    # The quality check (issue 7).
    path("checks/", quality.checks, name="checks"),
    path("checks/<str:code>/", quality.check_kit, name="check_kit"),
]

volunteer_urls = [
    path("", volunteers.roster, name="staff_roster"),
    path("makers.csv", volunteers.roster_csv, name="staff_roster_csv"),
    path("applicants/", applicants.applicants, name="staff_applicants"),
    path("applicants/decide/", applicants.applicants_decide, name="staff_applicants_decide"),
    path("sign-up/", applicants.sign_up, name="staff_sign_up"),
    path("paper-forms/", applicants.paper_forms, name="staff_paper_forms"),
    path("import/", imports.import_upload, name="staff_import"),
    path("import/<int:pk>/", imports.import_columns, name="staff_import_columns"),
    path("import/<int:pk>/check/", imports.import_check, name="staff_import_check"),
    path("import/<int:pk>/done/", imports.import_done, name="staff_import_done"),
    path("<int:pk>/", volunteers.maker_page, name="staff_maker"),
    path("<int:pk>/change/", volunteers.maker_change, name="staff_maker_change"),
    path("<int:pk>/status/", volunteers.maker_status, name="staff_maker_status"),
    path("<int:pk>/guardian/", volunteers.maker_guardian_ask, name="staff_maker_guardian_ask"),
    path(
        "<int:pk>/kits/<str:code>/progress/", volunteers.maker_progress, name="staff_maker_progress"
    ),
    path("<int:pk>/merge/", volunteers.maker_merge, name="staff_maker_merge"),
    path("<int:pk>/erase/", volunteers.maker_erase, name="staff_maker_erase"),
    path("groups/", groups.groups, name="staff_groups"),
    path("groups/<int:pk>/", groups.group, name="staff_group"),
    path("groups/<int:pk>/status/", groups.group_status, name="staff_group_status"),
    path("standby/", volunteers.standby, name="staff_standby"),
    path("problems/", problems.problems, name="staff_problems"),
    path("problems/<int:pk>/", problems.problem, name="staff_problem"),
    path("problems/<int:pk>/resolve/", problems.problem_resolve, name="staff_problem_resolve"),
]

makers_urls = [path("volunteers/", include(volunteer_urls))]

packages_urls = [
    path("deliveries/", deliveries.hub_deliveries, name="hub_deliveries"),
    path("deliveries/new/", deliveries.hub_delivery_new, name="hub_delivery_new"),
    path("deliveries/<int:pk>/", deliveries.hub_delivery, name="hub_delivery"),
    path("deliveries/<int:pk>/pack/", deliveries.hub_delivery_pack, name="hub_delivery_pack"),
    path(
        "deliveries/<int:pk>/lines/<int:line_pk>/unpack/",
        deliveries.hub_delivery_unpack,
        name="hub_delivery_unpack",
    ),
    path("deliveries/<int:pk>/note/", deliveries.hub_delivery_note, name="hub_delivery_note"),
    path("deliveries/<int:pk>/send/", deliveries.hub_delivery_send, name="hub_delivery_send"),
    path("deliveries/<int:pk>/cancel/", deliveries.hub_delivery_cancel, name="hub_delivery_cancel"),
    path(
        "deliveries/<int:pk>/resolve/",
        deliveries.hub_delivery_resolve,
        name="hub_delivery_resolve",
    ),
    path("wash-failures/", deliveries.hub_wash_failures, name="hub_wash_failures"),
    path("wash-failures/<int:pk>/", deliveries.hub_wash_failure, name="hub_wash_failure"),
]

dropoffs_urls = [
    path("points/", points.staff_points, name="staff_points"),
    path("points/new/", points.point_new, name="point_new"),
    path("points/<int:point_id>/", points.point_edit, name="point_edit"),
    path("points/<int:point_id>/status/", points.point_status, name="point_status"),
    path("runs/", runs.staff_runs, name="staff_runs"),
    path("runs/new/", runs.run_new, name="run_new"),
    path("runs/<int:run_id>/cancel/", runs.run_cancel, name="run_cancel"),
    path("runs/doorsteps/<int:maker_id>/", runs.doorstep_for_maker, name="doorstep_for_maker"),
    path("trace/", trace.trace, name="trace"),
    path("trace/lines/<int:line_id>/", trace.trace_line, name="trace_line"),
    path("trace/lots/<int:lot_id>/", trace.trace_lot, name="trace_lot"),
]

notifications_urls = [
    path("messages/", messages.message_list, name="list"),
    path("messages/<int:message_id>/resend/", messages.message_resend, name="resend"),
    path("messages/phone/", messages.phone_list, name="phone_list"),
    path("messages/<int:message_id>/phoned/", messages.message_phoned, name="phoned"),
    path("messages/not-reached/", messages.unreachable, name="unreachable"),
    path(
        "messages/not-reached/<int:maker_id>/correct/",
        messages.contact_correct,
        name="contact_correct",
    ),
    path(
        "messages/not-reached/<int:message_id>/dealt-with/",
        messages.dealt_with,
        name="dealt_with",
    ),
    path("messages/settings/", messages.summary_settings, name="settings"),
]

audit_urls = [path("audit/", audit.audit_list, name="list")]

NAMESPACES = {
    "hubs": hubs_urls,
    "makers": makers_urls,
    "packages": packages_urls,
    "dropoffs": dropoffs_urls,
    "notifications": notifications_urls,
    "audit": audit_urls,
}
