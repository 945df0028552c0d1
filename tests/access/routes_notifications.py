"""The hub's outbox, the "to phone" list, summary timing, and the public stop link."""

from tests.access.matrix import REDIRECT, Route, answers, only

STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}


def _message_of_hub_a(world, **extra):
    from scrubhub.notifications.models import Message

    message, _ = Message.objects.get_or_create(
        idempotency_key=f"matrix-{extra.get('channel', 'email')}",
        defaults={
            "hub": world.hub,
            "to_address": "01382 000111",
            "subject": "Your kit is ready",
            "body": "Your kit is ready to collect.",
            "kind": "kit_ready",
            **extra,
        },
    )
    return message


def _stop_token(world):
    from scrubhub.notifications.services import opt_out_token

    return {"token": opt_out_token(address="maker@example.org", kind="weekly_summary")}


ROUTES = [
    Route("notifications:list", only(STAFF_200)),
    Route("notifications:phone_list", only(STAFF_200)),
    Route(
        "notifications:settings",
        only({"coordinator": 200, "hub_staff": 403, "other_hub_staff": 403}),
        note="only coordinators change the summary time",
    ),
    Route(
        "notifications:resend",
        # A pending message cannot be resent: staff are told so and sent back to the list.
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"message_id": _message_of_hub_a(w).pk},
        html=False,
    ),
    Route(
        "notifications:phoned",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"message_id": _message_of_hub_a(w, channel="phone").pk},
        html=False,
    ),
    Route("notifications:stop", answers(200), kwargs=_stop_token),
    Route(
        "notifications:notify_receipt",
        answers(401),
        method="post",
        html=False,
        note="GOV.UK Notify's delivery receipts: only with its bearer token, whoever is signed in",
    ),
]
