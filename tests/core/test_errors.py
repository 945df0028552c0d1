"""Every app's refusals share one base, so a page or task can catch a rule's refusal
without catching programming errors."""

from __future__ import annotations

import pytest

from dropoffs.services import DropoffsError, HandoverError
from makers.services import MakerError
from makers.sheets import SheetError
from packages.services import KitError, KitTakenError, PackagesError
from scrubhub.errors import DomainError
from scrubhub.hubs.services import HubError
from scrubhub.hubs.team_services import TeamError
from scrubhub.notifications.services import MessageError


@pytest.mark.parametrize(
    "error",
    [
        DropoffsError,
        HandoverError,
        MakerError,
        SheetError,
        PackagesError,
        KitError,
        KitTakenError,
        HubError,
        TeamError,
        MessageError,
    ],
)
def test_each_domain_error_is_a_domain_error(error):
    assert issubclass(error, DomainError)
