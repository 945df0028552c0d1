"""What a phone on a poor signal waits for before it can paint a page (issue 24, measured by
`make bench-pages`): pages come compressed, and no script holds up the first paint."""

from __future__ import annotations

import gzip
import re

import pytest

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b[^>]*>")


def test_a_page_is_sent_compressed_to_a_browser_that_asks(client):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"ScrubHub" in gzip.decompress(response.content)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/"),
        ("maker", "/me/"),
        ("point_helper", "/scan/"),
        ("hub_staff", "/hub/allocate/"),
    ],
)
def test_every_script_is_deferred_and_bootstraps_own_js_is_not_sent(client_for, persona, url):
    page = client_for(persona).get(url).content.decode()
    scripts = SCRIPT.findall(page)
    assert scripts, f"{url} has no scripts to check"
    assert [s for s in scripts if " defer" not in s] == []
    assert "bootstrap.bundle" not in page
