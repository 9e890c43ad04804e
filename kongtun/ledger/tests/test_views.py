"""The books' pages as a treasurer and a second committee member use them."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from kongtun.audit.models import AuditEntry
from kongtun.ledger.models import (
    Attachment,
    BankReconciliation,
    JournalEntry,
    PeriodClose,
    Voucher,
)
from kongtun.ledger.selectors import account_balance
from kongtun.ledger.services import MAX_ATTACHMENT_BYTES, voucher_approve
from kongtun.ledger.tests.conftest import account
from kongtun.lib.pdf import thai_text_layer

D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    """Attachments go to a folder of this test, never to the developer's var/."""
    settings.VAR_DIR = tmp_path
    return tmp_path


def english(client: Any) -> Any:
    """Read messages in English: the Thai words may still change, the English msgids do not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def url(books):
    def make(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": books.code, **kwargs})

    return make


@pytest.fixture
def opening(books, post):
    """The fund starts March 2567 with 10,000 in cash and 50,000 in the bank."""
    return post(
        dt.date(2024, 3, 1),
        ("cash", "10000.00"),
        ("bank", "50000.00"),
        ("opening", "-60000.00"),
        memo="ยอดยกมา",
        kind=JournalEntry.Kind.OPENING,
    )


def voucher_form(
    *lines: tuple[Any, str],
    money_account: Any,
    date: str = "05/03/2567",
    party: str = "นางสมศรี ใจดี",
    description: str = "ทดสอบ",
    token: str = "token-1",  # noqa: S107 (a form token, not a password)
    **extra: str,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        **extra,
        "date": date,
        "party": party,
        "description": description,
        "money_account": money_account.pk,
        "token": token,
        "lines-TOTAL_FORMS": "10",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "10",
    }
    for i, (acct, amount) in enumerate(lines):
        data[f"lines-{i}-account"] = acct.pk
        data[f"lines-{i}-amount"] = amount
    return data


@pytest.fixture
def make_voucher(books, url, client_for):
    """Make a voucher through the page as the treasurer; return it."""

    def make(kind: str, *lines: tuple[str, str], **kwargs: Any) -> Voucher:
        kwargs.setdefault("money_account", account(books, "cash"))
        kwargs.setdefault("token", f"token-{Voucher.objects.filter(fund=books).count()}")
        data = voucher_form(*[(account(books, a), amt) for a, amt in lines], **kwargs)
        response = client_for("treasurer").post(url("ledger-voucher-new") + f"?kind={kind}", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        return Voucher.objects.get(fund=books, code=response["Location"].rstrip("/").split("/")[-1])

    return make


def _choices(html: str, select_name: str) -> set[str]:
    """The account codes offered in the named <select>."""
    match = re.search(rf'<select name="{select_name}".*?</select>', html, re.S)
    assert match, select_name
    return set(re.findall(r">(\d{4}) ", match.group(0)))


# --- Making vouchers -------------------------------------------------------------------------


def test_a_treasurer_makes_a_receipt_voucher(books, url, client_for, make_voucher):
    voucher = make_voucher("receipt", ("income.members", "1,500.00"), ("income.entry_fees", "100"))

    assert voucher.kind == "receipt" and voucher.status == Voucher.Status.DRAFT
    assert voucher.number == "RV2567-0001"
    assert sorted(ln.amount for ln in voucher.lines.all()) == [D("100.00"), D("1500.00")]
    assert not JournalEntry.objects.filter(fund=books).exists()  # nothing posted before approval
    page = client_for("treasurer").get(url("ledger-voucher", voucher=voucher.code))
    assert page.status_code == 200
    html = page.content.decode()
    assert "RV2567-0001" in html and "1,600.00" in html and "หนึ่งพันหกร้อยบาทถ้วน" in html


def test_a_treasurer_makes_a_payment_voucher_with_two_lines(books, make_voucher):
    voucher = make_voucher(
        "payment", ("welfare.death", "3,000"), ("admin.travel", "250.50"), date="10/03/2567"
    )

    assert voucher.kind == "payment" and voucher.number == "PV2567-0001"
    assert voucher.date == dt.date(2024, 3, 10)
    assert voucher.total == D("3250.50")
    assert voucher.made_by.username == "treasurer"


def test_a_welfare_payment_names_the_member_it_went_to(books, url, client_for, make_voucher):
    from kongtun.conftest import member_data
    from kongtun.members.services import member_register

    member = member_register(fund=books, actor=None, data=member_data(7))
    voucher = make_voucher("payment", ("welfare.death", "3,000"), member_number=member.number)
    assert voucher.member == member
    page = client_for("treasurer").get(url("ledger-voucher", voucher=voucher.code))
    assert 'id="voucher-member"' in page.content.decode()

    data = voucher_form(
        (account(books, "welfare.death"), "100"), money_account=account(books, "cash")
    )
    data["member_number"] = "no-such-number"
    response = client_for("treasurer").post(url("ledger-voucher-new") + "?kind=payment", data)
    assert response.status_code == 400
    assert 'value="no-such-number"' in response.content.decode()
    assert not Voucher.objects.filter(fund=books, member__isnull=True).exists()


def test_a_receipt_voucher_names_no_member(books, url, client_for):
    page = client_for("treasurer").get(url("ledger-voucher-new") + "?kind=receipt")
    assert 'name="member_number"' not in page.content.decode()


def test_the_form_offers_income_for_receipts_and_expenses_for_payments(books, url, client_for):
    client = client_for("treasurer")
    receipt = client.get(url("ledger-voucher-new") + "?kind=receipt").content.decode()
    payment = client.get(url("ledger-voucher-new") + "?kind=payment").content.decode()

    # Receipts: income, and also a receivable collected or the opening balances brought in.
    assert {"4101", "4201", "4601", "1201", "3201"} <= _choices(receipt, "lines-0-account")
    assert not _choices(receipt, "lines-0-account") & {"1101", "1111", "5101", "5201"}
    # Payments: expenses and payables, and another money account (a deposit is a transfer).
    assert {"5101", "5114", "5201", "2101", "1111"} <= _choices(payment, "lines-0-account")
    assert not _choices(payment, "lines-0-account") & {"4101", "3101", "3201"}
    assert _choices(payment, "money_account") == {"1101", "1111"}


def test_without_a_kind_it_asks_which_voucher(books, url, client_for):
    page = client_for("treasurer").get(url("ledger-voucher-new"))
    assert page.status_code == 200
    assert "?kind=receipt" in page.content.decode() and "?kind=payment" in page.content.decode()


def test_on_error_the_form_keeps_everything_typed(books, url, client_for, cash):
    data = voucher_form(
        (account(books, "welfare.death"), "3,000"),
        (account(books, "admin.travel"), "12,34"),  # a decimal comma: refused, not read as 1234
        money_account=cash,
        party="",
        description="ค่าทำศพ นายดำ",
    )
    response = client_for("treasurer").post(url("ledger-voucher-new") + "?kind=payment", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "ค่าทำศพ นายดำ" in html and 'value="3,000"' in html and 'value="12,34"' in html
    form = response.context["form"]
    assert "party" in form.errors
    assert "amount" in form.lines.forms[1].errors
    assert not Voucher.objects.filter(fund=books).exists()


def test_a_voucher_needs_at_least_one_line(books, url, client_for, cash):
    response = english(client_for("treasurer")).post(
        url("ledger-voucher-new") + "?kind=payment", voucher_form(money_account=cash)
    )
    assert response.status_code == 400
    assert "at least one line" in response.content.decode()


def test_a_double_submitted_form_makes_one_voucher(books, url, client_for, cash):
    data = voucher_form((account(books, "welfare.illness"), "700"), money_account=cash)
    client = client_for("treasurer")
    first = client.post(url("ledger-voucher-new") + "?kind=payment", data)
    second = client.post(url("ledger-voucher-new") + "?kind=payment", data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Voucher.objects.filter(fund=books).count() == 1
    # A new form has a new token, so the next voucher is a new one.
    client.post(url("ledger-voucher-new") + "?kind=payment", {**data, "token": "another"})
    assert Voucher.objects.filter(fund=books).count() == 2


def test_the_form_has_a_fresh_token_each_time(books, url, client_for):
    client = client_for("treasurer")
    tokens = {
        client.get(url("ledger-voucher-new") + "?kind=receipt").context["form"].initial["token"]
        for _ in range(2)
    }
    assert len(tokens) == 2


def test_a_voucher_cannot_be_dated_in_a_closed_month(books, url, client_for, cash, users):
    client_for("treasurer").post(
        url("ledger-period-close"), {"kind": "month", "month": "3", "year": "2567"}
    )
    data = voucher_form((account(books, "welfare.death"), "3000"), money_account=cash)
    response = client_for("treasurer").post(url("ledger-voucher-new") + "?kind=payment", data)

    assert response.status_code == 400
    errors = response.context["form"].errors["date"]
    assert "1 มี.ค. 2567" in errors[0] and "31 มี.ค. 2567" in errors[0]


# --- Approving and rejecting -----------------------------------------------------------------


def test_the_maker_cannot_approve_their_own_voucher(books, url, client_for, make_voucher):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client = english(client_for("treasurer"))

    page = client.get(url("ledger-voucher", voucher=voucher.code)).content.decode()
    assert 'id="maker-note"' in page and 'id="approve"' not in page
    response = client.post(url("ledger-voucher-approve", voucher=voucher.code))

    assert response.status_code == 400
    assert "cannot approve" in response.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.DRAFT and voucher.entry is None


def test_a_committee_member_approves_and_the_books_show_it(
    books, url, client_for, make_voucher, opening
):
    paid = make_voucher("payment", ("welfare.death", "3,000"), ("admin.travel", "250.50"))
    got = make_voucher("receipt", ("income.members", "1,200"), money_account=account(books, "bank"))
    client = client_for("committee")
    page = client.get(url("ledger-voucher", voucher=paid.code)).content.decode()
    assert 'id="approve"' in page

    for voucher in (paid, got):
        response = client.post(url("ledger-voucher-approve", voucher=voucher.code))
        assert response.status_code == 302
        voucher.refresh_from_db()
        assert voucher.status == Voucher.Status.APPROVED
        assert voucher.decided_by.username == "committee"

    assert account_balance(fund=books, account=account(books, "cash")) == D("6749.50")
    assert account_balance(fund=books, account=account(books, "bank")) == D("51200.00")
    assert account_balance(fund=books, account=account(books, "welfare.death")) == D("3000.00")
    assert account_balance(fund=books, account=account(books, "income.members")) == D("-1200.00")
    entry = paid.entry
    assert entry is not None and entry.kind == JournalEntry.Kind.VOUCHER
    assert sum(ln.amount for ln in entry.lines.all()) == 0
    home = client.get(url("ledger-home")).content.decode()
    assert "6,749.50" in home and "51,200.00" in home


def test_approving_twice_posts_once(books, url, client_for, make_voucher):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client = client_for("committee")
    client.post(url("ledger-voucher-approve", voucher=voucher.code))
    again = client.post(url("ledger-voucher-approve", voucher=voucher.code))
    assert again.status_code == 302
    assert JournalEntry.objects.filter(fund=books).count() == 1


def test_a_rejected_voucher_posts_nothing(books, url, client_for, make_voucher):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client = client_for("committee")

    no_reason = client.post(url("ledger-voucher-reject", voucher=voucher.code), {"reason": ""})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.context["reject_form"].errors
    response = client.post(
        url("ledger-voucher-reject", voucher=voucher.code), {"reason": "ไม่มีใบเสร็จ"}
    )

    assert response.status_code == 302
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.REJECTED and voucher.rejection_reason == "ไม่มีใบเสร็จ"
    assert not JournalEntry.objects.filter(fund=books).exists()
    late = client.post(url("ledger-voucher-approve", voucher=voucher.code))
    assert late.status_code == 400 and not JournalEntry.objects.filter(fund=books).exists()


def test_a_closed_period_blocks_an_approval_dated_inside(
    books, url, client_for, make_voucher, users
):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    # period_close refuses while a voucher waits, so a close made around it (e.g. restored
    # from a backup) is written directly: the approval must still be refused.
    PeriodClose.objects.create(
        fund=books,
        kind="month",
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 31),
        closed_by=users["chair"],
    )
    response = english(client_for("committee")).post(
        url("ledger-voucher-approve", voucher=voucher.code)
    )

    assert response.status_code == 400
    message = response.context["decision_form"].non_field_errors()[0]
    assert "closed" in message and "1 Mar 2567 BE" in message
    assert 'id="decision-error"' in response.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.DRAFT
    assert not JournalEntry.objects.filter(fund=books).exists()


def test_the_voucher_prints_in_thai_with_the_amount_in_words(
    books, url, client_for, make_voucher, tmp_path
):
    voucher = make_voucher("payment", ("welfare.death", "3,000"), ("admin.travel", "250.50"))
    response = client_for("committee").get(url("ledger-voucher-pdf", voucher=voucher.code))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is not installed (apt-get install poppler-utils)")
    path = tmp_path / "voucher.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    squashed = re.sub(r"\s+", "", text)
    for expected in (
        "ใบสำคัญจ่าย",
        "PV2567-0001",
        "สามพันสองร้อยห้าสิบบาทห้าสิบสตางค์",
        "3,250.50",
        "ผู้รับเงิน",
        "ผู้จ่ายเงิน",
        "ผู้จัดทำ",
        "ผู้อนุมัติ",
        "ร่าง",
    ):
        assert thai_text_layer(expected) in squashed, expected


# --- Attachments -----------------------------------------------------------------------------


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_attachments_accept_a_png_and_refuse_others(books, url, client_for, make_voucher):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client = english(client_for("treasurer"))
    target = url("ledger-attachment-add", voucher=voucher.code)

    ok = client.post(target, {"file": _upload("bill.png", PNG)})
    assert ok.status_code == 302
    exe = client.post(target, {"file": _upload("bill.pdf", EXE)})
    assert exe.status_code == 400
    assert "Only PDF, JPEG or PNG" in exe.context["attachment_form"].errors["file"][0]
    big = client.post(target, {"file": _upload("big.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES)})
    assert big.status_code == 400
    assert "10 MB" in big.context["attachment_form"].errors["file"][0]
    again = client.post(target, {"file": _upload("bill-again.png", PNG)})  # a double click
    assert again.status_code == 302

    assert list(
        Attachment.objects.filter(voucher=voucher).values_list("original_name", flat=True)
    ) == ["bill.png"]


def test_attachments_download_only_inside_the_fund(
    books, url, client_for, make_voucher, other_fund
):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client_for("treasurer").post(
        url("ledger-attachment-add", voucher=voucher.code), {"file": _upload("bill.png", PNG)}
    )
    attachment = Attachment.objects.get(voucher=voucher)
    target = url("ledger-attachment", voucher=voucher.code, attachment=attachment.pk)

    response = client_for("auditor").get(target)
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="bill.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"

    outsider = client_for("other_chair")
    assert outsider.get(target).status_code == 404
    # Under the outsider's own fund, this fund's voucher and file do not exist either.
    foreign = reverse(
        "ledger-attachment",
        kwargs={"fund_code": other_fund.code, "voucher": voucher.code, "attachment": attachment.pk},
    )
    assert outsider.get(foreign).status_code == 404


# --- Journal and reversals -------------------------------------------------------------------


def test_reversing_an_entry_posts_its_opposite_once(books, url, client_for, opening):
    client = english(client_for("treasurer"))
    page = client.get(url("ledger-entry", entry=opening.code)).content.decode()
    assert opening.hash in page and 'id="reverse"' in page

    response = client.post(
        url("ledger-entry-reverse", entry=opening.code),
        {"on": "20/03/2567", "reason": "ยอดยกมาผิด"},
    )
    assert response.status_code == 302
    reversal = JournalEntry.objects.get(fund=books, reverses=opening)
    assert response["Location"] == url("ledger-entry", entry=reversal.code)
    assert reversal.date == dt.date(2024, 3, 20)
    assert account_balance(fund=books, account=account(books, "cash")) == 0

    again = client.post(
        url("ledger-entry-reverse", entry=opening.code), {"on": "21/03/2567", "reason": "ซ้ำ"}
    )
    assert again.status_code == 400
    assert "already reversed" in again.content.decode()
    assert JournalEntry.objects.filter(fund=books).count() == 2

    journal = client.get(url("ledger-journal")).content.decode()
    assert f"Reversed by #{reversal.number}" in journal
    detail = client.get(url("ledger-entry", entry=opening.code)).content.decode()
    assert 'id="reversal-link"' in detail and 'id="reverse"' not in detail


def test_a_reversal_needs_a_reason_and_keeps_the_input(books, url, client_for, opening):
    response = client_for("treasurer").post(
        url("ledger-entry-reverse", entry=opening.code), {"on": "20/03/2567", "reason": ""}
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert 'value="20/03/2567"' in response.content.decode()


def test_the_entry_shows_debits_and_credits(books, url, client_for, opening):
    response = client_for("auditor").get(url("ledger-entry", entry=opening.code))
    lines = response.context["lines"]
    assert [(ln.account.code, debit, credit) for ln, debit, credit in lines] == [
        ("1101", D("10000.00"), D("0.00")),
        ("1111", D("50000.00"), D("0.00")),
        ("3201", D("0.00"), D("60000.00")),
    ]
    assert response.context["total"] == D("60000.00")


# --- Books -----------------------------------------------------------------------------------


def test_the_cash_book_runs_a_balance(books, url, client_for, make_voucher, opening, users):
    got = make_voucher("receipt", ("income.members", "1,500"), date="05/03/2567")
    paid = make_voucher("payment", ("welfare.death", "3,250.50"), date="10/03/2567")
    for voucher in (got, paid):
        voucher_approve(voucher=voucher, actor=users["committee"])

    response = client_for("treasurer").get(
        url("ledger-cash-book"), {"start": "01/03/2567", "end": "31/03/2567"}
    )
    book = response.context["book"]
    assert book.opening == 0
    assert [(ln.debit, ln.credit, ln.balance) for ln in book.lines] == [
        (D("10000.00"), D("0.00"), D("10000.00")),
        (D("1500.00"), D("0.00"), D("11500.00")),
        (D("0.00"), D("3250.50"), D("8249.50")),
    ]
    assert book.closing == D("8249.50")
    html = response.content.decode()
    assert "8,249.50" in html and "11,500.00" in html

    later = client_for("treasurer").get(
        url("ledger-cash-book"), {"start": "06/03/2567", "end": "31/03/2567"}
    )
    assert later.context["book"].opening == D("11500.00")
    assert len(later.context["book"].lines) == 1


def test_the_books_default_to_the_current_month(books, url, client_for):
    from django.utils import timezone

    response = client_for("treasurer").get(url("ledger-cash-book"))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["book"].start == today.replace(day=1)
    assert response.context["book"].end.month == today.month


def test_a_book_period_that_ends_before_it_starts_is_refused(books, url, client_for):
    response = client_for("treasurer").get(
        url("ledger-cash-book"), {"start": "31/03/2567", "end": "01/03/2567"}
    )
    assert response.status_code == 400
    assert "end" in response.context["form"].errors


def test_the_bank_book_and_a_ledger(books, url, client_for, opening):
    client = client_for("auditor")
    bank = client.get(url("ledger-bank-book"), {"start": "01/03/2567", "end": "31/03/2567"})
    assert bank.context["book"].closing == D("50000.00")
    fund_balance = account(books, "opening")
    ledger = client.get(
        url("ledger-ledger", account=fund_balance.pk), {"start": "01/03/2567", "end": "31/03/2567"}
    )
    # An equity account's credit balance reads as a positive number.
    assert ledger.context["book"].closing == D("60000.00")
    assert ledger.context["book"].lines[0].credit == D("60000.00")


def test_the_chart_lists_accounts_with_balances_and_takes_a_new_bank_account(
    books, url, client_for, opening
):
    client = client_for("treasurer")
    page = client.get(url("ledger-accounts"))
    assets = page.context["groups"][0]
    assert {a.code: b for a, b in assets["accounts"]}["1101"] == D("10000.00")

    bad = client.post(
        url("ledger-account-new"),
        {"code": "1112", "name_th": "ธกส.", "type": "asset", "is_bank": "on"},
    )
    assert bad.status_code == 400 and "bank_account_no" in bad.context["form"].errors
    added = client.post(
        url("ledger-account-new"),
        {
            "code": "1112",
            "name_th": "เงินฝาก ธ.ก.ส. ออมทรัพย์",
            "type": "asset",
            "is_bank": "on",
            "bank_account_no": "ธ.ก.ส. สาขาลำปาง 012-3-45678-9",
        },
    )
    assert added.status_code == 302
    new = account(books, "1112")
    assert new.role == "bank" and new.bank_account_no.endswith("45678-9")
    assert client.get(url("ledger-bank-book"), {"account": new.pk}).status_code == 200
    duplicate = client.post(
        url("ledger-account-new"), {"code": "1112", "name_th": "x", "type": "asset"}
    )
    assert duplicate.status_code == 400 and "code" in duplicate.context["form"].errors
    assert client_for("committee").get(url("ledger-account-new")).status_code == 403


def test_the_voucher_list_filters_by_status(books, url, client_for, make_voucher):
    waiting = make_voucher("payment", ("welfare.death", "3000"))
    done = make_voucher("receipt", ("income.members", "100"))
    client_for("committee").post(url("ledger-voucher-approve", voucher=done.code))

    client = client_for("auditor")
    drafts = client.get(url("ledger-vouchers"), {"status": "draft"}).content.decode()
    assert waiting.number in drafts and done.number not in drafts
    everything = client.get(url("ledger-vouchers")).content.decode()
    assert waiting.number in everything and done.number in everything
    home = client.get(url("ledger-home"))
    assert home.context["waiting"] == 1


# --- Bank reconciliation ---------------------------------------------------------------------


def _reconciliation(bank: Any, balance: str, *items: tuple[str, str, str], token: str) -> dict:
    data = {
        "account": bank.pk,
        "statement_date": "31/03/2567",
        "statement_balance": balance,
        "token": token,
        "items-TOTAL_FORMS": "8",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "8",
    }
    for i in range(8):
        data[f"items-{i}-kind"] = "deposit"  # what the browser sends for untouched rows
    for i, (kind, description, amount) in enumerate(items):
        data.update(
            {
                f"items-{i}-kind": kind,
                f"items-{i}-description": description,
                f"items-{i}-amount": amount,
            }
        )
    return data


def test_a_reconciliation_is_explained_or_shows_the_gap(books, url, client_for, bank, opening):
    client = client_for("treasurer")
    explained = client.post(
        url("ledger-reconciliation-new"),
        _reconciliation(bank, "50,300", ("cheque", "เช็ค 0012 ยังไม่ขึ้นเงิน", "+300"), token="a"),
    )
    assert explained.status_code == 302
    rec = BankReconciliation.objects.get(fund=books, idempotency_key="a")
    assert rec.book_balance == D("50000.00") and rec.statement_balance == D("50300.00")
    page = client.get(explained["Location"])
    assert page.context["r"].explained
    assert 'id="result"' in page.content.decode()

    gap = client.post(
        url("ledger-reconciliation-new"), _reconciliation(bank, "49,950.75", token="b")
    )
    page = client.get(gap["Location"])
    assert not page.context["r"].explained
    assert page.context["r"].unexplained == D("-49.25")
    assert "-49.25" in page.content.decode()

    again = client.post(
        url("ledger-reconciliation-new"), _reconciliation(bank, "49,950.75", token="b")
    )
    assert again["Location"] == gap["Location"]
    assert BankReconciliation.objects.filter(fund=books).count() == 2
    listing = client.get(url("ledger-reconciliations")).context["rows"]
    assert [r.explained for r in listing] == [False, True]


def test_a_reconciliation_item_needs_a_description(books, url, client_for, bank):
    response = client_for("treasurer").post(
        url("ledger-reconciliation-new"),
        _reconciliation(bank, "100", ("charge", "", "-20"), token="c"),
    )
    assert response.status_code == 400
    assert "description" in response.context["form"].items.forms[0].errors
    assert 'value="-20"' in response.content.decode()


# --- Closing the books -----------------------------------------------------------------------


def test_closing_a_month_and_a_fiscal_year(books, url, client_for):
    client = client_for("treasurer")
    month = client.post(url("ledger-period-close"), {"kind": "month", "month": "2", "year": "2567"})
    assert month.status_code == 302
    close = PeriodClose.objects.get(fund=books, kind="month")
    assert (close.start, close.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    client.post(url("ledger-period-close"), {"kind": "month", "month": "2", "year": "2567"})
    assert PeriodClose.objects.filter(fund=books, kind="month").count() == 1  # a double click

    year = client.post(url("ledger-period-close"), {"kind": "year", "year": "2567"})
    assert year.status_code == 302
    fiscal = PeriodClose.objects.get(fund=books, kind="year")
    assert (fiscal.start, fiscal.end) == (dt.date(2023, 10, 1), dt.date(2024, 9, 30))


def test_a_period_that_has_not_ended_cannot_be_closed(books, url, client_for):
    from django.utils import timezone

    from kongtun.lib.thaidate import be_year

    today = timezone.localdate()
    response = client_for("treasurer").post(
        url("ledger-period-close"),
        {"kind": "month", "month": str(today.month), "year": str(be_year(today))},
    )
    assert response.status_code == 400
    assert response.context["close_form"].non_field_errors()
    assert not PeriodClose.objects.filter(fund=books).exists()


def test_only_the_chair_reopens_and_it_is_audited(books, url, client_for, users):
    client_for("treasurer").post(
        url("ledger-period-close"), {"kind": "month", "month": "3", "year": "2567"}
    )
    close = PeriodClose.objects.get(fund=books)
    target = url("ledger-period-reopen", close=close.pk)

    assert client_for("treasurer").post(target, {"reason": "แก้ไข"}).status_code == 403
    no_reason = client_for("chair").post(target, {"reason": ""})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.context["reopen_form"].errors
    assert client_for("chair").post(target, {"reason": "มติกรรมการ ครั้งที่ 3/2567"}).status_code == 302

    close.refresh_from_db()
    assert close.reopened_by == users["chair"] and close.reopen_reason.startswith("มติ")
    assert AuditEntry.objects.filter(fund=books, action="ledger.period.reopened").exists()
    page = client_for("auditor").get(url("ledger-periods")).content.decode()
    assert "มติกรรมการ ครั้งที่ 3/2567" in page


def test_a_funds_own_administration_account_counts_towards_the_cap(books, url, client_for):
    client = client_for("treasurer")
    added = client.post(
        url("ledger-account-new"),
        {"code": "5299", "name_th": "ค่าจ้างทำบัญชี", "type": "expense", "category": "admin"},
    )
    assert added.status_code == 302
    assert account(books, "5299").role.startswith("admin.")
    other = client.post(
        url("ledger-account-new"), {"code": "5999", "name_th": "อื่น ๆ", "type": "expense"}
    )
    assert other.status_code == 302 and account(books, "5999").role == ""


def test_a_voucher_whose_entry_was_reversed_says_so(books, url, client_for, make_voucher):
    voucher = make_voucher("payment", ("welfare.death", "3000"))
    client_for("committee").post(url("ledger-voucher-approve", voucher=voucher.code))
    voucher.refresh_from_db()
    assert voucher.entry is not None
    page = url("ledger-voucher", voucher=voucher.code)
    assert 'id="reversed"' not in client_for("chair").get(page).content.decode()
    client_for("chair").post(
        url("ledger-entry-reverse", entry=voucher.entry.code),
        {"on": "20/03/2567", "reason": "จ่ายซ้ำ"},
    )
    reversal = JournalEntry.objects.get(fund=books, reverses=voucher.entry)
    shown = client_for("chair").get(page).content.decode().split('id="reversed"')[1][:400]
    assert str(reversal.code) in shown and str(reversal.number) in shown


def test_a_receipts_entry_offers_no_reversal_its_receipt_is_voided_instead(
    books, url, client_for, member, users
):
    from kongtun.contributions.services import payment_record, plan_create
    from kongtun.members.services import member_change_status

    plan_create(fund=books, actor=users["treasurer"], name="รายเดือน", frequency="monthly",
                amount=Decimal("30.00"))  # fmt: skip
    if member.status == "applicant":
        member_change_status(
            member=member, actor=users["treasurer"], event="approved", effective_on=member.joined_on
        )
    receipt = payment_record(
        member=member, actor=users["treasurer"], amount=Decimal("30.00"), date=dt.date(2024, 3, 5)
    )
    page = client_for("treasurer").get(url("ledger-entry", entry=receipt.entry.code))
    assert page.status_code == 200 and 'id="reverse"' not in page.content.decode()
