"""Printed receipts and passbooks, and what a receipt's public verification page may show.

Both documents are Thai whatever language the screen is in: the member keeps the paper. A
receipt's QR code holds the absolute URL of its verification page, which anyone may open; that
page shows the payer's name masked (`mask_name`), never the member number or national ID. The
same check reached by typing the fund, number and amount (kongtun.public.views_receipt) shows
no payer at all: a number and an amount can be guessed, the QR code's link cannot.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kongtun.contributions.models import CollectionSession, Receipt
from kongtun.contributions.passbook import Passbook
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.bahttext import bahttext
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date

MASK = "*"


def _letters(text: str) -> list[str]:
    """Split into letters, each with the vowel and tone marks written above or below it, so
    masking never leaves a mark floating on a star."""
    letters: list[str] = []
    for ch in text.strip():
        if letters and unicodedata.category(ch) in ("Mn", "Me"):
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters


# Always three stars: as many stars as letters hidden would tell the name's length, and with
# it narrow the name down to a few of the village's.
STARS = MASK * 3


def _mask(text: str, keep: int) -> str:
    letters = _letters(text)
    keep = min(keep, max(len(letters) - 1, 1))  # never the whole first name, however short
    return "".join(letters[:keep]) + STARS


def mask_name(first_name: str, last_name: str) -> str:
    """The payer's name as a stranger holding the receipt may see it: the first two letters of
    the first name and the first letter of the surname, each followed by three stars whatever
    the name's length ("สม*** ใ***"), so the stars say nothing of how long the name is."""
    masked = _mask(first_name, 2)
    if last_name.strip():
        masked += " " + _mask(last_name, 1)
    return masked


@dataclass(frozen=True)
class Verification:
    """All the public verification page may show of a receipt."""

    number: str
    date: dt.date
    total: Decimal
    fund_name: str
    fund_code: str  # for the link to the fund's public page
    payer: str | None  # masked; None when the receipt was found by its typed number
    voided_at: dt.datetime | None

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


def _verification(receipt: Receipt, *, payer: bool) -> Verification:
    return Verification(
        number=receipt.number,
        date=receipt.date,
        total=receipt.total,
        fund_name=receipt.fund.name,
        fund_code=receipt.fund.code,
        payer=mask_name(receipt.member.first_name, receipt.member.last_name) if payer else None,
        voided_at=receipt.voided_at,
    )


def receipt_verification(code: uuid.UUID) -> Verification | None:
    """The receipt with this code, whatever its fund, as the public may see it; None if none.

    The page has no fund and no login, so the fund scope is lifted for this one query by the
    receipt's unguessable code; only the fields above leave this function.
    """
    with scopes_disabled():
        receipt = Receipt.objects.select_related("fund", "member").filter(code=code).first()
        return None if receipt is None else _verification(receipt, payer=True)


def receipt_verification_by_number(
    *, funds: Sequence[Fund], fiscal_year: int, seq: int, total: Decimal
) -> Verification | None:
    """The one receipt of these funds with this number and this total, as the public may see
    it; None if none, or if more than one fund has such a receipt (no way to tell which).

    For someone holding the paper without a QR scanner: the number alone is guessable, so the
    amount must match too, and the caller answers a miss without saying which part was wrong.
    Even so the amount is no secret (most receipts are the monthly 30 baht), so whoever
    guesses a number and 30 may see what this returns: the receipt, never its payer, not even
    masked. Only the QR code's unguessable link shows the masked name.
    """
    if not funds:
        return None
    with fund_scope(list(funds)):
        found = list(
            Receipt.objects.select_related("fund").filter(
                fund__in=funds, fiscal_year=fiscal_year, seq=seq, total=total
            )[:2]
        )
        return _verification(found[0], payer=False) if len(found) == 1 else None


def fee_label_th(receipt: Receipt) -> str:
    """A member pays the entry fee in their first membership, a reinstatement fee after they
    rejoined (a new epoch)."""
    return "ค่าสมัครสมาชิก" if receipt.epoch <= 1 else "ค่าธรรมเนียมกลับเข้าเป็นสมาชิก"


def qr_data_uri(payload: str) -> str:
    # Level M survives a crumpled receipt; the 4-module quiet zone is part of the image.
    qr = segno.make(payload, error="m", micro=False)
    uri: str = qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff")
    return uri


def _place_th(fund: Fund) -> str:
    tambon = fund.tambon
    amphoe = tambon.amphoe
    return f"ตำบล{tambon.name_th} อำเภอ{amphoe.name_th} จังหวัด{amphoe.province.name_th}"


def receipt_context(receipt: Receipt, *, verify_url: str) -> dict[str, Any]:
    """What one printed receipt shows (call with Thai active: the dates are spelled out)."""
    lines = []
    if receipt.contribution:
        lines.append(("เงินสมทบกองทุนสวัสดิการ", receipt.contribution))
    if receipt.fee:
        lines.append((fee_label_th(receipt), receipt.fee))
    return {
        "receipt": receipt,
        "member": receipt.member,
        "lines": lines,
        "date": format_date(receipt.date, "long"),
        "paid_through": format_date(receipt.paid_through, "long"),
        "total_words": bahttext(receipt.total),
        "received_by": str(receipt.received_by),
        "voided_on": format_date(timezone.localtime(receipt.voided_at).date(), "long")
        if receipt.voided_at
        else "",
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
    }


def receipts_pdf(
    *,
    fund: Fund,
    receipts: Sequence[Receipt],
    verify_url: Callable[[Receipt], str],
    session: CollectionSession | None = None,
) -> bytes:
    """Receipts on A5 paper (half an A4 sheet), one to a page, in Thai.

    `verify_url(receipt)` gives the absolute URL its QR code holds. With `session`, the pages
    are that collection round's, and a round without receipts prints one page saying so.
    """
    with translation.override("th"):
        context = {
            "fund": fund,
            "place": _place_th(fund),
            "receipts": [receipt_context(r, verify_url=verify_url(r)) for r in receipts],
            "session": session,
            "session_date": format_date(session.date, "long") if session else "",
            "printed_on": format_date(timezone.localdate(), "long"),
        }
        return render_pdf("contributions/receipts/receipt_pdf.html", context)


def passbook_pdf(book: Passbook) -> bytes:
    """The member's passbook on A4 portrait, in Thai."""
    member = book.member
    with translation.override("th"):
        context = {
            "fund": member.fund,
            "place": _place_th(member.fund),
            "book": book,
            "member": member,
            "position": book.position,
            "as_of": format_date(book.as_of, "long"),
            "printed_on": format_date(timezone.localdate(), "long"),
        }
        return render_pdf("contributions/passbook/passbook_pdf.html", context)
