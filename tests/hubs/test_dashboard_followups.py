"""The dashboard also points staff at deliveries to sort out and people messages did not reach."""

from __future__ import annotations

from django.urls import reverse

from scrubhub.notifications.models import Message


def test_people_we_could_not_reach_and_failed_messages_show_with_links(client_for, world):
    # One person to phone, and one whose email failed for a while (technical): counted apart.
    for n, (channel, status, to) in enumerate(
        [("phone", "pending", "01382 000000"), ("email", "failed", "maker@example.org")]
    ):
        Message.objects.create(
            hub=world.hub,
            idempotency_key=f"dash-{n}",
            to_address=to,
            subject="Kit ready",
            body="Your kit is ready.",
            kind="kit_ready",
            channel=channel,
            status=status,
            failure_reason="technical" if status == "failed" else "",
        )
    page = client_for("hub_staff").get(reverse("hubs:dashboard")).content.decode()
    assert "person we could not reach" in page
    assert reverse("notifications:unreachable") in page
    assert "message that could not be sent for a while" in page
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
    assert "person we could not reach" not in page
