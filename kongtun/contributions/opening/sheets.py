"""Read the opening workbook's three sheets into typed rows: no database, no fund rules yet.

Each cell gets its type (a member number, a date, an amount) or a problem, named by sheet, row
and column as Excel shows them. The rules that need the fund's data are in `checking`. The
payment history is kept in columns of plain numbers (`History`), so 600,000 rows take a few
megabytes rather than hundreds.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kongtun.contributions.opening.cells import (
    AS_OF_KEYS,
    AS_OF_LABEL,
    BALANCE_COLUMNS,
    BALANCES,
    HISTORY,
    HISTORY_COLUMNS,
    INSTRUCTIONS_SHEET,
    MEMBER_SHEET_COLUMNS,
    MEMBERS,
    REQUIRED,
    SHEET_KEYS,
    SHEETS,
    TOTAL_WORDS,
    CellReader,
    header_keys,
)
from kongtun.contributions.opening.reading import Sheet, Workbook
from kongtun.lib.text import clean_text
from kongtun.members.importing.cells import _CellProblem, _number_text
from kongtun.members.importing.columns import _key
from kongtun.members.importing.grid import HEADER_SEARCH_ROWS, _Refused

MAX_ERRORS_SHOWN = 300
Rows = Iterator[tuple[int, dict[int, Any]]]

# The template's example rows; a row equal to one of them is left out. No register gives
# number 00000, so a real member is never mistaken for the example.
EXAMPLES: dict[str, dict[str, str]] = {
    MEMBERS: {"number": "00000", "paid_through": "30/09/2568", "plan": "", "fees_due": "0"},
    HISTORY: {"number": "00000", "date": "05/09/2568", "amount": "30", "reference": "2568/0123"},
}
_COLUMNS = {MEMBERS: MEMBER_SHEET_COLUMNS, HISTORY: HISTORY_COLUMNS, BALANCES: BALANCE_COLUMNS}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel shows it; 0 when the problem is the sheet's as a whole
    column: str
    message: str


class Problems:
    """Every problem counted, the first MAX_ERRORS_SHOWN kept to show."""

    def __init__(self) -> None:
        self.shown: list[RowError] = []
        self.count = 0

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.shown) < MAX_ERRORS_SHOWN:
            self.shown.append(RowError(sheet, row, column, message))


@dataclass
class MemberRow:
    row: int
    number: str
    paid_through: dt.date
    plan: str  # as typed; "" for the fund's plan for new members
    fees_due: Decimal


@dataclass
class History:
    """The payment history by columns: rows[i], numbers[i], days[i], satang[i], references[i]."""

    rows: array[int] = field(default_factory=lambda: array("l"))
    numbers: list[str] = field(default_factory=list)
    days: array[int] = field(default_factory=lambda: array("l"))  # date.toordinal()
    satang: array[int] = field(default_factory=lambda: array("q"))
    references: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class BalanceLine:
    row: int
    code: str
    item: str
    amount: Decimal


@dataclass
class Sheets:
    """What the workbook says, cell by cell; `problems` holds what could not be read."""

    titles: dict[str, str] = field(default_factory=dict)  # MEMBERS… → the sheet's title
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # kind → field → header
    members: list[MemberRow] = field(default_factory=list)
    history: History = field(default_factory=History)
    as_of: dt.date | None = None
    as_of_row: int = 0
    balances: list[BalanceLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)

    def title(self, kind: str) -> str:
        return self.titles.get(kind, SHEETS[kind][0])

    def column(self, kind: str, name: str) -> str:
        """A column as the file names it, so the user finds the cell."""
        return self.headers.get(kind, {}).get(name) or _COLUMNS[kind][name][0]

    def problem(self, kind: str, row: int, name: str, message: str) -> None:
        self.problems.add(self.title(kind), row, self.column(kind, name) if name else "", message)


@dataclass
class _Layout:
    header_row: int
    columns: dict[str, int]


def read_sheets(book: Workbook) -> Sheets:
    """Find the three sheets by name and read them; raises `_Refused` for the whole file."""
    found: dict[str, Sheet] = {}
    result = Sheets()
    for sheet in book.sheets:
        kind = SHEET_KEYS.get(_key(sheet.title))
        if kind is None:
            if sheet.visible and _key(sheet.title) != _key(INSTRUCTIONS_SHEET):
                result.notes.append(
                    _("The sheet “%(sheet)s” is not one of the template's sheets; it was not read.")
                    % {"sheet": sheet.title}
                )
            continue
        if kind in found:
            raise _Refused(
                _("Two sheets are both read as “%(sheet)s” (“%(first)s” and “%(second)s”).")
                % {"sheet": SHEETS[kind][0], "first": found[kind].title, "second": sheet.title}
            )
        found[kind] = sheet
        result.titles[kind] = sheet.title
    if BALANCES not in found:
        raise _Refused(
            _(
                "The workbook has no sheet “%(sheet)s” with the balances and their date. Use the "
                "template, which has the sheets “%(members)s”, “%(history)s” and “%(sheet)s”."
            )
            % {
                "sheet": SHEETS[BALANCES][0],
                "members": SHEETS[MEMBERS][0],
                "history": SHEETS[HISTORY][0],
            }
        )
    cells = CellReader(book.epoch)
    _read_balances(found[BALANCES], cells, result)
    if MEMBERS in found:
        _read_members(found[MEMBERS], cells, result)
    if HISTORY in found:
        _read_history(found[HISTORY], cells, result)
    for kind, sheet in found.items():
        _note_hidden(book, sheet, kind, result)
    return result


def _note_hidden(book: Workbook, sheet: Sheet, kind: str, result: Sheets) -> None:
    if not sheet.visible:
        result.notes.append(
            _("The sheet “%(sheet)s” is hidden in Excel; it was read too.") % {"sheet": sheet.title}
        )
    hidden = sorted(book.hidden_rows.get(sheet.title, ()))
    if hidden and kind != BALANCES:
        listed = ", ".join(str(n) for n in hidden[:10]) + (" …" if len(hidden) > 10 else "")
        result.notes.append(
            _(
                "Rows hidden in Excel on the sheet “%(sheet)s” were read too (rows %(rows)s). "
                "Delete them if they should not be imported."
            )
            % {"sheet": sheet.title, "rows": listed}
        )


# --- Header rows -----------------------------------------------------------------------------


def _header_texts(values: dict[int, Any]) -> dict[int, str]:
    return {
        c: clean_text(_number_text(v) if isinstance(v, int | float) else v)
        for c, v in values.items()
        if isinstance(v, str | int | float) and not isinstance(v, bool)
    }


def _match_header(kind: str, values: dict[int, Any]) -> dict[str, list[int]]:
    keys = header_keys(_COLUMNS[kind])
    found: dict[str, list[int]] = {}
    for column, text in sorted(_header_texts(values).items()):
        name = keys.get(_key(text))
        if name is not None:
            found.setdefault(name, []).append(column)
    return found


def _find_layout(kind: str, title: str, rows: Rows, result: Sheets) -> _Layout:
    """Read rows up to the header row and map its columns; raises `_Refused` without one."""
    for index, (number, values) in enumerate(rows):
        found = _match_header(kind, values)
        if all(name in found for name in REQUIRED[kind]):
            for name, columns in found.items():
                if len(columns) > 1:
                    raise _Refused(
                        _(
                            "On the sheet “%(sheet)s” two columns are both read as "
                            "“%(column)s”. Delete or rename one."
                        )
                        % {"sheet": title, "column": _COLUMNS[kind][name][0]}
                    )
            texts = _header_texts(values)
            chosen = {name: columns[0] for name, columns in found.items()}
            result.titles[kind] = title
            result.headers[kind] = {name: texts[c] for name, c in chosen.items()}
            unread = [t for c, t in sorted(texts.items()) if c not in chosen.values() and t]
            if unread and kind != BALANCES:
                result.notes.append(
                    _("On the sheet “%(sheet)s” these columns were not read: %(columns)s.")
                    % {"sheet": title, "columns": ", ".join(f"“{t[:40]}”" for t in unread)}
                )
            return _Layout(number, chosen)
        if index + 1 >= HEADER_SEARCH_ROWS:
            break
    names = ", ".join(f"“{_COLUMNS[kind][name][0]}”" for name in REQUIRED[kind])
    raise _Refused(
        _(
            "Could not find the row of column names on the sheet “%(sheet)s” in its first "
            "%(rows)d rows. It needs the columns %(columns)s, as in the template."
        )
        % {"sheet": title, "rows": HEADER_SEARCH_ROWS, "columns": names}
    )


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    return clean_text(_number_text(raw) if isinstance(raw, int | float) else raw)


def _is_example(kind: str, cells: dict[str, Any]) -> bool:
    example = EXAMPLES[kind]
    return all(_raw_text(cells.get(name)) == example.get(name, "") for name in cells)


def _blank(values: dict[str, Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values())


# --- The members sheet -----------------------------------------------------------------------


def _read_members(sheet: Sheet, cells: CellReader, result: Sheets) -> None:
    rows = sheet.rows()
    layout = _find_layout(MEMBERS, sheet.title, rows, result)
    first = True
    for number, values in rows:
        raw = {name: values.get(column) for name, column in layout.columns.items()}
        if _blank(raw):
            continue
        if first and _is_example(MEMBERS, raw):
            result.notes.append(_example_note(sheet.title, number))
            continue
        first = False
        read: dict[str, Any] = {}
        for name, kind in (
            ("number", "number"),
            ("paid_through", "date"),
            ("plan", "text"),
            ("fees_due", "amount"),
        ):
            try:
                read[name] = cells.read(kind, raw.get(name))
            except _CellProblem as problem:
                result.problem(MEMBERS, number, name, problem.message)
        if "paid_through" in read and read["paid_through"] is None:
            result.problem(MEMBERS, number, "paid_through", _("The paid-through date is missing."))
            del read["paid_through"]
        if len(read) == 4:
            result.members.append(
                MemberRow(
                    number,
                    read["number"],
                    read["paid_through"],
                    read["plan"],
                    read["fees_due"] if read["fees_due"] is not None else Decimal("0.00"),
                )
            )


def _example_note(title: str, row: int) -> str:
    return _("Row %(row)d of the sheet “%(sheet)s” is the template's example and was left out.") % {
        "row": row,
        "sheet": title,
    }


# --- The payment history ---------------------------------------------------------------------


def _read_history(sheet: Sheet, cells: CellReader, result: Sheets) -> None:
    """The hot loop of the import: 600,000 rows for ten years of 5,000 members.

    A history repeats a few thousand member numbers and a few hundred dates and amounts, so
    each text or whole number is read once (`CellReader`) and then found in a local dict.
    """
    rows = sheet.rows()
    layout = _find_layout(HISTORY, sheet.title, rows, result)
    number_col = layout.columns["number"]
    date_col = layout.columns["date"]
    amount_col = layout.columns["amount"]
    reference_col = layout.columns.get("reference", 0)
    amount_header = _key(result.column(HISTORY, "amount"))
    history = result.history
    seen_numbers: dict[Any, str] = {}
    seen_days: dict[Any, int] = {}
    seen_satang: dict[Any, int] = {}
    first = True
    for row, values in rows:
        raw_number = values.get(number_col)
        raw_date = values.get(date_col)
        raw_amount = values.get(amount_col)
        raw_reference = values.get(reference_col) if reference_col else None
        if raw_number is None and raw_date is None and raw_amount is None and raw_reference is None:
            continue
        if first:
            first = False
            raw = {"number": raw_number, "date": raw_date, "amount": raw_amount}
            if reference_col:
                raw["reference"] = raw_reference
            if _is_example(HISTORY, raw):
                result.notes.append(_example_note(sheet.title, row))
                continue
        if type(raw_amount) is str and _key(raw_amount) == amount_header:
            continue  # the header again, as on each printed page
        # Only str and int keys: True == 1 and 30.0 == 30 would share an entry otherwise.
        number = seen_numbers.get(raw_number) if type(raw_number) in _PLAIN else None
        day = seen_days.get(raw_date) if type(raw_date) in _PLAIN else None
        satang = seen_satang.get(raw_amount) if type(raw_amount) in _PLAIN else None
        if number is None or day is None or satang is None:
            found = _read_payment(row, raw_number, raw_date, raw_amount, cells, result)
            if found is None:
                continue
            number, day, satang = found
            if type(raw_number) in _PLAIN:
                seen_numbers[raw_number] = number
            if type(raw_date) in _PLAIN:
                seen_days[raw_date] = day
            if type(raw_amount) in _PLAIN:
                seen_satang[raw_amount] = satang
        reference = ""
        if raw_reference is not None:
            try:
                reference = cells.read("text", raw_reference)
            except _CellProblem as problem:
                result.problem(HISTORY, row, "reference", problem.message)
                continue
        history.rows.append(row)
        history.numbers.append(number)
        history.days.append(day)
        history.satang.append(satang)
        history.references.append(reference)


_PLAIN = frozenset({str, int})


def _read_payment(
    row: int, raw_number: Any, raw_date: Any, raw_amount: Any, cells: CellReader, result: Sheets
) -> tuple[str, int, int] | None:
    """A payment's member number, day (ordinal) and satang, or None with its problems noted."""
    found: list[Any] = []
    for name, kind, raw, missing in (
        ("number", "number", raw_number, ""),
        ("date", "date", raw_date, _("The date is missing.")),
        ("amount", "amount", raw_amount, _("The amount is missing.")),
    ):
        try:
            value = cells.read(kind, raw)
        except _CellProblem as problem:
            result.problem(HISTORY, row, name, problem.message)
            continue
        if value is None:
            result.problem(HISTORY, row, name, missing)
            continue
        found.append(value)
    if len(found) < 3:
        return None
    number, date, money = found
    return number, date.toordinal(), int(money * 100)


# --- The balances ----------------------------------------------------------------------------


def _read_balances(sheet: Sheet, cells: CellReader, result: Sheets) -> None:
    """The as-of date (next to “ยอดยกมา ณ วันที่”) and one line per account or source."""
    rows = list(sheet.rows())
    result.titles[BALANCES] = sheet.title
    as_of_rows = [(n, v) for n, v in rows if _as_of_cell(v) is not None]
    _read_as_of(as_of_rows, cells, result)
    rest = iter([(n, v) for n, v in rows if _as_of_cell(v) is None])
    layout = _find_layout(BALANCES, sheet.title, rest, result)
    for number, values in rest:
        raw = {name: values.get(column) for name, column in layout.columns.items()}
        if _blank({"code": raw.get("code"), "item": raw.get("item"), "amount": raw.get("amount")}):
            continue
        item = _raw_text(raw.get("item"))
        code = _raw_text(raw.get("code"))
        if (item or code).casefold().startswith(TOTAL_WORDS):
            continue  # a total row: Kongtun adds up itself
        try:
            money = cells.read("amount", raw.get("amount"))
        except _CellProblem as problem:
            result.problem(BALANCES, number, "amount", problem.message)
            continue
        if money is not None:
            result.balances.append(BalanceLine(number, code, item, money))


def _as_of_cell(values: dict[int, Any]) -> int | None:
    """The column of the as-of label in this row, if it is there."""
    for column, value in values.items():
        if isinstance(value, str) and _key(value) in AS_OF_KEYS:
            return column
    return None


def _read_as_of(rows: list[tuple[int, dict[int, Any]]], cells: CellReader, result: Sheets) -> None:
    title = result.title(BALANCES)
    missing = _("The date of the balances is missing. Type it next to “%(label)s”.") % {
        "label": AS_OF_LABEL
    }
    if not rows:
        result.problems.add(title, 0, AS_OF_LABEL, missing)
        return
    number, values = rows[0]
    if len(rows) > 1:
        result.problems.add(
            title, rows[1][0], AS_OF_LABEL, _("Also in row %(row)d; keep one.") % {"row": number}
        )
    column = _as_of_cell(values)
    later = sorted(c for c in values if column is not None and c > column)
    result.as_of_row = number
    try:
        found = cells.read("date", values[later[0]]) if later else None
    except _CellProblem as problem:
        result.problems.add(title, number, AS_OF_LABEL, problem.message)
        return
    if found is None:
        result.problems.add(title, number, AS_OF_LABEL, missing)
    result.as_of = found
