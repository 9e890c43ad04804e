"""The database refuses to delete or rewrite a receipt, whoever asks; it can only be voided once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from kongtun.contributions.models import Receipt
from kongtun.contributions.services import receipt_void

pytestmark = pytest.mark.django_db


def _refused(action: Any) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


def test_a_receipt_cannot_be_deleted_or_rewritten(payer: Any, pay: Any) -> None:
    receipt = pay(payer, "30", dt.date(2024, 2, 1))
    rows = Receipt.objects.filter(pk=receipt.pk)
    assert _refused(lambda: rows.delete())
    assert _refused(lambda: rows.update(total="31.00", contribution="11.00"))
    assert _refused(lambda: rows.update(member=receipt.member, seq=99))
    assert _refused(lambda: rows.update(paid_through=dt.date(2030, 1, 1)))
    assert Receipt.objects.get(pk=receipt.pk).total == receipt.total


def test_voiding_is_the_one_change_and_happens_once(payer: Any, pay: Any, users: Any) -> None:
    receipt = pay(payer, "30", dt.date(2024, 2, 1))
    receipt_void(receipt=receipt, actor=users["treasurer"], reason="ซ้ำ", on=dt.date(2024, 2, 2))
    rows = Receipt.objects.filter(pk=receipt.pk)
    assert _refused(lambda: rows.update(void_reason="อย่างอื่น"))
    assert _refused(lambda: rows.update(void_entry=None))
    assert Receipt.objects.get(pk=receipt.pk).void_reason == "ซ้ำ"
