"""Reading year reports: a fund's own, and the submitted ones of an officer's area together.

The area view is what the provincial meeting hears: how many funds reported, which problems
and obstacles come up how often and how seriously, and which fund raised which. Counting is
done by the database, one grouped query, never by loading every row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Amphoe
from kongtun.outcomes.models import Category, Issue, Kind, Severity, YearReport


def fund_reports(fund: Fund) -> list[YearReport]:
    return list(
        YearReport.objects.filter(fund=fund)
        .annotate(issue_count=Count("issues"))
        .order_by("-fiscal_year_be")
    )


def fund_report(fund: Fund, fiscal_year_be: int) -> YearReport | None:
    return YearReport.objects.filter(fund=fund, fiscal_year_be=fiscal_year_be).first()


def report_issues(report: YearReport) -> list[Issue]:
    return list(Issue.objects.filter(report=report).order_by("position"))


# --- The area ------------------------------------------------------------------------------


@dataclass
class CategoryCount:
    category: str
    label: str
    problems: int = 0
    obstacles: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    funds: int = 0  # how many funds raised it at least once

    @property
    def total(self) -> int:
        return self.problems + self.obstacles


@dataclass(frozen=True)
class Cell:
    category: str
    label: str
    count: int


@dataclass
class FundOutcome:
    fund: Fund
    report: YearReport
    cells: list[Cell]  # issues per category, in the order of AreaOutcomes.categories
    high: int = 0

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)


@dataclass
class AreaOutcomes:
    fiscal_year_be: int
    funds_in_area: int  # after the district filter
    categories: list[CategoryCount]
    rows: list[FundOutcome]
    drafts: int  # funds with a report of the year not yet submitted
    totals: CategoryCount = field(default_factory=lambda: CategoryCount("", ""))

    @property
    def submitted(self) -> int:
        return len(self.rows)


def _chosen(categories: Sequence[str] | None) -> list[tuple[str, str]]:
    keep = set(categories or Category.values)
    return [(value, str(label)) for value, label in Category.choices if value in keep]


def area_funds(funds: QuerySet[Fund], amphoe: str | None = None) -> list[Fund]:
    if amphoe:
        funds = funds.filter(tambon__amphoe_id=amphoe)
    return list(funds.select_related("tambon__amphoe").order_by("tambon__amphoe_id", "code"))


def area_amphoes(funds: QuerySet[Fund]) -> list[Amphoe]:
    ids = funds.values_list("tambon__amphoe_id", flat=True)
    return list(Amphoe.objects.filter(code__in=ids).order_by("code"))


def area_years(funds: list[Fund]) -> list[int]:
    """The fiscal years some fund of the area submitted a report for, newest first."""
    if not funds:
        return []
    with fund_scope(funds):
        years = (
            YearReport.objects.filter(status=YearReport.Status.SUBMITTED)
            .values_list("fiscal_year_be", flat=True)
            .distinct()
        )
        return sorted(set(years), reverse=True)


def area_outcomes(
    *, funds: list[Fund], fiscal_year_be: int, category: str | None = None
) -> AreaOutcomes:
    """The submitted reports of `funds` for the year, counted by category, kind and severity.

    With a category, only its problems and obstacles count, and only funds that raised it are
    listed.
    """
    columns = _chosen([category] if category else None)
    index = {value: n for n, (value, _label) in enumerate(columns)}
    counts = [CategoryCount(value, label) for value, label in columns]
    totals = CategoryCount("", "")
    if not funds:
        return AreaOutcomes(fiscal_year_be, 0, counts, [], 0, totals)
    by_pk = {f.pk: f for f in funds}
    with fund_scope(funds):
        reports = {r.fund_id: r for r in YearReport.objects.filter(fiscal_year_be=fiscal_year_be)}
        issues = Issue.objects.filter(
            report__fiscal_year_be=fiscal_year_be,
            report__status=YearReport.Status.SUBMITTED,
            category__in=list(index),
        )
        grouped = list(
            issues.values("fund", "category", "kind", "severity").annotate(n=Count("pk")).order_by()
        )
    submitted = {pk: r for pk, r in reports.items() if r.is_submitted}
    cells: dict[int, list[int]] = {pk: [0] * len(columns) for pk in submitted}
    high: dict[int, int] = defaultdict(int)
    raised: dict[str, set[int]] = defaultdict(set)
    for g in grouped:
        row, n = counts[index[g["category"]]], g["n"]
        for target in (row, totals):
            if g["kind"] == Kind.PROBLEM:
                target.problems += n
            else:
                target.obstacles += n
            setattr(target, g["severity"], getattr(target, g["severity"]) + n)
        cells[g["fund"]][index[g["category"]]] += n
        raised[g["category"]].add(g["fund"])
        if g["severity"] == Severity.HIGH:
            high[g["fund"]] += n
    for row in counts:
        row.funds = len(raised[row.category])
    totals.funds = len(set().union(*raised.values())) if raised else 0
    rows = [
        FundOutcome(
            by_pk[pk],
            submitted[pk],
            [Cell(c.category, c.label, n) for c, n in zip(counts, cells[pk], strict=True)],
            high[pk],
        )
        for pk in by_pk
        if pk in submitted and (category is None or cells[pk][0] > 0)
    ]
    drafts = sum(1 for r in reports.values() if not r.is_submitted)
    return AreaOutcomes(fiscal_year_be, len(funds), counts, rows, drafts, totals)


@dataclass(frozen=True)
class IssueLine:
    """One problem or obstacle of a submitted report, as the meeting's spreadsheet lists it."""

    fund: Fund
    report: YearReport
    issue: Issue


def area_issue_lines(
    *, funds: list[Fund], fiscal_year_be: int, category: str | None = None
) -> tuple[list[YearReport], list[IssueLine]]:
    """The submitted reports of the year and their rows, by district, fund and position."""
    if not funds:
        return [], []
    by_pk = {f.pk: f for f in funds}
    order = {f.pk: n for n, f in enumerate(funds)}
    with fund_scope(funds):
        reports = sorted(
            YearReport.objects.filter(
                fiscal_year_be=fiscal_year_be, status=YearReport.Status.SUBMITTED
            ),
            key=lambda r: order[r.fund_id],
        )
        filters = Q(
            report__fiscal_year_be=fiscal_year_be, report__status=YearReport.Status.SUBMITTED
        )
        if category:
            filters &= Q(category=category)
        issues = list(Issue.objects.filter(filters).order_by("report_id", "position"))
    for r in reports:
        r.fund = by_pk[r.fund_id]  # the funds with their areas, already loaded
    by_report: dict[int, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_report[issue.report_id].append(issue)
    lines = [IssueLine(by_pk[r.fund_id], r, issue) for r in reports for issue in by_report[r.pk]]
    return reports, lines
