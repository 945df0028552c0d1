"""The map's settings for the pages that show points on a map, and the CSP allowance
that lets such a page load its tiles."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse


def map_settings() -> dict:
    """Tiles come from a server the operator chooses; with none set (as in tests) the map
    shows markers on a plain background and never reaches out to the internet."""
    return {
        "tile_url": getattr(settings, "SCRUBHUB_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "SCRUBHUB_MAP_TILE_ATTRIBUTION", ""),
    }


def allow_tiles(response: HttpResponse) -> HttpResponse:
    """Let the map load images from the tile server, on the map's pages only."""
    tiles = urlsplit(map_settings()["tile_url"])
    if tiles.scheme in {"http", "https"} and tiles.netloc:
        response._csp_update = {"img-src": [f"{tiles.scheme}://{tiles.netloc}"]}
    return response
