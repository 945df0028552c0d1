from django.urls import path

from makers import views

app_name = "makers"
urlpatterns = [
    path("me/", views.me, name="me"),
]
