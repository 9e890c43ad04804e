"""Builders of the opening-balance workbooks the tests upload, as real .xlsx files made with
openpyxl. Every file is made in the test; none is kept."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import openpyxl

MEMBER_HEADERS = ["เลขที่สมาชิก", "ส่งถึงวันที่", "แบบการส่ง", "ค่าสมัครค้างชำระ"]
HISTORY_HEADERS = ["เลขที่สมาชิก", "วันที่ส่ง", "จำนวนเงิน", "เลขที่ใบเสร็จเดิม"]
BALANCE_HEADERS = ["หมวด", "รหัส", "รายการ", "จำนวนเงิน (บาท)"]
MEMBERS_SHEET, HISTORY_SHEET, BALANCES_SHEET = "สมาชิก", "ประวัติการส่ง", "ยอดยกมา"
AS_OF = "30/09/2568"  # 30 September 2025

Row = Sequence[Any]


def balances_rows(money: Mapping[str, Any], sources: Mapping[str, Any]) -> list[list[Any]]:
    """Lines of the balances sheet: account code → amount, source → amount."""
    rows: list[list[Any]] = [["เงินสดและเงินฝาก", code, "", amount] for code, amount in money.items()]
    rows += [["แหล่งที่มาของเงิน", source, "", amount] for source, amount in sources.items()]
    return rows


def workbook(
    *,
    members: Iterable[Row] = (),
    history: Iterable[Row] = (),
    as_of: Any = AS_OF,
    as_of_label: bool = True,
    money: Mapping[str, Any] | None = None,
    sources: Mapping[str, Any] | None = None,
    balance_rows: Iterable[Row] | None = None,
    sheets: Sequence[str] = (MEMBERS_SHEET, HISTORY_SHEET, BALANCES_SHEET),
) -> bytes:
    """A workbook with the template's three sheets; each row is a list of cell values."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if MEMBERS_SHEET in sheets:
        sheet = book.create_sheet(MEMBERS_SHEET)
        sheet.append(MEMBER_HEADERS)
        for row in members:
            sheet.append(list(row))
    if HISTORY_SHEET in sheets:
        sheet = book.create_sheet(HISTORY_SHEET)
        sheet.append(HISTORY_HEADERS)
        for row in history:
            sheet.append(list(row))
    if BALANCES_SHEET in sheets:
        sheet = book.create_sheet(BALANCES_SHEET)
        sheet.append(["ยอดยกมา ณ วันที่", as_of] if as_of_label else [])
        sheet.append([])
        sheet.append(BALANCE_HEADERS)
        if balance_rows is None:
            balance_rows = balances_rows(
                money if money is not None else {"1101": "1,000.00", "1111": Decimal("9000")},
                sources if sources is not None else {"members": 6000, "codi": "4000"},
            )
        for row in balance_rows:
            sheet.append(list(row))
    return save(book)


def save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fill_template(
    template: bytes,
    *,
    members: Iterable[Row],
    history: Iterable[Row],
    as_of: str,
    amounts: Mapping[str, Any],
) -> bytes:
    """The downloaded template filled in as a treasurer would: rows from row 3, amounts typed
    next to the template's codes."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for name, rows in ((MEMBERS_SHEET, members), (HISTORY_SHEET, history)):
        sheet = book[name]
        for row in rows:
            sheet.append(list(row))
    balances = book[BALANCES_SHEET]
    balances["B1"] = as_of
    for row in balances.iter_rows(min_row=4):
        code = row[1].value
        if code in amounts:
            row[3].value = amounts[code]
    return save(book)


# --- Workbooks as Excel saves them -----------------------------------------------------------
# openpyxl writes every text inline; Excel writes a shared-strings table, numbers with styles,
# and keeps a formula next to its saved result. These builders write that XML directly.

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DATE_STYLE = 1  # numFmtId 14, a date


def cell_xml(ref: str, value: Any, strings: dict[str, int]) -> str:
    """One cell: text goes to the shared strings; ("f", formula, cached) is a formula with its
    saved result (None: never calculated); ("e", "#REF!") an error; ("d", serial) a date;
    ("b", 1) TRUE."""
    if isinstance(value, tuple) and value[0] == "f":
        cached = "" if value[2] is None else f"<v>{value[2]}</v>"
        return f'<c r="{ref}"><f>{value[1]}</f>{cached}</c>'
    if isinstance(value, tuple) and value[0] == "e":
        return f'<c r="{ref}" t="e"><v>{value[1]}</v></c>'
    if isinstance(value, tuple) and value[0] == "b":
        return f'<c r="{ref}" t="b"><v>{value[1]}</v></c>'
    if isinstance(value, tuple) and value[0] == "d":
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{value[1]}</v></c>'
    if isinstance(value, str):
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def excel_workbook(sheets: Mapping[str, Sequence[Row]]) -> bytes:
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    parts: dict[str, str] = {}
    for n, rows in enumerate(sheets.values(), start=1):
        body = "".join(
            f'<row r="{r}">'
            + "".join(
                cell_xml(f"{'ABCDEFGH'[c]}{r}", v, strings)
                for c, v in enumerate(row)
                if v is not None
            )
            + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        parts[f"xl/worksheets/sheet{n}.xml"] = (
            f'<worksheet xmlns="{NS}"><sheetData>{body}</sheetData></worksheet>'
        )
    numbers = range(1, len(sheets) + 1)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{NS}">' + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>"
    )
    parts["xl/styles.xml"] = (
        f'<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{NS}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{title}" sheetId="{n}" r:id="rId{n}"/>'
            for n, title in zip(numbers, sheets, strict=True)
        )
        + "</sheets></workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{_PACKAGE}">{rels}'
        f'<Relationship Id="rId90" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId91" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    overrides = [("workbook.xml", "sheet.main"), ("styles.xml", "styles"),
                 ("sharedStrings.xml", "sharedStrings")]  # fmt: skip
    overrides += [(f"worksheets/sheet{n}.xml", "worksheet") for n in numbers]
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="/xl/{p}" ContentType="{_TYPES}.{k}+xml"/>' for p, k in overrides
        )
        + "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()
