"""How a maker or a group's leader is reached: one rule (makers.selectors.maker_contact and
scrubhub.notifications.contacts, routed by channel_for) for every message sent to them."""

from __future__ import annotations

import pytest

from makers.selectors import maker_contact
from makers.services import maker_erase
from makers.validators import contact_channel
from packages import kit_messages
from scrubhub.notifications.contacts import group_leader_contact
from scrubhub.notifications.models import Message
from scrubhub.notifications.selectors import unreachable_for_hub
from tests import factories

C = Message.Channel


@pytest.mark.parametrize(
    ("email", "phone", "preferred", "route"),
    [
        ("ann@example.org", "07700 900123", "email", (C.EMAIL, "ann@example.org")),
        ("ann@example.org", "07700 900123", "sms", (C.SMS, "07700 900123")),
        ("ann@example.org", "01382 111111", "phone", (C.PHONE_LIST, "01382 111111")),
        ("", "07700 900123", "email", (C.PHONE_LIST, "07700 900123")),
        ("ann@example.org", "", "sms", (C.EMAIL, "ann@example.org")),
    ],
)
def test_a_maker_is_reached_on_their_chosen_channel_when_we_can(
    world, email, phone, preferred, route
):
    maker = factories.MakerFactory(
        hub=world.hub, email=email, phone=phone, preferred_channel=preferred
    )
    contact = maker_contact(maker=maker)
    assert contact.route == route
    assert contact.recipient == maker.user


def test_an_erased_maker_is_reached_by_nothing_and_listed_nowhere(world):
    maker = maker_erase(maker=factories.MakerFactory(hub=world.hub), actor=world.user("hub_staff"))
    assert maker_contact(maker=maker).route is None
    kit_messages.tell(key="erased-test", hub=world.hub, maker=maker, subject="S", lines=["L"])
    assert not Message.objects.filter(idempotency_key="erased-test").exists()
    assert unreachable_for_hub(hub=world.hub) == []


@pytest.mark.parametrize(
    ("contact", "route"),
    [
        ("07700 900123", (C.SMS, "07700 900123")),
        ("01382 111111", (C.PHONE_LIST, "01382 111111")),
        ("pat@school.example.org", (C.EMAIL, "pat@school.example.org")),
    ],
)
def test_a_group_leader_is_reached_at_the_contact_the_hub_wrote_down(world, contact, route):
    group = factories.MakerGroupFactory(hub=world.hub, leader=None, leader_contact=contact)
    assert group_leader_contact(group).route == route


def test_a_kit_message_to_a_group_goes_where_its_reminders_go(world):
    # Kit messages once put a leader's mobile on the hub's phone list while reminders
    # texted it; both now follow group_leader_contact.
    group = factories.MakerGroupFactory(hub=world.hub, leader=None, leader_contact="07700 900123")
    kit_messages.tell(key="contact-test", hub=world.hub, group=group, subject="S", lines=["L"])
    message = Message.objects.get(idempotency_key="contact-test")
    assert (message.channel, message.to_address) == (C.SMS, "07700 900123")


def test_someone_who_did_not_choose_is_emailed_else_texted_on_a_mobile_else_rung():
    assert contact_channel(email="ann@example.org", phone="07700 900123") == "email"
    assert {contact_channel(phone=p) for p in ("07700 900123", "+44 7700 900123")} == {"sms"}
    assert contact_channel(phone="01382 111111") == "phone"
