from __future__ import annotations

import pytest

from tests import fake_notify


@pytest.fixture
def notify(settings):
    """A fake GOV.UK Notify on loopback, with the site's Notify settings pointing at it."""
    fake, server = fake_notify.start()
    fake_notify.configure(settings, fake)
    yield fake
    server.shutdown()
    server.server_close()
