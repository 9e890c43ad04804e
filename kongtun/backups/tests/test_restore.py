"""The restore drill (RELIABILITY D3/D4/P9): back up under write load, restore on a clean
database, every check passes and the restored books are exactly the moment of the backup;
and every bad backup is refused with the live database untouched.

Each test's databases are its own (a fresh SQLite file, or new databases on the test
PostgreSQL server), driven by `manage.py backup`/`restore` and `drill_writer` processes, as a
deployment runs them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kongtun.backups import fileformat
from kongtun.contributions.tests.concurrent_payer import _national_id
from kongtun.web.tests.browser import ROOT

WRITER = "kongtun.backups.tests.drill_writer"
PASSPHRASE = "ช้างเผือก correct horse 2567"
TIMEOUT = 300
WRITES_BEFORE_BACKUP = 10


@dataclass
class Db:
    url: str
    env: dict[str, str]
    path: Path | None  # the SQLite file

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if check:
            assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def start(self, tmp: Path, command: str, **spec: Any) -> tuple[subprocess.Popen[str], Path]:
        out = tmp / f"out-{uuid.uuid4().hex}.json"
        proc = subprocess.Popen(
            [sys.executable, "-m", WRITER, command, json.dumps({**spec, "out": str(out)})],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return proc, out

    def run(self, tmp: Path, command: str, **spec: Any) -> dict[str, Any]:
        proc, out = self.start(tmp, command, **spec)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, f"{command} failed:\n{stdout}\n{stderr}"
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result

    def fingerprint(self) -> list[Any]:
        """What would differ if anything had replaced or written to the database."""
        queries = [
            "SELECT count(*), max(seq) FROM audit_auditentry",
            "SELECT hash FROM audit_auditentry ORDER BY id DESC LIMIT 1",
            "SELECT count(*) FROM ledger_journalentry",
            "SELECT number, hash FROM ledger_ledgerhead ORDER BY fund_id",
            "SELECT count(*) FROM members_member",
            "SELECT count(*) FROM django_migrations",
        ]
        if self.path is not None:
            conn = sqlite3.connect(self.path)
            try:
                return [conn.execute(q).fetchall() for q in queries]
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url) as pg:
            return [pg.execute(q).fetchall() for q in queries]


class Databases:
    """Databases of one test module, each a copy of the migrated, empty test database (an
    SQLite copy through the backup API, or a PostgreSQL database made from it as template):
    migrating a database of its own would cost each test far more."""

    def __init__(self, tmp: Path, migrated: str) -> None:
        self.tmp = tmp
        self.migrated = migrated
        self.server = os.environ.get("DATABASE_URL", "")
        self.made: list[str] = []

    def _env(self, url: str, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kongtun.settings",
            "DATABASE_URL": url,
            "KONGTUN_VAR_DIR": str(self.tmp / f"var-{name}"),
            "KONGTUN_ENV_FILE": str(self.tmp / "none.env"),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": "restore-drill-secret-key-0123456789abcdefghijklmn",
            "FIELD_ENCRYPTION_KEY": "restore-drill-field-key",
            "BLIND_INDEX_KEY": "restore-drill-index-key",
            "BACKUP_SCHEDULER": "false",
        }

    def new(self, name: str) -> Db:
        if not self.server.startswith("postgres"):
            path = self.tmp / f"{name}.sqlite3"
            source, target = sqlite3.connect(self.migrated), sqlite3.connect(path)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            db = Db(f"sqlite:///{path}", {}, path)
        else:
            import psycopg
            from django.db import connections

            connections.close_all()  # a template database must have no one connected
            dbname = f"kongtun_bk_{uuid.uuid4().hex[:8]}_{name}"
            base = self.server.rsplit("/", 1)[0]
            with psycopg.connect(base + "/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{self.migrated}"')
            self.made.append(dbname)
            db = Db(f"{base}/{dbname}", {}, None)
        db.env = self._env(db.url, name)
        return db

    def drop(self) -> None:
        if not self.made:
            return
        import psycopg

        base = self.server.rsplit("/", 1)[0]
        with psycopg.connect(base + "/postgres", autocommit=True) as admin:
            names = [
                row[0]
                for row in admin.execute("SELECT datname FROM pg_database").fetchall()
                if any(row[0].startswith(made) for made in self.made)
            ]
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def databases(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: Any
) -> Iterator[Databases]:
    from django.db import connection

    made = Databases(tmp_path_factory.mktemp("restore"), str(connection.settings_dict["NAME"]))
    try:
        yield made
    finally:
        made.drop()


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def _backup(db: Db, folder: Path, passphrase_file: Path) -> Path:
    folder.mkdir(exist_ok=True)
    before = set(folder.iterdir())
    db.manage("backup", "--to", str(folder), "--passphrase-file", str(passphrase_file))
    [made] = [p for p in set(folder.iterdir()) - before if p.name.endswith(".ktbackup")]
    return made


def _restore(db: Db, backup: Path, passphrase_file: Path) -> subprocess.CompletedProcess[str]:
    return db.manage(
        "restore", str(backup), "--passphrase-file", str(passphrase_file), "--yes", check=False
    )


def test_backup_under_write_load_restores_on_a_clean_database_to_the_moment_of_the_backup(
    databases: Databases, tmp_path: Path, passphrase_file: Path
) -> None:
    source, clean = databases.new("source"), databases.new("clean")
    fund = "drill"
    [member] = source.run(tmp_path, "seed", fund=fund, members=1, collectors=0, id_base=7000)[
        "members"
    ]
    progress, stop = tmp_path / "progress", tmp_path / "stop"
    writer, written = source.start(
        tmp_path,
        "pay_until",
        fund=fund,
        actor=f"{fund}-treasurer",
        member=member,
        progress=str(progress),
        stop=str(stop),
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not progress.exists() or int(progress.read_text() or 0) < WRITES_BEFORE_BACKUP:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer made no payments"
            time.sleep(0.02)
        paid_before_backup = int(progress.read_text())
        backup = _backup(source, tmp_path / "usb", passphrase_file)
        paid_after_backup = int(progress.read_text())
    finally:
        stop.touch()
        _stdout, stderr = writer.communicate(timeout=TIMEOUT)
    assert writer.returncode == 0, stderr
    total_paid = json.loads(written.read_text())["payments"]

    restored = _restore(clean, backup, passphrase_file)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Checks passed" in restored.stdout

    after = clean.run(tmp_path, "report", fund=fund)
    everything = source.run(tmp_path, "report", fund=fund)
    assert after["verify_ledger"] == [] and after["verify_audit"] == []
    assert everything["verify_ledger"] == [] and everything["verify_audit"] == []
    # The snapshot is one moment: as many receipts as entries as the ledger head says, the
    # same the backup's header recorded, taken while payments went on before and after it.
    header = fileformat.read_header(backup)[0]
    snapshot = header["ledger_heads"][fund][0]
    receipts = after["receipts"]
    assert len(receipts) == len(after["entries"]) == after["ledger_head"] == snapshot
    assert WRITES_BEFORE_BACKUP <= paid_before_backup <= snapshot <= paid_after_backup
    assert snapshot < total_paid
    assert len(everything["receipts"]) == total_paid
    # ...and it is exactly the first `snapshot` payments of the source, to the satang.
    assert receipts == everything["receipts"][:snapshot]
    paid = sum((Decimal(total) for _n, _s, total, _k in receipts), Decimal(0))
    assert Decimal(after["cash"]) == paid
    standing = after["members"][str(member)]
    assert Decimal(standing["paid"]["total"]) == paid
    assert standing["verify_standing"] == []

    # The file on the "USB stick" holds no personal data in the clear (RELIABILITY P9).
    raw = backup.read_bytes()
    for secret in (_national_id(7000), "สมาชิก0", "พร้อมกัน", "SQLite format", "PGDMP"):
        assert secret.encode() not in raw, secret
    assert not [p for p in backup.parent.iterdir() if p != backup]  # no temp or plain copy


def test_a_backup_failing_its_checks_is_refused_and_the_live_database_untouched(
    databases: Databases, tmp_path: Path, passphrase_file: Path
) -> None:
    live, spoilt = databases.new("live"), databases.new("spoilt")
    live.run(tmp_path, "seed", fund="live", members=2, collectors=0, id_base=8000)
    [member] = spoilt.run(tmp_path, "seed", fund="spoilt", members=1, collectors=0, id_base=9000)[
        "members"
    ]
    spoilt.run(
        tmp_path,
        "pay_until",
        fund="spoilt",
        actor="spoilt-treasurer",
        member=member,
        progress=str(tmp_path / "progress"),
        stop=str(tmp_path / "never"),
        count=2,
    )
    # Made by an older Kongtun: one migration behind the code (restore brings it up to date).
    spoilt.manage("migrate", "exchange", "0001", "-v0")
    usb = tmp_path / "usb"
    good = _backup(spoilt, usb, passphrase_file)
    assert fileformat.read_header(good)[0]["schema"]["exchange"] == "0001_initial"
    spoilt.run(tmp_path, "spoil", how="ledger")
    broken_books = _backup(spoilt, usb, passphrase_file)
    spoilt.run(tmp_path, "spoil", how="migration")
    newer = _backup(spoilt, usb, passphrase_file)

    cases = [
        (broken_books, "the ledger head says"),
        (newer, "made by a newer Kongtun"),
    ]
    before = live.fingerprint()
    for backup, message in cases:
        done = _restore(live, backup, passphrase_file)
        assert done.returncode != 0, (backup.name, done.stdout)
        assert message in done.stderr, (backup.name, done.stderr)
        assert "the live database was not changed" in done.stderr
        assert live.fingerprint() == before, backup.name
    # The good backup of the same database goes in, migrated on the copy before the swap:
    # the refusals were about the files.
    done = _restore(live, good, passphrase_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Brought up to date: 1 migrations" in done.stdout
    after = live.fingerprint()
    assert after != before
    assert after[5] == before[5]  # the same migrations as the code: none missing, none extra


def test_the_files_rows_name_go_into_the_backup_and_come_back_checked(
    databases: Databases, tmp_path: Path, passphrase_file: Path
) -> None:
    source, clean = databases.new("files_source"), databases.new("files_clean")
    source.run(tmp_path, "seed", fund="files", members=1, collectors=0, id_base=9700)
    bill = source.run(tmp_path, "attach", fund="files", actor="files-treasurer", text="a bill")
    usb = tmp_path / "usb"
    good = _backup(source, usb, passphrase_file)
    assert fileformat.read_header(good)[0]["files"] == 1
    # The bill on the fund's computer changed, then lost, before the next backups.
    Path(bill["path"]).write_bytes(b"%PDF-1.4 another bill")
    changed = _backup(source, usb, passphrase_file)
    Path(bill["path"]).unlink()
    lost = _backup(source, usb, passphrase_file)

    var = Path(clean.env["KONGTUN_VAR_DIR"])
    restored = var / "attachments" / Path(bill["path"]).name
    own = var / "attachments" / "only-on-this-computer"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"newer work")
    before = clean.fingerprint()
    done = _restore(clean, changed, passphrase_file)
    assert done.returncode != 0, done.stdout
    assert "was changed" in done.stderr, done.stderr
    assert clean.fingerprint() == before
    assert not restored.exists()
    # A file already lost when the backup was made is said, not a reason to refuse: every
    # later backup lacks it too.
    done = _restore(clean, lost, passphrase_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is missing from the backup" in done.stdout
    assert not restored.exists()
    done = _restore(clean, good, passphrase_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert restored.read_bytes() == bill["data"].encode()
    assert own.read_bytes() == b"newer work"  # the backup adds files, it never removes any
    assert not list((var / "backup-work").iterdir())


def test_a_restore_after_one_that_stopped_half_way_keeps_the_previous_database(
    databases: Databases, tmp_path: Path, passphrase_file: Path
) -> None:
    live = databases.new("halfway")
    live.run(tmp_path, "seed", fund="halfway", members=1, collectors=0, id_base=9800)
    backup = _backup(live, tmp_path / "usb", passphrase_file)
    before = live.fingerprint()
    if live.path is not None:
        # SQLite copies into the live file in place: there is no half-way state, and a lost
        # database file is simply made again from the backup.
        live.path.unlink()
        done = _restore(live, backup, passphrase_file)
        assert done.returncode == 0, done.stdout + done.stderr
        assert live.fingerprint()[2:] == before[2:]  # the audit trail adds the restore
        return
    import psycopg

    from kongtun.backups.services import before_restore_name

    base, name = live.url.rsplit("/", 1)
    aside = before_restore_name(name)
    databases.made.append(aside)
    # The crash came between the two renames: the live database is only under the old name.
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{aside}"')
    done = _restore(live, backup, passphrase_file)
    assert done.returncode != 0
    assert "stopped half-way" in done.stderr and aside in done.stderr
    # The message's own recovery, word for word, brings the previous database back.
    advice = done.stderr.split("(psql: ", 1)[1].split("), then", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        for statement in filter(None, (part.strip() for part in advice.split(";"))):
            admin.execute(statement)
    assert live.fingerprint() == before  # the previous database was not dropped
    done = _restore(live, backup, passphrase_file)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_erasure_is_applied_again_after_restoring_an_older_backup(
    databases: Databases, tmp_path: Path, passphrase_file: Path
) -> None:
    """PDPA erasure survives a restore (RELIABILITY P5): on the same install from its own
    list, and on a new laptop, which has no list, from the one kept beside the backups."""
    source = databases.new("erasing")
    fund = "erasing"
    erased, kept = source.run(tmp_path, "seed", fund=fund, members=2, collectors=0, id_base=9500)[
        "members"
    ]
    usb = tmp_path / "usb"
    older = _backup(source, usb, passphrase_file)
    source.run(tmp_path, "erase", fund=fund, actor=f"{fund}-treasurer", member=erased)
    _backup(source, usb, passphrase_file)  # the next backup leaves the list on the stick
    beside = (usb / "kongtun-erasures.jsonl").read_text(encoding="utf-8")
    assert len(beside.splitlines()) == 1
    assert _national_id(9500) not in beside and "สมาชิก" not in beside

    for db in (source, databases.new("new-laptop")):
        done = _restore(db, older, passphrase_file)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Erasures re-applied: 1" in done.stdout
        gone = db.run(tmp_path, "person", fund=fund, member=erased)
        assert gone["erased"] and gone["id_tail"] == "" and "สมาชิก" not in gone["name"]
        assert not db.run(tmp_path, "person", fund=fund, member=kept)["erased"]
        report = db.run(tmp_path, "report", fund=fund)
        assert report["verify_ledger"] == [] and report["verify_audit"] == []
        # A second restore of the same copy erases again; the list is not doubled.
        again = _restore(db, older, passphrase_file)
        assert "Erasures re-applied: 1" in again.stdout, again.stdout + again.stderr
    assert (databases.tmp / "var-new-laptop" / "privacy" / "erasures.jsonl").read_text(
        encoding="utf-8"
    ).count("\n") == 1

    # Anyone can write to the stick, but a line without this install's MAC erases no one.
    kept_code = db.run(tmp_path, "person", fund=fund, member=kept)["code"]
    forged = json.loads(beside.splitlines()[0]) | {"member": kept_code}
    with (usb / "kongtun-erasures.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(forged) + "\n")
    newest = databases.new("forged")
    done = _restore(newest, older, passphrase_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Erasures re-applied: 1" in done.stdout
    assert not newest.run(tmp_path, "person", fund=fund, member=kept)["erased"]


def test_a_restore_of_a_missing_file_says_so(db: Any, tmp_path: Path) -> None:
    # Also makes pytest-django set the test database up when this file runs alone: the
    # databases above are copies of it.
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No such file"):
        call_command("restore", str(tmp_path / "nothing.ktbackup"), "--yes")
