"""The public pages of areas (a province, a district, a subdistrict) and the site's index.

An area's page is its funds added up for one government fiscal year, from the same roll-up the
network's officers read (kongtun.network.rollup): money from the books' monthly totals, so a
fund on its own computer counts with the totals its packages brought, and members and welfare
from each fund's records or, for such a fund, its latest package of the year. Nothing here
reads a member or a claim one by one; what reaches the page is sums, and every count of people
or claims is a `Count`, shown as "<5" when small.

A count is also kept from being worked out from a total the same page shows: each group of
counts that adds up to a shown total goes through `protect_group` (the welfare categories and
their "total" row, the months and the year's new members, the districts or funds and the
area's totals). The year's new members include those of funds on their own computers, which
no month holds: they are one more, unshown, count of the months' group. The persons helped
are one total three groups add up (the categories, the parts, the totals): hidden when any of
them needs it, and then with every count of the groups. A part counts as its own page shows
it, so the page above does not give back what a district's or a fund's page hides. Two member
figures whose difference would be 1 to 4 people (those who left, say) are not both shown.
Baht beside a claims count not shown is not shown either (a fixed benefit would turn it back
into the count). The charts are drawn from the same protected figures: a count the table does
not show is plotted as nothing (null), never as its number, and withheld baht not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kongtun.contributions.matching import government_year, government_year_of
from kongtun.funds.models import Fund
from kongtun.ledger.core import ZERO
from kongtun.ledger.models import Source
from kongtun.network.rollup import AreaRow, FundRow, MonthPoint, Rollup, area_rollup, series
from kongtun.network.views import _category_label
from kongtun.public.lookup import Area, funds_in, year_as_of
from kongtun.public.specs import AREA, INDEX
from kongtun.public.suppress import (
    Count,
    apart,
    pinned,
    protect_group,
    total_beside,
    total_of,
    withhold,
)
from kongtun.public.tables import Page, Subject
from kongtun.public.templatetags.public import month_label

TOTAL = "total"  # the category code of the welfare table's last row


# ---------------------------------------------------------------- an area's page


def area_page(*, area: Area, fiscal_year: int, today: dt.date) -> Page:
    """The area's funds added up for `fiscal_year` (BE), as of its end or today."""
    funds = funds_in(area)
    as_of = year_as_of(fiscal_year, today)
    # The roll-up and the series enter the funds' scope themselves (all of them at once).
    report = area_rollup(funds=funds, fiscal_year_be=fiscal_year, today=today)
    points = _months(funds, fiscal_year, as_of)
    total = report.total
    parts = _parts(area, report, f"?fy={fiscal_year}")
    counts = _counts(total, parts, points)
    monthly = _monthly_rows(points, counts)
    welfare = _welfare_rows(counts)
    tables = {
        "area": AREA.table_spec("area").table(
            [
                {
                    "level": area.level,
                    "code": area.code,
                    "name": area.name,
                    "funds": len(funds),
                    "fiscal_year_be": fiscal_year,
                    "as_of": as_of,
                }
            ]
        ),
        "totals": AREA.table_spec("totals").table([_totals_row(total, counts)]),
        "income_by_source": AREA.table_spec("income_by_source").table(_income_rows(total)),
        "welfare": AREA.table_spec("welfare").table(welfare),
        "monthly": AREA.table_spec("monthly").table(monthly),
        "parts": AREA.table_spec("parts").table(_parts_rows(parts, counts)),
    }
    own = [f for f in funds if f.runs_on == Fund.RunsOn.OWN_COMPUTER]
    return Page(
        spec=AREA,
        subject=Subject(area.level, area.code, area.name),
        as_of=as_of,
        fiscal_year=fiscal_year,
        tables=tables,
        # Computed here from the funds' records, with the packages of funds on their own
        # computers taken in; "package" only when every fund of the area sends packages.
        source="package" if funds and len(own) == len(funds) else "records",
        extra={
            "funds": len(funds),
            "own_computer": [f.name for f in own],
            "money": _money_chart(points),
            "welfare": _welfare_chart(welfare),
            "members": _members_chart(monthly, unplaced=counts.unplaced > 0),
        },
    )


def _months(funds: list[Fund], fiscal_year: int, as_of: dt.date) -> list[MonthPoint]:
    """The fiscal year's twelve months, October to September: to `as_of` from the books, and
    nothing yet in the months after it."""
    start, _end = government_year(fiscal_year)
    points = series(funds=funds, first=start, last=as_of) if funds and as_of >= start else []
    found = {p.period: p for p in points}
    return [found.get(p, MonthPoint(p, {}, ZERO, ZERO, 0)) for p in _periods(fiscal_year)]


def _periods(fiscal_year: int) -> list[int]:
    ce = fiscal_year - 543
    return [(ce - 1) * 100 + m for m in (10, 11, 12)] + [ce * 100 + m for m in range(1, 10)]


def _month(period: int) -> str:
    year, month = divmod(period, 100)
    return f"{year:04d}-{month:02d}"


# ---------------------------------------------------------------- the counts, protected


@dataclass
class _Part:
    """A row of the parts table: a district of a province, or a fund of a smaller area."""

    head: dict[str, Any]
    row: AreaRow | FundRow
    level: str  # of the part's own public page: "amphoe", or "fund"


def _parts(area: Area, report: Rollup, query: str) -> list[_Part]:
    parts: list[_Part] = []
    if area.level == "province":
        for group in report.by_amphoe():
            url = reverse("public-area", kwargs={"code": group.code}) + query
            head = {"kind": "amphoe", "code": group.code, "name": group.name, "tambon": None}
            parts.append(_Part({**head, "funds": len(group.funds), "url": url}, group, "amphoe"))
    else:
        for fund_row in report.rows:
            fund = fund_row.fund
            url = reverse("public-fund", kwargs={"code": fund.code}) + query
            head = {"kind": "fund", "code": fund.code, "name": fund.name}
            parts.append(
                _Part(
                    {**head, "tambon": fund.tambon.name, "funds": 1, "url": url}, fund_row, "fund"
                )
            )
    return parts


def _funds_of(row: AreaRow | FundRow) -> list[FundRow]:
    return row.funds if isinstance(row, AreaRow) else [row]


def _subparts(part: _Part) -> list[_Part]:
    """The parts of a part's own page: a district's funds; a fund's page has none."""
    if part.level == "fund":
        return []
    return [_Part({}, fund_row, "fund") for fund_row in _funds_of(part.row)]


Line = tuple[str, int, int, Decimal]  # category, claims, persons, baht


def _paid(funds: list[FundRow]) -> list[Line]:
    """The welfare categories anything was paid in (or anyone helped), in the form's order."""
    lines = AreaRow("", "", funds).welfare_by_category()
    return [line for line in lines if line[1] or line[2] or line[3]]


def _shared_total(n: int, groups: list[list[Count]]) -> tuple[Count, list[list[Count]]]:
    """One total that several protected groups each add up to, all on the same page (the
    persons of the welfare categories, of the parts, and the area's): hidden as soon as one
    group would give a small count away with it, and then every count still shown in any of
    the groups is hidden too, or adding that group up would give the total back."""
    total = Count(n)
    if not total.shown or not any(pinned(group) for group in groups):
        return total, groups

    def hide(c: Count) -> Count:
        return replace(c, hidden=True) if c.shown and c.n else c

    return replace(total, hidden=True), [[hide(c) for c in group] for group in groups]


def _as_hidden(count: Count, beside: Count) -> Count:
    """`count`, hidden as well when the count it bounds is hidden."""
    if beside.hidden and not beside.small and count.shown and count.n:
        return replace(count, hidden=True)
    return count


def _persons(funds: list[FundRow], parts: list[_Part]) -> tuple[Count, list[Count], list[Count]]:
    """Persons helped as the page of `funds` shows them: (its total, its categories' counts,
    its parts' counts). A part counts as its own page shows it (`part.level`), so a count a
    district's or a fund's page hides is not given back by the page above it."""
    categories = protect_group([Count(persons) for _c, _claims, persons, _b in _paid(funds)])
    own = [_persons(_funds_of(p.row), _subparts(p))[0] for p in parts]
    n = sum(row.welfare_persons for row in funds)
    total, (categories, shown) = _shared_total(n, [categories, protect_group(own)])
    return total, categories, shown


def _members(parts: list[_Part]) -> tuple[list[Count], Count]:
    """Current members of the parts, as their own pages show their totals, protected as a
    group; and the area's total, hidden when even that is not enough."""
    own = []
    for part in parts:
        subparts = _subparts(part)
        if subparts:
            own.append(_members(subparts)[1])
        else:
            own.append(Count(part.row.members_current))
    protected = protect_group(own)
    return protected, total_of(protected)


# Sets of people the totals count, each within the other: those who have left are the members
# since the start less the current ones; the current not yet eligible, the current less the
# eligible; those admitted before the year, the members since the start less the new.
NESTED = (
    ("members_cumulative", "members_current"),
    ("members_current", "members_eligible"),
    ("members_cumulative", "members_eligible"),
    ("members_cumulative", "members_new"),
)
# Which of two figures stays shown when their difference must not be: the page's headline
# figures first.
KEPT_FIRST = ("members_current", "members_new", "members_cumulative", "members_eligible")


def _apart(figures: dict[str, Count]) -> dict[str, Count]:
    return apart(figures, NESTED, KEPT_FIRST)


@dataclass
class _Counts:
    """Every count of people or claims the area's page shows, protected together."""

    lines: list[Line]  # the welfare table's categories
    persons: list[Count]  # per category
    claims: list[Count]
    persons_total: Count
    claims_total: Count
    part_members: list[Count]
    part_persons: list[Count]
    months: list[Count]  # new members per month
    unplaced: int  # the year's new members no month holds (never shown)
    members: dict[str, Count]  # the totals' members_current, _cumulative, _new, _eligible


def _counts(total: AreaRow, parts: list[_Part], points: list[MonthPoint]) -> _Counts:
    lines = _paid(total.funds)
    persons_total, persons, part_persons = _persons(total.funds, parts)
    claims = protect_group([Count(claims) for _c, claims, _p, _b in lines])
    # A person has at least one claim: claims shown beside persons hidden would bound the
    # hidden count from above (5 claims, so exactly 5 persons), so they go where it goes.
    claims = [_as_hidden(c, p) for c, p in zip(claims, persons, strict=True)]
    claims_total = _as_hidden(total_of(claims), persons_total)
    part_members, members_current = _members(parts)
    # The months count the new members of funds whose records are here; the year's figure
    # adds those of funds on their own computers (their packages say how many, not when).
    # What no month holds is one more, unshown, count of the group, or the year's total less
    # the months would give it away.
    by_month = [Count(p.members_new) for p in points]
    unplaced = total.members_new - sum(c.n for c in by_month)
    # Negative only if the months counted someone the roll-up did not: then the total is
    # not theirs to give away, and the months are protected as a group of their own.
    months = protect_group([*by_month, Count(max(unplaced, 0))])
    members = _apart(
        {
            "members_current": members_current,
            "members_cumulative": Count(total.members_total),
            "members_new": total_beside(total.members_new, months),
            "members_eligible": Count(total.members_eligible),
        }
    )
    return _Counts(
        lines=lines,
        persons=persons,
        claims=claims,
        persons_total=persons_total,
        claims_total=claims_total,
        part_members=part_members,
        part_persons=part_persons,
        months=months[:-1],
        unplaced=unplaced,
        members=members,
    )


# ---------------------------------------------------------------- the tables


def _totals_row(total: AreaRow, counts: _Counts) -> dict[str, Any]:
    """The area's totals. The counts are the protected ones: the current members and the
    persons helped add up the parts, the new members the months, the persons helped the
    welfare categories too."""
    money = total.money
    return {
        **counts.members,
        "income_year": money.total_income,
        "contributions_year": money.contributions,
        "welfare_persons_year": counts.persons_total,
        # Baht paid is what the books paid (the monthly totals), so funds that send only
        # their totals count too; persons come from the claims paid or the packages.
        "welfare_baht_year": money.welfare,
        "money_on_hand": money.money_on_hand,
    }


def _source_order(source: str) -> int:
    order = list(Source.values)
    return order.index(source) if source in order else len(order)


def _income_rows(total: AreaRow) -> list[dict[str, Any]]:
    labels = dict(Source.choices)
    income = total.money.income
    return [
        {"source": source, "source_name": str(labels.get(source, source)), "year": amount}
        for source, amount in sorted(income.items(), key=lambda item: _source_order(item[0]))
        if amount
    ]


def _welfare_rows(counts: _Counts) -> list[dict[str, Any]]:
    """One row per category something was paid in, then the total. The baht of a category
    whose claims are not shown is not shown either: a benefit of a fixed amount would turn it
    back into the count. The total row keeps the whole sum."""
    baht = withhold([line[3] for line in counts.lines], counts.claims)
    rows = [
        {
            "category": category,
            "category_name": _category_label(category),
            "persons": counts.persons[i],
            "claims": counts.claims[i],
            "baht": baht[i],
        }
        for i, (category, _claims, _persons, _baht) in enumerate(counts.lines)
    ]
    claims_total = counts.claims_total
    if None in baht and claims_total.shown:
        # The total of claims and the total of baht, with the funds' fixed rates, are two
        # equations the withheld counts would solve.
        claims_total = replace(claims_total, hidden=True)
    rows.append(
        {
            "category": TOTAL,
            "category_name": _("Total"),
            "persons": counts.persons_total,
            "claims": claims_total,
            "baht": sum((line[3] for line in counts.lines), ZERO),
        }
    )
    return rows


def _monthly_rows(points: list[MonthPoint], counts: _Counts) -> list[dict[str, Any]]:
    return [
        {
            "month": _month(p.period),
            "income": sum(p.income.values(), ZERO),
            "contributions": p.contributions,
            "welfare": p.welfare,
            "new_members": counts.months[i],
        }
        for i, p in enumerate(points)
    ]


def _parts_rows(parts: list[_Part], counts: _Counts) -> list[dict[str, Any]]:
    """A province's districts, or a district's or subdistrict's funds, with their counts as
    protected with the area's."""
    rows = []
    for i, part in enumerate(parts):
        money = part.row.money
        rows.append(
            {
                **part.head,
                "members_current": counts.part_members[i],
                "contributions_year": money.contributions,
                "welfare_persons_year": counts.part_persons[i],
                "welfare_baht_year": money.welfare,
                "money_on_hand": money.money_on_hand,
            }
        )
    return rows


# ---------------------------------------------------------------- charts (HTML only)


def _chart(
    labels: list[str],
    datasets: list[tuple[str, list[Any]]],
    unit: str,
    *,
    stacked: bool = False,
    horizontal: bool = False,
) -> dict[str, Any]:
    """What charts.js draws: baht as decimal strings (never floats), counts as whole numbers
    or null where the table does not show the count."""

    def value(v: Any) -> Any:
        if v is None or isinstance(v, int):
            return v
        return str(v)

    return {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {"label": label, "data": [value(v) for v in values]} for label, values in datasets
        ],
        "unit": unit,
        "stacked": stacked,
        "horizontal": horizontal,
    }


def _money_chart(points: list[MonthPoint]) -> dict[str, Any]:
    """Money in each month by source: stacked bars, and the same figures as a table."""
    labels = dict(Source.choices)
    sources = sorted(
        {s for p in points for s, amount in p.income.items() if amount}, key=_source_order
    )
    names = [str(labels.get(s, s)) for s in sources]
    months = [month_label(_month(p.period)) for p in points]
    amounts = [[p.income.get(s, ZERO) for s in sources] for p in points]
    rows = [
        (month, list(zip(names, values, strict=True)), sum(values, ZERO))
        for month, values in zip(months, amounts, strict=True)
    ]
    return {
        "sources": names,
        "rows": rows,
        "total": sum((r[2] for r in rows), ZERO),
        "chart": _chart(
            months,
            [(name, [v[i] for v in amounts]) for i, name in enumerate(names)],
            "baht",
            stacked=True,
        ),
    }


def _welfare_chart(welfare: list[dict[str, Any]]) -> dict[str, Any]:
    """Baht paid per category (money only: the counts stay in the table). A category whose
    baht the table does not show has no bar: it is left out of the chart."""
    paid = [row for row in welfare if row["category"] != TOTAL]
    drawn = [row for row in paid if row["baht"] is not None]
    return {
        "paid": bool(paid),
        "drawn": bool(drawn),
        "withheld": len(drawn) < len(paid),
        "chart": _chart(
            [row["category_name"] for row in drawn],
            [(_("Baht paid"), [row["baht"] for row in drawn])],
            "baht",
            horizontal=True,
        ),
    }


def _members_chart(monthly: list[dict[str, Any]], *, unplaced: bool) -> dict[str, Any]:
    """New members each month; a month whose count the table hides is plotted as null.
    `unplaced`: some of the year's new members are in no month (a package's)."""
    counts: list[Count] = [row["new_members"] for row in monthly]
    return {
        "hidden": any(not c.shown for c in counts),
        "unplaced": unplaced,
        "chart": _chart(
            [month_label(row["month"]) for row in monthly],
            [(_("New members"), [c.n if c.shown else None for c in counts])],
            "count",
        ),
    }


# ---------------------------------------------------------------- the index


def index_page(*, today: dt.date) -> Page:
    """Every province and district with a fund here, and every fund, with their pages."""
    year = government_year_of(today)
    funds = list(
        Fund.objects.select_related("tambon__amphoe__province").order_by(
            "tambon__amphoe__province_id", "tambon__amphoe_id", "tambon_id", "name", "code"
        )
    )
    counted: dict[tuple[str, str], list[Fund]] = defaultdict(list)
    for fund in funds:
        counted[("province", fund.tambon.amphoe.province_id)].append(fund)
        counted[("amphoe", fund.tambon.amphoe_id)].append(fund)
    areas = []
    # A province, then its districts: codes sort that way (52, 5201, 5202, 53, …).
    for level, code in sorted(counted, key=lambda key: key[1]):
        first = counted[(level, code)][0].tambon.amphoe
        name = first.province.name if level == "province" else first.name
        areas.append(
            {
                "level": level,
                "code": code,
                "name": name,
                "funds": len(counted[(level, code)]),
                "url": reverse("public-area", kwargs={"code": code}),
            }
        )
    rows = [
        {
            "code": fund.code,
            "name": fund.name,
            "tambon_code": fund.tambon_id,
            "tambon": fund.tambon.name,
            "amphoe_code": fund.tambon.amphoe_id,
            "amphoe": fund.tambon.amphoe.name,
            "province_code": fund.tambon.amphoe.province_id,
            "province": fund.tambon.amphoe.province.name,
            "url": reverse("public-fund", kwargs={"code": fund.code}),
            "data_url": reverse("open-fund", kwargs={"code": fund.code, "year": year}),
        }
        for fund in funds
    ]
    return Page(
        spec=INDEX,
        subject=Subject("site", "", str(INDEX.title)),
        as_of=today,
        fiscal_year=None,
        tables={
            "areas": INDEX.table_spec("areas").table(areas),
            "funds": INDEX.table_spec("funds").table(rows),
        },
        extra={"fiscal_year": year},
    )


@dataclass
class DistrictGroup:
    code: str
    name: str
    url: str
    funds: int  # all the district's funds, whatever the filter kept
    shown: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProvinceGroup:
    code: str
    name: str
    url: str
    funds: int
    districts: list[DistrictGroup] = field(default_factory=list)


def index_tree(page: Page, query: str = "") -> list[ProvinceGroup]:
    """The index's funds under their districts under their provinces, for the HTML page; with
    `query`, only the funds whose name, code or place contains it."""
    wanted = query.strip().casefold()
    areas = {(row["level"], row["code"]): row for row in page.tables["areas"].rows}
    provinces: dict[str, ProvinceGroup] = {}
    for row in page.tables["funds"].rows:
        place = (row["name"], row["code"], row["tambon"], row["amphoe"], row["province"])
        if wanted and not any(wanted in text.casefold() for text in place):
            continue
        p = areas[("province", row["province_code"])]
        province = provinces.setdefault(
            p["code"], ProvinceGroup(p["code"], p["name"], p["url"], p["funds"])
        )
        if not province.districts or province.districts[-1].code != row["amphoe_code"]:
            a = areas[("amphoe", row["amphoe_code"])]
            province.districts.append(DistrictGroup(a["code"], a["name"], a["url"], a["funds"]))
        province.districts[-1].shown.append(row)
    return list(provinces.values())


def matching_funds(tree: Sequence[ProvinceGroup]) -> int:
    return sum(len(d.shown) for p in tree for d in p.districts)
