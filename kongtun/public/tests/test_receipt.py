"""Checking a receipt on the public site: from its QR code (/r/<code>/, whose printed URLs
must keep working) and, without a scanner, by typing the fund, number and amount. The typed
check never shows the payer; a miss says nothing about what was wrong; both checks are
rate-limited per client (behind the proxy, the address it saw; IPv6 by /64), and the typed
one per fund as well."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kongtun.conftest import make_national_id
from kongtun.contributions.models import Receipt
from kongtun.contributions.printing import mask_name, receipt_verification_by_number
from kongtun.contributions.services import payment_record, plan_create, receipt_void
from kongtun.contributions.tests.conftest import books, new_member, pay, plan  # noqa: F401
from kongtun.contributions.tests.test_receipt_verify import (  # noqa: F401
    no_fund_scope,
    receipt,
    somchai,
)
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.services import chart_install
from kongtun.public import ratelimit, selectors

pytestmark = pytest.mark.django_db
CODE = "lp-wiang-nuea"
SECRETS = ("สมชาย", "ใจเย็นดี", "M-7731", make_national_id(31)[-4:])


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """The counts live in the process's cache: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def lookup(client: Client, **params: str) -> Any:
    with no_fund_scope():
        return client.get(reverse("public-receipt"), params)


def qr(client: Client, code: Any) -> Any:
    with no_fund_scope():
        return client.get(reverse("receipt-verify", kwargs={"code": code}))


def _typed(paid: Receipt, **overrides: str) -> dict[str, str]:
    return {"fund": CODE, "number": paid.number, "amount": "1,250.50"} | overrides


def _no_match_block(page: str) -> str:
    found = re.search(
        r'<div class="alert alert-warning" role="alert" id="no-match">.*?</div>', page, re.S
    )
    assert found is not None, "no neutral answer on the page"
    return found.group()


@pytest.fixture
def paid(receipt: Receipt) -> Receipt:  # noqa: F811
    """Somchai's receipt of 5 March 2024: 1,250.50 baht, the fund's first."""
    return receipt


@pytest.fixture
def theirs(other_fund: Fund, users: dict[str, Any]) -> Receipt:
    """The other fund's first receipt: the same number as ours, 30 baht."""
    with fund_scope(other_fund):
        chart_install(fund=other_fund)
        plan_create(
            fund=other_fund,
            actor=users["other_chair"],
            name="รายเดือน",
            frequency="monthly",
            amount=Decimal("30.00"),
        )
        member = new_member(other_fund, users["other_chair"], 105)
        return payment_record(
            member=member,
            actor=users["other_chair"],
            amount=Decimal("30.00"),
            date=dt.date(2024, 1, 5),
        )


# --- The look-up form --------------------------------------------------------------------------


def test_the_form_offers_the_funds_that_keep_their_receipts_here(fund, other_fund, client_for):
    Fund.objects.filter(pk=other_fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    response = lookup(client_for(None))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{CODE}">{fund.name}</option>' in page
    assert other_fund.code not in page  # its receipts are on its own computer
    assert 'list="fund-list"' in page and 'id="no-match"' not in page
    assert 'class="error"' not in page
    assert "noindex" in response["X-Robots-Tag"] and "no-store" in response["Cache-Control"]

    prefilled = lookup(client_for(None), fund=CODE).content.decode()
    assert re.search(rf'name="fund" value="{CODE}"', prefilled)


def test_a_matching_receipt_shows_the_verdict_without_the_payer(paid, client_for):
    response = lookup(client_for(None), **_typed(paid))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="valid"' in page
    assert paid.number in page and "1,250.50" in page and "5 มีนาคม 2567" in page
    # A number and an amount can be guessed: the typed check names nobody, not even masked.
    assert 'id="payer"' not in page and "***" not in page
    assert 'id="no-payer"' in page
    assert f'href="{reverse("public-fund", kwargs={"code": CODE})}"' in page
    assert 'class="public-nav"' in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("number", "amount", "typed_fund"),
    [
        ("{year}/{seq}", "1250.5", CODE),
        ("{year}/{seq:06d}", "1,250.50", CODE.upper()),
        (" {year} / {seq:06d} ", " 1250.50 ", f" {CODE} "),
        ("{year_th}/{seq_th}", "๑,๒๕๐.๕๐", CODE),
        ("{year}-{seq:03d}", "1250.50", "กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ"),  # by its name
    ],
)
def test_the_receipt_is_found_however_it_is_typed(number, amount, typed_fund, paid, client_for):
    thai = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    typed = number.format(
        year=paid.fiscal_year,
        seq=paid.seq,
        year_th=str(paid.fiscal_year).translate(thai),
        seq_th=f"{paid.seq:06d}".translate(thai),
    )
    response = lookup(client_for(None), fund=typed_fund, number=typed, amount=amount)

    assert response.status_code == 200
    assert 'data-state="valid"' in response.content.decode()


def test_guessing_numbers_with_the_usual_amount_shows_no_payer(theirs, other_fund, client_for):
    """Most receipts are the monthly 30 baht: a stranger trying numbers 1, 2, 3… with 30.00
    finds receipts, and must learn nothing of who paid them."""
    client = english(client_for(None))
    year = theirs.fiscal_year
    found = 0
    for seq in range(1, 4):
        page = lookup(
            client, fund=other_fund.code, number=f"{year}/{seq:06d}", amount="30.00"
        ).content.decode()
        if 'id="verdict"' in page:
            found += 1
            assert "Paid by" not in page and 'id="payer"' not in page and "***" not in page
    assert found == 1
    with no_fund_scope():
        verdict = receipt_verification_by_number(
            funds=[other_fund], fiscal_year=year, seq=theirs.seq, total=Decimal("30.00")
        )
    assert verdict is not None and verdict.payer is None


def test_a_miss_says_the_same_whatever_was_wrong(paid, theirs, other_fund, client_for):
    wrong = {
        "amount": _typed(paid, amount="1,250.00"),
        "number": _typed(paid, number=f"{paid.fiscal_year}/{paid.seq + 1:06d}"),
        "year": _typed(paid, number=f"{paid.fiscal_year + 1}/{paid.seq:06d}"),
        "unknown fund": _typed(paid, fund="no-such-fund"),
        # The other fund has a receipt of this number, for another amount.
        "other fund": _typed(paid, fund=other_fund.code),
        # Their number and amount, under our fund.
        "theirs here": _typed(paid, number=theirs.number, amount="30.00"),
    }
    blocks = set()
    for case, params in wrong.items():
        response = lookup(english(client_for(None)), **params)
        assert response.status_code == 200, case
        page = response.content.decode()
        assert 'id="verdict"' not in page, case
        assert 'class="error"' not in page, case  # no field is singled out
        assert "No receipt matches" in page
        blocks.add(_no_match_block(page))
        # What was typed stays in the form, to be corrected.
        assert f'value="{params["number"]}"' in page, case
    assert len(blocks) == 1

    # The other fund's receipt is found under the other fund.
    found = lookup(client_for(None), fund=other_fund.code, number=theirs.number, amount="30")
    page = found.content.decode()
    assert 'data-state="valid"' in page and other_fund.name in page


def test_a_voided_receipt_is_shown_void(paid, users, client_for):
    receipt_void(receipt=paid, actor=users["treasurer"], reason="เก็บซ้ำ")
    page = lookup(english(client_for(None)), **_typed(paid)).content.decode()

    assert 'data-state="void"' in page and 'data-state="valid"' not in page
    assert "VOIDED" in page
    assert "เก็บซ้ำ" not in page


def test_badly_typed_input_is_marked_and_kept(paid, client_for):
    response = lookup(english(client_for(None)), fund=CODE, number="ใบที่ 12", amount="12,50")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Type the receipt number as printed" in page
    assert "Please type an amount in baht" in page
    assert 'value="ใบที่ 12"' in page and 'value="12,50"' in page
    assert 'id="no-match"' not in page and 'id="verdict"' not in page


def test_the_form_answers_only_get(client_for):
    with no_fund_scope():
        assert client_for(None).post(reverse("public-receipt")).status_code == 405


# --- The rate limit ----------------------------------------------------------------------------


def test_the_lookup_is_rate_limited_per_client(paid, client_for):
    client = client_for(None)
    limit = ratelimit.RECEIPT_LOOKUP.allowed
    for _ in range(limit):
        assert lookup(client, **_typed(paid, amount="1.00")).status_code == 200
    # Showing the empty form is not a check.
    assert lookup(client).status_code == 200

    over = lookup(client, **_typed(paid))
    assert over.status_code == 429
    assert over["Retry-After"] == "60"
    page = over.content.decode()
    assert 'id="too-many"' in page and '<html lang="th">' in page
    assert 'data-state="valid"' not in page  # not even the right answer gets through

    other = Client(REMOTE_ADDR="192.0.2.7")
    assert 'data-state="valid"' in lookup(other, **_typed(paid)).content.decode()


def test_the_limit_page_says_to_wait_in_english_too(paid, client_for):
    client = english(client_for(None))
    for _ in range(ratelimit.RECEIPT_LOOKUP.allowed):
        lookup(client, **_typed(paid))
    page = lookup(client, **_typed(paid)).content.decode()
    assert "wait a minute" in page


def test_the_count_starts_again_each_minute(rf, monkeypatch):
    request = rf.get("/", REMOTE_ADDR="198.51.100.1")
    limit = ratelimit.Limit("test", 2)
    now = [1_000_000 * 60.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])

    assert [ratelimit.allow(request, limit) for _ in range(3)] == [True, True, False]
    now[0] += 60
    assert ratelimit.allow(request, limit)
    assert ratelimit.allow(rf.get("/", REMOTE_ADDR="198.51.100.2"), limit)


def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw(paid, settings):
    settings.BEHIND_PROXY = True
    limit = ratelimit.RECEIPT_LOOKUP.allowed
    # Every request arrives from the proxy; what the client sends in X-Forwarded-For is to
    # the left of what the proxy appended, and changing it gets the client nowhere.
    for n in range(limit):
        spoofed = Client(
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9"
        )
        assert lookup(spoofed, **_typed(paid)).status_code == 200, n
    again = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.200,203.0.113.9")
    assert lookup(again, **_typed(paid)).status_code == 429
    # Another client behind the same proxy has its own count.
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert lookup(other, **_typed(paid)).status_code == 200


def test_without_the_proxy_x_forwarded_for_is_ignored(rf, settings):
    settings.BEHIND_PROXY = False
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert ratelimit.client_address(request) == "192.0.2.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "counted_as"),
    [
        ("2001:db8:1:2::1", None, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", None, "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", None, "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.1", None, "192.0.2.1"),
        ("10.0.0.2", "[2001:db8:9:9::5]:443", "2001:db8:9:9::/64"),
        ("10.0.0.2", "192.0.2.1, 198.51.100.7:5555", "198.51.100.7"),
        ("10.0.0.2", "fe80::1%eth0", "fe80::/64"),
        ("10.0.0.2", "  ", "10.0.0.2"),  # not through the proxy after all
        ("10.0.0.2", "not-an-address", "unknown"),
        ("", None, "unknown"),
    ],
)
def test_who_is_counted(remote, forwarded, counted_as, rf, settings):
    settings.BEHIND_PROXY = True
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR=remote, **extra)) == counted_as


def test_an_ipv6_client_is_counted_by_its_64(rf):
    limit = ratelimit.Limit("test-v6", 2)
    tries = [
        ratelimit.allow(rf.get("/", REMOTE_ADDR=f"2001:db8:1:2::{n:x}"), limit) for n in range(3)
    ]
    assert tries == [True, True, False]
    assert ratelimit.allow(rf.get("/", REMOTE_ADDR="2001:db8:1:3::1"), limit)


def test_one_funds_receipts_have_a_budget_across_all_clients(paid, theirs, other_fund, monkeypatch):
    """A script that takes a fresh address for every try gets past the per-client limit; the
    fund's hourly budget stops it all the same, and leaves other funds alone."""
    now = [1_000_000 * 3600.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    budget = ratelimit.RECEIPT_LOOKUP_FUND
    assert budget.window == 3600
    for n in range(budget.allowed):
        rotating = Client(REMOTE_ADDR=f"198.51.{n // 200}.{n % 200 + 1}")
        wrong = _typed(paid, amount=f"{n + 1}.00")
        assert 'id="no-match"' in lookup(rotating, **wrong).content.decode(), n

    fresh = english(Client(REMOTE_ADDR="192.0.2.99"))
    over = lookup(fresh, **_typed(paid))  # even the right answer
    assert over.status_code == 429
    page = over.content.decode()
    assert 'id="too-many"' in page and 'id="too-many-fund"' in page
    assert 'data-state="valid"' not in page
    assert 0 < int(over["Retry-After"]) <= 3600
    # By its name it is the same fund, and the same budget.
    by_name = _typed(paid, fund="กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ")
    assert lookup(Client(REMOTE_ADDR="192.0.2.98"), **by_name).status_code == 429

    # The other fund's receipts are checked as before; so is ours by its QR code.
    other = lookup(
        Client(REMOTE_ADDR="192.0.2.97"), fund=other_fund.code, number=theirs.number, amount="30"
    )
    assert 'data-state="valid"' in other.content.decode()
    assert qr(Client(REMOTE_ADDR="192.0.2.96"), paid.code).status_code == 200

    now[0] += 3600  # the next hour
    assert 'data-state="valid"' in lookup(fresh, **_typed(paid)).content.decode()


def test_a_badly_typed_or_unknown_fund_uses_no_funds_budget(paid, monkeypatch):
    monkeypatch.setattr(ratelimit, "RECEIPT_LOOKUP_FUND", ratelimit.Limit("fund-test", 1, 3600))
    assert lookup(Client(REMOTE_ADDR="192.0.2.1"), **_typed(paid, number="x")).status_code == 400
    unknown = _typed(paid, fund="no-such-fund")
    assert lookup(Client(REMOTE_ADDR="192.0.2.2"), **unknown).status_code == 200
    assert lookup(Client(REMOTE_ADDR="192.0.2.3"), **_typed(paid)).status_code == 200
    assert lookup(Client(REMOTE_ADDR="192.0.2.4"), **_typed(paid)).status_code == 429


def test_the_funds_a_typed_fund_names(fund, other_fund):
    assert selectors.funds_typed(f" {CODE.upper()} ") == [fund]
    assert selectors.funds_typed(fund.name) == [fund]
    assert selectors.funds_typed("เวียงเหนือ") == []
    Fund.objects.filter(pk=other_fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    assert selectors.funds_typed(other_fund.code) == []
    assert [code for code, _name in selectors.receipt_funds()] == [CODE]


# --- The QR code's page ------------------------------------------------------------------------


def test_the_printed_qr_url_still_works_and_links_the_funds_public_page(paid, client_for):
    url = reverse("receipt-verify", kwargs={"code": paid.code})
    assert url == f"/r/{paid.code}/"
    response = qr(client_for(None), paid.code)

    assert response.status_code == 200
    page = response.content.decode()
    # The QR code's link cannot be guessed: it may show the payer, masked.
    assert 'data-state="valid"' in page and '<dd id="payer">สม*** ใ***</dd>' in page
    assert 'class="public-nav"' in page
    assert f'href="{reverse("public-fund", kwargs={"code": CODE})}"' in page
    assert f'href="{reverse("public-receipt")}?fund={CODE}"' in page
    for secret in SECRETS:
        assert secret not in page, secret
    assert "noindex" in response["X-Robots-Tag"] and "no-store" in response["Cache-Control"]


def test_the_qr_page_is_rate_limited(paid, client_for):
    client = client_for(None)
    limit = ratelimit.RECEIPT_QR.allowed
    for n in range(limit):
        status = qr(client, paid.code).status_code
        assert status == 200, n
    response = qr(client, paid.code)
    assert response.status_code == 429
    assert 'id="too-many"' in response.content.decode()
    # The typed look-up counts apart.
    assert lookup(client, **_typed(paid)).status_code == 200


def test_the_masked_name_does_not_tell_how_long_the_name_is():
    assert mask_name("สมชาย", "ใจเย็นดี") == "สม*** ใ***"
    assert mask_name("สมชายชาญชัย", "ใจ") == "สม*** ใ***"
    assert mask_name("Somchai", "Jaidee") == "So*** J***"
