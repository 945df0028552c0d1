from django.urls import path

from bench import views

app_name = "bench"
urlpatterns = [path("bench/baseline/", views.baseline, name="baseline")]
