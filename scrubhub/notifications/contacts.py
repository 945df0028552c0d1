"""Where a message to someone who is not a maker goes: a group's leader, a driver, a point
helper. Accounts hold only an email address; a person who also sews for the hub has their
phone and chosen channel on their maker record, so a phone-only driver is texted too."""

from __future__ import annotations

from dataclasses import dataclass

from makers.validators import contact_channel
from scrubhub.notifications.services import channel_for


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""
    preferred_channel: str = "email"
    recipient: object | None = None  # the account, when there is one

    @property
    def route(self) -> tuple[str, str] | None:
        """(channel, address) a message to them goes by (channel_for), or None when we have
        no way to reach them."""
        return channel_for(email=self.email, phone=self.phone, preferred=self.preferred_channel)

    @property
    def message_fields(self) -> dict:
        """The person_notify / person_message arguments that route a message to them."""
        return {
            "email": self.email,
            "phone": self.phone,
            "preferred_channel": self.preferred_channel,
        }


def _maker_of(user):
    """The user's maker record when select_related("...__maker") read one, else None."""
    try:
        maker = user.maker
    except AttributeError:  # RelatedObjectDoesNotExist is one: no maker record
        return None
    return None if maker is None or maker.status == maker.Status.ERASED else maker


def user_contact(user) -> Contact:
    """A driver or helper: their account's email, or what their maker record says."""
    name = user.get_full_name() or user.username
    maker = _maker_of(user)
    if maker is None:
        return Contact(name=name, email=user.email, recipient=user)
    return Contact(
        name=name,
        email=user.email or maker.email,
        phone=maker.phone,
        preferred_channel=maker.preferred_channel,
        recipient=user,
    )


def group_leader_contact(group) -> Contact:
    """A group's leader: their account's email when they have one, else the contact the
    hub wrote down (an email, a mobile to text, or a landline for staff to ring)."""
    leader = group.leader if group.leader_id else None
    name = group.leader_name or (leader.get_full_name() if leader else "")
    contact = (group.leader_contact or "").strip()
    email = leader.email if leader is not None and leader.email else ""
    phone = ""
    if "@" in contact:
        email = email or contact
    elif contact:
        phone = contact
    channel = contact_channel(email=email, phone=phone)
    return Contact(name=name, email=email, phone=phone, preferred_channel=channel, recipient=leader)
