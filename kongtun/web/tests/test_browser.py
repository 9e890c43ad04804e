"""A treasurer's first day, in real headless Chromium against a real server process.

The server runs as its own process on its own database (SQLite file, or a fresh database on
the test PostgreSQL server), exactly as `make run` serves it. Screenshots go to
test-artifacts/ so a person can look at what the test saw.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kongtun.conftest import make_national_id

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _server_database(tmp: Path) -> tuple[str, Any]:
    """A fresh database for the server: a new SQLite file, or a new PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}", None
    import psycopg

    name = f"kongtun_browser_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("browser")
    database_url, drop = _server_database(tmp)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KONGTUN_VAR_DIR": str(tmp / "var"),
        "KONGTUN_ENV_FILE": str(tmp / "none.env"),
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdefghijklmnop",
        "FIELD_ENCRYPTION_KEY": "browser-field-key",
        "BLIND_INDEX_KEY": "browser-index-key",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["shell", "-c", SEED]):
        subprocess.run([*manage, *args], env=env, check=True, cwd=ROOT)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kongtun.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if drop:
            drop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)"
    )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
    page.goto(server + "/")
    page.fill("#id_username", "treasurer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
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
