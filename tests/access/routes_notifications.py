"""The hub's outbox, the "to phone" list, the people we could not reach, summary timing,
and the public stop link."""

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


def _not_reached(world) -> dict:
    """A text to the persona maker that failed for good, so the list has a person (and
    their form, for the hostile-input and axe tests). Made once per world."""
    from makers.models import Maker
    from scrubhub.notifications.models import Message

    maker = Maker.objects.get(user=world.user("maker"))
    message, _ = Message.objects.get_or_create(
        idempotency_key="matrix-not-reached",
        defaults={
            "hub": world.hub,
            "recipient": maker.user,
            "to_address": maker.phone,
            "channel": "sms",
            "subject": "Your kit is ready",
            "body": "Your kit is ready to collect.",
            "kind": "reminder",
            "status": "failed",
            "failure_reason": "permanent",
        },
    )
    return {"maker": maker, "message": message}


def _contact_correct_data(world) -> dict:
    from scrubhub.notifications.forms import ContactCorrectForm

    maker = _not_reached(world)["maker"]
    # A fresh token each time: each persona sends their own copy of the page.
    token = ContactCorrectForm(maker=maker)._token_new()
    prefix = f"p{maker.pk}"
    return {
        f"{prefix}-form_token": token,
        f"{prefix}-email": maker.email,
        f"{prefix}-phone": "07700 900321",
        f"{prefix}-preferred_channel": "sms",
    }


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
    Route(
        "notifications:unreachable",
        only(STAFF_200),
        kwargs=lambda w: (_not_reached(w), {})[1],
        note="the persona maker's text failed, so hub A's staff see her and her form",
    ),
    Route(
        "notifications:contact_correct",
        # The second correction is saved too; there is nothing left to send by then.
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"maker_id": _not_reached(w)["maker"].pk},
        data=_contact_correct_data,
        html=False,
    ),
    Route(
        "notifications:dealt_with",
        # The second is told there is nothing left, and sent back to the list.
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"message_id": _not_reached(w)["message"].pk},
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
