"""A fund's statements for the public: the year month by month, its income and expenditure,
and what the fund holds on the date.

Every figure comes from the ledger's own statements and monthly totals, so the public page
says what the committee's printed statements say. Those totals also exist for a fund that
keeps its books on its own computer (its packages bring them), so its statements are shown
too, through the last whole month its latest package covers.

Two things the printed statements show are not shown here. A welfare category whose claims
of the year the fund page does not show (1 to 4, or hidden to protect one) has no line of
its own: its baht would give the claims back. And an account name the publishing screen
refuses (a fund may name a debtor in one) is shown as "Account" and its code.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kongtun.contributions.matching import government_year
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.selectors import fund_indicators
from kongtun.ledger import summaries
from kongtun.ledger.core import ZERO, AccountType, shown
from kongtun.ledger.models import Account
from kongtun.ledger.statements import (
    IncomeExpenditure,
    Period,
    Position,
    Row,
    financial_position,
    income_expenditure,
)
from kongtun.public.fund_pages_common import (
    PACKAGE,
    RECORDS,
    categories_not_shown,
    fund_row,
    keeps_records_here,
    months_of,
    package_of_year,
    refused_texts,
    subject_of,
)
from kongtun.public.lookup import year_as_of
from kongtun.public.specs import STATEMENTS
from kongtun.public.tables import Page


def _month_text(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"


def _kind(account: Account) -> str:
    """Where an account's movement goes in the monthly table (as the income and expenditure
    statement splits expenses: by the account's role)."""
    if account.type == AccountType.INCOME:
        return "income"
    if account.type != AccountType.EXPENSE:
        return ""  # money moving between what the fund holds and owes is neither
    if account.role.startswith("welfare."):
        return "welfare"
    if account.role.startswith("admin."):
        return "admin"
    return "other_expenses"


def monthly_rows(*, fund: Fund, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One row per month from `start` to `end`: money in, spent by kind, and the difference.

    Months after `end` are left out rather than shown as zeros: a month that has not come yet
    has no figures, and a zero would say nothing came in. The caller holds the fund's scope.
    """
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund)}
    moved = summaries.movements(funds=[fund], start=start, end=end, by_period=True)
    sums: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for key, amount in moved.items():
        account = accounts[key[1]]
        kind = _kind(account)
        if kind:
            period = int(key[-1])  # with by_period, the month ends the key
            sums[(period, kind)] += shown(account.type, amount)
    rows = []
    for period in months_of(start, end):
        values = {k: sums[(period, k)] for k in ("income", "welfare", "admin", "other_expenses")}
        spent = values["welfare"] + values["admin"] + values["other_expenses"]
        rows.append({"month": _month_text(period), **values, "surplus": values["income"] - spent})
    return rows


IE_SECTIONS = ("income", "welfare", "admin", "other")  # the position's: assets, liabilities, fund


def _account_rows(section: str, rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {"section": section, "account": r.code, "name": r.account.name, "amount": r.amount}
        for r in rows
    ]


WELFARE_ROLE = "welfare."


def welfare_account_rows(rows: list[Row], not_shown: Collection[str]) -> list[dict[str, Any]]:
    """The welfare accounts; those of the categories in `not_shown` added up on one line with
    no account code and no category's name. One account alone is put on that line too: its
    baht is then the section's total less the lines shown, which the page gives anyway, but
    which category it is stays unsaid."""
    shown_rows = []
    together = ZERO
    merged = False
    for r in rows:
        if r.account.role.removeprefix(WELFARE_ROLE) in not_shown:
            together += r.amount
            merged = True
        else:
            shown_rows.append(r)
    found = _account_rows("welfare", shown_rows)
    if merged:
        found.append(
            {
                "section": "welfare",
                "account": None,
                "name": _("Welfare in categories with too few claims to show apart"),
                "amount": together,
            }
        )
    return found


def income_expenditure_rows(
    ie: IncomeExpenditure, welfare_not_shown: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The statement's accounts by section. Income comes grouped by source in the statement,
    and one account may carry two sources: here each account is one row, its sources added.
    The welfare of the categories in `welfare_not_shown` is one line (welfare_account_rows)."""
    income: dict[str, Row] = {}
    for group in ie.income:
        for r in group.rows:
            if r.code in income:
                income[r.code] = Row(r.account, income[r.code].amount + r.amount)
            else:
                income[r.code] = Row(r.account, r.amount)
    return [
        *_account_rows("income", [income[code] for code in sorted(income)]),
        *welfare_account_rows(ie.welfare, welfare_not_shown),
        *_account_rows("admin", ie.admin),
        *_account_rows("other", ie.other_expenses),
    ]


def screen_names(fund: Fund, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with every account name the publishing screen refuses replaced by "Account"
    and the account's code: a fund may have typed a person's name into one ("ลูกหนี้เงินยืม
    นาย…"), and the code says nothing of anyone. The caller holds the fund's scope."""
    refused = refused_texts(fund, (r["name"] for r in rows if r["account"] is not None))
    return [
        {**r, "name": _("Account %(code)s") % {"code": r["account"]}}
        if r["account"] is not None and r["name"] in refused
        else r
        for r in rows
    ]


def position_rows(position: Position) -> list[dict[str, Any]]:
    """Assets, liabilities and the fund balance by account. The surplus of all years so far is
    not an account (the ledger computes it, never stores it): its row has no account code."""
    assets = position.cash + position.banks + position.receivables + position.other_assets
    rows = [
        *_account_rows("assets", assets),
        *_account_rows("liabilities", position.liabilities),
        *_account_rows("fund", position.equity),
    ]
    if position.accumulated_surplus:
        rows.append(
            {
                "section": "fund",
                "account": None,
                "name": _("Income less expenses so far"),
                "amount": position.accumulated_surplus,
            }
        )
    return rows


@dataclass(frozen=True)
class Books:
    """What the HTML page adds up under the tables: the totals the statements print."""

    income: Decimal
    welfare: Decimal
    admin: Decimal
    other: Decimal
    surplus: Decimal
    assets: Decimal
    liabilities: Decimal
    fund_balance: Decimal
    money_on_hand: Decimal
    admin_percent: Decimal


def _month_end(period: int) -> dt.date:
    year, month = divmod(period, 100)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _last_whole_month_end(day: dt.date) -> dt.date:
    """A package as of a date brings the months wholly before it (kongtun.exchange)."""
    if day == _month_end(day.year * 100 + day.month):
        return day
    return day.replace(day=1) - dt.timedelta(days=1)


def _empty(fund: Fund, fiscal_year: int, as_of: dt.date, source: str, **extra: Any) -> Page:
    return Page(
        STATEMENTS,
        subject_of(fund),
        as_of=as_of,
        fiscal_year=fiscal_year,
        tables={
            "fund": fund_row(fund=fund, fiscal_year=fiscal_year, as_of=as_of, source=source),
            "monthly": STATEMENTS.table_spec("monthly").table([]),
            "income_expenditure": STATEMENTS.table_spec("income_expenditure").table([]),
            "position": STATEMENTS.table_spec("position").table([]),
        },
        source=source,
        extra=extra,
    )


def statements_page(*, fund: Fund, fiscal_year: int, today: dt.date) -> Page:
    """The fund's statements for a government fiscal year (BE), as of its end or today.

    "The year" is the government year for every fund, as on the fund page, so the two pages'
    yearly figures agree; a fund keeping its books by calendar year prints its own year apart.
    """
    start = government_year(fiscal_year)[0]
    as_of = year_as_of(fiscal_year, today)
    source = RECORDS
    with fund_scope(fund):
        if keeps_records_here(fund):
            # The fund page's figures on the same date: its welfare table decides which
            # categories' baht may be shown apart.
            figures = fund_indicators(fund=fund, on=as_of)
        else:
            source = PACKAGE
            package = package_of_year(fund=fund, fiscal_year=fiscal_year, on=as_of)
            if package is None:
                return _empty(fund, fiscal_year, as_of, source, no_package=True)
            figures = package  # the fund page shows this package
            as_of = _last_whole_month_end(package.as_of)
            if as_of < start:
                return _empty(fund, fiscal_year, as_of, source, no_whole_month=True)
        ie = income_expenditure(fund=fund, period=Period(start, as_of, fiscal_year))
        position = financial_position(fund=fund, on=as_of)
        monthly = monthly_rows(fund=fund, start=start, end=as_of)
        lines = screen_names(
            fund,
            [
                *income_expenditure_rows(ie, categories_not_shown(figures.welfare)),
                *position_rows(position),
            ],
        )
        tables = {
            "fund": fund_row(fund=fund, fiscal_year=fiscal_year, as_of=as_of, source=source),
            "monthly": STATEMENTS.table_spec("monthly").table(monthly),
            "income_expenditure": STATEMENTS.table_spec("income_expenditure").table(
                [r for r in lines if r["section"] in IE_SECTIONS]
            ),
            "position": STATEMENTS.table_spec("position").table(
                [r for r in lines if r["section"] not in IE_SECTIONS]
            ),
        }
    books = Books(
        income=ie.total_income,
        welfare=ie.total_welfare,
        admin=ie.total_admin,
        other=ie.total_other_expenses,
        surplus=ie.surplus,
        assets=position.total_assets,
        liabilities=position.total_liabilities,
        fund_balance=position.fund_balance,
        money_on_hand=position.total_money,
        admin_percent=ie.ratio.percent,
    )
    return Page(
        STATEMENTS,
        subject_of(fund),
        as_of=as_of,
        fiscal_year=fiscal_year,
        tables=tables,
        source=source,
        extra={"books": books},
    )
