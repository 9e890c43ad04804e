"""The arrears list as files: a Thai A4 PDF for the collectors' rounds and the village notice,
and an XLSX to sort and filter.

Both are internal lists for the committee and collectors: they name members (collectors need
to know whom to visit) but never print a national ID. Headings are Thai whatever the screen's
language; amounts go into the XLSX as Decimal, never float.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from kongtun.contributions.arrears import ArrearsList, BranchArrears
from kongtun.funds.models import Fund
from kongtun.ledger.exports import MONEY_FORMAT, printed_at_th, safe_text
from kongtun.ledger.statements import format_date_th
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date

TITLE_TH = "รายชื่อสมาชิกค้างส่งเงินสมทบ"
NO_BRANCH_TH = "ไม่ระบุหมู่บ้าน/ชุมชน"
HEADINGS_TH = (
    "หมู่บ้าน/ชุมชน",
    "เลขที่สมาชิก",
    "ชื่อ-สกุล",
    "แบบการส่ง",
    "ส่งถึงวันที่",
    "งวดที่ค้าง",
    "ยอดค้าง (บาท)",
    "ค่าธรรมเนียมค้าง (บาท)",
    "รวมต้องชำระ (บาท)",
)


def branch_label_th(group: BranchArrears) -> str:
    with translation.override("th"):
        return str(group.branch) if group.branch is not None else NO_BRANCH_TH


def arrears_pdf(fund: Fund, listing: ArrearsList) -> bytes:
    """One A4 section per branch with its subtotal, the fund's total at the end."""
    with translation.override("th"):
        context: dict[str, Any] = {
            "fund_name": fund.name,
            "title": TITLE_TH,
            "as_of": format_date_th(listing.as_of),
            "listing": listing,
            "sections": [(branch_label_th(g), g) for g in listing.branches],
            "printed_at": printed_at_th(),
        }
        return render_pdf("contributions/standing/arrears_pdf.html", context)


_BOLD = Font(bold=True)
_TOP = Border(top=Side(style="thin"))
_DOUBLE = Border(top=Side(style="thin"), bottom=Side(style="double"))
_WIDTHS = (22, 12, 30, 22, 14, 10, 14, 16, 16)


def arrears_xlsx(fund: Fund, listing: ArrearsList) -> bytes:
    """One sheet: a row per member, a subtotal per branch, the fund's total."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "ค้างส่ง"
    with translation.override("th"):
        for text in (fund.name, TITLE_TH, f"ณ วันที่ {format_date_th(listing.as_of)}"):
            ws.append([safe_text(text)])
        ws.append([f"พิมพ์เมื่อ {printed_at_th()}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([None])
        ws.append(list(HEADINGS_TH))
        for cell in ws[ws.max_row]:
            cell.font = _BOLD
            cell.alignment = Alignment(wrap_text=True)
        ws.freeze_panes = f"A{ws.max_row + 1}"  # a string: asking for the cell would make it
        for group in listing.branches:
            label = branch_label_th(group)
            for fig in group.rows:
                ws.append(
                    [
                        safe_text(label),
                        safe_text(fig.member.number),
                        safe_text(fig.member.full_name),
                        safe_text(fig.plan.name),
                        format_date(fig.position.paid_through, "numeric"),
                        fig.position.missed_periods,
                        fig.arrears,
                        fig.fees_due,
                        fig.total,
                    ]
                )
                _money(ws)
            _total(ws, f"รวม {label}", group.arrears, group.fees_due, group.total, _TOP)
        _total(ws, "รวมทั้งกองทุน", listing.arrears, listing.fees_due, listing.total, _DOUBLE)
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _money(ws: Any) -> None:
    for cell in ws[ws.max_row][6:9]:
        cell.number_format = MONEY_FORMAT


def _total(
    ws: Any, label: str, arrears: Decimal, fees: Decimal, total: Decimal, border: Any
) -> None:
    ws.append([safe_text(label), None, None, None, None, None, arrears, fees, total])
    _money(ws)
    for cell in ws[ws.max_row]:
        cell.font = _BOLD
    for cell in ws[ws.max_row][6:9]:
        cell.border = border
