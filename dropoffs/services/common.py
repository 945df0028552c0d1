"""What every dropoffs service shares: the refusals they raise (a handover's is a KitError,
the rest DropoffsErrors; each message is for people), HandoverAlreadyRecorded (a repeat,
not a fault), and the helpers points, doorsteps and runs all use (OPEN_RUN, _postcode).
"""

from __future__ import annotations

from dropoffs.models import Handover, Run
from packages.services import KitError
from scrubhub.errors import DomainError


class HandoverError(KitError):
    """A handover the rules do not allow; the message is for people."""


class HandoverAlreadyRecorded(Exception):  # noqa: N818 - an outcome, not a fault
    """A handover sent again with the key it was recorded under: nothing is done twice.
    `handover` is the one the first sending made."""

    def __init__(self, handover: Handover):
        super().__init__(f"Handover {handover.pk} was already recorded.")
        self.handover = handover
        self.message = "That handover was already recorded, so nothing was added twice."


class DropoffsError(DomainError):
    """A change to points, doorsteps or runs the rules do not allow; the message is a
    sentence for the person who tried."""


class PointError(DropoffsError):
    pass


class DoorstepError(DropoffsError):
    pass


class RunError(DropoffsError):
    pass


# Runs whose stops may still change: a point on one cannot close, a doorstep on one
# cannot stop, and a kit on one is not planned again.
OPEN_RUN = [Run.Status.PLANNED, Run.Status.STARTED]


def _postcode(text: str) -> str:
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact
