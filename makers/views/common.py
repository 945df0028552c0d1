"""What the volunteers' pages share: GET-or-POST, the asking client's address (for the
limits), the hub of a public page, and the signed-in maker and her kit (404 for anyone
else's, so another maker's kit looks like no kit)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from makers import selectors
from makers.models import Maker
from scrubhub.hubs.models import Hub

GET_POST = require_http_methods(["GET", "POST"])


def _client(request: HttpRequest) -> str:
    return get_adapter().get_client_ip(request) or ""


def _hub_or_404(slug: str) -> Hub:
    return get_object_or_404(Hub, slug=slug, is_active=True)


def _show_hub(request: HttpRequest, hub: Hub) -> None:
    # base.html shows the current hub's name and phone on every page.
    request.hub = hub


def _own_maker(request: HttpRequest) -> Maker:
    maker = selectors.maker_for_user(user=request.user)
    if maker is None or maker.status == Maker.Status.ERASED:
        raise Http404
    _show_hub(request, maker.hub)
    return maker


def _own_kit(request: HttpRequest, code: str):
    """The signed-in maker's kit, or 404: another maker's kit must look like no kit."""
    maker = _own_maker(request)
    kit = selectors.kit_for_maker(maker=maker, code=code)
    if kit is None:
        raise Http404
    return maker, kit
