"""Starting a hub (/start/), one step a page. The step pages' names are the step names
(selectors.STEPS), so the setup page can link to each."""

from django.urls import path

from scrubhub.start import views

app_name = "start"
urlpatterns = [
    path("", views.begin, name="begin"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/hub/", views.step_hub, name="hub"),
    path("<int:pk>/hospitals/", views.step_hospitals, name="hospitals"),
    path("<int:pk>/garments/", views.step_garments, name="garments"),
    path("<int:pk>/points/", views.step_points, name="points"),
    path("<int:pk>/hours/", views.step_hours, name="hours"),
    path("<int:pk>/settings/", views.step_settings, name="settings"),
    path("<int:pk>/ask/", views.ask, name="ask"),
]
