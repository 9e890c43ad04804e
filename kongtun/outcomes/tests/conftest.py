"""Year reports to read: the fund's and its neighbour's, for the fiscal year just ended."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.network.selectors import current_fiscal_year_be
from kongtun.outcomes.models import YearReport
from kongtun.outcomes.services import IssueInput, report_save, report_submit


def last_year() -> int:
    """The last completed government fiscal year: the one the province asks about."""
    return current_fiscal_year_be(timezone.localdate()) - 1


YEAR = last_year()

ISSUES = [
    IssueInput("problem", "arrears", "high", "สมาชิกขาดส่งหลายเดือน", "ขอตัวอย่างระเบียบผ่อนผัน"),
    IssueInput("problem", "bookkeeping", "medium", "บัญชียังทำด้วยมือ"),
    IssueInput("obstacle", "codi", "high", "งบสมทบโอนล่าช้า", "ติดตามการโอน"),
]


def write_report(
    fund: Fund,
    actor: User,
    issues: list[IssueInput],
    *,
    year: int = YEAR,
    submit: bool = True,
    results: str = "จัดสวัสดิการครบตามระเบียบ",
) -> YearReport:
    with fund_scope(fund):
        report = report_save(
            fund=fund,
            fiscal_year_be=year,
            actor=actor,
            results=results,
            highlights="ธนาคารต้นไม้",
            issues=issues,
        )
        if submit:
            report = report_submit(fund=fund, fiscal_year_be=year, actor=actor)
        return report


@pytest.fixture
def submitted(fund: Fund, users: dict[str, User]) -> YearReport:
    return write_report(fund, users["chair"], ISSUES)


@pytest.fixture
def neighbour(other_fund: Fund, users: dict[str, User]) -> YearReport:
    return write_report(
        other_fund,
        users["other_chair"],
        [
            IssueInput("obstacle", "codi", "low", "งบสมทบน้อยกว่าที่คาด"),
            IssueInput("obstacle", "local_government", "high", "อบต. ไม่ได้ตั้งงบ"),
        ],
    )


def form_data(
    results: str = "ผลการดำเนินงานของปี",
    highlights: str = "",
    rows: list[dict[str, Any]] | None = None,
    initial: int = 0,
    empty: int = 3,
) -> dict[str, Any]:
    """The edit page's POST: the text, the rows as typed, then `empty` untouched rows."""
    rows = rows or []
    data: dict[str, Any] = {
        "results": results,
        "highlights": highlights,
        "issues-TOTAL_FORMS": str(len(rows) + empty),
        "issues-INITIAL_FORMS": str(initial),
        "issues-MIN_NUM_FORMS": "0",
        "issues-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"issues-{n}-{key}"] = value
    for n in range(len(rows), len(rows) + empty):
        for key in ("kind", "category", "severity", "description", "help_requested"):
            data[f"issues-{n}-{key}"] = ""
    return data
