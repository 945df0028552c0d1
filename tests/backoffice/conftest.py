"""Fixtures for the back office's tests: the same staff member and maker as the hub tests'."""

from tests.hubs.conftest import maker, staff  # noqa: F401
