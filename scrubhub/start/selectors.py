"""Reads for starting a hub: the setup's steps and which are done, the hubs a person is
setting up, and the platform operator's queue of hubs asking to open."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Prefetch
from django.urls import reverse

from scrubhub.hubs.models import Hub, Membership, Role, SetupStep

A = Hub.Approval
Step = SetupStep.Step

# The steps in the order the setup page lists them. Opening hours may wait: a point with no
# hours takes any day (dropoffs.selectors.open_on).
STEPS = [Step.HUB, Step.HOSPITALS, Step.GARMENTS, Step.POINTS, Step.HOURS, Step.SETTINGS]
NEEDED_TO_OPEN = {Step.HUB, Step.HOSPITALS, Step.GARMENTS, Step.POINTS, Step.SETTINGS}


def steps_done(*, hub: Hub) -> set[str]:
    return set(SetupStep.objects.filter(hub=hub).values_list("step", flat=True))


@dataclass(frozen=True)
class StepRow:
    step: str
    label: str
    done: bool
    needed: bool
    url: str


def setup_progress(*, hub: Hub) -> list[StepRow]:
    done = steps_done(hub=hub)
    return [
        StepRow(
            step=step,
            label=str(Step(step).label),
            done=step in done,
            needed=step in NEEDED_TO_OPEN,
            url=reverse(f"start:{step}", args=[hub.pk]),
        )
        for step in STEPS
    ]


def next_step(rows: list[StepRow]) -> StepRow | None:
    return next((row for row in rows if not row.done), None)


def hubs_being_set_up(*, user) -> list[Hub]:
    """The hubs this person coordinates that are not open yet, newest first."""
    if not user.is_authenticated:
        return []
    return list(
        Hub.objects.filter(
            memberships__user=user,
            memberships__role=Role.COORDINATOR,
        )
        .exclude(approval=A.APPROVED)
        .order_by("-created_at", "-pk")
    )


def hubs_for_operator() -> tuple[list[Hub], list[Hub]]:
    """(hubs waiting for approval, oldest ask first; hubs still setting up or declined),
    each with its coordinators and hospitals."""
    coordinators = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=Role.COORDINATOR).select_related("user"),
        to_attr="coordinator_roles",
    )
    hubs = Hub.objects.exclude(approval=A.APPROVED).prefetch_related(
        coordinators, "hospitals", "points"
    )
    waiting = list(hubs.filter(approval=A.WAITING).order_by("approval_asked_at", "pk")[:200])
    others = list(hubs.exclude(approval=A.WAITING).order_by("-created_at", "-pk")[:50])

    users = [m.user for hub in waiting + others for m in hub.coordinator_roles]
    confirmed = set(
        EmailAddress.objects.filter(user__in=users, verified=True).values_list("user_id", flat=True)
    )
    for hub in waiting + others:
        for membership in hub.coordinator_roles:
            membership.user.email_confirmed = membership.user.pk in confirmed
    return waiting, others
