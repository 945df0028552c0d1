"""The hub staff pages' part of the demo: the shift notes (the batch of kits cut from fabric
is in packages.demo)."""

from __future__ import annotations

import random

from scrubhub.hubs import services


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
    from scrubhub.hubs.models import Role
    from scrubhub.hubs.team_services import invitation_send

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

    _hub_waiting_to_open(demo)


def _hub_waiting_to_open(demo) -> None:
    """A neighbouring hub someone started at /start/ and set up, waiting for the operator
    (/operator/hubs/): it takes nobody and sends nothing until it is opened."""
    from decimal import Decimal

    from scrubhub.demo import _user
    from scrubhub.hubs import start_services as start

    starter = _user("starter", "Ailsa", "Morrow")
    hub = start.hub_start(actor=starter, name="Angus Scrub Hub", area="Forfar and Brechin")
    start.setup_hub_save(
        hub=hub,
        actor=starter,
        name=hub.name,
        area=hub.area,
        slug=hub.slug,
        phone="01307 460000",
        email="scrubs@angus-hub.invalid",
        about="Sewing for Stracathro from Forfar library and Brechin's church hall.",
        latitude=Decimal("56.6435"),
        longitude=Decimal("-2.8890"),
    )
    start.setup_hospital_add(
        hub=hub,
        actor=starter,
        name="Stracathro Hospital",
        laundry_name="Stracathro linen room",
        laundry_email="linen.room@stracathro.invalid",
    )
    start.setup_garments_save(
        hub=hub,
        actor=starter,
        metres={("top", size): Decimal("1.6") for size in ("S", "M", "L", "XL")},
    )
    start.setup_point_add(
        hub=hub,
        actor=starter,
        name="Forfar library",
        address="50 West High Street, Forfar",
        postcode="DD8 1BA",
        latitude=Decimal("56.6442"),
        longitude=Decimal("-2.8897"),
    )
    start.setup_settings_save(
        hub=hub, actor=starter, overdue_after_days=10, stand_down_on=None, retention_days=180
    )
    start.setup_ask_to_open(hub=hub, actor=starter)
