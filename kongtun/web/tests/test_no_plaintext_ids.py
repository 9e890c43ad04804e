"""No national ID in clear where it can be read without the key (RELIABILITY P8, P9).

1. At rest: a fresh database is filled in its own process (plaintext_seed.py: the register,
   the import page with an Excel file and a CSV file, beneficiaries, a corrected ID, a search
   by ID, the logged reveal, the card, the PDPA export, the exchange package with the full
   data), then the raw bytes are searched for every seeded ID: the SQLite file with its WAL
   after a checkpoint, or a pg_dump of the PostgreSQL database. Each ID is searched as plain
   digits, in the dashed form printed on the card (1-2345-67890-12-1), in Thai digits and in
   UTF-16. The files the app wrote beside the database (import stash, logs) and the exchange
   package, file by file, are searched too.
2. On screen and in files: the member pages, the card, receipts, the passbook, the arrears and
   matching workbooks show only masked IDs: no 13-digit number that passes the checksum, in
   whatever grouping, except the one the logged "reveal" shows. (Backups are searched by
   kongtun/backups/tests/test_restore.py.)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from kongtun.audit.models import AuditEntry
from kongtun.conftest import make_national_id, member_data
from kongtun.contributions.services import payment_record
from kongtun.contributions.tests.conftest import books, plan  # noqa: F401
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.members.models import Member
from kongtun.members.services import BeneficiaryInput, beneficiary_add, member_register
from kongtun.web.tests.plaintext_seed import ALL_SEEDS

ROOT = Path(settings.BASE_DIR)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def dashed(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def forms_of(digits: str) -> list[bytes]:
    """The bytes an ID could be stored as."""
    texts = [
        digits,
        dashed(digits),
        digits.translate(THAI_DIGITS),
        dashed(digits).replace("-", " "),
    ]
    found = []
    for text in texts:
        found += [text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")]
    return found


def hits(data: bytes, seeds: list[int]) -> list[str]:
    return [
        f"{make_national_id(seed)} as {form!r}"
        for seed in seeds
        for form in forms_of(make_national_id(seed))
        if form in data
    ]


# --- at rest -----------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    """The PostgreSQL client, found the way scripts/with-postgres.sh finds the server."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        candidates.append(
            subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
    candidates.append("/usr/lib/postgresql/15/bin")
    for folder in candidates:
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = shutil.which(name)
    assert found, f"no {name} found"
    return found


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(DATABASE_URL, path of the SQLite file or of a pg_dump-to-be) of a new, empty database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = tmp_path / "plain.sqlite3"
        yield f"sqlite:///{path}", path
        return
    import psycopg

    name = f"kongtun_plain_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name, tmp_path / "dump.sql"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_no_seeded_id_in_the_database_files(
    fresh_database: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = fresh_database
    package = tmp_path / "package.zip"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KONGTUN_VAR_DIR": str(tmp_path / "var"),
        "KONGTUN_ENV_FILE": str(tmp_path / "none.env"),
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "plaintext-test-secret-key-0123456789abcdefghijklmnop",
        "FIELD_ENCRYPTION_KEY": "plaintext-field-key",
        "BLIND_INDEX_KEY": "plaintext-index-key",
        "PACKAGE": str(package),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    seed = "from kongtun.web.tests.plaintext_seed import run; run()"
    for args in (["migrate", "-v0"], ["shell", "-c", seed]):
        done = subprocess.run([*manage, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-4000:]
    assert "seeded 13" in done.stdout

    if url.startswith("sqlite"):
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(FULL)")
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    else:
        dump = subprocess.run(
            [_pg_bin("pg_dump"), "--no-owner", "-f", str(path), url],
            capture_output=True,
            text=True,
        )
        assert dump.returncode == 0, dump.stderr
        files = [path]
    data = b"".join(p.read_bytes() for p in files)
    assert len(data) > 100_000  # a whole database, not an empty file
    # The test reads what it means to: the member names are in clear, so they are found.
    assert "ทดสอบ7001".encode() in data
    assert hits(data, ALL_SEEDS) == []

    # Nor in any file the app wrote beside the database: the import stash, logs, packages.
    written = [p for p in (tmp_path / "var").rglob("*") if p.is_file()]
    leaks = {str(p): found for p in written if (found := hits(p.read_bytes(), ALL_SEEDS))}
    assert leaks == {}

    with zipfile.ZipFile(package) as archive:
        assert "full.json" in archive.namelist()
        for name in archive.namelist():
            assert hits(archive.read(name), ALL_SEEDS) == [], name


# --- on screen and in files ----------------------------------------------------------------------

_ECHOES = re.compile(r'<input id="q" name="q" value="[^"]*"|name="next" value="[^"]*"')
# Thirteen digits in a row, or in the 1-4-5-2-1 groups of the card with one separator (a UUID's
# hex groups never line up that way).
_RUN = re.compile(r"(?<!\d)(?:\d{13}|\d([- .])\d{4}\1\d{5}\1\d{2}\1\d)(?!\d)")


def full_ids(text: str) -> set[str]:
    """Every 13-digit number in the text, whole or grouped as on the card, whose check digit
    is right."""
    text = text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    found = set()
    for match in _RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
        if (11 - total % 11) % 10 == int(digits[12]):
            found.add(digits)
    return found


def pdf_text(content: bytes, tmp_path: Path) -> str:
    assert content.startswith(b"%PDF")
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed to read the PDFs"
    return subprocess.run(
        [pdftotext, "-layout", str(source), "-"], capture_output=True, text=True, check=True
    ).stdout


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_the_pid_scan_finds_ids_in_any_grouping() -> None:
    digits = make_national_id(42)
    for text in (digits, dashed(digits), dashed(digits).replace("-", " "), f"x{digits}y"):
        assert full_ids(text) == {digits}, text
    assert full_ids(digits.translate(THAI_DIGITS)) == {digits}
    assert full_ids(digits[:12] + str((int(digits[12]) + 1) % 10)) == set()  # a wrong check digit
    assert full_ids("x-xxxx-xxxxx-x" + digits[-3:-1] + "-" + digits[-1]) == set()  # masked


@pytest.fixture
def register(books: Fund, plan: Any, users: dict[str, Any]) -> list[Member]:  # noqa: F811
    """Members with beneficiaries and payments, so every page and file has someone to show."""
    fund = books
    members = []
    for seed in range(8001, 8004):
        member = member_register(fund=fund, actor=users["treasurer"], data=member_data(seed))
        beneficiary_add(
            member=member,
            actor=users["treasurer"],
            data=BeneficiaryInput(
                full_name=f"ผู้รับ {seed}",
                relationship="child",
                share_percent=Decimal("100"),
                national_id=make_national_id(seed + 100),
            ),
        )
        payment_record(
            member=member,
            actor=users["treasurer"],
            amount=Decimal("110.00"),
            date=dt.date(2024, 1, 5),
        )
        members.append(member)
    return members


def test_pages_and_files_show_only_masked_ids(
    register: list[Member], client_for: Any, tmp_path: Path
) -> None:
    fund = register[0].fund
    client = client_for("treasurer")

    def fund_url(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": fund.code, **kwargs})

    member = register[0]
    with fund_scope(fund):
        receipt = member.receipts.get()
    m = {"code": member.code}
    c = {"member": member.code}
    pages = [
        fund_url("members-list"),
        fund_url("members-list") + f"?q={make_national_id(8001)}",
        fund_url("members-detail", **m),
        fund_url("members-edit", **m),
        fund_url("contributions-member", **c),
        fund_url("contributions-passbook", **c),
        fund_url("contributions-receipts"),
        fund_url("contributions-arrears"),
        fund_url("funds-audit"),
    ]
    files = [
        fund_url("members-card", **m),
        fund_url("contributions-passbook-pdf", **c),
        fund_url("contributions-arrears-pdf"),
        fund_url("contributions-arrears-xlsx"),
        fund_url("contributions-receipt-pdf", receipt=receipt.code),
    ]
    pages.append(fund_url("contributions-receipt", receipt=receipt.code))
    shown: dict[str, set[str]] = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # A search by ID is a GET, so the ID the user typed is in the URL: the search box and
        # the language form's "next" echo it back. Nothing else on the page may show it.
        html = _ECHOES.sub("", response.content.decode())
        shown[url] = full_ids(html)
    for url in files:
        response = client.get(url)
        assert response.status_code == 200, url
        kind = response["Content-Type"]
        text = (
            pdf_text(response.content, tmp_path)
            if kind == "application/pdf"
            else xlsx_text(response.content)
        )
        assert text.strip(), url
        shown[url] = full_ids(text)
    assert {url: ids for url, ids in shown.items() if ids} == {}

    # The reveal shows the whole ID, and only after the audit trail has it logged.
    with fund_scope(fund):
        before = AuditEntry.objects.filter(action="members.member.national_id_revealed").count()
    revealed = client.post(fund_url("members-reveal-id", **m))
    assert full_ids(revealed.content.decode()) == {make_national_id(8001)}
    with fund_scope(fund):
        after = AuditEntry.objects.filter(action="members.member.national_id_revealed").count()
    assert after == before + 1
