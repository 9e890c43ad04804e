"""A fund's public pages: its figures for a fiscal year, its statements, its audit trail.

Each builder returns a `Page` (kongtun.public.tables) that the HTML page, the JSON file and
the CSV files all render, so they say the same. Figures come from the services the fund's
own pages use (indicators, the ledger's statements, the welfare regulation) and are read
inside the fund's scope; counts of people and claims are `Count`s, so 1 to 4 is "<5".

A fund that keeps its records on its own computer has only what its packages bring: its
page shows the latest package of the year (source "package") and leaves the rest empty.

Statements: kongtun.public.fund_pages_books; audit trail: kongtun.public.fund_pages_audit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.contributions.matching import government_year
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.selectors import Indicators, MemberCounts, fund_indicators
from kongtun.ledger.statements import source_label
from kongtun.members.models import MemberType
from kongtun.public.fund_pages_audit import HashCheck, audit_head, audit_page, hash_check
from kongtun.public.fund_pages_books import statements_page
from kongtun.public.fund_pages_common import (
    PACKAGE,
    RECORDS,
    fund_row,
    keeps_records_here,
    package_of_year,
    protected_columns,
    refused_texts,
    subject_of,
    welfare_category_name,
    welfare_rows,
)
from kongtun.public.lookup import year_as_of
from kongtun.public.models import MeetingSummary
from kongtun.public.specs import FUND
from kongtun.public.suppress import Count, K, apart
from kongtun.public.tables import Page, Table
from kongtun.welfare.describe import describe_benefit
from kongtun.welfare.selectors import regulation_in_force

__all__ = ["HashCheck", "audit_page", "fund_page", "hash_check", "statements_page"]

RULES_SEPARATOR = " · "
POSITIONS = list(CommitteeMember.Position)


def _table(key: str, rows: list[dict[str, Any]]) -> Table:
    return FUND.table_spec(key).table(rows)


# --- from the indicators ------------------------------------------------------------------


def _money(ind: Indicators) -> list[dict[str, Any]]:
    return [
        {
            "fund_balance": ind.fund_balance,
            "money_on_hand": ind.money_on_hand,
            "income_year": ind.income_year,
            "welfare_paid_year": ind.welfare_paid_year,
            "welfare_paid_total": ind.welfare_paid_total,
            "admin_costs_year": ind.admin_costs_year,
            "admin_percent": ind.admin_percent,
            "admin_cap_percent": ind.admin_cap_percent,
        }
    ]


def _income_by_source(ind: Indicators) -> list[dict[str, Any]]:
    return [
        {
            "source": m.source,
            "source_name": source_label(m.source),
            "year": m.year,
            "since_start": m.cumulative,
        }
        for m in ind.money
    ]


# Sets of members each within another, as the area pages count them (kongtun.public.area_pages):
# the difference of two shown figures is a count of people too (those who left, those not
# yet eligible, those admitted before the year).
NESTED_MEMBERS = (
    ("cumulative", "current"),
    ("current", "eligible_for_matching"),
    ("cumulative", "eligible_for_matching"),
    ("cumulative", "new_this_year"),
)
KEPT_FIRST = ("current", "new_this_year", "cumulative", "eligible_for_matching")


def _left_group(current: int, cumulative: int) -> tuple[Count, Count]:
    """Current members and members since the start: the members who left (the one less the
    other) are a count of people too. With 1 to 4 of them the members since the start are
    hidden (8 since the start and 7 now would say 1 left) and the current ones, the page's
    headline, stay: the area pages keep the same one (`apart`'s order), so that a fund's page
    and its subdistrict's, showing the same members, never hide opposite figures."""
    left = cumulative - current
    return Count(current), Count(cumulative, hidden=0 < left < K)


def _hide(count: Count, hidden: bool) -> Count:
    return dataclasses.replace(count, hidden=True) if hidden else count


def _keep_from_adding_up(rows: list[dict[str, Any]], column: str) -> None:
    """When a column's total is not shown, its rows must not add up to it: if every row
    counting anyone is shown, the smallest of them is hidden too."""
    counting = [r for r in rows if r[column].n > 0]
    if counting and all(r[column].shown for r in counting):
        smallest = min(counting, key=lambda r: r[column].n)
        smallest[column] = _hide(smallest[column], True)


def member_figures(m: MemberCounts) -> tuple[dict[str, Count], list[dict[str, Any]]]:
    """The members' current and cumulative counts, and the rows of the members by type.

    Three rules, a count hidden by any of them hidden: those who left, of each type and in
    all, are counts of people (`_left_group`); each column of the types adds up to the total
    the members' row shows (`protected_columns`); and a total hidden keeps hidden what it
    hides. A type's current count hidden because some of that type left is given back by
    the total less the other types: the total is hidden with it. A total hidden is given
    back by its types added up: one of them is hidden with it.
    """
    rows: list[dict[str, Any]] = []
    for member_type in MemberType:
        found = m.by_type.get(member_type.value)
        current, cumulative = _left_group(
            found.current if found else 0, found.cumulative if found else 0
        )
        rows.append(
            {
                "member_type": member_type.value,
                "type_name": str(member_type.label),
                "current": current,
                "cumulative": cumulative,
            }
        )
    # Only the rule of those who left has hidden anything yet.
    left_hid = {k: any(r[k].hidden for r in rows) for k in ("current", "cumulative")}
    column_totals = protected_columns(rows, ("current", "cumulative"))
    current, cumulative = _left_group(m.current, m.cumulative)
    totals = {"current": current, "cumulative": cumulative}
    for key in totals:
        totals[key] = _hide(totals[key], column_totals[key].hidden or left_hid[key])
    totals = apart(
        {
            **totals,
            "new_this_year": Count(m.new_this_year),
            "eligible_for_matching": Count(m.eligible_for_matching),
        },
        NESTED_MEMBERS,
        KEPT_FIRST,
    )
    for key in ("current", "cumulative"):
        if not totals[key].shown:
            _keep_from_adding_up(rows, key)
    return totals, rows


def _members(ind: Indicators, totals: dict[str, Count]) -> list[dict[str, Any]]:
    m = ind.members
    return [
        {
            **totals,
            "eligible_as_of": m.eligible_as_of,
            "villages_covered": ind.villages_covered,
            "villages_in_area": ind.villages_in_area,
            "coverage_percent": ind.village_coverage_percent,
        }
    ]


def _governance(ind: Indicators, seats: int | None) -> list[dict[str, Any]]:
    return [
        {
            "committee_seats": None if seats is None else Count(seats),
            "committee_meetings_year": ind.committee_meetings_year,
            "books_closed_through": ind.books_closed_through,
            "books_current": ind.books_current,
            "last_year_closed": ind.year_closed,
        }
    ]


# --- from the fund's other records ----------------------------------------------------------


def _seats_in_force(fund: Fund, on: dt.date) -> list[CommitteeMember]:
    return list(
        CommitteeMember.objects.filter(fund=fund, term_start__lte=on, term_end__gte=on).order_by(
            "-term_start", "pk"
        )
    )


def _committee(seats: list[CommitteeMember]) -> list[dict[str, Any]]:
    """One row per position: filled or not, and the term of its seat (the latest begun, when
    several seats hold it, as committee members do). Never who holds it."""
    rows = []
    for position in POSITIONS:
        seat = next((s for s in seats if s.position == position.value), None)
        rows.append(
            {
                "position": position.value,
                "position_name": str(position.label),
                "filled": seat is not None,
                "term_start": seat.term_start if seat else None,
                "term_end": seat.term_end if seat else None,
            }
        )
    return rows


def _regulation(fund: Fund, on: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The regulation in force and its benefits in plain words. Its own text is not shown:
    a fund may have written names or cases into it. What the fund typed that is shown (the
    title, the resolution, a benefit's name and conditions) goes through the publishing
    screen: a title refused gives way to a plain one, a resolution is left out, a benefit's
    name gives way to its category's, and a sentence of its rules is left out."""
    regulation = regulation_in_force(fund, on)
    if regulation is None:
        return [], []
    benefits = list(regulation.benefits.prefetch_related("tiers").select_related("regulation"))
    rules = {b.pk: describe_benefit(b) for b in benefits}
    resolution = regulation.adopted_resolution or None
    refused = refused_texts(
        fund,
        [
            regulation.title,
            resolution or "",
            *(b.name for b in benefits),
            *(line for lines in rules.values() for line in lines),
        ],
    )
    head = {
        "title": _("Welfare regulation") if regulation.title in refused else regulation.title,
        "version": regulation.version,
        "in_force_from": regulation.effective_from,
        "adopted_resolution": None if resolution in refused else resolution,
    }
    rows = [
        {
            "benefit": b.key,
            "name": welfare_category_name(b.category) if b.name in refused else b.name,
            "category": b.category,
            "category_name": welfare_category_name(b.category),
            "rules": RULES_SEPARATOR.join(line for line in rules[b.pk] if line not in refused),
        }
        for b in benefits
    ]
    return [head], rows


def _meeting_summaries(fund: Fund, start: dt.date, on: dt.date) -> list[dict[str, Any]]:
    """The summaries in force of the year's meetings, as the fund published them (the
    publishing service refuses names and ID numbers)."""
    found = (
        MeetingSummary.objects.filter(
            fund=fund, withdrawn_at__isnull=True, meeting__date__range=(start, on)
        )
        .select_related("meeting")
        .order_by("meeting__date", "meeting__number")
    )
    return [
        {
            "date": s.meeting.date,
            "number": s.meeting.number,
            "summary": s.text,
            "published_on": timezone.localtime(s.published_at).date(),
        }
        for s in found
    ]


# --- the page -------------------------------------------------------------------------------


def fund_page(*, fund: Fund, fiscal_year: int, today: dt.date) -> Page:
    """The fund's figures for government fiscal year `fiscal_year` (BE), as of its 30
    September or today for the year still running."""
    as_of = year_as_of(fiscal_year, today)
    start = government_year(fiscal_year)[0]
    rows: dict[str, list[dict[str, Any]]] = {t.key: [] for t in FUND.tables}
    with fund_scope(fund):
        seats = _seats_in_force(fund, as_of)
        if keeps_records_here(fund):
            source = RECORDS
            ind: Indicators | None = fund_indicators(fund=fund, on=as_of)
        else:
            source = PACKAGE
            ind = package_of_year(fund=fund, fiscal_year=fiscal_year, on=as_of)
        if ind is not None:
            as_of = ind.as_of  # a package's own date
            member_totals, by_type = member_figures(ind.members)
            rows.update(
                money=_money(ind),
                income_by_source=_income_by_source(ind),
                members=_members(ind, member_totals),
                members_by_type=by_type,
                welfare=welfare_rows(ind.welfare),
                # A package carries no committee: its size is unknown here, not zero.
                governance=_governance(ind, len(seats) if source == RECORDS else None),
            )
        if source == RECORDS:
            # What only this server's records hold; a package brings none of it.
            rows["committee"] = _committee(seats)
            rows["regulation"], rows["benefits"] = _regulation(fund, as_of)
            rows["meeting_summaries"] = _meeting_summaries(fund, start, as_of)
            rows["audit_head"] = list(audit_head(fund=fund, on=as_of).rows)
    tables = {key: _table(key, value) for key, value in rows.items() if key != "fund"}
    tables["fund"] = fund_row(fund=fund, fiscal_year=fiscal_year, as_of=as_of, source=source)
    return Page(
        FUND,
        subject_of(fund),
        as_of=as_of,
        fiscal_year=fiscal_year,
        tables=tables,
        source=source,
        extra={"no_package": source == PACKAGE and ind is None},
    )
