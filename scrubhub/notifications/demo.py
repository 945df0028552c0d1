"""The demo's messages side: the hub's summary time and one maker who stopped the weekly
summaries (today's reminders are sent by scrubhub.demo, which may import dropoffs)."""

from __future__ import annotations

from makers.models import Maker
from scrubhub.notifications.models import HubMessageSettings
from scrubhub.notifications.services import WEEKLY_SUMMARY, opt_out_record


def extend_demo(demo, rng) -> None:
    HubMessageSettings.objects.create(hub=demo.hub, summary_weekday=0, summary_hour=8)
    stopped = (
        Maker.objects.filter(hub=demo.hub, status=Maker.Status.ACTIVE)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)[5:6]
    )
    for email in stopped:
        opt_out_record(address=email, kind=WEEKLY_SUMMARY)
