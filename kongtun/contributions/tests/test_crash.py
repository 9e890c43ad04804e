"""The laptop switched off mid-save: a process killed with SIGKILL at a random moment of an
import or of a collection batch leaves no half-written entry, and doing the job again gives
the books an uninterrupted run gives, with nothing counted twice.

As in test_concurrency.py, the jobs run in processes of their own (`crash_worker`) on a fresh
database (an SQLite file, or a new database on the test PostgreSQL server). Each trial seeds
its own fund, starts the job, and is killed after a delay drawn from its seed across the
whole length of an uninterrupted run (measured first, on the reference fund). A new process
then checks what was left, before writing anything: every entry whole and balanced, each
file imported in whole or not at all, each receipt with its entry, the audit chain and the
books' hash chain intact. It then does the job again from the start, as the person would,
and the fund's books and records must equal the reference fund's, by content.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kongtun.contributions.tests import opening_files
from kongtun.contributions.tests.test_concurrency import Database, _reaped, migrated_database
from kongtun.members.tests.import_files import HEADERS, csv_bytes, person

WORKER = "kongtun.contributions.tests.crash_worker"
# Per job and database: 20 kills per database in all; RELIABILITY.md D6 asks 50 of a nightly
# run (KONGTUN_CRASH_KILLS=50).
KILLS = int(os.environ.get("KONGTUN_CRASH_KILLS", "10"))
SEED = 8  # trial k of a job draws its moment from random.Random(f"{job}-{SEED}-{k}")
REGISTER_ROWS = 500  # members in the register file and on the opening workbook
HISTORY_MONTHS = 20  # past payments per member on the workbook: 10,000 rows
COLLECT_MEMBERS = 10
COLLECT_PAYMENTS = 150
START_TIMEOUT = 120


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with migrated_database(tmp_path_factory, WORKER) as db:
        yield db


def _month_dates(count: int) -> list[str]:
    """The 5th of each month from January 2024, typed in the Buddhist era."""
    days, day = [], dt.date(2024, 1, 5)
    for _k in range(count):
        days.append(f"{day.day:02d}/{day.month:02d}/{day.year + 543}")
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=5)
    return days


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The member register (CSV) and the opening-balances workbook of a fund leaving paper."""
    tmp = tmp_path_factory.mktemp("crash-files")
    numbers = [f"{i:05d}" for i in range(1, REGISTER_ROWS + 1)]
    register = csv_bytes(
        [person(700 + i, **{HEADERS[0]: n}) for i, n in enumerate(numbers)],
    )
    months = _month_dates(HISTORY_MONTHS)
    history = [[n, day, 30, f"R{k}"] for n in numbers for k, day in enumerate(months)]
    paid = 30 * len(history)
    opening = opening_files.workbook(
        members=[[n, "30/09/2568", "", 20 if i % 4 == 0 else 0] for i, n in enumerate(numbers)],
        history=history,
        money={"1101": 40_000, "1111": paid + 10_000},
        sources={"members": paid, "codi": 50_000},
    )
    (tmp / "register.csv").write_bytes(register)
    (tmp / "opening.xlsx").write_bytes(opening)
    return {
        "register": str(tmp / "register.csv"),
        "opening": str(tmp / "opening.xlsx"),
        "register_rows": REGISTER_ROWS,
        "history_rows": len(history),
    }


def _spec(job: str, files: dict[str, Any]) -> dict[str, Any]:
    if job == "import":
        return {"job": job, **files}
    return {"job": job, "members": COLLECT_MEMBERS, "payments": COLLECT_PAYMENTS}


def _kill_during(database: Database, spec: dict[str, Any], delay: float) -> bool:
    """Start the job, SIGKILL it `delay` seconds after its seed is in; True if it was still
    running (False if it had already finished)."""
    started = database.tmp / f"started-{spec['fund']}"
    proc, out = database.start("work", **spec, started=str(started))
    with _reaped([proc]):
        deadline = time.monotonic() + START_TIMEOUT
        while not started.exists():
            if proc.poll() is not None:
                pytest.fail(f"the job stopped before it started:\n{proc.communicate()}")
            assert time.monotonic() < deadline, "the job did not start"
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        stdout, stderr = proc.communicate()
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, f"the job failed before the kill:\n{stdout}\n{stderr}"
    return proc.returncode == -signal.SIGKILL and not out.exists()


@pytest.mark.parametrize("job", ["import", "collect"])
def test_a_job_killed_at_any_moment_leaves_nothing_half_done_and_a_rerun_gives_the_same_books(
    database: Database, files: dict[str, Any], job: str
) -> None:
    spec = _spec(job, files)
    done = database.run("work", **spec, fund=f"ref-{job}", started=str(database.tmp / job))
    reference = database.run("recover", **spec, fund=f"ref-{job}")
    # Doing a finished job again adds nothing: every file and form is recorded once.
    assert reference["left"]["problems"] == []
    assert reference["after"] == reference["left"]
    want = reference["after"]
    assert want["entries"] > 0

    seconds = done["seconds"]
    interrupted, progress = 0, []
    for k in range(KILLS):
        where = random.Random(f"{job}-{SEED}-{k}").random()  # noqa: S311 (a test's moments)
        trial = f"{job} trial {k} (seed {job}-{SEED}-{k}: killed {where:.3f} × {seconds:.2f} s in)"
        fund = f"kill-{job}-{k}"
        interrupted += _kill_during(database, {**spec, "fund": fund}, where * seconds)
        found = database.run("recover", **spec, fund=fund)

        assert found["seeded"], trial
        left, after = found["left"], found["after"]
        assert left["problems"] == [], trial
        counts = left["counts"]
        progress.append((round(where, 3), counts["members"], left["entries"], counts["receipts"]))
        assert after["problems"] == [], trial
        for part in ("ledger", "records", "counts", "entries"):
            assert after[part] == want[part], f"{trial}: {part} differs from the reference"
    print(f"{job}: {seconds:.2f} s a run, {interrupted} of {KILLS} killed while working; left")
    print(f"(moment, members, entries, receipts): {progress}")
    # The moments were spread over the run: at least some kills caught it working.
    assert interrupted >= 1, f"no kill caught the {job} running: {progress}"
