"""Bring a fund's member register in from Excel (.xlsx) or CSV: check each row, add all or none.

A file is read into a grid of cells first (`_read_xlsx`, `_read_csv`), refusing hostile or broken
files before any of their content is trusted. The grid is then given meaning: find the header row,
map its columns, turn each row into a MemberInput and check it with the same rules as the form
(`services.validate_member_input`). `preview_member_file` stops there and writes nothing;
`commit_member_import` does the same work again inside one transaction and writes it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import logging
import re
import unicodedata
import warnings
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.worksheet.datavalidation import DataValidation

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Branch, Fund
from kongtun.lib.text import clean_text, split_title
from kongtun.lib.thaidate import BE_THRESHOLD, InvalidDate, ce_date, parse_date
from kongtun.lib.thaiid import InvalidNationalId, normalize_national_id, to_ascii_digits
from kongtun.members.models import ImportBatch, Member, MemberType, Status, StatusChange
from kongtun.members.services import (
    MemberInput,
    _build_member,
    _opening_history,
    member_snapshot,
    national_id_index,
    validate_member_input,
)

logger = logging.getLogger(__name__)

MAX_DATA_ROWS = 20_000
HEADER_SEARCH_ROWS = 20
# Rows below the last one we accept; a sheet reaching further is refused from its dimension alone.
MAX_ROW_NUMBER = MAX_DATA_ROWS + 100
MAX_COLUMNS = 200
MAX_CELL_CHARS = 1_000
MAX_SHEETS_SEARCHED = 50
# An .xlsx is a ZIP of XML; these bound what unpacking it may cost (OWASP ASVS 5.2.3).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_COMPRESSION_RATIO = 100
MAX_MERGE_FILLS = 200_000
MAX_ERRORS_IN_REFUSAL = 20
MOO_RANGE = range(1, 100)
# The template's example row carries this ID; a filled-in template still has it, so it is left out.
EXAMPLE_NATIONAL_ID = "1234567890121"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_FORMULA_START = "=+-@"
_RISKY_FORMULA = re.compile(
    r"\||\[\d+\]|\b(?:HYPERLINK|WEBSERVICE|FILTERXML|RTD|CALL|REGISTER|EXEC|DDE|IMPORT\w*)\s*\(",
    re.IGNORECASE,
)
_NAME_PUNCTUATION = frozenset(" .-'’()")


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


# -- Columns ----------------------------------------------------------------------------------

# Field → (the Thai column name of the template, other names people give the column).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": ("เลขที่สมาชิก", (
        "เลขสมาชิก", "รหัสสมาชิก", "หมายเลขสมาชิก", "เลขทะเบียนสมาชิก", "member number",
        "member no", "member id", "membership number",
    )),
    "title": ("คำนำหน้า", ("คำนำหน้าชื่อ", "คำนำ", "title", "prefix")),
    "first_name": ("ชื่อ", ("ชื่อตัว", "ชื่อจริง", "first name", "firstname", "given name")),
    "last_name": ("นามสกุล", ("สกุล", "last name", "lastname", "surname", "family name")),
    "full_name": ("ชื่อ-นามสกุล", (
        "ชื่อ - สกุล", "ชื่อ-สกุล", "ชื่อ สกุล", "ชื่อและนามสกุล", "ชื่อสมาชิก",
        "ชื่อ-สกุลสมาชิก", "full name", "name", "name surname", "name-surname",
    )),
    "national_id": ("เลขประจำตัวประชาชน", (
        "เลขบัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "เลขที่บัตรประชาชน", "บัตรประชาชน",
        "เลขประชาชน", "รหัสประจำตัวประชาชน", "เลขบัตร", "national id", "national id number",
        "citizen id", "id card", "id card number", "id number",
    )),
    "birth_date": ("วันเกิด", (
        "วันเดือนปีเกิด", "วัน/เดือน/ปี เกิด", "ว/ด/ป เกิด", "วันที่เกิด", "date of birth",
        "birth date", "birthdate", "dob",
    )),
    "joined_on": ("วันที่สมัคร", (
        "วันสมัคร", "วันที่สมัครสมาชิก", "วันที่เป็นสมาชิก", "วันที่เข้าเป็นสมาชิก",
        "วันเข้าเป็นสมาชิก", "joined on", "joined", "join date", "joining date", "date joined",
    )),
    # Not "เลขที่" alone: registers also use it for the member number.
    "house_no": ("บ้านเลขที่", ("เลขที่บ้าน", "house no", "house number", "address no")),
    "moo": ("หมู่ที่", ("หมู่", "ม.", "moo", "village no", "village number")),
    "street": ("ถนน/ซอย", (
        "ซอย/ถนน", "ถนน", "ซอย", "ตรอก/ซอย", "street", "road", "soi", "lane", "lane / road",
    )),
    "phone": ("โทรศัพท์", (
        "เบอร์โทร", "เบอร์โทรศัพท์", "หมายเลขโทรศัพท์", "โทร", "มือถือ", "phone", "telephone",
        "tel", "mobile", "phone number",
    )),
    "member_type": ("ประเภทสมาชิก", ("ประเภท", "member type", "type")),
    "branch": ("สาขา", ("branch",)),
    "status": ("สถานะ", ("สถานะสมาชิก", "status")),
}  # fmt: skip
TEMPLATE_FIELDS = [f for f in COLUMNS if f != "full_name"]
REQUIRED_FIELDS = ("national_id", "birth_date", "joined_on")
_MAX_LENGTH = {
    name: getattr(Member._meta.get_field(name), "max_length", 0) or 0
    for name in ("number", "title", "house_no", "street", "phone")
}

MEMBER_TYPE_LABELS_TH = {
    MemberType.GENERAL: "ทั่วไป",
    MemberType.CHILD: "เด็ก/เยาวชน",
    MemberType.ELDERLY: "ผู้สูงอายุ",
    MemberType.DISABLED: "ผู้พิการ",
    MemberType.DISADVANTAGED: "ผู้ด้อยโอกาส",
    MemberType.ORPHAN: "เด็กกำพร้า",
}
_MEMBER_TYPE_EXTRA = {
    MemberType.GENERAL: ("สมาชิกทั่วไป", "บุคคลทั่วไป", "ปกติ"),
    MemberType.CHILD: ("เด็ก", "เยาวชน", "เด็กและเยาวชน"),
    MemberType.ELDERLY: ("สูงอายุ", "ผู้สูงวัย"),
    MemberType.DISABLED: ("คนพิการ", "พิการ"),
    MemberType.DISADVANTAGED: ("ด้อยโอกาส", "ผู้ยากไร้"),
    MemberType.ORPHAN: ("กำพร้า",),
}
STATUS_LABELS_TH = {Status.ACTIVE: "สมาชิก", Status.APPLICANT: "ผู้สมัคร"}
_STATUS_EXTRA = {
    Status.ACTIVE: ("สมาชิกปกติ", "ปกติ", "เป็นสมาชิก", "สมาชิกสามัญ"),
    Status.APPLICANT: ("สมัคร", "รอพิจารณา", "รออนุมัติ", "สมัครใหม่"),
}


def _key(text: object) -> str:
    """The form of a header or a label we compare: no case, spaces, punctuation or (notes)."""
    folded = clean_text(text).casefold()
    folded = re.sub(r"\([^)]*\)|\[[^]]*]|13\s*หลัก", "", folded)
    return re.sub(r"[\s.\-_/*:#,]", "", folded)


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): name for name, aliases in table.items() for alias in aliases}


_HEADER_KEYS = _lookup(
    {f: (thai, f.replace("_", " "), *more) for f, (thai, more) in COLUMNS.items()}
)
_MEMBER_TYPES = _lookup(
    {
        code: (MEMBER_TYPE_LABELS_TH[code], code, str(MemberType(code).label), *extra)
        for code, extra in _MEMBER_TYPE_EXTRA.items()
    }
)
_STATUSES = _lookup(
    {
        code: (STATUS_LABELS_TH[code], code, str(Status(code).label), *extra)
        for code, extra in _STATUS_EXTRA.items()
    }
)


# -- Reading files into a grid ----------------------------------------------------------------


class _Refused(Exception):
    """The whole file is refused; `message` tells the user why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _CellProblem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Unusable:
    """A cell whose content must not be used (formula, error value, impossible date)."""

    message: str


@dataclass
class _Grid:
    """The non-blank cells of one sheet or CSV file, before any meaning is given to them."""

    rows: list[tuple[int, dict[int, Any]]]  # (row number, {column number: value})
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, ...
    hidden_rows: set[int] = field(default_factory=set)
    sheet: str = ""
    column_letters: bool = True
    epoch: dt.datetime = WINDOWS_EPOCH  # Excel for Mac once counted days from 1904
    notes: list[str] = field(default_factory=list)


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


def _serial_60_message() -> str:
    return _(
        "29 February 1900 does not exist (an old mistake in Excel). Type the correct date as "
        "day/month/year."
    )


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


# -- Template ---------------------------------------------------------------------------------

_EXAMPLE_ROW = {
    "number": "00001",
    "title": "นาย",
    "first_name": "สมชาย",
    "last_name": "ใจดี",
    "national_id": "1-2345-67890-12-1",
    "birth_date": "17/05/2513",
    "joined_on": "01/03/2558",
    "house_no": "12/3",
    "moo": "1",
    "street": "ซอยวัดใหม่",
    "phone": "0812345678",
    "member_type": MEMBER_TYPE_LABELS_TH[MemberType.GENERAL],
    "branch": "",
    "status": STATUS_LABELS_TH[Status.ACTIVE],
}
_WIDTHS = {"first_name": 16, "last_name": 16, "national_id": 20, "street": 20, "branch": 16}
_INSTRUCTIONS = [
    ("วิธีกรอกทะเบียนสมาชิก", ""),
    ("", ""),
    ("แถวที่ 2 เป็นตัวอย่าง ระบบจะข้ามแถวนี้ให้เอง กรอกสมาชิกตั้งแต่แถวที่ 3 ลงไป หนึ่งแถวต่อหนึ่งคน", ""),
    ("ห้ามเปลี่ยนชื่อหัวคอลัมน์ในแถวที่ 1 สลับลำดับคอลัมน์หรือเพิ่มคอลัมน์อื่นได้", ""),
    ("ระบบนำเข้าทั้งไฟล์หรือไม่นำเข้าเลย ถ้ามีแถวผิด ระบบจะบอกแถวและคอลัมน์ให้แก้ แล้วส่งไฟล์ใหม่", ""),
    ("คนที่เป็นสมาชิกของกองทุนอยู่แล้ว (เลขประจำตัวประชาชนซ้ำ) จะถูกข้าม ไม่นำเข้าซ้ำ", ""),
    ("", ""),
    ("คอลัมน์", "วิธีกรอก"),
    ("เลขที่สมาชิก", "ไม่บังคับ ถ้าเว้นว่าง ระบบจะออกเลขต่อจากเลขล่าสุดให้"),
    ("คำนำหน้า", "ไม่บังคับ เช่น นาย นาง นางสาว ด.ช. ด.ญ."),
    ("ชื่อ", "ต้องกรอก"),
    ("นามสกุล", "ต้องกรอก"),
    ("เลขประจำตัวประชาชน", "ต้องกรอก 13 หลัก ช่องนี้ตั้งเป็นข้อความไว้แล้ว เพื่อไม่ให้ Excel ตัดตัวเลข"),
    ("วันเกิด", "ต้องกรอก วัน/เดือน/ปี พ.ศ. เช่น 17/05/2513 (ปี ค.ศ. ก็ได้ เช่น 17/05/1970)"),
    ("วันที่สมัคร", "ต้องกรอก วัน/เดือน/ปี เช่น 01/03/2558 ต้องไม่ก่อนวันตั้งกองทุน"),
    ("บ้านเลขที่", "ไม่บังคับ เช่น 12/3"),
    ("หมู่ที่", "ไม่บังคับ ตัวเลข 1 ถึง 99"),
    ("ถนน/ซอย", "ไม่บังคับ"),
    ("โทรศัพท์", "ไม่บังคับ เช่น 0812345678"),
    ("ประเภทสมาชิก", "ไม่บังคับ (ว่าง = ทั่วไป): " + ", ".join(MEMBER_TYPE_LABELS_TH.values())),
    ("สาขา", "ไม่บังคับ ชื่อสาขา หรือเลขหมู่ของสาขา ตามที่ตั้งไว้ในระบบ"),
    ("สถานะ", "ไม่บังคับ (ว่าง = สมาชิก): สมาชิก หรือ ผู้สมัคร"),
    ("", ""),
    ("ห้ามใส่สูตร (ขึ้นต้นด้วย =) และห้ามขึ้นต้นช่องด้วย + - @", ""),
    ("บันทึกเป็น Excel Workbook (.xlsx) หรือ CSV UTF-8 ห้ามใส่รหัสผ่าน และห้ามใช้ไฟล์ที่มีมาโคร", ""),
]  # fmt: skip


def build_template_xlsx() -> bytes:
    """An empty register to fill in: Thai headers, one example row, instructions on sheet two."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ทะเบียนสมาชิก"
    sheet.append([COLUMNS[name][0] for name in TEMPLATE_FIELDS])
    sheet.append([_EXAMPLE_ROW[name] for name in TEMPLATE_FIELDS])
    grey = Font(italic=True, color="808080")
    for index, name in enumerate(TEMPLATE_FIELDS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDEBF7")
        header.alignment = Alignment(horizontal="center")
        # Text format everywhere: Excel then keeps all 13 ID digits, the 0 of a phone number,
        # BE years as typed, and does not turn a house number like 12/3 into a date.
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = _WIDTHS.get(name, 13)
        example = sheet.cell(row=2, column=index)
        example.number_format = "@"
        example.font = grey
    sheet.freeze_panes = "A2"
    for name, choices in (
        ("member_type", MEMBER_TYPE_LABELS_TH.values()),
        ("status", STATUS_LABELS_TH.values()),
    ):
        letter = get_column_letter(TEMPLATE_FIELDS.index(name) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        rule.add(f"{letter}2:{letter}{MAX_DATA_ROWS}")
        sheet.add_data_validation(rule)
    notes = workbook.create_sheet("คำอธิบาย")
    for row in _INSTRUCTIONS:
        notes.append(list(row))
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
