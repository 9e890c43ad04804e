"""Writing a fund's demo contributions (kongtun.demo.contributions) to the database, and the
showcase's collection sessions.

`dues_write` stores a plan with RawInsert after books_write has stored its entries, so each
receipt, void and co-funder's payment points at the entry made for it. Receipts are received
by the loader's bookkeeper, the user the demo's back-dated records are kept under. The
showcase's collection sessions of this month go through the real services once its collector
and treasurer exist, so its logins find counted and handed-over sessions, one of them short.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.contributions.models import (
    CoContribution,
    MatchingTerms,
    MemberPlan,
    Plan,
    Receipt,
    ReceiptCounter,
    Standing,
    Terms,
)
from kongtun.contributions.selectors import member_position
from kongtun.contributions.services import (
    payment_record,
    session_accept,
    session_close,
    session_open,
    session_total,
)
from kongtun.demo.books import BooksPlan, baht
from kongtun.demo.contributions import DuesPlan
from kongtun.demo.inserts import RawInsert
from kongtun.funds.models import Branch, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import Account
from kongtun.members.models import Member, Status

_PLAN_FIELDS = ("fund_id", "member_id", "plan_id", "epoch", "starts_on", "recorded_at")
_STANDING_FIELDS = (
    "member_id", "fund_id", "epoch", "credit", "paid_through", "fees_due", "updated_at",
)  # fmt: skip
_RECEIPT_FIELDS = (
    "code", "fund_id", "fiscal_year", "seq", "date", "member_id", "contribution", "fee",
    "total", "epoch", "paid_through", "money_account_id", "entry_id", "received_by_id",
    "created_at", "void_entry_id", "void_reason", "voided_by_id", "voided_at",
)  # fmt: skip
SESSIONS = 3  # this month's collection sessions in the showcase, one per village
SESSION_PAYERS = 12  # members who pay in each
SHORT_BY = baht(20)


@functools.cache
def _at(day: dt.date, hour: int) -> dt.datetime:
    """`hour` o'clock on `day`, in the fund's time zone (receipts are made at the meeting)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def dues_write(
    *,
    fund: Fund,
    dues: DuesPlan,
    ledger: BooksPlan,
    written: dict[str, Any],
    member_ids: dict[str, int],
    by: User,
) -> Counter[str]:
    """Store the plan's plans, terms, member plans, standings, receipts, co-funders' payments
    and matching terms; call in the fund's scope and transaction, after books_write."""
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        Plan(fund=fund, name=p.name, frequency=p.frequency, amount=p.amount, entry_fee=p.entry_fee)
        for p in dues.plans
    )
    t = dues.terms
    Terms.objects.create(
        fund=fund,
        default_plan=plans[t.default_plan],
        lapse_after=t.lapse_after,
        lapse_unit=t.lapse_unit,
        reinstatement=t.reinstatement,
        reinstatement_fee=t.reinstatement_fee,
    )
    ids = [member_ids[m.number] for m in dues.members]
    RawInsert(MemberPlan, _PLAN_FIELDS).run(
        [
            (fund.pk, ids[s.member], plans[seg.plan].pk, seg.epoch, seg.starts_on, now)
            for s in dues.standings
            for seg in s.segments
        ]
    )
    RawInsert(Standing, _STANDING_FIELDS).run(
        [
            (ids[s.member], fund.pk, s.epoch, s.credit, s.paid_through, s.fees_due, now)
            for s in dues.standings
        ]
    )

    # Each planned entry's key, by what it records.
    entry_ids: dict[int, int] = written["entry_ids"]
    first: int = written["first_number"]
    linked: dict[tuple[str, int], int] = {
        planned.link: entry_ids[first + k]
        for k, planned in enumerate(ledger.entries)
        if planned.link is not None
    }
    cash = Account.objects.get(fund=fund, role="cash").pk
    fund_id, by_id = fund.pk, by.pk
    rows = []
    for i, r in enumerate(dues.receipts):
        void = r.void_on is not None
        rows.append(
            (uuid.uuid4(), fund_id, r.fiscal_year, r.seq, r.date, ids[r.member], r.contribution,
             r.fee, r.contribution + r.fee, r.epoch, r.paid_through, cash, linked["receipt", i],
             by_id, _at(r.date, 10), linked["void", i] if void else None, r.void_reason,
             by_id if void else None, _at(r.date, 16) if void else None)
        )  # fmt: skip
    RawInsert(Receipt, _RECEIPT_FIELDS).run(rows)
    last: dict[int, int] = {}
    for r in dues.receipts:
        last[r.fiscal_year] = max(last.get(r.fiscal_year, 0), r.seq)
    ReceiptCounter.objects.bulk_create(
        ReceiptCounter(fund=fund, fiscal_year=year, last=seq) for year, seq in sorted(last.items())
    )
    CoContribution.objects.bulk_create(
        CoContribution(
            fund=fund,
            funder=c.funder,
            payer=c.payer,
            fiscal_year=c.fiscal_year,
            round=c.round,
            date=c.date,
            amount=c.amount,
            entry_id=linked["cofund", i],
            recorded_by=by,
        )
        for i, c in enumerate(dues.cofunds)
    )
    MatchingTerms.objects.bulk_create(
        MatchingTerms(
            fund=fund,
            funder=m.funder,
            fiscal_year=m.fiscal_year,
            ratio=m.ratio,
            cap_per_member=m.cap_per_member,
            max_rounds=m.max_rounds,
            min_membership_days=m.min_membership_days,
        )
        for m in dues.matching
    )
    return Counter(
        plans=len(plans),
        standings=len(dues.standings),
        receipts=len(rows),
        receipts_voided=sum(1 for r in dues.receipts if r.void_on is not None),
        cocontributions=len(dues.cofunds),
        matching_terms=len(dues.matching),
    )


def showcase_sessions(
    *, fund: Fund, collector: User, treasurer: User, today: dt.date
) -> Counter[str]:
    """This month's collection in three villages by the collector, each counted and handed to
    the treasurer; in the second the cash is 20 baht short, posted to the shortage account.

    Everything goes through the contributions services, so it is numbered, posted and audited
    like a user's work.
    """
    counts: Counter[str] = Counter()
    this_month = today.replace(day=1)
    with transaction.atomic(), fund_scope(fund):
        villages = list(Branch.objects.filter(fund=fund).order_by("number"))
        for village in villages:
            if counts["sessions"] == SESSIONS:
                break
            n = counts["sessions"]
            day = min(this_month + dt.timedelta(days=2 + 2 * n), today)
            payers = list(
                Member.objects.filter(fund=fund, branch=village, status=Status.ACTIVE)
                .select_related("fund")
                .order_by("number")[:SESSION_PAYERS]
            )
            if not payers:
                continue
            session = session_open(
                fund=fund,
                collector=collector,
                branch=village,
                place=f"ศาลา{village.name}",
                date=day,
            )
            for member in payers:
                position = member_position(member, as_of=day)
                if position is None:
                    continue
                amount = position.due_now or position.amount_for(1)
                payment_record(member=member, actor=collector, amount=amount, session=session)
                counts["session_receipts"] += 1
            expected = session_total(session)
            short = n == 1 and expected > SHORT_BY
            session_close(
                session=session,
                actor=collector,
                counted=expected - SHORT_BY if short else expected,
                note="ทอนเงินเกินให้สมาชิก 20 บาท" if short else "",
            )
            session_accept(session=session, actor=treasurer)
            counts["sessions"] += 1
    return counts
