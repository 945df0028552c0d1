"""Puts the hub a person belongs to on every page, so its name and phone are always shown."""

from __future__ import annotations

from scrubhub.hubs.models import Hub
from scrubhub.hubs.permissions import SESSION_HUB_KEY, memberships, staff_hubs


def _hub_for(request) -> Hub | None:
    explicit = getattr(request, "hub", None)
    if explicit is not None:
        return explicit
    own = [m.hub for m in memberships(request.user) if m.hub_id]
    if own:
        chosen = request.session.get(SESSION_HUB_KEY)
        return next((hub for hub in own if hub.pk == chosen), own[0])
    return None


def current_hub(request) -> dict:
    hub = _hub_for(request)
    return {
        "current_hub": hub,
        "my_roles": {m.role for m in memberships(request.user)},
        "staff_hubs": staff_hubs(request.user),
    }
