"""A member's passbook: receipts, payments from the old books and welfare benefits by date,
with totals that leave out voided receipts and reversed benefits; on screen and on paper."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kongtun.contributions.models import OpeningImport, PastPayment
from kongtun.contributions.passbook import member_passbook
from kongtun.contributions.selectors import member_position
from kongtun.contributions.services import receipt_void
from kongtun.contributions.tests.conftest import new_member
from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.ledger.models import Account
from kongtun.ledger.services import (
    VoucherLineInput,
    entry_reverse,
    voucher_approve,
    voucher_create,
)
from kongtun.lib.money import format_baht

pytestmark = pytest.mark.django_db
D = Decimal


def _voucher(
    fund: Any, users: Any, member: Any, on: dt.date, *lines: tuple[str, str], approve=True
):
    cash = Account.objects.get(fund=fund, role="cash")
    voucher = voucher_create(
        fund=fund,
        actor=users["secretary"],
        kind="payment",
        date=on,
        party=member.full_name,
        description="สวัสดิการ",
        money_account=cash,
        lines=[VoucherLineInput(Account.objects.get(fund=fund, role=r), D(a)) for r, a in lines],
        member=member,
    )
    if approve:
        voucher = voucher_approve(voucher=voucher, actor=users["treasurer"])
    return voucher


@pytest.fixture
def history(books, users, payer, pay):
    """The payer's history.

    From the old books: 300 on 1 May 2023 and 90 on 1 Nov 2023. In Kongtun: 50 on 15 Jan
    2024 (20 entry fee, 30 contribution), 60 on 10 Feb, 30 on 5 Mar (voided). Benefits: a
    hospital payment of 500 on 20 Feb (plus 15 baht of the committee's travel, the fund's own
    cost), a death-of-spouse payment of 3,000 on 1 Apr, and one of 700 whose entry was reversed.
    Not theirs: a voucher still waiting for approval, and one naming another member.
    """
    batch = OpeningImport.objects.create(
        fund=books,
        sha256="0" * 64,
        filename="old-books.xlsx",
        as_of=dt.date(2023, 12, 31),
        created_by=users["treasurer"],
    )
    for on, amount, ref in (
        (dt.date(2023, 5, 1), "300.00", "OLD-12"),
        (dt.date(2023, 11, 1), "90.00", "OLD-19"),
    ):
        PastPayment.objects.create(
            fund=books, member=payer, date=on, amount=D(amount), reference=ref, batch=batch
        )
    receipts = [
        pay(payer, "50.00", dt.date(2024, 1, 15)),
        pay(payer, "60.00", dt.date(2024, 2, 10)),
        pay(payer, "30.00", dt.date(2024, 3, 5)),
    ]
    receipt_void(receipt=receipts[2], actor=users["treasurer"], reason="เก็บเงินซ้ำ")
    hospital = _voucher(
        books,
        users,
        payer,
        dt.date(2024, 2, 20),
        ("welfare.illness", "500.00"),
        ("admin.travel", "15.00"),
    )
    death = _voucher(books, users, payer, dt.date(2024, 4, 1), ("welfare.death", "3000.00"))
    undone = _voucher(books, users, payer, dt.date(2024, 4, 2), ("welfare.death", "700.00"))
    entry_reverse(
        entry=undone.entry, actor=users["treasurer"], on=dt.date(2024, 4, 5), reason="จ่ายผิดคน"
    )
    _voucher(books, users, payer, dt.date(2024, 4, 3), ("welfare.death", "900.00"), approve=False)
    other = new_member(books, users["treasurer"], 140)
    _voucher(books, users, other, dt.date(2024, 4, 4), ("welfare.death", "800.00"))
    return {"receipts": receipts, "hospital": hospital, "death": death, "undone": undone}


def test_the_passbook_lists_every_payment_and_benefit_by_date(payer, history):
    book = member_passbook(payer, as_of=dt.date(2024, 4, 10))

    rows = [(ln.date, ln.kind, ln.reference, ln.void) for ln in book.lines]
    assert rows == [
        (dt.date(2023, 5, 1), "past", "OLD-12", False),
        (dt.date(2023, 11, 1), "past", "OLD-19", False),
        (dt.date(2024, 1, 15), "receipt", "2567/000001", False),
        (dt.date(2024, 2, 10), "receipt", "2567/000002", False),
        (dt.date(2024, 2, 20), "benefit", history["hospital"].number, False),
        (dt.date(2024, 3, 5), "receipt", "2567/000003", True),
        (dt.date(2024, 4, 1), "benefit", history["death"].number, False),
        (dt.date(2024, 4, 2), "benefit", history["undone"].number, True),
    ]
    assert [ln.account.role for ln in book.lines if ln.account] == [
        "welfare.illness",
        "welfare.death",
        "welfare.death",
    ]


def test_the_totals_leave_out_voided_receipts_and_reversed_benefits(payer, history):
    book = member_passbook(payer, as_of=dt.date(2024, 4, 10))

    assert book.contributions_total == D("480.00")  # 300 + 90 + 30 + 60
    assert book.fees_total == D("20.00")
    assert book.paid_total == D("500.00")
    assert book.benefits_total == D("3500.00")  # 500 + 3,000; not the fee, not the reversed 700


def test_the_passbook_shows_where_the_member_stands(payer, history):
    book = member_passbook(payer, as_of=dt.date(2024, 4, 10))

    assert book.position is not None
    assert book.position.paid_through == dt.date(2024, 3, 31)  # 90 of contributions: 3 months
    assert book.position.arrears == D("0.00")
    later = member_passbook(payer, as_of=dt.date(2024, 6, 15))
    assert later.position is not None and later.position.arrears == D("60.00")  # April and May


def test_a_receipt_shows_the_paid_through_date_it_left(payer, history):
    book = member_passbook(payer)

    assert [ln.paid_through for ln in book.lines if ln.kind == "receipt"] == [
        dt.date(2024, 1, 31),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),  # as printed on the receipt, before it was voided
    ]


@pytest.fixture
def url(books):
    def make(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": books.code, **kwargs})

    return make


def _cell(page: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>(.*?)</', page, re.DOTALL)
    assert match, ident
    return match[1].strip()


def test_the_passbook_page_shows_the_lines_and_totals(payer, history, url, client_for):
    response = client_for("collector").get(url("contributions-passbook", member=payer.code))

    assert response.status_code == 200
    page = response.content.decode()
    for receipt in history["receipts"]:
        assert url("contributions-receipt", receipt=receipt.code) in page
    for ref in ("OLD-12", "OLD-19", history["hospital"].number, history["death"].number):
        assert ref in page
    assert page.count('class="line-receipt void"') == 1
    assert page.count('class="line-benefit void"') == 1
    assert _cell(page, "total-contributions") == "480.00"
    assert _cell(page, "total-fees") == "20.00"
    assert _cell(page, "total-paid") == "500.00"
    assert _cell(page, "total-benefits") == "3,500.00"
    position = member_position(payer, timezone.localdate())
    assert position is not None
    assert position.due_now > 0  # nothing paid since April 2024
    assert format_baht(position.due_now) in _cell(page, "arrears")
    assert _cell(page, "paid-through") == "31 มีนาคม 2567"
    assert "15.00" not in page  # the committee's travel is the fund's cost, not a benefit
    assert "900.00" not in page and "800.00" not in page


def test_the_passbook_pdf_reads_back_with_the_lines_and_totals(
    payer, history, url, client_for, tmp_path
):
    response = client_for("auditor").get(url("contributions-passbook-pdf", member=payer.code))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path / "passbook.pdf")
    for expected in (
        "สมุดบัญชีสมาชิก",
        payer.full_name,
        payer.number,
        "2567/000001",
        "2567/000002",
        "2567/000003",
        "ยกเลิก",
        "OLD-12",
        "จากสมุดบัญชีเดิม",
        history["hospital"].number,
        history["death"].number,
        "480.00",
        "500.00",
        "3,500.00",
        "สวัสดิการเจ็บป่วย/รักษาพยาบาล",
        "ชำระถึงวันที่",
    ):
        assert squash(expected) in text, expected


def test_a_member_without_payments_has_an_empty_passbook(books, users, plan, url, client_for):
    member = new_member(books, users["treasurer"], 141)

    book = member_passbook(member)
    response = client_for("committee").get(url("contributions-passbook", member=member.code))

    assert book.lines == [] and book.paid_total == D("0.00")
    assert response.status_code == 200
    assert _cell(response.content.decode(), "total-paid") == "0.00"
