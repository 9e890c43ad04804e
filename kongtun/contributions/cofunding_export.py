"""The matching report's eligible members as a Thai workbook, one sheet per co-funder: the
list CODI asks for. No national IDs; member numbers and names, as it is the fund's own list."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side

from kongtun.contributions import cofunding
from kongtun.contributions.models import Funder
from kongtun.funds.models import Fund
from kongtun.ledger.exports import MONEY_FORMAT, safe_text
from kongtun.ledger.statements import format_date_th
from kongtun.lib.money import format_baht

_BOLD = Font(bold=True)
_HEADER = ("ลำดับ", "เลขสมาชิก", "ชื่อ-สกุล", "วันที่เป็นสมาชิก", "เงินสัจจะในปี (บาท)",
           "เคยได้รับสมทบ (ปี)", "ยอดสมทบที่คาดว่าจะได้รับ (บาท)")  # fmt: skip
_WIDTHS = (8, 14, 36, 20, 18, 16, 22)


def _sheet(workbook: Workbook, fund: Fund, m: cofunding.FunderMatching, year: int) -> None:
    rule = m.outcome.rule
    ws = workbook.create_sheet(str(Funder(m.funder).label)[:31])
    lines = [
        fund.name,
        f"รายชื่อสมาชิกที่มีสิทธิ์ได้รับเงินสมทบ ปีงบประมาณ {year} — {Funder(m.funder).label}",
        f"นับถึงวันที่ {format_date_th(m.outcome.cutoff)}: เป็นสมาชิกอย่างน้อย {rule.min_days} วัน "
        f"สมทบ {rule.ratio} บาทต่อเงินสัจจะ 1 บาท ไม่เกินคนละ {format_baht(rule.cap)} บาท "
        f"ไม่เกิน {rule.max_rounds} ครั้ง",
    ]
    for row, text in enumerate(lines, start=1):
        ws.cell(row, 1, safe_text(text)).font = _BOLD if row < 3 else Font()
    top = len(lines) + 2
    for col, (label, width) in enumerate(zip(_HEADER, _WIDTHS, strict=True), start=1):
        cell = ws.cell(top, col, label)
        cell.font = _BOLD
        cell.border = Border(bottom=Side(style="thin"))
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(top + 1, 1)
    row = top
    for i, d in enumerate(m.outcome.eligible, start=1):
        row += 1
        member = d.facts.who
        values: tuple[Any, ...] = (
            i,
            safe_text(member.number),
            safe_text(member.full_name),
            format_date_th(d.facts.joined_on),  # or the rejoin date
            d.facts.contributions,
            d.facts.earlier_rounds,
            d.expected,
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
    row += 1
    ws.cell(row, 3, f"รวม {len(m.outcome.eligible)} คน").font = _BOLD
    for col, total in ((5, m.outcome.contributions_total), (7, m.outcome.expected_total)):
        cell = ws.cell(row, col, total)
        cell.number_format, cell.font = MONEY_FORMAT, _BOLD
        cell.border = Border(top=Side(style="thin"), bottom=Side(style="double"))


def matching_workbook(fund: Fund, report: cofunding.MatchingReport, year: int) -> bytes:
    workbook = Workbook()
    with translation.override("th"):
        if report.funders:
            workbook.remove(workbook.active)
        for m in report.funders:
            _sheet(workbook, fund, m, year)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
