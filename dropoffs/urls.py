"""Points, handovers, doorsteps and drivers' runs. The hub staff's points, runs and traces
are in the back office (scrubhub/backoffice/urls.py), under the same "dropoffs" namespace
that scrubhub/urls.py gives them both."""

from django.urls import path

from dropoffs import day_views, views

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
]
