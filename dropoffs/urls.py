from django.urls import path

from dropoffs import day_views, views

app_name = "dropoffs"
urlpatterns = [
    # Public
    path("points/", views.points, name="points"),
    path("h/<slug:hub_slug>/points/", views.hub_points, name="hub_points"),
    # Handovers at a point (hub staff and point helpers)
    path("scan/", views.scan, name="scan"),
    path("scan/where/", views.scan_where, name="scan_where"),
    path("kit/<str:code>/", views.kit, name="kit"),
    path("kit/<str:code>/handover/", views.kit_handover, name="kit_handover"),
    path("kit/<str:code>/hand-in/", views.hand_in_many, name="hand_in_many"),
    path("points/<int:point_id>/expected/", day_views.point_expected, name="point_expected"),
    # A maker who scans her own label signed out
    path("kit/<str:code>/signin/", views.kit_signin, name="kit_signin"),
    path("kit/<str:code>/signin/link/", views.kit_signin_link, name="kit_signin_link"),
    # Makers choosing doorstep visits
    path("doorstep/", views.doorstep, name="doorstep"),
    path("doorstep/stop/", views.doorstep_stop, name="doorstep_stop"),
    # Drivers
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("runs/<int:run_id>/stops/<int:stop_id>/", views.run_stop, name="run_stop"),
    path("runs/<int:run_id>/stops/<int:stop_id>/skip/", views.run_stop_skip, name="run_stop_skip"),
    path("runs/<int:run_id>/finish/", views.run_finish, name="run_finish"),
    # Hub staff
    path("hub/points/", views.staff_points, name="staff_points"),
    path("hub/points/new/", views.point_new, name="point_new"),
    path("hub/points/<int:point_id>/", views.point_edit, name="point_edit"),
    path("hub/points/<int:point_id>/status/", views.point_status, name="point_status"),
    path("hub/runs/", views.staff_runs, name="staff_runs"),
    path("hub/runs/new/", views.run_new, name="run_new"),
    path("hub/runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path(
        "hub/runs/doorsteps/<int:maker_id>/",
        views.doorstep_for_maker,
        name="doorstep_for_maker",
    ),
    path("hub/trace/", views.trace, name="trace"),
    path("hub/trace/lines/<int:line_id>/", views.trace_line, name="trace_line"),
    path("hub/trace/lots/<int:lot_id>/", views.trace_lot, name="trace_lot"),
]
