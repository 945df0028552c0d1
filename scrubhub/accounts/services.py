"""Changes to sign-in accounts: ending a person's sessions everywhere."""

from __future__ import annotations

from django.db.models import F

from scrubhub.accounts.models import User


def user_sessions_end(*, user_id: int) -> None:
    """Sign the person out on every device: every session's check includes session_epoch,
    so raising it makes all their sessions invalid on their next request."""
    User.objects.filter(pk=user_id).update(session_epoch=F("session_epoch") + 1)
