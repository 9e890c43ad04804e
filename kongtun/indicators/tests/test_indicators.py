"""A fund's indicators against a hand count of the story in conftest.py, on two dates: in the
middle of fiscal year 2569 (15 April 2026) and on CODI's 30 September 2026."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import (
    Indicators,
    NoIndicators,
    SourceMoney,
    TypeCount,
    WelfareLine,
    codi_snapshot_date,
    fund_indicators,
    imported_indicators,
    indicators_or_none,
    last_snapshot_date,
)
from kongtun.indicators.services import year_end_snapshot
from kongtun.indicators.tests.conftest import MID_YEAR, SEPT_30, Town
from kongtun.ledger.tests.conftest import post_entry

D = Decimal
pytestmark = pytest.mark.django_db


def test_snapshot_dates() -> None:
    assert codi_snapshot_date(2569) == dt.date(2026, 9, 30)
    assert last_snapshot_date(dt.date(2026, 9, 30)) == dt.date(2026, 9, 30)
    assert last_snapshot_date(dt.date(2026, 9, 29)) == dt.date(2025, 9, 30)
    assert last_snapshot_date(dt.date(2026, 10, 1)) == dt.date(2026, 9, 30)


# --- members ----------------------------------------------------------------------------------


def test_members_in_the_middle_of_the_year(town: Town) -> None:
    m = fund_indicators(fund=town.fund, on=MID_YEAR).members
    # Admitted by 15 Apr 2026: 001–007, 011, 012, 013 (not 008 or 009, never admitted; not
    # 010, admitted later). 013 left and came back: one person, counted once.
    assert m.cumulative == 10
    # Less 005 (resigned 10 Feb); 004 has lapsed but is still a member.
    assert m.current == 9
    # On 30 Sep 2025, members since 1 Oct 2024 or earlier: 001, 002 (joined 1 Oct 2024: a full
    # year, 1 Oct – 30 Sep), 004, 005, 006, 011, 012. Not 003 (a day short), 007 (not yet),
    # 013 (resigned then).
    assert m.eligible_as_of == dt.date(2025, 9, 30)
    assert m.eligible_for_matching == 7
    # First admitted since 1 Oct 2025: 007. 013 was admitted again, not for the first time.
    assert m.new_this_year == 1
    assert m.by_type == {
        "general": TypeCount(4, 4),  # 001, 004, 007, 012
        "elderly": TypeCount(3, 3),  # 002, 006, 013
        "child": TypeCount(1, 1),  # 003
        "disabled": TypeCount(1, 0),  # 005, resigned
        "disadvantaged": TypeCount(0, 0),  # 009 died an applicant: never a member
        "orphan": TypeCount(1, 1),  # 011
    }


def test_members_on_30_september(town: Town) -> None:
    m = fund_indicators(fund=town.fund, on=SEPT_30).members
    assert m.cumulative == 11  # and 010, admitted 1 May 2026
    assert m.current == 9  # 006 died 15 Jun 2026; 010 joined
    # On 30 Sep 2026, members since 1 Oct 2025 or earlier: 001, 002, 003, 004 (lapsed but a
    # member), 011, 012. Not 007 (Dec 2025), 010, 013 (admitted again Nov 2025), 005, 006.
    assert m.eligible_as_of == SEPT_30
    assert m.eligible_for_matching == 6
    assert m.new_this_year == 2  # 007, 010
    assert m.by_type["general"] == TypeCount(5, 5)
    assert m.by_type["elderly"] == TypeCount(3, 2)
    assert sum(t.cumulative for t in m.by_type.values()) == m.cumulative
    assert sum(t.current for t in m.by_type.values()) == m.current


def test_villages_count_the_fund_area_once_each(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    # Current members' villages: moo 1 (001, and 011 through the branch "moo 1"), moo 2,
    # moo 3, moo 4 (013), moo 5 (006), moo 6 (007's branch). 012 lives in another tambon:
    # their moo 8 is not one of this tambon's villages.
    assert mid.villages_covered == 6
    assert mid.villages_in_area == 10
    assert mid.village_coverage_percent == D("60.00")
    # 30 Sep: 006 died, so moo 5 has no member left.
    assert fund_indicators(fund=town.fund, on=SEPT_30).villages_covered == 5


# --- money --------------------------------------------------------------------------------------


def test_money_by_source_for_the_year_and_since_the_start(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    assert mid.money == [
        SourceMoney("members", D("1200.00"), D("2200.00")),
        SourceMoney("local_gov", D("7000.00"), D("7000.00")),  # TAO 5,000 + municipality 2,000
        SourceMoney("donations", D("300.00"), D("800.00")),
    ]
    assert mid.contributions_year == D("1200.00")
    assert mid.contributions_cumulative == D("2200.00")
    assert mid.local_gov_year == D("7000.00")
    assert mid.income_year == D("8500.00")  # the opening balance is not income
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    assert end.money == [
        SourceMoney("members", D("2000.00"), D("3000.00")),
        SourceMoney("entry_fees", D("40.00"), D("40.00")),
        SourceMoney("local_gov", D("7000.00"), D("7000.00")),
        SourceMoney("donations", D("300.00"), D("800.00")),
        SourceMoney("interest", D("12.34"), D("12.34")),
    ]
    assert end.income_year == D("9352.34")


def test_money_on_hand_and_fund_balance(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    # Cash: 20,000 + 1,000 − 1,000 (c1) − 500 (c2) + 1,200 − 1,000 (c3) − 1,000 (c4)
    # − 500 (c5) − 1,000 (c6) − 150 + 300 − 80.25 = 17,269.75; bank 500 + 5,000 + 2,000.
    assert mid.money_on_hand == D("24769.75")
    assert mid.fund_balance == D("24669.75")  # less the 100 still owed
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    # + 800 − 1,000 (c7) − 500 + 40 cash, + 12.34 bank.
    assert end.money_on_hand == D("24122.09")
    assert end.fund_balance == D("24022.09")


def test_admin_cost_against_the_cap(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    # Admin 150 + 100 + 80.25 = 330.25; welfare booked this year 1,000 + 1,000 + 500 + 1,000.
    # 330.25 × 100 ÷ 3,830.25 = 8.622…
    assert mid.admin_costs_year == D("330.25")
    assert mid.admin_percent == D("8.62")
    assert mid.admin_cap_percent == D("15.00")
    assert mid.admin_exceeded is False
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    # 830.25 × 100 ÷ (830.25 + 4,500) = 15.576…
    assert end.admin_costs_year == D("830.25")
    assert end.admin_percent == D("15.58")
    assert end.admin_exceeded is True


# --- welfare --------------------------------------------------------------------------------


def test_welfare_by_category_for_the_year_and_in_total(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    assert mid.welfare == [
        # 001 twice (c4, c6).
        WelfareLine("birth", 1, 2, D("2000.00"), 1, 2, D("2000.00")),
        # This year 001's child (c5); in all also 006's child (c2).
        WelfareLine("education", 1, 1, D("500.00"), 2, 2, D("1000.00")),
        # นางสมศรี twice (c1 last year, c3), however her name was typed. c8 is unpaid.
        WelfareLine("non_members", 1, 1, D("1000.00"), 1, 2, D("2000.00")),
    ]
    assert mid.welfare_paid_year == D("3500.00")
    assert mid.welfare_paid_total == D("5000.00")
    assert mid.welfare_types_year == 2  # birth and education; help to non-members is apart
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    assert end.welfare[2] == WelfareLine(
        "non_members", 2, 2, D("2000.00"), 2, 3, D("3000.00")
    )  # and นายสมชาย (c7)
    assert end.welfare_paid_year == D("4500.00")
    assert end.welfare_paid_total == D("6000.00")


# --- books, regulation, meetings ----------------------------------------------------------


def test_books_current_and_year_closed(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    assert mid.books_last_entry == dt.date(2026, 4, 15)
    assert mid.books_closed_through == dt.date(2026, 3, 31)
    assert mid.books_current is True  # closed to within the months the rule allows
    assert mid.year_closed is True  # 2568 closed
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    assert end.books_last_entry == dt.date(2026, 9, 30)
    assert end.books_closed_through == dt.date(2026, 3, 31)
    assert end.books_current is False  # April to June are still open


def test_books_not_closed(open_town: Town) -> None:
    mid = fund_indicators(fund=open_town.fund, on=MID_YEAR)
    assert mid.books_closed_through is None
    assert mid.books_current is False
    assert mid.year_closed is False


def test_regulation_register_and_meetings(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    assert mid.regulation_in_force is True
    assert mid.regulation_adopted_on == dt.date(2020, 1, 1)
    assert mid.register_kept is True
    assert mid.committee_meeting_dates == [
        dt.date(2025, 10, 20),
        dt.date(2025, 12, 8),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 15),
    ]
    assert mid.committee_meetings_year == 4
    end = fund_indicators(fund=town.fund, on=SEPT_30)
    assert end.committee_meetings_year == 5
    before = fund_indicators(fund=town.fund, on=dt.date(2019, 12, 31))
    assert before.regulation_in_force is False
    assert before.regulation_adopted_on is None


def test_the_fund_and_its_year(town: Town) -> None:
    mid = fund_indicators(fund=town.fund, on=MID_YEAR)
    assert (mid.fund_code, mid.as_of, mid.fiscal_year_be) == (town.fund.code, MID_YEAR, 2569)
    assert mid.year_start == dt.date(2025, 10, 1)
    assert mid.years_operating == 16  # founded 15 Jan 2010
    assert mid.imported is False
    assert fund_indicators(fund=town.fund, on=dt.date(2026, 1, 14)).years_operating == 15
    assert fund_indicators(fund=town.fund, on=dt.date(2010, 3, 1)).years_operating == 0


def test_an_empty_fund(in_fund: Fund) -> None:
    empty = fund_indicators(fund=in_fund, on=MID_YEAR)
    assert empty.members.cumulative == empty.members.current == 0
    assert empty.villages_covered == 0
    assert empty.money == [] and empty.welfare == []
    assert empty.money_on_hand == D("0.00") and empty.admin_percent == D("0.00")
    assert empty.books_last_entry is None and empty.books_current is False
    assert empty.register_kept is False and empty.regulation_in_force is False


# --- as a dict ------------------------------------------------------------------------------


def _no_floats(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return True


def test_as_dict_round_trip_and_json(town: Town) -> None:
    for on in (MID_YEAR, SEPT_30):
        found = fund_indicators(fund=town.fund, on=on)
        data = found.as_dict()
        assert _no_floats(data)
        text = json.dumps(data, ensure_ascii=False)
        back = Indicators.from_dict(json.loads(text))
        assert back == found
        assert back.as_dict() == data
        assert data["money_on_hand"] == found.money_on_hand.to_eng_string()
    with pytest.raises(ValueError, match="format"):
        Indicators.from_dict({**data, "format": 99})


# --- the 30 September snapshot -----------------------------------------------------------------


def test_year_end_snapshot_is_frozen(town: Town, users: dict[str, User]) -> None:
    first = year_end_snapshot(fund=town.fund, fiscal_year_be=2569, actor=users["chair"])
    assert first.kind == IndicatorSnapshot.Kind.YEAR_END
    assert first.as_of == SEPT_30
    assert first.data == fund_indicators(fund=town.fund, on=SEPT_30).as_dict()
    # A late entry dated inside the year changes the live figures, not the snapshot.
    post_entry(town.fund, users["treasurer"], dt.date(2026, 9, 15),
               ("cash", "77.00"), ("income.members", "-77.00"))  # fmt: skip
    live = fund_indicators(fund=town.fund, on=SEPT_30)
    assert live.contributions_year == D("2077.00")
    again = year_end_snapshot(fund=town.fund, fiscal_year_be=2569, actor=users["treasurer"])
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.data["contributions_year"] == "2000.00"
    assert Indicators.from_dict(again.data).contributions_year == D("2000.00")
    assert IndicatorSnapshot.objects.filter(fund=town.fund).count() == 1


# --- funds on their own computer -----------------------------------------------------------


def _imported(fund: Fund, found: Indicators, as_of: dt.date, **changes: Any) -> IndicatorSnapshot:
    sent = dataclasses.replace(
        found, fund_code=fund.code, fund_name=fund.name, as_of=as_of, **changes
    )
    return IndicatorSnapshot.objects.create(
        fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=as_of, data=sent.as_dict()
    )


def test_a_laptop_fund_shows_what_its_packages_brought(town: Town, other_fund: Fund) -> None:
    found = fund_indicators(fund=town.fund, on=MID_YEAR)
    other_fund.runs_on = Fund.RunsOn.OWN_COMPUTER
    other_fund.save(update_fields=["runs_on"])
    with fund_scope(other_fund):
        with pytest.raises(NoIndicators):
            fund_indicators(fund=other_fund, on=MID_YEAR)
        assert indicators_or_none(fund=other_fund, on=MID_YEAR) is None
        _imported(other_fund, found, dt.date(2026, 3, 31), money_on_hand=D("100.00"))
        _imported(other_fund, found, dt.date(2026, 6, 30), money_on_hand=D("200.00"))
        with pytest.raises(NoIndicators):
            imported_indicators(fund=other_fund, on=dt.date(2026, 3, 30))
        april = fund_indicators(fund=other_fund, on=MID_YEAR)
        assert april.imported is True
        assert april.as_of == dt.date(2026, 3, 31)
        assert april.money_on_hand == D("100.00")
        assert april.members == found.members
        assert april.fund_code == other_fund.code
        latest = imported_indicators(fund=other_fund, on=SEPT_30)
        assert (latest.as_of, latest.money_on_hand, latest.imported) == (
            dt.date(2026, 6, 30),
            D("200.00"),
            True,
        )
