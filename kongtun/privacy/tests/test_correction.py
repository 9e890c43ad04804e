"""P4: personal details are corrected with an audited before/after and no money moves; money
mistakes are corrected by reversal, and the posted rows stay as they were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.conftest import member_data
from kongtun.contributions.models import Receipt
from kongtun.contributions.services import receipt_void
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry, JournalLine
from kongtun.ledger.services import entry_post, entry_reverse
from kongtun.members.models import Member
from kongtun.members.services import member_update
from kongtun.privacy.tests.conftest import money_totals, paid_claim

pytestmark = pytest.mark.django_db


def test_correcting_name_and_address_is_audited_and_moves_no_money(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = paid_claim(books, claimant, users, committee)
    before = money_totals(books)
    receipt = Receipt.objects.get(member=claimant)
    member_update(
        member=claimant,
        actor=users["secretary"],
        data=member_data(
            201,
            first_name="สมศรี",
            house_no="12/3",
            street="ถนนแก้ไข",
            joined_on=claimant.joined_on,
            national_id="",
        ),
    )
    entry = AuditEntry.objects.filter(action="members.member.changed").get()
    assert entry.actor == users["secretary"]
    assert entry.payload["before"] == {"first_name": "ทดสอบ201", "house_no": "", "street": ""}
    assert entry.payload["after"]["first_name"] == "สมศรี"
    assert entry.payload["after"]["street"] == "ถนนแก้ไข"
    assert money_totals(books) == before
    receipt.refresh_from_db()
    claim.refresh_from_db()
    assert receipt.total == Decimal("740.00")
    assert (claim.assessed_amount, claim.approved_amount) == (Decimal("400.00"), Decimal("400.00"))


def test_a_wrong_receipt_is_voided_by_reversal_and_stays(
    payer: Member, users: dict[str, User], books: Fund, pay: Any
) -> None:
    receipt = pay(payer, "90.00", dt.date(2024, 2, 1))
    original_lines = list(
        JournalLine.objects.filter(entry=receipt.entry).values_list("account_id", "amount")
    )
    # The amount cannot be edited in place, whatever writes it.
    with pytest.raises(DatabaseError), transaction.atomic():
        Receipt.objects.filter(pk=receipt.pk).update(total=Decimal("9.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalLine.objects.filter(entry=receipt.entry).update(amount=Decimal("1.00"))
    voided = receipt_void(receipt=receipt, actor=users["chair"], reason="พิมพ์จำนวนผิด")
    assert voided.is_void and voided.total == Decimal("90.00")
    assert (
        list(JournalLine.objects.filter(entry=receipt.entry).values_list("account_id", "amount"))
        == original_lines
    )
    reversal = voided.void_entry
    assert reversal is not None and reversal.reverses_id == receipt.entry_id
    net = sum(
        JournalLine.objects.filter(entry__in=[receipt.entry, reversal]).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    assert net == 0


def test_a_wrong_entry_is_reversed_not_edited(books: Fund, users: dict[str, User]) -> None:
    cash = Account.objects.get(fund=books, role="cash")
    donations = Account.objects.get(fund=books, role="income.donations")
    wrong = entry_post(
        fund=books,
        actor=users["treasurer"],
        entry=core.Entry(
            dt.date(2024, 3, 1),
            "เงินบริจาค",
            (
                core.Posting(cash.code, Decimal("500.00")),
                core.Posting(donations.code, Decimal("-500.00")),
            ),
        ),
        kind=JournalEntry.Kind.OTHER,
    )
    entries = JournalEntry.objects.filter(fund=books).count()
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=wrong.pk).update(memo="แก้")
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=wrong.pk).delete()
    reversal = entry_reverse(
        entry=wrong, actor=users["treasurer"], on=dt.date(2024, 3, 2), reason="ลงซ้ำ"
    )
    assert reversal.reverses_id == wrong.pk
    assert JournalEntry.objects.filter(fund=books).count() == entries + 1
    assert list(JournalLine.objects.filter(entry=wrong).values_list("amount", flat=True)) == [
        Decimal("500.00"),
        Decimal("-500.00"),
    ]
