"""Committee members and treasurers acting on one claim at the same moment, as separate OS
processes on one real database (see kongtun.contributions.tests.test_concurrency): the claim
reaches one final state once, and is paid once."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest

from kongtun.contributions.tests.test_concurrency import Database, migrated_database
from kongtun.welfare.tests.concurrent_clerk import ACTORS

CLERK = "kongtun.welfare.tests.concurrent_clerk"
_ids = count(1)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with migrated_database(tmp_path_factory, CLERK) as db:
        yield db


def _claim(database: Database) -> dict[str, Any]:
    n = next(_ids)
    fund = f"claim-race-{n}"
    seeded = database.run("seed", fund=fund, id_base=n * 1000 + 500)
    return {"fund": fund, **seeded}


def _act(
    database: Database, seeded: dict[str, Any], specs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return database.pay_together([{**seeded, **spec} for spec in specs])


def test_committee_members_deciding_at_once_decide_once(database: Database) -> None:
    seeded = _claim(database)
    specs = [
        {"actor": f"{seeded['fund']}-committee-{i}", "action": "decide", "approve": i % 2 == 0}
        for i in range(ACTORS)
    ]
    results = _act(database, seeded, specs)
    stored = database.run("report", fund=seeded["fund"], claim=seeded["claim"])

    decided = [r for r in results if "status" in r]
    refused = [r for r in results if "refused" in r]
    assert len(decided) == 1 and len(refused) == ACTORS - 1
    assert all("already decided" in r["refused"] for r in refused)
    assert stored["status"] == decided[0]["status"]
    assert stored["resolution"] == decided[0]["resolution"]
    assert stored["decisions_audited"] == 1
    assert stored["verify_audit"] == []


def test_treasurers_paying_at_once_pay_once(database: Database) -> None:
    seeded = _claim(database)
    _act(
        database,
        seeded,
        [{"actor": f"{seeded['fund']}-committee-0", "action": "decide", "approve": True}],
    )
    specs = [{"actor": f"{seeded['fund']}-treasurer-{i}", "action": "pay"} for i in range(ACTORS)]
    results = _act(database, seeded, specs)
    stored = database.run("report", fund=seeded["fund"], claim=seeded["claim"])

    # Whoever came second found the claim paid: told so, or handed the same payment.
    vouchers = {r["voucher"] for r in results if "voucher" in r}
    assert len(vouchers) == 1 and None not in vouchers
    assert all(r.get("status") == "paid" for r in results)
    assert stored["status"] == "paid"
    assert stored["vouchers"] == 1 and stored["claim_entries"] == 1 and stored["payees"] == 1
    assert stored["payments_audited"] == 1
    assert stored["verify_ledger"] == [] and stored["verify_audit"] == []
