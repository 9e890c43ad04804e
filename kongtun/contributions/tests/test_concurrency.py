"""Collectors paying at the same moment, as separate OS processes on one real database.

A test's own transaction would hide its rows from other processes, so these tests do what a
deployment does: a fresh database (an SQLite file, or a new database on the test PostgreSQL
server), migrated, seeded and paid into by processes started with `concurrent_payer`, which
all wait at a barrier and then post together. What they stored is read back by another
process and checked against what each payer was told.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from kongtun.web.tests.browser import ROOT, _server_database

PAYER = "kongtun.contributions.tests.concurrent_payer"
ENTRY_FEE = Decimal("20.00")
PAYERS = 4
PAYMENTS_EACH = 25
START_TIMEOUT = 120  # seconds for every payer to load Django and reach the barrier
RUN_TIMEOUT = 600

_ids = count(1)


class Database:
    """A migrated database of the test's own and a way to run `module`'s commands on it."""

    def __init__(self, tmp: Path, env: dict[str, str], module: str = PAYER) -> None:
        self.tmp = tmp
        self.env = env
        self.module = module

    def _spec(self, spec: dict[str, Any]) -> tuple[dict[str, Any], Path]:
        out = self.tmp / f"out-{uuid.uuid4().hex}.json"
        return {**spec, "out": str(out)}, out

    def _start(self, command: str, spec: dict[str, Any]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", self.module, command, json.dumps(spec)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start(self, command: str, **spec: Any) -> tuple[subprocess.Popen[str], Path]:
        """Start `command` without waiting; returns the process and where its answer goes."""
        full, out = self._spec(spec)
        return self._start(command, full), out

    def run(self, command: str, **spec: Any) -> dict[str, Any]:
        full, out = self._spec(spec)
        with _reaped([self._start(command, full)]) as [proc]:
            stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, f"{command} failed:\n{stdout}\n{stderr}"
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result

    def pay_together(
        self, payers: list[dict[str, Any]], command: str = "pay"
    ) -> list[dict[str, Any]]:
        """Start one process per payer, let them all go at once, return what each was told.

        Every process must finish cleanly: an error in any of them ("database is locked",
        a serialisation failure, a duplicate number) fails the test with its output."""
        go = self.tmp / f"go-{uuid.uuid4().hex}"
        specs = []
        for spec in payers:
            ready = self.tmp / f"ready-{uuid.uuid4().hex}"
            full, out = self._spec({**spec, "ready": str(ready), "go": str(go)})
            specs.append((full, ready, out))
        with _reaped([self._start(command, full) for full, _ready, _out in specs]) as procs:
            deadline = time.monotonic() + START_TIMEOUT
            while not all(ready.exists() for _full, ready, _out in specs):
                for proc in procs:
                    if proc.poll() is not None:
                        pytest.fail(f"a payer stopped before the start:\n{proc.communicate()}")
                assert time.monotonic() < deadline, "the payers did not reach the start"
                time.sleep(0.01)
            go.touch()
            finished = [proc.communicate(timeout=RUN_TIMEOUT) for proc in procs]
        for proc, (stdout, stderr) in zip(procs, finished, strict=True):
            assert proc.returncode == 0, f"a payer failed:\n{stdout}\n{stderr}"
        return [json.loads(out.read_text(encoding="utf-8")) for _full, _ready, out in specs]


@contextmanager
def _reaped(procs: list[subprocess.Popen[str]]) -> Iterator[list[subprocess.Popen[str]]]:
    """The processes, killed if the test stops before they end (no payer outlives it)."""
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with migrated_database(tmp_path_factory, PAYER) as db:
        yield db


@contextmanager
def migrated_database(tmp_path_factory: pytest.TempPathFactory, module: str) -> Iterator[Database]:
    """A fresh database (SQLite file or a new PostgreSQL database), migrated, for `module`'s
    processes; dropped afterwards."""
    tmp = tmp_path_factory.mktemp("concurrency")
    url, drop = _server_database(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kongtun.settings",
        "DATABASE_URL": url,
        "KONGTUN_VAR_DIR": str(tmp / "var"),
        "KONGTUN_ENV_FILE": str(tmp / "none.env"),
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "concurrency-test-secret-key-0123456789abcdefghijkl",
        "FIELD_ENCRYPTION_KEY": "concurrency-field-key",
        "BLIND_INDEX_KEY": "concurrency-index-key",
    }
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        yield Database(tmp, env, module)
    finally:
        if drop:
            drop()


def _fund(database: Database, *, members: int, collectors: int) -> tuple[str, list[str]]:
    n = next(_ids)
    code = f"race-{n}"
    seeded = database.run(
        "seed", fund=code, members=members, collectors=collectors, id_base=n * 1000
    )
    return code, seeded["members"]


def _amount(payer: int, i: int) -> str:
    """Amounts differ by payer and payment, so a lost or doubled one shows in every sum."""
    return f"{30 + payer * 7 + (i % 5) * 30}.{(i * 13 + payer) % 100:02d}"


def _books_are_whole(stored: dict[str, Any], receipts: int) -> None:
    """Gapless receipt and entry numbers, counters that agree, and every check clean."""
    assert [seq for _number, seq, _total, _key in stored["receipts"]] == list(
        range(1, receipts + 1)
    )
    assert [last for _year, last in stored["receipt_counter"]] == [receipts]
    assert stored["entries"] == list(range(1, receipts + 1))
    assert stored["ledger_head"] == receipts
    assert stored["verify_ledger"] == []
    assert stored["verify_audit"] == []
    for member in stored["members"].values():
        assert member["verify_standing"] == []


def _told(results: list[dict[str, Any]]) -> list[tuple[str, Decimal]]:
    return [(number, Decimal(total)) for r in results for number, total, _key in r["receipts"]]


def test_collectors_paying_for_one_member_at_once_lose_nothing_and_count_nothing_twice(
    database: Database,
) -> None:
    fund, [member] = _fund(database, members=1, collectors=PAYERS)
    payers: list[dict[str, Any]] = [
        {
            "fund": fund,
            "actor": f"{fund}-collector-{p}",
            "member": member,
            "session": True,
            "payments": [[_amount(p, i), None] for i in range(PAYMENTS_EACH)],
        }
        for p in range(PAYERS)
    ]

    results = database.pay_together(payers)
    stored = database.run("report", fund=fund)

    total = PAYERS * PAYMENTS_EACH
    told = _told(results)
    assert len(told) == total
    assert sorted(told) == sorted((n, Decimal(t)) for n, _seq, t, _key in stored["receipts"])
    _books_are_whole(stored, total)
    paid = sum((Decimal(a) for p in payers for a, _key in p["payments"]), Decimal(0))
    standing = stored["members"][member]
    assert Decimal(standing["credit"]) == paid - ENTRY_FEE
    assert Decimal(standing["fees_due"]) == 0
    assert Decimal(standing["paid"]["total"]) == paid
    assert Decimal(stored["cash"]) == paid
    # Each collector's session holds exactly what that collector was given receipts for.
    assert sorted(Decimal(t) for t in stored["sessions"].values()) == sorted(
        sum((t for _n, t in _told([r])), Decimal(0)) for r in results
    )


def test_the_same_form_sent_from_several_places_at_once_is_recorded_once(
    database: Database,
) -> None:
    fund, [member] = _fund(database, members=1, collectors=PAYERS)
    keys = [(f"form-{uuid.uuid4()}", _amount(0, i)) for i in range(PAYMENTS_EACH)]
    # The same person's double click, retry and second tab: every process sends every form.
    payers: list[dict[str, Any]] = [
        {
            "fund": fund,
            "actor": f"{fund}-treasurer",
            "member": member,
            "session": False,
            "payments": [[amount, key] for key, amount in keys],
        }
        for _p in range(PAYERS)
    ]

    results = database.pay_together(payers)
    stored = database.run("report", fund=fund)

    assert stored["keys"] == {key: 1 for key, _amount in keys}
    _books_are_whole(stored, len(keys))
    # Every sender was given the one receipt stored for each form.
    by_key = {key: number for number, _seq, _total, key in stored["receipts"]}
    for result in results:
        assert [(key, number) for number, _total, key in result["receipts"]] == [
            (key, by_key[key]) for key, _amount in keys
        ]
    paid = sum((Decimal(a) for _key, a in keys), Decimal(0))
    assert Decimal(stored["members"][member]["credit"]) == paid - ENTRY_FEE
    assert Decimal(stored["cash"]) == paid


def test_two_collectors_paying_different_members_at_once(database: Database) -> None:
    fund, members = _fund(database, members=2, collectors=2)
    payers: list[dict[str, Any]] = [
        {
            "fund": fund,
            "actor": f"{fund}-collector-{p}",
            "member": member,
            "session": True,
            "payments": [[_amount(p, i), None] for i in range(PAYMENTS_EACH)],
        }
        for p, member in enumerate(members)
    ]

    results = database.pay_together(payers)
    stored = database.run("report", fund=fund)

    total = 2 * PAYMENTS_EACH
    assert sorted(_told(results)) == sorted(
        (n, Decimal(t)) for n, _seq, t, _key in stored["receipts"]
    )
    _books_are_whole(stored, total)
    for payer in payers:
        paid = sum((Decimal(a) for a, _key in payer["payments"]), Decimal(0))
        standing = stored["members"][payer["member"]]
        assert Decimal(standing["credit"]) == paid - ENTRY_FEE
        assert Decimal(standing["paid"]["total"]) == paid
    assert Decimal(stored["cash"]) == sum(
        (Decimal(a) for p in payers for a, _key in p["payments"]), Decimal(0)
    )
