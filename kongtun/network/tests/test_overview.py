from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kongtun.conftest import member_data
from kongtun.funds.models import CofundingApplication, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.members.services import member_register
from kongtun.network.selectors import current_fiscal_year_be


def test_officers_see_counts_not_people(fund, other_fund, users, client_for):
    with fund_scope(fund):
        a = member_register(fund=fund, actor=users["chair"], data=member_data(1))
        member_register(fund=fund, actor=users["chair"], data=member_data(2))
        CofundingApplication.objects.create(
            fund=fund, fiscal_year_be=current_fiscal_year_be(timezone.localdate())
        )
    with fund_scope(other_fund):
        b = member_register(fund=other_fund, actor=users["other_chair"], data=member_data(3))
    html = client_for("officer").get(reverse("network-overview")).content.decode()
    assert fund.name in html and other_fund.name in html
    for person in (a, b):
        assert person.first_name not in html and person.national_id_tail not in html
    (area,) = area_summary_for(users["officer"])
    counts = {r.fund.code: (r.members_current, r.applying) for r in area.rows}
    assert counts == {fund.code: (2, True), other_fund.code: (1, False)}


def area_summary_for(user):
    from kongtun.network.selectors import area_summary

    return [area_summary(assignment=a) for a in user.officer_assignments.all()]


def test_an_officer_sees_only_funds_in_their_area(fund, other_fund, users, client_for):
    users["officer"].officer_assignments.all().delete()
    OfficerAssignment.objects.create(user=users["officer"], level="tambon", area_code="520101")
    html = client_for("officer").get(reverse("network-overview")).content.decode()
    assert fund.name in html and other_fund.name not in html


def test_fund_staff_have_no_area_overview(users, client_for):
    assert client_for("treasurer").get(reverse("network-overview")).status_code == 404
    assert client_for(None).get(reverse("network-overview")).status_code == 302
