"""A provincial officer on a phone in real headless Chromium: the province dashboard draws its
charts with the vendored Chart.js, fits the screen, and leads down to a district and a fund.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "network-pass-2568"

SEED = f"""
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from kongtun.accounts.models import User
from kongtun.funds.models import Fund, FundRole, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger import core
from kongtun.ledger.services import chart_install, entry_post
from kongtun.members.models import Event
from kongtun.members.services import MemberInput, member_change_status, member_register
officer = User.objects.create_user("province", password="{PASSWORD}", full_name="เจ้าหน้าที่จังหวัด")
OfficerAssignment.objects.create(user=officer, level="province", area_code="52")
today = timezone.localdate()
month = today.replace(day=1)
for n, (code, tambon, people, money) in enumerate([
    ("lp-wiang-nuea", "520101", 3, "900.00"),
    ("lp-hua-wiang", "520102", 2, "600.00"),
    ("lp-ban-dong", "520201", 1, "300.00"),
]):
    area = Tambon.objects.get(code=tambon)
    fund = Fund.objects.create(code=code, name="กองทุนสวัสดิการชุมชนตำบล" + area.name_th,
        tambon=area, founded_on=dt.date(2010, 1, 1))
    chair = User.objects.create_user("chair-" + code, password="{PASSWORD}", full_name="ประธาน")
    FundRole.objects.create(fund=fund, user=chair, role="chair")
    with fund_scope(fund):
        chart_install(fund=fund)
        for i in range(people):
            seed = n * 10 + i
            body = f"5{{seed:011d}}"[:12]
            check = (11 - sum(int(d) * (13 - j) for j, d in enumerate(body)) % 11) % 10
            m = member_register(fund=fund, actor=chair, data=MemberInput(
                first_name=f"สมาชิกลับ{{seed}}", last_name="ทดสอบ", national_id=body + str(check),
                birth_date=dt.date(1960, 1, 1), joined_on=dt.date(2020, 1, 1), title="นาง"))
            if m.status != "active":
                member_change_status(member=m, actor=chair, event=Event.APPROVED,
                    effective_on=dt.date(2020, 1, 1))
        # Money in over the last months, so the stacked bars have more than one bar.
        for back, source, account in ((0, "members", "4101"), (1, "donations", "4501")):
            day = month
            for _ in range(back):
                day = (day - dt.timedelta(days=1)).replace(day=1)
            amount = Decimal(money)
            entry_post(fund=fund, actor=chair, kind="general", entry=core.Entry(day, "เงินเข้า", (
                core.Posting("1101", amount), core.Posting(account, -amount, source))))
""" + device_seed("province")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("network"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _drawn(page: Any, canvas: str) -> bool:
    return bool(
        page.evaluate(
            """(selector) => {
              const canvas = document.querySelector(selector);
              const chart = window.Chart && window.Chart.getChart(canvas);
              return !!chart && canvas.width > 0 && canvas.height > 0;
            }""",
            canvas,
        )
    )


def test_the_province_dashboard_on_a_phone_down_to_a_fund(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = context.new_page()
    problems: list[str] = []

    # Chromium asks for /favicon.ico on its own; the site has none, and that is no error of
    # these pages. Every other failed request and every script error is.
    def console(message: Any) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(message.text)

    def response(answer: Any) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda e: problems.append(str(e)))

    login(page, server, "province", PASSWORD, TOTP_SECRET)
    page.wait_for_url("**/network/")
    shot(page, "network-01-my-areas")
    page.click("#area-province-52 a.button")
    page.wait_for_url("**/network/area/province/52/")
    page.wait_for_selector("#chart-money.chart-drawn")

    assert page.evaluate("typeof window.Chart") == "function"
    for chart in ("#chart-money canvas", "#chart-members canvas"):
        assert _drawn(page, chart), chart
    assert page.inner_text("#fig-funds") == "3"
    assert page.inner_text("#fig-members-current") == "6"
    assert page.inner_text("#fig-contributions") == "1,800.00"
    # Once drawn, the figures' table folds away behind its summary, still one tap from view.
    assert page.locator("#chart-money details").get_attribute("open") is None
    assert _fits(page), "the province page scrolls sideways at 390 px"
    shot(page, "network-02-province")

    page.click("#rollup a:text('เมืองลำปาง')")
    page.wait_for_url("**/network/area/amphoe/5201/")
    page.wait_for_selector("#chart-money.chart-drawn")
    assert page.inner_text("#fig-funds") == "2"
    assert _fits(page), "the district page scrolls sideways at 390 px"
    shot(page, "network-03-district")

    page.click("#rollup a:text('กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ')")
    page.wait_for_url("**/network/fund/lp-wiang-nuea/")
    page.wait_for_selector("#chart-money.chart-drawn")
    assert page.inner_text("#fig-members-current") == "3"
    assert "สมาชิกลับ" not in page.content()  # counted, never named
    assert _fits(page), "the fund page scrolls sideways at 390 px"
    shot(page, "network-04-fund")

    assert problems == []
    context.close()
