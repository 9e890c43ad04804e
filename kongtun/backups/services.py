"""Make encrypted backups of the live database, restore them after checking them, and keep the
schedule.

A backup is a consistent snapshot taken while the fund keeps working (SQLite's online backup
API; pg_dump's exported snapshot on PostgreSQL), checked, packed with the files the rows point
to (claim documents, voucher attachments, packages: FILE_FOLDERS under VAR_DIR), encrypted
in a private work folder under VAR_DIR and only then written to the destination: temp file,
fsync, rename. No plaintext copy ever touches the destination folder (often a USB stick).

A restore decrypts into the work folder, loads the copy where it cannot harm the live
database (a file, or a new PostgreSQL database), checks it in a separate process pointed at
that copy (integrity, foreign keys, schema, the books, the audit chain, every document's file)
and only then swaps it in; the backup's files then go into place beside the live ones. Anything
wrong before the swap leaves the live database and files as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from kongtun.backups import fileformat
from kongtun.backups.fileformat import BackupFileError
from kongtun.backups.models import BackupRecord, BackupSchedule

if TYPE_CHECKING:
    from kongtun.privacy.erasure import ReapplyReport

log = logging.getLogger(__name__)
SUFFIX = ".ktbackup"
ERASURES_BESIDE = "kongtun-erasures.jsonl"
RETRY_AFTER = dt.timedelta(hours=1)  # a failed scheduled backup is tried again after this
GRACE = dt.timedelta(hours=1)  # how late a scheduled backup may be before it shows red
UNSCHEDULED_MAX_AGE = dt.timedelta(hours=24)  # RPO of a laptop install (RELIABILITY D4)
CHECK_TIMEOUT = 1800  # seconds for the checks of a restored copy (a large province database)
# The folders under VAR_DIR whose files rows of the database name; a backup holds them too.
# Not VAR_DIR/privacy: the live list of erasures is always newer than a backup's.
FILE_FOLDERS = ("claim-documents", "attachments", "packages")


class BackupError(Exception):
    """A backup or restore could not be done; `str()` says why and what to do. `code` and
    `params`: the same for a person reading the page in their language (models.MESSAGES)."""

    def __init__(self, message: str, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params

    @classmethod
    def coded(cls, code: str, **params: Any) -> BackupError:
        from django.utils import translation

        from kongtun.backups.models import message_text

        with translation.override("en"):
            return cls(message_text(code, params), code, **params)


class BackupBusy(BackupError):
    pass


class RestoreRefused(BackupError):
    """The backup failed a check: nothing was replaced. `problems` lists what failed."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


# --- Helpers shared by backup and restore ------------------------------------------------------


def _db() -> dict[str, Any]:
    return connections["default"].settings_dict


def vendor() -> str:
    return str(connections["default"].vendor)


def key_fingerprints() -> dict[str, str]:
    """Fingerprints of this install's two data keys: a restore on an install with other keys
    would leave every national ID unreadable, so restore compares them. They reveal nothing of
    the keys."""
    return {
        name: hmac.new(
            getattr(settings, name).encode(), b"kongtun-backup-key-fingerprint", hashlib.sha256
        ).hexdigest()[:16]
        for name in ("FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY")
    }


def _work_base() -> Path:
    return Path(settings.VAR_DIR) / "backup-work"


def _clear_leftovers(folder: Path | None) -> None:
    """What a crashed backup or restore left behind: plaintext copies in the work folder and
    our half-written files in the destination. Called under the backup lock, so nothing of
    this install is using them."""
    base = _work_base()
    if base.is_dir():
        for path in base.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    if folder is not None and folder.is_dir():
        names = _name_pattern()
        for path in folder.iterdir():
            inner = path.name.removeprefix(".").removesuffix(".partial")
            if (
                path.name.startswith(".")
                and path.name.endswith(".partial")
                and (names.match(inner) or inner == ERASURES_BESIDE)
            ):
                path.unlink(missing_ok=True)


@contextlib.contextmanager
def _workdir(purpose: str) -> Iterator[Path]:
    """A private (0700) folder under VAR_DIR for plaintext copies, removed afterwards."""
    base = _work_base()
    base.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{purpose}-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


_held = threading.local()


@contextlib.contextmanager
def backup_lock() -> Iterator[None]:
    """One backup or restore at a time on this machine, across processes and server workers.
    Re-entrant in one thread: the scheduler holds it while it checks and then backs up."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    path = Path(settings.VAR_DIR) / "backup.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupBusy(
                "Another backup or restore is running; try again in a minute."
            ) from exc
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; some USB file systems cannot open a folder: skip there.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- PostgreSQL tools --------------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """pg_dump/pg_restore the way scripts/with-postgres.sh finds PostgreSQL's binaries."""
    candidates = []
    if settings.PG_BINDIR:
        candidates.append(Path(settings.PG_BINDIR))
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(  # noqa: S603 — pg_config found on PATH, fixed argument
            [pg_config, "--bindir"], capture_output=True, text=True
        )
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    candidates.append(Path("/usr/lib/postgresql/15/bin"))
    for folder in candidates:
        if (folder / name).is_file():
            return str(folder / name)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise BackupError(f"{name} was not found: install postgresql-client or set PG_BINDIR.")


def _pg_env(name: str | None = None) -> dict[str, str]:
    """libpq's variables for the app's server; the password never goes on a command line."""
    db = _db()
    env = {**os.environ, "PGDATABASE": name or db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_connect(name: str, **kwargs: Any) -> Any:
    import psycopg

    db = _db()
    return psycopg.connect(
        dbname=name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        **kwargs,
    )


def _pg_url(name: str) -> str:
    db = _db()
    user = quote(str(db.get("USER") or ""), safe="")
    host = str(db.get("HOST") or "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{host}{port}/{quote(name, safe='')}"


def _run(args: list[str], env: dict[str, str] | None = None, what: str = "") -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 — PostgreSQL tools, our arguments
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what or Path(args[0]).name} failed: " + " ".join(detail))


# --- Backup ------------------------------------------------------------------------------------

_SUMMARY_SQL = {
    "audit": "SELECT chain, seq, hash FROM audit_audithead ORDER BY chain",
    "ledger": (
        "SELECT f.code, h.number, h.hash FROM ledger_ledgerhead h"
        " JOIN funds_fund f ON f.id = h.fund_id ORDER BY f.code"
    ),
    "migrations": "SELECT app, name FROM django_migrations",
}


def _summary(rows: dict[str, list[Any]]) -> dict[str, Any]:
    """What the header says about the snapshot: audit and ledger heads, the schema."""
    schema: dict[str, str] = {}
    for app, name in rows["migrations"]:
        schema[app] = max(schema.get(app, ""), name)
    return {
        "audit_heads": {chain: [seq, h] for chain, seq, h in rows["audit"]},
        "ledger_heads": {code: [number, h] for code, number, h in rows["ledger"]},
        "schema": dict(sorted(schema.items())),
        "migrations": len(rows["migrations"]),
    }


def _snapshot_sqlite(out: Path) -> dict[str, Any]:
    """Copy the live database with the online backup API, in one step: one read transaction,
    so the copy is one consistent moment while writers carry on (WAL readers never block)."""
    live = Path(_db()["NAME"])
    if not live.is_file():
        raise BackupError(f"The database file {live} does not exist.")
    source = sqlite3.connect(live.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(out)
    try:
        source.backup(target, pages=-1)
        # One self-contained file: no -wal beside it in the backup.
        target.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(
                "The copy failed SQLite's integrity check: " + "; ".join(problems[:5])
            )
        if target.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError("The copy failed SQLite's foreign key check.")
        rows = {key: target.execute(sql).fetchall() for key, sql in _SUMMARY_SQL.items()}
    finally:
        target.close()
        source.close()
    return _summary(rows)


def _snapshot_postgres(out: Path) -> dict[str, Any]:
    """pg_dump -Fc of an exported snapshot, whose heads are read in that same snapshot."""
    with _pg_connect(_db()["NAME"]) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        rows = {key: conn.execute(sql).fetchall() for key, sql in _SUMMARY_SQL.items()}
        _run(
            [pg_binary("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(out)],
            env=_pg_env(),
            what="pg_dump",
        )
        conn.rollback()
    _run([pg_binary("pg_restore"), "--list", str(out)], what="Reading the dump back")
    return _summary(rows)


def backup_filename(when: dt.datetime) -> str:
    prefix = slugify(settings.BACKUP_NAME) or "kongtun"
    return f"{prefix}-{timezone.localtime(when):%Y%m%d-%H%M%S}{SUFFIX}"


def _name_pattern() -> re.Pattern[str]:
    prefix = re.escape(slugify(settings.BACKUP_NAME) or "kongtun")
    return re.compile(rf"^{prefix}-\d{{8}}-\d{{6}}(-\d+)?{re.escape(SUFFIX)}$")


def _pack(database: Path, out: Path) -> int:
    """The plaintext of a backup: a tar of the snapshot and of FILE_FOLDERS; returns how many
    files it holds. Taken after the snapshot, so every file a row of the snapshot names is
    already there (files are written before their row commits)."""
    count = 0
    var = Path(settings.VAR_DIR)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(database, arcname="database")
        for name in FILE_FOLDERS:
            base = var / name
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if path.is_symlink() or not path.is_file():
                    continue
                with contextlib.suppress(FileNotFoundError):  # removed since the listing
                    tar.add(path, arcname=f"files/{path.relative_to(var)}", recursive=False)
                    count += 1
    return count


def _unpack(plain: Path, header: dict[str, Any], work: Path) -> tuple[Path, Path | None]:
    """The database and the folder of files (None for a format 1 backup, which held the
    database alone) of a decrypted backup. Only regular files under known names are taken."""
    if int(header.get("format", 1)) < 2:
        return plain, None
    database, files = work / "database", work / "files"
    files.mkdir()
    with tarfile.open(plain, "r:") as tar:
        for member in tar:
            parts = Path(member.name).parts
            ok_name = parts == ("database",) or (
                len(parts) >= 3
                and parts[0] == "files"
                and parts[1] in FILE_FOLDERS
                and all(part not in ("", ".", "..") for part in parts)
                and not Path(member.name).is_absolute()
            )
            if not (member.isfile() and ok_name):
                raise BackupFileError(
                    f"The backup file is damaged (it holds an unexpected entry {member.name!r})."
                )
            target = database if parts == ("database",) else files.joinpath(*parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, target.open("wb") as fh:
                shutil.copyfileobj(source, fh)
    plain.unlink()
    if not database.is_file():
        raise BackupFileError("The backup file is damaged (it holds no database).")
    return database, files


def _place_files(files: Path) -> int:
    """Move the backup's files into VAR_DIR after the swap: they are added, or replace the
    live file of the same name; live files the backup lacks are left alone (a row of the
    restored database never names them, and they may be newer work)."""
    var = Path(settings.VAR_DIR)
    moved = 0
    for path in sorted(files.rglob("*")):
        if not path.is_file():
            continue
        target = var / path.relative_to(files)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved += 1
    for name in FILE_FOLDERS:
        if (var / name).is_dir():
            _fsync_dir(var / name)
    return moved


@dataclass
class Made:
    path: Path
    size: int
    sha256: str
    header: dict[str, Any]


def _write_backup(folder: Path, passphrase: str, started: dt.datetime) -> Made:
    if len(passphrase) < fileformat.MIN_PASSPHRASE:
        raise BackupError.coded("passphrase_short", n=fileformat.MIN_PASSPHRASE)
    if not folder.is_absolute():
        raise BackupError.coded("folder_relative", folder=str(folder))
    if not folder.is_dir():
        raise BackupError.coded("folder_missing", folder=str(folder))
    _clear_leftovers(folder)
    with _workdir("backup") as work:
        snapshot = work / "snapshot"
        kind = vendor()
        if kind == "sqlite":
            summary = _snapshot_sqlite(snapshot)
        elif kind == "postgresql":
            summary = _snapshot_postgres(snapshot)
        else:
            raise BackupError(f"Backups of a {kind} database are not supported.")
        plain = work / "plain.tar"
        files = _pack(snapshot, plain)
        snapshot.unlink()
        meta = {
            "app": "kongtun",
            "vendor": kind,
            "created_at": started.isoformat(),
            "install": install_id(),
            "keys": key_fingerprints(),
            "files": files,
            **summary,
        }
        name = backup_filename(started)
        n = 1
        while (folder / name).exists():
            name = name.removesuffix(SUFFIX) + f"-{n}{SUFFIX}"
            n += 1
        final = folder / name
        partial = folder / f".{name}.partial"
        try:
            with partial.open("xb") as fh:
                fileformat.encrypt_file(plain, fh, passphrase=passphrase, meta=meta)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        _erasures_beside(folder)
        _fsync_dir(folder)
    header, _bytes, _start = fileformat.read_header(final)
    return Made(final, final.stat().st_size, fileformat.sha256_of(final), header)


def backup_create(
    *, folder: Path, passphrase: str, actor: Any = None, scheduled: bool = False
) -> BackupRecord:
    """Make one backup into `folder` and record it, good or failed (never raises for a
    failure the record can describe, except BackupBusy)."""
    started = timezone.now()
    record = BackupRecord(
        started_at=started,
        folder=str(folder),
        scheduled=scheduled,
        vendor=vendor(),
        made_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with backup_lock():
            made = _write_backup(folder, passphrase, started)
    except BackupBusy:
        raise
    except BackupError as exc:
        record.ok = False
        if exc.code:
            record.say(exc.code, **exc.params)
        else:
            record.say("failed", why=str(exc))
    except BackupFileError as exc:
        record.ok = False
        record.say("failed", why=str(exc))
    except OSError as exc:
        record.ok = False
        record.say("write_failed", why=str(exc.strerror or exc))
    else:
        record.ok = True
        record.filename = made.path.name
        record.size = made.size
        record.sha256 = made.sha256
        record.say("made", **_made_params(made.header))
    record.finished_at = timezone.now()
    record.save()
    return record


def install_id() -> str:
    """This install's random id, made at its first backup and written into every header."""
    schedule = schedule_get()
    if not schedule.install_id:
        BackupSchedule.objects.filter(pk=schedule.pk, install_id="").update(
            install_id=uuid.uuid4().hex
        )
        schedule.refresh_from_db(fields=["install_id"])
    return schedule.install_id


def _made_params(header: dict[str, Any]) -> dict[str, Any]:
    return {
        "chains": len(header.get("audit_heads", {})),
        "migrations": header.get("migrations"),
        "files": header.get("files", 0),
    }


def prune(folder: Path, keep: int) -> list[str]:
    """Delete our oldest backup files in `folder` beyond the newest `keep`, oldest by the time
    in their header; only files named as ours whose header names this install, never
    anything else in the folder (another install's backups on a shared stick, a copy with
    an unreadable header, a backup made before the header named its install)."""
    pattern = _name_pattern()
    mine = install_id()
    ours: list[tuple[float, Path]] = []
    for path in folder.iterdir():
        if not pattern.match(path.name):
            continue
        try:
            header = fileformat.read_header(path)[0]
        except (BackupFileError, OSError):
            continue
        if header.get("install") == mine and isinstance(header.get("created_at"), str):
            ours.append((dt.datetime.fromisoformat(header["created_at"]).timestamp(), path))
    ours.sort(key=lambda item: item[0])
    gone = [path for _when, path in ours[: max(0, len(ours) - max(1, keep))]]
    for path in gone:
        path.unlink(missing_ok=True)
    return [p.name for p in gone]


# --- Schedule ----------------------------------------------------------------------------------


def schedule_get() -> BackupSchedule:
    schedule, _created = BackupSchedule.objects.get_or_create(pk=1)
    return schedule


def schedule_update(*, actor: Any, **values: Any) -> BackupSchedule:
    from kongtun.audit.services import Change, audit_log

    with transaction.atomic():
        schedule = schedule_get()
        before = {k: str(getattr(schedule, k)) for k in values}
        for key, value in values.items():
            setattr(schedule, key, value)
        schedule.updated_by = actor
        schedule.full_clean()
        schedule.save()
        after = {k: str(getattr(schedule, k)) for k in values}
        audit_log(
            fund=None,
            actor=actor,
            changes=[Change.of("backups.schedule_changed", schedule, before=before, after=after)],
        )
    return schedule


def last_occurrence(schedule: BackupSchedule, now: dt.datetime) -> dt.datetime:
    """When the daily backup was last meant to run, at or before `now` (local time)."""
    local = timezone.localtime(now)
    at = local.replace(
        hour=schedule.daily_at.hour, minute=schedule.daily_at.minute, second=0, microsecond=0
    )
    return at if at <= local else at - dt.timedelta(days=1)


def is_due(
    schedule: BackupSchedule,
    now: dt.datetime,
    last_good: dt.datetime | None,
    last_try: dt.datetime | None,
) -> bool:
    """Whether the scheduled backup should run now, from the last good and last tried
    scheduled backups. A failure (the USB stick is out) is retried after an hour, not every
    minute."""
    if not schedule.enabled or not schedule.destination:
        return False
    if last_try is not None and now - last_try < RETRY_AFTER:
        return False
    if last_good is None:
        return True
    if schedule.every == BackupSchedule.Every.HOURS:
        return now - last_good >= schedule.period()
    return last_good < last_occurrence(schedule, now)


def backup_if_due(now: dt.datetime | None = None) -> BackupRecord | None:
    """Run the scheduled backup if it is due, then prune the folder; None when not due.
    The check and the backup run under one lock, so two runners never both find it due."""
    with backup_lock():
        return _backup_if_due(now or timezone.now())


def backup_request(*, actor: Any) -> None:
    """ "Back up now" for the in-process runner, which makes it within a minute."""
    BackupSchedule.objects.filter(pk=schedule_get().pk).update(
        requested_at=timezone.now(), requested_by=actor
    )


def _backup_if_due(now: dt.datetime) -> BackupRecord | None:
    schedule = BackupSchedule.objects.filter(pk=1).first()
    if schedule is None:
        return None  # nobody set a schedule up
    if schedule.requested_at is not None and schedule.destination:
        actor = schedule.requested_by
        BackupSchedule.objects.filter(pk=schedule.pk).update(requested_at=None, requested_by=None)
        if not settings.BACKUP_PASSPHRASE:
            # Said on the page like a scheduled one, not dropped without a word.
            return _no_passphrase(now, Path(schedule.destination), scheduled=False)
        return backup_create(
            folder=Path(schedule.destination), passphrase=settings.BACKUP_PASSPHRASE, actor=actor
        )
    scheduled = BackupRecord.objects.filter(scheduled=True)
    good = scheduled.filter(ok=True).order_by("-started_at").first()
    tried = scheduled.order_by("-started_at").first()
    if not is_due(
        schedule, now, good.started_at if good else None, tried.started_at if tried else None
    ):
        return None
    passphrase = settings.BACKUP_PASSPHRASE
    folder = Path(schedule.destination)
    if not passphrase:
        return _no_passphrase(now, folder, scheduled=True)
    record = backup_create(folder=folder, passphrase=passphrase, scheduled=True)
    if record.ok:
        gone = prune(folder, schedule.keep)
        if gone:
            record.say("made_pruned", **record.message_params, removed=len(gone))
            record.save(update_fields=["message", "message_code", "message_params"])
    return record


def _no_passphrase(now: dt.datetime, folder: Path, *, scheduled: bool) -> BackupRecord:
    record = BackupRecord(
        started_at=now,
        finished_at=now,
        folder=str(folder),
        scheduled=scheduled,
        vendor=vendor(),
        ok=False,
    )
    record.say("no_passphrase")
    record.save()
    return record


def daily_jobs_due(last: dt.datetime | None, now: dt.datetime) -> bool:
    """Once a local calendar day."""
    return last is None or timezone.localdate(last) < timezone.localdate(now)


def daily_jobs_if_due(now: dt.datetime | None = None) -> bool:
    """The privacy jobs the runner does once a day: retention (what `manage.py retention`
    does) and erasures re-applied (which completes one a restore was interrupted in). The
    day is claimed by one conditional update, so of several server workers one runs them.
    Returns whether they ran."""
    from django.db.models import Q

    from kongtun.privacy.erasure import reapply_erasures
    from kongtun.privacy.retention import retention_run

    now = now or timezone.now()
    schedule = schedule_get()
    if not daily_jobs_due(schedule.daily_jobs_at, now):
        return False
    day_start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(now), dt.time.min), timezone.get_current_timezone()
    )
    claimed = (
        BackupSchedule.objects.filter(pk=schedule.pk)
        .filter(Q(daily_jobs_at__isnull=True) | Q(daily_jobs_at__lt=day_start))
        .update(daily_jobs_at=now)
    )
    if not claimed:
        return False
    # Each on its own, erasures first: a retention failure must not leave an erased person
    # back for another day.
    for job in (reapply_erasures, retention_run):
        try:
            job()
        except Exception:
            log.exception("The daily privacy job %s failed", job.__name__)
    return True


# --- Restore -----------------------------------------------------------------------------------


@dataclass
class Restored:
    header: dict[str, Any]
    checks: dict[str, Any]
    erasures_reapplied: int
    notes: list[str] = field(default_factory=list)


def inspect(path: Path) -> dict[str, Any]:
    """The readable header of a backup file (no passphrase needed)."""
    header, _bytes, _start = fileformat.read_header(path)
    return header


def _check_copy(database_url: str, work: Path, files: Path | None) -> dict[str, Any]:
    """Run kongtun.backups.copycheck against the copy, in its own process (its own Django,
    whose default database is the copy), and return its findings; with `files`, also that
    every file a row names is there, unchanged."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kongtun.settings",
        "DATABASE_URL": database_url,
        "KONGTUN_VAR_DIR": str(work / "var"),
        "BACKUP_SCHEDULER": "false",
        # The keys the copy needs are this process's, wherever they came from.
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
    }
    env.pop("DATABASE_URL_FILE", None)
    if vendor() == "postgresql" and _db().get("PASSWORD"):
        env["PGPASSWORD"] = str(_db()["PASSWORD"])
    out = work / "checks.json"
    done = subprocess.run(  # noqa: S603 — our own module, with fixed arguments
        [sys.executable, "-m", "kongtun.backups.copycheck", str(out), str(files or "")],
        env=env,
        cwd=str(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
    )
    if not out.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
        raise RestoreRefused(
            "The restored copy could not be checked.", ["\n".join(tail) or "no output"]
        )
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _swap_sqlite(copy: Path) -> None:
    """Copy the checked database into the live file through SQLite's backup API: the live file
    keeps its name, its WAL mode and its -wal/-shm pair, and every other connection sees the
    new contents on its next read (no file is moved under an open connection)."""
    live = Path(_db()["NAME"])
    connections.close_all()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(live, timeout=30)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target.execute("PRAGMA journal_mode=WAL")
        source.backup(target, pages=-1)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        source.close()


def _swap_postgres(restored_name: str) -> str:
    """Rename the live database aside and the checked one into its place; return the old
    name (kept until the next restore, in case the drill went wrong)."""
    live = str(_db()["NAME"])
    old = before_restore_name(live)
    connections.close_all()
    with _pg_connect("postgres", autocommit=True) as admin:

        def there(name: str) -> bool:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return found.fetchone() is not None

        if not there(live):
            if there(old):
                # A restore that died between its two renames: the previous database is only
                # under the old name, and dropping it here would lose it.
                raise RestoreRefused(
                    f"The database {live} is missing and {old} is there: an earlier restore "
                    f'stopped half-way. Put it back first (psql: ALTER DATABASE "{old}" '
                    f'RENAME TO "{live}"; ALTER DATABASE "{live}" WITH ALLOW_CONNECTIONS '
                    "true;), then restore again."
                )
            # A new server (the old one was lost): the checked copy simply becomes the database.
            admin.execute(f'ALTER DATABASE "{restored_name}" RENAME TO "{live}"')
            return old
        admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        admin.execute(f'ALTER DATABASE "{live}" WITH ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [live],
        )
        admin.execute(f'ALTER DATABASE "{live}" RENAME TO "{old}"')
        try:
            admin.execute(f'ALTER DATABASE "{restored_name}" RENAME TO "{live}"')
        except Exception:
            admin.execute(f'ALTER DATABASE "{old}" RENAME TO "{live}"')
            admin.execute(f'ALTER DATABASE "{live}" WITH ALLOW_CONNECTIONS true')
            raise
    return old


def before_restore_name(live: str) -> str:
    return f"{live[:40]}_before_restore"


def _drop_pg_database(name: str) -> None:
    with _pg_connect("postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _erasures_beside(folder: Path) -> None:
    """Keep, beside the backups, the list of every member erased so far (codes and dates, no
    personal data). The backups themselves only know the erasures made before them; when the
    laptop that kept the list is lost, the list on the stick still stops a restore of an older
    backup from bringing an erased person back."""
    from kongtun.privacy.erasure import tombstones

    known = _erasures_in(folder)
    seen = {item["member"] for item in known}
    known += [asdict(t) for t in tombstones() if t.member not in seen]
    if not known:
        return
    target = folder / ERASURES_BESIDE
    partial = folder / f".{ERASURES_BESIDE}.partial"
    try:
        with partial.open("w", encoding="utf-8") as fh:
            for item in known:
                fh.write(json.dumps({**item, "mac": _erasure_mac(item)}, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _erasure_mac(item: dict[str, Any]) -> str:
    """The list lies in the open on a stick or a shared drive: each line carries a MAC under a
    key derived from this install's data key (which a restore needs anyway), so no one who
    can write to the stick can add a line that erases a member."""
    key = hmac.new(
        settings.FIELD_ENCRYPTION_KEY.encode(), b"kongtun-erasure-list", hashlib.sha256
    ).digest()
    body = json.dumps(
        [str(item.get("member")), str(item.get("fund")), str(item.get("erased_at"))],
        ensure_ascii=True,
    )
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _erasures_in(folder: Path) -> list[dict[str, str]]:
    """The authentic lines of the list beside the backups; forged or damaged ones are left
    out."""
    path = folder / ERASURES_BESIDE
    if not path.is_file():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
            mac = str(item.pop("mac"))
            clean = {k: str(item[k]) for k in ("member", "fund", "erased_at")}
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if hmac.compare_digest(mac, _erasure_mac(clean)):
            found.append(clean)
    return found


def _merge_erasures_beside(backup_folder: Path) -> None:
    """This install's list learns the erasures the list beside the backup file knows."""
    from kongtun.privacy.erasure import tombstones_merge

    tombstones_merge(list(_erasures_in(backup_folder)))


def _reapply_erasures() -> ReapplyReport:
    """Erase again the members erased since the backup was made (PDPA; RELIABILITY P5)."""
    from kongtun.privacy.erasure import reapply_erasures_report

    return reapply_erasures_report()


def restore_backup(
    *,
    path: Path,
    passphrase: str,
    confirm: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None,
) -> Restored:
    """Decrypt, load aside, check, then (if `confirm` agrees) replace the live database.

    Raises BackupFileError for a file that cannot be opened (wrong passphrase, damaged,
    changed) and RestoreRefused for a copy that fails a check; in both cases nothing live was
    touched."""
    header = inspect(path)
    kind = vendor()
    if header.get("vendor") != kind:
        raise RestoreRefused(
            f"This is a backup of a {header.get('vendor')} database; this install runs on {kind}."
        )
    if header.get("keys") != key_fingerprints():
        raise RestoreRefused(
            "This backup was made by an install with other data keys (FIELD_ENCRYPTION_KEY, "
            "BLIND_INDEX_KEY): its national IDs would be unreadable here. Put the original "
            "install's keys (from its kongtun.env) in this install's environment, then restore."
        )
    with backup_lock():
        _clear_leftovers(None)
        return _restore_locked(path, passphrase, kind, confirm)


def _restore_locked(
    path: Path,
    passphrase: str,
    kind: str,
    confirm: Callable[[dict[str, Any], dict[str, Any]], bool] | None,
) -> Restored:
    with _workdir("restore") as work:
        decrypted = work / "restored"
        header = fileformat.decrypt_file(path, passphrase, decrypted)
        plain, files = _unpack(decrypted, header, work)
        restored_pg: str | None = None
        try:
            if kind == "sqlite":
                url = f"sqlite:///{plain}"
            else:
                restored_pg = f"{str(_db()['NAME'])[:30]}_restore_{uuid.uuid4().hex[:8]}"
                with _pg_connect("postgres", autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{restored_pg}"')
                _run(
                    [
                        pg_binary("pg_restore"),
                        "--exit-on-error",
                        "--no-owner",
                        "--no-privileges",
                        "-d",
                        restored_pg,
                        str(plain),
                    ],
                    env=_pg_env(restored_pg),
                    what="pg_restore",
                )
                url = _pg_url(restored_pg)
            checks = _check_copy(url, work, files)
            if checks["problems"]:
                raise RestoreRefused(
                    "The backup failed its checks; the live database was not changed.",
                    checks["problems"],
                )
            if confirm is not None and not confirm(header, checks):
                raise RestoreRefused("Restore cancelled; the live database was not changed.")
            notes = list(checks.get("missing", []))
            # Before the swap, whatever can be: the files are only added (their names are
            # unique), and the erasures beside the backup join this install's list, so a
            # swap that dies half-way leaves neither missing files nor a forgotten erasure.
            if files is None:
                notes.append(
                    "This backup holds the database alone (made by an older Kongtun): the "
                    "claim documents and attachments were left as they are."
                )
            else:
                notes.append(f"Files put back: {_place_files(files)}.")
            _merge_erasures_beside(path.parent)
            if kind == "sqlite":
                _swap_sqlite(plain)
            else:
                assert restored_pg is not None
                old = _swap_postgres(restored_pg)
                restored_pg = None
                notes.append(f"The previous database was kept as {old}.")
        finally:
            if restored_pg is not None:
                _drop_pg_database(restored_pg)
    try:
        _record_restore(path, header)
    finally:
        # Whatever happened to the record, the erased stay erased (and the daily job would
        # finish it if this process died here).
        report = _reapply_erasures()
    notes += [
        f"Erasure not re-applied, for the chair to look at: member {code} was changed after "
        "it (active again, or with a claim under way)."
        for code in report.skipped
    ]
    return Restored(header, checks, len(report.applied), notes)


def _record_restore(path: Path, header: dict[str, Any]) -> None:
    from kongtun.audit.services import Change, audit_log

    connections.close_all()
    with transaction.atomic():
        audit_log(
            fund=None,
            actor=None,
            changes=[
                Change(
                    "backups.restored",
                    "backups.backup",
                    str(header["plaintext"]["sha256"])[:16],
                    after={"file": path.name, "made": header.get("created_at")},
                )
            ],
        )
