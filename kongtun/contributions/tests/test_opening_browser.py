"""Opening balances in real headless Chromium on a phone-sized screen: a file with a mistake is
refused row by row, the corrected file is imported, and the reconciliation agrees.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kongtun.contributions.tests import opening_files as files
from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "opening-pass-2568"
FUND = "lp-opening"
PHONE = {"width": 390, "height": 844}

SEED = f"""
import datetime as dt
from decimal import Decimal
from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.contributions.services import plan_create
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger.services import chart_install
from kongtun.members.services import member_change_status, member_register
fund = Fund.objects.create(code="{FUND}", name="กองทุนสวัสดิการชุมชนตำบลทดสอบยอดยกมา",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
treasurer = User.objects.create_user("treasurer", password="{PASSWORD}", full_name="สมใจ เหรัญญิก")
FundRole.objects.create(fund=fund, user=treasurer, role="treasurer")
with fund_scope(fund):
    chart_install(fund=fund)
    plan_create(fund=fund, actor=treasurer, name="รายเดือน 30 บาท", frequency="monthly",
        amount=Decimal("30"))
    for seed in (1, 2):
        member = member_register(fund=fund, actor=treasurer,
            data=member_data(seed, joined_on=dt.date(2024, 1, 1)))
        if member.status != "active":
            member_change_status(member=member, actor=treasurer, event="approved",
                effective_on=dt.date(2024, 1, 1))
""" + device_seed("treasurer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("opening"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _workbook(tmp: Path, name: str, second_amount: int) -> Path:
    history = [["00001", f"05/{m:02d}/2567", 30] for m in range(1, 13)]
    history += [["00002", "05/01/2567", second_amount]]
    path = tmp / name
    path.write_bytes(
        files.workbook(
            members=[["00001", "31/12/2567"], ["00002", "31/01/2567"]],
            history=history,
            money={"1101": 390},
            sources={"members": 390},
        )
    )
    return path


def test_a_refused_file_then_the_corrected_one_and_the_reconciliation(
    server: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport=PHONE, locale="th-TH")
    login(page, server, "treasurer", PASSWORD, TOTP_SECRET)
    page.wait_for_url(f"**/f/{FUND}/")
    opening = f"{server}/f/{FUND}/contributions/opening/"

    page.goto(opening)
    page.set_input_files("#id_file", str(_workbook(tmp_path, "wrong.xlsx", 0)))
    page.click("button[type=submit]")
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 1
    assert "ประวัติการส่ง" in problems.first.inner_text()
    assert page.locator("button[name=confirm]").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "opening-refused-phone")

    page.set_input_files("#id_file", str(_workbook(tmp_path, "right.xlsx", 30)))
    page.click("button[type=submit]")
    assert page.locator("#count-payments").inner_text() == "13"
    shot(page, "opening-checked-phone")
    page.click("button[name=confirm]")
    page.wait_for_url("**/contributions/opening/*/")
    assert page.locator("#result").get_attribute("data-result") == "equal"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the report scrolls sideways on a phone ({width}px)"
    shot(page, "opening-reconciliation-phone")
    page.close()
