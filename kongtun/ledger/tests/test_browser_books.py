"""Maker and checker in real headless Chromium: the treasurer writes a payment voucher, a second
committee member approves it, and the cash book shows it. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "books-pass-2568"
FUND = "lp-books"

SEED = f"""
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from kongtun.accounts.models import User
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger import core
from kongtun.ledger.services import chart_install, entry_post
fund = Fund.objects.create(code="{FUND}", name="กองทุนสวัสดิการชุมชนตำบลทดสอบบัญชี",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
treasurer = User.objects.create_user("treasurer", password="{PASSWORD}", full_name="สมใจ เหรัญญิก")
committee = User.objects.create_user("committee", password="{PASSWORD}", full_name="มานะ กรรมการ")
FundRole.objects.create(fund=fund, user=treasurer, role="treasurer")
FundRole.objects.create(fund=fund, user=committee, role="committee")
with fund_scope(fund):
    chart_install(fund=fund)
    first = timezone.localdate().replace(day=1)
    entry_post(fund=fund, actor=treasurer, kind="opening", entry=core.Entry(first, "ยอดยกมา", (
        core.Posting("1101", Decimal("20000.00")), core.Posting("3201", Decimal("-20000.00")))))
""" + device_seed("treasurer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("books"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _log_in(page: Any, server: str, username: str) -> None:
    login(page, server, username, PASSWORD, TOTP_SECRET if username == "treasurer" else None)
    page.wait_for_url(f"**/f/{FUND}/")


def _log_out(page: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/**")


def test_a_payment_is_made_approved_and_in_the_cash_book(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = context.new_page()
    books = f"{server}/f/{FUND}/books/"

    # The treasurer writes a payment voucher with two lines.
    _log_in(page, server, "treasurer")
    page.goto(books)
    assert "20,000.00" in page.locator("#money-now").inner_text()
    shot(page, "books-01-home")
    page.click("#new-payment")
    page.fill("#id_party", "นางบุญมา ทดสอบ")
    page.fill("#id_description", "ค่าทำศพ นายบุญมี และค่าเดินทางไปงาน")
    page.select_option("#id_lines-0-account", label="5104 สวัสดิการเสียชีวิต")
    page.fill("#id_lines-0-amount", "3,000")
    assert page.locator("fieldset.line-row:visible").count() == 1
    page.click("#add-line")
    page.select_option("#id_lines-1-account", label="5202 ค่าเดินทาง")
    page.fill("#id_lines-1-amount", "250.50")
    page.fill("#id_lines-1-description", "ค่ารถไปงานศพ")
    assert page.inner_text("#voucher-total") == "3,250.50"
    shot(page, "books-02-payment-voucher")
    page.click("#save")
    page.wait_for_selector("#voucher-status.badge-draft")
    assert page.locator("#maker-note").count() == 1  # the maker cannot approve
    assert page.locator("#approve").count() == 0
    assert page.inner_text("#voucher-total") == "3,250.50"
    assert "สามพันสองร้อยห้าสิบบาทห้าสิบสตางค์" in page.content()
    voucher_url = page.url
    shot(page, "books-03-voucher-waiting")
    _log_out(page)

    # A second committee member finds it waiting and approves it.
    _log_in(page, server, "committee")
    page.goto(books)
    assert page.inner_text("#waiting-count") == "1"
    page.click("a[href$='/books/vouchers/?status=draft']")
    page.click("table.vouchers a")
    assert page.url == voucher_url
    page.click("#approve")
    page.wait_for_selector("#voucher-status.badge-approved")
    shot(page, "books-04-voucher-approved")

    # The cash book shows it, with the balance after it.
    page.goto(books + "cash-book/")
    book = page.locator("#book").inner_text()
    assert "3,000.00" not in book  # one line per entry in the cash book: the voucher's total
    assert "3,250.50" in book
    assert "16,749.50" in page.locator("#closing").inner_text()
    shot(page, "books-05-cash-book")
    context.close()
