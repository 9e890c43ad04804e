"""The fund's year report pages as its committee uses them: who may read, write, submit and
reopen; what bad input does; that a submitted report is never edited silently."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.funds.models import Fund
from kongtun.funds.permissions import CHANGE_FUND, Role, role_permissions
from kongtun.funds.tenancy import fund_scope
from kongtun.outcomes.models import Issue, YearReport
from kongtun.outcomes.tests.conftest import YEAR, form_data
from kongtun.outcomes.views import WRITE_REPORT

pytestmark = pytest.mark.django_db
CODE = "lp-wiang-nuea"


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": CODE, **kwargs})


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


ROWS = [
    {
        "kind": "problem",
        "category": "arrears",
        "severity": "high",
        "description": "สมาชิกขาดส่งเงินสมทบ",
        "help_requested": "ขอคำแนะนำ",
    },
    {
        "kind": "obstacle",
        "category": "local_government",
        "severity": "medium",
        "description": "อบต. ไม่ได้ตั้งงบ",
        "help_requested": "",
    },
]


def _stored(fund: Fund) -> tuple[YearReport | None, list[Issue]]:
    with fund_scope(fund):
        report = YearReport.objects.filter(fund=fund, fiscal_year_be=YEAR).first()
        issues = list(Issue.objects.filter(report=report).order_by("position")) if report else []
        return report, issues


@pytest.mark.parametrize(
    "name",
    ["outcomes-home", "outcomes-report", "outcomes-edit", "outcomes-reopen"],
)
def test_a_user_of_another_fund_gets_404(client_for: Any, submitted: YearReport, name: str):
    kwargs = {} if name == "outcomes-home" else {"year": YEAR}
    assert client_for("other_chair").get(url(name, **kwargs)).status_code == 404
    response = client_for("other_chair").post(url("outcomes-submit", year=YEAR))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_who_may_write_the_report(client_for: Any, fund: Fund, role: str):
    may = WRITE_REPORT in role_permissions(role)
    client = client_for(role)
    assert client.get(url("outcomes-home")).status_code == 200
    assert client.get(url("outcomes-edit", year=YEAR)).status_code == (200 if may else 403)
    response = client.post(url("outcomes-edit", year=YEAR), form_data(rows=ROWS))
    assert response.status_code == (303 if may else 403)
    report, issues = _stored(fund)
    assert (report is not None) is may
    assert len(issues) == (2 if may else 0)


def test_the_collector_cannot_edit_or_submit(client_for: Any, fund: Fund, users: dict[str, User]):
    client_for("chair").post(url("outcomes-edit", year=YEAR), form_data(rows=ROWS))
    collector = client_for("collector")
    assert collector.get(url("outcomes-report", year=YEAR)).status_code == 200
    assert collector.get(url("outcomes-edit", year=YEAR)).status_code == 403
    changed = form_data(results="แก้โดยผู้เก็บเงิน")
    assert collector.post(url("outcomes-edit", year=YEAR), changed).status_code == 403
    assert collector.post(url("outcomes-submit", year=YEAR)).status_code == 403
    report, issues = _stored(fund)
    assert report is not None and report.status == YearReport.Status.DRAFT
    assert report.results == "ผลการดำเนินงานของปี" and len(issues) == 2


def test_the_chair_writes_and_submits(client_for: Any, fund: Fund, users: dict[str, User]):
    client = client_for("chair")
    response = client.post(url("outcomes-edit", year=YEAR), form_data(rows=ROWS))
    assert response.status_code == 303
    assert response["Location"] == url("outcomes-report", year=YEAR)
    report, issues = _stored(fund)
    assert report is not None and report.status == YearReport.Status.DRAFT
    assert [(i.position, i.category, i.kind, i.severity) for i in issues] == [
        (1, "arrears", "problem", "high"),
        (2, "local_government", "obstacle", "medium"),
    ]
    page = client.get(url("outcomes-report", year=YEAR)).content.decode()
    assert "สมาชิกขาดส่งเงินสมทบ" in page and 'id="submit"' in page

    assert client.post(url("outcomes-submit", year=YEAR)).status_code == 303
    report, _ = _stored(fund)
    assert report is not None and report.status == YearReport.Status.SUBMITTED
    assert report.submitted_by == users["chair"] and report.submitted_at is not None
    # Everyone with a role reads it; the edit page sends them back to it.
    assert client_for("auditor").get(url("outcomes-report", year=YEAR)).status_code == 200
    assert client.get(url("outcomes-edit", year=YEAR)).status_code == 303


def test_existing_rows_come_back_and_can_be_removed(client_for: Any, fund: Fund):
    client = client_for("chair")
    client.post(url("outcomes-edit", year=YEAR), form_data(rows=ROWS))
    page = client.get(url("outcomes-edit", year=YEAR)).content.decode()
    assert "อบต. ไม่ได้ตั้งงบ" in page and 'name="issues-INITIAL_FORMS" value="2"' in page
    rows = [dict(ROWS[0], DELETE="on"), ROWS[1]]
    response = client.post(url("outcomes-edit", year=YEAR), form_data(rows=rows, initial=2))
    assert response.status_code == 303
    _, issues = _stored(fund)
    assert [i.category for i in issues] == ["local_government"]


def test_bad_input_keeps_what_was_typed_and_writes_nothing(client_for: Any, fund: Fund):
    client = english(client_for("chair"))
    client.post(url("outcomes-edit", year=YEAR), form_data(rows=ROWS))
    before = _stored(fund)
    # A touched row without a description, and an unknown category on the next.
    rows = [
        {"kind": "problem", "category": "arrears", "severity": "low", "description": ""},
        {"kind": "problem", "category": "weather", "severity": "low", "description": "ฝนแล้ง"},
    ]
    response = client.post(
        url("outcomes-edit", year=YEAR),
        form_data(results="ข้อความใหม่ที่พิมพ์ไว้", rows=rows, initial=0),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "ข้อความใหม่ที่พิมพ์ไว้" in page and "ฝนแล้ง" in page
    after = _stored(fund)
    assert after[0] is not None and before[0] is not None
    assert after[0].results == before[0].results
    assert [i.pk for i in after[1]] == [i.pk for i in before[1]]


def test_a_submitted_report_cannot_be_edited(client_for: Any, fund: Fund, submitted: YearReport):
    client = english(client_for("chair"))
    response = client.post(
        url("outcomes-edit", year=YEAR), form_data(results="แก้ไขหลังส่ง", rows=ROWS)
    )
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()
    report, issues = _stored(fund)
    assert report is not None and report.status == YearReport.Status.SUBMITTED
    assert report.results == submitted.results and len(issues) == 3
    # Submitting twice is refused as well, on the report's own page.
    response = client.post(url("outcomes-submit", year=YEAR))
    assert response.status_code == 400 and 'id="refused"' in response.content.decode()


def test_submitting_needs_the_results(client_for: Any, fund: Fund):
    client = english(client_for("chair"))
    client.post(url("outcomes-edit", year=YEAR), form_data(results="", rows=ROWS))
    response = client.post(url("outcomes-submit", year=YEAR))
    assert response.status_code == 400
    assert "Write the results of the year" in response.content.decode()
    report, _ = _stored(fund)
    assert report is not None and report.status == YearReport.Status.DRAFT


def test_the_chair_reopens_with_a_reason_and_it_is_audited(
    client_for: Any, fund: Fund, users: dict[str, User], submitted: YearReport
):
    assert CHANGE_FUND not in role_permissions(Role.SECRETARY)
    assert (
        client_for("secretary").post(url("outcomes-reopen", year=YEAR), {"reason": "x"}).status_code
        == 403
    )
    chair = english(client_for("chair"))
    response = chair.post(url("outcomes-reopen", year=YEAR), {"reason": "  "})
    assert response.status_code == 400
    assert _stored(fund)[0].status == YearReport.Status.SUBMITTED  # type: ignore[union-attr]

    reason = "ตัวเลขผลการดำเนินงานพิมพ์ผิด"
    response = chair.post(url("outcomes-reopen", year=YEAR), {"reason": reason})
    assert response.status_code == 303
    report, _issues = _stored(fund)
    assert report is not None and report.status == YearReport.Status.DRAFT
    assert report.reopen_reason == reason and report.reopened_by == users["chair"]
    with fund_scope(fund):
        entry = AuditEntry.objects.filter(fund=fund, action="outcomes.report.reopened").get()
    assert entry.actor_id == users["chair"].pk and entry.object_id == str(report.pk)
    assert reason in entry.data and submitted.results in entry.data
    # Now a draft again: editable, and the reason shows on the edit page.
    page = chair.get(url("outcomes-edit", year=YEAR)).content.decode()
    assert reason in page
    saved = chair.post(url("outcomes-edit", year=YEAR), form_data(results="แก้แล้ว", rows=ROWS))
    assert saved.status_code == 303
    with fund_scope(fund):
        actions = list(
            AuditEntry.objects.filter(fund=fund, action__startswith="outcomes.")
            .order_by("seq")
            .values_list("action", flat=True)
        )
    assert actions == [
        "outcomes.report.saved",
        "outcomes.report.submitted",
        "outcomes.report.reopened",
        "outcomes.report.saved",
    ]


def test_years_outside_the_fund_life_are_not_there(client_for: Any, fund: Fund):
    client = client_for("chair")
    assert client.get(url("outcomes-report", year=2540)).status_code == 404
    assert client.get(url("outcomes-edit", year=YEAR + 5)).status_code == 404
    assert client.post(url("outcomes-edit", year=YEAR + 5), form_data()).status_code == 404


def test_home_lists_reports_and_offers_the_missing_years(client_for: Any, submitted: YearReport):
    page = client_for("chair").get(url("outcomes-home")).content.decode()
    assert url("outcomes-report", year=YEAR) in page
    assert url("outcomes-edit", year=YEAR + 1) in page  # this year's can be started
    assert url("outcomes-edit", year=YEAR) not in page
    page = client_for("collector").get(url("outcomes-home")).content.decode()
    assert url("outcomes-edit", year=YEAR + 1) not in page


def test_nothing_to_submit_or_reopen_is_said_so(client_for: Any, fund: Fund):
    chair = english(client_for("chair"))
    response = chair.post(url("outcomes-submit", year=YEAR))
    assert response.status_code == 400
    assert "There is no report of this year to submit." in response.content.decode()
    assert chair.get(url("outcomes-reopen", year=YEAR)).status_code == 303
    response = chair.post(url("outcomes-reopen", year=YEAR), {"reason": "ลอง"})
    assert response.status_code == 400
    assert "Only a submitted report can be reopened." in response.content.decode()
    assert _stored(fund) == (None, [])
