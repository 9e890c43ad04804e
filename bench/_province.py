"""The synthetic province of benchmark (c): its funds, their books bulk-loaded in SQL, and the
very same payments as raw rows in DuckDB.

One deterministic formula gives every payment (fund f, member m, month k): the day of the
month it was paid and its amount in satang. The books get it through one INSERT … SELECT per
month, in chronological order; DuckDB gets it through one CREATE TABLE … AS SELECT. Nothing
is random, so the two sides must agree to the satang.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

FIRST_MONTH = dt.date(2015, 10, 1)  # FY2559 begins: ten government fiscal years, 2559–2568
MONTHS = 120
LAST_FISCAL_YEAR_BE = 2568
FUNDS = 100  # Lampang (52) has exactly 100 tambons, in 13 amphoes
MEMBERS = 2000
PROVINCE = "52"
MAX_DAYS = 28  # collection days a fund deposits on in a month
CREATED_HOUR = 11  # UTC: 18:00 in Thailand, when the day's collection is deposited


@dataclass(frozen=True)
class Shape:
    funds: int
    members: int
    months: int = MONTHS

    @property
    def days(self) -> int:
        """A member pays on one day a month; a fund deposits each collection day's money once."""
        return min(MAX_DAYS, self.members)

    @property
    def payments(self) -> int:
        return self.funds * self.members * self.months

    @property
    def entries(self) -> int:
        return self.funds * self.months * self.days

    @property
    def lines(self) -> int:
        return self.payments + self.entries


def month_start(k: int) -> dt.date:
    months = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + k
    return dt.date(months // 12, months % 12 + 1, 1)


def satang_sql(*, f: str, m: str, k: str, div: str) -> str:
    """The amount member m of fund f paid in month k, in satang: a plan of 20–60 baht, raised
    5 baht every two years, plus 0–75 satang so that sums are not all whole baht. `div` is the
    engine's integer division (DuckDB's `/` divides in floating point)."""
    plan = f"100 * (20 + 10 * (({m} * 7 + {f} * 3) % 5))"
    return f"({plan} + 500 * ({k} {div} 24) + 25 * (({m} + {k}) % 4))"


def day_of(*, m: str, k: str, days: int) -> str:
    """The day (0-based) of month k on which member m pays."""
    return f"(({m} + {k}) % {days})"


# --- Django -----------------------------------------------------------------------------------


def setup_django(tmp: Path, database_url: str | None) -> None:
    """Kongtun on a throwaway database: a SQLite file in `tmp`, or the server at `database_url`."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kongtun.settings",
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'kongtun.sqlite3'}",
            "KONGTUN_VAR_DIR": str(tmp / "var"),
            "KONGTUN_ENV_FILE": "/dev/null",
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuv",
            "FIELD_ENCRYPTION_KEY": "bench-only-field-key",
            "BLIND_INDEX_KEY": "bench-only-index-key",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class BenchFund:
    f: int  # 0-based position in the province, the formula's fund number
    fund: Any  # kongtun.funds.models.Fund
    cash_id: int
    income_id: int
    amphoe: str
    tambon: str


def seed_funds(shape: Shape) -> list[BenchFund]:
    """One fund per tambon of Lampang, each with the chart every fund starts from."""
    from django.db import transaction

    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.geo.models import Tambon
    from kongtun.ledger.models import Account
    from kongtun.ledger.services import chart_install

    tambons = list(Tambon.objects.filter(amphoe__province__code=PROVINCE).order_by("code"))
    if shape.funds > len(tambons):
        raise SystemExit(f"at most {len(tambons)} funds: Lampang has {len(tambons)} tambons")
    out: list[BenchFund] = []
    with transaction.atomic():
        for f, tambon in enumerate(tambons[: shape.funds]):
            fund = Fund.objects.create(
                code=f"bench-{tambon.code}",
                name=f"กองทุนสวัสดิการชุมชนตำบล{tambon.name_th}",
                tambon=tambon,
                founded_on=dt.date(2015, 1, 1),
            )
            with fund_scope(fund):
                chart_install(fund=fund)
                ids = dict(
                    Account.objects.filter(fund=fund, code__in=["1101", "4101"]).values_list(
                        "code", "pk"
                    )
                )
            out.append(BenchFund(f, fund, ids["1101"], ids["4101"], tambon.amphoe_id, tambon.code))
    return out


def _migration(name: str) -> Any:
    return importlib.import_module(f"kongtun.ledger.migrations.{name}")


def _sqlite_insert_triggers() -> tuple[list[str], list[str]]:
    """SQLite's per-row insert triggers on the lines (fund check, monthly totals), as the
    migrations create and drop them, so the bench restores exactly what it removed."""
    same_fund, upkeep = _migration("0002_ledger_triggers"), _migration("0008_monthly_total_upkeep")
    create = [s for s in same_fund.SQLITE if "_same_fund" in s] + list(upkeep.SQLITE)
    drop = [s for s in same_fund.SQLITE_DROP if "_same_fund" in s] + list(upkeep.SQLITE_DROP)
    return create, drop


def upkeep_trigger(*, on: bool) -> None:
    """Create or drop the trigger that keeps the monthly totals current (migration 0008)."""
    from django.db import connection

    upkeep = _migration("0008_monthly_total_upkeep")
    vendor = connection.vendor
    statements = {
        ("sqlite", True): upkeep.SQLITE,
        ("sqlite", False): upkeep.SQLITE_DROP,
        ("postgresql", True): upkeep.POSTGRES,
        ("postgresql", False): upkeep.POSTGRES_DROP,
    }[(vendor, on)]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _hex(vendor: str, value: str, width: int) -> str:
    if vendor == "sqlite":
        return f"printf('%0{width}x', {value})"
    return f"lpad(to_hex({value}), {width}, '0')"


def load_books(
    shape: Shape, funds: list[BenchFund], progress: Callable[[str], None] = print
) -> float:
    """Every payment as a credit line to the fund's members' contributions (4101, source
    "members"), in one deposit entry per fund and collection day whose debit line puts the
    day's total in cash (1101). Entries and lines are written month by month in date order,
    as a live system writes them. Returns the seconds taken.

    As bulk loads do: the per-row triggers and foreign-key checks are off during the load
    (the rows are consistent by construction, and the checks afterwards prove the sums), the
    lines' secondary indexes are built once at the end, and the monthly-total trigger is off
    too: the caller rebuilds the totals with `summaries_rebuild`. Entry hashes are
    placeholders that chain (each names the one before) but are not the SHA-256 of the
    entry: verify_ledger's hash check is not part of this bench.
    """
    from django.db import connection, transaction

    vendor = connection.vendor
    started = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            create, drop = _sqlite_insert_triggers()
            for sql in drop:
                cursor.execute(sql)
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB to build the indexes
        else:
            # Skips every trigger, the foreign keys' included, for this session only.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")  # for rebuilding the indexes
        indexes = _secondary_indexes(cursor, vendor, "ledger_journalline")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {name}")
        _helper_tables(cursor, shape, funds, vendor)
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_journalentry")
        base = int(cursor.fetchone()[0])

    F, D = shape.funds, shape.days
    for k in range(shape.months):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_entries_sql(vendor, base=base, k=k, funds=F, days=D))
            cursor.execute(_lines_sql(base=base, k=k, shape=shape))
        if (k + 1) % 12 == 0 or k + 1 == shape.months:
            progress(
                f"    books: {k + 1}/{shape.months} months, {time.perf_counter() - started:.1f} s"
            )

    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
    progress(f"    books: indexes of the lines rebuilt, {time.perf_counter() - started:.1f} s")
    with transaction.atomic(), connection.cursor() as cursor:
        last = shape.months * D
        ids = ", ".join(str(b.fund.pk) for b in funds)
        cursor.execute(
            "UPDATE ledger_ledgerhead SET number = %s, hash = (SELECT e.hash FROM"
            " ledger_journalentry e WHERE e.fund_id = ledger_ledgerhead.fund_id AND e.number = %s)"
            f" WHERE fund_id IN ({ids})",
            [last, last],
        )
        for table in ("bench_fund", "bench_day", "bench_j"):
            cursor.execute(f"DROP TABLE {table}")
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for sql in create:
                cursor.execute(sql)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-2000")  # back to what Kongtun runs with
        else:
            cursor.execute("SET session_replication_role = origin")
            cursor.execute("RESET maintenance_work_mem")
            # Explicit ids leave the identity behind; the next posting must not collide.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('ledger_journalentry', 'id'),"
                " (SELECT MAX(id) FROM ledger_journalentry))"
            )
            # What Kongtun's own bulk loader does after loading (kongtun.demo.province), and
            # what autovacuum would do soon after.
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _secondary_indexes(cursor: Any, vendor: str, table: str) -> list[tuple[str, str]]:
    """The table's indexes other than its primary key, as the database itself would create
    them again: built once after a bulk load instead of grown row by row (several times
    faster), and exactly the schema the migrations made."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
            " AND sql IS NOT NULL ORDER BY name",
            [table],
        )
    else:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint) ORDER BY indexname",
            [table],
        )
    return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _helper_tables(cursor: Any, shape: Shape, funds: list[BenchFund], vendor: str) -> None:
    from django.db import connection

    ops = connection.ops
    cursor.execute(
        "CREATE TABLE bench_fund (f integer PRIMARY KEY, fund_id bigint, cash_id bigint,"
        " income_id bigint)"
    )
    cursor.executemany(
        "INSERT INTO bench_fund VALUES (%s, %s, %s, %s)",
        [(b.f, b.fund.pk, b.cash_id, b.income_id) for b in funds],
    )
    cursor.execute(
        "CREATE TABLE bench_day (k integer, d integer, day date, created_at timestamp with"
        " time zone, PRIMARY KEY (k, d))"
    )
    rows = []
    for k in range(shape.months):
        first = month_start(k)
        for d in range(shape.days):
            day = first + dt.timedelta(days=d)
            made = dt.datetime.combine(day, dt.time(CREATED_HOUR), tzinfo=dt.UTC)
            rows.append((k, d, ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(made)))
    cursor.executemany("INSERT INTO bench_day VALUES (%s, %s, %s, %s)", rows)
    cursor.execute("CREATE TABLE bench_j (j integer PRIMARY KEY)")
    cursor.executemany(
        "INSERT INTO bench_j VALUES (%s)",
        [(j,) for j in range(math.ceil(shape.members / shape.days))],
    )
    if vendor == "postgresql":
        # Without statistics the planner takes these for big tables, and compiles each
        # month's INSERT with JIT (0.4 s) for a few thousand rows.
        for table in ("bench_fund", "bench_day", "bench_j"):
            cursor.execute(f"ANALYZE {table}")


def _entries_sql(vendor: str, *, base: int, k: int, funds: int, days: int) -> str:
    """Month k's deposit entries, numbered on from the fund's previous one. Ids follow one
    formula, so each line can name its entry without a lookup."""
    code = _hex(vendor, "s.id", 32)
    if vendor != "sqlite":
        code += "::uuid"
    hash_, prev = _hex(vendor, "s.id", 64), _hex(vendor, f"s.id - {funds}", 64)
    return f"""
        INSERT INTO ledger_journalentry (id, code, number, date, memo, kind, idempotency_key,
            created_at, prev_hash, hash, created_by_id, fund_id, reverses_id)
        SELECT s.id, {code}, s.number, s.day, 'Members'' contributions, collection day',
            'contribution', NULL, s.created_at,
            CASE WHEN s.number = 1 THEN '{"0" * 64}' ELSE {prev} END, {hash_},
            NULL, s.fund_id, NULL
        FROM (SELECT {base} + ({k * days} + dd.d) * {funds} + bf.f AS id,
                     {k * days} + dd.d + 1 AS number, dd.day, dd.created_at, bf.fund_id
              FROM bench_day dd CROSS JOIN bench_fund bf
              WHERE dd.k = {k}) s
        ORDER BY s.id"""


def _lines_sql(*, base: int, k: int, shape: Shape) -> str:
    """Month k's lines: each entry's debit to cash, then one credit per payment that day."""
    F, D, M = shape.funds, shape.days, shape.members
    # The members paying on day d of month k are those with (m + k) % D = d.
    member = f"bj.j * {D} + (dd.d - {k % D} + {D}) % {D}"
    satang = satang_sql(f="p.f", m="p.m", k=str(k), div="/")
    return f"""
        WITH pay AS (
            SELECT {base} + ({k * D} + dd.d) * {F} + bf.f AS entry_id, bf.f, {member} AS m,
                   dd.day, bf.fund_id, bf.cash_id, bf.income_id
            FROM bench_day dd CROSS JOIN bench_fund bf CROSS JOIN bench_j bj
            WHERE dd.k = {k}
        ), paid AS (
            SELECT p.entry_id, p.m, p.day, p.fund_id, p.cash_id, p.income_id, {satang} AS satang
            FROM pay p WHERE p.m < {M}
        )
        INSERT INTO ledger_journalline (amount, source, date, account_id, entry_id, fund_id)
        SELECT x.amount, x.source, x.day, x.account_id, x.entry_id, x.fund_id
        FROM (SELECT entry_id, -1 AS m, SUM(satang) AS amount, '' AS source, day,
                     cash_id AS account_id, fund_id
              FROM paid GROUP BY entry_id, day, cash_id, fund_id
              UNION ALL
              SELECT entry_id, m, -satang, 'members', day, income_id, fund_id FROM paid) x
        ORDER BY x.entry_id, x.m"""


# --- Members ------------------------------------------------------------------------------------

JOINED_FROM = dt.date(2014, 1, 1)
JOIN_SPREAD_DAYS = 600  # everyone joined before the first payment month, October 2015
RESIGNED_ON = dt.date(2020, 6, 30)


def member_plan(m: int) -> tuple[dt.date, str]:
    """When member m (of any fund) was approved, and their status now: one in fifty resigned,
    one in fifty lapsed (their payments stay in the books as they were made). DuckDB's
    members table says the same in SQL (load_duckdb); the roll-up's check compares them."""
    joined = JOINED_FROM + dt.timedelta(days=m % JOIN_SPREAD_DAYS)
    status = {49: "resigned", 24: "lapsed"}.get(m % 50, "active")
    return joined, status


def load_members(shape: Shape, funds: list[BenchFund]) -> float:
    """Every fund's members and their status history (approved; resigned where they did),
    written in SQL like the books. Nobody is a person: names are placeholders and the
    encrypted national ID is a dummy that nothing here decrypts."""
    from django.db import connection, transaction

    ops = connection.ops
    started = time.perf_counter()
    made = ops.adapt_datetimefield_value(dt.datetime(2015, 9, 30, CREATED_HOUR, tzinfo=dt.UTC))
    code = _hex(connection.vendor, "bp.fund_id * 100000 + bm.m", 32)
    index = _hex(connection.vendor, "bp.fund_id * 100000 + bm.m", 64)
    if connection.vendor != "sqlite":
        code += "::uuid"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_member (m integer PRIMARY KEY, joined_on date, status varchar(20),"
            " since date)"
        )
        rows = []
        for m in range(shape.members):
            joined, status = member_plan(m)
            since = RESIGNED_ON if status == "resigned" else joined
            rows.append(
                (m, ops.adapt_datefield_value(joined), status, ops.adapt_datefield_value(since))
            )
        cursor.executemany("INSERT INTO bench_member VALUES (%s, %s, %s, %s)", rows)
        cursor.execute(
            "CREATE TABLE bench_place (fund_id bigint PRIMARY KEY, tambon_id varchar(6))"
        )
        cursor.executemany(
            "INSERT INTO bench_place VALUES (%s, %s)", [(b.fund.pk, b.tambon) for b in funds]
        )
        cursor.execute(
            f"""INSERT INTO members_member (code, fund_id, number, title, first_name, last_name,
                    national_id_encrypted, national_id_index, national_id_tail, birth_date,
                    phone, house_no, moo, street, tambon_id, branch_id, member_type, joined_on,
                    status, status_since, import_batch_id, created_at, updated_at)
                SELECT {code}, bp.fund_id, CAST(bm.m + 1 AS varchar(20)), '', 'สมาชิก',
                       'ทดสอบ', 'bench-not-encrypted', {index}, '000', '1960-01-01', '', '',
                       NULL, '', bp.tambon_id, NULL, 'general', bm.joined_on, bm.status,
                       bm.since, NULL, '{made}', '{made}'
                FROM bench_place bp CROSS JOIN bench_member bm
                ORDER BY bp.fund_id, bm.m"""
        )
        for event, from_status, to_status, day, where in (
            ("approved", "applicant", "active", "bm.joined_on", ""),
            ("resigned", "active", "resigned", "bm.since", "WHERE bm.status = 'resigned'"),
        ):
            cursor.execute(
                f"""INSERT INTO members_statuschange (fund_id, member_id, event, from_status,
                        to_status, effective_on, note, recorded_by_id, recorded_at)
                    SELECT mm.fund_id, mm.id, '{event}', '{from_status}', '{to_status}', {day},
                           '', NULL, '{made}'
                    FROM members_member mm
                    JOIN bench_place bp ON bp.fund_id = mm.fund_id
                    JOIN bench_member bm ON bm.m = CAST(mm.number AS integer) - 1
                    {where}
                    ORDER BY mm.id"""
            )
        cursor.execute("DROP TABLE bench_member")
        cursor.execute("DROP TABLE bench_place")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_member")
            cursor.execute("ANALYZE members_statuschange")
    return time.perf_counter() - started


# --- DuckDB -----------------------------------------------------------------------------------


def load_duckdb(path: Path, shape: Shape, funds: list[BenchFund]) -> tuple[Any, float]:
    """The same payments as raw rows (fund, amphoe, paid_on, amount), in date order, in a
    DuckDB file. Amounts are DECIMAL(12,2), exact. Returns the connection and the seconds."""
    import duckdb

    started = time.perf_counter()
    db = duckdb.connect(str(path))
    db.execute("SET enable_progress_bar = false")
    db.execute("CREATE TABLE fund (f INTEGER, fund_id BIGINT, amphoe VARCHAR, tambon VARCHAR)")
    # One statement: DuckDB's executemany runs one statement per row, slowly.
    marks = ", ".join(["(?, ?, ?, ?)"] * len(funds))
    values = [v for b in funds for v in (b.f, b.fund.pk, b.amphoe, b.tambon)]
    db.execute(f"INSERT INTO fund VALUES {marks}", values)
    first = FIRST_MONTH.isoformat()
    db.execute(
        f"""CREATE TABLE day AS
            SELECT k, d,
                   CAST(DATE '{first}' + INTERVAL (k) MONTH AS DATE) + CAST(d AS INTEGER) AS day
            FROM range({shape.months}) x(k) CROSS JOIN range({shape.days}) y(d)"""
    )
    satang = satang_sql(f="fund.f", m="u.m", k="v.k", div="//")
    db.execute(
        f"""CREATE TABLE payments AS
            SELECT fund.fund_id, fund.amphoe, day.day AS paid_on,
                   CAST(CAST({satang} AS DECIMAL(14, 0)) * 0.01 AS DECIMAL(12, 2)) AS amount
            FROM fund
            CROSS JOIN range({shape.members}) u(m)
            CROSS JOIN range({shape.months}) v(k)
            JOIN day ON day.k = v.k AND day.d = {day_of(m="u.m", k="v.k", days=shape.days)}
            ORDER BY paid_on, fund.fund_id, u.m"""
    )
    first_join, spread = JOINED_FROM.isoformat(), JOIN_SPREAD_DAYS
    db.execute(
        f"""CREATE TABLE members AS
            SELECT fund.fund_id, fund.amphoe,
                   CAST(DATE '{first_join}' + CAST(u.m % {spread} AS INTEGER) AS DATE)
                       AS approved_on,
                   CASE u.m % 50 WHEN 49 THEN 'resigned' WHEN 24 THEN 'lapsed' ELSE 'active' END
                       AS status
            FROM fund CROSS JOIN range({shape.members}) u(m)"""
    )
    db.execute("CHECKPOINT")
    return db, time.perf_counter() - started
