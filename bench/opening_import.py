"""Benchmark (b): ten years of monthly history for 5,000 members through the opening import,
against raw sqlite3 `executemany` of the same 600,000 rows.

Kongtun's path is `opening_import`, the service behind the import page's confirm button: it
reads the workbook (safety checks, every cell of the three sheets), checks every row against
the fund, then writes in one transaction the members' standings and plans, the 600,000 past
payments, the opening entry and the audit trail. The baseline, measured in the same run on a
copy of the same seeded database (same table, indexes and foreign keys), is stdlib `sqlite3`
inserting the same 600,000 PastPayment rows with one `executemany` in one transaction. Both
run on a fresh SQLite file in WAL mode with synchronous=FULL, as Kongtun runs in production.

The workbook is written the way Excel saves one (text in a shared-strings table, dates typed
as BE text as the template asks, amounts as numbers) and cached under /tmp; `--openpyxl`
writes it with openpyxl instead (inline strings, as openpyxl always saves), and
`--compare-openpyxl` also times reading the history sheet with openpyxl's read-only reader.

    .venv/bin/python bench/opening_import.py [--members 5000] [--months 120]
        [--openpyxl] [--compare-openpyxl] [--dir /dev/shm]

Prints both rates, the ratio (target: at least 0.20) and the peak memory (target: < 1 GB);
exits 1 when the books after the import do not verify or do not reconcile with the sheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from _common import national_id, setup_django

CACHE = Path(tempfile.gettempdir()) / "kongtun-bench"
TARGET = 0.20
MEMORY_TARGET_MB = 1024
AS_OF = dt.date(2025, 9, 30)
JOINED = dt.date(2015, 10, 1)
AMOUNT = 30  # baht a month
PAID_DAY = 5


# --- The workbook ----------------------------------------------------------------------------


def months(count: int) -> list[dt.date]:
    """The payment dates: the 5th of each of the `count` months up to the as-of date."""
    first = AS_OF.year * 12 + AS_OF.month - count  # month index of the first payment
    return [dt.date(m // 12, m % 12 + 1, PAID_DAY) for m in range(first, first + count)]


def be(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def number(i: int) -> str:
    return f"{i + 1:05d}"


def paid_through(i: int) -> dt.date:
    """Most members are paid up; one in ten is a month behind."""
    return dt.date(2025, 8, 31) if i % 10 == 0 else AS_OF


def history_rows(members: int, count: int) -> Iterator[tuple[int, dt.date]]:
    """(member index, date) of every payment, member by member as a paper ledger lists them."""
    dates = months(count)
    for i in range(members):
        for day in dates:
            yield i, day


def balances(members: int, count: int) -> tuple[dict[str, int], dict[str, int]]:
    contributions = members * count * AMOUNT
    money = {"1101": 25_000, "1111": contributions + 500_000 - 25_000}
    sources = {"members": contributions, "codi": 300_000, "local_gov": 150_000, "interest": 50_000}
    return money, sources


class _Strings:
    """A shared-strings table, as Excel writes one."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(f"<si><t>{escape(t)}</t></si>" for t in self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="'
            f'{NS}" count="{len(self.index)}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"


def _sheet_parts(
    rows: Iterator[list[Any]], strings: _Strings, width: int, height: int
) -> Iterator[str]:
    """A worksheet's XML in pieces; text cells use style 1 (the template's Text format)."""
    last = "ABCDEFGH"[width - 1]
    yield (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}" '
        f'xmlns:r="{_REL}"><dimension ref="A1:{last}{height}"/><sheetData>'
    )
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{'ABCDEFGH'[c]}{r}"
            if value is None or value == "":
                continue
            if isinstance(value, str):
                cells.append(f'<c r="{ref}" s="1" t="s"><v>{strings(value)}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        yield f'<row r="{r}" spans="1:{width}">{"".join(cells)}</row>'
    yield "</sheetData></worksheet>"


def _sheets(members: int, count: int) -> list[tuple[str, Iterator[list[Any]], int, int]]:
    money, sources = balances(members, count)
    member_rows = [["เลขที่สมาชิก", "ส่งถึงวันที่", "แบบการส่ง", "ค่าสมัครค้างชำระ"]] + [
        [number(i), be(paid_through(i)), "", 0] for i in range(members)
    ]
    balance_rows: list[list[Any]] = [
        ["ยอดยกมา ณ วันที่", be(AS_OF)],
        [],
        ["หมวด", "รหัส", "รายการ", "จำนวนเงิน (บาท)"],
    ]
    balance_rows += [["เงินสดและเงินฝาก", code, "", amount] for code, amount in money.items()]
    balance_rows += [["แหล่งที่มาของเงิน", s, "", amount] for s, amount in sources.items()]

    def history() -> Iterator[list[Any]]:
        yield ["เลขที่สมาชิก", "วันที่ส่ง", "จำนวนเงิน", "เลขที่ใบเสร็จเดิม"]
        for i, day in history_rows(members, count):
            yield [number(i), be(day), AMOUNT]

    return [
        ("สมาชิก", iter(member_rows), 4, members + 1),
        ("ประวัติการส่ง", history(), 4, members * count + 1),
        ("ยอดยกมา", iter(balance_rows), 4, len(balance_rows)),
    ]


def build_excel_like(path: Path, members: int, count: int) -> None:
    strings = _Strings()
    sheets = _sheets(members, count)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, (_title, rows, width, height) in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                buffer: list[str] = []
                for piece in _sheet_parts(rows, strings, width, height):
                    buffer.append(piece)
                    if len(buffer) >= 5000:
                        part.write("".join(buffer).encode())
                        buffer.clear()
                part.write("".join(buffer).encode())
        z.writestr("xl/sharedStrings.xml", strings.xml())
        for name, xml in _package_parts([title for title, _r, _w, _h in sheets]).items():
            z.writestr(name, xml)


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    'xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
)  # style 1 is numFmtId 49, Excel's "Text" ("@")


def _package_parts(titles: list[str]) -> dict[str, str]:
    """The parts around the sheets: content types, relationships, workbook and styles."""
    numbers = range(1, len(titles) + 1)

    def override(part: str, kind: str) -> str:
        return f'<Override PartName="/xl/{part}" ContentType="{_TYPES}.{kind}+xml"/>'

    def rel(rid: str, kind: str, target: str) -> str:
        return f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'

    types = "".join(
        [
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
            override("workbook.xml", "sheet.main"),
            override("styles.xml", "styles"),
            override("sharedStrings.xml", "sharedStrings"),
            *(override(f"worksheets/sheet{n}.xml", "worksheet") for n in numbers),
        ]
    )
    sheets = "".join(
        f'<sheet name="{title}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in zip(numbers, titles, strict=True)
    )
    rels = "".join(rel(f"rId{n}", "worksheet", f"worksheets/sheet{n}.xml") for n in numbers)
    rels += rel("rId90", "styles", "styles.xml") + rel(
        "rId91", "sharedStrings", "sharedStrings.xml"
    )
    package = f'<Relationships xmlns="{_PACKAGE_REL}">'
    return {
        "[Content_Types].xml": f'{_XML}<Types xmlns="{_CONTENT_TYPES}">{types}</Types>',
        "_rels/.rels": (
            f"{_XML}{package}{rel('rId1', 'officeDocument', 'xl/workbook.xml')}</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": f"{_XML}{package}{rels}</Relationships>",
        "xl/styles.xml": f'{_XML}<styleSheet xmlns="{NS}">{_STYLES}</styleSheet>',
    }


def build_with_openpyxl(path: Path, members: int, count: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, rows, _width, _height in _sheets(members, count):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def workbook(members: int, count: int, with_openpyxl: bool) -> Path:
    """The cached workbook, built in a child process so its memory is not counted here."""
    kind = "openpyxl" if with_openpyxl else "excel"
    path = CACHE / f"opening-{members}x{count}-{kind}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        args = [
            sys.executable,
            __file__,
            "--build",
            str(partial),
            "--members",
            str(members),
            "--months",
            str(count),
        ] + (["--openpyxl"] if with_openpyxl else [])
        subprocess.run(args, check=True)
        partial.rename(path)
    return path


# --- The database ----------------------------------------------------------------------------


def _thai_name(i: int) -> str:
    return "สม" + "".join("กขคงจฉชซญณ"[int(d)] for d in str(i))


def seed(members: int) -> dict[str, Any]:
    """A fund with its chart and a 30-baht monthly plan, and `members` members brought in
    through the member import, as a fund moving from paper does first."""
    from kongtun.accounts.models import User
    from kongtun.contributions.services import plan_create
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.geo.models import Tambon
    from kongtun.ledger.services import chart_install
    from kongtun.members.importing import commit_member_import

    fund = Fund.objects.create(
        code="bench",
        name="กองทุนสวัสดิการชุมชนตำบลทดสอบความเร็ว",
        tambon=Tambon.objects.get(code="520101"),
        founded_on=dt.date(2010, 1, 1),
    )
    treasurer = User.objects.create_user("treasurer", full_name="เหรัญญิก")
    lines = ["เลขที่สมาชิก,ชื่อ,นามสกุล,เลขประจำตัวประชาชน,วันเกิด,วันที่สมัคร,สถานะ"]
    lines += [
        f"{number(i)},{_thai_name(i)},ทดสอบ,{national_id(i + 1)},17/05/2513,{be(JOINED)},สมาชิก"
        for i in range(members)
    ]
    with fund_scope(fund):
        chart_install(fund=fund)
        plan_create(
            fund=fund,
            actor=treasurer,
            name="รายเดือน 30 บาท",
            frequency="monthly",
            amount=Decimal(AMOUNT),
        )
        outcome = commit_member_import(
            fund=fund, actor=treasurer, filename="members.csv", data="\n".join(lines).encode()
        )
    assert outcome.added == members, outcome
    return {"fund": fund, "treasurer": treasurer}


class Timing(NamedTuple):
    """Wall-clock seconds, and this process's CPU seconds (less disturbed by other load)."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Timing:
        return cls(time.perf_counter(), time.process_time())

    def __sub__(self, other: tuple[Any, ...]) -> Timing:
        assert isinstance(other, Timing)
        return Timing(self.wall - other.wall, self.cpu - other.cpu)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Kongtun's path --------------------------------------------------------------------------


class _Phases(logging.Handler):
    """Keeps the service's own log line: how long reading, checking and writing took."""

    message = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.message = record.getMessage()


def kongtun_import(world: dict[str, Any], path: Path) -> tuple[Timing, str, Any]:
    from kongtun.contributions.opening import opening_import
    from kongtun.funds.tenancy import fund_scope

    phases = _Phases()
    log = logging.getLogger("kongtun.contributions.opening.services")
    log.addHandler(phases)
    log.setLevel(logging.INFO)
    log.propagate = False  # printed below, once
    data = path.read_bytes()
    with fund_scope(world["fund"]):
        start = Timing.now()
        outcome = opening_import(
            fund=world["fund"], actor=world["treasurer"], filename=path.name, data=data
        )
        took = Timing.now() - start
    log.removeHandler(phases)
    return took, phases.message, outcome.opening


def books_problems(world: dict[str, Any], opening: Any, payments: int) -> list[str]:
    """What is wrong with the books the import left (then its rate means nothing)."""
    from kongtun.contributions.opening import opening_reconciliation
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.verify import verify_ledger

    problems = [str(p) for p in verify_ledger(world["fund"])]
    if opening.payments != payments:
        problems.append(f"{opening.payments} payments imported, not {payments}")
    with fund_scope(world["fund"]):
        if not opening_reconciliation(opening=opening).all_equal:
            problems.append("the reconciliation is not all equal")
    return problems


def openpyxl_read(path: Path) -> Timing:
    """The history sheet through openpyxl's read-only reader, values only: the cheap fix."""
    import openpyxl

    start = Timing.now()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _row in book["ประวัติการส่ง"].iter_rows(values_only=True):
        pass
    book.close()
    return Timing.now() - start


def streamed_read(path: Path) -> Timing:
    from kongtun.contributions.opening.reading import read_workbook

    start = Timing.now()
    book = read_workbook(path.name, path.read_bytes())
    for _row in next(s for s in book.sheets if s.title == "ประวัติการส่ง").rows():
        pass
    return Timing.now() - start


# --- The raw baseline ------------------------------------------------------------------------


def raw_insert(db_path: Path, world: dict[str, Any], members: int, count: int) -> Timing:
    """The same 600,000 PastPayment rows, one executemany, one transaction, plain sqlite3."""
    from kongtun.contributions.models import PastPayment

    table = PastPayment._meta.db_table
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    fund_id = world["fund"].pk
    ids = dict(db.execute("SELECT number, id FROM members_member WHERE fund_id = ?", (fund_id,)))
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO contributions_openingimport (fund_id, sha256, filename, as_of, members, "
        "payments, payments_total, created_by_id, created_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?, ?)",
        (fund_id, "0" * 64, "raw", AS_OF.isoformat(), world["treasurer"].pk, "2025-10-01"),
    )
    db.execute("COMMIT")
    batch = db.execute("SELECT max(id) FROM contributions_openingimport").fetchone()[0]
    satang = AMOUNT * 100
    rows = [
        (fund_id, ids[number(i)], day.isoformat(), satang, "", batch)
        for i, day in history_rows(members, count)
    ]
    sql = (
        f"INSERT INTO {table} (fund_id, member_id, date, amount, reference, batch_id) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    start = Timing.now()
    db.execute("BEGIN IMMEDIATE")
    db.executemany(sql, rows)
    db.execute("COMMIT")
    took = Timing.now() - start
    assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == len(rows)
    db.close()
    return took


# --- Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--openpyxl", action="store_true", help="workbook written by openpyxl")
    parser.add_argument(
        "--compare-openpyxl",
        action="store_true",
        help="also time openpyxl's read-only reader on the history sheet",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the database files go (/dev/shm takes the disk out: the CPU-bound ratio)",
    )
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build = build_with_openpyxl if args.openpyxl else build_excel_like
        build(args.build, args.members, args.months)
        return

    payments = args.members * args.months
    path = workbook(args.members, args.months, args.openpyxl)
    with zipfile.ZipFile(path) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    tmp = Path(tempfile.mkdtemp(prefix="kongtun-bench-opening-", dir=args.dir))
    try:
        start = time.perf_counter()
        setup_django(tmp)
        world = seed(args.members)
        from django.db import connections

        connections.close_all()  # checkpoints the WAL, so the file copy is the whole database
        shutil.copy(tmp / "kongtun.sqlite3", tmp / "raw.sqlite3")
        setup = time.perf_counter() - start
        before = peak_mb()
        took, phases, opening = kongtun_import(world, path)
        peak = peak_mb()
        problems = books_problems(world, opening, payments)
        raw = raw_insert(tmp / "raw.sqlite3", world, args.members, args.months)
        compare = (streamed_read(path), openpyxl_read(path)) if args.compare_openpyxl else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _report(args, payments, path, unpacked, setup, took, phases, raw, before, peak, compare)
    if problems:
        print("bench: the books after the import do not verify: " + "; ".join(problems))
        sys.exit(1)


def _report(
    args: Any,
    payments: int,
    path: Path,
    unpacked: int,
    setup: float,
    took: Timing,
    phases: str,
    raw: Timing,
    before: float,
    peak: float,
    compare: Any,
) -> None:
    try:
        import lxml  # noqa: F401

        has_lxml = "installed"
    except ImportError:
        has_lxml = "not installed"
    ratio, cpu_ratio = raw.wall / took.wall, raw.cpu / took.cpu
    print(
        f"Opening import (issue 4, benchmark b): {args.members:,} members x {args.months} "
        f"months = {payments:,} past payments"
    )
    print(
        f"  workbook {path} ({path.stat().st_size / 2**20:.1f} MB, "
        f"{unpacked / 2**20:.0f} MB unpacked, {'openpyxl' if args.openpyxl else 'as Excel saves'})"
    )
    print(
        f"  fresh SQLite file database, WAL, synchronous=FULL; setup (migrate, chart, plan, "
        f"member import) {setup:.1f} s"
    )
    print(
        f"  Kongtun opening_import end to end: {took.wall:7.2f} s wall ({took.cpu:.2f} s CPU) "
        f"= {payments / took.wall:>9,.0f} payments/s"
    )
    print(f"      {phases.split(': ', 1)[-1]}")
    print(
        f"  raw sqlite3 executemany, 1 txn:    {raw.wall:7.2f} s wall ({raw.cpu:.2f} s CPU) "
        f"= {payments / raw.wall:>9,.0f} payments/s"
    )
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(
        f"  ratio Kongtun/raw: {ratio:.3f} wall, {cpu_ratio:.3f} CPU "
        f"(target at least {TARGET:.2f}: {verdict})"
    )
    memory = "met" if peak < MEMORY_TARGET_MB else "NOT met"
    print(
        f"  peak RSS of this process: {peak:.0f} MB ({before:.0f} MB before the import; "
        f"target under {MEMORY_TARGET_MB} MB: {memory})"
    )
    print(f"  lxml {has_lxml} (unused: the sheets stream through expat)")
    if compare:
        streamed, openpyxl_time = compare
        print(
            f"  reading the history sheet alone: streamed {streamed.wall:.2f} s, "
            f"openpyxl read_only+values_only {openpyxl_time.wall:.2f} s"
        )


if __name__ == "__main__":
    main()
