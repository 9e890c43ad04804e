"""Read the opening workbook's sheets row by row, refusing hostile or broken files first.

The member import reads one sheet whole through openpyxl. A payment history of 600,000 rows
read that way takes about a minute and a grid of hundreds of megabytes, so here openpyxl reads
only the workbook's structure (sheet names, shared strings, date styles) and each sheet's XML
streams through expat, one row at a time, with any DTD refused inside the parser. A cell means
what it means to openpyxl with `data_only`: the saved result of a formula, dates from date
styles; what must not be used (an error value, a risky or never-calculated formula, 29 Feb
1900) becomes an `_Unusable` with the member import's message.

The checks on the file itself (ZIP limits, macros, links, DTDs) are the member import's, with
limits sized for ten years of monthly payments.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel, from_ISO8601

from kongtun.members.importing.cells import _serial_60_message
from kongtun.members.importing.grid import _Refused, _Unusable
from kongtun.members.importing.reading import (
    _DOCTYPE_MARKS,
    _OLE_MAGIC,
    _RISKY_FORMULA,
    _ZIP_MAGIC,
    _check_content_types,
    _check_parts,
    _damaged,
    _macros,
    _sniff,
    _unsafe_xml,
)

# Ten years of monthly payments for 5,000 members is about 10 MB zipped and 100 MB unpacked.
MAX_BYTES = 60 * 1024 * 1024
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_COMPRESSION_RATIO = 100
MAX_ROW_NUMBER = 1_048_576  # Excel's last row
MAX_COLUMNS = 200
_CHUNK = 256 * 1024
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")


def _bomb() -> _Refused:
    return _Refused(
        _(
            "The file unpacks to far more data than opening balances need, so it was refused "
            "for safety. Copy the sheets into a new workbook and upload that."
        )
    )


def _unsafe() -> _Refused:
    return _Refused(
        _(
            "The file contains content that could harm the system, so it was refused. Copy the "
            "sheets into a new workbook, save it as .xlsx, and upload that."
        )
    )


def _check_kind(filename: str, data: bytes) -> None:
    """Only an .xlsx workbook will do: the opening balances need three sheets."""
    if not data:
        raise _Refused(_("The file is empty. Choose the workbook with the opening balances."))
    if len(data) > MAX_BYTES:
        raise _Refused(
            _("The file is larger than %(mb)d MB. Please split the payment history.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if filename.lower().endswith((".xlsm", ".xltm")):
        raise _macros()
    if data.startswith(_OLE_MAGIC):
        _sniff(filename, data[: 1024 * 1024])  # the member import's advice on .xls and passwords
    if not data.startswith(_ZIP_MAGIC):
        raise _Refused(
            _(
                "This file is not an Excel workbook. Download the template, fill it in, and "
                "upload it as Excel Workbook (.xlsx)."
            )
        )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _damaged() from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _bomb()
    # zipfile never unpacks more than an entry's declared size, so the declared sizes bound
    # the work; a lying header ends in a CRC error when the entry is read.
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise _bomb()
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            raise _bomb()
        if entry.flag_bits & 0x1:
            raise _Refused(_("The file is protected with a password. Remove it and try again."))
    return archive


def _scan_parts(archive: zipfile.ZipFile) -> None:
    """Unpack every part openpyxl may parse once, before it does: checksums, no DTD anywhere.

    The worksheets are left out: `_SheetParser` streams them and refuses a DTD itself, and
    reading them twice would double the time on a large history.
    """
    try:
        for entry in archive.infolist():
            if _WORKSHEET.fullmatch(entry.filename):
                continue
            with archive.open(entry) as part:
                tail = b""
                while chunk := part.read(_CHUNK):
                    window = tail + chunk
                    if any(mark in window for mark in _DOCTYPE_MARKS):
                        raise _unsafe()
                    tail = window[-32:]
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError):
        raise _damaged() from None


@dataclass
class Sheet:
    """A worksheet of the workbook, readable row by row with `rows()`."""

    title: str
    visible: bool
    _book: Workbook

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        """(row number, {column number: value}) for each row with a value, in order."""
        return self._book._rows(self)


@dataclass
class Workbook:
    sheets: list[Sheet]
    epoch: dt.datetime
    hidden_rows: dict[str, set[int]] = field(default_factory=dict)
    _archive: zipfile.ZipFile | None = None
    _paths: dict[str, str] = field(default_factory=dict)
    _strings: Any = None
    _date_styles: frozenset[int] = frozenset()
    _delta_styles: frozenset[int] = frozenset()

    def _rows(self, sheet: Sheet) -> Iterator[tuple[int, dict[int, Any]]]:
        assert self._archive is not None
        parser = _SheetParser(self, self.hidden_rows.setdefault(sheet.title, set()))
        try:
            with self._archive.open(self._paths[sheet.title]) as source:
                while chunk := source.read(_CHUNK):
                    parser.feed(chunk, final=False)
                    yield from parser.take()
                parser.feed(b"", final=True)
                yield from parser.take()
        except _Refused:
            raise
        except _DoctypeFound:
            raise _unsafe() from None
        except Exception as exc:  # a broken sheet can fail in the XML or in the conversions
            raise _unsafe() if _unsafe_xml(exc) else _damaged() from None


def read_workbook(filename: str, data: bytes) -> Workbook:
    """Open an uploaded workbook after the safety checks, or raise `_Refused`."""
    _check_kind(filename, data)
    archive = _open_zip(data)
    _check_parts(archive)
    try:
        _check_content_types(archive)
    except KeyError:  # saved with another spelling of the name
        raise _damaged() from None
    if not openpyxl.DEFUSEDXML:
        # Without defusedxml openpyxl has no guard against entity bombs; fail closed.
        raise _Refused(_("Excel files cannot be read safely on this server."))
    _scan_parts(archive)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _structure(archive, data)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise _unsafe() if _unsafe_xml(exc) else _damaged() from None


def _structure(archive: zipfile.ZipFile, data: bytes) -> Workbook:
    """Sheet names, shared strings and date styles, through openpyxl's own reader.

    `load_workbook(read_only=True)` would also measure each sheet, and a sheet without a
    <dimension> element is then parsed whole just for that; the steps below skip it.
    """
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    book = Workbook(
        sheets=[],
        epoch=reader.wb.epoch,
        _archive=archive,
        _strings=reader.shared_strings,
        _date_styles=frozenset(reader.wb._date_formats),
        _delta_styles=frozenset(reader.wb._timedelta_formats),
    )
    names = set(archive.namelist())
    for sheet, rel in reader.parser.find_sheets():
        if rel.target in names and "chartsheet" not in rel.Type:
            book._paths[sheet.name] = rel.target
            book.sheets.append(Sheet(sheet.name, sheet.state == "visible", book))
    return book


class _DoctypeFound(Exception):
    pass


class _SheetParser:
    """A worksheet's XML to rows of values, with expat calling back as the bytes arrive.

    About five times faster than openpyxl's parser on a large sheet: no element tree, only the
    current row is kept, and the handlers are closures over local state (attribute lookups
    on every callback cost a third of the time). Element names are compared without their
    namespace, as spreadsheets write them unprefixed; a prefixed name (x:c) is cut to its
    local part.
    """

    def __init__(self, book: Workbook, hidden: set[int]) -> None:
        self.done: list[tuple[int, dict[int, Any]]] = []
        self.parser = parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        _install_handlers(parser, book, hidden, self.done)

    def feed(self, chunk: bytes, *, final: bool) -> None:
        self.parser.Parse(chunk, final)

    def take(self) -> list[tuple[int, dict[int, Any]]]:
        done = self.done[:]
        self.done.clear()
        return done

    def _doctype(self, *args: Any) -> None:
        raise _DoctypeFound


def _install_handlers(
    parser: Any, book: Workbook, hidden: set[int], done: list[tuple[int, dict[int, Any]]]
) -> None:
    strings = book._strings
    date_styles = frozenset(str(style) for style in book._date_styles)  # compared as written
    columns: dict[str, int] = {}
    # The state of the cell being read.
    row_number = column = 0
    kind, style = "n", "0"
    value: str | None = None
    formula: str | None = None
    inline: list[str] | None = None
    text: str | None = None  # the text of <v>, <f> or <is><t> being collected
    phonetic = False
    cells: dict[int, Any] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row_number, column, kind, style, value, formula, inline, text, phonetic, cells
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v" or name == "f":
            text = ""
        elif name == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                found = columns.get(letters)
                if found is None:
                    found = columns[letters] = column_index_from_string(letters)
                column = found
            else:
                column += 1
            kind = attrs.get("t", "n")
            style = attrs.get("s", "0")
            value = formula = inline = None
        elif name == "row":
            number = attrs.get("r")
            if number:
                row_number = int(number) if number.isdigit() else int(float(number))
            else:
                row_number += 1
            if row_number > MAX_ROW_NUMBER:
                raise _damaged()
            column = 0
            cells = {}
            if attrs.get("hidden") in ("1", "true"):
                hidden.add(row_number)
        elif name == "t" and inline is not None and not phonetic:
            text = ""
        elif name == "is":
            inline = []
        elif name == "rPh":
            phonetic = True

    def chars(data: str) -> None:
        nonlocal text
        if text is not None:
            text += data

    def end(name: str) -> None:
        nonlocal value, formula, text, phonetic
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v":
            value, text = text, None
        elif name == "c":
            if column <= MAX_COLUMNS:
                if formula is None and kind == "s" and value:
                    cells[column] = strings[int(value)]  # the common case, kept short
                elif formula is None and kind == "n" and value and style not in date_styles:
                    cells[column] = int(value) if value.isdigit() else float(value)
                else:
                    found = _cell_value(book, kind, int(style or 0), value, formula, inline)
                    if found is not None:
                        cells[column] = found
        elif name == "row":
            if cells:
                done.append((row_number, cells))
        elif name == "t" and text is not None and inline is not None:
            inline.append(text)
            text = None
        elif name == "f":
            formula, text = text, None
        elif name == "rPh":
            phonetic = False

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars


def _cell_value(
    book: Workbook,
    kind: str,
    style: int,
    value: str | None,
    formula: str | None,
    inline: list[str] | None,
) -> Any:
    """A cell's value as openpyxl gives it with `data_only`, or `_Unusable`."""
    if kind == "e":
        return _Unusable(
            _("The cell shows the spreadsheet error %(error)s. Correct it or clear the cell.")
            % {"error": value}
        )
    if formula is not None:
        if _RISKY_FORMULA.search(formula):
            return _Unusable(
                _(
                    "This cell has a formula that links to another program, file or web "
                    "address. Type the value itself instead of the formula."
                )
            )
        if value is None or (not value and kind != "str"):
            return _Unusable(
                _(
                    "This cell has a formula whose result was never saved. In Excel, copy "
                    "the column and use Paste Special → Values, then save and upload again."
                )
            )
    if kind == "inlineStr":
        return "".join(inline) if inline else None
    if not value:
        return None
    if kind == "s":
        return book._strings[int(value)]
    if kind == "n":
        return _number(book, style, value)
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return from_ISO8601(value)
    return value  # "str": a formula's text result


def _number(book: Workbook, style: int, text: str) -> Any:
    number: int | float = int(text) if text.lstrip("-").isdigit() else float(text)
    if style not in book._date_styles:
        return number
    if book.epoch == WINDOWS_EPOCH and int(number) == 60:
        return _Unusable(_serial_60_message())  # 29 Feb 1900, a day only Excel has
    try:
        return from_excel(number, book.epoch, timedelta=style in book._delta_styles)
    except (OverflowError, ValueError):
        return _Unusable(
            _("This number is not a date. Type the date as day/month/year, e.g. 25/12/2568.")
        )
