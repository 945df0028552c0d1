"""Kit labels: the kit's scan address and its QR code, drawn on the server as SVG.

segno writes the SVG with presentation attributes only (no style attributes), so it passes
the site's strict Content-Security-Policy when placed inline in the page.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def kit_url(code: str) -> str:
    """The address a phone opens when it scans a kit's label (the points' scan page)."""
    return f"{settings.SITE_URL}/kit/{code}/"


def qr_svg(url: str, *, title: str) -> SafeString:
    """An inline SVG QR code for `url`. Medium error correction survives a crumpled label."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        omitsize=True, svgclass="qr-code", lineclass="qr-code-dark", border=2, title=title
    )
    # segno escapes what it writes; the title and role name the image for screen readers.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
    return mark_safe(labelled)  # noqa: S308  # nosec B308, B703
