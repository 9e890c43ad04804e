"""A chair's first login on a phone, in real Chromium: the password, setting up the app from
the secret shown on the page, the recovery codes, then later logins with a code and with a
recovery code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.web.tests.browser import chromium, fresh_code, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "chair-pass-2568"
FUND = "lp-mfa"
WIDTH = 390
# Each page records what the content security policy refused (none may be).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective));
"""

SEED = f"""
import datetime as dt
from kongtun.accounts.models import User
from kongtun.funds.models import Fund, FundRole
from kongtun.geo.models import Tambon
fund = Fund.objects.create(code="{FUND}", name="กองทุนสวัสดิการชุมชนตำบลทดสอบสองขั้น",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
chair = User.objects.create_user("chair", password="{PASSWORD}", full_name="บุญเรือน ประธาน")
FundRole.objects.create(fund=fund, user=chair, role="chair")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("mfa"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def _log_out(page: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url("**/accounts/login/**")


def test_a_chair_sets_up_the_app_then_logs_in_with_codes(server, browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="th-TH")
    context.add_init_script(WATCH)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(server) else outside.append(r.url),
    )
    page.goto(server + "/accounts/login/")
    assert page.locator("#two-step-note").is_visible()
    page.fill("#id_username", "chair")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/set-up/")
    _fits(page)
    assert page.locator("#mfa-qr svg").is_visible()
    code_input = page.locator("#id_code")
    assert code_input.get_attribute("inputmode") == "numeric"
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    shot(page, "mfa-01-set-up")
    assert page.evaluate("window.__csp") == []
    secret = "".join(page.locator("#mfa-secret").inner_text().split())
    assert len(secret) == 32

    # A mistyped code: told so, still on the page.
    page.fill("#id_code", "12345")
    page.click("button[type=submit]")
    page.wait_for_selector(".field-error")
    assert "/accounts/login/set-up/" in page.url

    page.fill("#id_code", fresh_code(secret))
    page.click("button[type=submit]")
    page.wait_for_selector("#recovery-codes")  # in the answer to the code itself
    _fits(page)
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "mfa-02-recovery-codes")
    assert page.evaluate("window.__csp") == []
    page.click("#continue")
    page.wait_for_url(f"**/f/{FUND}/")
    _log_out(page)

    # Next time: the password, then the code the app shows.
    login(page, server, "chair", PASSWORD, secret)
    page.wait_for_url(f"**/f/{FUND}/")
    _log_out(page)

    # A lost phone: a recovery code instead, once.
    page.fill("#id_username", "chair")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/code/")
    _fits(page)
    shot(page, "mfa-03-code")
    page.fill("#id_code", codes[0])
    page.click("button[type=submit]")
    page.wait_for_url(f"**/f/{FUND}/")
    assert outside == [], outside  # the QR code and everything else came from our server
