"""Bring a fund's member register in from Excel (.xlsx) or CSV: check each row, add all or none.

A file is read into a grid of cells first (`_read_xlsx`, `_read_csv`), refusing hostile or broken
files before any of their content is trusted. The grid is then given meaning: find the header row,
map its columns, turn each row into a MemberInput and check it with the same rules as the form
(`services.validate_member_input`). `preview_member_file` stops there and writes nothing;
`commit_member_import` does the same work again inside one transaction and writes it.

The package: `reading` turns the bytes into a grid, `cells` finds the header and reads each
cell, `columns` names the columns and choices, `template` builds the workbook to fill in; the
results, the rows and preview/commit are here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import WINDOWS_EPOCH

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Branch, Fund
from kongtun.lib.text import clean_text, split_title
from kongtun.lib.thaiid import to_ascii_digits
from kongtun.members.importing.cells import (
    MAX_CELL_CHARS,
    MOO_RANGE,
    _Branches,
    _CellProblem,
    _date,
    _find_header,
    _Layout,
    _layout,
    _member_type,
    _moo,
    _name,
    _national_id,
    _no_header,
    _phone,
    _status,
    _text,
)
from kongtun.members.importing.columns import (
    _MAX_LENGTH,
    COLUMNS,
    MEMBER_TYPE_LABELS_TH,
    REQUIRED_FIELDS,
    STATUS_LABELS_TH,
    _key,
)
from kongtun.members.importing.grid import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    _Grid,
    _Refused,
)
from kongtun.members.importing.reading import (
    MAX_COMPRESSION_RATIO,
    MAX_MERGE_FILLS,
    MAX_ROW_NUMBER,
    MAX_SHEETS_SEARCHED,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    _damaged,
    _read_csv,
    _read_xlsx,
    _sniff,
    _too_many_rows,
)
from kongtun.members.importing.template import TEMPLATE_FIELDS, build_template_xlsx
from kongtun.members.models import ImportBatch, Member, MemberType, Status, StatusChange
from kongtun.members.services import (
    MemberInput,
    _build_member,
    _opening_history,
    member_snapshot,
    national_id_index,
    validate_member_input,
)

__all__ = [
    "COLUMNS",
    "EXAMPLE_NATIONAL_ID",
    "HEADER_SEARCH_ROWS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_DATA_ROWS",
    "MAX_ERRORS_IN_REFUSAL",
    "MAX_MERGE_FILLS",
    "MAX_ROW_NUMBER",
    "MAX_SHEETS_SEARCHED",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_ENTRIES",
    "MEMBER_TYPE_LABELS_TH",
    "MOO_RANGE",
    "REQUIRED_FIELDS",
    "STATUS_LABELS_TH",
    "TEMPLATE_FIELDS",
    "CellError",
    "ImportCounts",
    "ImportOutcome",
    "ImportPreview",
    "RowResult",
    "build_template_xlsx",
    "commit_member_import",
    "preview_member_file",
]

logger = logging.getLogger(__name__)

MAX_ERRORS_IN_REFUSAL = 20
# The template's example row carries this ID; a filled-in template still has it, so it is left out.
EXAMPLE_NATIONAL_ID = "1234567890121"


# -- Public results --------------------------------------------------------------------------


@dataclass
class CellError:
    column: str  # the header as written in the file, or the Thai column name
    message: str


@dataclass
class RowResult:
    row_number: int  # as Excel or a text editor shows it, counting from 1
    data: MemberInput | None
    errors: list[CellError]
    already_member: bool = False  # the ID is already in this fund: skipped, not an error
    name: str = ""  # the name as read, to show even when the row could not be read in full

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportCounts(NamedTuple):
    new: int
    skipped: int
    refused: int


@dataclass
class ImportPreview:
    filename: str
    sha256: str
    file_error: str | None
    rows: list[RowResult]
    already_imported: bool
    sheet: str = ""  # the worksheet the rows came from ("" for CSV)
    notes: list[str] = field(default_factory=list)  # things the user should know, not errors

    @property
    def accepted(self) -> bool:
        return (
            self.file_error is None
            and bool(self.rows)
            and all(row.ok for row in self.rows)
            and not self.already_imported
        )

    @property
    def counts(self) -> ImportCounts:
        refused = sum(1 for row in self.rows if not row.ok)
        skipped = sum(1 for row in self.rows if row.ok and row.already_member)
        return ImportCounts(len(self.rows) - refused - skipped, skipped, refused)


@dataclass
class ImportOutcome:
    added: int
    skipped: int
    already_imported: bool = False
    batch: ImportBatch | None = None


# -- Rows -------------------------------------------------------------------------------------


@dataclass
class _Context:
    """What every row is checked against, loaded once per file: no query per row."""

    fund: Fund
    today: dt.date
    branches: _Branches
    taken_ids: set[str]  # blind indexes of the national IDs already in the fund
    taken_numbers: set[str]
    epoch: dt.datetime = WINDOWS_EPOCH
    seen_ids: dict[str, int] = field(default_factory=dict)  # ID digits → first row in the file
    seen_numbers: dict[str, int] = field(default_factory=dict)


def _load_context(fund: Fund, today: dt.date) -> _Context:
    taken_ids: set[str] = set()
    taken_numbers: set[str] = set()
    members = Member.objects.filter(fund=fund).values_list("national_id_index", "number")
    for index, number in members:
        taken_ids.add(index)
        taken_numbers.add(number)
    return _Context(
        fund=fund,
        today=today,
        branches=_Branches(Branch.objects.filter(fund=fund)),
        taken_ids=taken_ids,
        taken_numbers=taken_numbers,
    )


_PARSERS: dict[str, Any] = {
    "number": lambda raw, ctx: to_ascii_digits(_text(raw, limit=_MAX_LENGTH["number"])),
    "title": lambda raw, ctx: _text(raw, limit=_MAX_LENGTH["title"]),
    "national_id": lambda raw, ctx: _national_id(raw),
    "birth_date": lambda raw, ctx: _date(raw, ctx.epoch),
    "joined_on": lambda raw, ctx: _date(raw, ctx.epoch),
    "house_no": lambda raw, ctx: _text(raw, limit=_MAX_LENGTH["house_no"]),
    "moo": lambda raw, ctx: _moo(raw),
    "street": lambda raw, ctx: _text(raw, limit=_MAX_LENGTH["street"]),
    "phone": lambda raw, ctx: _phone(raw),
    "member_type": lambda raw, ctx: _member_type(raw),
    "branch": lambda raw, ctx: ctx.branches.find(raw),
    "status": lambda raw, ctx: _status(raw),
}
# What stands in for a value that could not be read, so the other rules can still be checked
# without a false alarm; the dates are chosen in _stand_ins.
_STAND_INS: dict[str, Any] = {
    "national_id": "", "first_name": "", "last_name": "", "number": "", "title": "",
    "house_no": "", "street": "", "phone": "", "moo": None, "branch": None,
    "member_type": MemberType.GENERAL, "status": Status.ACTIVE,
}  # fmt: skip


def _read_names(
    cells: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    """First and last name, from their own columns or one combined column, and the title."""
    title = values.get("title", "")
    if "full_name" in cells:
        try:
            name_title, rest = split_title(_name(cells["full_name"]))
        except _CellProblem as problem:
            errors["full_name"] = [problem.message]
            return
        # Thai surnames may have spaces (ณ อยุธยา); first names do not.
        first, _space, last = rest.partition(" ")
        values["first_name"], values["last_name"] = first, last.strip()
        values["title"] = title or name_title
        return
    for name in ("first_name", "last_name"):
        try:
            values[name] = _name(cells.get(name))
        except _CellProblem as problem:
            errors[name] = [problem.message]
    name_title, rest = split_title(values.get("first_name", ""))
    # A title typed into the name moves out, unless it disagrees with the title column.
    if name_title and (not title or title == name_title):
        values["title"], values["first_name"] = name_title, rest


def _stand_ins(values: dict[str, Any], failed: set[str], ctx: _Context) -> dict[str, Any]:
    filled = dict(values)
    for name in failed & set(_STAND_INS):
        filled[name] = _STAND_INS[name]
    if "joined_on" in failed:
        filled["joined_on"] = ctx.fund.founded_on
    if "birth_date" in failed:
        filled["birth_date"] = min(filled.get("joined_on", ctx.fund.founded_on), ctx.today)
    return filled


def _read_row(
    number: int, cells: dict[str, Any], layout: _Layout, ctx: _Context
) -> tuple[RowResult, str]:
    """One row checked like the form checks it; also returns its ID digits ("" if unreadable)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, parse in _PARSERS.items():
        if name in cells:
            try:
                values[name] = parse(cells[name], ctx)
            except _CellProblem as problem:
                errors[name] = [problem.message]
    _read_names(cells, values, errors)
    display = "{}{} {}".format(*(values.get(n, "") for n in ("title", "first_name", "last_name")))
    digits = values.get("national_id", "")
    failed = set(errors)
    if "full_name" in failed:
        failed |= {"first_name", "last_name"}
    data = MemberInput(**_stand_ins(values, failed, ctx))
    complete = not failed
    if digits and national_id_index(digits) in ctx.taken_ids:
        result = RowResult(number, data if complete else None, [], True, display.strip())
        return result, digits
    checked = validate_member_input(
        fund=ctx.fund,
        data=data,
        today=ctx.today,
        taken_id_indexes=ctx.taken_ids,
        taken_numbers=ctx.taken_numbers,
    )
    for name, messages in checked.items():
        if name not in failed:  # what could not be read is reported once, as unreadable
            errors.setdefault(name, []).extend(messages)
    if data.member_type == MemberType.DISABLED and "member_type" not in failed:
        # Disability is health data (PDPA §26): kept only with the member's explicit consent,
        # which a sheet cannot show. The whole file waits, as for any other row error.
        errors.setdefault("member_type", []).append(
            _(
                "“Person with disability” is health data and is not imported: put the general "
                "type here, then record the member's explicit consent for health and disability "
                "data and change the type on the member's page (PDPA section 26)."
            )
        )
    _check_repeats(number, digits, values.get("number", ""), errors, ctx)
    cell_errors = [
        CellError(_column_label(name, layout), message)
        for name in COLUMNS
        for message in errors.get(name, [])
    ]
    return RowResult(number, data if complete else None, cell_errors, name=display.strip()), digits


def _column_label(name: str, layout: _Layout) -> str:
    """The header as written in the file, so the user finds the cell; else our Thai name."""
    if name in layout.headers:
        return layout.headers[name]
    if name in ("first_name", "last_name") and "full_name" in layout.headers:
        return layout.headers["full_name"]
    return COLUMNS[name][0]


def _check_repeats(
    number: int, digits: str, member_number: str, errors: dict[str, list[str]], ctx: _Context
) -> None:
    if digits:
        first = ctx.seen_ids.setdefault(digits, number)
        if first != number:
            errors.setdefault("national_id", []).append(
                _("The same national ID is already in row %(row)d of this file.") % {"row": first}
            )
    if member_number:
        first = ctx.seen_numbers.setdefault(member_number, number)
        if first != number:
            errors.setdefault("number", []).append(
                _("Member number %(number)s is also in row %(row)d of this file.")
                % {"number": member_number, "row": first}
            )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def _read_rows(grid: _Grid, layout: _Layout, ctx: _Context) -> tuple[list[RowResult], list[str]]:
    results: list[RowResult] = []
    notes: list[str] = []
    if layout.unread:
        notes.append(
            _("These columns were not read: %(columns)s.")
            % {"columns": ", ".join(f"“{text[:40]}”" for text in dict.fromkeys(layout.unread))}
        )
    hidden: list[int] = []
    header_keys = {name: _key(text) for name, text in layout.headers.items()}
    for number, values in grid.rows:
        if number <= layout.header_row:
            continue
        cells = {name: values.get(column) for name, column in layout.columns.items()}
        if all(_is_blank(v) for v in cells.values()):
            continue
        repeats = sum(
            1 for name, v in cells.items() if isinstance(v, str) and _key(v) == header_keys[name]
        )
        if repeats >= 3:
            continue  # the header repeated, as on each printed page
        result, digits = _read_row(number, cells, layout, ctx)
        if digits == EXAMPLE_NATIONAL_ID:
            notes.append(
                _("Row %(row)d is the template's example row and was left out.") % {"row": number}
            )
            continue
        if len(results) == MAX_DATA_ROWS:
            raise _too_many_rows(number)
        if number in grid.hidden_rows:
            hidden.append(number)
        results.append(result)
    if hidden:
        listed = ", ".join(str(n) for n in hidden[:10]) + (" …" if len(hidden) > 10 else "")
        notes.append(
            _(
                "Rows hidden in Excel were read too (rows %(rows)s). Delete them if they should "
                "not be imported."
            )
            % {"rows": listed}
        )
    return results, notes


# -- Preview and commit -----------------------------------------------------------------------


def _analyse(
    *, fund: Fund, filename: str, data: bytes, today: dt.date
) -> tuple[ImportPreview, _Context]:
    digest = hashlib.sha256(data).hexdigest()
    preview = ImportPreview(
        filename=filename,
        sha256=digest,
        file_error=None,
        rows=[],
        already_imported=ImportBatch.objects.filter(fund=fund, sha256=digest).exists(),
    )
    ctx = _load_context(fund, today)
    try:
        grid = _read_xlsx(data) if _sniff(filename, data) == "xlsx" else _read_csv(data)
        header = _find_header(grid)
        if header is None:
            raise _no_header()
        layout = _layout(grid, header)
        ctx.epoch = grid.epoch
        preview.sheet = grid.sheet
        preview.rows, notes = _read_rows(grid, layout, ctx)
        preview.notes = grid.notes + notes
        if not preview.rows:
            raise _Refused(
                _("The file has the column names but no members under them. Add the members.")
            )
    except _Refused as refusal:
        preview.file_error, preview.rows = refusal.message, []
    except Exception:
        # A file no check foresaw must still get an answer, not a server error; the log keeps
        # the details for us.
        logger.exception("Member import could not read %r", filename)
        preview.file_error, preview.rows = _damaged().message, []
    return preview, ctx


def preview_member_file(*, fund: Fund, filename: str, data: bytes, today: dt.date) -> ImportPreview:
    """Read and check a register file, row by row, as it would be imported. Writes nothing."""
    return _analyse(fund=fund, filename=filename, data=data, today=today)[0]


def commit_member_import(*, fund: Fund, actor: Any, filename: str, data: bytes) -> ImportOutcome:
    """Import every new member of the file, or raise ValidationError and import none.

    A file already imported into this fund adds nothing; members whose national ID is already in
    the fund are skipped, so the same people in a re-saved file add nothing either.
    """
    try:
        with transaction.atomic():
            # One import per fund at a time: the second waits and then sees the first's members.
            list(Fund.objects.select_for_update().filter(pk=fund.pk).values_list("pk"))
            preview, ctx = _analyse(
                fund=fund, filename=filename, data=data, today=timezone.localdate()
            )
            if preview.already_imported:
                return ImportOutcome(added=0, skipped=len(preview.rows), already_imported=True)
            if not preview.accepted:
                raise ValidationError(_refusal_messages(preview), code="import_refused")
            return _write(fund=fund, actor=actor, preview=preview, ctx=ctx)
    except IntegrityError:
        # Only a change made at the same moment by someone else can get here.
        raise ValidationError(
            _("The register changed while the file was being imported. Check the file again.")
        ) from None


def _write(*, fund: Fund, actor: Any, preview: ImportPreview, ctx: _Context) -> ImportOutcome:
    new = [row.data for row in preview.rows if not row.already_member and row.data is not None]
    skipped = len(preview.rows) - len(new)
    if not new:
        return ImportOutcome(added=0, skipped=skipped)
    batch = ImportBatch.objects.create(
        fund=fund,
        sha256=preview.sha256,
        filename=clean_text(preview.filename)[:255],
        rows_total=len(preview.rows),
        rows_added=len(new),
        created_by=actor,
    )
    numbers = _free_numbers(ctx.taken_numbers | {data.number for data in new if data.number})
    members = []
    for data in new:
        member = _build_member(fund=fund, data=data, number=data.number or next(numbers))
        member.import_batch = batch
        members.append(member)
    Member.objects.bulk_create(members, batch_size=500)
    history = [change for m in members for change in _opening_history(m, actor)]
    StatusChange.objects.bulk_create(history, batch_size=1000)
    audit_log(
        fund=fund,
        actor=actor,
        changes=[
            Change.of("members.member.imported", m, after=member_snapshot(m), batch=batch.pk)
            for m in members
        ],
    )
    return ImportOutcome(added=len(members), skipped=skipped, batch=batch)


def _free_numbers(used: set[str]) -> Iterator[str]:
    """Member numbers after the highest in use, padded like services.next_member_number."""
    numeric = [int(n) for n in used if re.fullmatch(r"\d{1,12}", n)]
    width = max((len(n) for n in used if n.isdigit()), default=5)
    current = max(numeric, default=0)
    while True:
        current += 1
        candidate = str(current).zfill(width)
        if candidate not in used:
            yield candidate


def _refusal_messages(preview: ImportPreview) -> list[str]:
    if preview.file_error:
        return [preview.file_error]
    messages = [
        _("Row %(row)d, column “%(column)s”: %(message)s")
        % {"row": row.row_number, "column": error.column, "message": error.message}
        for row in preview.rows
        for error in row.errors
    ]
    if len(messages) > MAX_ERRORS_IN_REFUSAL:
        more = len(messages) - MAX_ERRORS_IN_REFUSAL
        messages = messages[:MAX_ERRORS_IN_REFUSAL]
        messages.append(_("… and %(count)d more problems.") % {"count": more})
    return messages or [_("The file has no members to import.")]
