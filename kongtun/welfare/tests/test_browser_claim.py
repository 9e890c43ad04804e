"""A hospital claim from the clerk's desk to the books, in real headless Chromium on a phone
against a real server: the clerk files it and reads why the rules give 600 baht, the
committee approves it at a meeting with a quorum, the treasurer pays it and the cash book
shows it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.conftest import make_national_id
from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

PASSWORD = "welfare-pass-2569"
FUND = "lp-welfare"
WIDTH = 390
EVENT = dt.date.today() - dt.timedelta(days=3)

# The member joined on the 1st two years ago and has paid 25 months ahead of that with the
# entry fee: paid up. The regulation pays 200 a night, at most 600 a stay.
SEED = f"""
import datetime as dt
from decimal import Decimal
from django.utils import timezone
from kongtun.accounts.models import User
from kongtun.contributions.schedule import add_months
from kongtun.contributions.services import payment_record, plan_create
from kongtun.funds.models import CommitteeMember, Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger.services import chart_install
from kongtun.members.services import MemberInput, consent_record, member_register
from kongtun.welfare.tests.conftest import install_regulation
fund = Fund.objects.create(code="{FUND}", name="กองทุนสวัสดิการชุมชนตำบลทดสอบสวัสดิการ",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
users = {{}}
for name, role, full_name in [("clerk", "secretary", "มาลี เลขานุการ"),
        ("committee", "committee", "ประเสริฐ กรรมการ"), ("treasurer", "treasurer", "สมใจ เหรัญญิก")]:
    users[name] = User.objects.create_user(name, password="{PASSWORD}", full_name=full_name)
    FundRole.objects.create(fund=fund, user=users[name], role=role)
today = timezone.localdate()
joined = add_months(today.replace(day=1), -24)
with fund_scope(fund):
    chart_install(fund=fund)
    plan_create(fund=fund, actor=users["treasurer"], name="รายเดือน 30 บาท", frequency="monthly",
        amount=Decimal("30.00"), entry_fee=Decimal("20.00"))
    install_regulation(fund, users["clerk"], on=dt.date(2020, 1, 1))
    for i, position in enumerate(["chair", "vice_chair", "treasurer", "secretary", "member"]):
        CommitteeMember.objects.create(fund=fund, full_name=f"กรรมการ {{i + 1}}", position=position,
            term_start=dt.date(2020, 1, 1), term_end=dt.date(2030, 12, 31))
    member = member_register(fund=fund, actor=users["clerk"], data=MemberInput(first_name="บุญมี",
        last_name="ใจดี", title="นาย", national_id="{make_national_id(101)}",
        birth_date=dt.date(1950, 1, 1), joined_on=joined, number="101"))
    payment_record(member=member, actor=users["treasurer"], amount=Decimal("770.00"), date=joined)
    consent_record(member=member, actor=users["clerk"], purpose="sensitive", channel="paper",
        given_on=joined)
""" + device_seed("treasurer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("welfare"), SEED) as base:
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


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def _be(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


def test_a_hospital_claim_from_the_clerk_to_the_books(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="th-TH")
    page = context.new_page()

    # The clerk fills in the claim and checks it: 4 nights × 200 = 800, at most 600 a stay.
    _log_in(page, server, "clerk")
    page.goto(f"{server}/f/{FUND}/welfare/claims/new/")
    page.fill("#id_member_number", "101")
    page.select_option("#id_benefit", "illness")
    page.check("input[name=recipient][value=member]")
    page.fill("#id_event_date", _be(EVENT))
    page.fill("#id_nights", "4")
    page.click("#check")
    page.wait_for_selector(".explanation")
    explanation = page.inner_text(".explanation")
    assert "600" in explanation and "800" in explanation
    assert page.locator(".explanation .reason-failed").count() == 0
    assert page.locator(".explanation .reason-met").count() >= 3
    assert page.input_value("#id_nights") == "4"  # the form is kept for filing
    _fits(page)
    shot(page, "welfare-01-checked")
    page.click("#file")
    page.wait_for_url(re.compile(r".*/welfare/claims/[0-9a-f-]{36}/$"))
    claim_url = page.url
    assert page.locator("#status").get_attribute("class") == "badge badge-filed"
    _fits(page)
    shot(page, "welfare-02-filed")
    _log_out(page)

    # The committee meets: a quorum of four of five, then the resolution on the claim.
    _log_in(page, server, "committee")
    page.goto(f"{server}/f/{FUND}/welfare/meetings/new/")
    page.fill("#id_number", "11/2569")
    page.fill("#id_date", _be(dt.date.today()))
    page.click("#open-meeting")
    page.wait_for_selector("#attendance-form")
    boxes = page.locator("#attendance-form input[type=checkbox]")
    assert boxes.count() == 5
    for i in range(4):
        boxes.nth(i).check()
    page.click("#save-attendance")
    page.wait_for_selector("#quorum.quorum-met")
    agenda = page.locator("#agenda article.claim")
    assert agenda.count() == 1
    assert "600" in agenda.inner_text()
    _fits(page)
    shot(page, "welfare-03-agenda")
    agenda.locator("input[name=decision][value=approve]").check()
    agenda.locator("button[type=submit]").click()
    page.wait_for_selector("#decided")
    assert page.locator("#agenda article.claim").count() == 0
    assert "600" in page.inner_text("#decided")
    _log_out(page)

    # The treasurer pays from cash; the claim shows the voucher, the cash book the payment.
    _log_in(page, server, "treasurer")
    page.goto(claim_url)
    page.click("#pay-link")
    page.wait_for_selector("#pay-form")
    assert "600.00" in page.inner_text("#amount")
    _fits(page)
    shot(page, "welfare-04-pay")
    page.dblclick("#pay")  # an impatient double click pays once
    page.wait_for_url(claim_url)
    assert page.locator("#status").get_attribute("class") == "badge badge-paid"
    voucher = page.inner_text("#voucher-link")
    assert voucher.startswith("PV")
    _fits(page)
    shot(page, "welfare-05-paid")
    page.goto(f"{server}/f/{FUND}/books/cash-book/")
    book = page.inner_text("main")
    assert book.count(voucher) == 1
    assert "600.00" in book
    context.close()
