"""A member's passbook: everything they paid and every welfare benefit they received, by date.

The passbook is read, never stored: receipts issued in Kongtun, the payments brought from the
fund's old books by the opening import, and the approved payment vouchers that name the member.
A voided receipt, or a benefit whose book entry was reversed, stays on the page (the member
may hold the paper) but counts in no total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from kongtun.contributions.models import PastPayment, Receipt
from kongtun.contributions.selectors import MemberPosition, member_position
from kongtun.ledger.models import Account, JournalEntry, Voucher, VoucherLine
from kongtun.members.models import Member

ZERO = Decimal("0.00")

# The order of a day's lines: what the member paid before what the fund paid them.
_KIND_ORDER = {"past": 0, "receipt": 1, "benefit": 2}


@dataclass(frozen=True)
class PassbookLine:
    """One dated line. `kind` is "receipt" (paid in Kongtun), "past" (from the old books) or
    "benefit" (a welfare payment to the member); `void` lines count in no total."""

    date: dt.date
    kind: str
    reference: str
    contribution: Decimal = ZERO
    fee: Decimal = ZERO
    paid: Decimal = ZERO
    benefit: Decimal = ZERO
    paid_through: dt.date | None = None
    void: bool = False
    void_reason: str = ""
    receipt: Receipt | None = None
    voucher: Voucher | None = None
    account: Account | None = None  # the welfare expense of a benefit: its category


@dataclass(frozen=True)
class Passbook:
    member: Member
    as_of: dt.date
    position: MemberPosition | None  # None while the fund has no contribution plan
    lines: list[PassbookLine]

    def _sum(self, field: str) -> Decimal:
        return sum((getattr(ln, field) for ln in self.lines if not ln.void), ZERO)

    @property
    def contributions_total(self) -> Decimal:
        """Contributions paid, in Kongtun and in the old books."""
        return self._sum("contribution")

    @property
    def fees_total(self) -> Decimal:
        return self._sum("fee")

    @property
    def paid_total(self) -> Decimal:
        """Everything the member paid: contributions and fees, voided receipts left out."""
        return self._sum("paid")

    @property
    def benefits_total(self) -> Decimal:
        return self._sum("benefit")

    @property
    def has_void(self) -> bool:
        return any(ln.void for ln in self.lines)


def _receipt_lines(member: Member) -> list[PassbookLine]:
    receipts = Receipt.objects.filter(fund=member.fund, member=member).order_by(
        "date", "fiscal_year", "seq"
    )
    return [
        PassbookLine(
            date=r.date,
            kind="receipt",
            reference=r.number,
            contribution=r.contribution,
            fee=r.fee,
            paid=r.total,
            paid_through=r.paid_through,
            void=r.is_void,
            void_reason=r.void_reason,
            receipt=r,
        )
        for r in receipts
    ]


def _past_lines(member: Member) -> list[PassbookLine]:
    past = PastPayment.objects.filter(fund=member.fund, member=member).order_by("date", "pk")
    return [
        PassbookLine(
            date=p.date, kind="past", reference=p.reference, contribution=p.amount, paid=p.amount
        )
        for p in past
    ]


def _benefit_lines(member: Member) -> list[PassbookLine]:
    """The welfare lines of the approved payment vouchers naming the member; administration
    lines of the same voucher (a transfer fee) are not the member's benefit."""
    reversed_entry = JournalEntry.objects.filter(reverses=OuterRef("voucher__entry"))
    lines = (
        VoucherLine.objects.filter(
            fund=member.fund,
            voucher__member=member,
            voucher__kind=Voucher.Kind.PAYMENT,
            voucher__status=Voucher.Status.APPROVED,
            account__role__startswith="welfare.",
        )
        .select_related("voucher", "account")
        .annotate(reversed=Exists(reversed_entry))
        .order_by("voucher__date", "voucher__number", "pk")
    )
    return [
        PassbookLine(
            date=ln.voucher.date,
            kind="benefit",
            reference=ln.voucher.number,
            benefit=ln.amount,
            void=ln.reversed,
            voucher=ln.voucher,
            account=ln.account,
        )
        for ln in lines
    ]


def member_passbook(member: Member, as_of: dt.date | None = None) -> Passbook:
    """The member's passbook as of a day (today by default), oldest line first."""
    as_of = as_of or timezone.localdate()
    lines = _past_lines(member) + _receipt_lines(member) + _benefit_lines(member)
    # sorted() is stable: within a kind on one day the query's order (receipt number) stays.
    lines = sorted(lines, key=lambda ln: (ln.date, _KIND_ORDER[ln.kind]))
    return Passbook(
        member=member, as_of=as_of, position=member_position(member, as_of), lines=lines
    )
