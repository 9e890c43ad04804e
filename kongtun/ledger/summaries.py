"""Monthly totals of the books: what reports over months and years read instead of the lines.

A database trigger (migration 0008) adds every posted line to its (fund, account, source,
month) total in the same statement, so the totals are current the moment money posts,
whichever code posted it. Reports then read a few rows per account and month; only the part
of a period that does not cover whole months is summed from the lines themselves.

`summary_differences` is the proof: the totals must equal the lines exactly, line counts
included. verify_ledger runs it for every fund that keeps its books here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum

from kongtun.funds.models import Fund
from kongtun.ledger.models import JournalLine, MonthlyTotal
from kongtun.lib.fields import from_satang

# (fund id, account id, source) → signed amount; with `by_period`, the period is appended.
Key = tuple[int, int, str] | tuple[int, int, str, int]


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _line_period_sql() -> str:
    if connection.vendor == "sqlite":
        return "CAST(substr(date, 1, 4) || substr(date, 6, 2) AS INTEGER)"
    return "(EXTRACT(YEAR FROM date) * 100 + EXTRACT(MONTH FROM date))::integer"


def summaries_rebuild(fund: Fund | None = None) -> int:
    """Recompute the totals of one fund (or every fund keeping books here) from its lines.

    Only for repairs and bulk loads that ran without the trigger; the trigger keeps them
    current otherwise. Returns the number of total rows written.
    """
    where, params = ("WHERE fund_id = %s", [fund.pk]) if fund is not None else ("", [])
    kept_elsewhere = list(
        Fund.objects.filter(runs_on=Fund.RunsOn.OWN_COMPUTER).values_list("pk", flat=True)
    )
    if fund is not None and fund.pk in kept_elsewhere:
        return 0  # its totals come from its packages; there are no lines to rebuild from
    skip = ""
    if fund is None and kept_elsewhere:
        skip = f"WHERE fund_id NOT IN ({', '.join(str(pk) for pk in kept_elsewhere)})"
    period = _line_period_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only this module's fixed SQL and integer ids are formatted in; values are parameters.
        cursor.execute(f"DELETE FROM ledger_monthlytotal {where or skip}", params)  # noqa: S608
        cursor.execute(
            f"""INSERT INTO ledger_monthlytotal (fund_id, account_id, source, period, amount, lines)
                SELECT fund_id, account_id, source, {period}, SUM(amount), COUNT(*)
                FROM ledger_journalline {where or skip}
                GROUP BY fund_id, account_id, source, {period}""",  # noqa: S608
            params,
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Difference:
    account_id: int
    source: str
    period: int
    books: tuple[Decimal, int]  # amount and line count summed from the lines
    summary: tuple[Decimal, int]  # what the monthly total says


def summary_differences(fund: Fund) -> list[Difference]:
    """Every (account, source, month) where the totals and the lines disagree; [] when equal."""
    period = _line_period_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT account_id, source, {period}, SUM(amount), COUNT(*)
                FROM ledger_journalline WHERE fund_id = %s
                GROUP BY account_id, source, {period}""",  # noqa: S608
            [fund.pk],
        )
        books = {(a, s, p): (from_satang(int(t)), int(n)) for a, s, p, t, n in cursor.fetchall()}
        cursor.execute(
            "SELECT account_id, source, period, amount, lines FROM ledger_monthlytotal "
            "WHERE fund_id = %s",
            [fund.pk],
        )
        summary = {(a, s, p): (from_satang(int(t)), int(n)) for a, s, p, t, n in cursor.fetchall()}
    none = (Decimal("0.00"), 0)
    return [
        Difference(key[0], key[1], key[2], books.get(key, none), summary.get(key, none))
        for key in sorted(books.keys() | summary.keys())
        if books.get(key, none) != summary.get(key, none)
    ]


def movements(
    *,
    funds: Iterable[Fund | int],
    start: dt.date | None,
    end: dt.date,
    by_period: bool = False,
    accounts: Q | None = None,
) -> dict[Key, Decimal]:
    """Signed sums of posted lines from `start` (the beginning if None) to `end`, inclusive,
    per fund, account and source (and month, with `by_period`).

    Whole months come from the monthly totals; only the days of a month the range cuts are
    summed from the lines, through the (fund, account, date) index. The caller holds the
    scope of the funds. `accounts` filters on the account (e.g. Q(account__type="income")).
    """
    fund_ids = [f if isinstance(f, int) else f.pk for f in funds]
    result: dict[Key, Decimal] = defaultdict(lambda: Decimal("0.00"))
    if not fund_ids:
        return result
    first_whole = start if start is None or start.day == 1 else _next_month(start)
    last_whole = end if end == _month_end(end) else end.replace(day=1) - dt.timedelta(days=1)
    line_ranges: list[tuple[dt.date | None, dt.date]] = []
    if first_whole is not None and first_whole > last_whole:
        # No whole month inside: at most the tail of one month and the head of the next.
        assert start is not None
        if _month_end(start) < end:
            line_ranges += [(start, _month_end(start)), (end.replace(day=1), end)]
        else:
            line_ranges.append((start, end))
    else:
        totals = MonthlyTotal.objects.filter(
            fund_id__in=fund_ids, period__lte=period_of(last_whole)
        )
        if first_whole is not None:
            totals = totals.filter(period__gte=period_of(first_whole))
        if accounts is not None:
            totals = totals.filter(accounts)
        fields = ["fund_id", "account_id", "source", *(["period"] if by_period else [])]
        for row in totals.values(*fields).annotate(total=Sum("amount")).order_by():
            result[tuple(row[f] for f in fields)] += row["total"]
        if start is not None and first_whole is not None and start < first_whole:
            line_ranges.append((start, first_whole - dt.timedelta(days=1)))
        if last_whole < end:
            line_ranges.append((last_whole + dt.timedelta(days=1), end))
    for low, high in line_ranges:
        lines = JournalLine.objects.filter(fund_id__in=fund_ids, date__lte=high)
        if low is not None:
            lines = lines.filter(date__gte=low)
        if accounts is not None:
            lines = lines.filter(accounts)
        for row in (
            lines.values("fund_id", "account_id", "source").annotate(total=Sum("amount")).order_by()
        ):
            key: Key = (row["fund_id"], row["account_id"], row["source"])
            if by_period:
                key = (*key, period_of(high))
            result[key] += row["total"]
    return result
