"""Thai national ID numbers (เลขประจำตัวประชาชน): normalising what people type, and the checksum."""

from __future__ import annotations

import re

from stdnum.th import pin

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[\s\-\u200b.]")


class InvalidNationalId(ValueError):
    """The text is not a valid 13-digit national ID; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_ascii_digits(text: str) -> str:
    return text.translate(THAI_DIGITS)


def normalize_national_id(raw: object) -> str:
    """Return the 13 digits of an ID typed with Thai digits, spaces or dashes, or raise.

    Spreadsheets often hold the ID as a number (1234567890123 or 1234567890123.0); both come
    back as the same 13 digits. Scientific notation (1.23457E+12) has lost digits and is refused.
    """
    from django.utils.translation import gettext as _

    if isinstance(raw, bool) or raw is None:
        raise InvalidNationalId(_("National ID is missing."))
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        # A float can hold 13 digits exactly; anything with a fraction is not an ID.
        if not raw.is_integer():
            raise InvalidNationalId(_("National ID must be 13 digits."))
        text = str(int(raw))
    else:
        text = to_ascii_digits(str(raw)).strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        if re.search(r"[eE][+-]?\d", text):
            raise InvalidNationalId(
                _(
                    "National ID was shortened by the spreadsheet (scientific notation); "
                    "format the column as text and type all 13 digits."
                )
            )
        text = _SEPARATORS.sub("", text)
    if not text:
        raise InvalidNationalId(_("National ID is missing."))
    if not text.isdigit():
        raise InvalidNationalId(_("National ID may contain only digits."))
    if len(text) != 13:
        raise InvalidNationalId(
            _("National ID must be 13 digits; this one has %(count)d.") % {"count": len(text)}
        )
    if text[0] in "09":
        raise InvalidNationalId(_("National ID cannot start with 0 or 9."))
    if not pin.is_valid(text):
        raise InvalidNationalId(
            _("National ID check digit is wrong; please check every digit again.")
        )
    return text


def format_national_id(digits: str) -> str:
    """1-2345-67890-12-3, the way it is printed on the card."""
    d = digits
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def mask_national_id(tail: str) -> str:
    """Show only the last three digits, as on a masked card: x-xxxx-xxxxx-12-3."""
    tail = (tail or "")[-3:].rjust(3, "x")
    return f"x-xxxx-xxxxx-{tail[:2]}-{tail[2]}"
