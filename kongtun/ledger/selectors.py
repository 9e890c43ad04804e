"""Reads of the books. Balances are always sums of posted lines, never stored numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from kongtun.funds.models import Fund
from kongtun.ledger import summaries
from kongtun.ledger.core import ZERO, shown
from kongtun.ledger.models import Account, JournalEntry, JournalLine


def accounts_of(*, fund: Fund, active_only: bool = False) -> QuerySet[Account]:
    accounts = Account.objects.filter(fund=fund)
    return accounts.filter(is_active=True) if active_only else accounts


def account_balance(*, fund: Fund, account: Account, on: dt.date | None = None) -> Decimal:
    """Signed balance (debits positive) of one account at the end of `on`."""
    lines = JournalLine.objects.filter(fund=fund, account=account)
    if on is not None:
        lines = lines.filter(date__lte=on)
    total: Decimal | None = lines.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def balances(
    *, fund: Fund, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, Decimal]:
    """Signed movement per account id between `start` and `end` (inclusive; None = open)."""
    if end is None:
        end = dt.date.max
    totals: dict[int, Decimal] = {}
    for key, amount in summaries.movements(funds=[fund], start=start, end=end).items():
        totals[key[1]] = totals.get(key[1], ZERO) + amount
    return totals


@dataclass
class TrialBalanceRow:
    account: Account
    debit: Decimal
    credit: Decimal


@dataclass
class TrialBalance:
    on: dt.date
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)


def trial_balance(*, fund: Fund, on: dt.date) -> TrialBalance:
    totals = balances(fund=fund, end=on)
    rows = [
        TrialBalanceRow(a, max(totals[a.pk], ZERO), max(-totals[a.pk], ZERO))
        for a in accounts_of(fund=fund)
        if totals.get(a.pk)
    ]
    return TrialBalance(on, rows)


@dataclass
class BookLine:
    date: dt.date
    entry: JournalEntry
    account: Account
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class Book:
    """A cash book, a bank book or a ledger account: opening balance, lines, closing balance."""

    accounts: list[Account]
    start: dt.date
    end: dt.date
    opening: Decimal
    lines: list[BookLine] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def total_debit(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), ZERO)


def account_book(*, fund: Fund, accounts: list[Account], start: dt.date, end: dt.date) -> Book:
    """Lines of the given accounts in date order, with a running balance as people read it."""
    ids = [a.pk for a in accounts]
    kind = accounts[0].type if accounts else "asset"
    before = JournalLine.objects.filter(fund=fund, account_id__in=ids, date__lt=start)
    opening_signed: Decimal = before.aggregate(t=Sum("amount"))["t"] or ZERO
    book = Book(accounts, start, end, shown(kind, opening_signed))
    running = opening_signed
    lines = (
        JournalLine.objects.filter(fund=fund, account_id__in=ids, date__range=(start, end))
        .select_related("entry", "account")
        .order_by("date", "entry__number", "pk")
    )
    for ln in lines:
        running += ln.amount
        book.lines.append(
            BookLine(
                date=ln.date,
                entry=ln.entry,
                account=ln.account,
                memo=ln.entry.memo,
                debit=max(ln.amount, ZERO),
                credit=max(-ln.amount, ZERO),
                balance=shown(kind, running),
            )
        )
    return book


def money_accounts(*, fund: Fund, role: str) -> list[Account]:
    return list(Account.objects.filter(fund=fund, role=role).order_by("code"))


def entries_of(*, fund: Fund, query: str = "") -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(fund=fund).select_related("reverses", "created_by")
    if query:
        entries = entries.filter(
            Q(memo__icontains=query) | Q(number=query if query.isdigit() else -1)
        )
    return entries.order_by("-number")
