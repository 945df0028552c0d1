"""UK postcodes and phone numbers as people type them, and as we keep them."""

from __future__ import annotations

import re

# The shapes Royal Mail uses (outward code, space, inward code), plus GIR 0AA.
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2})$")
_PHONE_KEEP = re.compile(r"[^\d+]")


def normalise_postcode(text: str) -> str:
    """'dd14hn' or ' DD1  4HN ' as 'DD1 4HN'; "" if it is not the shape of a UK postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not _POSTCODE.match(compact):
        return ""
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(text: str) -> str:
    """A UK number as 11 digits starting with 0 ('+44 7700 900123' is '07700900123');
    "" if it cannot be one."""
    digits = _PHONE_KEEP.sub("", text or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if digits.startswith("00"):
        return ""
    if digits.startswith("440") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:].lstrip("0")
    if "+" in digits or not digits.startswith("0") or len(digits) not in (10, 11):
        return ""
    return digits


def is_mobile(phone: str) -> bool:
    """UK mobiles start 07 (but 070 is a personal number and 076 pagers)."""
    return phone.startswith("07") and phone[2] not in "06" and len(phone) == 11


def contact_channel(*, email: str = "", phone: str = "") -> str:
    """The channel (Maker.Channel's value) for someone who did not choose one: email when
    they gave an address, else a text to a mobile, else a call from the hub, as a landline
    cannot take a text."""
    if email:
        return "email"
    return "sms" if is_mobile(normalise_phone(phone)) else "phone"


def format_phone(phone: str) -> str:
    """How we show a number we keep: '07700 900123'."""
    if len(phone) == 11:
        return f"{phone[:5]} {phone[5:]}"
    return phone


def normalise_contact(text: str) -> str:
    """A phone number or an email address as we keep it ('07700 900123', 'ann@example.org');
    "" if it is neither. For contacts given as one answer, like a parent or guardian's."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    text = (text or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            return ""
        return text.lower()
    phone = normalise_phone(text)
    return format_phone(phone) if phone else ""
