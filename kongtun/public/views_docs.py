"""The open data's documentation page: every page, table and column, with example URLs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import Fund
from kongtun.public.specs import PAGES
from kongtun.public.tables import KINDS, SCHEMA


def _examples() -> dict[str, str]:
    """Working URLs for the first fund and its province, so that a reader can click one."""
    year = government_year_of(timezone.localdate())
    fund = Fund.objects.select_related("tambon__amphoe").order_by("code").first()
    found = {"index": reverse("open-index"), "schema": reverse("open-schema")}
    if fund is not None:
        found.update(
            fund=reverse("open-fund", kwargs={"code": fund.code, "year": year}),
            fund_csv=reverse(
                "open-fund-csv", kwargs={"code": fund.code, "year": year, "table": "welfare"}
            ),
            statements=reverse("open-statements", kwargs={"code": fund.code, "year": year}),
            audit=reverse("open-audit", kwargs={"code": fund.code}),
            area=reverse("open-area", kwargs={"code": fund.tambon.amphoe_id, "year": year}),
        )
    return found


def data(request: HttpRequest) -> HttpResponse:
    context = {
        "schema": SCHEMA,
        "pages": list(PAGES.values()),
        "kinds": list(KINDS),
        "examples": _examples(),
        "schema_url": reverse("open-schema"),
    }
    return render(request, "public/data.html", context)
