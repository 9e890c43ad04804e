from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.funds.models import Branch, CommitteeMember, Fund


def _last_entry() -> AuditEntry:
    with scopes_disabled():
        entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry


def test_the_chair_changes_settings_and_it_is_audited(fund, client_for):
    url = reverse("funds-settings", kwargs={"fund_code": fund.code})
    response = client_for("chair").post(
        url,
        {
            "name": fund.name,
            "municipality_name": "",
            "founded_on": "15/01/2553",
            "fiscal_year": "calendar",
            "admin_cost_cap_percent": "15.50",
        },
    )
    assert response.status_code == 302
    fund.refresh_from_db()
    assert (fund.fiscal_year, fund.admin_cost_cap_percent) == ("calendar", Decimal("15.50"))
    entry = _last_entry()
    assert entry.action == "funds.fund.changed"
    assert entry.payload["before"] == {
        "fiscal_year": "government",
        "admin_cost_cap_percent": "20.00",
    }


def test_bad_settings_keep_the_input_and_save_nothing(fund, client_for):
    url = reverse("funds-settings", kwargs={"fund_code": fund.code})
    response = client_for("chair").post(
        url,
        {
            "name": "ชื่อใหม่",
            "founded_on": "31/02/2553",
            "fiscal_year": "government",
            "admin_cost_cap_percent": "120",
        },
    )
    assert response.status_code == 400
    assert 'value="ชื่อใหม่"' in response.content.decode()
    assert Fund.objects.get(pk=fund.pk).name == fund.name


def test_branches_and_seats_are_added_with_their_rules(fund, client_for, in_fund):
    client = client_for("chair")
    add_branch = reverse("funds-branch-add", kwargs={"fund_code": fund.code})
    assert (
        client.post(add_branch, {"kind": "moo", "number": 4, "name": "บ้านใหม่"}).status_code == 302
    )
    again = client.post(add_branch, {"kind": "moo", "number": 5, "name": "บ้านใหม่"})
    assert again.status_code == 400
    assert Branch.objects.filter(fund=fund).count() == 1

    add_seat = reverse("funds-seat-add", kwargs={"fund_code": fund.code})
    seat = {
        "full_name": "ประธาน ทดสอบ",
        "position": "chair",
        "representing": "members",
        "term_start": "01/01/2568",
        "term_end": "31/12/2566",
    }
    assert client.post(add_seat, seat).status_code == 400
    seat["term_end"] = "31/12/2569"
    assert client.post(add_seat, seat).status_code == 302
    saved = CommitteeMember.objects.get(fund=fund)
    assert (saved.term_start, saved.term_end) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    assert _last_entry().action == "funds.committee.seat_added"


def test_the_chair_gives_a_login_and_changes_roles(fund, client_for, users):
    from kongtun.funds.models import FundRole

    client = client_for("chair")
    add = reverse("funds-person-add", kwargs={"fund_code": fund.code})
    weak = client.post(
        add,
        {"full_name": "สมปอง ใหม่", "username": "sompong", "password": "123", "role": "collector"},
    )
    assert weak.status_code == 400 and 'value="สมปอง ใหม่"' in weak.content.decode()
    taken = client.post(
        add, {"full_name": "x", "username": "treasurer", "password": "long-enough-pass-2569",
              "role": "collector"},
    )  # fmt: skip
    assert taken.status_code == 400
    good = client.post(
        add, {"full_name": "สมปอง ใหม่", "username": "sompong",
              "password": "long-enough-pass-2569", "role": "collector"},
    )  # fmt: skip
    assert good.status_code == 302
    grant = FundRole.objects.get(fund=fund, user__username="sompong")
    assert grant.role == "collector" and grant.user.check_password("long-enough-pass-2569")
    assert _last_entry().action == "funds.role.granted"

    change = reverse("funds-person-change", kwargs={"fund_code": fund.code, "grant": grant.pk})
    client.post(change, {"role": "committee"})  # no is_active: switched off
    grant.refresh_from_db()
    assert (grant.role, grant.is_active) == ("committee", False)
    assert _last_entry().payload["after"] == {"role": "committee", "active": False}

    own = FundRole.objects.get(fund=fund, user=users["chair"])
    mine = reverse("funds-person-change", kwargs={"fund_code": fund.code, "grant": own.pk})
    client.post(mine, {"role": "collector", "is_active": "on"})
    own.refresh_from_db()
    assert own.role == "chair"  # a chair cannot demote themselves by mistake
    # Only the chair manages people; another fund's grant is out of reach.
    assert (
        client_for("treasurer")
        .get(reverse("funds-people", kwargs={"fund_code": fund.code}))
        .status_code
        == 403
    )
    foreign = FundRole.objects.get(user=users["other_chair"])
    url = reverse("funds-person-change", kwargs={"fund_code": fund.code, "grant": foreign.pk})
    assert client.post(url, {"role": "auditor"}).status_code == 404
