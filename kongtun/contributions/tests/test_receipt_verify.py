"""The page a receipt's QR code opens: anyone may read it, without a login or a fund, and it
shows the receipt and whether it still stands, but the payer only by a masked name."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes.state import state

from kongtun.conftest import make_national_id, member_data
from kongtun.contributions.printing import mask_name, receipt_verification
from kongtun.contributions.services import receipt_void
from kongtun.contributions.tests.conftest import new_member
from kongtun.lib.thaidate import format_date
from kongtun.members.services import member_change_status, member_register

pytestmark = pytest.mark.django_db


@contextmanager
def no_fund_scope() -> Iterator[None]:
    """As a request from outside any fund runs: scopes on, no fund, so any fund query raises."""
    token = state.set({"_enabled": True})
    try:
        yield
    finally:
        state.reset(token)


@pytest.fixture
def somchai(books, users, plan):
    """A member whose name, number and ID are easy to look for in the page."""
    member = member_register(
        fund=books,
        actor=users["treasurer"],
        data=member_data(
            31,
            number="M-7731",
            first_name="สมชาย",
            last_name="ใจเย็นดี",
            joined_on=dt.date(2024, 1, 1),
        ),
    )
    if member.status == "active":
        return member
    return member_change_status(
        member=member, actor=users["treasurer"], event="approved", effective_on=member.joined_on
    )


@pytest.fixture
def receipt(somchai, pay):
    return pay(somchai, "1250.50", dt.date(2024, 3, 5))


def verify(client: Any, code: Any) -> Any:
    with no_fund_scope():
        return client.get(reverse("receipt-verify", kwargs={"code": code}))


def test_anyone_sees_the_receipt_with_the_name_masked(receipt, somchai, client_for):
    response = verify(client_for(None), receipt.code)

    assert response.status_code == 200
    page = response.content.decode()
    assert receipt.number in page
    assert "5 มีนาคม 2567" in page
    assert "1,250.50" in page
    assert somchai.fund.name in page
    assert "สม*** ใ***" in page
    assert 'data-state="valid"' in page
    for secret in ("สมชาย", "ใจเย็นดี", "M-7731", make_national_id(31)[-4:]):
        assert secret not in page, secret
    assert somchai.national_id_masked not in page


def test_a_voided_receipt_says_it_is_void_and_since_when(receipt, client_for, users):
    receipt_void(receipt=receipt, actor=users["treasurer"], reason="เก็บซ้ำ")
    receipt.refresh_from_db()
    assert receipt.voided_at is not None

    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = verify(client, receipt.code)

    page = response.content.decode()
    assert 'data-state="void"' in page and 'data-state="valid"' not in page
    assert "VOIDED" in page
    with translation.override("en"):
        assert format_date(timezone.localtime(receipt.voided_at), "long") in page
    assert "เก็บซ้ำ" not in page  # the committee's reason is theirs, not the public's


def test_an_unknown_code_is_not_found(receipt, client_for):
    assert verify(client_for(None), uuid.uuid4()).status_code == 404
    with no_fund_scope():
        assert client_for(None).get(f"/r/{receipt.number}/").status_code == 404


def test_the_page_is_neither_cached_nor_indexed(receipt, client_for):
    response = verify(client_for(None), receipt.code)

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_page_is_thai_unless_english_is_chosen(receipt, client_for):
    thai = verify(client_for(None), receipt.code).content.decode()
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = verify(client, receipt.code).content.decode()

    assert '<html lang="th">' in thai
    assert '<html lang="en">' in english
    assert "Check a receipt" in english
    assert "5 Mar 2567 BE" in english or "5 March 2567 BE" in english


def test_a_logged_in_user_of_another_fund_sees_the_same_page(receipt, client_for):
    response = verify(client_for("other_chair"), receipt.code)

    assert response.status_code == 200
    assert receipt.number in response.content.decode()


def test_the_page_answers_only_get(receipt, client_for):
    with no_fund_scope():
        response = client_for(None).post(reverse("receipt-verify", kwargs={"code": receipt.code}))
    assert response.status_code == 405


def test_verification_needs_no_fund_scope(receipt, somchai):
    with no_fund_scope():
        found = receipt_verification(receipt.code)

    assert found is not None
    assert (found.number, found.total, found.date) == (receipt.number, receipt.total, receipt.date)
    assert found.payer == mask_name(somchai.first_name, somchai.last_name)
    assert not found.is_void


def test_receipts_of_every_fund_verify(books, users, other_fund, client_for, plan):
    from decimal import Decimal

    from kongtun.contributions.services import payment_record, plan_create
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.services import chart_install

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
        theirs = payment_record(
            member=member,
            actor=users["other_chair"],
            amount=Decimal("30.00"),
            date=dt.date(2024, 1, 5),
        )

    page = verify(client_for(None), theirs.code).content.decode()

    assert other_fund.name in page and theirs.number in page


# --- Masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "masked"),
    [
        ("สมชาย", "ใจดี", "สม*** ใ***"),
        # Marks above and below stay with their letter, never alone on a star.
        ("น้ำผึ้ง", "ปิ่นทอง", "น้ำ*** ปิ่***"),
        ("Somchai", "Jaidee", "So*** J***"),
        ("อร", "ศรี", "อ*** ศ***"),  # a two-letter first name is never shown whole
        ("ก", "", "ก***"),
        ("  สมศรี ", " มีสุข ", "สม*** มี***"),
    ],
)
def test_mask_name_keeps_two_letters_of_the_first_name_and_one_of_the_surname(first, last, masked):
    assert mask_name(first, last) == masked
