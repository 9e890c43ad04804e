"""P3: a member's data, all of it, as JSON and CSV; the export is recorded; CSV is formula-safe;
only those with the privacy export permission may download, and only their fund's members."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.members.models import Member
from kongtun.members.services import member_register, member_update
from kongtun.privacy.export import as_csv, member_export_data
from kongtun.privacy.tests.conftest import paid_claim

pytestmark = pytest.mark.django_db


def _url(fund: Fund, member: Member) -> str:
    return reverse("privacy-member-export", kwargs={"fund_code": fund.code, "code": member.code})


def test_json_export_holds_everything_about_the_member(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund,
    client_for: Any,
) -> None:  # fmt: skip
    claim = paid_claim(books, claimant, users, committee)
    response = client_for("chair").post(_url(books, claimant), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    member = data["member"][0]
    assert member["first_name"] == claimant.first_name
    # In full: the member asked for their own data.
    assert member["national_id"] == make_national_id(201)
    assert [b["full_name"] for b in data["beneficiaries"]] == ["ผู้รับ หนึ่ง", "ผู้รับ สอง"]
    assert [c["purpose"] for c in data["consents"]]
    assert len(data["status_history"]) == 2  # applied, approved
    assert data["receipts"][0]["total"] == "740.00"
    assert data["claims"][0]["number"] == claim.number
    assert data["claims"][0]["amount_due"] == "400.00"
    assert data["payees"][0]["amount"] == "400.00"
    assert data["vouchers"][0]["total"] == "400.00"
    actions = {a["action"] for a in data["audit"]}
    assert {"members.member.registered", "welfare.claim.paid"} <= actions
    with fund_scope(books):
        exported = AuditEntry.objects.filter(action="privacy.member.exported")
        entry = exported.get()
    assert entry.actor == users["chair"] and entry.object_id == str(claimant.pk)
    assert entry.payload["format"] == "json"
    assert make_national_id(201) not in entry.data


def test_csv_export_is_one_readable_sheet_and_formula_safe(
    in_fund: Fund, users: dict[str, User], client_for: Any
) -> None:
    member = member_register(
        fund=in_fund,
        actor=users["secretary"],
        data=member_data(7, first_name='=HYPERLINK("http://x")', street="@SUM(A1)"),
    )
    response = client_for("treasurer").post(_url(in_fund, member), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows[0]) == 4
    values = [row[3] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in values and "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    assert make_national_id(7) in values


def test_csv_headers_are_thai_by_default(member: Member, fund: Fund) -> None:
    with fund_scope(fund), translation.override("th"):
        header = as_csv(member_export_data(member)).decode()[1:].splitlines()[0]
    assert header.isascii() is False


def test_a_corrected_name_exports_the_new_one(
    member: Member, users: dict[str, User], fund: Fund
) -> None:
    with fund_scope(fund):
        member_update(
            member=member,
            actor=users["secretary"],
            data=member_data(1, last_name="แก้ไขแล้ว", national_id=""),
        )
        sections = {s.key: s for s in member_export_data(member)}
    assert sections["member"].items[0]["last_name"] == "แก้ไขแล้ว"
    changed = [a for a in sections["audit"].items if a["action"] == "members.member.changed"]
    assert changed and "แก้ไขแล้ว" in str(changed[0]["data"])


@pytest.mark.parametrize(
    ("who", "status"),
    [("chair", 200), ("treasurer", 200), ("secretary", 200), ("committee", 403),
     ("collector", 403), ("auditor", 403), ("other_chair", 404), ("nobody", 404)],
)  # fmt: skip
def test_who_may_export(member: Member, fund: Fund, client_for: Any, who: str, status: int) -> None:
    assert client_for(who).post(_url(fund, member), {"format": "csv"}).status_code == status


def test_another_funds_member_is_not_found(
    member: Member, other_fund: Fund, users: dict[str, User], client_for: Any
) -> None:
    url = reverse(
        "privacy-member-export", kwargs={"fund_code": other_fund.code, "code": member.code}
    )
    assert client_for("other_chair").post(url, {"format": "json"}).status_code == 404


def test_the_member_page_offers_the_downloads(member: Member, fund: Fund, client_for: Any) -> None:
    page = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    chair = client_for("chair").get(page).content.decode()
    assert 'id="export-csv"' in chair and 'id="export-json"' in chair and 'id="erase"' in chair
    treasurer = client_for("treasurer").get(page).content.decode()
    assert 'id="export-csv"' in treasurer and 'id="erase"' not in treasurer
    collector = client_for("collector").get(page).content.decode()
    assert 'id="personal-data"' not in collector


def test_export_is_quick_for_a_member_with_history(member: Member, fund: Fund) -> None:
    # P3 asks for the export within a minute; here it is a handful of queries, not a scan.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with fund_scope(fund), CaptureQueriesContext(connection) as queries:
        member_export_data(member)
    assert len(queries) < 40
