"""The platform operator's pages outside the admin: hubs asking to open."""

from django.urls import path

from scrubhub.start import views

app_name = "operator"
urlpatterns = [
    path("hubs/", views.operator_hubs, name="hubs"),
    path("hubs/<int:pk>/approve/", views.operator_approve, name="hub_approve"),
    path("hubs/<int:pk>/decline/", views.operator_decline, name="hub_decline"),
]
