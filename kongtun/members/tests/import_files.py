"""Builders for the files the import tests upload. Every file is made in the test; none is kept."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import openpyxl

from kongtun.conftest import make_national_id

HEADERS = [
    "เลขที่สมาชิก", "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขประจำตัวประชาชน", "วันเกิด",
    "วันที่สมัคร", "บ้านเลขที่", "หมู่ที่", "ถนน/ซอย", "โทรศัพท์", "ประเภทสมาชิก", "สาขา", "สถานะ",
]  # fmt: skip
ID, FIRST, LAST, BIRTH, JOINED = "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "วันเกิด", "วันที่สมัคร"
# Python normalises keyword names (NFKC), which changes ำ: pass this one as **{TITLE: ...}.
TITLE = "คำนำหน้า"
SHEET = "xl/worksheets/sheet1.xml"

_LETTERS = "กขคงจฉชซญณ"


def thai_name(seed: int) -> str:
    """A first name made of letters only (digits are refused in names)."""
    return "สม" + "".join(_LETTERS[int(d)] for d in str(seed))


def person(seed: int, **overrides: Any) -> dict[str, Any]:
    """One member's row, keyed by the template's Thai headers."""
    values: dict[str, Any] = {
        TITLE: "นาย",
        FIRST: thai_name(seed),
        LAST: "ทดสอบ",
        ID: make_national_id(seed),
        BIRTH: "17/05/2513",
        JOINED: "01/03/2558",
    }
    values.update(overrides)
    return values


Rows = Iterable[Mapping[str, Any] | Sequence[Any]]


def as_lists(rows: Rows, headers: Sequence[str | None]) -> list[list[Any]]:
    return [
        [row.get(h) if h else None for h in headers] if isinstance(row, Mapping) else list(row)
        for row in rows
    ]


def xlsx(
    rows: Rows = (),
    headers: Sequence[str | None] = HEADERS,
    *,
    above: Sequence[Sequence[Any]] = (),
    edit: Callable[[Any, Any], None] | None = None,
) -> bytes:
    """A workbook with optional rows above the header, the header, then the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(list(line))
    sheet.append(list(headers))
    for line in as_lists(rows, headers):
        sheet.append(line)
    if edit is not None:
        edit(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Rows = (),
    headers: Sequence[str] = HEADERS,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for line in as_lists(rows, headers):
        writer.writerow(["" if v is None else v for v in line])
    return buffer.getvalue().encode(encoding)


def rezip(
    data: bytes,
    *,
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The same .xlsx with some parts replaced or added, as a hostile or odd tool might save it."""
    replace, add = dict(replace or {}), dict(add or {})
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for name in source.namelist():
            target.writestr(name, replace.pop(name) if name in replace else source.read(name))
        for name, content in {**replace, **add}.items():
            target.writestr(name, content)
    return buffer.getvalue()


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()


def with_cell_xml(data: bytes, ref: str, cell: str) -> bytes:
    """Replace the XML of one cell (which must exist) with hand-written XML."""
    xml = sheet_xml(data)
    new, count = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', cell, xml, count=1)
    assert count == 1, f"no cell {ref}"
    return rezip(data, replace={SHEET: new.encode()})
