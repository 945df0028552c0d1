"""The hub staff pages' part of the demo: the shift notes and the invitations waiting for an
answer (the batch of kits cut from fabric is in packages.demo)."""

from __future__ import annotations

import random

from scrubhub.hubs import services
from scrubhub.hubs.models import Role
from scrubhub.hubs.team_services import invitation_send


def extend_demo(demo, rng: random.Random) -> None:  # noqa: ARG001 - same shape as the others
    staff = demo.users["staff"]
    shift = demo.users.get("shift", staff)
    hub = demo.hub
    notes = [
        (
            shift,
            "Library point rang: two bags of finished scrubs waiting, please add them to "
            "tomorrow's run.",
        ),
        (
            staff,
            "Six medium top kits cut from the navy fabric are on the shelf with labels on. "
            "Medium and large are what the laundry needs most. The teal lot is nearly "
            "untouched.",
        ),
    ]
    for author, text in notes:
        services.shift_note_leave(hub=hub, text=text, actor=author)

    # Invitations waiting for an answer (issue 7): the team growing for the next shift.
    points = list(demo.points)
    invites = [
        {"email": "evening.shift@example.org", "role": Role.HUB_STAFF},
        {"email": "van.driver@example.org", "role": Role.DRIVER},
    ]
    if points:
        invites.append(
            {"email": "library.helper@example.org", "role": Role.POINT_HELPER, "point": points[0]}
        )
    for invite in invites:
        invitation_send(hub=hub, actor=staff, **invite)
