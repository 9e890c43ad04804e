"""What a fund's public pages share: the row that says which fund and which date, the fund's
figures from a package when it keeps its records on its own computer, the welfare table and
which categories it does not show apart, the screen that keeps people's names off the pages,
and the months that have a notice-board poster."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from kongtun.contributions.matching import government_year, government_year_of
from kongtun.funds.models import Fund
from kongtun.indicators.selectors import Indicators, WelfareLine, indicators_or_none
from kongtun.ledger.core import ZERO
from kongtun.lib.thaidate import be_year
from kongtun.public.services import person_screen
from kongtun.public.specs import FUND
from kongtun.public.suppress import Count, protect_group, total_of, withhold
from kongtun.public.tables import Subject, Table
from kongtun.welfare.describe import category_label

RECORDS = "records"
PACKAGE = "package"


def subject_of(fund: Fund) -> Subject:
    return Subject("fund", fund.code, fund.name)


def whole_years(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def fund_row(*, fund: Fund, fiscal_year: int, as_of: dt.date, source: str) -> Table:
    """The one row of table "fund": who, where, and the date the figures stand at."""
    tambon = fund.tambon
    return FUND.table_spec("fund").table(
        [
            {
                "code": fund.code,
                "name": fund.name,
                "tambon_code": tambon.code,
                "tambon": tambon.name,
                "amphoe": tambon.amphoe.name,
                "province": tambon.amphoe.province.name,
                "founded_on": fund.founded_on,
                "years_operating": whole_years(fund.founded_on, as_of),
                "fiscal_year_be": fiscal_year,
                "as_of": as_of,
                "source": source,
            }
        ]
    )


def keeps_records_here(fund: Fund) -> bool:
    return fund.runs_on != Fund.RunsOn.OWN_COMPUTER


def package_of_year(*, fund: Fund, fiscal_year: int, on: dt.date) -> Indicators | None:
    """The latest package's figures, when they belong to `fiscal_year`; the caller holds the
    fund's scope. A package from an earlier year says nothing of this one: its "this year"
    figures are another year's, so the page says no package has come yet."""
    found = indicators_or_none(fund=fund, on=on)
    if found is None or government_year_of(found.as_of) != fiscal_year:
        return None
    return found


def local_day_end(day: dt.date) -> dt.datetime:
    """The first instant after `day` in Thailand: "recorded by the end of the day" is before it."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def months_of(start: dt.date, end: dt.date) -> list[int]:
    """The months (yyyymm) from `start`'s to `end`'s, in order."""
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def poster_months(fund: Fund, fiscal_year: int, as_of: dt.date) -> list[tuple[int, int]]:
    """The months of government fiscal year `fiscal_year` (BE) that have a notice-board poster,
    through `as_of`'s month: (year BE, month), October first.

    None before the month the fund was founded (kongtun.public.poster.poster_month answers
    those 404; the founding month has one), and none at all for a fund that keeps its records
    on its own computer: this server has no month's detail of it to print.
    """
    if not keeps_records_here(fund):
        return []
    start, end = government_year(fiscal_year)
    founded = fund.founded_on.replace(day=1)
    found = []
    for period in months_of(max(start, founded), min(as_of, end)):
        year, month = divmod(period, 100)
        found.append((be_year(dt.date(year, month, 1)), month))
    return found


# --- the welfare table ----------------------------------------------------------------------


def welfare_category_name(key: str) -> str:
    if key == "non_members":
        return _("Help to non-members in need")
    return category_label(key)


def protected_columns(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Count]:
    """Protect each count column of a group whose total the page shows, so that no small
    count is the total less the others (kongtun.public.suppress); return the columns' totals,
    hidden themselves when hiding the others was not enough."""
    totals = {}
    for column in columns:
        protected = protect_group([row[column] for row in rows])
        for row, count in zip(rows, protected, strict=True):
            row[column] = count
        totals[column] = total_of(protected)
    return totals


WELFARE_COUNTS = ("persons_year", "claims_year", "persons_total", "claims_total")


def welfare_rows(lines: Sequence[WelfareLine]) -> list[dict[str, Any]]:
    """The fund page's welfare table: one row per category anything was ever paid in, then
    the total of the rows.

    Baht goes where the claims count beside it goes (suppress.withhold): a benefit of a fixed
    amount turns baht back into claims. The total row keeps the full sums.
    """
    rows: list[dict[str, Any]] = [
        {
            "category": w.category,
            "category_name": welfare_category_name(w.category),
            "persons_year": Count(w.persons_year),
            "claims_year": Count(w.claims_year),
            "baht_year": w.baht_year,
            "persons_total": Count(w.persons_total),
            "claims_total": Count(w.claims_total),
            "baht_total": w.baht_total,
        }
        for w in lines
        if w.claims_total or w.baht_total
    ]
    if not rows:
        return []
    # A person helped in two categories counts in each: the total is the rows added up, so
    # the group rule holds exactly.
    total: dict[str, Any] = {
        "category": "total",
        "category_name": _("All categories"),
        **protected_columns(rows, WELFARE_COUNTS),
        "baht_year": sum((r["baht_year"] for r in rows), ZERO),
        "baht_total": sum((r["baht_total"] for r in rows), ZERO),
    }
    for baht, claims in (("baht_year", "claims_year"), ("baht_total", "claims_total")):
        kept = withhold([r[baht] for r in rows], [r[claims] for r in rows])
        for row, amount in zip(rows, kept, strict=True):
            row[baht] = amount
        if None in kept and total[claims].shown:
            # The total of claims and the total of baht, with the regulation's fixed rates
            # on the same page, are two equations the withheld counts would solve.
            total[claims] = dataclasses.replace(total[claims], hidden=True)
    return [*rows, total]


def categories_not_shown(lines: Sequence[WelfareLine]) -> set[str]:
    """The welfare categories whose claims of the year the fund page does not show (small or
    hidden): the statements must not show their baht apart either."""
    return {
        r["category"]
        for r in welfare_rows(lines)
        if r["category"] != "total" and not r["claims_year"].shown
    }


# --- people's names -------------------------------------------------------------------------


def refused_texts(fund: Fund, texts: Iterable[str]) -> set[str]:
    """Of the fund's own words on a public page (account names, its regulation's title, a
    benefit's conditions), those the publishing screen refuses: a national ID, a phone number
    or the full name of a person the fund knows (kongtun.public.services.person_screen, the
    screen a meeting summary goes through, which reads the fund's names once for all the
    texts). The caller holds the fund's scope and shows something neutral instead."""
    distinct = {t for t in texts if t.strip()}
    if not distinct:
        return set()
    screen = person_screen(fund)
    return {t for t in distinct if screen(t) is not None}
