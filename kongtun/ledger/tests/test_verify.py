"""verify_ledger finds every kind of tampering, naming the entry: tests edit the tables directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import Account, JournalEntry, JournalLine, LedgerHead, MonthlyTotal
from kongtun.ledger.services import chart_install, entry_reverse
from kongtun.ledger.tests.conftest import post_entry
from kongtun.ledger.verify import Problem, verify_ledger

E, L = JournalEntry._meta.db_table, JournalLine._meta.db_table
FUND = "lp-wiang-nuea"


@pytest.fixture
def ledger(
    books: Fund, post: Callable[..., JournalEntry], users: dict[str, Any], other_fund: Fund
) -> list[JournalEntry]:
    """Six entries: opening, a contribution, a welfare payment, a deposit, a reversal, a split."""
    day = dt.date(2024, 3, 1)
    entries = [
        post(day, ("cash", "5000"), ("opening", "-5000"), memo="ยอดยกมา", kind="opening"),
        post(day, ("cash", "300"), ("income.members", "-300"), memo="เงินสัจจะ", kind="contribution"),
        post(dt.date(2024, 3, 5), ("welfare.death", "1000.00"), ("cash", "-1000.00"),
             memo='ค่าทำศพ "นายสมมติ"', kind="claim"),
        post(dt.date(2024, 3, 6), ("bank", "2000"), ("cash", "-2000"), memo="ฝากธนาคาร"),
    ]  # fmt: skip
    entries.append(
        entry_reverse(
            entry=entries[2], actor=users["chair"], on=dt.date(2024, 3, 7), reason="จ่ายซ้ำ"
        )
    )
    entries.append(
        post(dt.date(2024, 3, 8), ("cash", "150.50"), ("income.entry_fees", "-50.50"),
             ("income.donations", "-100"), memo="ค่าสมัครและเงินบริจาค")
    )  # fmt: skip
    # The other fund has books too: a clean neighbour, and a place to move a line to.
    with fund_scope(other_fund):
        chart_install(fund=other_fund)
        post_entry(other_fund, users["other_chair"], day, ("cash", "10"), ("income.members", "-10"))
    return entries


def _drop_triggers() -> None:
    """Someone with direct database access can remove the triggers; verify_ledger still tells."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in (E, L):
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")
        else:
            # Django's foreign keys are deferred; PostgreSQL will not alter a table with
            # deferred checks still pending in the transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {E} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {L} DISABLE TRIGGER USER")


def _sql(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _lines(entry: JournalEntry) -> list[JournalLine]:
    return list(JournalLine.objects.filter(entry=entry).order_by("pk"))


def _books_only(messages: list[str]) -> list[str]:
    return [m for m in messages if "monthly total" not in m]


def _named(problems: list[Problem]) -> set[int]:
    return {p.number for p in problems if p.number is not None}


def test_a_clean_ledger_has_no_problem(ledger, other_fund, fund):
    assert verify_ledger() == []
    assert verify_ledger(fund) == []
    assert verify_ledger(other_fund) == []


def test_a_fund_without_books_has_no_problem(db, fund):
    assert verify_ledger(fund) == []


def test_amounts_changed_on_both_sides_break_the_hash(ledger):
    _drop_triggers()
    for line in _lines(ledger[1]):
        _sql(f"UPDATE {L} SET amount = amount * 2 WHERE id = %s", line.pk)
    problems = [str(p) for p in verify_ledger()]
    # The monthly totals still hold the posted amounts, so they disagree with the lines too.
    assert _books_only(problems) == [
        f"fund {FUND} entry #2: content changed after it was posted (hash does not match)"
    ]
    assert len(problems) == 1 + len(_lines(ledger[1]))


def test_an_amount_changed_on_one_side_unbalances_the_entry(ledger):
    _drop_triggers()
    _sql(f"UPDATE {L} SET amount = amount + 1 WHERE id = %s", _lines(ledger[1])[0].pk)
    messages = [str(p) for p in verify_ledger()]
    assert f"fund {FUND} entry #2: does not balance (off by 0.01)" in messages
    assert f"fund {FUND}: the trial balance does not balance (off by 0.01)" in messages
    assert all("#2" in m or "trial balance" in m for m in _books_only(messages)), messages
    assert any(m.startswith(f"fund {FUND}: monthly total of account") for m in messages)


def test_a_deleted_line_is_found(ledger):
    _drop_triggers()
    _sql(f"DELETE FROM {L} WHERE id = %s", _lines(ledger[5])[2].pk)
    problems = verify_ledger()
    assert _named(problems) == {6}
    assert any("does not balance (off by 100.00)" in str(p) for p in problems)


def test_a_deleted_entry_is_found(ledger):
    _drop_triggers()
    _sql(f"DELETE FROM {L} WHERE entry_id = %s", ledger[3].pk)
    _sql(f"DELETE FROM {E} WHERE id = %s", ledger[3].pk)
    messages = [str(p) for p in verify_ledger()]
    assert f"fund {FUND} entry #4: missing: the entry was deleted or renumbered" in messages
    assert f"fund {FUND} entry #5: does not link to the entry before it" in messages


def test_a_deleted_last_entry_is_found_by_the_head(ledger):
    _drop_triggers()
    _sql(f"DELETE FROM {L} WHERE entry_id = %s", ledger[5].pk)
    _sql(f"DELETE FROM {E} WHERE id = %s", ledger[5].pk)
    messages = [str(p) for p in verify_ledger()]
    assert _books_only(messages) == [
        f"fund {FUND}: the ledger head says #6 but the books end at #5"
    ]
    assert messages[1:] and all("monthly total" in m for m in messages[1:])


def test_a_changed_entry_date_is_found(ledger):
    _drop_triggers()
    _sql(f"UPDATE {E} SET date = %s WHERE id = %s", "2024-02-01", ledger[1].pk)
    problems = verify_ledger()
    assert _named(problems) == {2}
    assert any("hash does not match" in p.message for p in problems)
    assert any("is dated 2024-03-01, the entry 2024-02-01" in p.message for p in problems)


def test_a_changed_line_date_is_found(ledger):
    _drop_triggers()
    _sql(f"UPDATE {L} SET date = %s WHERE id = %s", "2023-01-01", _lines(ledger[2])[0].pk)
    problems = verify_ledger()
    assert _named(problems) == {3}


def test_a_changed_memo_is_found(ledger):
    _drop_triggers()
    _sql(f"UPDATE {E} SET memo = %s WHERE id = %s", "ค่าทำศพ (แก้)", ledger[2].pk)
    assert [str(p) for p in verify_ledger()] == [
        f"fund {FUND} entry #3: content changed after it was posted (hash does not match)"
    ]


def test_a_line_moved_to_another_funds_account_is_found(ledger, other_fund):
    _drop_triggers()
    with fund_scope(other_fund):
        foreign = Account.objects.get(fund=other_fund, code="1101")
    # Same code in both charts, so the hash alone would not tell: the fund check does.
    _sql(f"UPDATE {L} SET account_id = %s WHERE id = %s", foreign.pk, _lines(ledger[1])[0].pk)
    problems = verify_ledger()
    assert _named(problems) == {2}
    assert any("posts to account 1101 of fund lp-hua-wiang" in str(p) for p in problems)


def test_a_line_moved_to_another_fund_is_found_from_both_sides(ledger, other_fund):
    _drop_triggers()
    line = _lines(ledger[1])[0]
    _sql(f"UPDATE {L} SET fund_id = %s WHERE id = %s", other_fund.pk, line.pk)
    mine = [str(p) for p in verify_ledger(ledger[0].fund)]
    assert f"fund {FUND} entry #2: line {line.pk} is in fund lp-hua-wiang" in mine
    theirs = [str(p) for p in verify_ledger(other_fund)]
    assert (
        f"fund lp-hua-wiang: line {line.pk} is in this fund but its entry is #2 of fund {FUND}"
        in theirs
    )


def test_renumbered_entries_are_found(ledger):
    _drop_triggers()
    second, third = ledger[1], ledger[2]
    _sql(f"UPDATE {E} SET number = %s WHERE id = %s", 999, second.pk)
    _sql(f"UPDATE {E} SET number = %s WHERE id = %s", 2, third.pk)
    _sql(f"UPDATE {E} SET number = %s WHERE id = %s", 3, second.pk)
    problems = verify_ledger()
    assert _named(problems) >= {2, 3}
    assert all(
        "hash does not match" in str(p) or "link" in str(p) or "cancel" in str(p) for p in problems
    )


def test_an_entry_renumbered_past_the_end_leaves_a_gap(ledger):
    _drop_triggers()
    _sql(f"UPDATE {E} SET number = %s WHERE id = %s", 9, ledger[5].pk)
    messages = [str(p) for p in verify_ledger()]
    assert f"fund {FUND} entry #6: missing: the entry was deleted or renumbered" in messages
    assert (
        f"fund {FUND} entry #9: content changed after it was posted (hash does not match)"
        in messages
    )
    assert f"fund {FUND}: the ledger head says #6 but the books end at #9" in messages


def test_a_reversal_that_does_not_cancel_is_found(ledger):
    _drop_triggers()
    for line in _lines(ledger[4]):
        _sql(f"UPDATE {L} SET amount = amount / 2 WHERE id = %s", line.pk)
    messages = [str(p) for p in verify_ledger()]
    assert f"fund {FUND} entry #5: does not exactly cancel #3" in messages
    assert _named(verify_ledger()) == {5}


def test_a_kind_that_disagrees_with_the_reversal_link_is_found(ledger):
    _drop_triggers()
    _sql(f"UPDATE {E} SET kind = 'reversal' WHERE id = %s", ledger[5].pk)
    assert [str(p) for p in verify_ledger()] == [
        f"fund {FUND} entry #6: kind and reversal link disagree"
    ]


def test_a_changed_head_is_found(ledger, fund):
    LedgerHead.objects.filter(fund=fund).update(number=5)
    assert [str(p) for p in verify_ledger()] == [
        f"fund {FUND}: the ledger head says #5 but the books end at #6"
    ]


def test_the_command_is_quiet_on_clean_books_and_fails_naming_the_entry(ledger, capsys):
    call_command("verify_ledger")
    assert "books intact" in capsys.readouterr().out
    call_command("verify_ledger", "--fund", FUND)
    _drop_triggers()
    _sql(f"UPDATE {L} SET amount = amount - 1 WHERE id = %s", _lines(ledger[1])[1].pk)
    with pytest.raises(CommandError, match="books broken"):
        call_command("verify_ledger")
    assert f"fund {FUND} entry #2: does not balance (off by -0.01)" in capsys.readouterr().err
    # The neighbour's books are still fine on their own.
    call_command("verify_ledger", "--fund", "lp-hua-wiang")


def test_the_command_refuses_an_unknown_fund(db):
    with pytest.raises(CommandError, match="no fund"):
        call_command("verify_ledger", "--fund", "nowhere")


def test_a_monthly_total_that_disagrees_with_the_lines_is_found(ledger, fund):
    row = MonthlyTotal.objects.filter(fund=fund).order_by("period", "account__code")[0]
    MonthlyTotal.objects.filter(pk=row.pk).update(amount=row.amount + Decimal("0.01"))
    (problem,) = verify_ledger()
    assert f"monthly total of account {row.account.code}" in str(problem)
    assert f"the total says {row.amount + Decimal('0.01')} in {row.lines}" in str(problem)
