"""P7: who viewed which member, when — recorded by the member pages, reported for a breach."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kongtun.audit.models import MemberView
from kongtun.conftest import make_national_id, member_data
from kongtun.contributions.services import plan_create, session_open
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.services import chart_install
from kongtun.lib.thaidate import format_date
from kongtun.members.services import member_register

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def _views(fund):
    with fund_scope(fund):
        return list(MemberView.objects.filter(fund=fund).order_by("pk"))


def _report(fund, **params):
    return reverse("audit-access", kwargs={"fund_code": fund.code}), params


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _today():
    return format_date(timezone.localdate(), "numeric")


def test_member_pages_record_who_viewed_them(fund, member, client_for, users):
    kwargs = {"fund_code": fund.code, "code": member.code}
    chair = client_for("chair")
    assert chair.get(reverse("members-detail", kwargs=kwargs)).status_code == 200
    assert chair.get(reverse("members-edit", kwargs=kwargs)).status_code == 200
    assert chair.get(reverse("members-card", kwargs=kwargs)).status_code == 200
    assert chair.post(reverse("members-reveal-id", kwargs=kwargs)).status_code == 200
    views = _views(fund)
    assert [v.what for v in views] == ["detail", "edit", "card", "reveal_id"]
    assert {v.user for v in views} == {users["chair"]}
    assert {v.member_id for v in views} == {member.pk}
    assert views[0].path == reverse("members-detail", kwargs=kwargs)


def test_a_page_that_is_refused_records_nothing(fund, member, client_for):
    url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    assert client_for("other_chair").get(url).status_code == 404
    assert _views(fund) == []


def test_a_member_view_is_never_edited(fund, member, client_for):
    url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    client_for("chair").get(url)
    with fund_scope(fund), pytest.raises(DatabaseError), transaction.atomic():
        MemberView.objects.filter(fund=fund).update(what="nothing")


def test_the_report_lists_the_views_in_the_range(fund, member, client_for, users):
    url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    client_for("secretary").get(url)
    client_for("chair").get(url)
    with fund_scope(fund):
        old = MemberView.objects.create(
            fund=fund, member=member, user=users["collector"], what="detail", path=url,
            at=timezone.now() - dt.timedelta(days=30),
        )  # fmt: skip
    report, _ = _report(fund)
    params = {"from_date": _today(), "to_date": _today()}
    page = _english(client_for("auditor")).get(report, params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 views in this range" in html
    assert "secretary" in html and "(chair)" in html and "(collector)" not in html
    assert member.full_name in html

    # Narrowed to one user; widened to take in the old view.
    only = client_for("auditor").get(report, {**params, "user": "secretary"})
    assert "(secretary)" in only.content.decode() and "(chair)" not in only.content.decode()
    month_ago = format_date(old.at.date() - dt.timedelta(days=1), "numeric")
    wide = client_for("auditor").get(report, {**params, "from_date": month_ago})
    assert "(collector)" in wide.content.decode()
    by_member = _english(client_for("auditor")).get(report, {**params, "member": "99999"})
    assert "0 views in this range" in by_member.content.decode()


def test_the_report_checks_its_range(fund, client_for):
    report, _ = _report(fund)
    bad = client_for("chair").get(report, {"from_date": _today(), "to_date": "01/01/2500"})
    assert bad.status_code == 400
    assert client_for("chair").get(report).status_code == 200  # the last week by default


def test_the_csv_is_formula_safe(fund, users, client_for):
    with fund_scope(fund):
        risky = member_register(
            fund=fund,
            actor=users["chair"],
            data=member_data(7, title="", first_name="=HYPERLINK(1)"),
        )
    client_for("chair").get(
        reverse("members-detail", kwargs={"fund_code": fund.code, "code": risky.code})
    )
    report, _ = _report(fund)
    response = _english(client_for("chair")).get(
        report, {"from_date": _today(), "to_date": _today(), "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date (BE)", "Time", "Username"]
    assert len(rows) == 2
    assert rows[0][6:] == ["What", "Page", "What (code)"]
    assert rows[1][2] == "chair" and rows[1][6] == "Member page" and rows[1][8] == "detail"
    assert rows[1][5].startswith("'") and "=HYPERLINK(1)" in rows[1][5]


def test_another_funds_views_are_never_shown(fund, other_fund, member, users, client_for):
    with fund_scope(other_fund):
        foreign = member_register(fund=other_fund, actor=users["other_chair"], data=member_data(2))
    client_for("other_chair").get(
        reverse("members-detail", kwargs={"fund_code": other_fund.code, "code": foreign.code})
    )
    client_for("chair").get(
        reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    )
    report, _ = _report(fund)
    params = {"from_date": _today(), "to_date": _today()}
    html = client_for("chair").get(report, params).content.decode()
    assert member.full_name in html and foreign.full_name not in html
    # Another fund's chair cannot open this fund's report at all.
    assert client_for("other_chair").get(report, params).status_code == 404
    with scopes_disabled():
        assert MemberView.objects.count() == 2


@pytest.mark.parametrize("role", ["collector", "secretary", "committee"])
def test_roles_without_the_audit_permission_are_refused(fund, client_for, role):
    report, _ = _report(fund)
    assert client_for(role).get(report).status_code == 403


# --- The other pages that show a member ------------------------------------------------------


@pytest.fixture
def payer(in_fund, users):
    """A member of a fund with books and a plan, so every contribution page can be shown."""
    chart_install(fund=in_fund)
    plan_create(
        fund=in_fund, actor=users["treasurer"], name="รายเดือน 30 บาท", frequency="monthly",
        amount=Decimal("30.00"), entry_fee=Decimal("20.00"),
    )  # fmt: skip
    return member_register(fund=in_fund, actor=users["treasurer"], data=member_data(3))


def _collect_pay(fund, users, member) -> dict[str, Any]:
    session = session_open(fund=fund, collector=users["collector"], place="ศาลาวัด")
    return {"session": session.code, "member": member.code}


def _receipt(fund, users, member) -> dict[str, Any]:
    from kongtun.contributions.services import payment_record
    from kongtun.members.services import member_change_status

    if member.status == "applicant":
        member_change_status(
            member=member, actor=users["treasurer"], event="approved", effective_on=member.joined_on
        )
    paid = payment_record(member=member, actor=users["treasurer"], amount=Decimal("50.00"))
    return {"receipt": paid.code}


# (route, who opens it, what is recorded, the route's arguments besides the fund)
PAGES = [
    ("contributions-passbook", "chair", "passbook", None),
    ("contributions-passbook-pdf", "auditor", "passbook_pdf", None),
    ("contributions-member", "collector", "contributions", None),
    ("contributions-member-plan", "treasurer", "plan", None),
    ("contributions-session-pay", "collector", "collect_pay", _collect_pay),
    ("contributions-desk-pay", "treasurer", "desk_pay", None),
    ("contributions-receipt", "auditor", "receipt", _receipt),
    ("contributions-receipt-pdf", "collector", "receipt_pdf", _receipt),
]


@pytest.mark.parametrize(("route", "role", "what", "arguments"), PAGES, ids=[p[0] for p in PAGES])
def test_the_contribution_pages_record_who_viewed_them(
    fund, payer, users, client_for, route, role, what, arguments
):
    kwargs = arguments(fund, users, payer) if arguments else {"member": payer.code}
    url = reverse(route, kwargs={"fund_code": fund.code, **kwargs})
    assert client_for(role).get(url).status_code == 200
    views = _views(fund)
    assert [(v.what, v.user, v.member_id, v.path) for v in views] == [
        (what, users[role], payer.pk, url)
    ]
    assert views[0].get_what_display() != what  # a label, not the code


def _dashed(national_id: str) -> str:
    d = national_id
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def test_a_search_by_national_id_records_the_member_found(fund, member, users, client_for):
    url = reverse("members-list", kwargs={"fund_code": fund.code})
    chair = client_for("chair")
    # Names, numbers and an ID that nobody holds reveal no one's national ID.
    for query in [member.first_name, member.number, make_national_id(99)]:
        assert chair.post(url, {"q": query}).status_code == 200
    assert _views(fund) == []
    page = chair.post(url, {"q": _dashed(make_national_id(1))})
    assert member.full_name in page.content.decode()
    views = _views(fund)
    assert [(v.what, v.user, v.member_id) for v in views] == [
        ("search_id", users["chair"], member.pk)
    ]


def test_a_collector_finding_by_national_id_is_recorded(fund, payer, users, client_for):
    session = session_open(fund=fund, collector=users["collector"], place="ศาลาวัด")
    url = reverse(
        "contributions-session-find", kwargs={"fund_code": fund.code, "session": session.code}
    )
    collector = client_for("collector")
    collector.post(url, {"q": payer.first_name}, HTTP_HX_REQUEST="true")
    assert _views(fund) == []
    spaced = " ".join(make_national_id(3)[i : i + 4] for i in range(0, 13, 4))
    assert collector.post(url, {"q": spaced}, HTTP_HX_REQUEST="true").status_code == 200
    assert [(v.what, v.member_id) for v in _views(fund)] == [("search_id", payer.pk)]


# --- Labels and local dates in the report ----------------------------------------------------


def test_the_report_shows_what_was_seen_by_its_label(fund, member, client_for):
    kwargs = {"fund_code": fund.code, "code": member.code}
    client_for("chair").post(reverse("members-reveal-id", kwargs=kwargs))
    report, _ = _report(fund)
    params = {"from_date": _today(), "to_date": _today()}
    html = _english(client_for("chair")).get(report, params).content.decode()
    assert "Full national ID" in html and "reveal_id" not in html
    thai = client_for("chair").get(report, params).content.decode()
    with translation.override("th"):
        label = str(MemberView.What.REVEAL_ID.label)
    assert label in thai


def test_every_code_has_a_label():
    codes = ["detail", "edit", "reveal_id", "card", "claim", "claim_document", "claim_pay",
             "claim_slip", "export", "search_id", "passbook", "passbook_pdf", "contributions",
             "plan", "collect_pay", "desk_pay", "receipt", "receipt_pdf"]  # fmt: skip
    assert sorted(codes) == sorted(MemberView.What.values)
    assert all(len(code) <= 20 for code in codes)


def test_a_view_after_midnight_shows_the_thai_day(fund, member, users, client_for):
    # 02:30 in Bangkok is 19:30 the day before in UTC: the report must show the Thai day.
    at = dt.datetime(2026, 3, 15, 2, 30, tzinfo=BANGKOK)
    with fund_scope(fund):
        MemberView.objects.create(
            fund=fund, member=member, user=users["collector"], what="detail", path="/x/", at=at
        )
    report, _ = _report(fund)
    params = {"from_date": "14/03/2569", "to_date": "16/03/2569"}
    html = _english(client_for("auditor")).get(report, params).content.decode()
    assert "15 Mar 2569 BE 02:30:00" in html
    assert "14 Mar 2569" not in html


def test_be_date_shows_a_moment_on_its_thai_day():
    at = dt.datetime(2026, 3, 14, 19, 30, tzinfo=dt.UTC)  # 02:30 on the 15th in Bangkok
    template = Template("{{ at|be_date:'numeric' }} {{ day|be_date:'numeric' }}")
    rendered = template.render(Context({"at": at, "day": dt.date(2026, 3, 14)}))
    assert rendered == "15/03/2569 14/03/2569"
    # Inside {% localtime off %} the moment stays in UTC, as Django's own date filter does.
    off = Template("{% load tz %}{% localtime off %}{{ at|be_date:'numeric' }}{% endlocaltime %}")
    assert off.render(Context({"at": at})) == "14/03/2569"
