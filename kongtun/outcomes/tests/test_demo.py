"""The demo's year reports: the plan is the same every time, the loader writes it once."""

from __future__ import annotations

import datetime as dt

import pytest

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.demo.outcomes import outcomes_load, plan_year_reports
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.outcomes.models import Category, Issue, Kind, Severity, YearReport

CODES = [f"lp-{n:06d}" for n in range(520101, 520161)]


def test_the_plan_is_pure_and_plausible():
    first = plan_year_reports(CODES, 2569, 7)
    assert first == plan_year_reports(CODES, 2569, 7)
    assert first != plan_year_reports(CODES, 2569, 8)
    assert first[0].fund_code == CODES[0]  # the showcase always reports
    assert 0.75 * len(CODES) <= len(first) <= len(CODES)
    # A fund's report does not depend on the other funds planned with it.
    alone = plan_year_reports([CODES[0], first[5].fund_code], 2569, 7)
    assert alone[1] == first[5]
    for plan in first:
        assert plan.submitted and plan.results.startswith(("ในปี", "ปีงบ", "ตลอดปี"))
        assert "2569" in plan.results
        assert 1 <= len(plan.issues) <= 5
        assert len({i.category for i in plan.issues}) == len(plan.issues)
        for i in plan.issues:
            assert i.category in Category.values and i.kind in Kind.values
            assert i.severity in Severity.values and i.description
    drafts = plan_year_reports(CODES, 2570, 7, share=0.25, submitted=False)
    assert drafts[0].fund_code == CODES[0] and len(drafts) < len(CODES) / 2
    assert not any(p.submitted for p in drafts)


@pytest.mark.django_db
def test_the_loader_writes_once(users: dict[str, User]):
    tambons = list(Tambon.objects.filter(amphoe_id="5201").order_by("code")[:6])
    funds = [
        Fund.objects.create(
            code=f"demo-{t.code}",
            name=f"กองทุนสวัสดิการชุมชนตำบล{t.name_th}",
            tambon=t,
            founded_on=dt.date(2010, 1, 1),
            fiscal_year=Fund.FiscalYear.CALENDAR if n == 5 else Fund.FiscalYear.GOVERNMENT,
        )
        for n, t in enumerate(tambons)
    ]
    today = dt.date(2026, 11, 26)
    by = users["admin"]
    written = outcomes_load(funds=funds, fiscal_year_be=2569, today=today, by_user=by)
    with fund_scope(funds):
        reports = list(YearReport.objects.all())
        issues = Issue.objects.count()
    assert written == len(reports) and issues > 0
    showcase = {(r.fiscal_year_be, r.status) for r in reports if r.fund_id == funds[0].pk}
    assert showcase == {(2569, "submitted"), (2570, "draft")}
    calendar = funds[5].pk
    for r in reports:
        if r.fiscal_year_be == 2569 and r.fund_id != calendar:
            # Sent in the weeks after 30 Sep 2026, before today.
            assert r.is_submitted and r.submitted_by == by
            assert dt.date(2026, 10, 9) < r.submitted_at.date() < today  # type: ignore[union-attr]
        else:
            # This year's, and the calendar-year fund's 2569, which ends on 31 Dec 2026.
            assert not r.is_submitted and r.submitted_at is None
            assert r.updated_at.date() < today
    # The calendar-year fund's 2570 is next year: it gets no report of it.
    assert not [r for r in reports if r.fund_id == funds[5].pk and r.fiscal_year_be == 2570]
    with fund_scope(funds):
        entries = AuditEntry.objects.filter(action="demo.outcomes.loaded").count()
    assert entries == len({r.fund_id for r in reports})

    assert outcomes_load(funds=funds, fiscal_year_be=2569, today=today, by_user=by) == 0
    with fund_scope(funds):
        assert YearReport.objects.count() == len(reports)
        assert Issue.objects.count() == issues
