"""The arrears list and the fund's figures, worked out by hand for the village in village.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kongtun.conftest import member_data
from kongtun.contributions import arrears
from kongtun.contributions.selectors import member_position
from kongtun.contributions.services import payment_record, terms_update
from kongtun.contributions.tests.village import TODAY, Village, build, freeze_today
from kongtun.members.services import member_register

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def village(books: Any, plan: Any, users: Any, monkeypatch: Any) -> Village:
    freeze_today(monkeypatch)
    return build(books, users, plan)


def _table(listing: arrears.ArrearsList) -> list[tuple[str | None, list[tuple[str, ...]]]]:
    return [
        (
            g.branch.name if g.branch else None,
            [
                (
                    r.member.number,
                    r.plan.name,
                    str(r.position.paid_through),
                    str(r.position.missed_periods),
                    str(r.arrears),
                    str(r.fees_due),
                    str(r.total),
                )
                for r in g.rows
            ],
        )
        for g in listing.branches
    ]


def test_the_arrears_list_as_of_today(village: Village) -> None:
    listing = arrears.arrears_list(fund=village.fund, as_of=TODAY)
    assert _table(listing) == [
        (
            "บ้านเหนือ",
            [
                ("1", "รายเดือน 30 บาท", "2024-03-31", "2", "60.00", "0.00", "60.00"),
                ("2", "รายเดือน 30 บาท", "2023-12-31", "5", "150.00", "20.00", "170.00"),
            ],
        ),
        ("บ้านใต้", [("4", "วันละบาท", "2024-03-31", "80", "80.00", "0.00", "80.00")]),
        ("บ้านกลาง", [("5", "รายเดือน 30 บาท", "2024-01-31", "4", "120.00", "0.00", "120.00")]),
        (None, [("6", "รายเดือน 30 บาท", "2024-01-31", "4", "120.00", "0.00", "120.00")]),
    ]
    subtotals = [(g.arrears, g.fees_due, g.total) for g in listing.branches]
    assert subtotals == [
        (D("210.00"), D("20.00"), D("230.00")),
        (D("80.00"), D("0.00"), D("80.00")),
        (D("120.00"), D("0.00"), D("120.00")),
        (D("120.00"), D("0.00"), D("120.00")),
    ]
    assert (listing.members, listing.arrears, listing.fees_due, listing.total) == (
        5,
        D("530.00"),
        D("20.00"),
        D("550.00"),
    )


def test_the_arrears_list_as_of_an_earlier_day(village: Village) -> None:
    listing = arrears.arrears_list(fund=village.fund, as_of=dt.date(2024, 3, 31))
    # m1 has paid to 31 March and m4's first month is still running; Moo 2 owes nothing.
    assert [(g.branch.name if g.branch else None, g.total) for g in listing.branches] == [
        ("บ้านเหนือ", D("80.00")),
        ("บ้านกลาง", D("30.00")),
        (None, D("30.00")),
    ]
    assert (listing.arrears, listing.fees_due) == (D("120.00"), D("20.00"))


def test_one_branch_only(village: Village) -> None:
    listing = arrears.arrears_list(fund=village.fund, as_of=TODAY, branch=village.moo1)
    assert [r.member.number for g in listing.branches for r in g.rows] == ["1", "2"]
    assert listing.total == D("230.00")


def test_each_row_agrees_with_the_members_own_position(village: Village) -> None:
    """The fund-wide computation is the one-member selector's, member by member."""
    for fig in arrears.fund_figures(fund=village.fund, as_of=TODAY):
        one = member_position(fig.member, TODAY)
        assert one is not None
        assert (fig.position, fig.fees_due, fig.plan) == (one.position, one.fees_due, one.plan)


def test_a_few_queries_for_the_whole_fund(village: Village, users: Any) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            arrears.arrears_list(fund=village.fund, as_of=TODAY)
        return len(queries)

    few = count()
    for seed in range(20, 40):
        data = member_data(seed, joined_on=dt.date(2024, 1, 1), branch=village.moo2)
        member = member_register(fund=village.fund, actor=users["treasurer"], data=data)
        if seed % 2:
            payment_record(member=member, actor=users["treasurer"], amount=D("50"))
    assert count() == few <= 5


def test_the_fund_figures(village: Village) -> None:
    summary = arrears.fund_summary(fund=village.fund, as_of=TODAY)
    assert summary == arrears.Summary(
        current=1, behind=4, lapsed=1, arrears=D("530.00"), fees_due=D("20.00")
    )


def test_members_on_each_plan(village: Village) -> None:
    counts = arrears.plan_members(fund=village.fund, on=TODAY)
    # m4 is on the daily plan from 1 April; the applicant counts, the resigned member not.
    assert counts == {village.monthly.pk: 6, village.daily.pk: 1}
    before = arrears.plan_members(fund=village.fund, on=dt.date(2024, 3, 31))
    assert before == {village.monthly.pk: 7}


def test_no_terms_no_figures(in_fund: Any) -> None:
    assert arrears.arrears_list(fund=in_fund, as_of=TODAY).branches == []
    assert arrears.lapse_preview(fund=in_fund, as_of=TODAY) is None


def test_never_lapsing_terms_preview_nothing(village: Village, users: Any) -> None:
    terms_update(
        fund=village.fund,
        actor=users["treasurer"],
        default_plan=village.monthly,
        lapse_after=0,
        lapse_unit="months",
        reinstatement="pay_arrears",
        reinstatement_fee=D("0"),
    )
    assert arrears.lapse_preview(fund=village.fund, as_of=TODAY) is None
