"""Buddhist-era dates: the database keeps CE dates, people read and type BE (or CE).

BE = CE + 543, except before BE 2484, when the Thai year began on 1 April: January to March of
BE year Y fell in CE year Y − 542, and January to March 2483 never existed (the year was cut
short so that 2484 could begin on 1 January).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kongtun.lib.thaiid import to_ascii_digits

MONTHS_TH = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_TH_SHORT = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip
MONTHS_EN_SHORT = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
]  # fmt: skip
MONTHS_EN = [
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
]  # fmt: skip

# The smallest year we read as Buddhist era; CE years this large are not dates a fund records.
BE_THRESHOLD = 2400


class InvalidDate(ValueError):
    """The text is not a date we can read; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _month_lookup() -> dict[str, int]:
    table: dict[str, int] = {}
    for i in range(12):
        for name in (MONTHS_TH[i], MONTHS_TH_SHORT[i], MONTHS_TH_SHORT[i].replace(".", "")):
            table[name] = i + 1
        table[MONTHS_EN[i]] = i + 1
        table[MONTHS_EN[i][:3]] = i + 1
    table["sept"] = 9
    return table


_MONTHS = _month_lookup()


def be_year(date: dt.date) -> int:
    """The Buddhist-era year a CE date falls in, with the pre-2484 April new year."""
    if date.year <= 1940 and date.month <= 3:
        return date.year + 542
    return date.year + 543


def ce_date(be_y: int, month: int, day: int) -> dt.date:
    """The CE date of day/month/BE-year, or InvalidDate."""
    if be_y < 2484 and month <= 3:
        if be_y == 2483:
            raise InvalidDate(
                _("January to March 2483 BE did not exist (the Thai year then began in April).")
            )
        year = be_y - 542
    else:
        year = be_y - 543
    return _make(year, month, day)


def _make(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidDate(_("This day does not exist in the calendar.")) from exc


# Years a fund can mean: anything else is a typing slip (a lost digit, a wrong era).
CE_YEARS = range(1880, 2200)


def _from_year(year: int, month: int, day: int) -> dt.date:
    date = ce_date(year, month, day) if year >= BE_THRESHOLD else None
    if (date.year if date else year) not in CE_YEARS:
        raise InvalidDate(_("Please type the year in full, for example 2568."))
    return date or _make(year, month, day)


_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WORDS = re.compile(r"^(\d{1,2})\s*([^\d\s]+?)\s*(?:พ\.ศ\.|ค\.ศ\.)?\s*(\d{2,4})$")


def parse_date(raw: object) -> dt.date:
    """Read a date typed as 25/12/2568, 25-12-2025, 2568-12-25 or 25 ธ.ค. 2568 (Thai digits too).

    Day comes before month, as Thais write it. A year of 2400 or more is Buddhist era.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = to_ascii_digits(str(raw or "")).strip().replace("\u200b", "")
    if not text:
        raise InvalidDate(_("Date is missing."))
    lowered = re.sub(r"\s+", " ", text.lower())
    if m := _ISO.match(lowered):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        return _from_year(year, month, day)
    if m := _NUMERIC.match(lowered):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if month > 12:
            raise InvalidDate(_("Month must be 1 to 12; dates are written day/month/year."))
        return _from_year(year, month, day)
    if m := _WORDS.match(lowered):
        name = m[2].strip().rstrip(",")
        month_number = _MONTHS.get(name) or _MONTHS.get(name.replace(" ", ""))
        if month_number is None:
            raise InvalidDate(_("Unknown month name “%(name)s”.") % {"name": m[2]})
        return _from_year(int(m[3]), month_number, int(m[1]))
    raise InvalidDate(_("Please type the date as day/month/year, for example 25/12/2568."))


def format_date(value: dt.date | None, style: str = "short") -> str:
    """Show a CE date in Buddhist era: 'short' 25 ธ.ค. 2568, 'long' 25 ธันวาคม 2568,
    'numeric' 25/12/2568. English keeps the BE year with English month names."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    year = be_year(value)
    if style == "numeric":
        return f"{value.day:02d}/{value.month:02d}/{year}"
    english = (get_language() or "th").startswith("en")
    if english:
        month = MONTHS_EN_SHORT[value.month - 1]
        if style == "long":
            month = MONTHS_EN[value.month - 1].capitalize()
        return f"{value.day} {month} {year} BE"
    month = MONTHS_TH[value.month - 1] if style == "long" else MONTHS_TH_SHORT[value.month - 1]
    return f"{value.day} {month} {year}"


def age_on(birth: dt.date, on: dt.date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years
