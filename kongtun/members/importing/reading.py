"""Read an uploaded file into a grid of cells, refusing hostile or broken files first.

Choosing the sheet of a workbook and the delimiter of a CSV file needs the header row, so this
module uses the header finding of `cells`; nothing here gives a cell its meaning.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import warnings
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import WINDOWS_EPOCH
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from kongtun.members.importing.cells import _find_header, _no_header, _serial_60_message
from kongtun.members.importing.grid import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    _Grid,
    _Refused,
    _Unusable,
)

# Rows below the last one we accept; a sheet reaching further is refused from its dimension alone.
MAX_ROW_NUMBER = MAX_DATA_ROWS + 100
MAX_SHEETS_SEARCHED = 50
# An .xlsx is a ZIP of XML; these bound what unpacking it may cost (OWASP ASVS 5.2.3).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_COMPRESSION_RATIO = 100
MAX_MERGE_FILLS = 200_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_RISKY_FORMULA = re.compile(
    r"\||\[\d+\]|\b(?:HYPERLINK|WEBSERVICE|FILTERXML|RTD|CALL|REGISTER|EXEC|DDE|IMPORT\w*)\s*\(",
    re.IGNORECASE,
)


def _too_many_rows(rows: int) -> _Refused:
    return _Refused(
        _(
            "The list goes down to row %(rows)s, but at most %(limit)s rows can be imported "
            "from one file. Delete empty rows under the list, or split it into several files."
        )
        % {"rows": f"{rows:,}", "limit": f"{MAX_DATA_ROWS:,}"}
    )


def _damaged() -> _Refused:
    return _Refused(
        _(
            "The file could not be read; it may be damaged. Open it in Excel, save it again "
            "as Excel Workbook (.xlsx), and upload it again."
        )
    )


def _unsafe() -> _Refused:
    return _Refused(
        _(
            "The file contains content that could harm the system, so it was refused. Copy the "
            "member list into a new workbook, save it as .xlsx, and upload that."
        )
    )


def _sniff(filename: str, data: bytes) -> str:
    """Which reader to use, from the bytes themselves: extensions are easily wrong."""
    if not data:
        raise _Refused(_("The file is empty. Choose the file with the member list."))
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise _Refused(
            _("The file is larger than %(mb)d MB. Please split it into smaller files.")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if filename.lower().endswith((".xlsm", ".xltm")):
        raise _macros()
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        # Excel saves a password-protected .xlsx inside the same container as an old .xls.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _Refused(
                _(
                    "The file is protected with a password. Open it in Excel, remove the "
                    "password (File → Info → Protect Workbook), save it, and upload it again."
                )
            )
        raise _Refused(
            _(
                "This is an old Excel file (.xls). Open it in Excel, choose Save As → Excel "
                "Workbook (.xlsx), and upload the new file."
            )
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b")):
        raise _not_spreadsheet()
    return "csv"


def _macros() -> _Refused:
    return _Refused(
        _(
            "The file contains macros (.xlsm). For safety, save it as a normal Excel Workbook "
            "(.xlsx) and upload that."
        )
    )


def _not_spreadsheet() -> _Refused:
    return _Refused(
        _("This file is not an Excel workbook or a CSV file. Upload the list as .xlsx or .csv.")
    )


# .xlsx


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _damaged() from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _Refused(
            _(
                "The file has too many parts inside to be a member list, so it was refused for "
                "safety. Copy the list into a new workbook and upload that."
            )
        )
    # zipfile never unpacks more than an entry's declared size, so checking the declared
    # sizes bounds the work; a lying header ends in a CRC error when the entry is read.
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise _bomb()
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            raise _bomb()
        if entry.flag_bits & 0x1:
            raise _Refused(_("The file is protected with a password. Remove it and try again."))
    return archive


def _bomb() -> _Refused:
    return _Refused(
        _(
            "The file unpacks to far more data than a member list needs, so it was refused for "
            "safety. Copy the list into a new workbook and upload that."
        )
    )


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Refuse by the names of the parts inside: macros, links to other files, other formats."""
    names = archive.namelist()
    lowered = [n.lower() for n in names]
    if any(n.endswith("vbaproject.bin") for n in lowered):
        raise _macros()
    if any(n.startswith("xl/externallinks/") for n in lowered):
        raise _Refused(
            _(
                "The file is linked to other files (external links). In Excel choose Data → "
                "Edit Links → Break Link, save, and upload it again."
            )
        )
    if "xl/workbook.bin" in lowered:
        raise _Refused(
            _("This is an Excel Binary Workbook (.xlsb). Save it as Excel Workbook (.xlsx).")
        )
    if "mimetype" in lowered and "content.xml" in lowered:
        raise _Refused(
            _("This is an OpenDocument spreadsheet (.ods). Save it as Excel Workbook (.xlsx).")
        )
    if "[content_types].xml" not in lowered:
        raise _not_spreadsheet()


def _check_content_types(archive: zipfile.ZipFile) -> None:
    # A macro workbook renamed .xlsx still declares itself; the parts were checked just before.
    if b"macroEnabled" in archive.read("[Content_Types].xml"):
        raise _macros()


def _scan_parts(archive: zipfile.ZipFile) -> None:
    """Unpack every part once: proves the sizes and checksums, and finds DTDs before openpyxl.

    A spreadsheet's XML never needs a document type declaration; entity bombs need one. openpyxl
    also parses through defusedxml, so this is a second, independent guard.
    """
    total = 0
    try:
        for entry in archive.infolist():
            with archive.open(entry) as part:
                tail = b""
                while chunk := part.read(1024 * 1024):
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES:
                        raise _bomb()
                    window = tail + chunk
                    if any(mark in window for mark in _DOCTYPE_MARKS):
                        raise _unsafe()
                    tail = window[-32:]
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError):
        raise _damaged() from None


class _CellParser(WorkSheetParser):
    """openpyxl's sheet parser, keeping the cached value of a formula but marking it as one.

    With data_only openpyxl gives the value Excel saved and drops the formula, so a formula that
    was never calculated would read as a blank cell; we want to tell the user instead.
    """

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        formula = element.find(FORMULA_TAG)
        if cell["data_type"] == "e":
            cell["value"] = _Unusable(
                _("The cell shows the spreadsheet error %(error)s. Correct it or clear the cell.")
                % {"error": cell["value"]}
            )
        elif formula is not None and _RISKY_FORMULA.search(formula.text or ""):
            cell["value"] = _Unusable(
                _(
                    "This cell has a formula that links to another program, file or web "
                    "address. Type the value itself instead of the formula."
                )
            )
        elif formula is not None and _never_calculated(element):
            cell["value"] = _Unusable(
                _(
                    "This cell has a formula whose result was never saved. In Excel, copy the "
                    "column and use Paste Special → Values, then save and upload again."
                )
            )
        elif cell["data_type"] == "d" and _is_serial_60(element.findtext(VALUE_TAG), self.epoch):
            cell["value"] = _Unusable(_serial_60_message())
        return cell


def _never_calculated(element: Any) -> bool:
    # Excel saves a formula's result in <v>; an empty result is an empty <v> of type "str".
    cached = element.find(VALUE_TAG)
    return cached is None or (not cached.text and element.get("t") != "str")


def _is_serial_60(raw: str | None, epoch: dt.datetime) -> bool:
    """Serial 60 is 29 February 1900, a day Excel invented to match Lotus 1-2-3."""
    try:
        return epoch == WINDOWS_EPOCH and int(float(raw or "")) == 60
    except ValueError:
        return False


def _read_xlsx(data: bytes) -> _Grid:
    archive = _open_zip(data)
    _check_parts(archive)
    _scan_parts(archive)
    try:
        _check_content_types(archive)
    except KeyError:  # saved with another spelling of the name
        raise _damaged() from None
    if not openpyxl.DEFUSEDXML:
        # Without defusedxml openpyxl has no guard against entity bombs; fail closed.
        raise _Refused(_("Excel files cannot be read safely on this server. Please use CSV."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise _unsafe() if _unsafe_xml(exc) else _damaged() from None
    try:
        return _choose_sheet(workbook)
    finally:
        workbook.close()


def _unsafe_xml(exc: BaseException | None) -> bool:
    """Whether defusedxml stopped the parse; openpyxl wraps its error in a ValueError."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _choose_sheet(workbook: Any) -> _Grid:
    """The first visible sheet with a header row; hidden sheets are only named in the error."""
    sheets = workbook.worksheets[:MAX_SHEETS_SEARCHED]
    for sheet in sheets:
        if sheet.sheet_state == "visible":
            grid = _read_sheet(workbook, sheet)
            if _find_header(grid) is not None:
                if len(workbook.worksheets) > 1:
                    grid.notes.append(
                        _("The members were read from the sheet “%(sheet)s”.")
                        % {"sheet": sheet.title}
                    )
                return grid
    for sheet in sheets:
        if sheet.sheet_state != "visible" and _find_header(_read_sheet(workbook, sheet)):
            raise _Refused(
                _(
                    "The member list is on a hidden sheet (“%(sheet)s”). Unhide the sheet, or "
                    "copy the list to the first sheet, and upload again."
                )
                % {"sheet": sheet.title}
            )
    raise _no_header()


def _read_sheet(workbook: Any, sheet: Any) -> _Grid:
    # The declared dimension lets a sheet of a million rows be refused without reading it.
    if (sheet.max_row or 0) > MAX_ROW_NUMBER:
        raise _too_many_rows(sheet.max_row)
    rows: list[tuple[int, dict[int, Any]]] = []
    try:
        with warnings.catch_warnings(), sheet._get_source() as source:
            warnings.simplefilter("ignore")
            parser = _CellParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for number, cells in parser.parse():
                if number > MAX_ROW_NUMBER:
                    raise _too_many_rows(number)
                values = {
                    c["column"]: c["value"]
                    for c in cells
                    if c["value"] is not None and c["column"] <= MAX_COLUMNS
                }
                if values:
                    rows.append((number, values))
            hidden = {
                int(n)
                for n, attrs in parser.row_dimensions.items()
                if attrs.get("hidden") in ("1", "true")
            }
            merges = [
                range_boundaries(m.ref) for m in getattr(parser.merged_cells, "mergeCell", [])
            ]
    except _Refused:
        raise
    except Exception as exc:  # a broken sheet can fail in the XML or in openpyxl's conversions
        raise _unsafe() if _unsafe_xml(exc) else _damaged() from None
    grid = _Grid(
        rows=rows, merges=merges, hidden_rows=hidden, sheet=sheet.title, epoch=workbook.epoch
    )
    _fill_merged_down(grid)
    return grid


def _fill_merged_down(grid: _Grid) -> None:
    """A cell merged over several rows shows its value on each; Excel stores it only in the top."""
    numbers = [number for number, _values in grid.rows]
    fills = 0
    for min_col, min_row, _max_col, max_row in grid.merges:
        if max_row <= min_row:
            continue
        start = bisect_left(numbers, min_row)
        if start == len(numbers) or numbers[start] != min_row:
            continue
        top = grid.rows[start][1].get(min_col)
        if top is None:
            continue
        for index in range(start + 1, bisect_right(numbers, max_row)):
            fills += 1
            if fills > MAX_MERGE_FILLS:
                raise _Refused(
                    _("The sheet has too many merged cells. Unmerge them and try again.")
                )
            grid.rows[index][1].setdefault(min_col, top)


# CSV


def _decode(data: bytes) -> str:
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            raise _nul()
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                if _mostly_utf8_thai(data):
                    raise _damaged_text() from None
                # Thai Windows and older Excel save CSV as TIS-620; CP874 is its superset.
                text = data.decode("cp874")
    except UnicodeDecodeError:
        raise _damaged_text() from None
    if "\x00" in text:
        raise _nul()
    return text


def _mostly_utf8_thai(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 are still UTF-8 Thai with a few damaged bytes.

    Read as CP874 such a file would give Thai-looking nonsense (เธชเธก…) that passes every check,
    so it is refused instead. Each Thai letter in UTF-8 starts with E0 B8 or E0 B9; in real
    TIS-620 text those pairs (เธ, เน) are a small share of the non-ASCII bytes.
    """
    high = sum(1 for byte in data if byte >= 0x80)
    pairs = data.count(b"\xe0\xb8") + data.count(b"\xe0\xb9")
    return high > 0 and pairs * 5 > high


def _damaged_text() -> _Refused:
    return _Refused(
        _(
            "The letters in the file could not be read. In Excel choose Save As → "
            "“CSV UTF-8 (Comma delimited)” and upload the new file."
        )
    )


def _nul() -> _Refused:
    return _Refused(
        _(
            "The file contains NUL characters, so it is not a plain text CSV file. Save the list "
            "again as “CSV UTF-8” or as Excel Workbook (.xlsx)."
        )
    )


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, dict[int, Any]]]:
    # Excel shows one row per record, also when a quoted cell holds a line break.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, record in enumerate(reader, start=1):
        yield number, {i: value for i, value in enumerate(record, start=1) if value.strip()}


def _read_csv(data: bytes) -> _Grid:
    text = _decode(data)
    try:
        best: tuple[int, int, str] | None = None
        for delimiter in (",", ";", "\t"):
            head = list(itertools.islice(_csv_rows(text, delimiter), HEADER_SEARCH_ROWS * 2))
            found = _find_header(_Grid(rows=head, column_letters=False))
            score = (found.score if found else 0, max((len(r) for _n, r in head), default=0))
            if best is None or score > best[:2]:
                best = (*score, delimiter)
        assert best is not None
        rows = []
        for number, values in _csv_rows(text, best[2]):
            if number > MAX_ROW_NUMBER:
                raise _too_many_rows(number)
            if values:
                rows.append((number, values))
    except csv.Error:
        raise _Refused(
            _(
                'The CSV file could not be read; a quote mark (") may be missing its partner. '
                "Save the file again from Excel as “CSV UTF-8” and upload it again."
            )
        ) from None
    return _Grid(rows=rows, column_letters=False)
