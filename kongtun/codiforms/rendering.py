"""CODI's forms as files: a Thai A4 PDF to sign and send, and an XLSX whose sources sheet
says, for every figure, which cell holds it and which records make it.

Both are Thai documents whatever language the screen is in. Amounts go into the XLSX as
Decimal, so each cell holds the exact figure (see kongtun.ledger.exports); text from the
fund's records passes through `safe_text`, so no name can become a spreadsheet formula.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kongtun.codiforms.document import (
    Blank,
    Checks,
    Figure,
    Form,
    Kind,
    Line,
    Note,
    Signatures,
    Table,
)
from kongtun.codiforms.links import books_start, trace_path
from kongtun.codiforms.parts import date_th
from kongtun.ledger.exports import MONEY_FORMAT, safe_text
from kongtun.lib.money import format_baht
from kongtun.lib.pdf import render_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00"
BLANK = "…………………………"
SOURCES_SHEET = "ที่มาของตัวเลข"
MANUAL_TH = "กรอกด้วยมือ: ข้อมูลส่วนนี้ไม่มีในระบบ"
PROVISIONAL_TH = "ข้อมูลเบื้องต้น: ปีงบประมาณยังไม่สิ้นสุด ตัวเลขเป็นข้อมูล ณ วันที่พิมพ์และอาจเปลี่ยนแปลง"


def footer_th(form: Form) -> str:
    """What every page says about where the form came from."""
    return (
        f"จัดทำจากข้อมูลในระบบของกองทุนเมื่อวันที่ {date_th(form.generated_on)} "
        "โดยโปรแกรม Kongtun ตัวเลขทุกตัวตรวจสอบที่มาได้ในระบบ"
    )


def yes_no_th(value: bool) -> str:
    return "ใช่" if value else "ไม่ใช่"


def figure_text(figure: Figure) -> str:
    """The figure as the printed form writes it; a dotted blank when the records lack it."""
    value = figure.value
    if value is None:
        return BLANK
    if figure.kind == Kind.YES_NO:
        return yes_no_th(bool(value))
    if isinstance(value, dt.date):
        return date_th(value)
    if figure.kind == Kind.BAHT:
        return format_baht(Decimal(value))
    if figure.kind == Kind.PERCENT:
        return f"{Decimal(value):,.2f}"
    return f"{value:,}"


def filename(form: Form, ext: str) -> str:
    name = "codi-annual" if form.kind == "annual" else "codi-proposal"
    return f"{name}-{form.fund.code}-fy{form.fiscal_year_be}-{form.on:%Y%m%d}.{ext}"


# --- PDF -------------------------------------------------------------------------------------


def _pdf(form: Form) -> bytes:
    with translation.override("th"):
        context: dict[str, Any] = {
            "form": form,
            "footer": footer_th(form),
            "manual_note": MANUAL_TH,
            "provisional": PROVISIONAL_TH,
            "links": {},
        }
        return render_pdf("codiforms/pdf/form.html", context)


def annual_form_pdf(form: Form) -> bytes:
    """The annual fund data form on A4, in Thai, with the provenance footer on every page."""
    return _pdf(form)


def proposal_form_pdf(form: Form) -> bytes:
    """The co-funding proposal on A4, in Thai, ending with the signature lines."""
    return _pdf(form)


# --- XLSX ------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_SECTION = Font(bold=True, size=12)
_ITALIC = Font(italic=True, color="555555")
_UNDER = Border(bottom=Side(style="hair"))
_TOP = Border(top=Side(style="thin"))
_HEAD = Border(bottom=Side(style="thin"))
WIDTHS = (58, 22, 22, 22, 26)


class _FormSheet:
    """Writes a form top to bottom and remembers the cell each figure went into."""

    def __init__(self, ws: Worksheet, form: Form) -> None:
        self.ws = ws
        self.form = form
        self.row = 0
        self.cells: dict[str, str] = {}  # figure key → "A12"
        self.placed: list[Figure] = []
        for i, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self.text(form.title, font=_TITLE)
        self.text(form.subtitle, font=_BOLD)
        self.text(form.fund.name, font=_BOLD)
        if not form.final:
            self.text(PROVISIONAL_TH, font=Font(bold=True, color="A4161A"))
        self.text(footer_th(form), font=_ITALIC)
        self.row += 1

    def _cell(self, column: int, value: Any, *, font: Font | None = None) -> Any:
        if isinstance(value, str):
            value = safe_text(value)
        cell = self.ws.cell(self.row, column, value)
        if font is not None:
            cell.font = font
        return cell

    def text(self, value: str, *, font: Font | None = None, column: int = 1) -> None:
        self.row += 1
        cell = self._cell(column, value, font=font)
        cell.alignment = Alignment(wrap_text=False)

    def figure(self, column: int, figure: Figure, *, bold: bool = False) -> None:
        value = figure.value
        if value is not None and figure.kind in (Kind.YES_NO, Kind.DATE):
            # Dates as Thai text in BE: a date cell would show the CE year in most programs.
            cell = self._cell(column, figure_text(figure))
        else:
            # Decimal and int go in as they are: the file holds their exact digits.
            cell = self._cell(column, value)
            cell.number_format = {
                Kind.BAHT: MONEY_FORMAT,
                Kind.PERCENT: PERCENT_FORMAT,
            }.get(figure.kind, COUNT_FORMAT)
            cell.alignment = Alignment(horizontal="right")
        if bold:
            cell.font = _BOLD
            cell.border = _TOP
        self.cells[figure.key] = cell.coordinate
        self.placed.append(figure)

    def section(self, number: str, title: str, manual: bool) -> None:
        self.row += 1
        heading = f"{number} {title}" if "." in number else f"{number}. {title}"
        if manual:
            heading += f" ({MANUAL_TH})"
        self.text(heading, font=_SECTION)

    def line(self, line: Line) -> None:
        self.row += 1
        self._cell(1, line.label)
        if line.figure is not None:
            self.figure(2, line.figure)
            self._cell(3, line.figure.unit)
        else:
            self._cell(2, line.text)

    def table(self, table: Table) -> None:
        if table.caption:
            self.text(table.caption, font=_BOLD)
        self.row += 1
        for i, label in enumerate(table.columns, start=1):
            cell = self._cell(i, label, font=_BOLD)
            cell.border = _HEAD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if not table.rows:
            self.text(table.empty or "-", font=_ITALIC)
        for row in table.rows:
            self.row += 1
            for i, value in enumerate(row.cells, start=1):
                if isinstance(value, Figure):
                    self.figure(i, value, bold=row.total)
                elif value:
                    self._cell(i, value, font=_BOLD if row.total else None)

    def blank(self, blank: Blank) -> None:
        self.text(f"{blank.prompt} ({MANUAL_TH})", font=_ITALIC)
        for _ in range(blank.lines):
            self.row += 1
            for column in range(1, len(WIDTHS) + 1):
                self.ws.cell(self.row, column).border = _UNDER

    def checks(self, checks: Checks) -> None:
        for label, ticked in checks.options:
            box = "☐" if not ticked else "☑"
            self.text(f"{box} {label}")

    def signatures(self, signatures: Signatures) -> None:
        for role in signatures.roles:
            self.row += 1
            self.text("ลงชื่อ ...................................................")
            self.text("(...................................................)")
            self.text(role)


def _sources(ws: Worksheet, sheet: _FormSheet) -> None:
    """One row per figure: its key, label, cell, value and where it comes from; a total
    names the cells it adds up."""
    form = sheet.form
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 46
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 18
    ws.column_dimensions["E"].width = 90
    ws.column_dimensions["F"].width = 60
    ws.cell(1, 1, safe_text(f"{SOURCES_SHEET}: {form.title}")).font = _TITLE
    ws.cell(2, 1, safe_text(f"{form.fund.name} {form.subtitle}"))
    ws.cell(3, 1, safe_text(footer_th(form))).font = _ITALIC
    head = ("รหัสตัวเลข", "รายการ", "เซลล์", "ค่า", "ที่มา", "ตรวจสอบในระบบที่หน้า")
    for i, label in enumerate(head, start=1):
        cell = ws.cell(5, i, label)
        cell.font = _BOLD
        cell.border = _HEAD
    ws.freeze_panes = "A6"
    form_sheet = sheet.ws.title
    since = books_start(form)
    for n, fig in enumerate(sheet.placed, start=6):
        source = fig.trace.text
        if fig.trace.parts:
            cells = ", ".join(sheet.cells[k] for k in fig.trace.parts if k in sheet.cells)
            source = f"{source} (เซลล์ {cells})" if cells else source
        ws.cell(n, 1, fig.key)
        ws.cell(n, 2, safe_text(fig.label))
        ws.cell(n, 3, f"'{form_sheet}'!{sheet.cells[fig.key]}")
        value: Any = fig.value
        if value is not None and fig.kind in (Kind.YES_NO, Kind.DATE):
            value = figure_text(fig)
        cell = ws.cell(n, 4, value)
        if fig.kind == Kind.BAHT:
            cell.number_format = MONEY_FORMAT
        elif fig.kind == Kind.PERCENT:
            cell.number_format = PERCENT_FORMAT
        ws.cell(n, 5, safe_text(source or "-"))
        path = trace_path(form, fig.trace, since)
        if path:
            ws.cell(n, 6, path)


def _xlsx(form: Form) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "แบบข้อมูลประจำปี" if form.kind == "annual" else "แบบเสนอขอรับการสนับสนุน"
    with translation.override("th"):
        sheet = _FormSheet(ws, form)
        for section in form.sections:
            sheet.section(section.number, section.title, section.manual)
            for block in section.blocks:
                if isinstance(block, Line):
                    sheet.line(block)
                elif isinstance(block, Table):
                    sheet.table(block)
                elif isinstance(block, Blank):
                    sheet.blank(block)
                elif isinstance(block, Note):
                    sheet.text(block.text, font=_ITALIC)
                elif isinstance(block, Checks):
                    sheet.checks(block)
                elif isinstance(block, Signatures):
                    sheet.signatures(block)
        ws.page_setup.orientation = "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        _sources(workbook.create_sheet(SOURCES_SHEET), sheet)
    workbook.properties.creator = "Kongtun"
    workbook.properties.created = timezone.now().replace(tzinfo=None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def annual_form_xlsx(form: Form) -> bytes:
    """The annual fund data form as a workbook: the form, and the sources of its figures."""
    return _xlsx(form)


def proposal_form_xlsx(form: Form) -> bytes:
    """The co-funding proposal as a workbook: the form, and the sources of its figures."""
    return _xlsx(form)
