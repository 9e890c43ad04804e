"""The opening-balance pages: template, upload and check, confirm, and the reconciliation."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kongtun.contributions.models import OpeningImport, PastPayment, Plan
from kongtun.contributions.tests import opening_files as files
from kongtun.contributions.tests.conftest import new_member
from kongtun.members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(plan: Plan, books: Any, users: Any) -> Member:
    return new_member(books, users["treasurer"], 301, joined=dt.date(2024, 1, 1))


def _url(fund: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, **kwargs})


def _upload(data: bytes, name: str = "opening.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _good(member: Member) -> bytes:
    return files.workbook(
        members=[[member.number, "30/09/2568"]],
        history=[[member.number, "05/01/2567", 30, "R1"], [member.number, "05/02/2567", 30]],
        money={"1101": 500},
        sources={"members": 60, "donations": 440},
    )


def test_the_page_links_the_template_and_the_template_has_the_funds_accounts(
    member: Member, client_for: Any
) -> None:
    client = client_for("treasurer")
    page = client.get(_url(member.fund, "contributions-opening"))
    assert page.status_code == 200
    assert _url(member.fund, "contributions-opening-template") in page.content.decode()
    response = client.get(_url(member.fund, "contributions-opening-template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["สมาชิก", "ประวัติการส่ง", "ยอดยกมา", "คำอธิบาย"]
    codes = [row[1] for row in book["ยอดยกมา"].iter_rows(min_row=4, values_only=True)]
    assert codes[:2] == ["1101", "1111"] and "members" in codes and "codi" in codes


def test_check_confirm_and_the_reconciliation(member: Member, client_for: Any) -> None:
    client = client_for("treasurer")
    url = _url(member.fund, "contributions-opening")
    checked = client.post(url, {"file": _upload(_good(member))})
    assert checked.status_code == 200
    page = checked.content.decode()
    assert 'name="confirm"' in page and 'id="count-payments">2<' in page
    assert not OpeningImport.objects.exists()  # checking writes nothing

    sha256 = checked.context["preview"].sha256
    done = client.post(url, {"confirm": "1", "sha256": sha256})
    opening = OpeningImport.objects.get()
    assert done.status_code == 302
    assert done["Location"] == _url(member.fund, "contributions-opening-report", opening=opening.pk)
    assert PastPayment.objects.count() == 2

    report = client.get(done["Location"])
    assert report.status_code == 200
    assert 'data-result="equal"' in report.content.decode()
    assert report.context["r"].all_equal


def test_a_refused_file_shows_each_problem_by_sheet_and_row(
    member: Member, client_for: Any
) -> None:
    data = files.workbook(history=[[member.number, "05/01/2567", 30], ["99999", "05/01/2567", 30]])
    response = client_for("treasurer").post(
        _url(member.fund, "contributions-opening"), {"file": _upload(data)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="problems"' in page and 'name="confirm"' not in page
    errors = response.context["preview"].errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [("ประวัติการส่ง", 3, "เลขที่สมาชิก")]
    assert "ประวัติการส่ง" in page and "99999" in page


def test_a_file_that_cannot_be_read_is_a_400_with_its_reason(
    member: Member, client_for: Any
) -> None:
    response = client_for("treasurer").post(
        _url(member.fund, "contributions-opening"), {"file": _upload(b"PK\x03\x04broken")}
    )
    assert response.status_code == 400
    assert 'id="file-error"' in response.content.decode()


def test_confirming_a_file_never_checked_imports_nothing(member: Member, client_for: Any) -> None:
    response = client_for("treasurer").post(
        _url(member.fund, "contributions-opening"), {"confirm": "1", "sha256": "a" * 64}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(member.fund, "contributions-opening")
    assert not OpeningImport.objects.exists()


def test_the_same_file_again_says_it_was_imported(member: Member, client_for: Any) -> None:
    client = client_for("treasurer")
    url = _url(member.fund, "contributions-opening")
    data = _good(member)
    sha256 = client.post(url, {"file": _upload(data)}).context["preview"].sha256
    client.post(url, {"confirm": "1", "sha256": sha256})
    again = client.post(url, {"file": _upload(data, "again.xlsx")})
    assert 'id="already-imported"' in again.content.decode()
    assert OpeningImport.objects.count() == 1
    opening = OpeningImport.objects.get()
    assert _url(member.fund, "contributions-opening-report", opening=opening.pk) in (
        again.content.decode()
    )


def test_a_collector_may_not_import(member: Member, client_for: Any) -> None:
    response = client_for("collector").post(
        _url(member.fund, "contributions-opening"), {"file": _upload(_good(member))}
    )
    assert response.status_code == 403
    assert not OpeningImport.objects.exists()
