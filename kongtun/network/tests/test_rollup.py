"""The roll-ups officers read: each fund's row from its books, the areas as the sums of their
funds, the monthly report and the monthly series, all against sums worked out by hand; and
each fund's row agreeing with the indicators its own page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.indicators.selectors import fund_indicators
from kongtun.indicators.tests.conftest import MID_YEAR, SEPT_30, Town, open_town, town  # noqa: F401
from kongtun.ledger.services import chart_install
from kongtun.ledger.tests.conftest import post_entry
from kongtun.network.rollup import Money, area_rollup, province_monthly, series

D = Decimal
pytestmark = pytest.mark.django_db

# Fiscal year 2569 runs from 1 October 2025 to 30 September 2026.
BOOKS: dict[str, list[tuple[dt.date, str, str, str]]] = {
    # date, debit, credit, amount
    "A": [
        (dt.date(2025, 1, 1), "cash", "opening", "10000.00"),
        (dt.date(2025, 9, 20), "cash", "income.members", "1000.00"),  # the year before
        (dt.date(2025, 10, 1), "cash", "income.members", "300.10"),
        (dt.date(2026, 4, 15), "welfare.death", "cash", "2000.00"),
        (dt.date(2026, 4, 30), "bank", "income.tao", "5000.00"),
        (dt.date(2026, 5, 2), "admin.travel", "cash", "150.20"),
        (dt.date(2026, 9, 30), "cash", "income.interest", "0.10"),
        (dt.date(2026, 10, 5), "cash", "income.members", "700.00"),  # the year after
    ],
    "B": [
        (dt.date(2025, 12, 31), "cash", "income.members", "200.20"),
        (dt.date(2026, 4, 1), "cash", "income.donations", "100.00"),
        (dt.date(2026, 4, 10), "welfare.illness", "cash", "50.00"),
        (dt.date(2026, 11, 5), "cash", "income.members", "40.00"),  # the year after
    ],
    "C": [],  # no books at all
    "D": [
        (dt.date(2026, 1, 15), "bank", "income.codi", "999.99"),
        (dt.date(2026, 6, 30), "admin.stationery", "bank", "0.01"),
    ],
}


@pytest.fixture
def funds(fund: Fund, other_fund: Fund, users: dict[str, User]) -> Iterator[dict[str, Fund]]:
    """A (tambon 520101) and B (520102) in amphoe 5201; C and D (both 520201) in 5202."""
    elsewhere = Tambon.objects.get(code="520201")
    cast = {
        "A": fund,
        "B": other_fund,
        "C": Fund.objects.create(
            code="c-fund", name="C", tambon=elsewhere, founded_on=dt.date(2015, 1, 1)
        ),
        "D": Fund.objects.create(
            code="d-fund",
            name="D",
            tambon=elsewhere,
            kind=Fund.Kind.MUNICIPALITY,
            founded_on=dt.date(2015, 1, 1),
        ),
    }
    for name, the_fund in cast.items():
        with fund_scope(the_fund):
            if name != "C":
                chart_install(fund=the_fund)
            for on, debit, credit, amount in BOOKS[name]:
                post_entry(
                    the_fund, users["treasurer"], on, (debit, amount), (credit, "-" + amount)
                )
    yield cast


def _money(
    income: dict[str, str], welfare: str = "0.00", admin: str = "0.00", on_hand: str = "0.00"
) -> tuple[dict[str, Decimal], Decimal, Decimal, Decimal]:
    return ({k: D(v) for k, v in income.items()}, D(welfare), D(admin), D(on_hand))


def _seen(money: Money) -> tuple[dict[str, Decimal], Decimal, Decimal, Decimal]:
    income = {k: v for k, v in money.income.items() if v}
    return (income, money.welfare, money.admin, money.money_on_hand)


def _decimals(money: Money) -> bool:
    values = [*money.income.values(), money.welfare, money.admin, money.money_on_hand]
    return all(isinstance(v, Decimal) for v in values)


# By hand, fiscal year 2569 (to 30 September 2026).
A_2569 = _money(
    {"members": "300.10", "local_gov": "5000.00", "interest": "0.10"},
    welfare="2000.00",
    admin="150.20",
    on_hand="14150.00",  # cash 10,000 + 1,000 + 300.10 − 2,000 − 150.20 + 0.10; bank 5,000
)
B_2569 = _money({"members": "200.20", "donations": "100.00"}, welfare="50.00", on_hand="250.20")
C_2569 = _money({})
D_2569 = _money({"codi": "999.99"}, admin="0.01", on_hand="999.98")


def test_each_fund_and_the_total_for_a_finished_year(funds: dict[str, Fund]) -> None:
    report = area_rollup(funds=list(funds.values()), fiscal_year_be=2569)
    assert (report.start, report.end) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    rows = {row.fund.code: row for row in report.rows}
    expected = {"A": A_2569, "B": B_2569, "C": C_2569, "D": D_2569}
    for name, the_fund in funds.items():
        assert _seen(rows[the_fund.code].money) == expected[name], name
        assert _decimals(rows[the_fund.code].money)
    total = report.total.money
    assert _seen(total) == _money(
        {
            "members": "500.30",
            "local_gov": "5000.00",
            "interest": "0.10",
            "donations": "100.00",
            "codi": "999.99",
        },
        welfare="2050.00",
        admin="150.21",
        on_hand="15400.18",
    )
    assert total.total_income == D("6600.39")
    assert total.contributions == D("500.30")
    # The total is the sum of the funds' rows.
    summed = Money()
    for row in report.rows:
        summed.add(row.money)
    assert _seen(summed) == _seen(total)


def test_areas_group_their_funds(funds: dict[str, Fund]) -> None:
    report = area_rollup(funds=list(funds.values()), fiscal_year_be=2569)
    amphoes = report.by_amphoe()
    assert [(a.code, sorted(r.fund.code for r in a.funds)) for a in amphoes] == [
        ("5201", sorted([funds["A"].code, funds["B"].code])),
        ("5202", ["c-fund", "d-fund"]),
    ]
    assert _seen(amphoes[0].money) == _money(
        {"members": "500.30", "local_gov": "5000.00", "interest": "0.10", "donations": "100.00"},
        welfare="2050.00",
        admin="150.20",
        on_hand="14400.20",
    )
    assert _seen(amphoes[1].money) == _money({"codi": "999.99"}, admin="0.01", on_hand="999.98")
    tambons = report.by_tambon()
    assert [(t.code, len(t.funds)) for t in tambons] == [
        ("520101", 1),
        ("520102", 1),
        ("520201", 2),
    ]
    assert all(t.name for t in tambons)
    for group in (amphoes, tambons):
        summed = Money()
        for area in group:
            summed.add(area.money)
        assert _seen(summed) == _seen(report.total.money)


def test_a_running_year_stops_at_the_day(funds: dict[str, Fund]) -> None:
    report = area_rollup(
        funds=list(funds.values()), fiscal_year_be=2570, today=dt.date(2026, 10, 31)
    )
    assert (report.start, report.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    rows = {row.fund.code: row for row in report.rows}
    assert _seen(rows[funds["A"].code].money) == _money({"members": "700.00"}, on_hand="14850.00")
    # B's 40 baht came on 5 November: after the day of the report.
    assert _seen(rows[funds["B"].code].money) == _money({}, on_hand="250.20")
    later = area_rollup(funds=list(funds.values()), fiscal_year_be=2570, today=dt.date(2026, 11, 5))
    assert later.end == dt.date(2026, 11, 5)
    rows = {row.fund.code: row for row in later.rows}
    assert _seen(rows[funds["B"].code].money) == _money({"members": "40.00"}, on_hand="290.20")
    # A finished year is not cut by the day.
    finished = area_rollup(
        funds=list(funds.values()), fiscal_year_be=2569, today=dt.date(2026, 11, 5)
    )
    assert finished.end == dt.date(2026, 9, 30)


def test_no_funds(db: Any) -> None:
    report = area_rollup(funds=[], fiscal_year_be=2569)
    assert report.rows == [] and report.total.money.total_income == D("0.00")


def test_province_monthly(funds: dict[str, Fund]) -> None:
    report = province_monthly(funds=list(funds.values()), year=2026, month=4)
    got = {the_fund.code: _seen(money) for the_fund, money in report.rows}
    assert got == {
        # On hand at 30 April: cash 10,000 + 1,000 + 300.10 − 2,000; bank 5,000.
        funds["A"].code: _money({"local_gov": "5000.00"}, welfare="2000.00", on_hand="14300.10"),
        funds["B"].code: _money({"donations": "100.00"}, welfare="50.00", on_hand="250.20"),
        "c-fund": _money({}),
        "d-fund": _money({}, on_hand="999.99"),
    }
    assert _seen(report.total) == _money(
        {"local_gov": "5000.00", "donations": "100.00"}, welfare="2050.00", on_hand="15550.29"
    )
    assert (report.year, report.month) == (2026, 4)


def test_series_month_by_month(funds: dict[str, Fund]) -> None:
    points = series(
        funds=list(funds.values()), first=dt.date(2025, 10, 1), last=dt.date(2026, 9, 30)
    )
    assert [p.period for p in points] == [
        202510, 202511, 202512, 202601, 202602, 202603,
        202604, 202605, 202606, 202607, 202608, 202609,
    ]  # fmt: skip
    got = {
        p.period: ({k: v for k, v in p.income.items() if v}, p.welfare, p.admin)
        for p in points
        if any(p.income.values()) or p.welfare or p.admin
    }
    assert got == {
        202510: ({"members": D("300.10")}, D("0.00"), D("0.00")),
        202512: ({"members": D("200.20")}, D("0.00"), D("0.00")),
        202601: ({"codi": D("999.99")}, D("0.00"), D("0.00")),
        202604: ({"local_gov": D("5000.00"), "donations": D("100.00")}, D("2050.00"), D("0.00")),
        202605: ({}, D("0.00"), D("150.20")),
        202606: ({}, D("0.00"), D("0.01")),
        202609: ({"interest": D("0.10")}, D("0.00"), D("0.00")),
    }
    assert points[0].contributions == D("300.10")
    # A month cut short: 1–20 April leaves out the TAO's 5,000 of the 30th.
    april = series(funds=list(funds.values()), first=dt.date(2026, 4, 1), last=dt.date(2026, 4, 20))
    assert len(april) == 1
    assert april[0].income == {"donations": D("100.00")}
    assert april[0].welfare == D("2050.00")


# --- The area's row of a fund is what the fund's own page says ------------------------------


@pytest.mark.parametrize(
    ("today", "on"),
    [(None, SEPT_30), (MID_YEAR, MID_YEAR)],
    ids=["finished", "running"],
)
def test_a_funds_row_agrees_with_its_indicators(
    town: Town,  # noqa: F811
    today: dt.date | None,
    on: dt.date,
) -> None:
    report = area_rollup(funds=[town.fund], fiscal_year_be=2569, today=today)
    assert report.end == on
    row = report.rows[0]
    ind = fund_indicators(fund=town.fund, on=on)
    assert (row.members_total, row.members_current, row.members_new, row.members_eligible) == (
        ind.members.cumulative,
        ind.members.current,
        ind.members.new_this_year,
        ind.members.eligible_for_matching,
    )
    assert {s: a for s, a in row.money.income.items() if a} == {m.source: m.year for m in ind.money}
    assert row.money.admin == ind.admin_costs_year
    assert row.money.money_on_hand == ind.money_on_hand
    assert row.money.welfare == sum((w.baht_year for w in ind.welfare), D("0.00"))
    assert row.welfare_by_category == {
        w.category: (w.claims_year, w.persons_year, w.baht_year)
        for w in ind.welfare
        if w.claims_year
    }
    assert (row.books_closed_through, row.books_current) == (
        ind.books_closed_through,
        ind.books_current,
    )


def test_new_members_in_the_series_are_first_admissions(town: Town) -> None:  # noqa: F811
    points = series(funds=[town.fund], first=dt.date(2025, 10, 1), last=SEPT_30)
    # 007 in December, 010 in May; 013 was admitted again in November, not for the first time.
    assert {p.period: p.members_new for p in points if p.members_new} == {202512: 1, 202605: 1}
    assert (
        sum(p.members_new for p in points)
        == fund_indicators(fund=town.fund, on=SEPT_30).members.new_this_year
    )
