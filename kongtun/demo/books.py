"""About three years of books for each demo fund, drawn from the fund's own members.

`plan_books` is pure: from a fund's plan, its members and today's date it returns the same
entries every time. They start with an opening entry on the first day of a fiscal year and
run to the end of last month. The members' contributions come from kongtun.demo.contributions:
an entry for each receipt (contribution and any entry fee, in cash), a reversal for each
voided one, and an entry for each co-funder's payment (CODI by round, the local government
every year). Before a fund gave receipts in Kongtun, each month's collection and entry fees
are one total each, from the paper register; the totals and the receipts never overlap. Each
month also has a deposit of most of the cash after the monthly meeting. Welfare is paid claim
by claim (kongtun.demo.claims): an entry for each paid claim on its payment day, as its
payment voucher posts it. The books also have administration costs kept to a share of the
welfare paid, bank interest in June and December, and one entry posted to the wrong account,
reversed and posted again. Months are closed except the last two.

kongtun.demo.books_load writes a plan to the database.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.chart import TEMPLATE
from kongtun.ledger.models import (
    JournalEntry,
    PeriodClose,
)
from kongtun.lib.thaidate import MONTHS_TH, be_year
from kongtun.members.models import Event, Status

if TYPE_CHECKING:
    from kongtun.demo.claims import ClaimsPlan
    from kongtun.demo.contributions import DuesPlan, ReceiptSpec
    from kongtun.demo.province import FundContent, FundSpec, MemberSpec

CODE = {a.role: a.code for a in TEMPLATE}  # the template's accounts by role, e.g. "cash" → 1101
SOURCE = {a.code: a.source for a in TEMPLATE}
CASH, BANK = CODE["cash"], CODE["bank"]

PAPER_MONTHLY = 30  # baht a month per member before a fund gave receipts ("1 baht a day")
MONTHS_BACK = 30  # books start at the fiscal year open 30 months before this month
OPEN_MONTHS = 2  # the last months of the books are left open
OVER_CAP_FUNDS = 3  # funds whose administration costs exceed the 20 % cap

K = JournalEntry.Kind
ZERO, SATANG, BAHT = core.ZERO, core.SATANG, Decimal(1)


def baht(value: int | Decimal) -> Decimal:
    return Decimal(value).quantize(SATANG, rounding=ROUND_HALF_UP)


# --- Dates ------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def fiscal_year_start(fiscal_year: str, day: dt.date) -> dt.date:
    """First day of the fund's fiscal year that `day` falls in."""
    if fiscal_year == Fund.FiscalYear.GOVERNMENT:
        return dt.date(day.year if day.month >= 10 else day.year - 1, 10, 1)
    return dt.date(day.year, 1, 1)


def books_period(fiscal_year: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the demo books: a fiscal year's start up to the end of last month.

    Starting 30 months back and going to that fiscal year's start gives 30–41 months: the two
    or three years before this one are complete, whatever the month or the kind of year.
    """
    this_month = today.replace(day=1)
    start = fiscal_year_start(fiscal_year, add_months(this_month, -MONTHS_BACK))
    return start, this_month - dt.timedelta(days=1)


def _month_label(day: dt.date) -> str:
    return f"{MONTHS_TH[day.month - 1]} {be_year(day)}"


# --- Members over time ------------------------------------------------------------------------


_FOREVER = dt.date.max.toordinal()


class _People:
    """Who was an active member on which day and who joined, from status histories."""

    def __init__(self, members: Sequence[MemberSpec]) -> None:
        # (member, first day active, first day no longer active) as day ordinals
        self.spans: list[tuple[MemberSpec, int, int]] = []
        self.approved: list[int] = []
        for m in members:
            since: int | None = None
            for step in m.history:
                day = step.effective_on.toordinal()
                if step.to_status == Status.ACTIVE and step.from_status != Status.ACTIVE:
                    since = day
                elif step.from_status == Status.ACTIVE and step.to_status != Status.ACTIVE:
                    if since is not None:
                        self.spans.append((m, since, day))
                    since = None
                if step.event == Event.APPROVED:
                    self.approved.append(day)
            if since is not None:
                self.spans.append((m, since, _FOREVER))
        changes = sorted([(a, 1) for _, a, _ in self.spans] + [(b, -1) for _, _, b in self.spans])
        self.days = [day for day, _ in changes]
        self.running = [0]
        for _, delta in changes:
            self.running.append(self.running[-1] + delta)
        self.approved.sort()

    def active_on(self, day: dt.date) -> int:
        return self.running[bisect.bisect_right(self.days, day.toordinal())]

    def active_members(self, day: dt.date) -> Iterator[MemberSpec]:
        n = day.toordinal()
        return (m for m, a, b in self.spans if a <= n < b)

    def approved_between(self, first: dt.date, last: dt.date) -> list[int]:
        lo = bisect.bisect_left(self.approved, first.toordinal())
        hi = bisect.bisect_right(self.approved, last.toordinal())
        return self.approved[lo:hi]


# --- The plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedEntry:
    entry: core.Entry  # postings by account code, amounts in satang, each line's source filled
    kind: str
    reverses: int | None = None  # index in BooksPlan.entries of the entry this one reverses
    # What the entry records, for the loader to link: ("receipt", i) or ("void", i) for
    # DuesPlan.receipts[i], ("cofund", i) for DuesPlan.cofunds[i], ("claim", i) for the
    # payment of ClaimsPlan.claims[i].
    link: tuple[str, int] | None = None


@dataclass(frozen=True)
class BooksPlan:
    start: dt.date
    end: dt.date
    entries: tuple[PlannedEntry, ...]
    closes: tuple[tuple[str, dt.date, dt.date], ...]  # (PeriodClose.Kind, first day, last day)
    admin_permille: int  # administration costs per 1,000 baht of welfare and administration


@dataclass
class _Intent:
    """Something that happens to the fund's money, before cash or bank is chosen for it."""

    day: dt.date
    order: int  # within a day: 1 money in, 2 deposit, 3 money out, 4 interest
    what: str  # receipt, void, deposit, payment, interest, mistake, reversal
    account: str = ""  # role of the income or expense account
    amount: Decimal = ZERO
    memo: str = ""
    kind: str = K.OTHER
    money: str = "cash"  # where a receipt goes or a payment is paid from, if the cash suffices
    ref: _Intent | None = None  # for a reversal or a correction: the mistaken entry's intent
    link: tuple[str, int] | None = None  # see PlannedEntry


def _entry(day: dt.date, memo: str, *lines: tuple[str, Decimal, str]) -> core.Entry:
    """An entry from (role, signed amount, source) lines; a blank source is the account's."""
    postings = tuple(
        core.Posting(CODE[role], amount, source or SOURCE[CODE[role]])
        for role, amount, source in lines
    )
    return core.Entry(day, memo[:500], postings)


def _poisson(rng: random.Random, mean: float) -> int:
    """How many events in a month (Knuth's method: the means here stay below ~15)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _round_up(amount: Decimal, step: int) -> Decimal:
    return baht(math.ceil(amount / step) * step)


def over_cap_codes(plan: Sequence[FundSpec], *, seed: int) -> set[str]:
    """The funds whose administration costs exceed the cap, so the warning has cases to show.

    The second fund is one (its chair has a demo login); the others are drawn.
    """
    if len(plan) < 2:
        return set()
    rng = random.Random(f"{seed}:over-cap")  # noqa: S311 - reproducible demo data, not secrets
    others = [s.code for s in plan[2:]]
    return {plan[1].code, *rng.sample(others, min(OVER_CAP_FUNDS - 1, len(others)))}


def plan_books(
    spec: FundSpec,
    content: FundContent,
    *,
    today: dt.date,
    seed: int,
    dues: DuesPlan,
    claims: ClaimsPlan,
    over_cap: bool = False,
) -> BooksPlan:
    """The fund's books from its fiscal year two to three years back to the end of last month.

    `dues` is the fund's contributions (kongtun.demo.contributions.plan_dues), planned over
    the same members; its meeting days are the days the cash is collected. `claims` is its
    welfare (kongtun.demo.claims.plan_claims): every claim paid is paid in the books.
    """
    rng = random.Random(f"{seed}:{spec.code}:books")  # noqa: S311 - reproducible, not secrets
    randint = rng.randint
    start, end = books_period(spec.fiscal_year, today)
    people = _People(content.members)
    active_at_start = people.active_on(start)

    # The fund's own habits, drawn once.
    cash_float = min(max(_round_up(baht(active_at_start * 8), 100), baht(1000)), baht(20000))
    admin_permille = randint(220, 300) if over_cap else randint(50, 150)
    half_year_rate = Decimal(rng.choice((25, 40, 50))) / 20000  # 0.25–0.5 % a year, paid twice

    intents: list[_Intent] = []
    add = intents.append
    _plan_dues(intents, dues)

    def pay(
        day: dt.date,
        account: str,
        amount: Decimal,
        memo: str,
        *,
        kind: str = K.OTHER,
        money: str = "cash",
        ref: _Intent | None = None,
    ) -> None:
        add(_Intent(day, 3, "payment", account, amount, memo, kind, money, ref))

    for n, claim in enumerate(claims.claims):
        if claim.paid_on is not None:
            if not start <= claim.paid_on <= end:
                raise ValueError(f"claim {claim.number} is paid outside the books")
            add(_Intent(claim.paid_on, 3, "payment", claim.account, claim.amount, claim.memo,
                        K.CLAIM, claim.money, link=("claim", n)))  # fmt: skip

    months: list[dt.date] = []
    meeting_day: dict[dt.date, dt.date] = {}
    month = start
    while month <= end:
        months.append(month)
        last = _month_end(month)
        label = _month_label(month)
        collect = dues.meetings[len(months) - 1]  # the monthly meeting, where members pay
        meeting_day[month] = collect
        active = people.active_on(collect)
        if month < dues.receipts_from:
            _paper_month(add, people, month, collect, active, dues, rng)
        deposit_day = min(collect + dt.timedelta(days=randint(1, 3)), last)
        add(_Intent(deposit_day, 2, "deposit", memo=f"นำเงินสดฝากธนาคาร ({label})"))
        if month.month in (6, 12):
            add(
                _Intent(
                    month.replace(day=20),
                    4,
                    "interest",
                    "income.interest",
                    memo=f"ดอกเบี้ยเงินฝากออมทรัพย์ งวด{label}",
                )
            )
        month = add_months(month, 1)

    if len(months) >= 8:
        # One purchase posted to a welfare account by mistake, reversed a few days later and
        # posted again to administration: the books show how a mistake is put right.
        month = months[randint(2, len(months) - 5)]
        day = month.replace(day=randint(11, 20))
        fixed = day + dt.timedelta(days=randint(2, 6))
        amount = baht(randint(4, 15) * 100)
        what = "ซื้อกระดาษและหมึกพิมพ์สำนักงาน"
        mistake = _Intent(day, 3, "mistake", "welfare.other", amount, what)
        add(mistake)
        add(
            _Intent(
                fixed,
                3,
                "reversal",
                memo="ลงผิดบัญชี: ค่าวัสดุสำนักงานไม่ใช่สวัสดิการ",
                kind=K.REVERSAL,
                ref=mistake,
            )
        )
        pay(
            fixed,
            "admin.stationery",
            amount,
            f"{what} (ลงบัญชีใหม่ให้ถูกต้อง)",
            kind=K.OTHER,
            ref=mistake,
        )

    _plan_admin(intents, months, meeting_day, spec.fiscal_year, admin_permille, rng)

    intents.sort(key=lambda i: (i.day, i.order))  # stable: same-day intents keep their order
    opening_cash = cash_float
    # Dry run without interest to learn how low the bank would go from zero; the opening
    # balance then covers it, so neither cash nor bank is ever overdrawn.
    _, lowest = _materialise(intents, opening_cash, ZERO, ZERO, dues=dues, dry=True)
    base = _round_up(baht(active_at_start * randint(300, 1200)), 100)
    opening_bank = max(base, _round_up(-lowest, 100) + 1000)
    entries, _ = _materialise(intents, opening_cash, opening_bank, half_year_rate, dues=dues)
    fy = be_year(start) + (1 if start.month >= 10 else 0)
    opening = PlannedEntry(
        _entry(
            start,
            f"ยอดยกมาต้นปีบัญชี {fy}",
            ("cash", opening_cash, ""),
            ("bank", opening_bank, ""),
            ("opening", -(opening_cash + opening_bank), ""),
        ),
        K.OPENING,
    )
    entries = [opening] + [
        replace(e, reverses=e.reverses + 1) if e.reverses is not None else e for e in entries
    ]
    return BooksPlan(start, end, tuple(entries), _closes(months, spec.fiscal_year), admin_permille)


def _paper_month(
    add: Callable[[_Intent], None],
    people: _People,
    month: dt.date,
    collect: dt.date,
    active: int,
    dues: DuesPlan,
    rng: random.Random,
) -> None:
    """A month before the fund gave receipts in Kongtun: the treasurer booked the meeting's
    collection from the paper register as one total (30 baht from most of the members active
    that day), and the month's entry fees as another."""
    label = _month_label(month)
    payers = active * rng.randint(85, 100) // 100
    if payers:
        add(
            _Intent(
                collect, 1, "receipt", "income.members", baht(payers * PAPER_MONTHLY),
                f"เงินสมทบสมาชิกประจำเดือน{label} ({payers:,} คน × {PAPER_MONTHLY} บาท)"
                " ตามทะเบียนรับเงิน",
                K.CONTRIBUTION,
            )
        )  # fmt: skip
    joined = people.approved_between(month, _month_end(month))
    fee = dues.plans[dues.terms.default_plan].entry_fee
    if joined and fee:
        add(
            _Intent(
                dt.date.fromordinal(joined[-1]), 1, "receipt", "income.entry_fees",
                baht(len(joined) * fee),
                f"ค่าสมัครสมาชิกใหม่เดือน{label} ({len(joined)} คน × {fee:,.0f} บาท)",
                K.CONTRIBUTION,
            )
        )  # fmt: skip


def _plan_dues(intents: list[_Intent], dues: DuesPlan) -> None:
    """A reversal for each voided receipt (the money given back) and a bank entry for each
    co-funder's payment, as the contributions services post them. The receipts themselves
    are merged in by _materialise, in their date order: there are tens of thousands."""
    for i, r in enumerate(dues.receipts):
        if r.void_on is not None:
            memo = f"ยกเลิกใบเสร็จ {r.number}: {r.void_reason}"
            intents.append(
                _Intent(r.void_on, 3, "void", memo=memo, kind=K.REVERSAL, link=("void", i))
            )
    for i, c in enumerate(dues.cofunds):
        intents.append(
            _Intent(c.date, 1, "receipt", c.role, c.amount, c.memo, money="bank",
                    link=("cofund", i))
        )  # fmt: skip


def _plan_admin(
    intents: list[_Intent],
    months: list[dt.date],
    meeting_day: dict[dt.date, dt.date],
    fiscal_year: str,
    permille: int,
    rng: random.Random,
) -> None:
    """Meetings, travel and stationery: `permille` of each fiscal year's welfare + admin.

    Administration already planned (the corrected entry) counts towards the year's share.
    """
    welfare: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    admin: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for i in intents:
        if i.what == "payment" and i.account.startswith(("welfare.", "admin.")):
            group = welfare if i.account.startswith("welfare.") else admin
            group[fiscal_year_start(fiscal_year, i.day)] += i.amount
    by_year: dict[dt.date, list[dt.date]] = defaultdict(list)
    for month in months:
        by_year[fiscal_year_start(fiscal_year, month)].append(month)
    for year, year_months in by_year.items():
        # admin ÷ (welfare + admin) = permille / 1000
        share = welfare[year] * permille / (1000 - permille) - admin[year]
        monthly = max(share, ZERO) / len(year_months)
        for month in year_months:
            label = _month_label(month)
            other_days = [month.replace(day=rng.randint(12, 25)) for _ in range(2)]
            costs = [
                (
                    "admin.meetings",
                    50,
                    meeting_day[month],
                    "ค่าอาหารและเครื่องดื่มประชุมคณะกรรมการประจำเดือน",
                ),
                ("admin.travel", 30, other_days[0], "ค่าเดินทางไปประชุมเครือข่ายเดือน"),
                ("admin.stationery", 20, other_days[1], "ค่าวัสดุและเครื่องเขียนเดือน"),
            ]
            for role, percent, day, memo in costs:
                amount = (monthly * percent / 100).quantize(BAHT, rounding=ROUND_HALF_UP)
                if amount > 0:
                    intents.append(_Intent(day, 3, "payment", role, baht(amount), memo + label))


_MEMBERS, _FEES = CODE["income.members"], CODE["income.entry_fees"]


def _receipt_entry(r: ReceiptSpec, member_number: str) -> core.Entry:
    """A member's receipt as payment_record posts it, built directly: there are tens of
    thousands, and every amount is positive and to the satang, and every line's source its
    account's, by construction (books_write stores it as it is). Lines come in
    payment_record's order: the money, the contribution, the fee."""
    postings = [core.Posting(CASH, r.contribution + r.fee, SOURCE[CASH])]
    if r.contribution:
        postings.append(core.Posting(_MEMBERS, -r.contribution, SOURCE[_MEMBERS]))
    if r.fee:
        postings.append(core.Posting(_FEES, -r.fee, SOURCE[_FEES]))
    memo = f"ใบเสร็จรับเงินเลขที่ {r.fiscal_year}/{r.seq:06d} สมาชิกเลขที่ {member_number}"
    return core.Entry(r.date, memo, tuple(postings))


def _materialise(
    intents: Sequence[_Intent],
    cash: Decimal,
    bank: Decimal,
    half_year_rate: Decimal,
    *,
    dues: DuesPlan,
    dry: bool = False,
) -> tuple[list[PlannedEntry], Decimal]:
    """Turn the intents, in date order, into entries; return them and the lowest bank balance.

    The members' receipts (in date order already) are merged in, each before the other
    intents of its day; a dry run only counts their cash. A cash payment is paid from the bank
    when the cash on hand is short, and the monthly deposit leaves the cash float (the opening
    cash) in hand.
    """
    cash_float = cash
    entries: list[PlannedEntry] = []
    index_of: dict[int, int] = {}  # id(intent) → index of its entry
    receipts, numbers = dues.receipts, [m.number for m in dues.members]
    receipt_entries: list[int] = []  # index of each receipt's entry
    next_receipt = 0
    lowest = bank
    for i in [*intents, None]:
        day = dt.date.max if i is None else i.day
        while next_receipt < len(receipts) and receipts[next_receipt].date <= day:
            r = receipts[next_receipt]
            cash += r.contribution + r.fee
            if not dry:
                receipt_entries.append(len(entries))
                posted = _receipt_entry(r, numbers[r.member])
                entries.append(
                    PlannedEntry(posted, K.CONTRIBUTION, None, ("receipt", next_receipt))
                )
            next_receipt += 1
        if i is None:
            break
        entry: core.Entry | None = None
        reverses: int | None = None
        if i.what == "void" and i.link is not None:
            r = receipts[i.link[1]]
            if dry:
                cash -= r.contribution + r.fee
                continue
            reverses = receipt_entries[i.link[1]]
            memo = f"กลับรายการเลขที่ {reverses + 2}: {i.memo}"  # as receipt_void words it
            entry = core.reversal(entries[reverses].entry, on=i.day, memo=memo)
        elif i.what == "receipt":
            money = "bank" if i.money == "bank" else "cash"
            entry = _entry(i.day, i.memo, (money, i.amount, ""), (i.account, -i.amount, ""))
        elif i.what == "deposit":
            amount = baht((cash - cash_float) // 100 * 100)
            if amount > 0:
                entry = _entry(i.day, i.memo, ("bank", amount, ""), ("cash", -amount, ""))
        elif i.what in ("payment", "mistake"):
            money = "cash" if i.money == "cash" and cash >= i.amount else "bank"
            if i.ref is not None:  # a correction is paid from where the mistaken entry said
                mistaken = entries[index_of[id(i.ref)]].entry
                money = "cash" if CASH in {p.account for p in mistaken.postings} else "bank"
            if i.link is not None:  # a claim's voucher: the money first, as voucher_entry has it
                entry = _entry(i.day, i.memo, (money, -i.amount, ""), (i.account, i.amount, ""))
            else:
                entry = _entry(i.day, i.memo, (i.account, i.amount, ""), (money, -i.amount, ""))
        elif i.what == "reversal" and i.ref is not None:
            reverses = index_of[id(i.ref)]
            number = reverses + 2  # entry numbers count the opening entry, which comes first
            entry = core.reversal(
                entries[reverses].entry, on=i.day, memo=f"กลับรายการที่ #{number}: {i.memo}"
            )
        elif i.what == "interest":
            amount = (bank * half_year_rate).quantize(SATANG, rounding=ROUND_HALF_UP)
            if amount > 0:
                entry = _entry(i.day, i.memo, ("bank", amount, ""), (i.account, -amount, ""))
        if entry is None:
            continue
        problems = core.validate_entry(entry)
        if problems:
            raise ValueError(f"demo entry {entry.memo!r}: {problems}")
        index_of[id(i)] = len(entries)
        entries.append(
            PlannedEntry(entry, K.REVERSAL if reverses is not None else i.kind, reverses, i.link)
        )
        for p in entry.postings:
            if p.account == CASH:
                cash += p.amount
            elif p.account == BANK:
                bank += p.amount
        lowest = min(lowest, bank)
    return entries, lowest


def _closes(months: list[dt.date], fiscal_year: str) -> tuple[tuple[str, dt.date, dt.date], ...]:
    """Every month but the last two closed, and every fiscal year wholly inside them."""
    closed = months[:-OPEN_MONTHS]
    if not closed:
        return ()
    rows = [(PeriodClose.Kind.MONTH, m, _month_end(m)) for m in closed]
    last = _month_end(closed[-1])
    for year in sorted({fiscal_year_start(fiscal_year, m) for m in closed}):
        year_end = add_months(year, 12) - dt.timedelta(days=1)
        if year >= closed[0] and year_end <= last:
            rows.append((PeriodClose.Kind.YEAR, year, year_end))
    return tuple(rows)
