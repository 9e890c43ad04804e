"""The welfare fixtures (books, plan, regulation, committee, a claimant with consent and two
beneficiaries) and helpers that take a claim through to payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kongtun.accounts.models import User
from kongtun.contributions.tests.conftest import books, new_member, pay, payer, plan  # noqa: F401
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger.models import Account
from kongtun.members.models import Member
from kongtun.welfare.models import Claim
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_open,
)
from kongtun.welfare.tests.conftest import claimant, committee, regulation  # noqa: F401


def hospital_claim(
    fund: Fund, member: Member, actor: User, nights: int = 2, on: dt.date = dt.date(2025, 3, 10)
) -> Claim:
    return claim_file(
        fund=fund,
        actor=actor,
        data=ClaimInput(
            benefit_key="illness",
            recipient="member",
            member=member,
            event_date=on,
            nights=nights,
            details=f"นอนโรงพยาบาล ผู้ป่วย {member.full_name}",
        ),
        filed_on=on + dt.timedelta(days=2),
    )


def paid_claim(
    fund: Fund, member: Member, users: dict[str, User], seats: list[CommitteeMember]
) -> Claim:
    claim = hospital_claim(fund, member, users["secretary"])
    day = claim.filed_on + dt.timedelta(days=5)
    meeting = meeting_open(fund=fund, actor=users["chair"], number=f"{day.month}/2568", date=day)
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in seats[:4]})
    res = Resolution(approve=True, number="3/2568", votes_for=4, votes_against=0)
    claim = claim_decide(claim=claim, actor=users["committee"], meeting=meeting, resolution=res)
    cash = Account.objects.get(fund=fund, role="cash")
    return claim_pay(claim=claim, actor=users["treasurer"], date=day, money_account=cash)


def money_totals(fund: Fund) -> dict[str, Decimal | int]:
    """What erasure and retention must never change."""
    from django.db.models import Count, Sum

    from kongtun.contributions.models import Receipt
    from kongtun.ledger.models import JournalEntry, JournalLine, Voucher

    lines = JournalLine.objects.filter(fund=fund)
    debit = lines.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    claims = Claim.objects.filter(fund=fund)
    return {
        "entries": JournalEntry.objects.filter(fund=fund).count(),
        "lines": lines.count(),
        "debit": debit,
        "balance": lines.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        "receipts": Receipt.objects.filter(fund=fund).aggregate(n=Count("pk"))["n"],
        "receipt_total": Receipt.objects.filter(fund=fund).aggregate(s=Sum("total"))["s"] or 0,
        "claims_assessed": claims.aggregate(s=Sum("assessed_amount"))["s"] or 0,
        "claims_approved": claims.aggregate(s=Sum("approved_amount"))["s"] or 0,
        "vouchers": Voucher.objects.filter(fund=fund).count(),
    }
