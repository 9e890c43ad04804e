"""A treasurer's first day, in real headless Chromium against a real server process.

The server and the browser come from kongtun.web.tests.browser (a real server process on its
own database, headless Chromium). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kongtun.conftest import make_national_id
from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "treasurer-pass-2568"
KNOWN_ID = make_national_id(424242)

SEED = f"""
import datetime as dt
from kongtun.accounts.models import User
from kongtun.funds.models import Branch, Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.members.services import MemberInput, member_register
fund = Fund.objects.create(code="lp-browser", name="กองทุนสวัสดิการชุมชนตำบลทดสอบเบราว์เซอร์",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
user = User.objects.create_user("treasurer", password="{PASSWORD}", full_name="เหรัญญิก ทดสอบ")
FundRole.objects.create(fund=fund, user=user, role="treasurer")
with fund_scope(fund):
    Branch.objects.create(fund=fund, number=3, name="บ้านทดสอบ")
    member_register(fund=fund, actor=user, data=MemberInput(first_name="บุญมี", last_name="ทดสอบยิ่ง",
        title="นาย", national_id="{KNOWN_ID}", birth_date=dt.date(1955, 2, 3),
        joined_on=dt.date(2012, 5, 1)))
""" + device_seed("treasurer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("browser"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


_shot = shot


def _register_file(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ทะเบียนสมาชิก กองทุนทดสอบ"])  # a title row above the header, as real sheets have
    ws.append(["เลขที่สมาชิก", "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขประจำตัวประชาชน", "วันเกิด", "วันที่สมัคร"])
    ws.append(["", "นาง", "แสงดาว", "นำเข้า", make_national_id(9001), "12/08/2500", "01/06/2556"])
    ws.append(["", "นาย", "ผิดพลาด", "นำเข้า", "1101700230709", "03/03/2510", "01/06/2556"])
    ws.append(["", "นาย", "ทองดี", "นำเข้า", make_national_id(9003), "21/01/2530", "01/06/2556"])
    path = tmp / "register.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_treasurer_keeps_the_register(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = context.new_page()
    login(page, server, "treasurer", PASSWORD, TOTP_SECRET)
    page.wait_for_url("**/f/lp-browser/")
    _shot(page, "01-fund-home")

    # Find a member by name, then by national ID typed with dashes.
    page.click("text=ค้นหาสมาชิก")
    page.fill("#q", "บุญมี")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=นายบุญมี ทดสอบยิ่ง")
    dashed = f"{KNOWN_ID[0]}-{KNOWN_ID[1:5]}-{KNOWN_ID[5:10]}-{KNOWN_ID[10:12]}-{KNOWN_ID[12]}"
    page.fill("#q", dashed)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=นายบุญมี ทดสอบยิ่ง")
    assert KNOWN_ID not in page.content()  # masked in the list
    _shot(page, "02-found-by-id")

    # A wrong ID: a clear Thai message, the input kept, nothing saved.
    page.click("text=ลงทะเบียนสมาชิก")
    page.select_option("#id_title", "นาง")
    page.fill("#id_first_name", "มะลิ")
    page.fill("#id_last_name", "ทดสอบใหม่")
    page.fill("#id_national_id", "1-1017-00230-70-9")
    page.fill("#id_birth_date", "05/11/2520")
    page.fill("#id_joined_on", "01/10/2568")
    page.click("button:has-text('บันทึก')")
    error = page.locator(".field-error .error").first.inner_text()
    assert "เลขประจำตัวประชาชนไม่ถูกต้อง" in error, error
    assert page.input_value("#id_first_name") == "มะลิ"
    assert page.input_value("#id_national_id") == "1-1017-00230-70-9"
    _shot(page, "03-wrong-id")

    # Correct it and save.
    good = make_national_id(5555)
    page.fill("#id_national_id", good)
    page.click("button:has-text('บันทึก')")
    page.wait_for_selector("h1:has-text('นางมะลิ ทดสอบใหม่')")
    assert "5 พฤศจิกายน 2520" in page.content()
    _shot(page, "04-registered")

    # Import a register with one bad row: the row-level report, nothing imported.
    page.goto(server + "/f/lp-browser/members/import/")
    page.set_input_files("#id_file", str(_register_file(tmp_path)))
    page.click("button:has-text('ตรวจไฟล์')")
    page.wait_for_selector("#import-rows")
    report = page.locator("#import-rows").inner_text()
    assert "4" in report and "ผิดพลาด" in report
    bad_row = page.locator("#import-rows tr.row-bad")
    assert bad_row.count() == 1
    assert "เลขประจำตัวประชาชน" in bad_row.inner_text()
    assert page.locator("button[name=confirm]").count() == 0
    _shot(page, "05-import-report")

    page.goto(server + "/f/lp-browser/members/?q=นำเข้า")
    assert page.locator("#results p").first.inner_text() == "พบสมาชิก 0 คน"
    context.close()
