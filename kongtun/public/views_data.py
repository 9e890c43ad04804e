"""Open data: every public page as JSON, and each of its tables as CSV, at stable URLs.

/open/v1/<page>.json carries all of a page's tables; /open/v1/<page>/<table>.csv one table.
The years in these URLs are fixed (no "current year" that moves), so a link saved today
still means the same figures' year tomorrow. `schema.json` describes every column.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import override

from kongtun.public import area_pages, fund_pages
from kongtun.public.lookup import (
    area_of,
    area_years,
    fund_years,
    offered_year,
    public_fund,
)
from kongtun.public.specs import PAGES
from kongtun.public.tables import SCHEMA, Page, page_json, table_csv


def _open(response: HttpResponse) -> HttpResponse:
    # Anyone may fetch the data from any site (it is public, with no cookies involved).
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _json(page: Page) -> HttpResponse:
    body = page_json(page, generated_at=timezone.localtime())
    return _open(
        HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    )


def _csv(page: Page, table: str, filename: str) -> HttpResponse:
    if table not in page.tables:
        raise Http404
    response = HttpResponse(table_csv(page.tables[table]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}-{table}.csv"'
    return _open(response)


def _render(page: Page, table: str | None, filename: str) -> HttpResponse:
    # Data files speak one language, whatever the visitor's: names of funds and areas in
    # Thai, as DOPA and CODI write them, and codes that read the same in any language.
    return _json(page) if table is None else _csv(page, table, filename)


def _thai(build: Any) -> Page:
    with override("th"):
        page: Page = build()
    return page


def index_data(request: HttpRequest, table: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    return _render(_thai(lambda: area_pages.index_page(today=today)), table, "index")


def area_data(request: HttpRequest, code: str, year: int, table: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    area = area_of(code)
    year = offered_year(year, area_years(today))
    page = _thai(lambda: area_pages.area_page(area=area, fiscal_year=year, today=today))
    return _render(page, table, f"area-{code}-{year}")


def fund_data(request: HttpRequest, code: str, year: int, table: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    fund = public_fund(code)
    year = offered_year(year, fund_years(fund, today))
    page = _thai(lambda: fund_pages.fund_page(fund=fund, fiscal_year=year, today=today))
    return _render(page, table, f"{code}-{year}")


def statements_data(
    request: HttpRequest, code: str, year: int, table: str | None = None
) -> HttpResponse:
    today = timezone.localdate()
    fund = public_fund(code)
    year = offered_year(year, fund_years(fund, today))
    page = _thai(lambda: fund_pages.statements_page(fund=fund, fiscal_year=year, today=today))
    return _render(page, table, f"{code}-statements-{year}")


def audit_data(request: HttpRequest, code: str, table: str | None = None) -> HttpResponse:
    today = timezone.localdate()
    fund = public_fund(code)
    page = _thai(lambda: fund_pages.audit_page(fund=fund, today=today))
    return _render(page, table, f"{code}-audit")


def schema_json(request: HttpRequest) -> HttpResponse:
    return _open(JsonResponse(schema(), json_dumps_params={"ensure_ascii": False, "indent": 1}))


def schema() -> dict[str, Any]:
    """Every page, table and column, with labels in Thai and English."""

    def both(text: Any) -> dict[str, str]:
        found = {}
        for language in ("th", "en"):
            with override(language):
                found[language] = str(text)
        return found

    return {
        "schema": SCHEMA,
        "values": {
            "money": 'baht as a decimal string with two places, e.g. "1234.50"',
            "percent": 'a decimal string with two places, e.g. "12.50"',
            "count": 'a whole number, or "<5" for 1 to 4, or "hidden" (see the page)',
            "number": "a whole number that counts no person",
            "date": "ISO 8601, Common Era (e.g. 2026-09-30 is 30 ก.ย. 2569)",
            "datetime": "ISO 8601 with the offset (Thailand is +07:00)",
            "month": '"YYYY-MM", Common Era',
            "bool": "true or false (CSV: true/false)",
            "text": "UTF-8 text; in CSV a leading = + - @ is escaped with '",
            "code": "an identifier",
            "url": "a path on this site",
            "hash": "SHA-256, 64 hexadecimal digits",
        },
        "pages": [
            {
                "page": spec.kind,
                "title": both(spec.title),
                "about": both(spec.about),
                "json": f"/open/v1/{spec.url}.json",
                "csv": f"/open/v1/{spec.url}/{{table}}.csv",
                "tables": [
                    {
                        "table": t.key,
                        "title": both(t.title),
                        "about": both(t.about),
                        "columns": [
                            {
                                "column": c.key,
                                "kind": c.kind,
                                "label": both(c.label),
                                **({"about": both(c.about)} if c.about else {}),
                            }
                            for c in t.columns
                        ],
                    }
                    for t in spec.tables
                ],
            }
            for spec in PAGES.values()
        ],
    }
