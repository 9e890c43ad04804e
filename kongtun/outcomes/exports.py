"""The provincial meeting's spreadsheet of the year's reports.

Three sheets: every problem and obstacle one row each (to sort and filter in the meeting),
every fund's results and good practice one row each, and the counts by category. Headings
are Thai whatever language the officer reads the screen in, as for the other official files
(kongtun.ledger.exports). Everything typed by a fund goes through `safe_text`: a row starting
with "=" is the fund's words, never a formula.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kongtun.ledger.exports import printed_at_th, safe_text
from kongtun.ledger.statements import format_date_th
from kongtun.outcomes.models import Category, Kind, Severity, YearReport
from kongtun.outcomes.selectors import AreaOutcomes, IssueLine

CATEGORY_TH = {
    Category.ARREARS: "สมาชิกขาดส่งเงินสมทบ / ค้างจ่าย",
    Category.MEMBERSHIP: "สมาชิกใหม่น้อย / สมาชิกส่วนใหญ่เป็นผู้สูงอายุ",
    Category.COMMITTEE: "ศักยภาพคณะกรรมการและการสืบทอดงาน",
    Category.BOOKKEEPING: "การจัดทำบัญชีและการใช้คอมพิวเตอร์",
    Category.REGULATION: "ระเบียบกองทุนไม่ชัดเจน / ไม่ทันสมัย",
    Category.DEMAND: "ความต้องการสวัสดิการเกินงบประมาณของกองทุน",
    Category.LOCAL_GOVERNMENT: "ได้รับการสนับสนุนจากท้องถิ่น (อปท.) น้อย",
    Category.CODI: "งบสมทบจาก พอช. ล่าช้า / ไม่เพียงพอ",
    Category.COORDINATION: "การประสานงานกับหน่วยงานภาคี",
    Category.DOCUMENTS: "เอกสารและหลักฐานประกอบ",
    Category.OTHER: "อื่น ๆ",
}
KIND_TH = {Kind.PROBLEM: "ปัญหา", Kind.OBSTACLE: "อุปสรรค"}
SEVERITY_TH = {Severity.HIGH: "รุนแรงมาก", Severity.MEDIUM: "ปานกลาง", Severity.LOW: "เล็กน้อย"}

ISSUE_HEADERS = (
    ("ลำดับ", 7),
    ("อำเภอ", 16),
    ("ตำบล", 16),
    ("กองทุน", 36),
    ("รหัสกองทุน", 14),
    ("ปัญหา/อุปสรรค", 12),
    ("หมวด", 34),
    ("ความรุนแรง", 11),
    ("รายละเอียด", 60),
    ("ความช่วยเหลือที่ต้องการจากเครือข่าย/จังหวัด", 48),
    ("วันที่ส่งรายงาน", 18),
)
REPORT_HEADERS = (
    ("ลำดับ", 7),
    ("อำเภอ", 16),
    ("ตำบล", 16),
    ("กองทุน", 36),
    ("รหัสกองทุน", 14),
    ("วันที่ส่งรายงาน", 18),
    ("จำนวนปัญหา", 11),
    ("จำนวนอุปสรรค", 11),
    ("ผลการดำเนินงาน", 80),
    ("แนวปฏิบัติที่ดี / นวัตกรรม", 60),
)
SUMMARY_HEADERS = (
    ("หมวด", 44),
    ("ปัญหา", 10),
    ("อุปสรรค", 10),
    ("รวม", 10),
    ("รุนแรงมาก", 12),
    ("ปานกลาง", 10),
    ("เล็กน้อย", 10),
    ("จำนวนกองทุนที่รายงาน", 20),
)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def _submitted_on(report: YearReport) -> str:
    if report.submitted_at is None:
        return ""
    return format_date_th(timezone.localtime(report.submitted_at).date())


def _start(ws: Worksheet, title: str, subtitle: str, headers: tuple[tuple[str, int], ...]) -> int:
    """Title lines, then the header row; returns the header's row number."""
    ws.cell(1, 1, safe_text(title)).font = _TITLE
    ws.cell(2, 1, safe_text(subtitle))
    ws.cell(3, 1, f"พิมพ์เมื่อ {printed_at_th()}")
    header = 5
    for n, (label, width) in enumerate(headers, start=1):
        cell = ws.cell(header, n, label)
        cell.font = _BOLD
        cell.alignment = _WRAP
        cell.border = Border(bottom=Side(style="thin"))
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = ws.cell(header + 1, 1)
    return header


def _row(ws: Worksheet, row: int, values: list[object], wrap: set[int]) -> None:
    for n, value in enumerate(values, start=1):
        cell = ws.cell(row, n, safe_text(value) if isinstance(value, str) else value)
        cell.alignment = _WRAP if n in wrap else _TOP


def outcomes_xlsx(
    *,
    area: str,
    fiscal_year_be: int,
    outcomes: AreaOutcomes,
    reports: list[YearReport],
    lines: list[IssueLine],
) -> bytes:
    title = f"ผลการดำเนินงาน ปัญหาและอุปสรรคของกองทุนสวัสดิการชุมชน ปีงบประมาณ {fiscal_year_be}"
    subtitle = f"{area} · กองทุนที่ส่งรายงาน {len(reports)} กองทุน"
    workbook = Workbook()
    workbook.remove(workbook.active)

    ws = workbook.create_sheet("ปัญหาและอุปสรรค")
    header = _start(ws, title, subtitle, ISSUE_HEADERS)
    for n, line in enumerate(lines, start=1):
        fund, issue = line.fund, line.issue
        values: list[object] = [
            n,
            fund.tambon.amphoe.name_th,
            fund.tambon.name_th,
            fund.name,
            fund.code,
            KIND_TH[Kind(issue.kind)],
            CATEGORY_TH[Category(issue.category)],
            SEVERITY_TH[Severity(issue.severity)],
            issue.description,
            issue.help_requested,
            _submitted_on(line.report),
        ]
        _row(ws, header + n, values, wrap={9, 10})

    ws = workbook.create_sheet("ผลการดำเนินงาน")
    header = _start(ws, title, subtitle, REPORT_HEADERS)
    counts: dict[int, dict[str, int]] = {}
    for line in lines:
        per = counts.setdefault(line.report.pk, {Kind.PROBLEM: 0, Kind.OBSTACLE: 0})
        per[line.issue.kind] += 1
    for n, report in enumerate(reports, start=1):
        fund = report.fund
        per = counts.get(report.pk, {Kind.PROBLEM: 0, Kind.OBSTACLE: 0})
        values = [
            n,
            fund.tambon.amphoe.name_th,
            fund.tambon.name_th,
            fund.name,
            fund.code,
            _submitted_on(report),
            per[Kind.PROBLEM],
            per[Kind.OBSTACLE],
            report.results,
            report.highlights,
        ]
        _row(ws, header + n, values, wrap={9, 10})

    ws = workbook.create_sheet("สรุปตามหมวด")
    header = _start(ws, title, subtitle, SUMMARY_HEADERS)
    rows = [*outcomes.categories, outcomes.totals]
    for n, c in enumerate(rows, start=1):
        label = CATEGORY_TH[Category(c.category)] if c.category else "รวม"
        values = [label, c.problems, c.obstacles, c.total, c.high, c.medium, c.low, c.funds]
        _row(ws, header + n, values, wrap={1})
        if not c.category:
            for col in range(1, len(values) + 1):
                ws.cell(header + n, col).font = _BOLD

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
