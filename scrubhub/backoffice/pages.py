"""What the back office's views share: the one pager, rendering a page with the staff
member's hub, and keeping a list's filters in its links."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from scrubhub.counting import CappedPaginator

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])


def page_of(request: HttpRequest, items, *, per_page: int = PAGE_SIZE, capped: bool = True) -> Page:
    """The page of `items` that ?page= asks for (the last for a number past the end, the
    first for junk). CappedPaginator counts only up to a cap, so a big hub's list never
    counts its whole table (the pager then says the pages hold only the first rows);
    `capped=False` counts every row, for a page that acts on the exact whole count."""
    paginator = CappedPaginator(items, per_page) if capped else Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


def render_for_hub(
    request: HttpRequest, template: str, context: dict, status: int = 200
) -> HttpResponse:
    return render(request, template, {"hub": request.hub, **context}, status=status)


def filter_query(data, fields) -> str:
    """The filter part of a query string, to keep filters across pages and redirects."""
    return urlencode([(name, data.get(name)) for name in fields if data.get(name)])
