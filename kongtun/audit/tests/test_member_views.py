"""P7: who viewed which member, when — recorded by the member pages, reported for a breach."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.audit.models import MemberView
from kongtun.conftest import member_data
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.thaidate import format_date
from kongtun.members.services import member_register


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
    assert rows[1][2] == "chair" and rows[1][6] == "detail"
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
