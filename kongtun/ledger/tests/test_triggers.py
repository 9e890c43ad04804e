"""The database itself keeps the books' promises, whatever client writes to it.

These tests bypass the services (raw SQL, plain ORM calls) and expect the triggers of
migration 0002 to refuse. Each refused statement runs in its own atomic block: the error
aborts that savepoint, and the test goes on in the transaction around it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kongtun.funds.tenancy import fund_scope
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry, JournalLine
from kongtun.ledger.services import chart_install, entry_as_core, entry_post
from kongtun.ledger.verify import verify_ledger

E, L = JournalEntry._meta.db_table, JournalLine._meta.db_table
DAY = dt.date(2024, 3, 15)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def refused(statement: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(statement, params)


@pytest.fixture
def posted(books, users) -> JournalEntry:
    entry = core.Entry(
        DAY,
        "contributions",
        (core.Posting("1101", Decimal("250.00")), core.Posting("4101", Decimal("-250.00"))),
    )
    return entry_post(fund=books, actor=users["treasurer"], entry=entry, kind="contribution")


def snapshot(entry: JournalEntry) -> tuple[object, ...]:
    fresh = JournalEntry.objects.get(pk=entry.pk)
    lines = tuple(
        JournalLine.objects.filter(entry=entry)
        .order_by("pk")
        .values_list("pk", "amount", "account_id")
    )
    return (fresh.memo, fresh.date, fresh.hash, lines)


def raw_entry(fund_id: int, number: int) -> int:
    """Insert an entry header with plain SQL and return its id."""
    sql(
        f"INSERT INTO {E} (code, fund_id, number, date, memo, kind, created_at, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [uuid.uuid4().hex, fund_id, number, DAY.isoformat(), "raw", "other",
         timezone.now().isoformat(), "0" * 64, "0" * 64],
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {E} WHERE fund_id = %s AND number = %s", [fund_id, number])
        return int(cursor.fetchone()[0])


def raw_line(*, fund_id: int, entry_id: int, account_id: int, satang: int) -> None:
    sql(
        f"INSERT INTO {L} (fund_id, entry_id, account_id, amount, source, date) "
        "VALUES (%s, %s, %s, %s, '', %s)",
        [fund_id, entry_id, account_id, satang, DAY.isoformat()],
    )


# --- Append-only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {E} SET memo = 'edited'",
        f"UPDATE {E} SET date = '2024-01-01'",
        f"UPDATE {L} SET amount = amount * 2",
        f"UPDATE {L} SET account_id = account_id",  # even a no-op update is refused
        f"DELETE FROM {L}",
        f"DELETE FROM {E}",
    ],
    ids=["entry-memo", "entry-date", "line-amount", "line-noop", "delete-lines", "delete-entries"],
)
def test_raw_sql_cannot_change_or_delete_posted_entries(posted, statement):
    before = snapshot(posted)
    refused(statement)
    assert snapshot(posted) == before


def test_the_tables_cannot_be_emptied_wholesale(posted):
    before = snapshot(posted)
    if connection.vendor == "postgresql":
        # PostgreSQL's TRUNCATE skips row triggers; a statement trigger refuses it.
        refused(f"TRUNCATE {L}, {E} CASCADE")
    else:
        # SQLite has no TRUNCATE; its "truncate optimisation" of an unqualified DELETE is off
        # whenever the table has triggers, so the row trigger refuses it.
        refused(f"DELETE FROM {L}")
    assert snapshot(posted) == before


def test_the_orm_cannot_save_or_delete_a_posted_entry(posted):
    before = snapshot(posted)
    posted.memo = "edited"
    with pytest.raises(DatabaseError), transaction.atomic():
        posted.save()
    line = posted.lines.first()
    assert line is not None
    line.amount = Decimal("1.00")
    with pytest.raises(DatabaseError), transaction.atomic():
        line.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        line.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        posted.delete()  # lines PROTECT their entry; were they gone, the trigger would refuse
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=posted.pk).update(memo="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalLine.objects.filter(entry=posted).delete()
    assert snapshot(posted) == before


# --- Lines stay in their fund ----------------------------------------------------------------


def test_a_line_cannot_claim_another_fund_or_use_its_accounts(posted, other_fund):
    with fund_scope(other_fund):
        chart_install(fund=other_fund)
        theirs = Account.objects.get(fund=other_fund, code="1101")
    ours = Account.objects.get(fund=posted.fund, code="1101")
    before = snapshot(posted)
    with pytest.raises(DatabaseError), transaction.atomic():
        # The line says it is the other fund's, but its entry is ours.
        raw_line(fund_id=other_fund.pk, entry_id=posted.pk, account_id=theirs.pk, satang=100)
    with pytest.raises(DatabaseError), transaction.atomic():
        # The line and entry are ours, but the account is the other fund's.
        raw_line(fund_id=posted.fund_id, entry_id=posted.pk, account_id=theirs.pk, satang=100)
    assert snapshot(posted) == before
    # The trigger is not simply refusing every insert: a same-fund line goes in.
    entry_id = raw_entry(posted.fund_id, 99)
    raw_line(fund_id=posted.fund_id, entry_id=entry_id, account_id=ours.pk, satang=100)
    raw_line(fund_id=posted.fund_id, entry_id=entry_id, account_id=ours.pk, satang=-100)
    assert JournalLine.objects.filter(entry_id=entry_id).count() == 2


# --- Every entry balances --------------------------------------------------------------------


def test_an_unbalanced_entry_written_by_raw_sql(books):
    cash = Account.objects.get(fund=books, code="1101")
    income = Account.objects.get(fund=books, code="4101")

    # A balanced entry written by hand is accepted on both engines.
    balanced = raw_entry(books.pk, 1)
    raw_line(fund_id=books.pk, entry_id=balanced, account_id=cash.pk, satang=10_000)
    raw_line(fund_id=books.pk, entry_id=balanced, account_id=income.pk, satang=-10_000)

    if connection.vendor == "postgresql":
        # The balance check is a constraint trigger DEFERRABLE INITIALLY DEFERRED: it runs at
        # COMMIT, once every line of the entry is in. A test never commits (pytest-django rolls
        # its transaction back), so `SET CONSTRAINTS ALL IMMEDIATE` makes PostgreSQL run the
        # pending checks right now, exactly as COMMIT would.
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # the balanced entry passes
        sql("SET CONSTRAINTS ALL DEFERRED")  # back to the default, as at the start of a transaction
        inserted = False
        with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
            unbalanced = raw_entry(books.pk, 2)
            raw_line(fund_id=books.pk, entry_id=unbalanced, account_id=cash.pk, satang=10_000)
            raw_line(fund_id=books.pk, entry_id=unbalanced, account_id=income.pk, satang=-9_999)
            inserted = True  # deferred: the inserts themselves pass, the check comes at commit
            sql("SET CONSTRAINTS ALL IMMEDIATE")
        assert inserted
        assert not JournalEntry.objects.filter(fund=books, number=2).exists()
    else:
        # SQLite has no deferred triggers, and a row trigger cannot know whether more lines of
        # the entry are coming. The insert goes in; the promise is kept by entry_post (which
        # validates before writing) and caught afterwards by verify_ledger.
        unbalanced = raw_entry(books.pk, 2)
        raw_line(fund_id=books.pk, entry_id=unbalanced, account_id=cash.pk, satang=10_000)
        raw_line(fund_id=books.pk, entry_id=unbalanced, account_id=income.pk, satang=-9_999)
        stored = entry_as_core(JournalEntry.objects.get(pk=unbalanced))
        assert [p.amount for p in stored.postings] == [Decimal("100.00"), Decimal("-99.99")]
        assert [e.code for e in core.validate_entry(stored)] == ["unbalanced"]
        assert 2 in {p.number for p in verify_ledger(books)}
    assert core.validate_entry(entry_as_core(JournalEntry.objects.get(pk=balanced))) == []
