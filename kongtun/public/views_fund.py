"""A fund's public pages in HTML: its figures, its statements, its audit trail. No login.

Each view finds the fund by its code (404 when there is none), picks the fiscal year asked
for (?fy=, BE), builds the page (kongtun.public.fund_pages) and renders it. The same page is
the open data at /open/v1/, linked from every table.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.funds.models import Fund
from kongtun.ledger.core import ZERO
from kongtun.public import fund_pages
from kongtun.public.fund_pages_common import keeps_records_here, poster_months
from kongtun.public.lookup import chosen_year, fund_years, public_fund
from kongtun.public.tables import Page, Table
from kongtun.public.templatetags.public import month_label

AUDIT_DAYS_SHOWN = 31  # on the page; the CSV has every day


def _csv_urls(page: Page, name: str, **kwargs: Any) -> dict[str, str]:
    return {key: reverse(name, kwargs={**kwargs, "table": key}) for key in page.tables}


def _links(fund: Fund, fiscal_year: int | None) -> dict[str, str]:
    """The fund's three pages, the statements on the year being read."""
    query = f"?fy={fiscal_year}" if fiscal_year else ""
    return {
        "fund": reverse("public-fund", kwargs={"code": fund.code}) + query,
        "statements": reverse("public-statements", kwargs={"code": fund.code}) + query,
        "audit": reverse("public-audit", kwargs={"code": fund.code}),
        "area": reverse("public-area", kwargs={"code": fund.tambon.amphoe_id}),
    }


def _posters(fund: Fund, page: Page) -> list[tuple[str, str]]:
    """The notice-board poster of each month of the year up to the figures' date that has
    one (kongtun.public.fund_pages_common.poster_months)."""
    if page.fiscal_year is None:
        return []
    found = []
    for year_be, month in poster_months(fund, page.fiscal_year, page.as_of):
        url = reverse("public-poster", kwargs={"code": fund.code, "year": year_be, "month": month})
        found.append((month_label(f"{year_be - 543:04d}-{month:02d}"), url))
    return found


def _context(fund: Fund, page: Page, **extra: Any) -> dict[str, Any]:
    return {
        "fund": fund,
        "page": page,
        "t": page.tables,
        "links": _links(fund, page.fiscal_year),
        "own_computer": not keeps_records_here(fund),
        **extra,
    }


def _year_of(request: HttpRequest, fund: Fund, today: dt.date) -> tuple[int, list[int]]:
    years = fund_years(fund, today)
    return chosen_year(request, years), years


def fund(request: HttpRequest, code: str) -> HttpResponse:
    found = public_fund(code)
    today = timezone.localdate()
    year, years = _year_of(request, found, today)
    page = fund_pages.fund_page(fund=found, fiscal_year=year, today=today)
    kw = {"code": found.code, "year": year}
    csv = _csv_urls(page, "open-fund-csv", **kw)
    context = _context(
        found,
        page,
        years=years,
        fiscal_year=year,
        csv=csv,
        tables=_fund_tables(found, page, csv),
        json_url=reverse("open-fund", kwargs=kw),
        posters=_posters(found, page),
        welfare_withheld=_withheld(page.tables["welfare"]),
        money=_first(page.tables["money"]),
        members=_first(page.tables["members"]),
    )
    return render(request, "public/fund.html", context)


def statements(request: HttpRequest, code: str) -> HttpResponse:
    found = public_fund(code)
    today = timezone.localdate()
    year, years = _year_of(request, found, today)
    page = fund_pages.statements_page(fund=found, fiscal_year=year, today=today)
    kw = {"code": found.code, "year": year}
    context = _context(
        found,
        page,
        years=years,
        fiscal_year=year,
        csv=_csv_urls(page, "open-statements-csv", **kw),
        json_url=reverse("open-statements", kwargs=kw),
        books=page.extra.get("books"),
        income_expenditure=_sections(page.tables["income_expenditure"]),
        position=_sections(page.tables["position"]),
    )
    return render(request, "public/statements.html", context)


def audit(request: HttpRequest, code: str) -> HttpResponse:
    found = public_fund(code)
    today = timezone.localdate()
    page = fund_pages.audit_page(fund=found, today=today)
    entered = request.GET.get("hash")
    check = None if entered is None else fund_pages.hash_check(fund=found, entered=entered)
    days = page.tables["audit_days"]
    head = _first(page.tables["audit_head"])
    context = _context(
        found,
        page,
        csv=_csv_urls(page, "open-audit-csv", code=found.code),
        json_url=reverse("open-audit", kwargs={"code": found.code}),
        head=head,  # its time is Thai time already
        days_shown=days.spec.table(days.rows[:AUDIT_DAYS_SHOWN]),
        days_more=max(len(days.rows) - AUDIT_DAYS_SHOWN, 0),
        check=check,
        entered=entered or "",
    )
    return render(request, "public/audit.html", context)


def _withheld(table: Table) -> bool:
    """Whether the welfare table leaves out an amount (beside a claims count not shown)."""
    return any(r["baht_year"] is None or r["baht_total"] is None for r in table.rows)


def _first(table: Table) -> dict[str, Any] | None:
    return table.rows[0] if table.rows else None


def _section_names() -> dict[str, str]:
    return {
        "income": _("Income"),
        "welfare": _("Welfare paid"),
        "admin": _("Administration costs"),
        "other": _("Other expenses"),
        "assets": _("Assets"),
        "liabilities": _("Liabilities"),
        "fund": _("Fund balance"),
    }


def _sections(table: Table) -> list[tuple[str, Table, Decimal]]:
    """A statement's rows by section, each as a table of its own with its total, in the order
    the statement prints them."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows:
        found.setdefault(row["section"], []).append(row)
    names = _section_names()
    return [
        (names[section], table.spec.table(rows), sum((r["amount"] for r in rows), ZERO))
        for section, rows in found.items()
    ]


# What only the records on this server say: a package brings none of it.
RECORDS_ONLY = ("committee", "regulation", "benefits", "meeting_summaries", "audit_head")


def _fund_tables(fund: Fund, page: Page, csv: dict[str, str]) -> list[tuple[Table, str]]:
    """The page's tables in the spec's order, each with its CSV file. The heading row is the
    page's own; a fund on its own computer is not shown tables it could never fill."""
    if page.extra.get("no_package"):
        return []
    skip = ("fund",) if keeps_records_here(fund) else ("fund", *RECORDS_ONLY)
    return [(page.tables[t.key], csv[t.key]) for t in page.spec.tables if t.key not in skip]
