"""A payment: receipt numbering, the book entry, fees first, standing, idempotency, voiding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kongtun.contributions.models import Receipt, Standing
from kongtun.contributions.services import receipt_void, verify_standing
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.verify import verify_ledger

pytestmark = pytest.mark.django_db


def test_first_payment_pays_the_entry_fee_then_months(payer: Any, pay: Any) -> None:
    receipt = pay(payer, "110.00", dt.date(2024, 1, 5))
    assert (receipt.fee, receipt.contribution, receipt.total) == (
        Decimal("20.00"),
        Decimal("90.00"),
        Decimal("110.00"),
    )
    assert receipt.number == "2567/000001"
    assert receipt.paid_through == dt.date(2024, 3, 31)
    lines = {ln.account.role: ln.amount for ln in receipt.entry.lines.select_related("account")}
    assert lines == {
        "cash": Decimal("110.00"),
        "income.members": Decimal("-90.00"),
        "income.entry_fees": Decimal("-20.00"),
    }
    assert receipt.entry.kind == JournalEntry.Kind.CONTRIBUTION
    assert verify_standing(payer) == []


def test_numbers_run_per_fiscal_year_without_gaps(payer: Any, pay: Any) -> None:
    numbers = [
        pay(payer, "30", on).number
        for on in (dt.date(2024, 9, 29), dt.date(2024, 9, 30), dt.date(2024, 10, 1))
    ]
    assert numbers == ["2567/000001", "2567/000002", "2568/000001"]


def test_same_key_twice_is_one_receipt(payer: Any, pay: Any) -> None:
    first = pay(payer, "50", dt.date(2024, 2, 1), idempotency_key="k-1")
    again = pay(payer, "50", dt.date(2024, 2, 1), idempotency_key="k-1")
    assert again.pk == first.pk
    assert Receipt.objects.count() == 1
    with pytest.raises(ValidationError):
        pay(payer, "60", dt.date(2024, 2, 1), idempotency_key="k-1")
    # The same form resent for the bank is another payment, not a replay of the cash one.
    bank = Account.objects.get(fund=payer.fund, role="bank")
    with pytest.raises(ValidationError):
        pay(payer, "50", dt.date(2024, 2, 1), idempotency_key="k-1", money_account=bank)
    assert Receipt.objects.count() == 1
    assert Standing.objects.get(member=payer).credit == Decimal("30.00")


def test_void_reverses_and_keeps_the_number(payer: Any, pay: Any, users: Any) -> None:
    pay(payer, "50", dt.date(2024, 2, 1))
    second = pay(payer, "60", dt.date(2024, 2, 2))
    receipt_void(receipt=second, actor=users["treasurer"], reason="ผิดคน", on=dt.date(2024, 2, 3))
    second.refresh_from_db()
    assert second.is_void and second.void_entry is not None
    assert second.void_entry.reverses_id == second.entry_id
    standing = Standing.objects.get(member=payer)
    assert standing.credit == Decimal("30.00")
    assert standing.paid_through == dt.date(2024, 1, 31)
    third = pay(payer, "30", dt.date(2024, 2, 4))
    assert third.number == "2567/000003"
    assert verify_standing(payer) == []
    assert verify_ledger(payer.fund) == []
