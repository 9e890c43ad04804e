"""Receipts on paper and on screen: the PDF reads back right and its QR code opens the receipt's
verification page; the list, the detail and voiding through the pages.

The PDFs are read with the tools a person would (poppler-utils, zbar-tools); the tests fail,
not skip, when a tool is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kongtun.contributions.models import Receipt, Standing
from kongtun.contributions.services import (
    member_reinstate,
    receipt_void,
    session_open,
    terms_update,
    verify_standing,
)
from kongtun.contributions.tests.conftest import new_member
from kongtun.lib.bahttext import bahttext
from kongtun.lib.pdf import thai_text_layer
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Event
from kongtun.members.services import member_change_status

pytestmark = pytest.mark.django_db

APT_PACKAGES = "poppler-utils zbar-tools"


def _run(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed; these tests need: apt-get install {APT_PACKAGES}")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def squash(text: str) -> str:
    """Text as pdftotext reads it back: no spaces (Thai has none between words; pdftotext
    guesses some) and SARA AM spelled as drawn (see kongtun.lib.pdf.thai_text_layer)."""
    return re.sub(r"\s+", "", thai_text_layer(text))


def pdf_text(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    return squash(_run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"))


def pdf_pages(pdf: bytes, path: Path) -> int:
    path.write_bytes(pdf)
    info = _run("pdfinfo", str(path))
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match[1])


def qr_codes(pdf: bytes, path: Path) -> list[str]:
    """Every QR code on the first page, as zbarimg decodes the page printed at 300 dpi."""
    path.write_bytes(pdf)
    prefix = path.with_suffix("")
    _run("pdftoppm", "-r", "300", "-png", "-singlefile", str(path), str(prefix))
    return _run("zbarimg", "--quiet", "--raw", str(prefix.with_suffix(".png"))).split()


def english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def url(books):
    def make(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": books.code, **kwargs})

    return make


@pytest.fixture
def receipt(payer, pay):
    """20 baht entry fee and 330.75 of contributions: eleven months, paid through 30 Nov 2024."""
    return pay(payer, "350.75", dt.date(2024, 1, 15))


# --- The printed receipt ---------------------------------------------------------------------


def test_the_receipt_pdf_reads_back_with_number_words_and_paid_through(
    receipt, url, client_for, tmp_path
):
    response = client_for("collector").get(url("contributions-receipt-pdf", receipt=receipt.code))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path / "receipt.pdf")
    assert receipt.paid_through == dt.date(2024, 11, 30)
    with translation.override("th"):
        paid_through = format_date(receipt.paid_through, "long")
        date = format_date(receipt.date, "long")
    for expected in (
        "ใบเสร็จรับเงิน",
        receipt.fund.name,
        "ตำบลเวียงเหนือ",
        receipt.number,
        date,
        receipt.member.full_name,
        receipt.member.number,
        "330.75",
        "20.00",
        "350.75",
        bahttext(receipt.total),
        "ชำระถึงวันที่",
        paid_through,
        "treasurer",  # who received the money
    ):
        assert squash(expected) in text, expected
    assert bahttext(receipt.total) == "สามร้อยห้าสิบบาทเจ็ดสิบห้าสตางค์"
    assert "ยกเลิก" not in text and "VOID" not in text
    assert receipt.member.national_id_masked not in text


def test_the_receipt_qr_code_opens_its_absolute_verification_url(
    receipt, url, client_for, tmp_path
):
    response = client_for("auditor").get(url("contributions-receipt-pdf", receipt=receipt.code))

    codes = qr_codes(response.content, tmp_path / "receipt.pdf")

    assert codes == [f"http://testserver/r/{receipt.code}/"]
    assert client_for(None).get(codes[0]).status_code == 200


def test_the_receipt_prints_in_thai_whatever_the_screen_language(
    receipt, url, client_for, tmp_path
):
    client = english(client_for("treasurer"))
    response = client.get(url("contributions-receipt-pdf", receipt=receipt.code))

    text = pdf_text(response.content, tmp_path / "receipt.pdf")
    assert squash("30 พฤศจิกายน 2567") in text
    assert squash("ใบเสร็จรับเงิน") in text


def test_a_voided_receipt_prints_void_and_the_reason(receipt, url, client_for, users, tmp_path):
    receipt_void(receipt=receipt, actor=users["treasurer"], reason="พิมพ์จำนวนผิด")

    response = client_for("collector").get(url("contributions-receipt-pdf", receipt=receipt.code))

    text = pdf_text(response.content, tmp_path / "void.pdf")
    assert "VOID" in text
    assert squash("ยกเลิก") in text
    assert squash("พิมพ์จำนวนผิด") in text
    assert receipt.number in text


def test_a_fee_after_rejoining_is_printed_as_the_reinstatement_fee(
    payer, pay, plan, books, users, url, client_for, tmp_path
):
    treasurer = users["treasurer"]
    terms_update(
        fund=books,
        actor=treasurer,
        default_plan=plan,
        lapse_after=3,
        lapse_unit="months",
        reinstatement="rejoin",
        reinstatement_fee=Decimal("50.00"),
    )
    first = pay(payer, "50.00", dt.date(2024, 1, 15))
    member_change_status(
        member=payer, actor=treasurer, event=Event.LAPSED, effective_on=dt.date(2024, 5, 1)
    )
    member_reinstate(member=payer, actor=treasurer, on=dt.date(2024, 6, 1))
    again = pay(payer, "80.00", dt.date(2024, 6, 1))
    assert (again.epoch, again.fee) == (2, Decimal("50.00"))

    client = client_for("chair")
    first_text = pdf_text(
        client.get(url("contributions-receipt-pdf", receipt=first.code)).content,
        tmp_path / "first.pdf",
    )
    again_text = pdf_text(
        client.get(url("contributions-receipt-pdf", receipt=again.code)).content,
        tmp_path / "again.pdf",
    )
    assert squash("ค่าสมัครสมาชิก") in first_text
    assert squash("ค่าธรรมเนียมกลับเข้าเป็นสมาชิก") in again_text
    assert squash("ค่าสมัครสมาชิก") not in again_text
    assert squash(bahttext(Decimal("80.00"))) in again_text


# --- A collection round's receipts --------------------------------------------------------------


@pytest.fixture
def round_of(books, users, pay, payer):
    """The collector's round on 1 Feb 2024 with two members' receipts."""
    session = session_open(fund=books, collector=users["collector"], date=dt.date(2024, 2, 1))
    other = new_member(books, users["treasurer"], 102)
    receipts = [
        pay(payer, "50.00", None, session=session, actor=users["collector"]),
        pay(other, "80.00", None, session=session, actor=users["collector"]),
    ]
    return session, receipts


def test_a_round_prints_one_receipt_per_page(round_of, url, client_for, tmp_path):
    session, receipts = round_of

    response = client_for("collector").get(
        url("contributions-session-receipts-pdf", session=session.code)
    )

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert pdf_pages(response.content, tmp_path / "round.pdf") == 2
    text = pdf_text(response.content, tmp_path / "round.pdf")
    assert text.count(squash("ใบเสร็จรับเงิน")) == 2
    for r in receipts:
        assert r.number in text
        assert squash(bahttext(r.total)) in text
    assert qr_codes(response.content, tmp_path / "round.pdf") == [
        f"http://testserver/r/{receipts[0].code}/"
    ]


def test_only_its_collector_or_the_treasurer_prints_a_round(round_of, url, client_for):
    session, _receipts = round_of
    address = url("contributions-session-receipts-pdf", session=session.code)

    assert client_for("collector").get(address).status_code == 200
    assert client_for("treasurer").get(address).status_code == 200
    assert client_for("chair").get(address).status_code == 200
    # The secretary may collect too, but this is not their round.
    assert client_for("secretary").get(address).status_code == 404
    assert client_for("committee").get(address).status_code == 403


def test_a_round_without_receipts_prints_one_page(books, users, url, client_for, tmp_path, plan):
    session = session_open(fund=books, collector=users["collector"], date=dt.date(2024, 2, 1))

    response = client_for("collector").get(
        url("contributions-session-receipts-pdf", session=session.code)
    )

    assert pdf_pages(response.content, tmp_path / "empty.pdf") == 1
    assert squash("ไม่มีใบเสร็จ") in pdf_text(response.content, tmp_path / "empty.pdf")


# --- The list and one receipt -----------------------------------------------------------------


@pytest.fixture
def three(books, users, payer, pay):
    """Receipts of two members on 15 Jan, 10 Feb and 5 Mar 2024 (BE 2567)."""
    other = new_member(books, users["treasurer"], 103)
    return [
        pay(payer, "50.00", dt.date(2024, 1, 15)),
        pay(other, "80.00", dt.date(2024, 2, 10)),
        pay(payer, "30.00", dt.date(2024, 3, 5)),
    ]


def _listed(response: Any) -> list[str]:
    return re.findall(r"\d{4}/\d{6}", response.content.decode())


def test_the_list_shows_receipts_newest_first(three, url, client_for):
    response = client_for("auditor").get(url("contributions-receipts"))

    assert response.status_code == 200
    assert _listed(response) == ["2567/000003", "2567/000002", "2567/000001"]
    page = response.content.decode()
    assert "350.75" not in page and "80.00" in page
    assert three[0].member.full_name in page


def test_the_list_filters_by_be_dates_and_member_number(three, url, client_for):
    client = client_for("collector")

    by_dates = client.get(
        url("contributions-receipts"), {"start": "01/02/2567", "end": "29/02/2567"}
    )
    by_member = client.get(url("contributions-receipts"), {"member": three[0].member.number})

    assert _listed(by_dates) == ["2567/000002"]
    assert _listed(by_member) == ["2567/000003", "2567/000001"]


def test_the_list_refuses_a_bad_date_and_keeps_it(three, url, client_for):
    response = english(client_for("collector")).get(
        url("contributions-receipts"), {"start": "31/02/2567", "member": "00001"}
    )

    assert response.status_code == 400
    assert _listed(response) == []
    page = response.content.decode()
    assert 'value="31/02/2567"' in page and 'value="00001"' in page
    assert "This day does not exist" in page


def test_the_list_marks_voided_receipts(three, url, client_for, users):
    receipt_void(receipt=three[1], actor=users["treasurer"], reason="ผิดคน")

    page = english(client_for("collector")).get(url("contributions-receipts")).content.decode()

    row = re.search(r"<tr class=\"void\">.*?</tr>", page, re.DOTALL)
    assert row and three[1].number in row[0] and "Voided" in row[0]


def test_the_detail_links_to_the_pdf_the_book_entry_and_voiding(receipt, url, client_for):
    treasurer = client_for("treasurer").get(url("contributions-receipt", receipt=receipt.code))
    collector = client_for("collector").get(url("contributions-receipt", receipt=receipt.code))

    page = treasurer.content.decode()
    assert treasurer.status_code == 200
    assert url("contributions-receipt-pdf", receipt=receipt.code) in page
    assert url("ledger-entry", entry=receipt.entry.code) in page
    assert url("contributions-receipt-void", receipt=receipt.code) in page
    assert f"http://testserver/r/{receipt.code}/" in page
    assert bahttext(receipt.total) in page
    # Only who may void sees the button.
    assert url("contributions-receipt-void", receipt=receipt.code) not in collector.content.decode()


def test_another_funds_receipt_is_not_found_under_my_fund(
    other_fund, users, client_for, books, plan
):
    from kongtun.contributions.services import payment_record, plan_create
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.services import chart_install

    with fund_scope(other_fund):
        chart_install(fund=other_fund)
        plan_create(
            fund=other_fund,
            actor=users["other_chair"],
            name="รายเดือน",
            frequency="monthly",
            amount=Decimal("30.00"),
        )
        foreign = new_member(other_fund, users["other_chair"], 104)
        theirs = payment_record(
            member=foreign,
            actor=users["other_chair"],
            amount=Decimal("30.00"),
            date=dt.date(2024, 1, 5),
        )
    client = client_for("chair")
    for name in (
        "contributions-receipt",
        "contributions-receipt-pdf",
        "contributions-receipt-void",
    ):
        address = reverse(name, kwargs={"fund_code": books.code, "receipt": theirs.code})
        assert client.get(address).status_code == 404, name
    void = reverse(
        "contributions-receipt-void", kwargs={"fund_code": books.code, "receipt": theirs.code}
    )
    assert client.post(void, {"reason": "ลอง"}).status_code == 404
    with fund_scope(other_fund):
        assert not Receipt.objects.get(pk=theirs.pk).is_void


# --- Voiding through the page --------------------------------------------------------------------


def test_voiding_needs_a_reason_and_keeps_what_was_typed(receipt, url, client_for):
    address = url("contributions-receipt-void", receipt=receipt.code)
    client = english(client_for("treasurer"))

    assert client.get(address).status_code == 200
    response = client.post(address, {"reason": "   "})

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    receipt.refresh_from_db()
    assert not receipt.is_void
    too_long = client.post(address, {"reason": "ก" * 301})
    assert too_long.status_code == 400
    assert "ก" * 301 in too_long.content.decode()  # the input is kept
    receipt.refresh_from_db()
    assert not receipt.is_void


def test_voiding_keeps_the_number_and_takes_the_payment_back(payer, pay, url, client_for):
    first = pay(payer, "50.00", dt.date(2024, 1, 15))
    second = pay(payer, "60.00", dt.date(2024, 2, 10))
    assert Standing.objects.get(member=payer).paid_through == dt.date(2024, 3, 31)

    response = client_for("treasurer").post(
        url("contributions-receipt-void", receipt=second.code), {"reason": "เก็บเงินซ้ำ"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("contributions-receipt", receipt=second.code)
    second.refresh_from_db()
    assert second.is_void and second.void_reason == "เก็บเงินซ้ำ"
    assert second.number == "2567/000002"
    assert Standing.objects.get(member=payer).paid_through == dt.date(2024, 1, 31)
    assert verify_standing(payer) == []
    assert pay(payer, "30.00", dt.date(2024, 2, 11)).number == "2567/000003"
    assert first.number == "2567/000001"


def test_voiding_twice_is_refused(receipt, url, client_for, users):
    receipt_void(receipt=receipt, actor=users["treasurer"], reason="ผิด")
    address = url("contributions-receipt-void", receipt=receipt.code)

    response = english(client_for("chair")).post(address, {"reason": "อีกครั้ง"})

    assert response.status_code == 400
    assert "already voided" in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.void_reason == "ผิด"


def test_the_detail_of_a_voided_receipt_says_so(receipt, url, client_for, users):
    receipt_void(receipt=receipt, actor=users["chair"], reason="ผิดคน")
    receipt.refresh_from_db()

    response = english(client_for("collector")).get(
        url("contributions-receipt", receipt=receipt.code)
    )

    page = response.content.decode()
    assert 'id="void-info"' in page and "ผิดคน" in page
    assert url("ledger-entry", entry=receipt.void_entry.code) in page
