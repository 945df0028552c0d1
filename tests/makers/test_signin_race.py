"""Two clicks on one sign-in link at the same moment: exactly one signs in."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from makers import signin
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_a_link_clicked_twice_at_once_signs_in_once():
    user = factories.UserFactory(username="margaret")
    token = signin.signin_url(user).split("token=", 1)[1]
    barrier = threading.Barrier(2)
    results: list = []

    def click():
        try:
            barrier.wait(timeout=10)
            results.append(signin.user_for_token(token))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2
    assert sum(result is not None for result in results) == 1
