from django.urls import path

from scrubhub.hubs import views

app_name = "hubs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch/", views.switch_hub, name="switch"),
]
