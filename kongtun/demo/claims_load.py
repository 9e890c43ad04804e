"""Writing a fund's demo welfare (kongtun.demo.claims) to the database.

`claims_write` runs after books_write and dues_write, in the fund's transaction and scope. The
regulation versions are written as regulation_install leaves them (adopted from their day,
with the resolution), but directly, as the rest: the demo.fund.loaded audit entry counts them
instead of an audit entry for every benefit of every fund. The rest — the committee's earlier
terms, meetings and attendance, claims, payment vouchers and their lines, and payees — is
stored with RawInsert: the elderly's yearly benefit alone makes hundreds of claims a fund.

Each paid claim's voucher points at the entry books_write wrote for it (the plan's
("claim", i) link), paid from the cash or bank account that entry credits, and is numbered
"PV<fiscal year>-NNNN" from 0001: the fund has no voucher before these (showcase_paperwork's
come later and number on after them).

Who did what: the loader's bookkeeper (books_load.bookkeeper) entered every claim, paid it and
recorded the payees' acknowledgment, as it keeps the fund's other back-dated records. Whoever
entered a claim cannot approve it, so the committee's back-dated resolutions are recorded
under a second system user, `minutes_keeper()`, whom nobody can log in as either; it is also
the approver of the claims' vouchers, as claim_pay makes the resolution's recorder the
voucher's approver.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import Counter
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.demo.books import BANK, CASH, BooksPlan
from kongtun.demo.claims import Adoption, ClaimsPlan
from kongtun.demo.inserts import RawInsert
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger.models import Account, Voucher, VoucherLine
from kongtun.members.models import Beneficiary
from kongtun.welfare.models import Attendance, Benefit, Claim, Meeting, Payee, Regulation, Tier
from kongtun.welfare.services import BENEFIT_FIELDS

MINUTES_KEEPER = "demo-minutes"

_MEETING_FIELDS = (
    "code", "fund_id", "number", "date", "place", "state", "made_by_id", "made_at", "closed_at",
)  # fmt: skip
_ATTENDANCE_FIELDS = ("fund_id", "meeting_id", "seat_id", "present")
_VOUCHER_FIELDS = (
    "code", "fund_id", "kind", "number", "date", "party", "member_id", "description",
    "money_account_id", "status", "made_by_id", "made_at", "decided_by_id", "decided_at",
    "entry_id",
)  # fmt: skip
_VOUCHER_LINE_FIELDS = ("fund_id", "voucher_id", "account_id", "amount", "source", "description")
_CLAIM_FIELDS = (
    "code", "fund_id", "number", "benefit_id", "regulation_id", "key", "member_id", "recipient",
    "person_name", "person_birth_date", "person_address", "event_date", "fiscal_year",
    "filed_on", "nights", "nights_paid", "claimed", "details", "status", "outcome",
    "assessed_amount", "full_amount", "reasons", "entered_by_id", "entered_at", "meeting_id",
    "resolution", "votes_for", "votes_against", "votes_abstain", "approved_amount",
    "decision_note", "decided_by_id", "decided_at", "voucher_id", "paid_on", "paid_by_id",
)  # fmt: skip
_PAYEE_FIELDS = (
    "fund_id", "claim_id", "name", "beneficiary_id", "share_percent", "amount", "acknowledged_on",
    "acknowledged_how", "acknowledged_by_id",
)  # fmt: skip


def minutes_keeper() -> User:
    """The user the back-dated committee resolutions are recorded under (see above)."""
    user, _ = User.objects.get_or_create(
        username=MINUTES_KEEPER,
        defaults={
            "full_name": "ผู้บันทึกมติคณะกรรมการย้อนหลัง (ข้อมูลสาธิต)",
            "password": make_password(None),
            "is_active": False,
        },
    )
    return user


def _install(fund: Fund, adoption: Adoption, by: User) -> tuple[Regulation, dict[str, int]]:
    """The version adopted from its day, with its benefits in the spec's order; return it
    and its benefits' keys by key."""
    spec = adoption.spec
    regulation = Regulation.objects.create(
        fund=fund,
        version=adoption.version,
        title=spec.title,
        text=spec.text,
        effective_from=adoption.effective_from,
        status=Regulation.Status.ADOPTED,
        non_member_budget=spec.non_member_budget,
        adopted_resolution=adoption.resolution,
        adopted_by=by,
        adopted_at=_at(adoption.effective_from, 9),
        made_by=by,
    )
    Benefit.objects.bulk_create(
        Benefit(
            fund=fund,
            regulation=regulation,
            position=position,
            **{name: getattr(b, name) for name in BENEFIT_FIELDS if name != "position"},
        )
        for position, b in enumerate(spec.benefits, start=1)
    )
    ids = dict(Benefit.objects.filter(regulation=regulation).values_list("key", "pk"))
    Tier.objects.bulk_create(
        Tier(fund=fund, benefit_id=ids[b.key], from_years=years, amount=amount)
        for b in spec.benefits
        for years, amount in sorted(b.tiers)
    )
    return regulation, ids


@functools.cache
def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def claims_write(
    *,
    fund: Fund,
    plan: ClaimsPlan,
    ledger: BooksPlan,
    written: dict[str, Any],
    member_ids: dict[str, int],
    member_numbers: list[str],
    by: User,
) -> Counter[str]:
    """Store the plan; call in the fund's scope and transaction, after books_write and
    dues_write. `member_numbers` are the planned members' numbers, in the plan's order."""
    minutes = minutes_keeper()
    counts: Counter[str] = Counter()

    regulations, benefit_ids = {}, {}
    for a in plan.adoptions:
        regulations[a.version], ids = _install(fund, a, by)
        benefit_ids.update({(a.version, key): pk for key, pk in ids.items()})
    counts.update(regulations=len(regulations), benefits=len(benefit_ids))

    # The seats kongtun.demo.province wrote, in the plan's order, then the earlier terms.
    seat_ids = list(
        CommitteeMember.objects.filter(fund=fund).order_by("pk").values_list("pk", flat=True)
    )
    CommitteeMember.objects.bulk_create(
        CommitteeMember(fund=fund, full_name=s.full_name, position=s.position,
                        representing=s.representing, term_start=s.term_start,
                        term_end=s.term_end)
        for s in plan.earlier_seats
    )  # fmt: skip
    if plan.earlier_seats:
        seat_ids += (
            CommitteeMember.objects.filter(fund=fund, pk__gt=max(seat_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    counts["committee_seats_earlier"] = len(plan.earlier_seats)

    fund_id, by_id, minutes_id = fund.pk, by.pk, minutes.pk
    RawInsert(Meeting, _MEETING_FIELDS).run(
        [
            (uuid.uuid4(), fund_id, m.number, m.date, m.place, Meeting.State.CLOSED, by_id,
             _at(m.date, 13), _at(m.date, 16))
            for m in plan.meetings
        ]
    )  # fmt: skip
    meeting_ids = dict(Meeting.objects.filter(fund=fund).values_list("number", "pk"))
    meetings = [meeting_ids[m.number] for m in plan.meetings]
    attendance = [
        (fund_id, meetings[n], seat_ids[k], k in m.present)
        for n, m in enumerate(plan.meetings)
        for k in m.seats
    ]
    RawInsert(Attendance, _ATTENDANCE_FIELDS).run(attendance)
    counts.update(meetings=len(meetings), attendance=len(attendance))

    # Each paid claim's entry, and the cash or bank account it was paid from.
    entry_ids: dict[int, int] = written["entry_ids"]
    first: int = written["first_number"]
    paid_by: dict[int, tuple[int, str]] = {}
    for k, planned in enumerate(ledger.entries):
        if planned.link is not None and planned.link[0] == "claim":
            money = next(p.account for p in planned.entry.postings if p.account in (CASH, BANK))
            paid_by[planned.link[1]] = (entry_ids[first + k], money)
    accounts = {a.code: a for a in Account.objects.filter(fund=fund)}
    expense = {a.role: a for a in accounts.values()}
    members = [member_ids[number] for number in member_numbers]

    paid = [(n, c) for n, c in enumerate(plan.claims) if c.paid_on is not None]
    if Voucher.objects.filter(fund=fund, kind=Voucher.Kind.PAYMENT).exists():
        raise RuntimeError(f"{fund.code} has payment vouchers already: the numbers would collide")
    vouchers, lines = [], []
    for n, c in paid:
        assert c.paid_on is not None
        entry_id, money = paid_by[n]
        member_id = members[c.member] if c.member is not None else None
        vouchers.append(
            (uuid.uuid4(), fund_id, Voucher.Kind.PAYMENT, c.voucher, c.paid_on, c.party,
             member_id, c.description, accounts[money].pk, Voucher.Status.APPROVED, by_id,
             _at(c.paid_on, 10), minutes_id, _at(c.paid_on, 10), entry_id)
        )  # fmt: skip
    RawInsert(Voucher, _VOUCHER_FIELDS).run(vouchers)
    voucher_ids = dict(Voucher.objects.filter(fund=fund).values_list("number", "pk"))
    for _n, c in paid:
        account = expense[c.account]
        lines.append(
            (fund_id, voucher_ids[c.voucher], account.pk, c.amount, account.source, c.number)
        )
    RawInsert(VoucherLine, _VOUCHER_LINE_FIELDS).run(lines)
    counts["claim_vouchers"] = len(vouchers)

    rows = []
    for c in plan.claims:
        d = c.decision
        meeting = plan.meetings[c.meeting] if c.meeting is not None else None
        settled = c.paid_on is not None
        rows.append(
            (uuid.uuid4(), fund_id, c.number, benefit_ids[c.version, c.key],
             regulations[c.version].pk, c.key,
             members[c.member] if c.member is not None else None, c.recipient, c.person_name,
             c.person_birth_date, c.person_address, c.event_date, c.fiscal_year, c.filed_on,
             c.nights, d.nights_paid, c.claimed,
             c.details, c.status, str(d.outcome), d.amount, d.full_amount,
             [r.as_json() for r in d.reasons],
             by_id, _at(c.filed_on, 10), meetings[c.meeting] if c.meeting is not None else None,
             c.resolution, *(c.votes or (None, None, None)),
             c.approved_amount, c.decision_note,
             minutes_id if meeting else None, _at(meeting.date, 15) if meeting else None,
             voucher_ids[c.voucher] if settled else None, c.paid_on, by_id if settled else None)
        )  # fmt: skip
    RawInsert(Claim, _CLAIM_FIELDS).run(rows)
    claim_ids = dict(Claim.objects.filter(fund=fund).values_list("number", "pk"))
    counts["claims"] = len(rows)
    for status, number in Counter(c.status for c in plan.claims).items():
        counts[f"claims_{status}"] = number

    # A member's beneficiaries in the order they were named (Beneficiary's ordering).
    named: dict[int, list[int]] = {}
    for member_id, pk in (
        Beneficiary.objects.filter(fund=fund)
        .order_by("member_id", "pk")
        .values_list("member_id", "pk")
    ):
        named.setdefault(member_id, []).append(pk)
    payees = []
    for n, c in paid:
        assert c.paid_on is not None
        how = "ลงลายมือชื่อรับเงินสด" if paid_by[n][1] == CASH else "โอนเงินเข้าบัญชีธนาคารของผู้รับ"
        for p in c.payees:
            beneficiary = None
            if p.beneficiary is not None and c.member is not None:
                beneficiary = named[members[c.member]][p.beneficiary]
            payees.append(
                (fund_id, claim_ids[c.number], p.name, beneficiary, p.share_percent, p.amount,
                 c.paid_on, how, by_id)
            )  # fmt: skip
    RawInsert(Payee, _PAYEE_FIELDS).run(payees)
    counts["payees"] = len(payees)
    return counts
