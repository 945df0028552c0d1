from django.urls import path

from dropoffs import views

app_name = "dropoffs"
urlpatterns = [
    path("runs/", views.runs, name="runs"),
    path("scan/", views.scan, name="scan"),
]
