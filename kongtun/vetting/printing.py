"""The meeting pack: every applying fund of the year with its criteria and amounts, as a Thai
PDF to hand round and sign (A4 landscape) and an XLSX for the secretary and CODI.

Both are the committee's papers, so they are in Thai whatever language the screen is in.
Figures per fund only, never a member. Amounts go into the XLSX as Decimal: openpyxl writes
their exact text as the cell's number, so no float ever touches an amount.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from kongtun.geo.models import Province
from kongtun.indicators.selectors import codi_snapshot_date
from kongtun.ledger.exports import MONEY_FORMAT, safe_text
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.vetting.criteria import CRITERIA
from kongtun.vetting.models import Decision
from kongtun.vetting.selectors import Pack, Row

# What each criterion asks, as CODI's proposal form puts it (BRIEF §3.2).
CRITERIA_TH = {
    1: "ดำเนินการมาแล้วไม่น้อยกว่า 1 ปี",
    2: "สมาชิกครบ 1 ปี และครอบคลุมหมู่บ้านไม่น้อยกว่าร้อยละ 50 (เทศบาล: ชุมชนร้อยละ 20)",
    3: "มีเงินสมทบของสมาชิกในปีที่ผ่านมา (และการสนับสนุนจาก อปท.)",
    4: "การบริหารจัดการ: บัญชีเป็นปัจจุบัน ทะเบียนสมาชิก ระเบียบ การรายงานต่อสาธารณะ",
    5: "จัดสวัสดิการพื้นฐานอย่างน้อย 3 ประเภท",
    6: "จัดสวัสดิการที่ไม่เป็นตัวเงิน",
}
CHECKS_TH = {
    "operating": "ดำเนินการมาแล้วไม่น้อยกว่า 1 ปี",
    "eligible": "สมาชิกครบ 1 ปี",
    "coverage": "ครอบคลุมหมู่บ้าน/ชุมชน",
    "contributions": "เงินสมทบของสมาชิก",
    "local_gov": "การสนับสนุนจาก อปท.",
    "books": "บัญชีเป็นปัจจุบัน",
    "register": "ทะเบียนสมาชิก",
    "regulation": "ระเบียบกองทุน",
    "public_reports": "การรายงานต่อสมาชิกและสาธารณะ",
    "meetings": "การประชุมคณะกรรมการ",
    "welfare_types": "สวัสดิการพื้นฐานอย่างน้อย 3 ประเภท",
    "non_cash": "สวัสดิการที่ไม่เป็นตัวเงิน",
}
OUTCOME_TH = {"met": "ผ่าน", "not_met": "ไม่ผ่าน", "needs_check": "รอตรวจสอบ", "info": "ข้อมูลประกอบ"}
HOW_TH = {"automatic": "จากข้อมูลของกองทุน", "human": "ตรวจสอบโดยเจ้าหน้าที่"}
DECISION_TH = {
    Decision.Result.APPROVED: "เห็นชอบ",
    Decision.Result.NOT_APPROVED: "ไม่เห็นชอบ",
    Decision.Result.DEFERRED: "เลื่อนการพิจารณา",
}
# Sarabun has no check mark or cross, so the PDF draws them.
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="{d}" fill="none" stroke="{c}" stroke-width="1.6"/></svg>'  # noqa: E501
MARK_OK = mark_safe(_SVG.format(d="M1.5 5.5 L4 8 L8.5 2", c="#1f6f3f"))  # noqa: S308 (constant)
MARK_NO = mark_safe(_SVG.format(d="M2 2 L8 8 M8 2 L2 8", c="#a4161a"))  # noqa: S308 (constant)
MARK_TEXT = {"met": "✓", "not_met": "✗", "needs_check": "?"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def title_th(pack: Pack) -> str:
    return (
        "ผลการพิจารณาคุณสมบัติกองทุนสวัสดิการชุมชนที่ขอรับการสมทบงบประมาณ "
        f"ปีงบประมาณ {pack.meeting.fiscal_year_be}"
    )


def committee_th(province: Province) -> str:
    return f"คณะกรรมการสนับสนุนการขับเคลื่อนสวัสดิการชุมชนจังหวัด{province.name_th}"


def meeting_line_th(pack: Pack) -> str:
    m = pack.meeting
    line = f"การประชุมครั้งที่ {m.label} วันที่ {format_date(m.held_on, 'long')}"
    return f"{line} ณ {m.place}" if m.place else line


def figures_line_th(pack: Pack) -> str:
    """Which day the figures are of: CODI's 30 September ending the past fiscal year."""
    past = pack.meeting.fiscal_year_be - 1
    day = format_date(codi_snapshot_date(past), "long")
    return f"ข้อมูลของกองทุน ณ {day} สิ้นปีงบประมาณ {past} ตามแบบรายงานของ พอช."


def decision_th(row: Row) -> str:
    if row.decision is None:
        return ""
    return f"{DECISION_TH[Decision.Result(row.decision.outcome)]} ({row.decision.meeting.label})"


def printed_at_th() -> str:
    now = timezone.localtime()
    return f"{format_date(now.date(), 'long')} เวลา {now:%H:%M} น."


# --- PDF -------------------------------------------------------------------------------------


def meeting_pack_pdf(pack: Pack) -> bytes:
    """The pack on A4 landscape in Thai, with totals and signature lines."""
    province = pack.meeting.province
    with translation.override("th"):
        context: dict[str, Any] = {
            "pack": pack,
            "title": title_th(pack),
            "committee": committee_th(province),
            "meeting_line": meeting_line_th(pack),
            "figures_line": figures_line_th(pack),
            "criteria": [(n, CRITERIA_TH[n]) for n in CRITERIA],
            "rows": [{"row": r, "decision": decision_th(r)} for r in pack.rows],
            "printed_at": printed_at_th(),
            "ok": MARK_OK,
            "no": MARK_NO,
        }
        return render_pdf("vetting/pack_pdf.html", context)


# --- XLSX ------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD = Border(bottom=Side(style="thin"))
_TOTAL = Border(top=Side(style="thin"), bottom=Side(style="double"))

COLUMNS = [
    ("ลำดับ", 6),
    ("อำเภอ", 16),
    ("กองทุน", 42),
    ("ก่อตั้ง (พ.ศ.)", 10),
    ("สมาชิกปัจจุบัน", 11),
    ("สมาชิกครบ 1 ปี", 11),
    ("หมู่บ้าน/ชุมชนที่ครอบคลุม", 12),
    ("หมู่บ้าน/ชุมชนทั้งหมด", 12),
    ("เงินสมทบของสมาชิกในปีที่ผ่านมา (บาท)", 16),
    *[(f"เกณฑ์ {n}", 7) for n in CRITERIA],
    ("ยอดขอรับการสมทบ (บาท)", 16),
    ("ผลการพิจารณา", 22),
    ("จำนวนที่เห็นชอบ (บาท)", 16),
]
MONEY_COLUMNS = {9, 16, 18}


def _write_row(ws: Any, row: int, values: list[Any], *, font: Font | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, safe_text(value) if isinstance(value, str) else value)
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        if font is not None:
            cell.font = font


def meeting_pack_xlsx(pack: Pack) -> bytes:
    """The pack's table as numbers (amounts exact), and a sheet of every check's evidence."""
    province = pack.meeting.province
    workbook = Workbook()
    ws = workbook.active
    ws.title = "กองทุนที่ขอรับการสมทบ"
    for i, heading in enumerate(
        [
            committee_th(province),
            title_th(pack),
            meeting_line_th(pack),
            f"พิมพ์เมื่อ {printed_at_th()}",
        ],
        start=1,
    ):
        ws.cell(i, 1, safe_text(heading)).font = _TITLE if i == 1 else _BOLD if i == 2 else None
    head = 6
    for col, (label, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(head, col, label)
        cell.font, cell.border = _BOLD, _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(head + 1, 4)
    r = head
    for i, row in enumerate(pack.rows, start=1):
        r += 1
        facts = row.facts
        fund = row.fund
        values: list[Any] = [
            i,
            fund.tambon.amphoe.name_th,
            fund.name,
            row.founded_be,
            facts.members_current if facts else None,
            facts.eligible_for_matching if facts else None,
            facts.villages_covered if facts else None,
            facts.villages_in_area if facts else None,
            facts.contributions_year if facts else None,
            *[MARK_TEXT.get(outcome, "") for _n, outcome, _mark in row.marks],
            row.requested,
            decision_th(row),
            row.approved if row.decision else None,
        ]
        _write_row(ws, r, values)
    t = pack.totals
    r += 1
    totals: list[Any] = [
        None,
        None,
        f"รวม {t.applications} กองทุน",
        None,
        t.members_current,
        t.members_eligible,
        t.villages_covered,
        None,
        t.contributions,
        *[None for _ in CRITERIA],
        t.requested,
        f"เห็นชอบ {t.approved_count} กองทุน",
        t.approved,
    ]
    _write_row(ws, r, totals, font=_BOLD)
    for col in range(1, len(COLUMNS) + 1):
        ws.cell(r, col).border = _TOTAL
    r += 2
    ws.cell(r, 1, "เกณฑ์: ✓ ผ่าน  ✗ ไม่ผ่าน  ? รอตรวจสอบ").font = _BOLD
    for n in CRITERIA:
        r += 1
        ws.cell(r, 1, f"{n}. {CRITERIA_TH[n]}")

    ev = workbook.create_sheet("หลักฐานตามเกณฑ์")
    labels = [
        ("อำเภอ", 16), ("กองทุน", 42), ("เกณฑ์", 7), ("รายการ", 28), ("ผล", 12),
        ("วิธีตัดสิน", 20), ("หลักฐาน (ตัวเลขที่ใช้)", 80), ("บันทึกของผู้ตรวจสอบ", 40),
        ("ผู้ตรวจสอบ", 20), ("วันที่ตรวจสอบ", 14),
    ]  # fmt: skip
    for col, (label, width) in enumerate(labels, start=1):
        cell = ev.cell(1, col, label)
        cell.font, cell.border = _BOLD, _HEAD
        ev.column_dimensions[get_column_letter(col)].width = width
    ev.freeze_panes = ev.cell(2, 3)
    r = 1
    for row in pack.rows:
        for line in pack.evidence.get(row.application.pk, []):
            r += 1
            checked = timezone.localtime(line.checked_at).date() if line.checked_at else None
            _write_row(
                ev,
                r,
                [
                    row.fund.tambon.amphoe.name_th,
                    row.fund.name,
                    line.criterion,
                    CHECKS_TH.get(line.check_key, line.check_key),
                    OUTCOME_TH.get(line.outcome, line.outcome),
                    HOW_TH.get(line.how, line.how),
                    line.evidence,
                    line.note,
                    line.checked_by,
                    format_date(checked, "numeric") if checked else "",
                ],
            )
            ev.cell(r, 7).alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
