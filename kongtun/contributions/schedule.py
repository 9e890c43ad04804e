"""What a member owes and how far their payments reach, as pure Python (no Django).

A member's contributions are a *schedule*: consecutive segments, each a plan (so much per
day, month or year) from a start date. Periods are anchored on the segment's start date, so a
member who started on the 15th pays for the 15th to the 14th of the next month. A plan change
takes effect at a period boundary of the plan before it (`next_boundary`), so no period is
ever split and no amount is ever prorated.

Payments are not tied to periods. Their sum (the *credit*) is laid over the periods in order:
the last period fully covered gives the paid-through date, and what is left over waits for
the next period. So everything shown to a treasurer (paid through, arrears, amount due,
missed periods, lapse date) is computed from the plan and the payments, never typed in.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

ZERO = Decimal("0.00")
DAY = dt.timedelta(days=1)


class Frequency(StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"
    YEARLY = "yearly"


def add_months(anchor: dt.date, months: int) -> dt.date:
    """The anchor moved by whole months, the day clamped to the month's length (31 Jan + 1
    month → 28 or 29 Feb)."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


class Segment(NamedTuple):
    start: dt.date
    frequency: Frequency
    amount: Decimal  # per period

    def period_start(self, k: int) -> dt.date:
        """Start of the segment's k-th period (k from 0), always computed from the anchor."""
        if self.frequency == Frequency.DAILY:
            return self.start + k * DAY
        months = k if self.frequency == Frequency.MONTHLY else 12 * k
        return add_months(self.start, months)

    def period_index(self, day: dt.date) -> int:
        """Index of the period that contains `day` (negative before the segment starts)."""
        if self.frequency == Frequency.DAILY:
            return (day - self.start).days
        step = 1 if self.frequency == Frequency.MONTHLY else 12
        k = ((day.year - self.start.year) * 12 + day.month - self.start.month) // step
        # The month count can overshoot by one when the day of month has not come yet.
        while self.period_start(k) > day:
            k -= 1
        while self.period_start(k + 1) <= day:
            k += 1
        return k


class Schedule(NamedTuple):
    """Consecutive segments, earliest first; the last one runs on without end."""

    segments: tuple[Segment, ...]

    @property
    def start(self) -> dt.date:
        return self.segments[0].start

    def _bounded(self) -> list[tuple[Segment, int | None]]:
        """Each segment with its number of periods (None for the open-ended last one)."""
        out: list[tuple[Segment, int | None]] = []
        for i, seg in enumerate(self.segments):
            if i + 1 < len(self.segments):
                nxt = self.segments[i + 1].start
                out.append((seg, seg.period_index(nxt - DAY) + 1 if nxt > seg.start else 0))
            else:
                out.append((seg, None))
        return out

    def due_through(self, day: dt.date) -> Decimal:
        """What must have been paid, in all, for every period that has started by `day`."""
        total = ZERO
        for seg, count in self._bounded():
            if day < seg.start:
                break
            started = seg.period_index(day) + 1
            if count is not None:
                started = min(started, count)
            total += seg.amount * started
        return total

    def due_before(self, day: dt.date) -> Decimal:
        """What must have been paid for every period that ended before `day`."""
        return self.due_through(day) - self.current_period_amount(day)

    def current_period_amount(self, day: dt.date) -> Decimal:
        seg = self.segment_on(day)
        return seg.amount if seg is not None else ZERO

    def segment_on(self, day: dt.date) -> Segment | None:
        found = None
        for seg in self.segments:
            if seg.start <= day:
                found = seg
        return found

    def coverage(self, credit: Decimal) -> tuple[dt.date, Decimal]:
        """How far `credit` reaches: (paid-through date, credit left over towards the next period).

        With no full period paid, the paid-through date is the day before the schedule starts.
        """
        left = credit
        paid_through = self.start - DAY
        for seg, count in self._bounded():
            if seg.amount <= 0:
                # A free plan covers its whole segment; an open-ended one covers nothing further.
                if count is None:
                    break
                paid_through = seg.period_start(count) - DAY
                continue
            full = int(left // seg.amount)
            if count is not None and full >= count:
                left -= seg.amount * count
                paid_through = seg.period_start(count) - DAY
                continue
            left -= seg.amount * full
            if full:
                paid_through = seg.period_start(full) - DAY
            break
        return paid_through, left

    def amount_to_reach(self, credit: Decimal, periods: int) -> Decimal:
        """What pays `periods` more whole periods beyond what `credit` already covers."""
        paid_through, left = self.coverage(credit)
        total = ZERO
        day = paid_through + DAY
        for _ in range(periods):
            seg = self.segment_on(day)
            if seg is None:  # cannot happen after the start; kept for safety of the loop
                break
            total += seg.amount
            day = seg.period_start(seg.period_index(day) + 1)
        return max(total - left, ZERO)


class Position(NamedTuple):
    """A member's standing as of a day."""

    as_of: dt.date
    paid_through: dt.date
    credit_left: Decimal  # paid towards the next period, not yet a whole one
    arrears: Decimal  # owed for periods that have ended
    due_now: Decimal  # arrears plus the period running today, if not paid
    missed_periods: int  # ended periods not fully paid

    @property
    def is_current(self) -> bool:
        return self.arrears == 0


def position(schedule: Schedule, credit: Decimal, as_of: dt.date) -> Position:
    paid_through, left = schedule.coverage(credit)
    arrears = max(schedule.due_before(as_of) - credit, ZERO)
    due_now = max(schedule.due_through(as_of) - credit, ZERO)
    missed = 0
    if arrears > 0:
        running = 1 if as_of >= schedule.start else 0
        missed = max(_started(schedule, as_of) - running - _started(schedule, paid_through), 0)
    return Position(as_of, paid_through, left, arrears, due_now, missed)


def _started(schedule: Schedule, day: dt.date) -> int:
    """How many periods have started by `day`, counted per segment rather than one by one:
    a member years behind on a daily plan would otherwise cost thousands of steps."""
    started = 0
    for seg, count in schedule._bounded():
        if day < seg.start:
            break
        here = seg.period_index(day) + 1
        started += here if count is None else min(here, count)
    return started


def next_boundary(segment: Segment, day: dt.date) -> dt.date:
    """The first period start of `segment` on or after `day`: where a plan change may begin."""
    if day <= segment.start:
        return segment.start
    k = segment.period_index(day)
    start = segment.period_start(k)
    return start if start == day else segment.period_start(k + 1)


class LapseRule(NamedTuple):
    """Lapse when nothing has been covered for `length` whole months (or days)."""

    length: int
    unit: str  # "months" or "days"


def lapse_date(paid_through: dt.date, rule: LapseRule) -> dt.date:
    """The day `rule` has run out for payments that reach `paid_through`."""
    if rule.unit == "days":
        return paid_through + (rule.length + 1) * DAY
    return add_months(paid_through + DAY, rule.length)


def overdue_from(schedule: Schedule, paid_through: dt.date) -> dt.date:
    """The first day a period has ended unpaid: the end of the period after `paid_through`.

    Until then nothing is in arrears, so nobody lapses: a yearly payer paid up to December
    owes the new year's money, but it is not overdue until that year has ended.
    """
    day = max(paid_through + DAY, schedule.start)
    seg = schedule.segment_on(day)
    assert seg is not None  # day is on or after the schedule's start
    return seg.period_start(seg.period_index(day) + 1)


def lapse_day(schedule: Schedule, paid_through: dt.date, rule: LapseRule) -> dt.date:
    """The day a member lapses under `rule`: once the rule's time has run out and a period
    has ended unpaid."""
    return max(lapse_date(paid_through, rule), overdue_from(schedule, paid_through))


def schedule_of(segments: Sequence[tuple[dt.date, str, Decimal]]) -> Schedule:
    ordered = sorted(segments, key=lambda s: s[0])
    if not ordered:
        raise ValueError("a schedule needs at least one segment")
    return Schedule(
        tuple(Segment(start, Frequency(freq), amount) for start, freq, amount in ordered)
    )
