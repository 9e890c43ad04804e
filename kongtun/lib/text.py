"""Clean what people type or paste: one Unicode form, no invisible or direction-flipping marks."""

from __future__ import annotations

import re
import unicodedata

# Zero-width spaces and joiners come in from copy-paste; bidi overrides (U+202A–E, U+2066–9)
# can make a name display as something else, so they are removed rather than kept.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


# Titles people write in front of the name; kept in the title field, not the first name.
TITLES = (
    "นางสาว", "นาง", "นาย", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง",
    "Mr.", "Mrs.", "Ms.", "Miss",
)  # fmt: skip


def split_title(name: str) -> tuple[str, str]:
    """'นายสมชาย' -> ('นาย', 'สมชาย'); a name without a known title keeps an empty title."""
    for title in sorted(TITLES, key=len, reverse=True):
        if name.startswith(title) and len(name) > len(title):
            return title, name[len(title) :].strip()
    return "", name
