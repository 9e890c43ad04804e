"""The plain-Python model the whole-domain machine (test_domain_machine.py) checks against.

It knows the fund's terms as fixed numbers (30 baht a month, a 20-baht entry fee, lapse after
3 months, pay the arrears and a 10-baht fee to come back) and the two benefits the machine
files (birth: 1,000 after 180 days of membership; help for a non-member: 1,000 from a budget of
3,000 a fiscal year). It imports nothing from the project: every prediction is worked out here
again, from the moves the machine made, so a service that miscounts disagrees with it.

Members join on days 1–28 of a month, so "a month after" is never clamped to a shorter month
and the month arithmetic below stays this simple.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

D = Decimal
ZERO = D("0.00")
MONTHLY = D("30.00")
ENTRY_FEE = D("20.00")
REINSTATEMENT_FEE = D("10.00")
LAPSE_MONTHS = 3
BIRTH, BIRTH_WAIT_DAYS = D("1000.00"), 180
HELP, HELP_BUDGET = D("1000.00"), D("3000.00")
OPENING = {"cash": D("5000.00"), "bank": D("20000.00"), "opening": D("-25000.00")}

APPLICANT, ACTIVE, LAPSED = "applicant", "active", "lapsed"
FILED, APPROVED, REJECTED, PAID = "filed", "approved", "rejected", "paid"


def add_months(day: dt.date, months: int) -> dt.date:
    assert day.day <= 28
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def month_of(day: dt.date, back: int) -> tuple[dt.date, dt.date]:
    """The calendar month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    start = dt.date(index // 12, index % 12 + 1, 1)
    following = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def fiscal_year(day: dt.date, government: bool) -> int:
    """The fund's BE fiscal year: October starts the next one for a government-year fund."""
    return day.year + 543 + (1 if government and day.month >= 10 else 0)


@dataclass
class MemberM:
    pk: int
    joined: dt.date
    status: str
    since: dt.date
    fees_due: Decimal = ENTRY_FEE
    credit: Decimal = ZERO
    # (effective_on, event, status after), in the order recorded.
    history: list[tuple[dt.date, str, str]] = field(default_factory=list)

    def move(self, event: str, to: str, on: dt.date) -> None:
        self.history.append((on, event, to))
        self.status, self.since = to, on

    def months_paid(self) -> int:
        return int(self.credit // MONTHLY)

    def paid_through(self) -> dt.date:
        return add_months(self.joined, self.months_paid()) - dt.timedelta(days=1)

    def arrears_on(self, day: dt.date) -> Decimal:
        """Owed for the months that ended before `day`."""
        if day < self.joined:
            return ZERO
        ended = 0
        while add_months(self.joined, ended + 1) <= day:
            ended += 1
        return max(MONTHLY * ended - self.credit, ZERO)

    def lapse_day(self) -> dt.date:
        """Three months after the paid months run out (never before a month ends unpaid)."""
        return add_months(self.joined, self.months_paid() + LAPSE_MONTHS)

    def status_on(self, day: dt.date) -> str | None:
        found = None
        for on, _event, to in sorted(
            ((on, i, to) for i, (on, _e, to) in enumerate(self.history)), key=lambda r: r[:2]
        ):
            if on <= day:
                found = to
        return found

    def membership_start(self, day: dt.date) -> dt.date:
        approvals = [on for on, event, _to in self.history if event == "approved" and on <= day]
        return max(approvals) if approvals else self.joined


@dataclass
class ReceiptM:
    pk: int
    member: int  # index into Model.members
    date: dt.date
    total: Decimal
    fee: Decimal
    contribution: Decimal
    money: str  # "cash" or "bank"
    entry: int  # its journal entry's number
    key: str | None
    void: bool = False


@dataclass
class ClaimM:
    pk: int
    kind: str  # "birth" or "help"
    member: int | None
    person: str
    event: dt.date
    filed: dt.date
    year: int
    key: str | None
    eligible: bool
    amount: Decimal
    entered_by: int
    status: str = FILED
    decided_by: int | None = None
    meeting_day: dt.date | None = None
    money: str | None = None
    entry: int | None = None


@dataclass
class EntryM:
    number: int
    date: dt.date
    kind: str
    lines: dict[str, Decimal]  # by account role
    owner: tuple[str, int] | None = None  # ("receipt", i), ("claim", i), ("opening", 0)
    reverses: int | None = None
    reversed_by: int | None = None


@dataclass
class CloseM:
    pk: int
    start: dt.date
    end: dt.date
    # What the books held dated inside the month when it was closed: number → fingerprint.
    held: dict[int, str]


@dataclass
class Model:
    today: dt.date
    government_year: bool
    members: list[MemberM] = field(default_factory=list)
    receipts: list[ReceiptM] = field(default_factory=list)
    claims: list[ClaimM] = field(default_factory=list)
    entries: list[EntryM] = field(default_factory=list)
    closes: list[CloseM] = field(default_factory=list)
    pay_keys: dict[str, int] = field(default_factory=dict)
    claim_keys: dict[str, int] = field(default_factory=dict)
    meetings: dict[dt.date, int] = field(default_factory=dict)

    # --- reads -----------------------------------------------------------------------------

    def closed_on(self, day: dt.date) -> CloseM | None:
        return next((c for c in self.closes if c.start <= day <= c.end), None)

    def balances(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for entry in self.entries:
            for role, amount in entry.lines.items():
                totals[role] += amount
        return {role: total for role, total in totals.items() if total}

    def money(self) -> Decimal:
        """Cash and bank, worked out from the events, not from the entries: the opening
        balances, plus every receipt not voided, less every claim paid and not reversed."""
        total = OPENING["cash"] + OPENING["bank"]
        if self.entries[0].reversed_by is not None:
            total -= OPENING["cash"] + OPENING["bank"]
        total += sum((r.total for r in self.receipts if not r.void), ZERO)
        for claim in self.claims:
            if claim.status == PAID:
                assert claim.entry is not None
                if self.entries[claim.entry - 1].reversed_by is None:
                    total -= claim.amount
        return total

    def paid_claims(self) -> bool:
        return any(c.status == PAID for c in self.claims)

    def help_held(self, year: int) -> Decimal:
        return sum(
            (
                c.amount
                for c in self.claims
                if c.kind == "help" and c.year == year and c.eligible
                if c.status in (FILED, APPROVED, PAID)
            ),
            ZERO,
        )

    # --- writes ----------------------------------------------------------------------------

    def post(
        self,
        on: dt.date,
        kind: str,
        lines: dict[str, Decimal],
        owner: tuple[str, int] | None = None,
        reverses: int | None = None,
    ) -> EntryM:
        assert sum(lines.values(), ZERO) == 0
        entry = EntryM(len(self.entries) + 1, on, kind, {k: v for k, v in lines.items() if v})
        entry.owner, entry.reverses = owner, reverses
        if reverses is not None:
            self.entries[reverses - 1].reversed_by = entry.number
        self.entries.append(entry)
        return entry

    def reverse(self, target: EntryM, on: dt.date) -> EntryM:
        negated = {role: -amount for role, amount in target.lines.items()}
        return self.post(on, "reversal", negated, reverses=target.number)
