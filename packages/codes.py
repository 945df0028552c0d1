"""Kit codes: made at random when a kit is prepared, printed on its label, and forgiven when
typed or scanned (normalise_kit_code, and kit_code_neighbours for a code one slip away).
"""

from __future__ import annotations

import secrets

# Crockford's base 32: no I, L, O or U, so what is printed cannot be misread as another
# code; what people type is forgiven by normalise_kit_code (O is 0, I and L are 1).
KIT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KIT_CODE_LENGTH = 7
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_.\t\n\u2010\u2011\u2012\u2013\u2014")


def kit_code_generate() -> str:
    """A random code, not sequential, so a code reveals nothing about how many kits exist."""
    return "".join(secrets.choice(KIT_CODE_ALPHABET) for _ in range(KIT_CODE_LENGTH))


def normalise_kit_code(text: str) -> str:
    """What someone typed or scanned, as the stored code: any case, spaces, hyphens and
    look-alike letters forgiven. Returns "" when it cannot be a kit code."""
    code = (text or "").upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    if len(code) != KIT_CODE_LENGTH or any(ch not in KIT_CODE_ALPHABET for ch in code):
        return ""
    return code


# Characters of the alphabet (and U, which it leaves out) that people misread for one
# another on a worn label; O, I and L are already forgiven above.
_MISREAD = {
    "0": "DQ",
    "D": "0",
    "Q": "0",
    "1": "7",
    "7": "1",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B",
    "B": "8",
    "U": "V",
    "V": "U",
}


def kit_code_neighbours(text: str) -> list[str]:
    """The codes one slip away from what someone typed, nearest first: one misread
    character, two neighbours swapped, then any one character wrong, missing or extra.
    A few hundred at most, so they can be looked up by the code's index."""
    typed = (text or "").upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    if not typed.isascii() or abs(len(typed) - KIT_CODE_LENGTH) > 1:
        return []
    found: dict[str, None] = {}  # a dict keeps the order and drops repeats

    def add(code: str) -> None:
        if code != typed and all(ch in KIT_CODE_ALPHABET for ch in code):
            found[code] = None

    if len(typed) == KIT_CODE_LENGTH:
        for i, ch in enumerate(typed):
            for other in _MISREAD.get(ch, ""):
                add(typed[:i] + other + typed[i + 1 :])
        for i in range(KIT_CODE_LENGTH - 1):
            add(typed[:i] + typed[i + 1] + typed[i] + typed[i + 2 :])
        for i in range(KIT_CODE_LENGTH):
            for other in KIT_CODE_ALPHABET:
                add(typed[:i] + other + typed[i + 1 :])
    elif len(typed) < KIT_CODE_LENGTH:
        for i in range(KIT_CODE_LENGTH):
            for other in KIT_CODE_ALPHABET:
                add(typed[:i] + other + typed[i:])
    else:
        for i in range(len(typed)):
            add(typed[:i] + typed[i + 1 :])
    return list(found)
