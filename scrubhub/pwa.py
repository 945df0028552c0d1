"""The installable app: the web app manifest and the service worker, both at the site's root.

The worker is served from `/sw.js` (not from /static/) so that its scope is the whole site:
the scan page (/scan/) and the kit pages (/kit/...) are in different folders. This view
only says where the files are, as their names change with their content in production; the
worker itself is static/js/service-worker.js. The icons were drawn from favicon.svg's shape
in headless Chromium (192 and 512 px, and a maskable one with the shape inside the middle
60%).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME = "#0b4f6c"  # --sh-brand in static/css/scrubhub.css: the header's colour

WORKBOX = [
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-expiration.prod.js",
]
# Kept on the phone when the worker installs, so the scan page works with no signal the
# first time it is needed.
OFFLINE_ASSETS = [
    "vendor/bootstrap/bootstrap.min.css",
    "css/scrubhub.css",
    "css/dropoffs.css",
    "js/scrubhub.js",
    "js/scan.js",
    "js/outbox.js",
    "js/offline.js",
    "img/favicon.svg",
]


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put ScrubHub on its home screen. Fetched without the session
    cookie, so it names nobody and no hub."""
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("img/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    response = JsonResponse(
        {
            "id": "/",
            "name": "ScrubHub",
            "short_name": "ScrubHub",
            "description": "Sew scrubs for your local hospital, and hand kits over at a point.",
            "lang": "en-GB",
            "start_url": reverse("role_home"),
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": THEME,
            "icons": icons,
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    settings_for_worker = {
        "workbox": [static(path) for path in WORKBOX],
        "outbox": static("js/outbox.js"),
        "assets": [static(path) for path in OFFLINE_ASSETS],
        "scan": reverse("dropoffs:scan"),
        "home": reverse("role_home"),
        "static": settings.STATIC_URL,
    }
    body = (
        "// ScrubHub's service worker: see static/js/service-worker.js.\n"
        f"self.SCRUBHUB = {json.dumps(settings_for_worker)};\n"
        f"importScripts({json.dumps(static('js/service-worker.js'))});\n"
    )
    response = HttpResponse(body, content_type="application/javascript")
    # The browser checks for a new worker on each visit; it must not keep an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
