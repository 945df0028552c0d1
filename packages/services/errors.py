"""The errors packages.services raises: each says, in words a person can act on, why a change
to stock, kits, demand or deliveries was refused. Views show them as they are.
"""

from __future__ import annotations

from packages.models import Kit
from scrubhub.errors import DomainError


class PackagesError(DomainError):
    """A change the rules do not allow; the message is a sentence for the person who tried."""


class StockError(PackagesError):
    pass


class KitError(PackagesError):
    pass


class KitTakenError(KitError):
    """The kit was given out (or changed) by someone else a moment ago."""

    def __init__(self, message: str, *, kit: Kit):
        super().__init__(message)
        self.kit = kit


class DeliveryError(PackagesError):
    pass


class DemandError(PackagesError):
    pass


class PatternError(PackagesError):
    pass


class LaundryError(PackagesError):
    pass
