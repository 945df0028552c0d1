"""The dashboard also points staff at deliveries to sort out and messages that need a person."""

from __future__ import annotations

from django.urls import reverse

from scrubhub.notifications.models import Message


def test_people_to_phone_and_failed_messages_show_with_links(client_for, world):
    for n, (channel, status) in enumerate([("phone", "pending"), ("email", "failed")]):
        Message.objects.create(
            hub=world.hub,
            idempotency_key=f"dash-{n}",
            to_address="01382 000000",
            subject="Kit ready",
            body="Your kit is ready.",
            kind="kit_ready",
            channel=channel,
            status=status,
            failure_reason="permanent" if status == "failed" else "",
        )
    page = client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode()
    assert "person to phone with a message" in page
    assert reverse("notifications:phone_list") in page
    assert "message that could not be sent" in page
    assert reverse("notifications:list") + "?status=failed" in page


def test_another_hubs_messages_do_not_count(client_for, world):
    Message.objects.create(
        hub=world.other_hub,
        idempotency_key="other",
        to_address="01",
        subject="s",
        body="b",
        kind="k",
        channel="phone",
    )
    page = client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode()
    assert "person to phone with a message" not in page
