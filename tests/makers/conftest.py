"""Helpers for the volunteers' pages: a kit in a maker's hands, and the link in a message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from makers.models import Maker
from packages import services as packages
from scrubhub.notifications.models import Message
from tests import factories


@pytest.fixture
def maker(world) -> Maker:
    return Maker.objects.get(user=world.user("maker"))


@pytest.fixture
def held_kit(world, maker):
    """Factory: a kit of `garments` collected by `who` (the persona "maker" by default)."""

    def make(who: Maker | None = None, garments: int = 5, finished: int = 0, collect=True):
        who = who or maker
        staff = world.user("hub_staff")
        hub = who.hub
        (kit,) = factories.prepared_kits(hub=hub, actor=staff, garments=garments)
        point = hub.points.first()
        packages.kit_allocate(kit=kit, maker=who, actor=staff, collection_point=point)
        if collect:
            kit = packages.kit_collect(kit=kit, actor=staff)
        if finished:
            kit = packages.kit_progress_log(kit=kit, finished=finished, actor=who.user)
        return kit

    return make


def signin_path(message: Message) -> str:
    """The path and query of the sign-in link in a message, to open on the test server."""
    url = re.search(r"https?://\S+", message.body).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def last_signin_message(**filters) -> Message:
    return Message.objects.filter(kind="maker_signin_link", **filters).latest("created_at", "pk")
