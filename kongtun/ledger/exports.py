"""The statements as files: a Thai PDF to print and sign, an XLSX for the auditor and CODI.

Both are official Thai documents, so their headings are Thai whatever language the user reads
the screen in. Amounts go into the XLSX as Decimal, which openpyxl writes as the exact decimal
text of a numeric cell: no float ever touches a figure on its way into the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kongtun.ledger.models import Account
from kongtun.ledger.selectors import TrialBalance
from kongtun.ledger.statements import (
    IncomeExpenditure,
    Position,
    ReceiptsPayments,
    Row,
    Statements,
    TransferRow,
    format_date_th,
    source_label_th,
)
from kongtun.lib.pdf import render_pdf
from kongtun.lib.text import safe_text as safe_text  # the export modules import it from here

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"

TITLES_TH = {
    "receipts": "งบรับ-จ่ายเงิน",
    "income": "งบรายได้-ค่าใช้จ่าย",
    "position": "งบแสดงฐานะการเงิน",
    "trial": "งบทดลอง",
}


def account_name_th(account: Account) -> str:
    return account.name_th


def transfer_label_th(transfer: TransferRow) -> str:
    if transfer.source is None or transfer.target is None:
        return "โอนระหว่างบัญชีเงินสดและเงินฝากหลายบัญชี"
    return f"โอนจาก {transfer.source.name_th} ไป {transfer.target.name_th}"


def period_label_th(stmts: Statements, kind: str) -> str:
    if kind in ("position", "trial"):
        return f"ณ วันที่ {format_date_th(stmts.period.end)}"
    return stmts.period.label_th


def printed_at_th() -> str:
    now = timezone.localtime()
    return f"{format_date_th(now.date())} เวลา {now:%H:%M} น."


# --- PDF -------------------------------------------------------------------------------------


def statements_pdf(stmts: Statements) -> bytes:
    """The statements as one A4 PDF in Thai, each starting on a new page, ready to sign."""
    with translation.override("th"):
        context: dict[str, Any] = {
            "fund_name": stmts.fund.name,
            "stmts": stmts,
            "parts": [
                {"kind": kind, "title": TITLES_TH[kind], "period": period_label_th(stmts, kind)}
                for kind in stmts.kinds
            ],
            "title": " / ".join(TITLES_TH[k] for k in stmts.kinds),
            "period_label": stmts.period.label_th,
            "printed_at": printed_at_th(),
        }
        return render_pdf("ledger/pdf/statements.html", context)


# --- XLSX ------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_TOP = Border(top=Side(style="thin"))
_DOUBLE = Border(top=Side(style="thin"), bottom=Side(style="double"))


class _Sheet:
    """Writes a statement top to bottom: code, label, then one or more amount columns."""

    def __init__(self, ws: Worksheet, *, fund_name: str, title: str, period: str, amounts: int):
        self.ws = ws
        self.amounts = amounts
        self.row = 0
        self._line(fund_name, font=_TITLE)
        self._line(title, font=_BOLD)
        self._line(period)
        self._line(f"พิมพ์เมื่อ {printed_at_th()}")
        self.row += 1
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 55
        for i in range(amounts):
            ws.column_dimensions[get_column_letter(3 + i)].width = 18

    def _line(self, text: str, *, font: Font | None = None) -> None:
        self.row += 1
        cell = self.ws.cell(self.row, 1, safe_text(text))
        if font is not None:
            cell.font = font

    def header(self, *labels: str) -> None:
        self.row += 1
        for i, label in enumerate(labels, start=1):
            cell = self.ws.cell(self.row, i, safe_text(label))
            cell.font = _BOLD
            cell.border = Border(bottom=Side(style="thin"))
            if i > 2:
                cell.alignment = Alignment(horizontal="right")
        self.ws.freeze_panes = self.ws.cell(self.row + 1, 1)

    def section(self, label: str) -> None:
        self.row += 1
        self.ws.cell(self.row, 2, safe_text(label)).font = _BOLD

    def line(
        self,
        label: str,
        *amounts: Decimal | None,
        code: str = "",
        total: bool = False,
        grand: bool = False,
        number_format: str = MONEY_FORMAT,
    ) -> None:
        self.row += 1
        if code:
            self.ws.cell(self.row, 1, safe_text(code))
        label_cell = self.ws.cell(self.row, 2, safe_text(label))
        if total or grand:
            label_cell.font = _BOLD
        for i, amount in enumerate(amounts):
            if amount is None:
                continue
            # Decimal goes in as is: openpyxl writes its exact text as the cell's number.
            cell = self.ws.cell(self.row, 3 + i, amount)
            cell.number_format = number_format
            if total or grand:
                cell.font = _BOLD
                cell.border = _DOUBLE if grand else _TOP

    def rows(self, rows: Iterable[Row]) -> None:
        for r in rows:
            self.line(account_name_th(r.account), r.amount, code=r.code)

    def blank(self) -> None:
        self.row += 1

    def text(self, label: str, value: str) -> None:
        self.row += 1
        self.ws.cell(self.row, 2, safe_text(label))
        self.ws.cell(self.row, 3, safe_text(value)).font = _BOLD


def statements_xlsx(stmts: Statements) -> bytes:
    """A workbook with one sheet per statement, Thai headings, amounts as numeric cells."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override("th"):
        for kind in stmts.kinds:
            ws = workbook.create_sheet(TITLES_TH[kind])
            amounts = {"position": 1, "trial": 2}.get(kind, 1)
            sheet = _Sheet(
                ws,
                fund_name=stmts.fund.name,
                title=TITLES_TH[kind],
                period=period_label_th(stmts, kind),
                amounts=amounts,
            )
            if kind == "receipts" and stmts.receipts is not None:
                _receipts_sheet(sheet, stmts.receipts)
            elif kind == "income" and stmts.income is not None:
                _income_sheet(sheet, stmts.income)
            elif kind == "position" and stmts.position is not None:
                _position_sheet(sheet, stmts.position)
            elif kind == "trial" and stmts.trial is not None:
                _trial_sheet(sheet, stmts.trial)
            ws.page_setup.orientation = "portrait"
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _receipts_sheet(sheet: _Sheet, rp: ReceiptsPayments) -> None:
    sheet.header("รหัสบัญชี", "รายการ", "จำนวนเงิน (บาท)")
    sheet.section("เงินสดและเงินฝากธนาคารยกมา")
    for m in rp.money:
        sheet.line(m.account.name_th, m.opening, code=m.account.code)
    sheet.line("รวมยอดยกมา", rp.opening, total=True)
    sheet.blank()
    sheet.section("รายรับ")
    sheet.rows(rp.receipts)
    sheet.line("รวมรายรับ", rp.total_receipts, total=True)
    sheet.blank()
    sheet.section("รายจ่าย")
    sheet.rows(rp.payments)
    sheet.line("รวมรายจ่าย", rp.total_payments, total=True)
    sheet.blank()
    sheet.line("รายรับสูง(ต่ำ)กว่ารายจ่าย", rp.total_receipts - rp.total_payments, total=True)
    if rp.transfers:
        sheet.blank()
        sheet.section("โอนระหว่างบัญชีเงินสดและเงินฝาก (ไม่นับเป็นรายรับหรือรายจ่าย)")
        for t in rp.transfers:
            sheet.line(transfer_label_th(t), t.amount)
        sheet.line("รวมเงินโอน", rp.total_transfers, total=True)
    sheet.blank()
    sheet.section("เงินสดและเงินฝากธนาคารคงเหลือยกไป")
    for m in rp.money:
        sheet.line(m.account.name_th, m.closing, code=m.account.code)
    sheet.line("รวมยอดคงเหลือยกไป", rp.closing, grand=True)


def _income_sheet(sheet: _Sheet, ie: IncomeExpenditure) -> None:
    sheet.header("รหัสบัญชี", "รายการ", "จำนวนเงิน (บาท)")
    sheet.section("รายได้")
    for group in ie.income:
        label = source_label_th(group.source)
        sheet.section(f"แหล่งเงิน: {label}")
        sheet.rows(group.rows)
        sheet.line(f"รวม{label}", group.total, total=True)
    sheet.line("รวมรายได้", ie.total_income, total=True)
    sheet.blank()
    sheet.section("ค่าใช้จ่าย")
    sheet.section("ค่าใช้จ่ายด้านสวัสดิการ")
    sheet.rows(ie.welfare)
    sheet.line("รวมค่าใช้จ่ายด้านสวัสดิการ", ie.total_welfare, total=True)
    sheet.section("ค่าใช้จ่ายในการบริหารจัดการ")
    sheet.rows(ie.admin)
    sheet.line("รวมค่าใช้จ่ายในการบริหารจัดการ", ie.total_admin, total=True)
    if ie.other_expenses:
        sheet.section("ค่าใช้จ่ายอื่น")
        sheet.rows(ie.other_expenses)
        sheet.line("รวมค่าใช้จ่ายอื่น", ie.total_other_expenses, total=True)
    sheet.line("รวมค่าใช้จ่าย", ie.total_expenses, total=True)
    sheet.blank()
    sheet.line("รายได้สูง(ต่ำ)กว่าค่าใช้จ่าย", ie.surplus, grand=True)
    sheet.blank()
    ratio = ie.ratio
    sheet.section("สัดส่วนค่าใช้จ่ายในการบริหารจัดการ")
    sheet.line("ค่าบริหาร ÷ (ค่าสวัสดิการ + ค่าบริหาร) (%)", ratio.percent,
               number_format=PERCENT_FORMAT)  # fmt: skip
    sheet.line("เพดานตามระเบียบกองทุน (%)", ratio.cap, number_format=PERCENT_FORMAT)
    sheet.text("ผลการเทียบเพดาน", "เกินเพดาน" if ratio.exceeded else "ไม่เกินเพดาน")


def _position_sheet(sheet: _Sheet, pos: Position) -> None:
    sheet.header("รหัสบัญชี", "รายการ", "จำนวนเงิน (บาท)")
    sheet.section("สินทรัพย์")
    for label, rows in (
        ("เงินสด", pos.cash),
        ("เงินฝากธนาคาร", pos.banks),
        ("ลูกหนี้", pos.receivables),
        ("สินทรัพย์อื่น", pos.other_assets),
    ):
        if rows:
            sheet.section(label)
            sheet.rows(rows)
    sheet.line("รวมสินทรัพย์", pos.total_assets, grand=True)
    sheet.blank()
    sheet.section("หนี้สิน")
    sheet.rows(pos.liabilities)
    sheet.line("รวมหนี้สิน", pos.total_liabilities, total=True)
    sheet.blank()
    sheet.section("ทุนของกองทุน")
    sheet.rows(pos.equity)
    sheet.line("รายได้สูง(ต่ำ)กว่าค่าใช้จ่ายสะสม", pos.accumulated_surplus)
    sheet.line("รวมทุนของกองทุน", pos.fund_balance, total=True)
    sheet.blank()
    sheet.line("รวมหนี้สินและทุนของกองทุน", pos.total_liabilities_and_fund, grand=True)
    sheet.blank()
    sheet.blank()
    sheet.section("ทุนของกองทุนแยกตามแหล่งเงิน")
    sheet.row += 1
    for i, label in enumerate(
        ("", "แหล่งเงิน", "ยอดยกมา", "รายได้สะสม", "ค่าใช้จ่ายสะสม", "คงเหลือ"), start=1
    ):
        cell = sheet.ws.cell(sheet.row, i, label)
        cell.font = _BOLD
    for i in range(4):
        sheet.ws.column_dimensions[get_column_letter(3 + i)].width = 18
    for s in pos.by_source:
        sheet.line(source_label_th(s.source), s.equity, s.income, s.expenses, s.balance)
    total = pos.by_source_total
    sheet.line("รวม", total.equity, total.income, total.expenses, total.balance, grand=True)


def _trial_sheet(sheet: _Sheet, tb: TrialBalance) -> None:
    sheet.header("รหัสบัญชี", "ชื่อบัญชี", "เดบิต", "เครดิต")
    for r in tb.rows:
        sheet.line(r.account.name_th, r.debit or None, r.credit or None, code=r.account.code)
    sheet.line("รวม", tb.total_debit, tb.total_credit, grand=True)
