"""The year report's services on their own: what they refuse, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.funds.models import Fund
from kongtun.outcomes.models import MAX_ISSUES, Issue, YearReport
from kongtun.outcomes.services import (
    IssueInput,
    report_reopen,
    report_save,
    report_submit,
    reportable_years,
)
from kongtun.outcomes.tests.conftest import ISSUES, YEAR

pytestmark = pytest.mark.django_db


def _save(fund: Fund, actor: User, issues: list[IssueInput], **kwargs: object) -> YearReport:
    return report_save(
        fund=fund,
        fiscal_year_be=YEAR,
        actor=actor,
        results=str(kwargs.get("results", "ผลงาน")),
        highlights="",
        issues=issues,
    )


def test_a_refused_save_writes_nothing(in_fund: Fund, users: dict[str, User]):
    report = _save(in_fund, users["chair"], ISSUES)
    entries = AuditEntry.objects.count()
    bad = [
        [*ISSUES, IssueInput("problem", "weather", "low", "ฝนแล้ง")],
        [IssueInput("complaint", "arrears", "low", "x")],
        [IssueInput("problem", "arrears", "extreme", "x")],
        [IssueInput("problem", "arrears", "low", "   ")],
        [IssueInput("problem", "arrears", "low", "x" * 1001)],
        [IssueInput("problem", "other", "low", f"เรื่องที่ {n}") for n in range(MAX_ISSUES + 1)],
    ]
    for issues in bad:
        with pytest.raises(ValidationError):
            _save(in_fund, users["chair"], issues, results="ไม่ควรถูกบันทึก")
    report.refresh_from_db()
    assert report.results == "ผลงาน"
    assert Issue.objects.filter(report=report).count() == len(ISSUES)
    assert AuditEntry.objects.count() == entries


def test_text_is_cleaned_and_rows_numbered(in_fund: Fund, users: dict[str, User]):
    report = _save(
        in_fund,
        users["chair"],
        [IssueInput("problem", "other", "low", "  มี\u200bช่องว่าง  ", " ขอช่วย ")],
        results="  ผลงาน\u200b  ",
    )
    assert report.results == "ผลงาน"
    issue = Issue.objects.get(report=report)
    assert (issue.position, issue.description, issue.help_requested) == (1, "มีช่องว่าง", "ขอช่วย")


def test_only_a_submitted_report_is_reopened(in_fund: Fund, users: dict[str, User]):
    with pytest.raises(ValidationError):
        report_submit(fund=in_fund, fiscal_year_be=YEAR, actor=users["chair"])  # none yet
    report = _save(in_fund, users["chair"], ISSUES)
    with pytest.raises(ValidationError):
        report_reopen(fund=in_fund, fiscal_year_be=YEAR, actor=users["chair"], reason="ลองเปิด")
    report = report_submit(fund=in_fund, fiscal_year_be=YEAR, actor=users["secretary"])
    with pytest.raises(ValidationError):
        report_submit(fund=in_fund, fiscal_year_be=YEAR, actor=users["secretary"])
    with pytest.raises(ValidationError):
        _save(in_fund, users["chair"], [])
    reopened = report_reopen(
        fund=in_fund, fiscal_year_be=YEAR, actor=users["chair"], reason="แก้ตัวเลข"
    )
    assert reopened.status == YearReport.Status.DRAFT and reopened.submitted_at is None
    assert _save(in_fund, users["chair"], []).pk == report.pk
    assert Issue.objects.filter(report=report).count() == 0


def test_reportable_years_run_from_founding_to_this_year(fund: Fund):
    years = reportable_years(fund, dt.date(2026, 11, 26))
    assert years[0] == 2570 and years[-1] == 2553  # founded 15 Jan 2010: FY2553
    assert years == sorted(years, reverse=True)
