"""The standing pages as the treasurer and a collector use them, on the village of village.py
(today is 20 June 2567): the front page, plans and terms, a member's contributions, plan
changes and reinstatement, the arrears list on screen, as PDF and as XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kongtun.conftest import make_national_id
from kongtun.contributions.models import MemberPlan, Plan, Standing, Terms
from kongtun.contributions.services import terms_update
from kongtun.contributions.tests.village import TODAY, Village, build, freeze_today
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Event, Status

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def village(books: Any, plan: Any, users: Any, monkeypatch: Any) -> Village:
    freeze_today(monkeypatch)
    return build(books, users, plan)


@pytest.fixture
def url(village: Village) -> Any:
    def make(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": village.fund.code, **kwargs})

    return make


def english(client: Any) -> Any:
    """Read messages in English: the Thai words may still change, the English msgids do not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Front page ------------------------------------------------------------------------------


def test_the_front_page_gives_todays_figures_and_the_way_to_each_part(
    village: Village, url: Any, client_for: Any
) -> None:
    page = client_for("treasurer").get(url("contributions-home"))
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary.current, summary.behind, summary.lapsed, summary.arrears) == (
        1,
        4,
        1,
        D("530.00"),
    )
    html = page.content.decode()
    for name in ("contributions-arrears", "contributions-plans", "contributions-terms"):
        assert f'href="{url(name)}"' in html
    assert f'href="{url("contributions-lapse")}"' in html


def test_a_collector_sees_the_figures_but_not_the_managers_links(
    village: Village, url: Any, client_for: Any
) -> None:
    page = client_for("collector").get(url("contributions-home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{url("contributions-arrears")}"' in html
    assert f'href="{url("contributions-terms")}"' not in html
    assert f'href="{url("contributions-lapse")}"' not in html


def test_the_fund_menu_and_the_member_page_lead_here(
    village: Village, url: Any, client_for: Any
) -> None:
    member = village.m[1]
    page = client_for("collector").get(
        reverse("members-detail", kwargs={"fund_code": village.fund.code, "code": member.code})
    )
    html = page.content.decode()
    assert f'href="{url("contributions-home")}"' in html
    assert f'href="{url("contributions-member", member=member.code)}"' in html


def test_without_a_plan_the_front_page_says_so(in_fund: Any, users: Any, client_for: Any) -> None:
    page = client_for("chair").get(reverse("contributions-home", args=[in_fund.code]))
    assert page.status_code == 200 and page.context["summary"] is None


# --- Plans and terms -------------------------------------------------------------------------


def test_plans_list_with_members_on_each(village: Village, url: Any, client_for: Any) -> None:
    page = client_for("collector").get(url("contributions-plans"))
    assert page.status_code == 200
    assert [(p.name, n) for p, n in page.context["plans"]] == [
        ("รายเดือน 30 บาท", 6),
        ("วันละบาท", 1),
    ]
    assert 'id="plan-form"' not in page.content.decode()  # a collector adds no plan


def test_a_plan_is_added(village: Village, url: Any, client_for: Any) -> None:
    client = english(client_for("treasurer"))
    data = {"name": "ปีละ 365", "frequency": "yearly", "amount": "365", "entry_fee": ""}
    response = client.post(url("contributions-plan-new"), data)
    assert response.status_code == 303
    plan = Plan.objects.get(fund=village.fund, name="ปีละ 365")
    assert (plan.frequency, plan.amount, plan.entry_fee) == ("yearly", D("365.00"), D("0.00"))
    assert _messages(response) == ["The plan “ปีละ 365” was added."]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "ผิด", "frequency": "monthly", "amount": "สามสิบ"}, "amount"),
        ({"name": "ผิด", "frequency": "weekly", "amount": "30"}, "frequency"),
        ({"name": "ผิด", "frequency": "monthly", "amount": "30", "entry_fee": "-5"}, "entry_fee"),
        ({"name": "วันละบาท", "frequency": "daily", "amount": "1"}, "name"),  # taken
    ],
)
def test_a_bad_plan_is_refused_with_the_input_kept(
    village: Village, url: Any, client_for: Any, data: dict[str, str], field: str
) -> None:
    response = client_for("treasurer").post(url("contributions-plan-new"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'value="{data["name"]}"' in response.content.decode()
    assert Plan.objects.filter(fund=village.fund).count() == 2


def test_a_plan_is_withdrawn_and_offered_again(village: Village, url: Any, client_for: Any) -> None:
    client = client_for("treasurer")
    target = url("contributions-plan-active", plan=village.daily.pk)
    assert client.get(target).status_code == 405
    assert client.post(target, {"active": "0"}).status_code == 303
    village.daily.refresh_from_db()
    assert not village.daily.is_active
    assert client.post(target, {"active": "1"}).status_code == 303
    village.daily.refresh_from_db()
    assert village.daily.is_active


def test_the_plan_for_new_members_cannot_be_withdrawn(
    village: Village, url: Any, client_for: Any
) -> None:
    client = english(client_for("chair"))
    response = client.post(
        url("contributions-plan-active", plan=village.monthly.pk), {"active": "0"}
    )
    assert response.status_code == 400
    assert "The plan for new members cannot be withdrawn." in response.content.decode()
    village.monthly.refresh_from_db()
    assert village.monthly.is_active


def test_the_terms_are_saved(village: Village, url: Any, client_for: Any) -> None:
    client = client_for("treasurer")
    page = client.get(url("contributions-terms"))
    assert page.status_code == 200
    assert page.context["form"].initial["lapse_after"] == 3
    data = {
        "default_plan": village.daily.pk,
        "lapse_after": "90",
        "lapse_unit": "days",
        "reinstatement": "rejoin",
        "reinstatement_fee": "50",
    }
    assert client.post(url("contributions-terms"), data).status_code == 303
    terms = Terms.objects.get(fund=village.fund)
    assert (
        terms.default_plan,
        terms.lapse_after,
        terms.lapse_unit,
        terms.reinstatement,
        terms.reinstatement_fee,
    ) == (village.daily, 90, "days", "rejoin", D("50.00"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lapse_after": "-1"}, "lapse_after"),
        ({"lapse_after": "121"}, "lapse_after"),  # months
        ({"reinstatement_fee": "-10"}, "reinstatement_fee"),
        ({"reinstatement": "forgive"}, "reinstatement"),
    ],
)
def test_bad_terms_are_refused_with_the_input_kept(
    village: Village, url: Any, client_for: Any, change: dict[str, str], field: str
) -> None:
    data = {
        "default_plan": village.monthly.pk,
        "lapse_after": "3",
        "lapse_unit": "months",
        "reinstatement": "pay_arrears",
        "reinstatement_fee": "0",
        **change,
    }
    response = client_for("treasurer").post(url("contributions-terms"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["form"]["lapse_after"].value() == data["lapse_after"]
    assert Terms.objects.get(fund=village.fund).lapse_after == 3


# --- One member ------------------------------------------------------------------------------


def test_a_members_contributions(village: Village, url: Any, client_for: Any) -> None:
    m1 = village.m[1]
    page = client_for("collector").get(url("contributions-member", member=m1.code))
    assert page.status_code == 200
    pos = page.context["position"]
    assert (pos.paid_through, pos.arrears, pos.position.missed_periods, pos.fees_due) == (
        dt.date(2024, 3, 31),
        D("60.00"),
        2,
        D("0.00"),
    )
    assert pos.due_now == D("90.00")  # April, May and the June running today
    assert pos.lapses_on == dt.date(2024, 7, 1)
    assert len(page.context["receipts"]) == 1
    html = page.content.decode()
    assert 'id="lapses-on"' in html
    assert f'href="{url("contributions-member-plan", member=m1.code)}"' not in html  # collector


def test_a_member_who_never_paid_owes_the_entry_fee(
    village: Village, url: Any, client_for: Any
) -> None:
    page = client_for("treasurer").get(url("contributions-member", member=village.m[2].code))
    pos = page.context["position"]
    assert (pos.arrears, pos.fees_due, pos.due_now) == (D("150.00"), D("20.00"), D("200.00"))
    assert page.context["history"] == []


def test_a_plan_change_snaps_to_the_next_period_and_recomputes(
    village: Village, url: Any, client_for: Any
) -> None:
    m3 = village.m[3]
    client = english(client_for("treasurer"))
    assert client.get(url("contributions-member-plan", member=m3.code)).status_code == 200
    data = {"plan": village.daily.pk, "on": "10/03/2567"}
    response = client.post(url("contributions-member-plan", member=m3.code), data)
    assert response.status_code == 303
    row = MemberPlan.objects.filter(member=m3).last()
    # 180 baht paid January to June at 30 a month: those months stay paid under the monthly
    # plan, and the daily plan starts after them.
    assert row is not None and (row.plan, row.starts_on) == (village.daily, dt.date(2024, 7, 1))
    with translation.override("en"):
        real = format_date(dt.date(2024, 7, 1))
    assert real in _messages(response)[0]
    assert Standing.objects.get(member=m3).paid_through == dt.date(2024, 6, 30)
    page = client.get(url("contributions-member", member=m3.code))
    assert page.context["position"].paid_through == dt.date(2024, 6, 30)
    # A second change from the same day is refused: that day already has its plan.
    again = client.post(
        url("contributions-member-plan", member=m3.code),
        {"plan": village.monthly.pk, "on": "01/07/2567"},
    )
    assert again.status_code == 400 and "on" in again.context["form"].errors


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"on": "31/02/2567"}, "on"),
        ({"on": ""}, "on"),
    ],
)
def test_a_bad_plan_change_is_refused_with_the_input_kept(
    village: Village, url: Any, client_for: Any, data: dict[str, str], field: str
) -> None:
    m1 = village.m[1]
    response = client_for("treasurer").post(
        url("contributions-member-plan", member=m1.code), {"plan": village.daily.pk, **data}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'value="{data["on"]}"' in response.content.decode() or not data["on"]
    assert MemberPlan.objects.filter(member=m1).count() == 1


def test_reinstating_when_arrears_must_be_paid_first(
    village: Village, url: Any, client_for: Any
) -> None:
    m5 = village.m[5]
    client = english(client_for("treasurer"))
    target = url("contributions-member-reinstate", member=m5.code)
    assert client.get(target).status_code == 405
    response = client.post(target, {"on": ""})
    assert response.status_code == 400
    assert "120.00 baht must be paid before the member is reinstated." in response.content.decode()
    m5.refresh_from_db()
    assert m5.status == Status.LAPSED


def test_reinstating_under_rejoin_terms_starts_afresh(
    village: Village, url: Any, client_for: Any, users: Any
) -> None:
    terms_update(
        fund=village.fund,
        actor=users["treasurer"],
        default_plan=village.monthly,
        lapse_after=3,
        lapse_unit="months",
        reinstatement="rejoin",
        reinstatement_fee=D("50"),
    )
    m5 = village.m[5]
    page = client_for("chair").get(url("contributions-member", member=m5.code))
    assert 'id="reinstate-form"' in page.content.decode()
    response = client_for("chair").post(
        url("contributions-member-reinstate", member=m5.code), {"on": "20/06/2567"}
    )
    assert response.status_code == 303
    m5.refresh_from_db()
    assert (m5.status, m5.status_since) == (Status.ACTIVE, TODAY)
    assert m5.history.filter(event=Event.REINSTATED, effective_on=TODAY).exists()
    standing = Standing.objects.get(member=m5)
    assert (standing.epoch, standing.credit, standing.fees_due, standing.paid_through) == (
        2,
        D("0.00"),
        D("50.00"),
        dt.date(2024, 6, 19),
    )
    pos = client_for("chair").get(url("contributions-member", member=m5.code)).context["position"]
    assert (pos.arrears, pos.fees_due, pos.due_now) == (D("0.00"), D("50.00"), D("80.00"))
    arrears = client_for("chair").get(url("contributions-arrears")).context["listing"]
    assert m5.pk not in {r.member.pk for g in arrears.branches for r in g.rows}
    assert arrears.total == D("430.00")


def test_only_managers_change_plans_and_reinstate(
    village: Village, url: Any, client_for: Any
) -> None:
    m5 = village.m[5]
    collector = client_for("collector")
    assert collector.get(url("contributions-member-plan", member=m5.code)).status_code == 403
    assert collector.post(url("contributions-member-reinstate", member=m5.code)).status_code == 403


# --- The arrears list ------------------------------------------------------------------------


def test_the_arrears_page_as_of_today_and_of_another_day(
    village: Village, url: Any, client_for: Any
) -> None:
    client = client_for("collector")
    page = client.get(url("contributions-arrears"))
    assert page.status_code == 200
    listing = page.context["listing"]
    assert listing.as_of == TODAY
    assert [(g.branch.name if g.branch else None, g.total) for g in listing.branches] == [
        ("บ้านเหนือ", D("230.00")),
        ("บ้านใต้", D("80.00")),
        ("บ้านกลาง", D("120.00")),
        (None, D("120.00")),
    ]
    html = page.content.decode()
    assert "550.00" in html and "230.00" in html
    assert 'href="' + url("contributions-arrears-pdf") + '?as_of=20%2F06%2F2567"' in html

    earlier = client.get(url("contributions-arrears"), {"as_of": "31/03/2567"})
    assert earlier.context["listing"].total == D("140.00")
    one = client.get(url("contributions-arrears"), {"as_of": "", "branch": village.moo1.pk})
    assert [r.member.number for g in one.context["listing"].branches for r in g.rows] == ["1", "2"]


@pytest.mark.parametrize(
    "query",
    [{"as_of": "32/01/2567"}, {"as_of": "เมื่อวาน"}, {"branch": "999999"}, {"branch": "x"}],
)
def test_the_arrears_page_refuses_what_it_cannot_read(
    village: Village, url: Any, client_for: Any, query: dict[str, str]
) -> None:
    client = client_for("treasurer")
    page = client.get(url("contributions-arrears"), query)
    assert page.status_code == 400 and page.context["listing"] is None
    if "as_of" in query:
        assert f'value="{query["as_of"]}"' in page.content.decode()
    assert client.get(url("contributions-arrears-pdf"), query).status_code == 400


def _pdf_text(content: bytes, tmp_path: Any) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (apt-get install poppler-utils)")
    path = tmp_path / "arrears.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\s+", "", text)


def test_the_arrears_pdf_for_the_village_notice(
    village: Village, url: Any, client_for: Any, tmp_path: Any
) -> None:
    response = client_for("collector").get(
        url("contributions-arrears-pdf"), {"as_of": "20/06/2567"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="arrears-20240620.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response.content, tmp_path)
    for expected in (
        "บ้านเหนือ",
        "บ้านใต้",
        "บ้านกลาง",
        "ไม่ระบุหมู่บ้าน/ชุมชน",
        "20มิถุนายน2567",
        "230.00",  # Moo 1
        "550.00",  # the whole fund
        village.m[2].first_name,
    ):
        assert expected in text, expected
    # An internal list names members, but never prints a national ID, whole or masked.
    for seed, member in village.m.items():
        assert make_national_id(seed) not in text
        assert re.sub(r"\s+", "", member.national_id_masked) not in text
    assert village.m[3].first_name not in text  # paid up: not on the list
    assert village.m[7].first_name not in text  # resigned


def test_the_arrears_pdf_of_one_branch(
    village: Village, url: Any, client_for: Any, tmp_path: Any
) -> None:
    response = client_for("collector").get(
        url("contributions-arrears-pdf"), {"branch": village.moo2.pk}
    )
    text = _pdf_text(response.content, tmp_path)
    assert "บ้านใต้" in text and "บ้านเหนือ" not in text
    assert village.m[4].first_name in text and village.m[1].first_name not in text


def test_the_arrears_workbook(village: Village, url: Any, client_for: Any) -> None:
    response = client_for("collector").get(url("contributions-arrears-xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="arrears-20240620.xlsx"'
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(6, 2).value == "เลขที่สมาชิก" and ws.freeze_panes == "A7"
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=7)]
    members = [(r[1], r[6], r[7], r[8]) for r in rows if r[1] is not None]
    assert members == [
        ("1", 60, 0, 60),
        ("2", 150, 20, 170),
        ("4", 80, 0, 80),
        ("5", 120, 0, 120),
        ("6", 120, 0, 120),
    ]
    totals = [(r[0], r[8]) for r in rows if r[1] is None]
    assert totals[-1] == ("รวมทั้งกองทุน", 550)
    assert [t for _, t in totals[:-1]] == [230, 80, 120, 120]
