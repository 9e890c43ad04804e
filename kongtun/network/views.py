"""Dashboards for network and provincial officers: their areas, each area's roll-up with charts,
and each fund's indicators. Aggregates only: no page here names a member.

An officer opens an area at or below one they hold (a district network its district and the
subdistricts in it, never the province); anything else is 404, as a page that is not there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kongtun.funds.models import CofundingApplication, Fund, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Amphoe, Province, Tambon
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.core import ZERO
from kongtun.ledger.models import Source
from kongtun.lib.thaidate import MONTHS_EN_SHORT, MONTHS_TH_SHORT
from kongtun.members.models import MemberType
from kongtun.network import access
from kongtun.network.rollup import (
    AreaRow,
    FundRow,
    MonthPoint,
    Rollup,
    area_rollup,
    government_year_bounds,
    series,
)
from kongtun.network.selectors import current_fiscal_year_be

LEVELS = ("tambon", "amphoe", "province")  # smallest first: a level covers those before it
YEARS_SHOWN = 10  # fiscal years offered in the selector, back from the current one


@dataclass(frozen=True)
class Place:
    """An area on the map with the areas it lies in."""

    level: str
    code: str
    name: str
    province: Province
    amphoe: Amphoe | None = None
    tambon: Tambon | None = None

    def code_at(self, level: str) -> str | None:
        area = {"province": self.province, "amphoe": self.amphoe, "tambon": self.tambon}[level]
        return area.code if area is not None else None

    @property
    def url(self) -> str:
        return reverse("network-area", kwargs={"level": self.level, "code": self.code})

    @property
    def title(self) -> str:
        kind = {"province": _("Province"), "amphoe": _("District"), "tambon": _("Subdistrict")}
        # Thai writes the kind and the name together (อำเภอเมืองลำปาง), English apart.
        return _("%(kind)s %(name)s") % {"kind": kind[self.level], "name": self.name}


def _place(level: str, code: str) -> Place:
    if level == "province":
        province = Province.objects.filter(code=code).first()
        if province is not None:
            return Place(level, code, province.name, province)
    elif level == "amphoe":
        amphoe = Amphoe.objects.select_related("province").filter(code=code).first()
        if amphoe is not None:
            return Place(level, code, amphoe.name, amphoe.province, amphoe)
    elif level == "tambon":
        tambon = Tambon.objects.select_related("amphoe__province").filter(code=code).first()
        if tambon is not None:
            return Place(level, code, tambon.name, tambon.amphoe.province, tambon.amphoe, tambon)
    raise Http404


def _holds(assignments: list[OfficerAssignment], place: Place) -> bool:
    """Whether one of the assignments covers the place: same area or one that contains it."""
    return any(
        LEVELS.index(a.level) >= LEVELS.index(place.level) and place.code_at(a.level) == a.area_code
        for a in assignments
    )


def _crumbs(
    assignments: list[OfficerAssignment], place: Place, query: str = ""
) -> list[tuple[str, str]]:
    """The areas above `place` the officer may open, largest first, as (name, url); `query`
    keeps the chosen fiscal year on the way up."""
    found: list[tuple[str, str]] = []
    above = [
        ("province", place.province),
        ("amphoe", place.amphoe),
        ("tambon", place.tambon),
    ]
    for level, area in above:
        if area is None or level == place.level:
            break
        outer = Place(level, area.code, area.name, place.province, place.amphoe, place.tambon)
        if _holds(assignments, outer):
            found.append((area.name, outer.url + query))
    return found


def _fiscal_year(request: HttpRequest, latest: int) -> int:
    """The fiscal year asked for (?fy=2568, BE), or the current one for anything else."""
    try:
        year = int(request.GET.get("fy", ""))
    except ValueError:
        return latest
    return year if latest - YEARS_SHOWN < year <= latest else latest


def _months(fiscal_year_be: int) -> list[int]:
    """The government fiscal year's months as yyyymm (CE), October to September."""
    ce = fiscal_year_be - 543
    return [(ce - 1) * 100 + m for m in (10, 11, 12)] + [ce * 100 + m for m in range(1, 10)]


def _month_label(period: int) -> str:
    year, month = divmod(period, 100)
    if (get_language() or "th").startswith("th"):
        return f"{MONTHS_TH_SHORT[month - 1]} {(year + 543) % 100:02d}"
    return f"{MONTHS_EN_SHORT[month - 1]} {year}"


def _url_or_empty(name: str, **kwargs: Any) -> str:
    """A link to a page other apps provide, when they provide it."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


# ---------------------------------------------------------------- figures shown on every level


@dataclass(frozen=True)
class Figures:
    """The figures every level shows: a fund's own, or the sum of an area's funds (where
    `books_current` and `applying` count funds instead of saying yes or no)."""

    funds: int
    members_current: int
    members_cumulative: int
    members_eligible: int
    contributions_year: Decimal
    welfare_persons_year: int
    welfare_baht_year: Decimal
    money_on_hand: Decimal
    books_current: int
    applying: int

    @classmethod
    def of(cls, row: FundRow | AreaRow) -> Figures:
        return cls(
            funds=len(row.funds) if isinstance(row, AreaRow) else 1,
            members_current=row.members_current,
            members_cumulative=row.members_total,
            members_eligible=row.members_eligible,
            contributions_year=row.money.contributions,
            welfare_persons_year=row.welfare_persons,
            # Welfare in baht is what the books paid, so funds that send only their totals
            # (laptop funds) count too; persons come from the claims paid here.
            welfare_baht_year=row.money.welfare,
            money_on_hand=row.money.money_on_hand,
            books_current=int(row.books_current),
            applying=int(row.applying),
        )


@dataclass
class Line:
    """One row of an area's table: a district, or a fund with its subdistrict."""

    name: str
    url: str
    figures: Figures
    note: str = ""
    note_url: str = ""
    fund: Fund | None = None


def _chart(
    kind: str,
    labels: list[str],
    datasets: list[tuple[str, list[Any]]],
    unit: str,
    stacked: bool = False,
    horizontal: bool = False,
) -> dict[str, Any]:
    """What dashboard.js draws: plain JSON, amounts as decimal strings (never floats)."""
    return {
        "type": kind,
        "labels": labels,
        "datasets": [
            {"label": label, "data": [str(v) for v in values]} for label, values in datasets
        ],
        "unit": unit,
        "stacked": stacked,
        "horizontal": horizontal,
    }


def _money_chart(points: list[MonthPoint]) -> dict[str, Any]:
    """Money in each month by source: stacked bars, and the same as a table."""
    sources = [s for s in Source if any(p.income.get(s.value) for p in points)]
    amounts = [[p.income.get(s.value, ZERO) for s in sources] for p in points]
    rows = [
        (
            _month_label(p.period),
            [(s.label, v) for s, v in zip(sources, values, strict=True)],
            sum(values, ZERO),
        )
        for p, values in zip(points, amounts, strict=True)
    ]
    return {
        "sources": [s.label for s in sources],
        "rows": rows,
        "total": sum((r[2] for r in rows), ZERO),
        "chart": _chart(
            "bar",
            [r[0] for r in rows],
            [(str(s.label), [v[i] for v in amounts]) for i, s in enumerate(sources)],
            "baht",
            stacked=True,
        ),
    }


def _category_label(key: str) -> str:
    thai = (get_language() or "th").startswith("th")
    for k, th, en in WELFARE_CATEGORIES:
        if k == key:
            return th if thai else en
    if key == "non_members":
        return _("Help to non-members in need")
    return key


def _welfare_chart(lines: list[tuple[str, int, int, Decimal]]) -> dict[str, Any]:
    """Baht paid per CODI category (the categories something was paid in)."""
    paid = [
        (_category_label(category), {"claims": claims, "persons": persons, "baht": baht})
        for category, claims, persons, baht in lines
        if claims or baht
    ]
    return {
        "rows": paid,
        "chart": _chart(
            "bar",
            [label for label, _w in paid],
            [(_("Baht paid"), [w["baht"] for _label, w in paid])],
            "baht",
            horizontal=True,
        ),
    }


def _members_chart(points: list[MonthPoint]) -> dict[str, Any]:
    """Members admitted each month: how the membership grows through the year."""
    rows = [(_month_label(p.period), p.members_new) for p in points]
    return {
        "rows": rows,
        "total": sum(n for _label, n in rows),
        "chart": _chart(
            "bar",
            [label for label, _n in rows],
            [(_("New members"), [n for _l, n in rows])],
            "count",
        ),
    }


# ---------------------------------------------------------------- pages


def _funds_in(request: HttpRequest, place: Place) -> list[Fund]:
    area = OfficerAssignment(level=place.level, area_code=place.code)
    return list(
        access.funds_visible_to(request.user)
        .filter(area.fund_filter())
        .order_by("tambon__amphoe_id", "tambon_id", "code")
    )


@access.officer_required
def area_overview(request: HttpRequest) -> HttpResponse:
    """The officer's areas, each with its headline figures, a way in, and its funds."""
    today = timezone.localdate()
    fiscal_year = current_fiscal_year_be(today)
    areas = []
    for a in access.assignments_of(request.user):
        try:
            place = _place(a.level, a.area_code)
        except Http404:
            continue  # an area code that names no place: nothing in it to show
        funds = _funds_in(request, place)
        report = area_rollup(funds=funds, fiscal_year_be=fiscal_year, today=today)
        areas.append(
            {
                "place": place,
                "funds": funds,
                "totals": Figures.of(report.total),
            }
        )
    context = {
        "areas": areas,
        "fiscal_year": fiscal_year,
        "records_province": bool(access.province_codes_of(request.user)),
    }
    return render(request, "network/overview.html", context)


@access.officer_required
def area_dashboard(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """One area's roll-up for a fiscal year: figures, the areas or funds below it, charts."""
    assignments = access.assignments_of(request.user)
    place = _place(level, code)
    if not _holds(assignments, place):
        raise Http404
    today = timezone.localdate()
    latest = current_fiscal_year_be(today)
    fiscal_year = _fiscal_year(request, latest)
    funds = _funds_in(request, place)
    report = area_rollup(funds=funds, fiscal_year_be=fiscal_year, today=today)
    points = _year_series(funds, fiscal_year)
    query = f"?fy={fiscal_year}" if fiscal_year != latest else ""
    return render(
        request,
        "network/area.html",
        {
            "place": place,
            "crumbs": _crumbs(assignments, place, query),
            "fiscal_year": fiscal_year,
            "years": list(range(latest, latest - YEARS_SHOWN, -1)),
            "as_of": report.end,
            "totals": Figures.of(report.total),
            "lines": _lines(report, place, query),
            "sub_level": _("District") if place.level == "province" else _("Fund"),
            "money": _money_chart(points),
            "welfare": _welfare_chart(report.total.welfare_by_category()),
            "members": _members_chart(points),
        },
    )


def _year_series(funds: list[Fund], fiscal_year: int) -> list[MonthPoint]:
    """The government fiscal year's twelve months, October to September."""
    first, last = government_year_bounds(fiscal_year)
    if not funds:
        return [MonthPoint(p, {}, ZERO, ZERO, 0) for p in _months(fiscal_year)]
    return series(funds=funds, first=first, last=last)


def _lines(report: Rollup, place: Place, query: str) -> list[Line]:
    """The table under an area: its districts for a province, its funds below that."""
    if place.level == "province":
        return [
            Line(
                group.name,
                reverse("network-area", kwargs={"level": "amphoe", "code": group.code}) + query,
                Figures.of(group),
            )
            for group in report.by_amphoe()
        ]
    return [
        Line(
            row.fund.name,
            reverse("network-fund", kwargs={"fund": row.fund.code}) + query,
            Figures.of(row),
            note=row.fund.tambon.name,
            note_url=_tambon_url(place, row.fund.tambon),
            fund=row.fund,
        )
        for row in report.rows
    ]


def _tambon_url(place: Place, tambon: Tambon) -> str:
    """A fund's subdistrict links to the subdistrict's page, unless the page is that one."""
    if place.level == "tambon":
        return ""
    return reverse("network-area", kwargs={"level": "tambon", "code": tambon.code})


@access.officer_required
def fund_dashboard(request: HttpRequest, fund: str) -> HttpResponse:
    """One fund seen from the network: its indicators and monthly money, never its members."""
    from kongtun.indicators.selectors import indicators_or_none

    the_fund = access.fund_for_officer(request.user, fund)
    assignments = access.assignments_of(request.user)
    tambon = the_fund.tambon
    place = Place("tambon", tambon.code, tambon.name, tambon.amphoe.province, tambon.amphoe, tambon)
    today = timezone.localdate()
    latest = current_fiscal_year_be(today)
    fiscal_year = _fiscal_year(request, latest)
    query = f"?fy={fiscal_year}" if fiscal_year != latest else ""
    crumbs = _crumbs(assignments, place, query)
    if _holds(assignments, place):
        crumbs.append((place.name, place.url + query))
    # The year's figures stand at its end, or today for the year still running.
    on = min(today, dt.date(fiscal_year - 543, 9, 30))
    # Officers read across funds: the scope is this one fund, entered here.
    with fund_scope(the_fund):
        indicators = indicators_or_none(fund=the_fund, on=on)
    points = _year_series([the_fund], fiscal_year)
    context: dict[str, Any] = {
        "fund": the_fund,
        "crumbs": crumbs,
        "fiscal_year": fiscal_year,
        "years": list(range(latest, latest - YEARS_SHOWN, -1)),
        "on": on,
        "ind": indicators,
        "money": _money_chart(points),
        "links": _fund_links(the_fund, fiscal_year),
    }
    if indicators is not None:
        labels = dict(Source.choices)
        context["sources"] = [(labels.get(m.source, m.source), m) for m in indicators.money]
        context["welfare_lines"] = [
            (_category_label(w.category), w)
            for w in indicators.welfare
            if w.claims_year or w.claims_total
        ]
        context["member_types"] = [
            (label, indicators.members.by_type[value])
            for value, label in MemberType.choices
            if value in indicators.members.by_type and indicators.members.by_type[value].cumulative
        ]
    return render(request, "network/fund.html", context)


def _fund_links(fund: Fund, fiscal_year: int) -> list[tuple[str, str, str]]:
    """The fund's pages elsewhere in the network for the year, where they exist: its CODI
    forms, its results and problems once reported, its co-funding application's vetting."""
    from kongtun.outcomes.selectors import fund_report

    with fund_scope(fund):
        report = fund_report(fund, fiscal_year)
        application = CofundingApplication.objects.filter(
            fund=fund, fiscal_year_be=fiscal_year
        ).first()
    wanted: list[tuple[str, dict[str, Any], str, str]] = [
        ("codi-network-fund", {"code": fund.code}, _("CODI forms"), "link-codi"),
    ]
    if report is not None and report.is_submitted:
        wanted.append(
            (
                "outcomes-network-report",
                {"year": fiscal_year, "fund": fund.code},
                _("Results, problems and obstacles"),
                "link-outcomes",
            )
        )
    if application is not None:
        wanted.append(
            (
                "vetting-application",
                {"application": application.code},
                _("Co-funding application and its vetting"),
                "link-vetting",
            )
        )
    links = []
    for name, kwargs, label, id_ in wanted:
        url = _url_or_empty(name, **kwargs)
        if url:
            links.append((label, url, id_))
    return links
