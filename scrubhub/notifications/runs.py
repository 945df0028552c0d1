"""The outbox's scheduled runs: what goes out each day and each week.

The apps that know what to say (dropoffs' reminders and day-before messages, packages'
weekly summaries) sit above the outbox, so the outbox cannot import them. Each registers
its run here from its AppConfig.ready(), and the beat tasks call every registered run. A
run returns how many messages it queued and must be safe to run twice, or twice at once.
"""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[[], int]

_daily: list[Run] = []
_weekly: list[Run] = []


def daily_run_register(run: Run) -> None:
    """Add a run to the daily tick (once, however often the app is set up)."""
    if run not in _daily:
        _daily.append(run)


def weekly_run_register(run: Run) -> None:
    """Add a run to the hourly tick that sends each hub's weekly messages when they fall due."""
    if run not in _weekly:
        _weekly.append(run)


def daily_runs_send() -> int:
    return sum(run() for run in _daily)


def weekly_runs_send() -> int:
    return sum(run() for run in _weekly)
