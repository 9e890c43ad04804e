"""The pure schedule (kongtun.contributions.schedule): worked examples a treasurer can check
with a calendar, then properties that must hold for any plans, payments and days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kongtun.contributions.schedule import (
    DAY,
    Frequency,
    LapseRule,
    Schedule,
    Segment,
    add_months,
    lapse_date,
    next_boundary,
    position,
    schedule_of,
)

D = Decimal
d = dt.date


def daily(start: dt.date, amount: str = "1.00") -> Schedule:
    return schedule_of([(start, "daily", D(amount))])


def monthly(start: dt.date, amount: str = "30.00") -> Schedule:
    return schedule_of([(start, "monthly", D(amount))])


def yearly(start: dt.date, amount: str = "365.00") -> Schedule:
    return schedule_of([(start, "yearly", D(amount))])


# --- One baht a day ----------------------------------------------------------------------------


def test_daily_dues_count_every_day_that_has_started():
    s = daily(d(2024, 1, 1))
    assert s.due_through(d(2023, 12, 31)) == 0
    assert s.due_through(d(2024, 1, 1)) == D("1.00")
    assert s.due_through(d(2024, 1, 31)) == D("31.00")
    assert s.due_through(d(2024, 12, 31)) == D("366.00")  # 2567 CE 2024 is a leap year
    assert s.due_before(d(2024, 1, 31)) == D("30.00")


def test_daily_coverage_keeps_a_part_baht_for_the_next_day():
    s = daily(d(2024, 1, 1))
    assert s.coverage(D("0")) == (d(2023, 12, 31), D("0"))
    assert s.coverage(D("31")) == (d(2024, 1, 31), D("0"))
    assert s.coverage(D("31.50")) == (d(2024, 1, 31), D("0.50"))
    assert s.coverage(D("0.75")) == (d(2023, 12, 31), D("0.75"))


def test_daily_position_ten_baht_paid_as_of_the_31st():
    pos = position(daily(d(2024, 1, 1)), D("10"), d(2024, 1, 31))
    assert pos.paid_through == d(2024, 1, 10)
    assert pos.arrears == D("20.00")  # 11–30 Jan have ended unpaid
    assert pos.due_now == D("21.00")  # and today, 31 Jan
    assert pos.missed_periods == 20
    assert not pos.is_current


# --- 30 baht a month ---------------------------------------------------------------------------


def test_monthly_on_the_15th_runs_from_the_15th_to_the_14th():
    s = monthly(d(2024, 1, 15))
    assert s.due_through(d(2024, 1, 14)) == 0
    assert s.due_through(d(2024, 1, 15)) == D("30.00")
    assert s.due_through(d(2024, 2, 14)) == D("30.00")
    assert s.due_through(d(2024, 2, 15)) == D("60.00")
    assert s.coverage(D("45")) == (d(2024, 2, 14), D("15"))
    assert s.coverage(D("90")) == (d(2024, 4, 14), D("0"))


@pytest.mark.parametrize(
    ("as_of", "arrears", "due_now", "missed"),
    [
        (d(2024, 2, 14), "0.00", "0.00", 0),  # the first month is paid
        (d(2024, 2, 15), "0.00", "15.00", 0),  # the second month runs, half paid
        (d(2024, 3, 14), "0.00", "15.00", 0),
        (d(2024, 3, 15), "15.00", "45.00", 1),  # the second month ended half paid
        (d(2024, 4, 14), "15.00", "45.00", 1),
        (d(2024, 4, 15), "45.00", "75.00", 2),
        (d(2024, 4, 20), "45.00", "75.00", 2),
    ],
)
def test_monthly_position_as_of_various_days(as_of, arrears, due_now, missed):
    pos = position(monthly(d(2024, 1, 15)), D("45"), as_of)
    assert pos.paid_through == d(2024, 2, 14)
    assert pos.credit_left == D("15")
    assert (pos.arrears, pos.due_now, pos.missed_periods) == (D(arrears), D(due_now), missed)


def test_monthly_on_the_31st_clamps_to_the_end_of_shorter_months():
    s = monthly(d(2024, 1, 31))
    starts = [s.segments[0].period_start(k) for k in range(6)]
    assert starts == [
        d(2024, 1, 31),
        d(2024, 2, 29),
        d(2024, 3, 31),  # back on the 31st: always counted from the anchor, never drifting
        d(2024, 4, 30),
        d(2024, 5, 31),
        d(2024, 6, 30),
    ]
    assert s.coverage(D("30")) == (d(2024, 2, 28), D("0"))
    assert s.coverage(D("60")) == (d(2024, 3, 30), D("0"))
    assert s.coverage(D("90")) == (d(2024, 4, 29), D("0"))
    assert s.due_through(d(2024, 2, 28)) == D("30.00")
    assert s.due_through(d(2024, 2, 29)) == D("60.00")
    assert s.segments[0].period_index(d(2024, 3, 30)) == 1
    assert s.segments[0].period_index(d(2024, 3, 31)) == 2


def test_monthly_on_the_31st_in_a_common_year_clamps_to_28_february():
    s = monthly(d(2023, 1, 31))
    assert s.segments[0].period_start(1) == d(2023, 2, 28)
    assert s.coverage(D("30")) == (d(2023, 2, 27), D("0"))
    assert s.coverage(D("60")) == (d(2023, 3, 30), D("0"))
    assert s.due_through(d(2023, 2, 27)) == D("30.00")
    assert s.due_through(d(2023, 2, 28)) == D("60.00")


# --- 365 baht a year ---------------------------------------------------------------------------


def test_yearly_from_29_february_falls_on_28_february_in_common_years():
    s = yearly(d(2024, 2, 29))
    seg = s.segments[0]
    assert [seg.period_start(k) for k in range(5)] == [
        d(2024, 2, 29),
        d(2025, 2, 28),
        d(2026, 2, 28),
        d(2027, 2, 28),
        d(2028, 2, 29),
    ]
    assert s.coverage(D("365")) == (d(2025, 2, 27), D("0"))
    assert s.coverage(D("1460")) == (d(2028, 2, 28), D("0"))
    assert s.due_through(d(2025, 2, 27)) == D("365.00")
    assert s.due_through(d(2025, 2, 28)) == D("730.00")
    pos = position(s, D("365"), d(2026, 3, 1))
    assert (pos.arrears, pos.due_now, pos.missed_periods) == (D("365.00"), D("730.00"), 1)


# --- A plan change ---------------------------------------------------------------------------


def test_daily_then_monthly_from_a_boundary():
    first = Segment(d(2024, 1, 1), Frequency.DAILY, D("1.00"))
    # A daily plan has a boundary every day: the change starts on the day asked.
    starts = next_boundary(first, d(2024, 3, 10))
    assert starts == d(2024, 3, 10)
    s = schedule_of([(d(2024, 1, 1), "daily", D("1.00")), (starts, "monthly", D("30.00"))])
    assert s.due_through(d(2024, 3, 9)) == D("69.00")  # 31 + 29 + 9 days
    assert s.due_through(d(2024, 3, 10)) == D("99.00")
    assert s.due_through(d(2024, 4, 9)) == D("99.00")
    assert s.due_through(d(2024, 4, 10)) == D("129.00")
    assert s.coverage(D("68.50")) == (d(2024, 3, 8), D("0.50"))
    assert s.coverage(D("69")) == (d(2024, 3, 9), D("0"))
    assert s.coverage(D("100")) == (d(2024, 4, 9), D("1"))
    pos = position(s, D("60"), d(2024, 4, 15))
    assert pos.paid_through == d(2024, 2, 29)
    assert pos.arrears == D("39.00")  # 9 days of March and the month 10 Mar – 9 Apr
    assert pos.due_now == D("69.00")
    assert pos.missed_periods == 10
    assert s.current_period_amount(d(2024, 3, 9)) == D("1.00")
    assert s.current_period_amount(d(2024, 3, 10)) == D("30.00")


def test_monthly_then_yearly_waits_for_the_month_to_end():
    first = Segment(d(2024, 1, 15), Frequency.MONTHLY, D("30.00"))
    starts = next_boundary(first, d(2024, 3, 1))
    assert starts == d(2024, 3, 15)
    s = schedule_of([(d(2024, 1, 15), "monthly", D("30.00")), (starts, "yearly", D("365.00"))])
    assert s.due_through(d(2024, 3, 14)) == D("60.00")
    assert s.due_through(d(2024, 3, 15)) == D("425.00")
    assert s.coverage(D("425")) == (d(2025, 3, 14), D("0"))
    assert s.coverage(D("424")) == (d(2024, 3, 14), D("364"))


@pytest.mark.parametrize(
    ("segment", "day", "expected"),
    [
        (Segment(d(2024, 1, 15), Frequency.MONTHLY, D(30)), d(2024, 1, 10), d(2024, 1, 15)),
        (Segment(d(2024, 1, 15), Frequency.MONTHLY, D(30)), d(2024, 3, 15), d(2024, 3, 15)),
        (Segment(d(2024, 1, 15), Frequency.MONTHLY, D(30)), d(2024, 3, 16), d(2024, 4, 15)),
        (Segment(d(2024, 1, 31), Frequency.MONTHLY, D(30)), d(2024, 2, 29), d(2024, 2, 29)),
        (Segment(d(2024, 1, 31), Frequency.MONTHLY, D(30)), d(2024, 3, 1), d(2024, 3, 31)),
        (Segment(d(2024, 2, 29), Frequency.YEARLY, D(365)), d(2025, 1, 1), d(2025, 2, 28)),
        (Segment(d(2024, 2, 29), Frequency.YEARLY, D(365)), d(2025, 3, 1), d(2026, 2, 28)),
        (Segment(d(2024, 1, 1), Frequency.DAILY, D(1)), d(2024, 7, 7), d(2024, 7, 7)),
    ],
)
def test_next_boundary(segment, day, expected):
    assert next_boundary(segment, day) == expected


# --- What to take ----------------------------------------------------------------------------


def test_amount_to_reach_counts_the_part_already_paid():
    s = monthly(d(2024, 1, 15))
    assert s.amount_to_reach(D("45"), 0) == 0
    assert s.amount_to_reach(D("45"), 1) == D("15.00")
    assert s.amount_to_reach(D("45"), 2) == D("45.00")
    assert s.coverage(D("45") + D("45")) == (d(2024, 4, 14), D("0"))


def test_amount_to_reach_across_a_plan_change():
    s = schedule_of([(d(2024, 1, 1), "daily", D("1.00")), (d(2024, 3, 10), "monthly", D("30"))])
    # Paid through 29 Feb: nine days of March, then three months.
    assert s.amount_to_reach(D("60"), 12) == D("99.00")
    assert s.coverage(D("159")) == (d(2024, 6, 9), D("0"))


# --- Lapse -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_through", "rule", "expected"),
    [
        (d(2024, 1, 31), LapseRule(3, "months"), d(2024, 5, 1)),
        (d(2023, 1, 31), LapseRule(3, "months"), d(2023, 5, 1)),
        (d(2023, 1, 31), LapseRule(90, "days"), d(2023, 5, 2)),  # Feb–Apr 2566 has 89 days
        (d(2024, 1, 31), LapseRule(90, "days"), d(2024, 5, 1)),  # and 90 in a leap year
        (d(2024, 11, 30), LapseRule(3, "months"), d(2025, 3, 1)),
        (d(2023, 11, 29), LapseRule(3, "months"), d(2024, 2, 29)),  # 30 Nov + 3 months, clamped
        (d(2023, 12, 31), LapseRule(1, "days"), d(2024, 1, 2)),
    ],
)
def test_lapse_date(paid_through, rule, expected):
    assert lapse_date(paid_through, rule) == expected


def test_add_months_clamps_and_goes_backwards():
    assert add_months(d(2024, 1, 31), 1) == d(2024, 2, 29)
    assert add_months(d(2024, 3, 31), -1) == d(2024, 2, 29)
    assert add_months(d(2024, 12, 15), 1) == d(2025, 1, 15)
    assert add_months(d(2024, 1, 15), -1) == d(2023, 12, 15)


def test_an_empty_schedule_is_refused():
    with pytest.raises(ValueError, match="at least one segment"):
        schedule_of([])


# --- Properties ------------------------------------------------------------------------------

days = st.dates(min_value=d(2000, 1, 1), max_value=d(2060, 12, 31))
frequencies = st.sampled_from(list(Frequency))
# Satang amounts a fund might really charge per period; tiny yearly amounts against a large
# credit would run past the calendar (year 9999), which no member's payments reach.
AMOUNT_RANGE = {
    Frequency.DAILY: (100, 1_000),
    Frequency.MONTHLY: (1_000, 50_000),
    Frequency.YEARLY: (10_000, 500_000),
}


@st.composite
def segment_plan(draw: st.DrawFn) -> tuple[Frequency, Decimal]:
    freq = draw(frequencies)
    low, high = AMOUNT_RANGE[freq]
    return freq, D(draw(st.integers(min_value=low, max_value=high))) / 100


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    """One to three plans, each later one starting at a boundary of the one before, as
    `member_plan_change` makes them."""
    start = draw(st.dates(min_value=d(2000, 1, 1), max_value=d(2030, 12, 31)))
    segs = [Segment(start, *draw(segment_plan()))]
    for _ in range(draw(st.integers(0, 2))):
        last = segs[-1]
        asked = last.start + dt.timedelta(days=draw(st.integers(1, 800)))
        segs.append(Segment(next_boundary(last, asked), *draw(segment_plan())))
    return Schedule(tuple(segs))


credits = st.integers(min_value=0, max_value=2_000_000).map(lambda n: D(n) / 100)


def _periods_covered(s: Schedule, paid_through: dt.date) -> int:
    """Whole periods from the start to `paid_through`, counted one by one."""
    count, day = 0, s.start
    while day <= paid_through:
        seg = s.segment_on(day)
        assert seg is not None
        day = seg.period_start(seg.period_index(day) + 1)
        count += 1
    assert day == paid_through + DAY, "paid-through must end a period"
    return count


@settings(deadline=None)
@given(schedules(), credits, credits)
def test_coverage_is_monotone_in_credit(s, a, b):
    low, high = sorted((a, b))
    assert s.coverage(low)[0] <= s.coverage(high)[0]


@settings(deadline=None)
@given(schedules(), days, days)
def test_due_through_is_monotone_in_the_day(s, a, b):
    first, second = sorted((a, b))
    assert s.due_through(first) <= s.due_through(second)
    assert s.due_before(first) <= s.due_through(first)


@settings(deadline=None)
@given(schedules(), credits)
def test_coverage_ends_a_period_and_leaves_less_than_the_next(s, credit):
    paid_through, left = s.coverage(credit)
    assert left >= 0
    _periods_covered(s, paid_through)
    nxt = s.segment_on(paid_through + DAY)
    assert nxt is not None and left < nxt.amount
    # What is covered plus what is left is exactly the credit: nothing lost, nothing made up.
    assert s.due_through(paid_through) + left == credit


@settings(deadline=None)
@given(schedules(), credits, days)
def test_paying_due_now_leaves_nothing_owed_that_day(s, credit, as_of):
    assume(as_of >= s.start)
    before = position(s, credit, as_of)
    after = position(s, credit + before.due_now, as_of)
    assert (after.arrears, after.due_now, after.missed_periods) == (0, 0, 0)
    seg = s.segment_on(as_of)
    assert seg is not None
    period_end = seg.period_start(seg.period_index(as_of) + 1) - DAY
    assert after.paid_through >= period_end


@settings(deadline=None)
@given(schedules(), credits, days)
def test_paying_the_arrears_reaches_the_running_period(s, credit, as_of):
    assume(as_of >= s.start)
    before = position(s, credit, as_of)
    after = position(s, credit + before.arrears, as_of)
    assert after.arrears == 0 and after.missed_periods == 0
    seg = s.segment_on(as_of)
    assert seg is not None
    assert after.paid_through >= seg.period_start(seg.period_index(as_of)) - DAY


@settings(deadline=None)
@given(schedules(), credits, days)
def test_missed_periods_are_the_ended_periods_not_fully_paid(s, credit, as_of):
    pos = position(s, credit, as_of)
    ended = _periods_covered(s, s.coverage(s.due_before(as_of))[0])
    covered = _periods_covered(s, pos.paid_through)
    assert pos.missed_periods == max(ended - covered, 0)
    assert (pos.arrears > 0) == (pos.missed_periods > 0)
    assert pos.arrears <= pos.due_now


@settings(deadline=None)
@given(schedules(), credits, st.integers(min_value=0, max_value=40))
def test_amount_to_reach_pays_exactly_n_more_periods(s, credit, n):
    paid_through, _left = s.coverage(credit)
    extra = s.amount_to_reach(credit, n)
    assert extra >= 0
    reached, left = s.coverage(credit + extra)
    assert _periods_covered(s, reached) == _periods_covered(s, paid_through) + n
    if n:
        assert left == 0


@settings(deadline=None)
@given(schedules(), days)
def test_next_boundary_is_the_first_period_start_on_or_after_the_day(s, day):
    seg = s.segments[-1]
    nb = next_boundary(seg, day)
    assert nb >= min(day, seg.start) and nb >= seg.start
    assert seg.period_start(seg.period_index(nb)) == nb
    if day > seg.start:
        # No period starts strictly between the day and the boundary found.
        assert seg.period_start(seg.period_index(day) + 1) >= nb


@settings(deadline=None)
@given(schedules())
def test_a_plan_change_never_splits_a_period(s):
    for first, second in zip(s.segments, s.segments[1:], strict=False):
        k = first.period_index(second.start - DAY) + 1
        assert first.period_start(k) == second.start


@settings(deadline=None)
@given(
    st.dates(min_value=d(2000, 1, 1), max_value=d(2060, 12, 31)),
    st.integers(min_value=1, max_value=36),
    st.sampled_from(["months", "days"]),
)
def test_lapse_comes_after_the_rule_length_of_unpaid_time(paid_through, length, unit):
    on = lapse_date(paid_through, LapseRule(length, unit))
    assert on > paid_through + DAY
    if unit == "days":
        assert (on - paid_through).days == length + 1
    else:
        # Lapse is the day the `length`-th unpaid month ends, not a day sooner.
        assert add_months(paid_through + DAY, length - 1) < on
