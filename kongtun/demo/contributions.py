"""Years of members' contributions for each demo fund, drawn from the fund's own members.

`plan_dues` is pure: from a fund's plan, its members and today's date it returns the same
plans, terms, receipts and standings every time. kongtun.demo.books turns each receipt into its
own book entry (in place of a monthly total), and kongtun.demo.contributions_load stores them.

The model, in brief:

- Each fund offers "1 baht a day" (1.00 a day or 30.00 a month) and 365.00 a year, with an
  entry fee of 20 to 100 baht; most members pay under the fund's plan for new members.
- The showcase fund gives receipts from the first day of its books; each other fund began at
  the start of a later fiscal year (its books have a monthly total before: see `plan_books`).
  A member who joined before that day had paid on paper, fee included, up to a day in the
  first months (as far ahead as they pay), and their schedule starts the day after, as an
  opening import would start it; one who had already lapsed starts where the fund's lapse
  rule says their payments stopped.
- At each monthly meeting a member whose payments do not reach the end of the month pays for
  one, three, six or twelve months ahead, as is their habit: in the showcase fund most pay
  monthly; elsewhere members pay by the year, which keeps the load quick. The amount is what
  the schedule (kongtun.contributions.schedule) says reaches that far. Some members skip a
  meeting now and then, but never so long that the lapse rule would catch them before the
  next one: members lapse only where their status history says they do, and then on the day
  the rule gives, with the note `lapse_apply` writes. A lapsed member comes back as the
  fund's terms say: by paying the arrears, or by starting afresh (a new epoch) after paying
  the fee.
- A few receipts are issued twice by mistake and voided the same day.
- CODI's co-contribution (by round, for the funds that apply) and the local government's
  yearly money are co-funders' payments, and every fund has matching terms for the last two
  fiscal years.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from kongtun.contributions import schedule as sched
from kongtun.contributions.models import Funder, Terms
from kongtun.demo.books import _People, add_months, baht, books_period
from kongtun.funds.models import Fund
from kongtun.lib.thaidate import MONTHS_TH_SHORT, be_year
from kongtun.members.models import Event, Status

if TYPE_CHECKING:
    from kongtun.demo.province import FundContent, FundSpec, HistorySpec, MemberSpec

ZERO = Decimal("0.00")
DAY = sched.DAY
# Plans every fund offers: "1 baht a day" both ways, and a year at once.
PLANS = (
    ("วันละ 1 บาท", sched.Frequency.DAILY, Decimal("1.00")),
    ("เดือนละ 30 บาท", sched.Frequency.MONTHLY, Decimal("30.00")),
    ("ปีละ 365 บาท", sched.Frequency.YEARLY, Decimal("365.00")),
)
DAILY, MONTHLY, YEARLY = range(3)
ENTRY_FEES = (20, 20, 30, 50, 100)
SHOWCASE_HABITS = ((1, 70), (3, 20), (6, 10))  # months paid at once: weight
# The other funds' members pay for the year at once: it keeps the load quick (every receipt
# is a receipt row, a book entry and its lines), and many funds collect by the year.
HABITS = ((12, 1),)
LATE_SHARE = 0.15  # members who now and then miss a meeting they could pay at
DUPLICATES_PER_RECEIPT = 1 / 4000  # receipts issued twice by mistake, then voided
VOID_REASONS = ("ออกใบเสร็จซ้ำ", "ออกใบเสร็จซ้ำซ้อน รับเงินครั้งเดียว")
MATCHING_YEARS = 2


class PlanSpec(NamedTuple):
    name: str
    frequency: str
    amount: Decimal
    entry_fee: Decimal


class TermsSpec(NamedTuple):
    default_plan: int  # index into DuesPlan.plans
    lapse_after: int
    lapse_unit: str
    reinstatement: str
    reinstatement_fee: Decimal


class SegmentSpec(NamedTuple):
    """A MemberPlan row: from `starts_on` the member pays under plan `plan` in `epoch`."""

    epoch: int
    plan: int
    starts_on: dt.date


class StandingSpec(NamedTuple):
    member: int  # index into DuesPlan.members
    epoch: int
    credit: Decimal
    paid_through: dt.date
    fees_due: Decimal
    segments: tuple[SegmentSpec, ...]


class ReceiptSpec(NamedTuple):
    member: int
    date: dt.date
    fiscal_year: int  # BE
    seq: int
    contribution: Decimal
    fee: Decimal
    epoch: int
    paid_through: dt.date  # as the receipt left it
    void_on: dt.date | None = None
    void_reason: str = ""

    @property
    def total(self) -> Decimal:
        return self.contribution + self.fee

    @property
    def number(self) -> str:
        return f"{self.fiscal_year}/{self.seq:06d}"


class CofundSpec(NamedTuple):
    funder: str
    fiscal_year: int
    round: int | None
    date: dt.date
    amount: Decimal
    role: str  # the income account's role
    payer: str
    memo: str


class MatchingSpec(NamedTuple):
    funder: str
    fiscal_year: int
    ratio: Decimal
    cap_per_member: Decimal
    max_rounds: int
    min_membership_days: int


@dataclass(frozen=True)
class DuesPlan:
    plans: tuple[PlanSpec, ...]
    terms: TermsSpec
    members: tuple[MemberSpec, ...]  # the fund's members, lapses dated as the rule says
    standings: tuple[StandingSpec, ...]  # one per member, in the same order
    receipts: tuple[ReceiptSpec, ...]  # in number order within each fiscal year, by date
    cofunds: tuple[CofundSpec, ...]
    matching: tuple[MatchingSpec, ...]
    meetings: tuple[dt.date, ...]  # the monthly meeting day of each month of the books
    receipts_from: dt.date  # the first day of the receipts; a fiscal year's first day

    @property
    def rule(self) -> sched.LapseRule:
        return sched.LapseRule(self.terms.lapse_after, self.terms.lapse_unit)


def fiscal_year_be(kind: str, day: dt.date) -> int:
    """The BE name of the fiscal year `day` falls in (ledger.statements.fiscal_year_of, pure)."""
    if kind == Fund.FiscalYear.GOVERNMENT and day.month >= 10:
        return be_year(day) + 1
    return be_year(day)


def thai_date(day: dt.date) -> str:
    """The short Thai date format_date shows (e.g. 5 ม.ค. 2568), without a request's language."""
    return f"{day.day} {MONTHS_TH_SHORT[day.month - 1]} {be_year(day)}"


def _month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - DAY


def _before_lapse(lapsed: dt.date, rule: sched.LapseRule, frequency: str) -> dt.date:
    """About the first day not paid for by a member who lapses on `lapsed` under `rule`: the
    rule's time back, or a whole period back if that is longer (sched.lapse_day)."""
    if rule.unit == Terms.LapseUnit.DAYS:
        by_rule = lapsed - rule.length * DAY
    else:
        by_rule = sched.add_months(lapsed, -rule.length)
    if frequency == sched.Frequency.DAILY:
        return min(by_rule, lapsed - DAY)
    return min(
        by_rule, sched.add_months(lapsed, -12 if frequency == sched.Frequency.YEARLY else -1)
    )


# Members who began on the same day under the same plan share their schedule, and pay the
# same amounts on the same days: the schedule's answers are worth keeping.
@functools.lru_cache(maxsize=1 << 16)
def _due_through(schedule: sched.Schedule, day: dt.date) -> Decimal:
    return schedule.due_through(day)


@functools.lru_cache(maxsize=1 << 16)
def _paid_through(schedule: sched.Schedule, credit: Decimal) -> dt.date:
    """What services.schedule_for(...).coverage(credit) says, as payment_record stores it."""
    return schedule.coverage(credit)[0]


@functools.lru_cache(maxsize=1 << 16)
def _lapse_day(schedule: sched.Schedule, paid_through: dt.date, rule: sched.LapseRule) -> dt.date:
    """The day lapse_apply lapses a member paid through `paid_through`."""
    return sched.lapse_day(schedule, paid_through, rule)


def lapse_note(rule: sched.LapseRule, paid_through: dt.date) -> str:
    unit = "เดือน" if rule.unit == Terms.LapseUnit.MONTHS else "วัน"
    return f"ไม่ได้ส่งเงินสมทบ {rule.length} {unit} ส่งถึงวันที่ {thai_date(paid_through)}"


# --- One member -------------------------------------------------------------------------------


@dataclass
class _Fund:
    """What every member's simulation needs to know about the fund."""

    start: dt.date
    end: dt.date
    today: dt.date
    fiscal_year: str
    plans: tuple[PlanSpec, ...]
    terms: TermsSpec
    rule: sched.LapseRule
    meetings: tuple[dt.date, ...]
    habits: tuple[tuple[int, int], ...]
    month_ends: tuple[dt.date, ...] = ()  # of the books' months and a year after

    def __post_init__(self) -> None:
        count = len(self.meetings) + 13
        self.month_ends = tuple(_month_end(add_months(self.start, i)) for i in range(count))

    def month_of(self, day: dt.date) -> int:
        """Index of `day`'s month among the books' months (may be out of range)."""
        return (day.year - self.start.year) * 12 + day.month - self.start.month

    def meeting_after(self, i: int) -> dt.date:
        """The meeting of month i + 1, even past the books (then on the same day of month)."""
        if i + 1 < len(self.meetings):
            return self.meetings[i + 1]
        last = self.meetings[-1]
        return sched.add_months(last, i + 1 - (len(self.meetings) - 1))


class _Paid(NamedTuple):
    """A receipt before it has its number; they sort in number order."""

    date: dt.date
    member: int
    copy: bool  # issued a second time by mistake
    contribution: Decimal
    fee: Decimal
    epoch: int
    paid_through: dt.date
    credit: Decimal  # the epoch's credit after it


@dataclass
class _Member:
    """One member's payments, worked out meeting by meeting."""

    index: int
    spec: MemberSpec
    fund: _Fund
    rng: random.Random
    plan: int
    months_ahead: int
    late: bool
    epoch: int = 1
    credit: Decimal = ZERO
    fees: Decimal = ZERO
    paid_through: dt.date = dt.date.min
    paid: list[_Paid] = field(default_factory=list)
    segments: list[SegmentSpec] = field(default_factory=list)
    schedules: dict[int, sched.Schedule] = field(default_factory=dict)

    def start(self, day: dt.date, fees: Decimal) -> None:
        """Begin the current epoch's schedule on `day`, owing `fees`."""
        plan = self.fund.plans[self.plan]
        self.segments.append(SegmentSpec(self.epoch, self.plan, day))
        self.schedules[self.epoch] = sched.schedule_of([(day, plan.frequency, plan.amount)])
        self.credit, self.fees = ZERO, fees
        self.paid_through = _paid_through(self.schedule, ZERO)

    @property
    def schedule(self) -> sched.Schedule:
        return self.schedules[self.epoch]

    def offer(self, day: dt.date, lapse_by: dt.date | None = None) -> bool:
        """Pay on `day` for `months_ahead` months from its month, unless that would carry the
        member past `lapse_by` (the day their history says they lapse); True if paid."""
        target = self.fund.month_ends[self.fund.month_of(day) + self.months_ahead - 1]
        contribution = max(_due_through(self.schedule, target) - self.credit, ZERO)
        if contribution + self.fees <= 0:
            return False
        credit = self.credit + contribution
        paid_through = _paid_through(self.schedule, credit)
        if (
            lapse_by is not None
            and _lapse_day(self.schedule, paid_through, self.fund.rule) > lapse_by
        ):
            return False
        self.paid.append(
            _Paid(day, self.index, False, contribution, self.fees, self.epoch, paid_through, credit)
        )
        self.credit, self.fees, self.paid_through = credit, ZERO, paid_through
        return True

    def meetings(self, first: int, until: dt.date | None, lapse_by: dt.date | None) -> None:
        """Come to the monthly meetings from month `first` until (not on) `until`, paying
        when the month is not covered; stop for good once `lapse_by` would be passed."""
        fund = self.fund
        meetings, month_ends = fund.meetings, fund.month_ends
        random = self.rng.random
        i = max(first, 0)
        while i < len(meetings):
            day = meetings[i]
            if until is not None and day >= until:
                return
            paid_through = self.paid_through
            if paid_through >= month_ends[i]:
                # Covered: jump to the month the cover runs out in.
                i = max(i + 1, fund.month_of(paid_through + DAY))
                continue
            skip = (self.late and random() < 0.45) or random() < 0.02
            if skip and _lapse_day(self.schedule, paid_through, fund.rule) > fund.meeting_after(i):
                i += 1
                continue
            if not self.offer(day, lapse_by) and lapse_by is not None:
                return  # the member stops paying; the rule will lapse them
            i += 1


def _member_dues(m: _Member) -> tuple[StandingSpec, MemberSpec]:
    """Simulate one member; return their standing and their history as the rule dates it."""
    spec, fund, rule = m.spec, m.fund, m.fund.rule
    on = {step.event: step.effective_on for step in spec.history}
    joined = spec.joined_on
    lapsed, back = on.get(Event.LAPSED), on.get(Event.REINSTATED)
    left = on.get(Event.RESIGNED) or on.get(Event.DIED)
    start = fund.start
    entry_fee, frequency = fund.plans[m.plan].entry_fee, fund.plans[m.plan].frequency

    # Where Kongtun's schedule begins: see the module docstring.
    # A lapse settled on paper (lapsed and reinstated before the books) stays as it was.
    lapse_here = lapsed is not None and not (back is not None and back < start)
    if spec.status == Status.APPLICANT or joined >= start:
        begins = joined
    elif lapse_here and lapsed is not None and lapsed < start:
        begins = max(joined, _before_lapse(lapsed, rule, frequency))  # lapsed on paper
    elif left is not None and left < start:
        begins = left
    else:
        # Paid on paper up to a day in the books' first months, as far as their habit goes:
        # so the members paying by the year do not all pay in the same month.
        ahead = 12 if m.plan == YEARLY else m.months_ahead
        begins = sched.add_months(start, m.rng.randrange(ahead))
        if left is not None:
            begins = min(begins, left)
        if lapse_here and lapsed is not None:
            plan = fund.plans[m.plan]
            schedule = sched.schedule_of([(begins, plan.frequency, plan.amount)])
            if _lapse_day(schedule, begins - DAY, rule) > lapsed:
                begins = max(joined, _before_lapse(lapsed, rule, frequency))  # stopped on paper
    m.start(begins, entry_fee if begins == joined and joined >= start else ZERO)

    lapse_by = lapsed if lapse_here else None
    if begins <= fund.end and begins == joined and joined >= start:
        # Joining, members pay the fee and their first months (half the applicants do).
        if spec.status != Status.APPLICANT or m.rng.random() < 0.5:
            m.offer(joined, lapse_by)
        first = fund.month_of(joined) + 1
    else:
        first = fund.month_of(begins)
    if spec.status != Status.APPLICANT:
        stops = [day for day in (lapse_by, left) if day is not None]
        m.meetings(first, min(stops) if stops else None, lapse_by)

    member = spec
    if lapse_here:
        assert lapsed is not None
        history = _date_lapse(m, list(spec.history), lapsed, back)
        member = replace(
            spec,
            history=tuple(history),
            status=history[-1].to_status,
            status_since=history[-1].effective_on,
        )
    standing = StandingSpec(m.index, m.epoch, m.credit, m.paid_through, m.fees, tuple(m.segments))
    return standing, member


def _date_lapse(
    m: _Member, history: list[HistorySpec], lapsed: dt.date, back: dt.date | None
) -> list[HistorySpec]:
    """Date the member's lapse (and what followed it) as the fund's rule and terms have it.

    The lapse falls on the rule's day for the payments made, or on the member's last status
    change if that is later (as lapse_apply does). A lapse the rule would not have reached
    by today, or a reinstatement that would need a payment after the books end, is dropped.
    """
    fund, rule = m.fund, m.fund.rule
    paid_through = m.paid_through
    before = max(s.effective_on for s in history if s.event in (Event.APPLIED, Event.APPROVED))
    lapse_on = max(_lapse_day(m.schedule, paid_through, rule), before)
    if lapse_on > fund.today or (back is not None and lapse_on > fund.end):
        out = []
        for step in history:
            if step.event in (Event.LAPSED, Event.REINSTATED):
                continue
            if step.from_status == Status.LAPSED:
                step = replace(step, from_status=Status.ACTIVE)
            out.append(step)
        return out
    out = []
    for step in history:
        if step.event == Event.LAPSED:
            step = replace(step, effective_on=lapse_on, note=lapse_note(rule, paid_through))
        elif step.event == Event.RESIGNED:
            step = replace(step, effective_on=max(step.effective_on, lapse_on))
        elif step.event == Event.REINSTATED:
            assert back is not None
            step = _reinstate(m, step, min(max(back, lapse_on), fund.end))
        out.append(step)
    return out


def _reinstate(m: _Member, step: HistorySpec, on: dt.date) -> HistorySpec:
    """Bring the member back on `on` as the terms say, with the payment that does it, then
    let them come to the meetings again."""
    terms = m.fund.terms
    if terms.reinstatement == Terms.Reinstatement.REJOIN:
        m.epoch += 1
        m.start(on, m.fees + terms.reinstatement_fee)  # as member_reinstate adds it
        note = f"กลับเข้าเป็นสมาชิกใหม่ เริ่มส่งเงินสมทบอีกครั้งวันที่ {thai_date(on)}"
        m.offer(on)
    else:
        # The payment clears every period that has ended, so payment_record reinstates.
        m.offer(on)
        note = f"ชำระเงินค้างครบแล้ว ส่งถึงวันที่ {thai_date(m.paid_through)}"
    m.meetings(m.fund.month_of(on) + 1, None, None)
    return replace(step, effective_on=on, note=note)


# --- The fund ---------------------------------------------------------------------------------


def _plans_and_terms(spec: FundSpec, rng: random.Random) -> tuple[tuple[PlanSpec, ...], TermsSpec]:
    fee = baht(rng.choice(ENTRY_FEES))
    plans = tuple(PlanSpec(name, freq, amount, fee) for name, freq, amount in PLANS)
    if spec.ordinal == 0:
        default = MONTHLY  # the showcase: 30 baht at each monthly meeting
    else:
        default = rng.choices((DAILY, MONTHLY, YEARLY), (45, 40, 15))[0]
    by_days = rng.random() < 0.3
    rejoin = rng.random() < 0.25
    terms = TermsSpec(
        default_plan=default,
        lapse_after=90 if by_days else 3,
        lapse_unit=Terms.LapseUnit.DAYS if by_days else Terms.LapseUnit.MONTHS,
        reinstatement=Terms.Reinstatement.REJOIN if rejoin else Terms.Reinstatement.PAY_ARREARS,
        reinstatement_fee=fee if rejoin else ZERO,
    )
    return plans, terms


def plan_dues(spec: FundSpec, content: FundContent, *, today: dt.date, seed: int) -> DuesPlan:
    """The fund's contributions over its books, the same for the same inputs."""
    rng = random.Random(f"{seed}:{spec.code}:dues")  # noqa: S311 - reproducible, not secrets
    start, end = books_period(spec.fiscal_year, today)
    plans, terms = _plans_and_terms(spec, rng)
    meetings = []
    month = start
    while month <= end:
        meetings.append(month.replace(day=rng.randint(3, 10)))
        month = add_months(month, 1)
    receipts_from = _receipts_from(spec, start, end, rng)
    skipped = (receipts_from.year - start.year) * 12 + receipts_from.month - start.month
    fund = _Fund(
        start=receipts_from,
        end=end,
        today=today,
        fiscal_year=spec.fiscal_year,
        plans=plans,
        terms=terms,
        rule=sched.LapseRule(terms.lapse_after, terms.lapse_unit),
        meetings=tuple(meetings[skipped:]),
        habits=SHOWCASE_HABITS if spec.ordinal == 0 else HABITS,
    )
    others = [i for i in range(len(plans)) if i != terms.default_plan]
    ahead, weights = zip(*fund.habits, strict=True)
    cum_weights = list(itertools.accumulate(weights))
    members: list[MemberSpec] = []
    standings: list[StandingSpec] = []
    paid: list[_Paid] = []
    schedules: dict[tuple[int, int], sched.Schedule] = {}
    for index, spec_m in enumerate(content.members):
        plan = terms.default_plan if rng.random() < 0.85 else rng.choice(others)
        m = _Member(
            index=index,
            spec=spec_m,
            fund=fund,
            rng=rng,
            plan=plan,
            months_ahead=1 if plan == YEARLY else rng.choices(ahead, cum_weights=cum_weights)[0],
            late=rng.random() < LATE_SHARE,
        )
        standing, member = _member_dues(m)
        standings.append(standing)
        members.append(member)
        paid += m.paid
        for epoch, schedule in m.schedules.items():
            schedules[index, epoch] = schedule
    receipts = _number(spec.fiscal_year, paid, _duplicates(paid, schedules, rng))
    cofunds, matching = _cofunding(spec, members, start, end, today, rng)
    return DuesPlan(
        plans=plans,
        terms=terms,
        members=tuple(members),
        standings=tuple(standings),
        receipts=receipts,
        cofunds=cofunds,
        matching=matching,
        meetings=tuple(meetings),
        receipts_from=receipts_from,
    )


def _receipts_from(spec: FundSpec, start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    """The first day of the fiscal year the fund began to give receipts in Kongtun.

    The showcase fund has from the start of its books. The others moved later, most of them
    recently, but each has at least a whole fiscal year of receipts; before, the treasurer
    booked each month's collection as one total from the paper register. (It also keeps the
    load quick: every receipt is a receipt row, a book entry and its lines.)
    """
    if spec.ordinal == 0:
        return start
    years = [start]
    while add_months(years[-1], 24) <= end + DAY:
        years.append(add_months(years[-1], 12))
    return rng.choices(years, weights=range(1, len(years) + 1))[0]


def _duplicates(
    paid: Sequence[_Paid], schedules: dict[tuple[int, int], sched.Schedule], rng: random.Random
) -> dict[_Paid, str]:
    """Receipts issued a second time by mistake, each with the reason it is voided that day.

    Only a payment without a fee is copied, and the void comes before the member's next
    payment, so the copy changes no other receipt's paid-through date.
    """
    candidates = [p for p in paid if not p.fee]
    count = min(len(candidates), max(1, round(len(paid) * DUPLICATES_PER_RECEIPT)))
    copies = {}
    for p in sorted(rng.sample(candidates, count)):
        total = p.contribution + p.fee
        paid_through = schedules[p.member, p.epoch].coverage(p.credit + total)[0]
        copy = p._replace(copy=True, contribution=total, paid_through=paid_through)
        copies[copy] = rng.choice(VOID_REASONS)
    return copies


def _number(
    fiscal_year: str, paid: Sequence[_Paid], copies: dict[_Paid, str]
) -> tuple[ReceiptSpec, ...]:
    """Number the receipts in date order (a day's in member order), per fiscal year."""
    last: dict[int, int] = {}
    out = []
    for p in sorted([*paid, *copies]):
        year = fiscal_year_be(fiscal_year, p.date)
        seq = last[year] = last.get(year, 0) + 1
        receipt = ReceiptSpec(
            p.member, p.date, year, seq, p.contribution, p.fee, p.epoch, p.paid_through
        )
        if p.copy:
            receipt = receipt._replace(void_on=p.date, void_reason=copies[p])
        out.append(receipt)
    return tuple(out)


# --- Co-funders -------------------------------------------------------------------------------


def _cofunding(
    spec: FundSpec,
    members: Sequence[MemberSpec],
    start: dt.date,
    end: dt.date,
    today: dt.date,
    rng: random.Random,
) -> tuple[tuple[CofundSpec, ...], tuple[MatchingSpec, ...]]:
    """The local government's money every January (municipal funds and some others) and
    CODI's co-contribution for the funds that apply: approved in June for the members of a
    full year by 30 September, transferred one to two and a half months later, as one round.
    """
    people = _People(members)
    randint = rng.randint
    ratio = rng.choice((Decimal("0.250"), Decimal("0.375"), Decimal("0.500")))
    cap = baht(365 * ratio)
    place = spec.name.removeprefix("กองทุนสวัสดิการชุมชนเทศบาลตำบล").removeprefix(
        "กองทุนสวัสดิการชุมชนตำบล"
    )
    local_role, payer = "", ""
    if spec.kind == Fund.Kind.MUNICIPALITY:
        local_role, payer = "income.municipality", spec.municipality_name
    elif rng.random() < 0.4:
        local_role, payer = "income.tao", f"องค์การบริหารส่วนตำบล{place}"
    per_member = randint(10, 40)
    round_no = randint(1, 6)  # rounds the fund had before the books
    cofunds: list[CofundSpec] = []
    month = start
    while month <= end:
        if local_role and month.month == 1:
            day = month.replace(day=randint(10, 28))
            active = people.active_on(day)
            amount = max(baht(-(-active * per_member // 100) * 100), baht(100))
            year = fiscal_year_be(Fund.FiscalYear.GOVERNMENT, day)
            cofunds.append(
                CofundSpec(
                    Funder.LOCAL_GOV, year, None, day, amount, local_role, payer,
                    f"เงินสมทบจาก{payer} ปีงบประมาณ {year}",
                )
            )  # fmt: skip
        if spec.applying and month.month == 6:
            day = month.replace(day=randint(10, 28))
            cutoff = dt.date(day.year, 9, 30)
            eligible = sum(
                1 for m in people.active_members(day) if (cutoff - m.joined_on).days >= 365
            )
            paid_on = day + dt.timedelta(days=randint(30, 75))
            if eligible and paid_on <= end:
                round_no += 1
                year = be_year(day)
                cofunds.append(
                    CofundSpec(
                        Funder.CODI, year, round_no, paid_on, baht(eligible * cap), "income.codi",
                        "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)",
                        f"รับโอนเงินสมทบจากรัฐบาลผ่าน พอช. ปีงบประมาณ {year} รอบที่ {round_no} "
                        f"({eligible:,} คน × {cap:,.2f} บาท)",
                    )
                )  # fmt: skip
        month = add_months(month, 1)
    current = fiscal_year_be(Fund.FiscalYear.GOVERNMENT, today)
    matching = []
    for year in range(current - MATCHING_YEARS + 1, current + 1):
        matching.append(MatchingSpec(Funder.CODI, year, ratio, cap, 3, 365))
        if local_role:
            local_ratio = (Decimal(per_member) / 365).quantize(Decimal("0.001"))
            matching.append(
                MatchingSpec(Funder.LOCAL_GOV, year, local_ratio, baht(per_member), 10, 365)
            )
    return tuple(cofunds), tuple(matching)
