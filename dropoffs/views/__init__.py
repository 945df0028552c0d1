"""The public points, handovers at a point, a maker's doorstep, and drivers' runs, one module
per page area: public_points, handovers (scan, the kit page and its buttons, a maker's
sign-in from her label, handing in many), doorsteps, drivers (the driver's runs), outbox
(the JSON answer the phone's outbox reads) and common (the refusals pages show). Thin:
fetch and authorise in one call, then a form and a service. The hub staff's points, runs
and traces are in the back office (scrubhub/backoffice/views/). dropoffs/urls.py names the
views from here."""

from dropoffs.views.common import PROBLEMS
from dropoffs.views.doorsteps import doorstep, doorstep_stop
from dropoffs.views.drivers import run, run_finish, run_stop, run_stop_skip, runs
from dropoffs.views.handovers import (
    ACTION_TEXT,
    DONE_TEXT,
    SCAN_SUGGESTIONS,
    hand_in_many,
    kit,
    kit_handover,
    kit_signin,
    kit_signin_link,
    scan,
    scan_where,
)
from dropoffs.views.public_points import NearQuery, hub_points, points

__all__ = [
    "ACTION_TEXT",
    "DONE_TEXT",
    "PROBLEMS",
    "SCAN_SUGGESTIONS",
    "NearQuery",
    "doorstep",
    "doorstep_stop",
    "hand_in_many",
    "hub_points",
    "kit",
    "kit_handover",
    "kit_signin",
    "kit_signin_link",
    "points",
    "run",
    "run_finish",
    "run_stop",
    "run_stop_skip",
    "runs",
    "scan",
    "scan_where",
]
