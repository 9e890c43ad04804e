"""Collection day on a phone, in real headless Chromium against a real server: a collector opens
a session, finds members, records their payments (a double click records once), counts the
cash, and the treasurer takes it. A second test scans a member card with the camera.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.conftest import make_national_id
from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "collect-pass-2568"
FUND = "lp-collect"
WIDTH = 390
ID_101, ID_102 = make_national_id(101), make_national_id(102)

# Both members joined on the 1st, three months ago, and have paid nothing: four months of 30
# baht have started, plus the 20-baht entry fee, so 140 baht makes them paid up today.
SEED = f"""
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from kongtun.accounts.models import User
from kongtun.contributions.schedule import add_months
from kongtun.contributions.services import plan_create
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger.services import chart_install
from kongtun.members.services import MemberInput, member_register
fund = Fund.objects.create(code="{FUND}", name="กองทุนสวัสดิการชุมชนตำบลทดสอบเก็บเงิน",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
users = {{}}
for name, role, full_name in [("collector", "collector", "บุญส่ง ผู้เก็บเงิน"),
        ("collector2", "collector", "ทองใบ ผู้เก็บเงิน"), ("treasurer", "treasurer", "สมใจ เหรัญญิก")]:
    users[name] = User.objects.create_user(name, password="{PASSWORD}", full_name=full_name)
    FundRole.objects.create(fund=fund, user=users[name], role=role)
joined = add_months(timezone.localdate().replace(day=1), -3)
with fund_scope(fund):
    chart_install(fund=fund)
    plan_create(fund=fund, actor=users["treasurer"], name="รายเดือน 30 บาท", frequency="monthly",
        amount=Decimal("30.00"), entry_fee=Decimal("20.00"))
    for number, first, nid in [("101", "บุญมี", "{ID_101}"), ("102", "คำแปง", "{ID_102}")]:
        member_register(fund=fund, actor=users["treasurer"], data=MemberInput(first_name=first,
            last_name="ใจดี", title="นาย", national_id=nid, birth_date=dt.date(1950, 1, 1),
            joined_on=joined, number=number))
""" + device_seed("treasurer")

# A camera and a QR reader that "see" whatever the test puts in window.__scanned.
FAKE_CAMERA = """
window.__scanned = "";
window.BarcodeDetector = class {
  constructor(options) {}
  static async getSupportedFormats() { return ["qr_code"]; }
  async detect(source) {
    return window.__scanned ? [{ rawValue: window.__scanned, format: "qr_code" }] : [];
  }
};
navigator.mediaDevices.getUserMedia = async function () {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return canvas.captureStream(5);
};
"""

NO_QR_READER = "delete window.BarcodeDetector;"

SAYS_OTHER_FUND = """() => document.getElementById("scan-status").textContent ===
  document.getElementById("scan-messages").content.querySelector('[data-key="other-fund"]').textContent"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("collect"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _phone(browser: Any, script: str) -> Any:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="th-TH")
    context.add_init_script(script)
    return context


def _log_in(page: Any, server: str, username: str) -> None:
    login(page, server, username, PASSWORD, TOTP_SECRET if username == "treasurer" else None)
    page.wait_for_url(f"**/f/{FUND}/")


def _log_out(page: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/**")


def _fits(page: Any) -> None:
    """Nothing on the page is wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def _open_session(page: Any, server: str, place: str) -> None:
    page.goto(f"{server}/f/{FUND}/contributions/collect/")
    _fits(page)
    page.fill("#id_place", place)
    page.click("#open")
    page.wait_for_selector("#find-form")


def test_a_morning_of_collecting_on_a_phone(server, browser):
    context = _phone(browser, NO_QR_READER)
    page = context.new_page()
    _log_in(page, server, "collector")
    _open_session(page, server, "ศาลาอเนกประสงค์หมู่ 3")
    session_url = page.url
    _fits(page)
    shot(page, "collect-01-session-open")

    # Without a QR reader in the browser, the scan button says so and the search box stays.
    page.click("#scan-start")
    assert page.locator("#scan-problem").is_visible()
    assert page.locator("#id_q").is_visible()

    # Find member 101 by number as it is typed; the results come in live.
    page.fill("#id_q", "101")
    page.wait_for_selector("#found a.found-item")
    assert page.locator("#found a.found-item").count() == 1
    shot(page, "collect-02-found")
    page.click("#found a.found-item")
    page.wait_for_selector("#pay-form")
    assert page.inner_text("#member-number") == "101"
    assert page.input_value("#id_amount") == "140.00"
    assert "140.00" in page.inner_text("#due-now")
    _fits(page)
    shot(page, "collect-03-pay")

    # The default amount, recorded with an impatient double click: one receipt.
    page.dblclick("#record")
    page.wait_for_selector("#last-receipt")
    assert "?last=" in page.url
    assert page.locator("#receipts tr.receipt").count() == 1
    assert page.inner_text("#session-total") == "140.00"
    assert re.search(
        r"/receipts/[0-9a-f-]{36}/receipt\.pdf$", page.get_attribute("#print-last", "href") or ""
    )
    _fits(page)
    shot(page, "collect-04-recorded")

    # Member 102: the number and Enter go straight to them; "+3 months" fills the amount.
    page.fill("#id_q", "102")
    page.press("#id_q", "Enter")
    page.wait_for_selector("#pay-form")
    assert page.inner_text("#member-number") == "102"
    page.click('#quick button[data-periods="3"]')
    assert page.input_value("#id_amount") == "230.00"
    shot(page, "collect-05-plus-three")
    page.click("#record")
    page.wait_for_selector("#last-receipt")
    assert page.locator("#receipts tr.receipt").count() == 2
    assert page.inner_text("#session-total") == "370.00"

    # Counting: 10 baht short. Without a note it is refused; with one the session closes.
    page.click("#to-close")
    page.wait_for_selector("#close-form")
    assert page.inner_text("#receipts-total").startswith("370.00")
    page.fill("#id_counted", "360")
    assert page.locator("#live-difference").is_visible()
    assert "10.00" in page.inner_text("#live-difference")
    page.click("#close")
    page.wait_for_selector(".field-error #id_note")
    assert page.input_value("#id_counted") == "360"
    page.fill("#id_note", "ทอนเงินผิดให้สมาชิก 10 บาท")
    _fits(page)
    shot(page, "collect-06-count")
    page.click("#close")
    page.wait_for_selector("#summary")
    assert page.url.split("?")[0] == session_url.split("?")[0]
    assert "10.00" in page.inner_text("#difference")
    assert page.locator("#find-form").count() == 0
    _fits(page)
    shot(page, "collect-07-closed")
    _log_out(page)

    # The treasurer takes the money; the shortage goes into the books.
    _log_in(page, server, "treasurer")
    page.goto(f"{server}/f/{FUND}/contributions/collect/")
    _fits(page)
    shot(page, "collect-08-waiting")
    page.click("form[action$='/accept/'] button")
    page.wait_for_selector("#accepted")
    assert page.locator("#difference-entry").count() == 1
    _fits(page)
    shot(page, "collect-09-accepted")
    context.close()


def test_a_member_card_is_scanned_with_the_camera(server, browser):
    context = _phone(browser, FAKE_CAMERA)
    page = context.new_page()
    _log_in(page, server, "collector2")
    _open_session(page, server, "วัดบ้านทดสอบ")

    # The member's uuid, as their card's QR code holds it.
    page.fill("#id_q", "101")
    page.wait_for_selector("#found a.found-item")
    pay_url = page.get_attribute("#found a.found-item", "href") or ""
    member = re.search(r"/pay/([0-9a-f-]{36})/$", pay_url)
    assert member is not None

    page.click("#scan-start")
    page.wait_for_selector("#scan-view:not([hidden])")
    # Another fund's card is refused where it is read; this fund's card opens the payment.
    page.evaluate(f"window.__scanned = 'https://kongtun.example/f/lp-other/members/{member[1]}/'")
    page.wait_for_function(SAYS_OTHER_FUND)
    assert "/collect/" in page.url and "/pay/" not in page.url
    page.evaluate(f"window.__scanned = 'https://kongtun.example/f/{FUND}/members/{member[1]}/'")
    page.wait_for_url(f"**{pay_url}")
    assert page.inner_text("#member-number") == "101"
    shot(page, "collect-10-scanned")
    context.close()
