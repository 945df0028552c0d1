"""Who may do what, where. Views ask here; templates never decide access."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from scrubhub.hubs.models import STAFF_ROLES, Hub, Membership, Role


def memberships(user) -> list[Membership]:
    """The user's memberships, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_scrubhub_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related("hub", "hospital", "point")
        )
        user._scrubhub_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def staff_hubs(user) -> list[Hub]:
    """Hubs where the user is hub staff or coordinator, in name order, without repeats."""
    hubs = {m.hub_id: m.hub for m in memberships(user) if m.role in STAFF_ROLES}
    return sorted(hubs.values(), key=lambda hub: hub.name)


def is_staff_of(user, hub: Hub) -> bool:
    return any(m.role in STAFF_ROLES and m.hub_id == hub.pk for m in memberships(user))


def is_coordinator_of(user, hub: Hub) -> bool:
    return any(m.role == Role.COORDINATOR and m.hub_id == hub.pk for m in memberships(user))


def laundry_hospitals(user) -> list:
    return [m.hospital for m in memberships(user) if m.role == Role.LAUNDRY]


def has_role(user, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


SESSION_HUB_KEY = "scrubhub_hub_id"


def current_staff_hub(request: HttpRequest) -> Hub:
    """The hub a staff member is working in: the one chosen in the hub switcher, else the
    first. Raises PermissionDenied for people who are not hub staff anywhere."""
    hubs = staff_hubs(request.user)
    if not hubs:
        raise PermissionDenied("This page is for hub staff.")
    chosen = request.session.get(SESSION_HUB_KEY)
    for hub in hubs:
        if hub.pk == chosen:
            return hub
    return hubs[0]


def hub_staff_required(view):
    """Lets hub staff and coordinators in, with request.hub set to the hub they work in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.hub = current_staff_hub(request)
        return view(request, *args, **kwargs)

    return wrapped


def role_required(*wanted: str):
    """Lets in people holding any of the given roles (in any scope); 403 for others."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *wanted):
                raise PermissionDenied("This page is not part of your role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_hub_for_staff(user, hub_id: int) -> Hub:
    """A hub the user works in, or 404 (never reveal another hub exists)."""
    for hub in staff_hubs(user):
        if hub.pk == hub_id:
            return hub
    raise Http404
