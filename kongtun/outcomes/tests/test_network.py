"""The year reports of an area, as network and provincial officers read them: the counts equal
the rows, drafts stay the fund's, funds outside the area do not exist, and the meeting's
spreadsheet has one row per problem or obstacle."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kongtun.accounts.models import User
from kongtun.conftest import PASSWORD
from kongtun.funds.models import Fund, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.outcomes.exports import ISSUE_HEADERS, REPORT_HEADERS
from kongtun.outcomes.models import Category, Issue, YearReport
from kongtun.outcomes.services import IssueInput
from kongtun.outcomes.tests.conftest import ISSUES, YEAR, write_report

pytestmark = pytest.mark.django_db


def officer(level: str, area: str) -> Client:
    user = User.objects.create_user(username=f"off-{level}-{area}", password=PASSWORD)
    OfficerAssignment.objects.create(user=user, level=level, area_code=area)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def far_fund(db: Any, users: dict[str, User]) -> Fund:
    """A fund in another district (เกาะคา), with a submitted report."""
    fund = Fund.objects.create(
        code="lp-ko-kha",
        name="กองทุนสวัสดิการชุมชนตำบลเกาะคา",
        tambon=Tambon.objects.filter(amphoe_id="5203").order_by("code")[0],
        founded_on=dt.date(2011, 1, 1),
    )
    write_report(fund, users["admin"], [IssueInput("problem", "arrears", "low", "ค้างส่ง")])
    return fund


@pytest.fixture
def drafted(db: Any, users: dict[str, User]) -> Fund:
    """A fund whose report is still a draft: the network must not count it."""
    fund = Fund.objects.create(
        code="lp-draft",
        name="กองทุนที่ยังร่างรายงาน",
        tambon=Tambon.objects.get(code="520103"),
        founded_on=dt.date(2012, 1, 1),
    )
    write_report(
        fund, users["admin"], [IssueInput("problem", "arrears", "high", "ร่าง")], submit=False
    )
    return fund


def _summary(client: Client, **query: Any) -> Any:
    response = client.get(reverse("outcomes-network"), {"year": YEAR, **query})
    assert response.status_code == 200
    return response.context["outcomes"]


def test_counts_equal_the_rows(
    client_for: Any,
    fund: Fund,
    other_fund: Fund,
    far_fund: Fund,
    drafted: Fund,
    submitted: YearReport,
    neighbour: YearReport,
):
    o = _summary(client_for("officer"))
    funds = [fund, other_fund, far_fund, drafted]
    with fund_scope(funds):
        rows = list(
            Issue.objects.filter(
                report__fiscal_year_be=YEAR, report__status=YearReport.Status.SUBMITTED
            )
        )
    assert len(rows) == 3 + 2 + 1
    assert o.submitted == 3 and o.drafts == 1 and o.funds_in_area == 4
    assert o.totals.total == len(rows)
    assert o.totals.problems == sum(1 for r in rows if r.kind == "problem")
    assert o.totals.obstacles == sum(1 for r in rows if r.kind == "obstacle")
    assert o.totals.high + o.totals.medium + o.totals.low == len(rows)
    for c in o.categories:
        mine = [r for r in rows if r.category == c.category]
        assert c.total == len(mine), c.category
        assert (c.high, c.medium, c.low) == tuple(
            sum(1 for r in mine if r.severity == s) for s in ("high", "medium", "low")
        )
        assert c.funds == len({r.fund_id for r in mine})
    assert sum(c.total for c in o.categories) == o.totals.total
    for row in o.rows:
        assert row.total == sum(1 for r in rows if r.fund_id == row.fund.pk)
        assert row.high == sum(1 for r in rows if r.fund_id == row.fund.pk and r.severity == "high")
    assert {r.fund.code for r in o.rows} == {fund.code, other_fund.code, far_fund.code}
    codi = next(c for c in o.categories if c.category == Category.CODI)
    assert (codi.problems, codi.obstacles, codi.funds) == (0, 2, 2)


def test_filters_by_district_and_category(
    client_for: Any, far_fund: Fund, submitted: YearReport, neighbour: YearReport
):
    client = client_for("officer")
    o = _summary(client, amphoe="5203")
    assert [r.fund.code for r in o.rows] == [far_fund.code] and o.totals.total == 1
    o = _summary(client, category="codi")
    assert [c.category for c in o.categories] == ["codi"]
    assert {r.fund.code for r in o.rows} == {"lp-wiang-nuea", "lp-hua-wiang"}
    assert o.totals.total == 2
    response = client.get(reverse("outcomes-network"), {"year": YEAR, "category": "nonsense"})
    assert response.status_code == 400


def test_an_officer_reads_a_submitted_report(client_for: Any, submitted: YearReport):
    client = client_for("officer")
    page = client.get(
        reverse("outcomes-network-report", kwargs={"year": YEAR, "fund": "lp-wiang-nuea"})
    )
    assert page.status_code == 200
    assert "สมาชิกขาดส่งหลายเดือน" in page.content.decode()


def test_outside_the_area_or_a_draft_is_404(
    client_for: Any, far_fund: Fund, drafted: Fund, submitted: YearReport
):
    def report(client: Client, code: str) -> int:
        path = reverse("outcomes-network-report", kwargs={"year": YEAR, "fund": code})
        return client.get(path).status_code

    chiang_mai = officer("province", "50")
    assert report(chiang_mai, "lp-wiang-nuea") == 404
    assert _summary(chiang_mai).submitted == 0
    district = officer("amphoe", "5201")
    assert report(district, "lp-wiang-nuea") == 200
    assert report(district, far_fund.code) == 404
    assert [r.fund.code for r in _summary(district).rows] == ["lp-wiang-nuea"]
    # In the area, but not submitted: still the fund's own.
    assert report(district, drafted.code) == 404
    # Fund users and people without an area see nothing here.
    for name in ("chair", "nobody"):
        assert client_for(name).get(reverse("outcomes-network")).status_code == 404
        assert report(client_for(name), "lp-wiang-nuea") == 404
    assert report(client_for("chair"), "lp-wiang-nuea") == 404


def test_the_spreadsheet_has_one_row_per_issue(
    client_for: Any,
    fund: Fund,
    users: dict[str, User],
    far_fund: Fund,
    drafted: Fund,
    neighbour: YearReport,
):
    # A fund's words that look like a formula stay words.
    write_report(
        fund,
        users["chair"],
        [*ISSUES, IssueInput("problem", "other", "low", '=HYPERLINK("http://x")')],
    )
    response = client_for("officer").get(reverse("outcomes-network-xlsx", kwargs={"year": YEAR}))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["ปัญหาและอุปสรรค"]
    header = [c.value for c in sheet[5]]
    assert header == [h for h, _w in ISSUE_HEADERS]
    lines = [row for row in sheet.iter_rows(min_row=6, values_only=True) if any(row)]
    assert len(lines) == 4 + 2 + 1  # submitted rows only: the draft's row is not there
    assert [line[0] for line in lines] == list(range(1, 8))
    assert {line[4] for line in lines} == {fund.code, "lp-hua-wiang", far_fund.code}
    assert '\'=HYPERLINK("http://x")' in [line[8] for line in lines]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    reports = book["ผลการดำเนินงาน"]
    assert [c.value for c in reports[5]] == [h for h, _w in REPORT_HEADERS]
    assert len([r for r in reports.iter_rows(min_row=6, values_only=True) if any(r)]) == 3

    filtered = client_for("officer").get(
        reverse("outcomes-network-xlsx", kwargs={"year": YEAR}), {"category": "codi"}
    )
    sheet = load_workbook(io.BytesIO(filtered.content))["ปัญหาและอุปสรรค"]
    lines = [row for row in sheet.iter_rows(min_row=6, values_only=True) if any(row)]
    assert len(lines) == 2 and {line[6] for line in lines} == {"งบสมทบจาก พอช. ล่าช้า / ไม่เพียงพอ"}


def test_the_spreadsheet_is_404_outside_every_area(client_for: Any, submitted: YearReport):
    path = reverse("outcomes-network-xlsx", kwargs={"year": YEAR})
    assert client_for("chair").get(path).status_code == 404
    sheet = load_workbook(io.BytesIO(officer("province", "50").get(path).content))
    rows = list(sheet["ปัญหาและอุปสรรค"].iter_rows(min_row=6, values_only=True))
    assert not [r for r in rows if any(r)]
