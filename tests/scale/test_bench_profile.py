"""bench.profile's replay of a page's SQL through a bare cursor: it must send the very
statements the request sent, with their values, once per repeat."""

from __future__ import annotations

import pytest
from django.db.models import F

from bench.profile import _statements_alone_ms
from scrubhub.hubs.models import Hub
from tests import factories


@pytest.mark.django_db
def test_the_replay_sends_the_requests_statements_with_their_values_each_time():
    hub = factories.HubFactory(overdue_after_days=10)
    other = factories.HubFactory(overdue_after_days=10)

    def hit():
        Hub.objects.filter(pk=hub.pk).update(overdue_after_days=F("overdue_after_days") + 1)

    spent_ms = _statements_alone_ms(hit, repeat=3)

    hub.refresh_from_db()
    other.refresh_from_db()
    assert hub.overdue_after_days == 10 + 1 + 3  # the request itself, then three replays
    assert other.overdue_after_days == 10  # its value (the hub's pk) went with it
    assert spent_ms > 0
