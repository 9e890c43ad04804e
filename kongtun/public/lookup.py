"""Finding what a public URL names: a fund by its code, an area by its DOPA code, a year.

Nothing here needs a login. A fund is looked up by code alone, and its records are read inside
that one fund's scope by the page builders; an unknown code, area or year is 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404, HttpRequest

from kongtun.contributions.matching import government_year, government_year_of
from kongtun.funds.models import Fund
from kongtun.geo.models import Amphoe, Province, Tambon

YEARS_SHOWN = 10  # fiscal years an area page offers, back from the current one


def public_fund(code: str) -> Fund:
    fund = Fund.objects.select_related("tambon__amphoe__province").filter(code=code).first()
    if fund is None:
        raise Http404
    return fund


def fund_years(fund: Fund, today: dt.date) -> list[int]:
    """The government fiscal years (BE) a fund has figures for, newest first."""
    latest = government_year_of(today)
    # A founding date typed in the future still leaves the current year to show.
    first = min(max(government_year_of(fund.founded_on), latest - 50), latest)
    return list(range(latest, first - 1, -1))


def area_years(today: dt.date) -> list[int]:
    latest = government_year_of(today)
    return list(range(latest, latest - YEARS_SHOWN, -1))


def year_as_of(fiscal_year_be: int, today: dt.date) -> dt.date:
    """The day a year's figures stand at: its 30 September, or today for the year running."""
    return min(today, government_year(fiscal_year_be)[1])


def chosen_year(request: HttpRequest, years: list[int]) -> int:
    """The fiscal year asked for (?fy=2569, BE) when offered, else the newest."""
    try:
        year = int(request.GET.get("fy", ""))
    except ValueError:
        return years[0]
    return year if year in years else years[0]


def offered_year(year: int, years: list[int]) -> int:
    """A year in a data URL: one on offer, or 404 (a stable URL never means another year)."""
    if year not in years:
        raise Http404
    return year


@dataclass(frozen=True)
class Area:
    level: str  # "province" | "amphoe" | "tambon"
    code: str
    name: str
    province: Province
    amphoe: Amphoe | None = None
    tambon: Tambon | None = None


def area_of(code: str) -> Area:
    """The area a DOPA code names: 2 digits a province, 4 a district, 6 a subdistrict."""
    if len(code) == 2 and code.isdigit():
        province = Province.objects.filter(code=code).first()
        if province is not None:
            return Area("province", code, province.name, province)
    elif len(code) == 4 and code.isdigit():
        amphoe = Amphoe.objects.select_related("province").filter(code=code).first()
        if amphoe is not None:
            return Area("amphoe", code, amphoe.name, amphoe.province, amphoe)
    elif len(code) == 6 and code.isdigit():
        tambon = Tambon.objects.select_related("amphoe__province").filter(code=code).first()
        if tambon is not None:
            return Area("tambon", code, tambon.name, tambon.amphoe.province, tambon.amphoe, tambon)
    raise Http404


def funds_in(area: Area) -> list[Fund]:
    prefix = {"province": "tambon__amphoe__province", "amphoe": "tambon__amphoe"}
    query = (
        {f"{prefix[area.level]}__code": area.code}
        if area.level in prefix
        else {"tambon__code": area.code}
    )
    return list(
        Fund.objects.select_related("tambon__amphoe__province")
        .filter(**query)
        .order_by("tambon__amphoe_id", "tambon_id", "code")
    )
