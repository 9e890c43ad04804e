"""The public index of funds and areas, and an area's public page: no login, figures only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.public import area_pages
from kongtun.public.lookup import Area, area_of, area_years, chosen_year

MAX_QUERY = 100  # characters of the filter box kept; a name is never longer


def index(request: HttpRequest) -> HttpResponse:
    """Provinces, their districts and their funds; ?q= keeps the funds whose name or place
    contains the words (the filter works without JavaScript)."""
    today = timezone.localdate()
    page = area_pages.index_page(today=today)
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    tree = area_pages.index_tree(page, query)
    return render(
        request,
        "public/index.html",
        {
            "page": page,
            "tree": tree,
            "query": query,
            "matching": area_pages.matching_funds(tree),
            "json_url": reverse("open-index"),
            "csv": {key: reverse("open-index-csv", kwargs={"table": key}) for key in page.tables},
        },
    )


def area(request: HttpRequest, code: str) -> HttpResponse:
    """A province's, district's or subdistrict's funds added up for a fiscal year (?fy=)."""
    the_area = area_of(code)
    today = timezone.localdate()
    years = area_years(today)
    year = chosen_year(request, years)
    page = area_pages.area_page(area=the_area, fiscal_year=year, today=today)
    query = f"?fy={year}" if year != years[0] else ""
    return render(
        request,
        "public/area.html",
        {
            "page": page,
            "area": the_area,
            "title": _title(the_area.level, the_area.name),
            "crumbs": _crumbs(the_area, query),
            "years": years,
            "fiscal_year": year,
            "totals": page.tables["totals"].rows[0],
            "json_url": reverse("open-area", kwargs={"code": code, "year": year}),
            "csv": {
                key: reverse("open-area-csv", kwargs={"code": code, "year": year, "table": key})
                for key in page.tables
            },
        },
    )


def _title(level: str, name: str) -> str:
    kind = {"province": _("Province"), "amphoe": _("District"), "tambon": _("Subdistrict")}
    # Thai writes the kind and the name together (อำเภอเมืองลำปาง), English apart.
    return _("%(kind)s %(name)s") % {"kind": kind[level], "name": name}


def _crumbs(area: Area, query: str) -> list[tuple[str, str]]:
    """The areas above this one, largest first, as (title, url); the year goes along."""
    found = [(_("Funds and areas"), reverse("public-index"))]
    above = [("province", area.province), ("amphoe", area.amphoe)]
    for level, place in above:
        if place is None or level == area.level:
            break
        found.append(
            (_title(level, place.name), reverse("public-area", kwargs={"code": place.code}) + query)
        )
    return found
