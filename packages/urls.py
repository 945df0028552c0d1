from django.urls import path

from packages import views

app_name = "packages"
urlpatterns = [
    path("laundry/", views.laundry_home, name="laundry_home"),
]
