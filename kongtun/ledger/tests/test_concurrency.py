"""Eight desks working one fund's books at once, as separate OS processes on one real database:
8 processes × 500 payments and cash–bank transfers, with a ninth process reading the books
throughout. Totals come out exact, nothing is lost, nothing is posted twice.

The database is the test's own, made as in contributions/tests/test_concurrency.py (an SQLite
file, or a new database on the test PostgreSQL server). Every operation goes through the
service a page calls (`payment_record`, `voucher_create` then `voucher_approve` by another
person), with the form's idempotency key; some forms are sent twice in a row and some by all
eight processes at the same moment. What was stored is read back by another process and
checked against what each process was told and against the plan of operations
(`concurrent_books.operation`), computed here in Decimal.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kongtun.contributions.tests.test_concurrency import (
    RUN_TIMEOUT,
    START_TIMEOUT,
    Database,
    _reaped,
    migrated_database,
)
from kongtun.ledger.tests import concurrent_books as books

MODULE = "kongtun.ledger.tests.concurrent_books"
WORKERS = 8
OPERATIONS = 500
MEMBERS = 40
ENTRY_FEE = Decimal("20.00")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with migrated_database(tmp_path_factory, MODULE) as db:
        yield db


def _work_together(
    database: Database, fund: str
) -> tuple[list[dict[str, Any]], dict[str, Any], float]:
    """Start the workers and the watcher, let them all go at once, stop the watcher when
    the last worker is done; return what each was told, the watcher's answer and the
    seconds from go to the last worker's end."""
    go, stop = database.tmp / f"go-{uuid.uuid4().hex}", database.tmp / f"stop-{uuid.uuid4().hex}"
    specs: list[dict[str, Any]] = [
        {"fund": fund, "worker": w, "operations": OPERATIONS} for w in range(WORKERS)
    ]
    started = []
    for command, spec in [*(("work", s) for s in specs), ("watch", {"fund": fund})]:
        ready = database.tmp / f"ready-{uuid.uuid4().hex}"
        proc, out = database.start(command, **spec, ready=str(ready), go=str(go), stop=str(stop))
        started.append((proc, ready, out))
    procs = [proc for proc, _ready, _out in started]
    with _reaped(procs):
        deadline = time.monotonic() + START_TIMEOUT
        while not all(ready.exists() for _proc, ready, _out in started):
            for proc in procs:
                if proc.poll() is not None:
                    pytest.fail(f"a process stopped before the start:\n{proc.communicate()}")
            assert time.monotonic() < deadline, "the processes did not reach the start"
            time.sleep(0.01)
        go.touch()
        begun = time.monotonic()
        finished = [proc.communicate(timeout=RUN_TIMEOUT) for proc in procs[:-1]]
        seconds = time.monotonic() - begun
        stop.touch()
        finished.append(procs[-1].communicate(timeout=RUN_TIMEOUT))
    for proc, (stdout, stderr) in zip(procs, finished, strict=True):
        assert proc.returncode == 0, f"a process failed:\n{stdout}\n{stderr}"
    answers = [_read(out) for _proc, _ready, out in started]
    return answers[:-1], answers[-1], seconds


def _read(out: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def test_eight_desks_working_the_books_at_once_lose_nothing_and_post_nothing_twice(
    database: Database,
) -> None:
    fund = "books-race"
    members = database.run("seed", fund=fund, members=MEMBERS, collectors=0, id_base=0)["members"]
    told, watched, seconds = _work_together(database, fund)
    stored = database.run("report", fund=fund)
    retried = sum(t["retried"] for t in told)
    print(
        f"{WORKERS} × {OPERATIONS} operations in {seconds:.1f} s, {retried} forms sent again"
        f" after a busy database; {watched['reads']} reads while they worked"
    )

    # The plan, in Decimal: each payment form once, each transfer once.
    forms: dict[str, tuple[int, Decimal]] = {}
    moved = {"deposit": Decimal(0), "withdraw": Decimal(0)}
    transfers: dict[str, Decimal] = {}
    vouchers_planned = 0
    for w in range(WORKERS):
        for i in range(OPERATIONS):
            op = books.operation(w, i, MEMBERS)
            if op["op"] == "pay":
                forms[op["key"]] = (op["member"], Decimal(op["amount"]))
                continue
            moved[op["op"]] += Decimal(op["amount"])
            if op["voucher"]:
                vouchers_planned += 1
            else:
                transfers[op["key"]] = Decimal(op["amount"])
    paid = sum((amount for _m, amount in forms.values()), Decimal(0))

    # Every check the books offer, and every entry whole.
    assert stored["verify_ledger"] == []
    assert stored["verify_audit"] == []
    assert stored["unbalanced"] == []
    assert stored["entry_keys"] == []

    # One receipt per form, numbered without a gap, and each process was given that receipt.
    receipts = stored["receipts"]
    assert Counter(key for _n, _s, _t, key, _m in receipts) == dict.fromkeys(forms, 1)
    assert [seq for _n, seq, _t, _k, _m in receipts] == list(range(1, len(forms) + 1))
    assert [last for _year, last in stored["receipt_counter"]] == [len(forms)]
    by_key = {key: (number, Decimal(total)) for number, _s, total, key, _m in receipts}
    for result in told:
        for number, total, key in result["receipts"]:
            assert by_key[key] == (number, Decimal(total)) == (number, forms[key][1])
    assert {key for t in told for _n, _t, key in t["receipts"]} == set(forms)

    # One approved voucher and one entry per transfer form, numbered without a gap.
    vouchers = stored["vouchers"]
    assert len(vouchers) == vouchers_planned
    assert {status for _n, status, _k, _e in vouchers} == {"approved"}
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n, _s, _k, _e in vouchers)
    assert numbers == list(range(1, vouchers_planned + 1))
    by_voucher = {n: entry for n, _s, _k, entry in vouchers}
    told_vouchers = {(n, entry) for t in told for n, _op, _a, entry in t["vouchers"]}
    assert told_vouchers == set(by_voucher.items())

    # One entry per transfer form, as each process was told.
    stored_transfers = {key: (number, lines) for key, number, lines in stored["transfers"]}
    assert set(stored_transfers) == set(transfers)
    for key, (_number, lines) in stored_transfers.items():
        assert sorted(Decimal(a) for a in lines) == [-transfers[key], transfers[key]]
    for result in told:
        for key, _op, _amount, number in result["transfers"]:
            assert stored_transfers[key][0] == number

    # Entries: the opening and one per receipt, voucher and transfer, numbered 1…n.
    entries = 1 + len(forms) + vouchers_planned + len(transfers)
    assert stored["entries"] == list(range(1, entries + 1))
    assert stored["ledger_head"] == entries

    # Balances exact to the satang, by every way of adding them up.
    accounts = stored["accounts"]
    for code, figures in accounts.items():
        assert figures["balance"] == figures["lines"] == figures["monthly"], code
    balance = {code: Decimal(f["balance"]) for code, f in accounts.items()}
    assert sum(balance.values(), Decimal(0)) == 0
    assert balance[books.CASH] == (
        books.OPENING[books.CASH] + paid - moved["deposit"] + moved["withdraw"]
    )
    assert balance[books.BANK] == (books.OPENING[books.BANK] + moved["deposit"] - moved["withdraw"])
    assert balance[books.CASH] + balance[books.BANK] == sum(books.OPENING.values()) + paid
    assert balance[books.OPENING_ACCOUNT] == -sum(books.OPENING.values())

    # Each member's standing holds exactly what they paid, less the entry fee.
    per_member: dict[int, Decimal] = defaultdict(Decimal)
    for member, amount in forms.values():
        per_member[member] += amount
    for index, number in enumerate(members):
        standing = stored["members"][number]
        assert standing["verify"] == []
        assert Decimal(standing["credit"]) == per_member[index] - ENTRY_FEE
        assert Decimal(standing["fees_due"]) == 0

    # Every read taken while they worked saw the books whole: Σ = 0, the opening all there,
    # no cash box or bank below zero.
    assert watched["reads"] > 0
    assert watched["broken_count"] == 0, watched["broken"]
