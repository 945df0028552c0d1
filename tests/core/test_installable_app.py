"""The app a maker or helper puts on the home screen: a valid manifest with icons that
exist, and a service worker served from the site's root so it looks after /scan/ and /kit/."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_manifest_says_what_a_phone_needs_to_install_the_app(client):
    response = client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == manifest["short_name"] == "ScrubHub"
    assert manifest["start_url"] == reverse("role_home")
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["theme_color"] == "#0b4f6c"  # the header's colour
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = icon["src"].removeprefix("/static/")
        found = finders.find(path)
        assert found, icon["src"]
        with open(found, "rb") as png:
            head = png.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root_with_its_files(client):
    response = client.get(reverse("service_worker"))
    assert reverse("service_worker") == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "importScripts(" in body and "/static/js/service-worker.js" in body
    for path in ("vendor/workbox/workbox-core.prod.js", "js/outbox.js", "js/offline.js"):
        assert f"/static/{path}" in body
        assert finders.find(path)


def test_every_page_links_the_manifest_and_loads_the_outbox(client):
    page = client.get(reverse("home")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
    assert 'data-worker="/sw.js"' in page
    assert "js/outbox.js" in page
