"""Benchmark (a): a collection day, one transaction per payment, against raw sqlite3.

Kongtun's path is `payment_record`, the service the collection screen calls: each payment
takes the books lock, checks the form's key, the session and the member, numbers the
receipt, posts the book entry (hash-chained), writes the audit entry (hash-chained) and
updates the member's standing, in one transaction. The baseline, measured in the same run on
a copy of the same seeded database (same tables, indexes and triggers), is stdlib `sqlite3`
inserting the same receipt, entry and two lines and updating the standing, one transaction
per payment. Both run on a fresh SQLite file in WAL mode with synchronous=FULL, the settings
Kongtun refuses to run without.

    .venv/bin/python bench/collection_day.py [--payments 2000] [--rounds 3] [--profile]

Prints both rates, the ratio (target: at least 0.25) and the queries per payment.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import pstats
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from _common import national_id, setup_django

TARGET = 0.25
AMOUNT = Decimal("30.00")  # one month of a 30-baht monthly plan
JOINED = dt.date(2024, 1, 1)


def seed(members: int) -> dict[str, Any]:
    """A fund with its chart, a 30-baht monthly plan, a collector and `members` active members
    whose standing exists (as it does for anyone who has paid before)."""
    from django.db import transaction

    from kongtun.accounts.models import User
    from kongtun.contributions.services import plan_create, standing_ensure
    from kongtun.funds.models import Fund, FundRole
    from kongtun.funds.tenancy import fund_scope
    from kongtun.geo.models import Tambon
    from kongtun.ledger.services import chart_install
    from kongtun.members.services import MemberInput, member_register

    with transaction.atomic():
        fund = Fund.objects.create(
            code="bench",
            name="กองทุนสวัสดิการชุมชนตำบลทดสอบความเร็ว",
            tambon=Tambon.objects.get(code="520101"),
            founded_on=dt.date(2010, 1, 1),
        )
        collector = User.objects.create_user("collector", full_name="ผู้เก็บเงิน")
        FundRole.objects.create(fund=fund, user=collector, role="collector")
        with fund_scope(fund):
            chart_install(fund=fund)
            plan_create(
                fund=fund,
                actor=collector,
                name="รายเดือน 30 บาท",
                frequency="monthly",
                amount=Decimal("30.00"),
            )
            people = []
            for i in range(members):
                member = member_register(
                    fund=fund,
                    actor=collector,
                    data=MemberInput(
                        first_name=f"สมาชิก{i}",
                        last_name="ทดสอบ",
                        national_id=national_id(i + 1),
                        birth_date=dt.date(1960, 1, 1),
                        joined_on=JOINED,
                        number=f"{i + 1:05d}",
                    ),
                )
                standing_ensure(member)
                people.append(member)
    return {"fund": fund, "collector": collector, "members": people}


class Timing(NamedTuple):
    """Wall-clock seconds, and the CPU seconds of this process (which other load on the
    machine disturbs less)."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Timing:
        return cls(time.perf_counter(), time.process_time())

    def __sub__(self, other: tuple[Any, ...]) -> Timing:
        assert isinstance(other, Timing)
        return Timing(self.wall - other.wall, self.cpu - other.cpu)


# --- Kongtun's path --------------------------------------------------------------------------


def django_round(world: dict[str, Any], payments: int) -> Timing:
    """One collection day through `payment_record`, in a session."""
    from kongtun.contributions.services import payment_record, session_close, session_open
    from kongtun.funds.tenancy import fund_scope

    fund, collector, people = world["fund"], world["collector"], world["members"]
    with fund_scope(fund):
        session = session_open(fund=fund, collector=collector)
        keys = [str(uuid.uuid4()) for _ in range(payments)]  # every rendered form has one
        start = Timing.now()
        for i in range(payments):
            payment_record(
                member=people[i % len(people)],
                actor=collector,
                amount=AMOUNT,
                session=session,
                idempotency_key=keys[i],
            )
        took = Timing.now() - start
        session_close(session=session, actor=collector, counted=AMOUNT * payments)
    return took


def queries_per_payment(world: dict[str, Any], sample: int) -> tuple[float, list[str]]:
    """Queries per payment over `sample` payments, and the SQL of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kongtun.contributions.services import payment_record, session_close, session_open
    from kongtun.funds.tenancy import fund_scope

    fund, collector, people = world["fund"], world["collector"], world["members"]
    with fund_scope(fund):
        session = session_open(fund=fund, collector=collector)
        with CaptureQueriesContext(connection) as ctx:
            for i in range(sample):
                mark = len(ctx.captured_queries)
                payment_record(
                    member=people[i % len(people)],
                    actor=collector,
                    amount=AMOUNT,
                    session=session,
                    idempotency_key=str(uuid.uuid4()),
                )
        session_close(session=session, actor=collector, counted=AMOUNT * sample)
    return len(ctx.captured_queries) / sample, [q["sql"] for q in ctx.captured_queries[mark:]]


# --- The raw baseline ------------------------------------------------------------------------


class Raw:
    """The same rows written with stdlib sqlite3 into a copy of the seeded database."""

    def __init__(self, path: Path, world: dict[str, Any]) -> None:
        from kongtun.funds.tenancy import fund_scope
        from kongtun.ledger.models import Account
        from kongtun.ledger.statements import fiscal_year_of

        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.db.execute(f"PRAGMA {pragma}")
        assert self.db.execute("PRAGMA synchronous").fetchone()[0] == 2
        fund = world["fund"]
        self.fund_id, self.collector_id = fund.pk, world["collector"].pk
        self.today = dt.date.today()
        self.fiscal_year = fiscal_year_of(fund, self.today)
        with fund_scope(fund):
            accounts = Account.objects.filter(fund=fund, role__in=["cash", "income.members"])
            by_role = {a.role: a for a in accounts}
        self.cash, self.income = by_role["cash"], by_role["income.members"]
        self.members = [(m.pk, m.number) for m in world["members"]]
        self.paid_through = dict(
            self.db.execute("SELECT member_id, paid_through FROM contributions_standing")
        )
        self.hash = "0" * 64

    def _next(self, table: str, column: str) -> int:
        query = f"SELECT coalesce(max({column}), 0) FROM {table} WHERE fund_id = ?"
        return int(self.db.execute(query, (self.fund_id,)).fetchone()[0]) + 1

    def round(self, payments: int) -> Timing:
        db = self.db
        now = dt.datetime.now(dt.UTC).isoformat(" ")
        self.db.execute(
            "INSERT INTO contributions_collectionsession (code, date, place, state, opened_at,"
            " expected, counted, collector_id, fund_id, note)"
            " VALUES (?, ?, '', 'open', ?, 0, 0, ?, ?, '')",
            (uuid.uuid4().hex, self.today, now, self.collector_id, self.fund_id),
        )
        session_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        number = self._next("ledger_journalentry", "number")
        seq = self._next("contributions_receipt", "seq")
        keys = [str(uuid.uuid4()) for _ in range(payments)]
        satang, fund_id = int(AMOUNT * 100), self.fund_id
        start = Timing.now()
        for i in range(payments):
            member_id, member_no = self.members[i % len(self.members)]
            paid_through = _month_on(dt.date.fromisoformat(self.paid_through[member_id]))
            self.paid_through[member_id] = paid_through.isoformat()
            digest = hashlib.sha256(f"{self.hash}{number}{member_id}{satang}".encode()).hexdigest()
            now = dt.datetime.now(dt.UTC).isoformat(" ")
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(
                "INSERT INTO ledger_journalentry (code, number, date, memo, kind, idempotency_key,"
                " created_at, prev_hash, hash, created_by_id, fund_id, reverses_id)"
                " VALUES (?, ?, ?, ?, 'contribution', NULL, ?, ?, ?, ?, ?, NULL)",
                (
                    uuid.uuid4().hex,
                    number,
                    self.today,
                    f"Receipt {self.fiscal_year}/{seq:06d}, member {member_no}",
                    now,
                    self.hash,
                    digest,
                    self.collector_id,
                    self.fund_id,
                ),
            )
            entry_id = cur.lastrowid
            db.executemany(
                "INSERT INTO ledger_journalline (amount, source, date, account_id, entry_id,"
                " fund_id) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (satang, self.cash.source, self.today, self.cash.pk, entry_id, fund_id),
                    (-satang, self.income.source, self.today, self.income.pk, entry_id, fund_id),
                ],
            )
            db.execute(
                "INSERT INTO contributions_receipt (code, fiscal_year, seq, date, contribution,"
                " fee, total, epoch, paid_through, created_at, idempotency_key, void_reason,"
                " voided_at, entry_id, fund_id, member_id, money_account_id, received_by_id,"
                " session_id, void_entry_id, voided_by_id)"
                " VALUES (?, ?, ?, ?, ?, 0, ?, 1, ?, ?, ?, '', NULL, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (
                    uuid.uuid4().hex,
                    self.fiscal_year,
                    seq,
                    self.today,
                    satang,
                    satang,
                    paid_through,
                    now,
                    keys[i],
                    entry_id,
                    self.fund_id,
                    member_id,
                    self.cash.pk,
                    self.collector_id,
                    session_id,
                ),
            )
            db.execute(
                "UPDATE contributions_standing SET credit = credit + ?, paid_through = ?,"
                " updated_at = ? WHERE member_id = ?",
                (satang, paid_through, now, member_id),
            )
            db.execute("COMMIT")
            self.hash, number, seq = digest, number + 1, seq + 1
        return Timing.now() - start


def _month_on(paid_through: dt.date) -> dt.date:
    """The last day of the month after `paid_through` (a month-end)."""
    first_after = (paid_through.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return (first_after + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


# --- Report ----------------------------------------------------------------------------------


def rate(payments: int, timings: list[Timing]) -> tuple[float, float, float, float]:
    """Median payments/s, the range over the rounds, and the median CPU ms per payment."""
    rates = [payments / t.wall for t in timings]
    cpu_ms = statistics.median(1000 * t.cpu / payments for t in timings)
    return statistics.median(rates), min(rates), max(rates), cpu_ms


def check_books(world: dict[str, Any]) -> None:
    """The run must leave whole books, or its rate means nothing."""
    from kongtun.contributions.models import Receipt
    from kongtun.contributions.services import verify_standing
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.verify import verify_ledger

    with fund_scope(world["fund"]):
        problems = [str(p) for p in verify_ledger(world["fund"])]
        problems += [p for m in world["members"][:50] for p in verify_standing(m)]
        seqs = list(Receipt.objects.filter(fund=world["fund"]).values_list("seq", flat=True))
    assert sorted(seqs) == list(range(1, len(seqs) + 1)), "receipt numbers have gaps"
    assert not problems, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=100, help="payments to count queries of")
    parser.add_argument("--profile", action="store_true", help="cProfile one Kongtun round")
    parser.add_argument("--show-queries", action="store_true", help="print one payment's SQL")
    parser.add_argument("--dir", help="where the database files go (default: the temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kongtun-bench-", dir=args.dir) as name:
        tmp = Path(name)
        setup_django(tmp)
        from django.db import connection

        print(f"(a) collection day: seeding {args.members:,} members...", flush=True)
        world = seed(args.members)
        raw_path = tmp / "raw.sqlite3"
        with sqlite3.connect(raw_path) as copy:
            connection.connection.backup(copy)
        raw = Raw(raw_path, world)

        raw_times: list[Timing] = []
        django_times: list[Timing] = []
        for n in range(args.rounds):
            raw_times.append(raw.round(args.payments))
            django_times.append(django_round(world, args.payments))
            print(
                f"  round {n + 1}: raw {args.payments / raw_times[-1].wall:,.0f}/s,"
                f" payment_record {args.payments / django_times[-1].wall:,.0f}/s",
                flush=True,
            )
        per_payment, last_sql = queries_per_payment(world, args.sample)
        if args.profile:
            _profile(lambda: django_round(world, args.payments))
        check_books(world)

    report(args, raw_times, django_times, per_payment)
    if args.show_queries:
        print("\n".join(["    one payment's SQL:", *(f"      {q}" for q in last_sql)]))


def report(
    args: argparse.Namespace, raw_times: list[Timing], django_times: list[Timing], queries: float
) -> None:
    raw_rate, raw_lo, raw_hi, raw_cpu = rate(args.payments, raw_times)
    dj_rate, dj_lo, dj_hi, dj_cpu = rate(args.payments, django_times)
    ratio = dj_rate / raw_rate
    verdict = "meets the target" if ratio >= TARGET else "BELOW the target"
    print(
        f"\n(a) Collection day: {args.payments:,} payments, one transaction each, SQLite WAL"
        f" synchronous=FULL, median of {args.rounds} rounds\n"
        f"    raw sqlite3 (receipt, entry, 2 lines, standing): {raw_rate:7,.0f} payments/s"
        f" ({raw_lo:,.0f}-{raw_hi:,.0f}), CPU {raw_cpu:.2f} ms/payment\n"
        f"    payment_record (the collection screen's service): {dj_rate:7,.0f} payments/s"
        f" ({dj_lo:,.0f}-{dj_hi:,.0f}), CPU {dj_cpu:.2f} ms/payment\n"
        f"    ratio {ratio:.2f} (target >= {TARGET}): {verdict}\n"
        f"    queries per payment: {queries:.1f} (over {args.sample} payments,"
        f" BEGIN and COMMIT included)",
        flush=True,
    )


def _profile(run: Callable[[], Timing]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
