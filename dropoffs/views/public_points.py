"""The public points pages: every open point, or one hub's, with its opening hours today,
nearest first to the postcode district asked for. Open to anyone signed in or not."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dropoffs import selectors
from dropoffs.maps import allow_tiles, map_settings
from scrubhub.hubs.models import Hub
from scrubhub.query import QueryForm, SearchField


class NearQuery(QueryForm):
    near = SearchField(max_length=10)


def _points_page(request: HttpRequest, hub: Hub | None) -> HttpResponse:
    near = selectors.postcode_district(NearQuery.read(request)["near"])[:4]
    now = timezone.now()
    rows = [
        {
            "point": p,
            "status": selectors.opening_status(p, now),
            "hours": selectors.hours_by_day(p),
            "district": selectors.postcode_district(p.postcode),
        }
        for p in selectors.public_points(hub=hub)
    ]
    rows.sort(
        key=lambda r: (
            near and r["district"] != near,
            selectors.district_sort_key(r["point"].postcode),
            r["point"].name,
        )
    )
    return allow_tiles(
        render(
            request,
            "dropoffs/points.html",
            {"rows": rows, "hub": hub, "near": near, **map_settings()},
        )
    )


@login_not_required
@require_GET
def points(request: HttpRequest) -> HttpResponse:
    return _points_page(request, None)


@login_not_required
@require_GET
def hub_points(request: HttpRequest, hub_slug: str) -> HttpResponse:
    hub = get_object_or_404(Hub, slug=hub_slug, is_active=True)
    request.hub = hub  # so the layout shows this hub's name and phone
    return _points_page(request, hub)
