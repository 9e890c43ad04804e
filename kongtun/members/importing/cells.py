"""Give a grid its meaning: find the header row, map the columns, and read each cell's value."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from kongtun.funds.models import Branch
from kongtun.lib.text import clean_text
from kongtun.lib.thaidate import BE_THRESHOLD, InvalidDate, ce_date, parse_date
from kongtun.lib.thaiid import InvalidNationalId, normalize_national_id, to_ascii_digits
from kongtun.members.importing.columns import (
    _HEADER_KEYS,
    _MAX_LENGTH,
    _MEMBER_TYPES,
    _STATUSES,
    COLUMNS,
    MEMBER_TYPE_LABELS_TH,
    REQUIRED_FIELDS,
    _key,
)
from kongtun.members.importing.grid import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    _Grid,
    _Refused,
    _Unusable,
)
from kongtun.members.models import MemberType, Status

MAX_CELL_CHARS = 1_000
MOO_RANGE = range(1, 100)
_FORMULA_START = "=+-@"
_NAME_PUNCTUATION = frozenset(" .-'’()")


class _CellProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- From grid to columns ---------------------------------------------------------------------


@dataclass
class _Header:
    row: int
    score: int
    columns: dict[str, list[int]]  # field → column numbers
    texts: dict[int, str]  # column number → header text as written


def _no_header() -> _Refused:
    return _Refused(
        _(
            "Could not find the row of column names (such as “เลขประจำตัวประชาชน” and "
            "“วันเกิด”) in the first %(rows)d rows. Use the template, or put the column names "
            "in one row above the list."
        )
        % {"rows": HEADER_SEARCH_ROWS}
    )


def _header_cells(grid: _Grid) -> list[tuple[int, dict[int, Any]]]:
    """The first rows, with a merged header cell's text copied into every cell it covers."""
    head = [(n, dict(values)) for n, values in grid.rows[:HEADER_SEARCH_ROWS]]
    by_number = dict(head)
    original = {n: dict(values) for n, values in head}
    for min_col, min_row, max_col, max_row in grid.merges:
        top = original.get(min_row, {}).get(min_col)
        if top is None:
            continue
        for number in range(min_row, max_row + 1):
            if number in by_number:
                for column in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                    by_number[number].setdefault(column, top)
    return head


def _find_header(grid: _Grid) -> _Header | None:
    best: _Header | None = None
    previous: _Header | None = None
    for number, values in _header_cells(grid):
        texts = {c: clean_text(v) for c, v in values.items() if isinstance(v, str | int | float)}
        columns: dict[str, list[int]] = {}
        for column, text in sorted(texts.items()):
            name = _HEADER_KEYS.get(_key(text))
            if name is not None:
                columns.setdefault(name, []).append(column)
        candidate = _Header(number, len(columns), columns, texts)
        if candidate.score >= 3:
            if best is None or candidate.score > best.score:
                best = candidate
            elif previous is best and candidate.score == best.score and number == best.row + 1:
                # Two header rows in a row (a merged two-line header): data starts below both.
                best = candidate
        previous = candidate
    return best


@dataclass
class _Layout:
    """Which column holds which field, and the header text to name it by in messages."""

    columns: dict[str, int]
    headers: dict[str, str]
    header_row: int
    unread: list[str]  # headers of columns we do not import, for the user to check


def _layout(grid: _Grid, header: _Header) -> _Layout:
    columns = dict(header.columns)
    full = columns.get("full_name", [])
    if len(full) == 2 and full[1] == full[0] + 1 and not {"first_name", "last_name"} & set(columns):
        # "ชื่อ - สกุล" merged over two columns: first name left, last name right.
        columns["first_name"], columns["last_name"] = [full[0]], [full[1]]
        del columns["full_name"]
    elif full and "last_name" in columns and "first_name" not in columns:
        columns["first_name"] = columns.pop("full_name")
    elif full and "first_name" in columns:
        del columns["full_name"]
    for name, found in columns.items():
        if len(found) > 1:
            raise _Refused(
                _("Two columns are both read as “%(column)s” (%(columns)s). Delete or rename one.")
                % {
                    "column": COLUMNS[name][0],
                    "columns": ", ".join(_column_name(grid, header, c) for c in found),
                }
            )
    chosen = {name: found[0] for name, found in columns.items()}
    missing = [COLUMNS[f][0] for f in REQUIRED_FIELDS if f not in chosen]
    if "full_name" not in chosen:
        missing += [COLUMNS[f][0] for f in ("first_name", "last_name") if f not in chosen]
    if missing:
        raise _Refused(
            _(
                "These columns are missing: %(columns)s. Add them with these names (see the "
                "template) and upload again."
            )
            % {"columns": ", ".join(missing)}
        )
    headers = {name: header.texts.get(c) or COLUMNS[name][0] for name, c in chosen.items()}
    unread = [text for c, text in sorted(header.texts.items()) if c not in chosen.values() and text]
    return _Layout(columns=chosen, headers=headers, header_row=header.row, unread=unread)


def _column_name(grid: _Grid, header: _Header, column: int) -> str:
    text = header.texts.get(column, "")
    return f"{get_column_letter(column)} “{text}”" if grid.column_letters else f"“{text}”"


# -- From cells to values ---------------------------------------------------------------------


def _check_cell(raw: Any) -> Any:
    if isinstance(raw, _Unusable):
        raise _CellProblem(raw.message)
    if isinstance(raw, bool):
        raise _CellProblem(_("This cell holds TRUE or FALSE. Type the value itself."))
    if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
        raise _too_long(len(raw), MAX_CELL_CHARS)
    return raw


def _too_long(count: int, limit: int) -> _CellProblem:
    return _CellProblem(
        _("This is too long: %(count)d characters, at most %(limit)d.")
        % {"count": count, "limit": limit}
    )


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(raw: Any, *, optional: bool = True, limit: int = 0) -> str:
    """Text from a cell, refusing what a spreadsheet could later run as a formula."""
    raw = _check_cell(raw)
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        raise _CellProblem(
            _(
                "The spreadsheet turned this cell into a date or time. Format the column as "
                "Text, type the value again, and upload again."
            )
        )
    text = _number_text(raw) if isinstance(raw, int | float) else clean_text(raw)
    if optional and text and set(text) <= set("-–—"):
        return ""  # a dash is how many registers write "none"
    # Leading tabs and line breaks are already gone (clean_text); these four start a formula.
    if text and text[0] in _FORMULA_START:
        raise _CellProblem(
            _(
                "A cell cannot start with “%(sign)s”: a spreadsheet could run it as a formula. "
                "Remove the “%(sign)s” and upload again."
            )
            % {"sign": text[0]}
        )
    if limit and len(text) > limit:
        raise _too_long(len(text), limit)
    return text


def _name(raw: Any) -> str:
    text = _text(raw, optional=False)
    for char in text:
        if char not in _NAME_PUNCTUATION and unicodedata.category(char)[0] not in "LM":
            raise _CellProblem(
                _("The name contains digits, symbols or emoji. Type only the letters of the name.")
            )
    return text


def _national_id(raw: Any) -> str:
    raw = _check_cell(raw)
    if isinstance(raw, str):
        raw = clean_text(raw).lstrip("'")
    try:
        return normalize_national_id(raw)
    except InvalidNationalId as exc:
        raise _CellProblem(exc.reason) from None


def _date(raw: Any, epoch: dt.datetime) -> dt.date:
    raw = _check_cell(raw)
    if isinstance(raw, dt.time | dt.timedelta):
        raise _CellProblem(
            _("This cell holds a time, not a date. Type the date as day/month/year.")
        )
    if isinstance(raw, dt.date):
        # A real date cell: Excel already knows the calendar. A year of 2400 or more means a
        # Buddhist-era year was typed into a cell Excel reads as Christian era.
        value = raw.date() if isinstance(raw, dt.datetime) else raw
        if value.year >= BE_THRESHOLD:
            return _be(value.year, value.month, value.day)
        return value
    if isinstance(raw, int | float):
        return _serial(raw, epoch)
    text = clean_text(raw)
    if re.fullmatch(r"[\d๐-๙]{4}", text):
        raise _year_only()
    try:
        return parse_date(text)
    except InvalidDate as exc:
        raise _CellProblem(exc.reason) from None


def _be(year: int, month: int, day: int) -> dt.date:
    try:
        return ce_date(year, month, day)
    except InvalidDate as exc:
        raise _CellProblem(exc.reason) from None


def _year_only() -> _CellProblem:
    return _CellProblem(
        _("Only a year was typed. Type the whole date as day/month/year, for example 25/12/2568.")
    )


def _serial(value: float, epoch: dt.datetime) -> dt.date:
    """A date Excel stored as a plain number (the cell was not formatted as a date)."""
    if not 1 <= value < 2958466:  # Excel's last day is 31 December 9999; also refuses NaN
        raise _CellProblem(
            _("This number is not a date. Type the date as day/month/year, for example 25/12/2568.")
        )
    if float(value).is_integer() and 1000 <= value <= 3000:
        raise _year_only()
    if int(value) == 60 and epoch == WINDOWS_EPOCH:
        raise _CellProblem(_serial_60_message())
    date: dt.date = from_excel(value, epoch).date()
    return date


def _serial_60_message() -> str:
    return _(
        "29 February 1900 does not exist (an old mistake in Excel). Type the correct date as "
        "day/month/year."
    )


def _phone(raw: Any) -> str:
    raw = _check_cell(raw)
    if isinstance(raw, str):
        text = clean_text(raw)
        if m := re.fullmatch(r"\+\s*66[\s-]*(\d[\d\s-]{7,})", text):
            text = "0" + m[1]  # +66 81… is written 081… in Thailand
        raw = text
    text = _text(raw, limit=_MAX_LENGTH["phone"])
    # Excel drops the leading 0 of a phone typed into a number cell.
    if re.fullmatch(r"[689]\d{8}|[2-7]\d{7}", text):
        text = "0" + text
    return text


def _moo(raw: Any) -> int | None:
    raw = _check_cell(raw)
    if raw is None:
        return None
    if isinstance(raw, int | float) and float(raw).is_integer():
        number = int(raw)
    else:
        text = to_ascii_digits(clean_text(raw))
        text = re.sub(r"^(?:หมู่ที่|หมู่|ม\.?|moo\.?)\s*", "", text, flags=re.IGNORECASE)
        if not text or set(text) <= set("-–—"):
            return None
        # "3 บ้านดง": the village name after the number adds nothing the number does not say.
        found = re.fullmatch(r"(\d{1,3})(?:\s+\D.*)?", text)
        number = int(found[1]) if found else 0
    if number not in MOO_RANGE:
        raise _CellProblem(
            _("Village number (หมู่ที่) must be a whole number from 1 to %(max)d.")
            % {"max": MOO_RANGE[-1]}
        )
    return number


def _choice(raw: Any, table: dict[str, str], default: str) -> str:
    text = _text(raw)
    if not text:
        return default
    return table.get(_key(text), "")


def _member_type(raw: Any) -> str:
    code = _choice(raw, _MEMBER_TYPES, MemberType.GENERAL)
    if not code:
        raise _CellProblem(
            _("Unknown member type “%(value)s”. Use one of: %(choices)s.")
            % {"value": _shown(raw), "choices": ", ".join(MEMBER_TYPE_LABELS_TH.values())}
        )
    return code


def _status(raw: Any) -> str:
    code = _choice(raw, _STATUSES, Status.ACTIVE)
    if not code:
        raise _CellProblem(
            _(
                "Only members (สมาชิก) and applicants (ผู้สมัคร) can be imported, not "
                "“%(value)s”. Leave this row out, and record people who resigned or died in the "
                "register by hand."
            )
            % {"value": _shown(raw)}
        )
    return code


def _shown(raw: Any) -> str:
    """A value quoted back in a message, cut short so a long cell does not flood the page."""
    text = clean_text(raw)
    return text if len(text) <= 40 else text[:40] + "…"


class _Branches:
    """The fund's branches, found by name or by village (หมู่) number as people write them."""

    def __init__(self, branches: Iterable[Branch]) -> None:
        self.all = list(branches)
        self.by_name = {_key(b.name): b for b in self.all}
        self.by_number = {b.number: b for b in self.all if b.number}

    def find(self, raw: Any) -> Branch | None:
        text = _text(raw)
        if not text:
            return None
        if found := self.by_name.get(_key(text)):
            return found
        ascii_text = to_ascii_digits(text)
        m = re.match(r"^(?:หมู่ที่|หมู่|ม\.?|moo\.?|สาขา)?\s*(\d{1,3})\b", ascii_text, re.I)
        if m and (found := self.by_number.get(int(m[1]))):
            return found
        if not self.all:
            raise _CellProblem(
                _("This fund has no branches yet. Add the branches first, or leave this empty.")
            )
        raise _CellProblem(
            _(
                "This fund has no branch “%(value)s”. Use the name or village number of one "
                "of: %(choices)s."
            )
            % {"value": _shown(text), "choices": ", ".join(str(b) for b in self.all)}
        )
