"""Clean what people type or paste: one Unicode form, no invisible or direction-flipping marks;
and keep text a text when it goes into a spreadsheet."""

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


# ASVS 1.2.10 / OWASP CSV injection: a cell starting with one of these is read as a formula by
# some spreadsheet programs (and openpyxl itself stores "=…" as a formula). The full-width forms
# are there because Excel with an East Asian input method takes "＝1+1" for "=1+1".
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\0",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as text: if it starts with a formula character, even after
    spaces (LibreOffice skips them), it gets a "'" in front. Only for text cells: a number
    written as a number (a negative amount) is no formula and stays as it is.

    Control characters other than tab and line breaks go first: an XLSX cell cannot hold them
    (openpyxl refuses the whole file), and one in front would hide the formula behind it."""
    value = _CONTROL.sub("", value)
    risky = value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)
    return "'" + value if risky else value
