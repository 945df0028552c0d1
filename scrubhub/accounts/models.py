"""The sign-in account (a custom user model)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    """A person who signs in. What they may do comes from their hub memberships, not is_staff.

    Kept as our own model from the first migration so later fields need no swap of the
    user model.
    """

    # Part of every session's check (below): raising it signs the person out everywhere at
    # once, without reading any session rows (sign-out, a removed role, erasure).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        db_table = "accounts_user"
        indexes = [
            # Joining and signing in look people up by email, whatever its case.
            models.Index(Upper("email"), name="user_email_upper_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "scrubhub.accounts.User.session",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
