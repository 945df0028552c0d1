import os

from django.contrib import admin
from django.urls import include, path

from scrubhub import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    # At the root: the worker's scope is where it is served from (scrubhub/pwa.py).
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("my-page/", views.role_home, name="role_home"),
    path("start/", include("scrubhub.hubs.start_urls")),
    path("operator/", include("scrubhub.hubs.operator_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("hub/", include("scrubhub.hubs.urls")),
    path("", include("makers.urls")),
    path("", include("packages.urls")),
    path("", include("dropoffs.urls")),
    path("", include("scrubhub.notifications.urls")),
    path("", include("scrubhub.audit.urls")),
]

# The benchmark's bare baseline view (bench/views.py): only when `make bench` asks for it.
if os.environ.get("SCRUBHUB_BENCH_BASELINE") == "true":
    urlpatterns.append(path("", include("bench.urls")))
