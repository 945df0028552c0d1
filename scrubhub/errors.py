"""The one base for the project's domain errors: a change the rules do not allow, whose
message is a sentence for the person who tried. Each app keeps its own subclass (KitError,
MakerError, HubError, ...) so callers can catch one app's refusals, or all of them."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal by a rule; `str(error)` is written for the person, ready to show."""
