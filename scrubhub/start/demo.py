"""The starting-a-hub part of the demo: a neighbouring hub set up at /start/ and waiting for
the platform operator to open it."""

from __future__ import annotations

import random
from decimal import Decimal

from scrubhub.accounts.demo import demo_user
from scrubhub.start import services as start


def extend_demo(demo, rng: random.Random) -> None:  # noqa: ARG001 - same shape as the others
    """A neighbouring hub someone started at /start/ and set up, waiting for the operator
    (/operator/hubs/): it takes nobody and sends nothing until it is opened."""
    starter = demo_user("starter", "Ailsa", "Morrow")
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
