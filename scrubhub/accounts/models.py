from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. What they may do comes from their hub memberships, not is_staff.

    Kept as our own model from the first migration so later fields (a phone number for
    sign-in codes, say) need no swap of the user model.
    """

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
