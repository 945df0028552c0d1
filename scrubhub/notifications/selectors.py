from __future__ import annotations

from django.db.models import QuerySet

from scrubhub.notifications.models import HubMessageSettings, Message


def messages_for_hub(*, hub, status: str = "", channel: str = "") -> QuerySet[Message]:
    """A hub's outbox, newest first. Uses the (hub, -created_at) index."""
    messages = Message.objects.filter(hub=hub).order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.only(
        "pk",
        "to_address",
        "channel",
        "kind",
        "subject",
        "status",
        "attempts",
        "last_error",
        "failure_reason",
        "created_at",
        "sent_at",
        "delivered_at",
    )


def phone_list_for_hub(*, hub) -> QuerySet[Message]:
    """Messages for people we can only reach by phone, still to be rung."""
    return Message.objects.filter(
        hub=hub, channel=Message.Channel.PHONE_LIST, status=Message.Status.PENDING
    ).order_by("created_at", "pk")


def message_for_hub(*, hub, message_id: int) -> Message:
    return Message.objects.get(hub=hub, pk=message_id)


def message_settings_for(*, hub) -> HubMessageSettings:
    return HubMessageSettings.objects.filter(hub=hub).first() or HubMessageSettings(hub=hub)
