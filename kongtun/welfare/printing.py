"""The printed payment slip (ใบสำคัญรับเงิน) of a paid claim: one page for each person paid,
which they sign when they take the money.

The slip is Thai whatever language the screen is in: it goes into the fund's files with the
voucher, for the auditor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from kongtun.funds.models import Fund
from kongtun.lib.bahttext import bahttext
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.welfare.models import Claim, Payee

ZERO = Decimal("0.00")


# "ในฐานะบุตรของ …": how the person paid stands to the member.
def place_th(fund: Fund) -> str:
    """The fund's place as Thai papers head it: ตำบล… อำเภอ… จังหวัด…"""
    tambon = fund.tambon
    amphoe = tambon.amphoe
    return f"ตำบล{tambon.name_th} อำเภอ{amphoe.name_th} จังหวัด{amphoe.province.name_th}"


def _slip(payee: Payee) -> dict[str, Any]:
    return {
        "payee": payee,
        "amount": payee.amount,
        "words": bahttext(payee.amount),
        "share": payee.share_percent if payee.beneficiary_id else None,
    }


def payment_slips_pdf(claim: Claim) -> bytes:
    """A5 pages, one for each payee of a paid claim, in Thai."""
    fund = claim.fund
    deduction = claim.deducted_receipt.total if claim.deducted_receipt else ZERO
    with translation.override("th"):
        context = {
            "fund": fund,
            "place": place_th(fund),
            "claim": claim,
            "member": claim.member,
            "recipient": claim.get_recipient_display(),
            "voucher": claim.voucher,
            "date": format_date(claim.paid_on, "long"),
            "event_date": format_date(claim.event_date, "long"),
            "paid_by": str(claim.paid_by) if claim.paid_by else "",
            # Dues taken back from the payout, with their own receipt (one payee: the member).
            "deduction": deduction,
            "net": claim.amount_due - deduction,
            "slips": [_slip(p) for p in claim.payees.select_related("beneficiary")],
            "printed_on": format_date(timezone.localdate(), "long"),
        }
        return render_pdf("welfare/claims/slip_pdf.html", context)
