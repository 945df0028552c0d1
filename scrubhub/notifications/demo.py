"""The demo's messages side: the hub's summary time, today's reminders, one maker who
stopped the weekly summaries."""

from __future__ import annotations

from makers.models import Maker
from scrubhub.notifications.models import HubMessageSettings
from scrubhub.notifications.reminders import reminders_send
from scrubhub.notifications.services import WEEKLY_SUMMARY, opt_out_record


def extend_demo(demo, rng) -> None:
    HubMessageSettings.objects.create(hub=demo.hub, summary_weekday=0, summary_hour=8)
    # Kits collected weeks ago are overdue: today's reminders go out as they would.
    reminders_send()
    stopped = (
        Maker.objects.filter(hub=demo.hub, status=Maker.Status.ACTIVE)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)[5:6]
    )
    for email in stopped:
        opt_out_record(address=email, kind=WEEKLY_SUMMARY)
