"""The fund's financial statements, read from posted lines: nothing here writes.

Four statements for any period: receipts and payments (cash basis), income and expenditure
(every income and expense line), financial position at the end date, and the trial balance;
plus the administration-cost ratio that CODI and the fund's regulation cap.

Every figure is a sum of posted lines (Decimal baht from integer satang), so each statement
adds up exactly: opening money + receipts − payments = closing money, and assets = liabilities
+ fund balance, to the satang.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from kongtun.funds.models import Fund
from kongtun.ledger import summaries
from kongtun.ledger.core import ZERO, AccountType, shown
from kongtun.ledger.models import Account, JournalLine, Source
from kongtun.ledger.selectors import TrialBalance, balances, trial_balance
from kongtun.lib.thaidate import be_year, format_date

MONEY_ROLES = ("cash", "bank")
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
DEFAULT_ADMIN_CAP = Decimal("20.00")
# BE years before 2484 began on 1 April (see kongtun.lib.thaidate); no fund keeps books that old.
FIRST_BE_YEAR = 2484
LAST_BE_YEAR = 2700


# --- Periods ---------------------------------------------------------------------------------


def fiscal_year_bounds(fund: Fund, be_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the fund's fiscal year `be_year` (a Buddhist-era year).

    The government year is named by the BE year it ends in: FY2569 = 1 Oct 2025 – 30 Sep 2026.
    A calendar-year fund's year 2569 is 1 Jan – 31 Dec 2026.
    """
    if not FIRST_BE_YEAR <= be_year <= LAST_BE_YEAR:
        raise ValueError(f"fiscal year {be_year} is outside {FIRST_BE_YEAR}–{LAST_BE_YEAR}")
    ce = be_year - 543
    if fund.fiscal_year == Fund.FiscalYear.GOVERNMENT:
        return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)
    return dt.date(ce, 1, 1), dt.date(ce, 12, 31)


def fiscal_year_of(fund: Fund, date: dt.date) -> int:
    """The BE name of the fund's fiscal year that `date` falls in."""
    if fund.fiscal_year == Fund.FiscalYear.GOVERNMENT and date.month >= 10:
        return be_year(date) + 1
    return be_year(date)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    fiscal_year: int | None = None

    @classmethod
    def of_fiscal_year(cls, fund: Fund, year: int) -> Period:
        start, end = fiscal_year_bounds(fund, year)
        return cls(start, end, year)

    @property
    def label_th(self) -> str:
        """The period as the printed statements name it (always Thai)."""
        span = f"{format_date_th(self.start)} ถึง {format_date_th(self.end)}"
        if self.fiscal_year is None:
            return f"ตั้งแต่วันที่ {span}"
        return f"ปีบัญชี {self.fiscal_year} ({span})"


def format_date_th(date: dt.date) -> str:
    """A long Thai date whatever the user's language: printed statements are in Thai."""
    with translation.override("th"):
        return format_date(date, "long")


# --- Shared rows -----------------------------------------------------------------------------


@dataclass
class Row:
    """One account's figure in a statement, as people read it (see core.shown)."""

    account: Account
    amount: Decimal

    @property
    def code(self) -> str:
        return self.account.code


def _total(rows: list[Row]) -> Decimal:
    return sum((r.amount for r in rows), ZERO)


def _accounts(fund: Fund) -> dict[int, Account]:
    return {a.pk: a for a in Account.objects.filter(fund=fund).order_by("code")}


# --- 1. Receipts and payments (งบรับ-จ่ายเงิน) ------------------------------------------------


@dataclass
class MoneyRow:
    account: Account
    opening: Decimal
    closing: Decimal


@dataclass
class TransferRow:
    """Money moved between the fund's own cash and bank accounts: neither received nor paid.

    `source`/`target` are None when one entry moved money among more than two money accounts,
    where which account fed which is not recorded.
    """

    source: Account | None
    target: Account | None
    amount: Decimal


@dataclass
class ReceiptsPayments:
    period: Period
    money: list[MoneyRow]
    receipts: list[Row]
    payments: list[Row]
    transfers: list[TransferRow]

    @property
    def opening(self) -> Decimal:
        return sum((m.opening for m in self.money), ZERO)

    @property
    def closing(self) -> Decimal:
        return sum((m.closing for m in self.money), ZERO)

    @property
    def total_receipts(self) -> Decimal:
        return _total(self.receipts)

    @property
    def total_payments(self) -> Decimal:
        return _total(self.payments)

    @property
    def total_transfers(self) -> Decimal:
        return sum((t.amount for t in self.transfers), ZERO)

    @property
    def balances(self) -> bool:
        return self.opening + self.total_receipts - self.total_payments == self.closing


def receipts_payments(*, fund: Fund, period: Period) -> ReceiptsPayments:
    """Money in and out of cash and bank in the period, by the account on the other side.

    For each entry that touches a money account, its other lines are what was received or
    paid: a line's negated amount is money in (credit income 500 → received 500). No pro-rata
    split is needed, because the non-money lines of an entry add up to exactly the net money
    movement. Income accounts are always receipts and expense accounts always payments (a
    reversal shows as a negative amount in the same row, so an entry and its reversal in the
    same period cancel); other accounts (receivables, payables, opening balances) fall on the
    side of their net amount. Entries with only money lines are transfers.
    """
    accounts = _accounts(fund)
    money_ids = {pk for pk, a in accounts.items() if a.role in MONEY_ROLES}
    before = balances(fund=fund, end=period.start - dt.timedelta(days=1))
    to_end = balances(fund=fund, end=period.end)
    money = [
        MoneyRow(accounts[pk], before.get(pk, ZERO), to_end.get(pk, ZERO))
        for pk in sorted(money_ids, key=lambda pk: accounts[pk].code)
    ]

    in_period = JournalLine.objects.filter(fund=fund, date__range=(period.start, period.end))
    touched = in_period.filter(account_id__in=money_ids).values("entry_id")
    lines = in_period.filter(entry_id__in=touched).values_list("entry_id", "account_id", "amount")
    by_entry: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for entry_id, account_id, signed in lines:
        # MoneyField reads back as Decimal; the stubs only know the integer column under it.
        by_entry[entry_id].append((account_id, signed))

    counter: dict[int, Decimal] = defaultdict(lambda: ZERO)
    transfers: dict[tuple[int | None, int | None], Decimal] = defaultdict(lambda: ZERO)
    for entry_lines in by_entry.values():
        moved: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for account_id, amount in entry_lines:
            if account_id in money_ids:
                moved[account_id] += amount
            else:
                counter[account_id] -= amount
        _add_transfer(transfers, moved)

    receipts: list[Row] = []
    payments: list[Row] = []
    for pk, net in sorted(counter.items(), key=lambda item: accounts[item[0]].code):
        account = accounts[pk]
        if net == 0:
            continue
        if account.type == AccountType.INCOME:
            receipts.append(Row(account, net))
        elif account.type == AccountType.EXPENSE:
            payments.append(Row(account, -net))
        elif net > 0:
            receipts.append(Row(account, net))
        else:
            payments.append(Row(account, -net))
    transfer_rows = [
        TransferRow(accounts.get(s) if s else None, accounts.get(t) if t else None, amount)
        for (s, t), amount in sorted(
            transfers.items(), key=lambda item: _pair_key(accounts, item[0])
        )
        if amount
    ]
    return ReceiptsPayments(period, money, receipts, payments, transfer_rows)


def _add_transfer(
    transfers: dict[tuple[int | None, int | None], Decimal], moved: dict[int, Decimal]
) -> None:
    """Add the part of one entry's money movement that went from one money account to another.

    What came into money accounts beyond the net received is money that left another money
    account: Σ increases − max(net, 0). A plain deposit of cash into the bank is all transfer;
    a receipt is none.
    """
    increases = sum((m for m in moved.values() if m > 0), ZERO)
    net = sum(moved.values(), ZERO)
    amount = increases - max(net, ZERO)
    if amount <= 0:
        return
    sources = [pk for pk, m in moved.items() if m < 0]
    targets = [pk for pk, m in moved.items() if m > 0]
    if len(sources) == 1 and len(targets) == 1:
        transfers[(sources[0], targets[0])] += amount
    else:
        transfers[(None, None)] += amount


def _pair_key(accounts: dict[int, Account], pair: tuple[int | None, int | None]) -> tuple[str, str]:
    s, t = pair
    return (accounts[s].code if s else "~", accounts[t].code if t else "~")


# --- 2. Income and expenditure (งบรายได้-ค่าใช้จ่าย) -----------------------------------------


@dataclass
class SourceGroup:
    """Income from one source of money (members, CODI, local government, …)."""

    source: str
    rows: list[Row]

    @property
    def label(self) -> str:
        return source_label(self.source)

    @property
    def label_th(self) -> str:
        return source_label_th(self.source)

    @property
    def total(self) -> Decimal:
        return _total(self.rows)


def source_label(source: str) -> str:
    if source in Source.values:
        return str(Source(source).label)
    return _("No source recorded")


# The printed statements are Thai documents whatever language the screen is in, as CODI and
# the members read them; these are the names CODI's annual fund-data form uses.
SOURCE_TH: dict[str, str] = {
    Source.MEMBERS: "เงินสมทบ (สัจจะ) ของสมาชิก",
    Source.ENTRY_FEES: "ค่าสมัครแรกเข้า",
    Source.CODI: "เงินสมทบจากรัฐบาลผ่าน พอช.",
    Source.CODI_SEED: "เงินสนับสนุนจาก พอช.",
    Source.LOCAL_GOV: "เงินสมทบจากองค์กรปกครองส่วนท้องถิ่น",
    Source.OTHER_GOV: "เงินสนับสนุนจากหน่วยงานรัฐอื่น",
    Source.DONATIONS: "เงินบริจาค",
    Source.INTEREST: "ดอกเบี้ยเงินฝาก",
    Source.COMMUNITY: "ผลกำไรจากกลุ่มองค์กรชุมชน",
    Source.OTHER: "แหล่งอื่น",
}


def source_label_th(source: str) -> str:
    """A source of money by its Thai name, for printed statements."""
    if source == "":
        return "ไม่ระบุแหล่งเงิน"
    return SOURCE_TH.get(source, source_label(source))


@dataclass
class AdminRatio:
    """Administration costs as a share of what the fund spent on welfare and administration.

    CODI: a community welfare fund "can devote no more than 20% of the fund size to
    administration and management costs; the remaining sum must be allocated to members".
    We measure the period's spending: ratio = administration ÷ (welfare + administration)
    expenses of the period, in percent, rounded half-up to 0.01. Expenses that are neither
    welfare nor administration (e.g. bank charges booked to another account) count in neither.
    With no welfare or administration expenses the ratio is 0 and nothing is exceeded. The cap
    is the fund's own (Fund.admin_cost_cap_percent, 20 unless its regulation says otherwise);
    the ratio exceeds it only when strictly greater.
    """

    welfare: Decimal
    admin: Decimal
    cap: Decimal

    @property
    def percent(self) -> Decimal:
        spent = self.welfare + self.admin
        if spent <= 0:
            return Decimal("0.00")
        return (self.admin * HUNDRED / spent).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)

    @property
    def exceeded(self) -> bool:
        return self.percent > self.cap


def admin_ratio(*, fund: Fund, period: Period) -> AdminRatio:
    """The administration-cost ratio of the period against the fund's cap (see AdminRatio)."""
    ie = income_expenditure(fund=fund, period=period)
    return ie.ratio


@dataclass
class IncomeExpenditure:
    period: Period
    income: list[SourceGroup]
    welfare: list[Row]
    admin: list[Row]
    other_expenses: list[Row]
    cap: Decimal = DEFAULT_ADMIN_CAP

    @property
    def total_income(self) -> Decimal:
        return sum((g.total for g in self.income), ZERO)

    @property
    def total_welfare(self) -> Decimal:
        return _total(self.welfare)

    @property
    def total_admin(self) -> Decimal:
        return _total(self.admin)

    @property
    def total_other_expenses(self) -> Decimal:
        return _total(self.other_expenses)

    @property
    def total_expenses(self) -> Decimal:
        return self.total_welfare + self.total_admin + self.total_other_expenses

    @property
    def surplus(self) -> Decimal:
        """Income less expenses: negative is a deficit."""
        return self.total_income - self.total_expenses

    @property
    def deficit(self) -> Decimal:
        return -self.surplus

    @property
    def ratio(self) -> AdminRatio:
        return AdminRatio(self.total_welfare, self.total_admin, self.cap)


def _movement_by_account_and_source(
    *, fund: Fund, start: dt.date | None, end: dt.date, types: tuple[str, ...]
) -> list[tuple[int, str, Decimal]]:
    # Years of books: read the monthly totals, not the lines (kongtun.ledger.summaries).
    moved = summaries.movements(
        funds=[fund], start=start, end=end, accounts=Q(account__type__in=types)
    )
    return [(key[1], key[2], total) for key, total in moved.items() if total]


def _source_order(source: str) -> int:
    values = list(Source.values)
    return values.index(source) if source in values else len(values)


def income_expenditure(*, fund: Fund, period: Period) -> IncomeExpenditure:
    """Income by source and account; expenses as welfare (by CODI category), administration
    and other; the surplus or deficit of the period.

    Income is grouped by the source recorded on each line (which defaults to the income
    account's source when it is posted), so one account may appear under two sources.
    """
    accounts = _accounts(fund)
    moved = _movement_by_account_and_source(
        fund=fund, start=period.start, end=period.end, types=("income", "expense")
    )
    income: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    expense: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, source, total in moved:
        account = accounts[pk]
        if account.type == AccountType.INCOME:
            income[source][pk] += shown(account.type, total)
        else:
            expense[pk] += shown(account.type, total)

    groups = [
        SourceGroup(source, _rows(accounts, by_account))
        for source, by_account in sorted(income.items(), key=lambda item: _source_order(item[0]))
    ]
    groups = [g for g in groups if g.rows]
    expense_rows = _rows(accounts, expense)
    return IncomeExpenditure(
        period=period,
        income=groups,
        welfare=[r for r in expense_rows if r.account.role.startswith("welfare.")],
        admin=[r for r in expense_rows if r.account.role.startswith("admin.")],
        other_expenses=[
            r for r in expense_rows if not r.account.role.startswith(("welfare.", "admin."))
        ],
        cap=fund.admin_cost_cap_percent,
    )


def _rows(accounts: dict[int, Account], amounts: dict[int, Decimal]) -> list[Row]:
    return [
        Row(accounts[pk], amount)
        for pk, amount in sorted(amounts.items(), key=lambda item: accounts[item[0]].code)
        if amount
    ]


# --- 3. Financial position (งบแสดงฐานะการเงิน) ----------------------------------------------


@dataclass
class SourceBalance:
    """Whose money the fund holds: what came in from one source less what was spent from it.

    `source` "" collects what carries no source: opening balances not split by source and,
    mostly, expenses that were not tagged with the money they were paid from.
    """

    source: str
    equity: Decimal = ZERO
    income: Decimal = ZERO
    expenses: Decimal = ZERO

    @property
    def label(self) -> str:
        if self.source == "":
            return _("Not tagged with a source")
        return source_label(self.source)

    @property
    def label_th(self) -> str:
        return source_label_th(self.source)

    @property
    def balance(self) -> Decimal:
        return self.equity + self.income - self.expenses


@dataclass
class Position:
    on: dt.date
    cash: list[Row]
    banks: list[Row]
    receivables: list[Row]
    other_assets: list[Row]
    liabilities: list[Row]
    equity: list[Row]
    accumulated_surplus: Decimal
    by_source: list[SourceBalance] = field(default_factory=list)

    @property
    def total_assets(self) -> Decimal:
        return sum(
            (_total(rows) for rows in (self.cash, self.banks, self.receivables, self.other_assets)),
            ZERO,
        )

    @property
    def total_money(self) -> Decimal:
        return _total(self.cash) + _total(self.banks)

    @property
    def total_liabilities(self) -> Decimal:
        return _total(self.liabilities)

    @property
    def total_equity(self) -> Decimal:
        return _total(self.equity)

    @property
    def fund_balance(self) -> Decimal:
        return self.total_equity + self.accumulated_surplus

    @property
    def total_liabilities_and_fund(self) -> Decimal:
        return self.total_liabilities + self.fund_balance

    @property
    def balances(self) -> bool:
        return self.total_assets == self.total_liabilities_and_fund

    @property
    def by_source_total(self) -> SourceBalance:
        """The sum of every source's row; its balance is the fund balance."""
        total = SourceBalance("*")
        for s in self.by_source:
            total.equity += s.equity
            total.income += s.income
            total.expenses += s.expenses
        return total


def financial_position(*, fund: Fund, on: dt.date) -> Position:
    """Assets, liabilities and the fund balance at the end of `on`.

    The fund balance is the equity accounts (opening balances, accumulated fund) plus every
    income less every expense up to `on`: there are no closing entries, so the surplus of all
    years so far is computed, never stored. Because every entry balances, assets equal
    liabilities plus fund balance exactly.
    """
    accounts = _accounts(fund)
    totals = balances(fund=fund, end=on)
    rows: dict[str, list[Row]] = defaultdict(list)
    surplus = ZERO
    for pk, account in accounts.items():
        signed = totals.get(pk, ZERO)
        if not signed:
            continue
        if account.type in (AccountType.INCOME, AccountType.EXPENSE):
            surplus -= signed
            continue
        rows[_position_group(account)].append(Row(account, shown(account.type, signed)))

    by_source: dict[str, SourceBalance] = {}
    moved = _movement_by_account_and_source(
        fund=fund, start=None, end=on, types=("income", "expense", "equity")
    )
    for pk, source, total in moved:
        account = accounts[pk]
        balance = by_source.setdefault(source, SourceBalance(source))
        if account.type == AccountType.INCOME:
            balance.income -= total
        elif account.type == AccountType.EXPENSE:
            balance.expenses += total
        else:
            balance.equity -= total
    ordered = sorted(
        (b for b in by_source.values() if b.equity or b.income or b.expenses),
        key=lambda b: _source_order(b.source) if b.source else len(Source.values) + 1,
    )
    return Position(
        on=on,
        cash=rows["cash"],
        banks=rows["bank"],
        receivables=rows["receivable"],
        other_assets=rows["asset"],
        liabilities=rows["liability"],
        equity=rows["equity"],
        accumulated_surplus=surplus,
        by_source=ordered,
    )


def _position_group(account: Account) -> str:
    if account.type == AccountType.ASSET:
        if account.role in MONEY_ROLES:
            return account.role
        if account.role.startswith("receivable"):
            return "receivable"
        return "asset"
    return str(account.type)


# --- 4. Trial balance (งบทดลอง) and all four together ---------------------------------------


def statement_trial_balance(*, fund: Fund, period: Period) -> TrialBalance:
    """Every account's balance at the period's end, in debit and credit columns."""
    return trial_balance(fund=fund, on=period.end)


STATEMENTS = ("receipts", "income", "position", "trial")


@dataclass
class Statements:
    """The statements a page or a file shows, each computed only when asked for."""

    fund: Fund
    period: Period
    kinds: tuple[str, ...]
    receipts: ReceiptsPayments | None = None
    income: IncomeExpenditure | None = None
    position: Position | None = None
    trial: TrialBalance | None = None


def statements_for(*, fund: Fund, period: Period, kinds: tuple[str, ...]) -> Statements:
    """Compute the named statements (any of STATEMENTS) of `fund` for `period`."""
    unknown = set(kinds) - set(STATEMENTS)
    if unknown:
        raise ValueError(f"unknown statements: {sorted(unknown)}")
    result = Statements(fund, period, kinds)
    if "receipts" in kinds:
        result.receipts = receipts_payments(fund=fund, period=period)
    if "income" in kinds:
        result.income = income_expenditure(fund=fund, period=period)
    if "position" in kinds:
        result.position = financial_position(fund=fund, on=period.end)
    if "trial" in kinds:
        result.trial = statement_trial_balance(fund=fund, period=period)
    return result


def fiscal_years_with_books(fund: Fund, today: dt.date) -> list[int]:
    """The fiscal years to offer in the picker: the first one with entries up to the current."""
    first = (
        JournalLine.objects.filter(fund=fund)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    current = fiscal_year_of(fund, today)
    start = fiscal_year_of(fund, first) if first else current
    start = min(start, current)
    return list(range(current, start - 1, -1))
