"""Every URL of the site: each app's public pages joined with its back-office pages
under /hub/, the admin, accounts and the service worker."""

import os

from django.contrib import admin
from django.urls import include, path

import dropoffs.urls
import makers.urls
import packages.urls
import scrubhub.notifications.urls
from scrubhub import pwa, views
from scrubhub.backoffice.urls import NAMESPACES as BACK_OFFICE


def _with_back_office(namespace: str, public: list) -> tuple[list, str]:
    """An app's public pages and its back-office pages under /hub/, as one namespace: the
    names stay where templates and code reverse them (a namespace must be one include)."""
    return [*public, path("hub/", include(BACK_OFFICE[namespace]))], namespace


urlpatterns = [
    path("", views.home, name="home"),
    # At the root: the worker's scope is where it is served from (scrubhub/pwa.py).
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("my-page/", views.role_home, name="role_home"),
    path("start/", include("scrubhub.start.urls")),
    path("operator/", include("scrubhub.start.operator_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The hub's back office: every /hub/ page is in scrubhub/backoffice/urls.py.
    path("hub/", include((BACK_OFFICE["hubs"], "hubs"))),
    path("", include(_with_back_office("makers", makers.urls.urlpatterns))),
    path("", include(_with_back_office("packages", packages.urls.urlpatterns))),
    path("", include(_with_back_office("dropoffs", dropoffs.urls.urlpatterns))),
    path("", include(_with_back_office("notifications", scrubhub.notifications.urls.urlpatterns))),
    path("", include(_with_back_office("audit", []))),
]

# The benchmark's bare baseline view (bench/views.py): only when `make bench` asks for it.
if os.environ.get("SCRUBHUB_BENCH_BASELINE") == "true":
    urlpatterns.append(path("", include("bench.urls")))
