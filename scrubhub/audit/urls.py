from django.urls import path

from scrubhub.audit import views

app_name = "audit"
urlpatterns = [path("hub/audit/", views.audit_list, name="list")]
