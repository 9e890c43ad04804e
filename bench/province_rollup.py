"""Benchmark (c): a province's reports through Kongtun, against DuckDB on the raw rows.

A synthetic province: 100 funds (Lampang's tambons) × 2,000 members × 120 months (ten
government fiscal years, FY2559–2568) of monthly contributions = 24,000,000 payments, bulk
loaded into Kongtun's books in SQL (see _province.py and README.md). The monthly totals are
rebuilt with `summaries_rebuild` and proved equal to the lines and to the raw rows. Then,
on each engine, four reports through Kongtun's own code, which reads the monthly totals:

  (1) the province roll-up of a fiscal year          kongtun.network.rollup.area_rollup
  (2) the monthly provincial report                  kongtun.network.rollup.province_monthly
  (3) one fund's income and expenditure for a year   kongtun.ledger.statements.income_expenditure
  (4) ten years month by month, for the charts       kongtun.network.rollup.series

each against DuckDB computing the same figures from the 24 million raw payment rows in the
same process, rounds alternating; the figures must be equal to the satang. Target: Kongtun
at most 2× DuckDB's time. Also measured: the rebuild of the province's totals against
DuckDB's GROUP BY, and the upkeep of the totals as money posts (postings with and without
the monthly-total trigger).

    .venv/bin/python bench/province_rollup.py [--scale 1.0] [--engines sqlite,postgres]
        [--rounds 5] [--funds 100] [--upkeep 2000] [--explain] [--profile]

PostgreSQL runs on a throwaway server started by scripts/with-postgres.sh. Exit status 1 when
a check fails (the totals, the reports' figures against DuckDB's) or an engine's run fails.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from _province import (
    FUNDS,
    LAST_FISCAL_YEAR_BE,
    MEMBERS,
    MONTHS,
    ROOT,
    Shape,
    load_books,
    load_duckdb,
    load_members,
    month_start,
    seed_funds,
    setup_django,
    upkeep_trigger,
)

TARGET = 2.0
ENGINES = ("sqlite", "postgres")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
MONTHLY_REPORT_MONTH = month_start(MONTHS - 1)  # the last month of the data: September 2025


@dataclass
class Figure:
    """Median seconds of Kongtun's path and of DuckDB's, and what Kongtun's path queried."""

    key: str
    label: str
    kongtun: float
    duckdb: float
    kongtun_runs: list[float]
    duckdb_runs: list[float]
    queries: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.kongtun / self.duckdb


@dataclass
class Result:
    engine: str
    shape: dict[str, int]
    load_seconds: float = 0.0
    duckdb_load_seconds: float = 0.0
    rebuild: Figure | None = None
    reports: list[Figure] = field(default_factory=list)
    upkeep: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


# --- Measuring --------------------------------------------------------------------------------


class StatementTimer:
    """Wall time of every SQL statement Kongtun's path sends, to name the slow ones. It is the
    time of execute(): on SQLite a SELECT that streams its rows does part of its work while
    they are fetched, so this ranks statements rather than adds up the database's time."""

    def __init__(self) -> None:
        self.statements: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, _inline(sql, params)))


def _inline(sql: str, params: Any) -> str:
    """The statement with its parameters written in, for EXPLAIN and for reading."""
    if not params:
        return sql
    try:
        return sql % tuple(_literal(p) for p in params)
    except (TypeError, ValueError):
        return f"{sql}  -- params {params!r}"


def _literal(value: Any) -> str:
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


@contextmanager
def timed_statements() -> Iterator[StatementTimer]:
    from django.db import connection

    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        yield timer


def measure(
    key: str, label: str, kongtun: Callable[[], Any], duck: Callable[[], Any], rounds: int
) -> tuple[Figure, Any, Any]:
    """Warm both paths once, then alternate them `rounds` times; medians of wall seconds."""
    k_result, d_result = kongtun(), duck()
    k_runs: list[float] = []
    d_runs: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        kongtun()
        k_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        duck()
        d_runs.append(time.perf_counter() - started)
    with timed_statements() as timer:
        kongtun()
    slowest = sorted(timer.statements, key=lambda s: s[0], reverse=True)[:3]
    figure = Figure(
        key,
        label,
        statistics.median(k_runs),
        statistics.median(d_runs),
        k_runs,
        d_runs,
        queries=len(timer.statements),
        slowest=slowest,
    )
    return figure, k_result, d_result


def _size_gb() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0]) / 1e9


def satang(value: Decimal | int) -> int:
    """Exact satang of a baht Decimal (Kongtun's and DuckDB's alike); never a float."""
    if isinstance(value, int):
        return value
    assert isinstance(value, Decimal), type(value)
    scaled = value * 100
    assert scaled == scaled.to_integral_value(), value
    return int(scaled)


# --- The run on one engine ------------------------------------------------------------------


class Province:
    """One engine's run: the books, the raw rows beside them, the checks and the reports."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.shape = Shape(funds=args.funds, members=max(1, round(MEMBERS * args.scale)))
        self.result = Result(engine=args.child, shape=self._shape_dict())
        self.tmp = tmp

    def _shape_dict(self) -> dict[str, int]:
        s = self.shape
        return {
            "funds": s.funds,
            "members": s.members,
            "months": s.months,
            "payments": s.payments,
            "entries": s.entries,
            "lines": s.lines,
        }

    def say(self, text: str) -> None:
        print(text, flush=True)

    def run(self) -> Result:
        from django.db import connection

        from kongtun.funds.models import Fund

        s, r = self.shape, self.result
        self.say(
            f"(c) province on {LABELS[r.engine]} ({connection.vendor}): {s.funds} funds ×"
            f" {s.members:,} members × {s.months} months = {s.payments:,} payments"
            f" ({s.entries:,} entries, {s.lines:,} lines)"
        )
        self.funds = seed_funds(s)
        r.load_seconds = load_books(s, self.funds, progress=self.say)
        self.say(f"    books loaded in {r.load_seconds:.1f} s; database {_size_gb():.2f} GB")
        seconds = load_members(s, self.funds)
        self.say(f"    {s.funds * s.members:,} members loaded in {seconds:.1f} s")
        # As an officer's page selects them (kongtun.network.selectors): with their areas.
        self.fund_objects = list(
            Fund.objects.filter(pk__in=[b.fund.pk for b in self.funds])
            .select_related("tambon__amphoe")
            .order_by("tambon__amphoe_id", "code")
        )
        self.duck, r.duckdb_load_seconds = load_duckdb(self.tmp / "raw.duckdb", s, self.funds)
        self.say(f"    DuckDB raw rows loaded in {r.duckdb_load_seconds:.1f} s")

        self.rebuild()
        if self.args.tamper:
            self.tamper()
        self.check_totals()
        self.reports()
        if self.args.upkeep:
            self.upkeep()
        return r

    # --- Totals -------------------------------------------------------------------------------

    def rebuild(self) -> None:
        """The province's monthly totals rebuilt from its lines, as after any bulk load."""
        from django.db import connection

        from kongtun.ledger.summaries import summaries_rebuild

        k_runs, d_runs = [], []
        for _ in range(self.args.rebuild_rounds):
            started = time.perf_counter()
            rows = summaries_rebuild()
            k_runs.append(time.perf_counter() - started)
            started = time.perf_counter()
            self.duck.execute(
                """CREATE OR REPLACE TABLE monthly AS
                   SELECT fund_id, year(paid_on) * 100 + month(paid_on) AS period,
                          SUM(amount) AS amount, COUNT(*) AS lines
                   FROM payments GROUP BY ALL"""
            )
            d_runs.append(time.perf_counter() - started)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Autovacuum would analyze the new rows soon; the reports should not wait.
                cursor.execute("ANALYZE ledger_monthlytotal")
        self.result.rebuild = Figure(
            "rebuild",
            "summary rebuild of the province (summaries_rebuild)",
            statistics.median(k_runs),
            statistics.median(d_runs),
            k_runs,
            d_runs,
        )
        self.say(
            f"    summaries_rebuild(): {rows:,} monthly totals in"
            f" {statistics.median(k_runs):.2f} s; DuckDB GROUP BY of the raw rows"
            f" {statistics.median(d_runs):.3f} s"
        )

    def tamper(self) -> None:
        """Move one satang in one monthly total: the check below must catch it (the tests use
        this to prove the check can fail)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_monthlytotal SET amount = amount + 1"
                " WHERE id = (SELECT MIN(id) FROM ledger_monthlytotal)"
            )
        self.say("    tampered: one monthly total moved by 0.01 baht")

    def check_totals(self) -> None:
        """The totals equal the books line by line (Kongtun's own proof, summary_differences),
        and the raw rows DuckDB holds, fund by fund and month by month, to the satang."""
        from django.db import connection

        from kongtun.funds.tenancy import fund_scope
        from kongtun.ledger.summaries import summary_differences

        problems = self.result.problems
        started = time.perf_counter()
        for b in self.funds:
            with fund_scope(b.fund):
                for diff in summary_differences(b.fund)[:3]:
                    problems.append(f"fund {b.fund.code}: totals differ from the lines: {diff}")
        books_seconds = time.perf_counter() - started

        raw = {
            (fund_id, period): (satang(amount), lines)
            for fund_id, period, amount, lines in self.duck.execute(
                "SELECT fund_id, period, amount, lines FROM monthly"
            ).fetchall()
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT fund_id, account_id, source, period, amount, lines FROM ledger_monthlytotal"
            )
            totals = cursor.fetchall()
        role = {b.cash_id: "cash" for b in self.funds} | {b.income_id: "income" for b in self.funds}
        seen: dict[str, dict[tuple[int, int], tuple[int, int]]] = {"cash": {}, "income": {}}
        for fund_id, account_id, source, period, amount, lines in totals:
            kind = role.get(account_id)
            if kind is None or source != ("members" if kind == "income" else ""):
                problems.append(f"unexpected monthly total: account {account_id} source {source!r}")
                continue
            seen[kind][(fund_id, period)] = (int(amount), int(lines))
        days = self.shape.days
        for key, (amount, lines) in sorted(raw.items()):
            income = seen["income"].pop(key, None)
            cash = seen["cash"].pop(key, None)
            if income != (-amount, lines) or cash != (amount, days):
                problems.append(
                    f"fund id {key[0]} month {key[1]}: raw rows {amount} satang in {lines}"
                    f" payments; totals say income {income}, cash {cash} (satang, lines)"
                )
        for kind, left in seen.items():
            for key in sorted(left)[:3]:
                problems.append(f"{kind} total for fund id {key[0]} month {key[1]} has no raw rows")
        verdict = "OK" if not problems else f"{len(problems)} PROBLEMS"
        self.say(
            f"    check: totals = lines (summary_differences, {len(self.funds)} funds,"
            f" {books_seconds:.1f} s) and = raw rows ({len(raw):,} fund-months): {verdict}"
        )
        for p in problems[:10]:
            self.say(f"      {p}")

    # --- Reports --------------------------------------------------------------------------------

    def reports(self) -> None:
        rounds = self.args.rounds
        for make in (
            self.report_rollup,
            self.report_monthly,
            self.report_statement,
            self.report_series,
        ):
            try:
                key, label, kongtun, duck, compare = make()
            except ImportError as exc:
                self.result.problems.append(f"{make.__doc__.splitlines()[0]} not measured: {exc}")
                self.say(f"    NOT MEASURED: {exc}")
                continue
            figure, k_result, d_result = measure(key, label, kongtun, duck, rounds)
            problems = compare(k_result, d_result)
            self.result.reports.append(figure)
            self.result.problems.extend(f"{label}: {p}" for p in problems)
            verdict = "figures equal DuckDB's" if not problems else "FIGURES DIFFER"
            self.say(
                f"    {label}: Kongtun {figure.kongtun * 1000:.2f} ms ({figure.queries} queries),"
                f" DuckDB {figure.duckdb * 1000:.2f} ms, ratio {figure.ratio:.2f}; {verdict}"
            )
            for p in problems[:5]:
                self.say(f"      {p}")
            if self.args.explain:
                self.explain(figure)
            if self.args.profile:
                _profile(kongtun)

    def report_rollup(self) -> tuple[str, str, Callable[[], Any], Callable[[], Any], Any]:
        """(1) The province dashboard's fiscal year: per fund, amphoe and province, money by
        source, money on hand and members."""
        from kongtun.network.rollup import area_rollup

        funds, year = self.fund_objects, LAST_FISCAL_YEAR_BE
        first, last = month_start(MONTHS - 12), month_start(MONTHS) - dt.timedelta(days=1)
        # CODI's matching counts members admitted a full year before the last 30 September.
        cutoff = last.replace(year=last.year - 1)

        def kongtun() -> Any:
            rollup = area_rollup(funds=funds, fiscal_year_be=year)
            # What the dashboard shows besides the funds: the amphoes and the province.
            return rollup, rollup.by_amphoe(), rollup.total

        amphoe_of = {b.fund.pk: b.amphoe for b in self.funds}

        def duck() -> Any:
            # Per fund in SQL, amphoes and province in Python, as Kongtun does: grouping by
            # the amphoe's text in SQL too (GROUPING SETS) made DuckDB take 1.7× as long.
            money = self.duck.execute(
                """SELECT fund_id, SUM(amount) FILTER (WHERE paid_on >= ?), SUM(amount)
                   FROM payments WHERE paid_on <= ? GROUP BY fund_id""",
                [first, last],
            ).fetchall()
            members = {
                fund_id: counts
                for fund_id, *counts in self.duck.execute(
                    """SELECT fund_id, COUNT(*),
                              COUNT(*) FILTER (WHERE status IN ('active', 'lapsed')),
                              COUNT(*) FILTER (WHERE approved_on BETWEEN ? AND ?),
                              COUNT(*) FILTER (WHERE status IN ('active', 'lapsed')
                                               AND approved_on <= ?)
                       FROM members GROUP BY fund_id""",
                    [first, last, cutoff],
                ).fetchall()
            }
            figures: dict[tuple[str, int], tuple[int, ...]] = {}
            for fund_id, year_money, on_hand in money:
                row = (satang(year_money), satang(on_hand), *members[fund_id])
                amphoe = amphoe_of[fund_id]
                for key in ((amphoe, fund_id), (amphoe, 0), ("", 0)):
                    before = figures.get(key, (0,) * len(row))
                    figures[key] = tuple(a + b for a, b in zip(before, row, strict=True))
            return figures

        label = f"(1) province roll-up FY{year} (area_rollup)"
        return "rollup", label, kongtun, duck, _compare_rollup

    def report_monthly(self) -> tuple[str, str, Callable[[], Any], Callable[[], Any], Any]:
        """(2) One month, every fund: the money each received and has on hand."""
        from kongtun.network.rollup import province_monthly

        funds, month = self.fund_objects, MONTHLY_REPORT_MONTH
        last = month_start(MONTHS) - dt.timedelta(days=1)

        def kongtun() -> Any:
            return province_monthly(funds=funds, year=month.year, month=month.month)

        def duck() -> Any:
            return self.duck.execute(
                """SELECT fund_id, SUM(amount) FILTER (WHERE paid_on >= ?), SUM(amount)
                   FROM payments WHERE paid_on <= ? GROUP BY fund_id""",
                [month, last],
            ).fetchall()

        label = f"(2) monthly provincial report {month:%Y-%m}"
        return "monthly", label, kongtun, duck, _compare_monthly

    def report_series(self) -> tuple[str, str, Callable[[], Any], Callable[[], Any], Any]:
        """(4) Ten years month by month for the province's charts, by source of money."""
        from kongtun.network.rollup import series

        funds = self.fund_objects
        first, last = month_start(0), month_start(MONTHS) - dt.timedelta(days=1)

        def kongtun() -> Any:
            return series(funds=funds, first=first, last=last)

        def duck() -> Any:
            return self.duck.execute(
                """SELECT year(paid_on) * 100 + month(paid_on) AS period, SUM(amount)
                   FROM payments WHERE paid_on BETWEEN ? AND ? GROUP BY period ORDER BY period""",
                [first, last],
            ).fetchall()

        def compare(points: Any, rows: list[tuple[int, Decimal]]) -> list[str]:
            want = [(period, satang(amount)) for period, amount in rows]
            got = [(p.period, satang(p.contributions)) for p in points]
            other = [p.period for p in points if set(p.income) - {"members"} or p.welfare]
            problems = [
                f"month {g} vs raw rows {w}" for g, w in zip(got, want, strict=False) if g != w
            ]
            if len(got) != len(want):
                problems.append(f"{len(got)} months, the raw rows have {len(want)}")
            if other:
                problems.append(f"money other than members' contributions in {other[:3]}")
            return problems

        return "series", f"(4) province series, {MONTHS} months (series)", kongtun, duck, compare

    def report_statement(self) -> tuple[str, str, Callable[[], Any], Callable[[], Any], Any]:
        """(3) One fund's income and expenditure for the last fiscal year."""
        from kongtun.funds.tenancy import fund_scope
        from kongtun.ledger.statements import Period, income_expenditure

        bench = self.funds[len(self.funds) // 2]
        fund, year = bench.fund, LAST_FISCAL_YEAR_BE

        def kongtun() -> Any:
            with fund_scope(fund):
                return income_expenditure(fund=fund, period=Period.of_fiscal_year(fund, year))

        period = Period.of_fiscal_year(fund, year)

        def duck() -> Any:
            return self.duck.execute(
                "SELECT SUM(amount) FROM payments WHERE fund_id = ? AND paid_on BETWEEN ? AND ?",
                [fund.pk, period.start, period.end],
            ).fetchone()

        def compare(ie: Any, row: tuple[Decimal]) -> list[str]:
            problems = []
            expected = satang(row[0])
            if satang(ie.total_income) != expected:
                problems.append(f"total income {ie.total_income}, raw rows {row[0]}")
            members = [g for g in ie.income if g.source == "members"]
            if len(ie.income) != 1 or not members or satang(members[0].total) != expected:
                problems.append(f"income by source {[(g.source, g.total) for g in ie.income]}")
            if ie.total_expenses != 0:
                problems.append(f"expenses {ie.total_expenses}, none were posted")
            return problems

        label = f"(3) fund's income & expenditure FY{year}"
        return "statement", label, kongtun, duck, compare

    def explain(self, figure: Figure) -> None:
        """The plan of the report's slowest statement, for whoever makes it faster."""
        from django.db import connection

        for seconds, sql in figure.slowest[:1]:
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
            shown = sql if len(sql) <= 600 else sql[:600] + " …"
            self.say(f"      slowest statement ({seconds * 1000:.2f} ms): {shown}")
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    self.say(f"        {' | '.join(str(c) for c in row)}")

    # --- Upkeep -------------------------------------------------------------------------------

    def upkeep(self) -> None:
        """Posting payments with the monthly-total trigger against the same postings without
        it: what keeping the totals current costs each posting."""
        from django.db import transaction

        from kongtun.accounts.models import User
        from kongtun.funds.models import Fund
        from kongtun.funds.tenancy import fund_scope
        from kongtun.ledger import core
        from kongtun.ledger.services import chart_install, entry_post
        from kongtun.ledger.summaries import summaries_rebuild, summary_differences

        n, rounds = self.args.upkeep, self.args.upkeep_rounds
        with transaction.atomic():
            fund = Fund.objects.create(
                code="bench-upkeep",
                name="กองทุนสวัสดิการชุมชนทดสอบการบันทึก",
                tambon=self.funds[0].fund.tambon,
                founded_on=dt.date(2015, 1, 1),
            )
            actor = User.objects.create_user("bench-treasurer", full_name="เหรัญญิก")
            with fund_scope(fund):
                chart_install(fund=fund)
        month = month_start(MONTHS)

        def post(count: int) -> tuple[float, float, float]:
            """Wall and CPU seconds of `count` postings, and the seconds their lines' INSERT
            statements took, which is where the trigger runs."""
            wall, cpu = time.perf_counter(), time.process_time()
            with timed_statements() as timer:
                for i in range(count):
                    amount = Decimal(30 + i % 5 * 10)
                    entry = core.Entry(
                        month + dt.timedelta(days=i % 28),
                        f"Contribution, member {i + 1}",
                        (core.Posting("1101", amount), core.Posting("4101", -amount, "members")),
                    )
                    entry_post(fund=fund, actor=actor, entry=entry, kind="contribution")
            lines = sum(
                seconds
                for seconds, sql in timer.statements
                if sql.startswith('INSERT INTO "ledger_journalline"')
            )
            return time.perf_counter() - wall, time.process_time() - cpu, lines

        with_trigger, without = [], []
        with fund_scope(fund):
            post(min(n, 100))  # warm up
            for _ in range(rounds):
                with_trigger.append(post(n))
                upkeep_trigger(on=False)
                try:
                    without.append(post(n))
                finally:
                    upkeep_trigger(on=True)
                    summaries_rebuild(fund)
            differences = summary_differences(fund)
        if differences:
            self.result.problems.append(
                f"upkeep fund: totals differ from the lines: {differences[:3]}"
            )

        def ms(runs: list[tuple[float, float, float]], i: int) -> float:
            return statistics.median(run[i] for run in runs) * 1000 / n

        up = self.result.upkeep = {
            "postings": n,
            "with_ms": ms(with_trigger, 0),
            "without_ms": ms(without, 0),
            "with_cpu_ms": ms(with_trigger, 1),
            "without_cpu_ms": ms(without, 1),
            "with_insert_ms": ms(with_trigger, 2),
            "without_insert_ms": ms(without, 2),
        }
        self.say(
            f"    upkeep: {n:,} postings (entry_post, one transaction each), median of {rounds}:"
            f" {up['with_ms']:.2f} ms per posting with the monthly-total trigger,"
            f" {up['without_ms']:.2f} ms without (CPU of this process {up['with_cpu_ms']:.2f}"
            f" vs {up['without_cpu_ms']:.2f} ms); the lines' INSERT {up['with_insert_ms']:.3f} ms"
            f" with, {up['without_insert_ms']:.3f} ms without"
        )


def _compare_rollup(result: Any, want: dict[tuple[str, int], tuple[int, ...]]) -> list[str]:
    """Kongtun's roll-up against DuckDB's, fund by fund, amphoe by amphoe and for the
    province: members' money in the year, money on hand at its end, and the member counts."""
    rollup, amphoes, total = result

    def figures(money: Any, row: Any) -> tuple[int, ...]:
        return (
            satang(money.contributions),
            satang(money.money_on_hand),
            row.members_total,
            row.members_current,
            row.members_new,
            row.members_eligible,
        )

    got: dict[tuple[str, int], tuple[int, ...]] = {}
    for row in rollup.rows:
        got[(row.amphoe_code, row.fund.pk)] = figures(row.money, row)
    for area in amphoes:
        got[(area.code, 0)] = figures(area.money, area)
    got[("", 0)] = figures(total.money, total)
    problems = [
        f"{'amphoe ' + k[0] if k[0] else 'province'}{f' fund id {k[1]}' if k[1] else ''}:"
        f" Kongtun {got.get(k)}, raw rows {want.get(k)}"
        for k in sorted(want.keys() | got.keys())
        if got.get(k) != want.get(k)
    ]
    others = [r.fund.code for r in rollup.rows if set(r.money.income) - {"members"}]
    if others:
        problems.append(f"income other than members' contributions in {others[:3]}")
    return problems[:5]


def _compare_monthly(report: Any, rows: list[tuple[Any, ...]]) -> list[str]:
    """Kongtun's monthly report against DuckDB's: what each fund received in the month and
    had on hand at its end."""
    want = {fund_id: (satang(month), satang(on_hand)) for fund_id, month, on_hand in rows}
    got = {
        fund.pk: (satang(money.contributions), satang(money.money_on_hand))
        for fund, money in report.rows
    }
    problems = [
        f"fund id {pk}: Kongtun {got.get(pk)}, raw rows {want.get(pk)} (satang)"
        for pk in sorted(want.keys() | got.keys())
        if got.get(pk) != want.get(pk)
    ]
    return problems[:5]


def _profile(run: Callable[[], Any]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(25)


# --- Driver -----------------------------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    """One engine, in a process of its own (Django binds one database per process)."""
    with tempfile.TemporaryDirectory(prefix="kongtun-bench-", dir=args.dir) as name:
        tmp = Path(name)
        url = os.environ.get("DATABASE_URL") if args.child == "postgres" else None
        if args.child == "postgres" and not (url or "").startswith("postgres"):
            raise SystemExit("--child postgres needs DATABASE_URL (scripts/with-postgres.sh)")
        setup_django(tmp, url)
        province = Province(args, tmp)
        try:
            result = province.run()
        finally:
            if hasattr(province, "duck"):
                province.duck.close()
    Path(args.out).write_text(json.dumps(asdict(result)))
    return 1 if result.problems else 0


def parent(args: argparse.Namespace) -> int:
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise SystemExit(f"unknown engine(s): {', '.join(sorted(unknown))}")
    results: list[dict[str, Any]] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kongtun-bench-out-") as out_dir:
        for engine in engines:
            out = Path(out_dir) / f"{engine}.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--child", engine]
            command += ["--out", str(out), *_passed_on(args)]
            env = dict(os.environ, KONGTUN_ENV_FILE="/dev/null")
            env.pop("DATABASE_URL", None)
            if engine == "postgres":
                env["PYTHON"] = sys.executable
                command = ["bash", str(ROOT / "scripts" / "with-postgres.sh"), *command]
            started = time.perf_counter()
            rc = subprocess.call(command, env=env)
            print(f"    ({LABELS[engine]} run: {time.perf_counter() - started:.0f} s)", flush=True)
            if out.exists():
                results.append(json.loads(out.read_text()))
            if rc != 0:
                failed.append(engine)
    summary(results)
    if failed:
        print(f"province_rollup: failed on {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _passed_on(args: argparse.Namespace) -> list[str]:
    passed = [
        f"--scale={args.scale}",
        f"--funds={args.funds}",
        f"--rounds={args.rounds}",
        f"--rebuild-rounds={args.rebuild_rounds}",
        f"--upkeep={args.upkeep}",
        f"--upkeep-rounds={args.upkeep_rounds}",
    ]
    if args.dir:
        passed.append(f"--dir={args.dir}")
    passed += ["--explain"] if args.explain else []
    passed += ["--profile"] if args.profile else []
    passed += ["--tamper"] if args.tamper else []
    return passed


def summary(results: list[dict[str, Any]]) -> None:
    if not results:
        return
    shape = results[0]["shape"]
    print(
        f"\n(c) Province reports: {shape['funds']} funds × {shape['members']:,} members ×"
        f" {shape['months']} months = {shape['payments']:,} payments;"
        f" Kongtun reads its monthly totals, DuckDB aggregates the raw rows; median seconds"
    )
    print(
        f"    {'':44} {'engine':>10} {'Kongtun':>10} {'DuckDB':>10} {'ratio':>8}"
        f"  target <= {TARGET:g}"
    )
    for result in results:
        engine = LABELS[result["engine"]]
        for figure in result["reports"]:
            ratio = figure["kongtun"] / figure["duckdb"]
            verdict = "ok" if ratio <= TARGET else "ABOVE"
            print(
                f"    {figure['label']:44} {engine:>10} {figure['kongtun']:10.4f}"
                f" {figure['duckdb']:10.4f} {ratio:7.2f}×  {verdict}"
            )
        rebuild = result.get("rebuild")
        if rebuild:
            print(
                f"    {'summary rebuild of the province':44} {engine:>10}"
                f" {rebuild['kongtun']:10.2f} {rebuild['duckdb']:10.3f}"
                f" {rebuild['kongtun'] / rebuild['duckdb']:7.1f}×  (not a report)"
            )
    for result in results:
        engine = LABELS[result["engine"]]
        up = result.get("upkeep") or {}
        if up:
            extra = up["with_insert_ms"] - up["without_insert_ms"]
            print(
                f"    upkeep on {engine}: a posting takes {up['with_ms']:.2f} ms with the"
                f" monthly-total trigger, {up['without_ms']:.2f} ms without; its lines' INSERT"
                f" {up['with_insert_ms']:.3f} vs {up['without_insert_ms']:.3f} ms: the upkeep"
                f" costs {extra:+.3f} ms, {extra / up['without_ms']:+.1%} of a posting"
            )
        print(
            f"    load on {engine}: books {result['load_seconds']:.1f} s,"
            f" DuckDB {result['duckdb_load_seconds']:.1f} s;"
            f" checks: {'OK' if not result['problems'] else 'FAILED'}"
        )
        for p in result["problems"][:10]:
            print(f"      {p}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the 2,000 members per fund"
    )
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--funds", type=int, default=FUNDS)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per report")
    parser.add_argument("--rebuild-rounds", type=int, default=3)
    parser.add_argument(
        "--upkeep", type=int, default=2000, help="postings per upkeep round (0: skip)"
    )
    parser.add_argument("--upkeep-rounds", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="plan of each report's slowest SQL")
    parser.add_argument("--profile", action="store_true", help="cProfile of each Kongtun report")
    parser.add_argument("--dir", help="where the SQLite and DuckDB files go (default: temp dir)")
    parser.add_argument("--tamper", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 0 < args.scale <= 1:
        parser.error("--scale must be above 0 and at most 1")
    if args.child:
        return child(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
