"""A hypothesis state machine drives the real ledger services against the database.

It posts random balanced entries (sometimes with an idempotency key, sometimes replaying one),
reverses entries, closes and reopens months and tries to post inside closed ones, while a
plain-Python model predicts every outcome. After every step the books must agree with the
model and keep their invariants: trial balance even, every balance exact, numbers gapless,
hash chain intact, closed months untouched since their close, one entry per key.

Each example runs inside a savepoint that `teardown` rolls back, so every example starts from
the same empty books (transactional_db cannot be used: the triggers refuse its table flush).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kongtun.funds.models import Fund
from kongtun.ledger import core, selectors
from kongtun.ledger.chart import TEMPLATE
from kongtun.ledger.models import Account, JournalEntry, JournalLine, LedgerHead, PeriodClose
from kongtun.ledger.services import entry_post, entry_reverse, period_close, period_reopen
from kongtun.ledger.verify import verify_ledger
from kongtun.lib.thaidate import format_date

CODES = [a.code for a in TEMPLATE]
DEFAULT_SOURCE = {a.code: a.source for a in TEMPLATE}
MAX_SATANG = 9_999_999  # 99,999.99 baht
KEYS = [f"form-{i}" for i in range(5)]  # a small pool, so keys come back with other content
GENESIS = "0" * 64
VERIFY_FROM = 12  # entries in an example's books before teardown runs verify_ledger on them


def machine_settings() -> settings:
    """200 examples on SQLite; PostgreSQL pays a round trip per query, so it runs 100.

    Measured on a 2-CPU machine: SQLite, 200 examples in 35 s; PostgreSQL, 200 examples in
    69 s, 100 in 41 s (all about half as fast again while other test runs share the CPUs).
    KONGTUN_LEDGER_EXAMPLES sets another number, e.g. for a long soak.
    """
    default = 200 if connection.vendor == "sqlite" else 100
    return settings(
        derandomize=True,
        database=None,
        max_examples=int(os.environ.get("KONGTUN_LEDGER_EXAMPLES", default)),
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


Lines = tuple[tuple[str, Decimal, str], ...]


def split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """`total` satang cut into `parts` positive pieces."""
    if parts == 1:
        return [total]
    cuts = draw(
        st.lists(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1, unique=True)
    )
    edges = [0, *sorted(cuts), total]
    return [b - a for a, b in itertools.pairwise(edges)]


@st.composite
def balanced_lines(draw: st.DrawFn) -> Lines:
    """2–4 lines over the template accounts, each 0.01–99,999.99, debits equal to credits."""
    count = draw(st.integers(2, 4))
    debits = draw(st.integers(1, count - 1))
    credits = count - debits
    total = draw(st.integers(max(debits, credits), MAX_SATANG))
    amounts = split(draw, total, debits) + [-x for x in split(draw, total, credits)]
    lines = [
        (
            draw(st.sampled_from(CODES)),
            Decimal(x) / 100,
            draw(st.sampled_from(["", "", "", "donations"])),
        )
        for x in amounts
    ]
    return tuple(draw(st.permutations(lines)))


def postings(lines: Lines) -> tuple[core.Posting, ...]:
    return tuple(core.Posting(code, amount, source) for code, amount, source in lines)


def content(on: dt.date, lines: Lines) -> tuple[dt.date, list[tuple[str, Decimal, str]]]:
    """What an idempotency key promises: the date and the lines as stored, in any order."""
    return on, sorted(
        (code, amount, source or DEFAULT_SOURCE[code]) for code, amount, source in lines
    )


def month(today: dt.date, back: int) -> tuple[dt.date, dt.date]:
    """The calendar month `back` months before today's."""
    index = today.year * 12 + today.month - 1 - back
    start = dt.date(index // 12, index % 12 + 1, 1)
    following = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


@dataclass
class Posted:
    number: int
    date: dt.date
    lines: Lines
    key: str | None = None
    reverses: int | None = None
    reversed: bool = False


@dataclass
class Closed:
    pk: int
    start: dt.date
    end: dt.date
    # Entries up to this number were posted before the close; they may be dated inside it.
    last_before: int
    open: bool = False


@dataclass
class Model:
    balances: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: core.ZERO))
    entries: list[Posted] = field(default_factory=list)
    closes: list[Closed] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)

    def closed_on(self, day: dt.date) -> Closed | None:
        hits = [c for c in self.closes if not c.open and c.start <= day <= c.end]
        return min(hits, key=lambda c: c.start) if hits else None

    def add(self, posted: Posted) -> None:
        self.entries.append(posted)
        for code, amount, _source in posted.lines:
            self.balances[code] += amount
        if posted.key:
            self.keys[posted.key] = posted.number


class LedgerMachine(RuleBasedStateMachine):
    fund: ClassVar[Fund]
    actor: ClassVar[Any]
    chair: ClassVar[Any]
    today: ClassVar[dt.date]
    code_of: ClassVar[dict[int, str]]

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.model = Model()

    def teardown(self) -> None:
        try:
            # verify_ledger (the auditor's check, written apart from this model) must agree the
            # books are sound. It is slow, so it checks only the larger books; the choice
            # depends on the example alone, so a failing example fails again when replayed.
            if len(self.model.entries) >= VERIFY_FROM:
                event("teardown: verify_ledger ran")
                assert verify_ledger(self.fund) == []
        finally:
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------

    def post(self, on: dt.date, lines: Lines, key: str | None) -> None:
        """Post through entry_post and check the outcome the model predicts."""
        model = self.model
        expected_count = len(model.entries)
        entry = core.Entry(on, "stateful", postings(lines))
        call = {
            "fund": self.fund,
            "actor": self.actor,
            "entry": entry,
            "kind": "other",
            "idempotency_key": key,
        }
        if key is not None and key in model.keys:
            first = model.entries[model.keys[key] - 1]
            if content(on, lines) == content(first.date, first.lines):
                assert entry_post(**call).number == first.number
                event("post: same key, same content, first entry returned")
            else:
                with pytest.raises(ValidationError, match="already submitted"):
                    entry_post(**call)
                event("post: same key, other content, refused")
        elif (closed := model.closed_on(on)) is not None:
            with pytest.raises(ValidationError) as info:
                entry_post(**call)
            assert format_date(closed.start) in str(info.value)
            event("post: inside a closed month, refused")
        else:
            posted = entry_post(**call)
            expected_count += 1
            assert posted.number == expected_count
            model.add(Posted(posted.number, on, lines, key))
            event("post: posted")
        assert JournalEntry.objects.filter(fund=self.fund).count() == expected_count

    def day(self, back: int) -> dt.date:
        return self.today - dt.timedelta(days=back)

    # --- rules ---------------------------------------------------------------------------

    @rule(
        batch=st.lists(
            st.tuples(st.integers(0, 730), balanced_lines(), st.none() | st.sampled_from(KEYS)),
            min_size=1,
            max_size=3,
        )
    )
    def post_entries(self, batch: list[tuple[int, Lines, str | None]]) -> None:
        """1–3 entries dated within the last two years, some with an idempotency key."""
        for back, lines, key in batch:
            self.post(self.day(back), lines, key)

    @precondition(lambda self: bool(self.model.keys))
    @rule(data=st.data(), same=st.booleans())
    def replay(self, data: st.DataObject, same: bool) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.keys)))
        first = self.model.entries[self.model.keys[key] - 1]
        lines, on = data.draw(st.permutations(first.lines)), first.date
        if not same:
            # One cent more on a debit and on a credit: still balanced, no longer the same.
            debit = next(i for i, ln in enumerate(lines) if ln[1] > 0)
            credit = next(i for i, ln in enumerate(lines) if ln[1] < 0)
            cent = Decimal("0.01")
            lines[debit] = (lines[debit][0], lines[debit][1] + cent, lines[debit][2])
            lines[credit] = (lines[credit][0], lines[credit][1] - cent, lines[credit][2])
        self.post(on, tuple(lines), key)

    @precondition(
        lambda self: any(not e.reversed and e.reverses is None for e in self.model.entries)
    )
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        model = self.model
        target = data.draw(
            st.sampled_from([e for e in model.entries if not e.reversed and e.reverses is None])
        )
        on = self.day(data.draw(st.integers(0, (self.today - target.date).days)))
        original = JournalEntry.objects.get(fund=self.fund, number=target.number)
        if model.closed_on(on) is not None:
            with pytest.raises(ValidationError):
                entry_reverse(entry=original, actor=self.actor, on=on, reason="stateful")
            event("reverse: inside a closed month, refused")
            return
        undo = entry_reverse(entry=original, actor=self.actor, on=on, reason="stateful")
        assert undo.number == len(model.entries) + 1
        assert undo.reverses_id == original.pk
        target.reversed = True
        event("reverse: posted")
        negated = tuple(
            (code, -amount, source or DEFAULT_SOURCE[code]) for code, amount, source in target.lines
        )
        model.add(Posted(undo.number, on, negated, reverses=target.number))

    @precondition(
        lambda self: any(e.reversed or e.reverses is not None for e in self.model.entries)
    )
    @rule(data=st.data())
    def reverse_again(self, data: st.DataObject) -> None:
        """Reversing a reversal, or an entry already reversed, is refused and writes nothing."""
        target = data.draw(
            st.sampled_from([e for e in self.model.entries if e.reversed or e.reverses])
        )
        original = JournalEntry.objects.get(fund=self.fund, number=target.number)
        with pytest.raises(ValidationError):
            entry_reverse(entry=original, actor=self.actor, on=self.today, reason="again")

    def open_months(self) -> list[int]:
        """How many months back each of the last 24 months is that is not closed now."""
        closed = {(c.start, c.end) for c in self.model.closes if not c.open}
        return [back for back in range(1, 25) if month(self.today, back) not in closed]

    @precondition(lambda self: bool(self.open_months()))
    @rule(data=st.data())
    def close_month(self, data: st.DataObject) -> None:
        start, end = month(self.today, data.draw(st.sampled_from(self.open_months())))
        close = period_close(fund=self.fund, actor=self.chair, kind="month", start=start, end=end)
        self.model.closes.append(Closed(close.pk, start, end, last_before=len(self.model.entries)))

    @precondition(lambda self: any(not c.open for c in self.model.closes))
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        closed = data.draw(st.sampled_from([c for c in self.model.closes if not c.open]))
        period_reopen(
            close=PeriodClose.objects.get(pk=closed.pk), actor=self.chair, reason="stateful"
        )
        closed.open = True

    @precondition(lambda self: any(not c.open for c in self.model.closes))
    @rule(data=st.data(), lines=balanced_lines(), key=st.none() | st.just("form-closed"))
    def post_inside_closed(self, data: st.DataObject, lines: Lines, key: str | None) -> None:
        closed = data.draw(st.sampled_from([c for c in self.model.closes if not c.open]))
        on = closed.start + dt.timedelta(
            days=data.draw(st.integers(0, (closed.end - closed.start).days))
        )
        assert self.model.closed_on(on) is not None
        # With a fresh key too: a refused post must leave the key free (history_is_intact).
        self.post(on, lines, key)

    # --- invariants ----------------------------------------------------------------------
    # Two invariants with few queries each: they run after every step of every example.

    @invariant()
    def money_adds_up(self) -> None:
        """The trial balance is even and every account's balance is the model's, to the satang."""
        if connection.vendor == "postgresql":
            # Run PostgreSQL's deferred "every entry balances" trigger now, as COMMIT would;
            # the test's transaction is never committed.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
        tb = selectors.trial_balance(fund=self.fund, on=self.today)
        assert tb.total_debit == tb.total_credit
        totals = selectors.balances(fund=self.fund)
        assert sum(totals.values(), core.ZERO) == 0
        actual = {self.code_of[pk]: total for pk, total in totals.items() if total}
        expected = {code: total for code, total in self.model.balances.items() if total}
        assert actual == expected
        assert all(isinstance(total, Decimal) for total in actual.values())
        assert {row.account.code: row.debit - row.credit for row in tb.rows} == expected

    @invariant()
    def history_is_intact(self) -> None:
        """Numbers gapless, hashes chained over what is stored, closes kept, one entry per key."""
        fund, model = self.fund, self.model
        entries = list(
            JournalEntry.objects.filter(fund=fund)
            .order_by("number")
            .values_list("pk", "number", "date", "memo", "reverses__number", "idempotency_key",
                         "prev_hash", "hash")
        )  # fmt: skip
        lines: dict[int, list[core.Posting]] = defaultdict(list)
        for entry_id, code, amount, source in (
            JournalLine.objects.filter(fund=fund)
            .order_by("pk")
            .values_list("entry_id", "account__code", "amount", "source")
        ):
            assert isinstance(amount, Decimal)  # money comes back exact, never float
            lines[entry_id].append(core.Posting(code, amount, source))
        assert [e[1] for e in entries] == list(range(1, len(model.entries) + 1))
        prev = GENESIS
        for (pk, number, on, memo, reverses, _key, prev_hash, digest), expected in zip(
            entries, model.entries, strict=True
        ):
            stored = core.Entry(on, memo, tuple(lines[pk]))
            body = core.entry_body(number=number, entry=stored, reverses=reverses, fund=fund.pk)
            assert prev_hash == prev
            assert core.digest(prev, body) == digest
            assert (on, reverses) == (expected.date, expected.reverses)
            assert content(on, tuple(stored.postings)) == content(expected.date, expected.lines)
            prev = digest
        head = LedgerHead.objects.get(fund=fund)
        assert (head.number, head.hash) == (len(entries), prev)

        keyed = [(key, number) for _pk, number, _d, _m, _r, key, _p, _h in entries if key]
        assert len(keyed) == len({key for key, _n in keyed})
        assert dict(keyed) == model.keys

        active = PeriodClose.objects.filter(fund=fund, reopened_at__isnull=True)
        closes = [c for c in model.closes if not c.open]
        assert sorted(active.values_list("pk", flat=True)) == sorted(c.pk for c in closes)
        # An entry dated inside a closed month must have been posted before the close.
        for _pk, number, on, *_rest in entries:
            assert not any(c.start <= on <= c.end and number > c.last_before for c in closes)


def test_the_books_keep_every_invariant(books, users):
    LedgerMachine.fund = books
    LedgerMachine.actor = users["treasurer"]
    LedgerMachine.chair = users["chair"]
    LedgerMachine.today = timezone.localdate()
    LedgerMachine.code_of = dict(Account.objects.filter(fund=books).values_list("pk", "code"))
    # English messages, so the machine can tell one refusal from another by its text.
    with translation.override("en"):
        run_state_machine_as_test(LedgerMachine, settings=machine_settings())
