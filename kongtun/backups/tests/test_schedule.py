"""When a scheduled backup is due, what the scheduled run does, what is pruned, when the
dashboard shows red, and that only the server starts the runner."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from kongtun.backups import scheduler, selectors, services
from kongtun.backups.models import BackupRecord, BackupSchedule

BKK = dt.timezone(dt.timedelta(hours=7))


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=BKK)


def _daily(**kw: Any) -> BackupSchedule:
    values: dict[str, Any] = {"enabled": True, "every": "daily", "daily_at": dt.time(18, 0)}
    return BackupSchedule(**{**values, "destination": "/x", **kw})


def test_a_daily_backup_is_due_once_after_its_time() -> None:
    schedule = _daily()
    assert services.is_due(schedule, _at(26, 18, 1), last_good=None, last_try=None)
    # Made yesterday after 18:00: not due before today's 18:00, due after it.
    assert not services.is_due(schedule, _at(26, 17, 59), _at(25, 18, 1), _at(25, 18, 1))
    assert services.is_due(schedule, _at(26, 18, 0), _at(25, 18, 1), _at(25, 18, 1))
    assert not services.is_due(schedule, _at(26, 23, 0), _at(26, 18, 1), _at(26, 18, 1))
    # The laptop was off at 18:00: the backup runs when it is switched on.
    assert services.is_due(schedule, _at(27, 8, 0), _at(25, 18, 1), _at(25, 18, 1))


def test_a_failed_scheduled_backup_is_retried_after_an_hour_not_every_minute() -> None:
    schedule = _daily()
    good, failed = _at(25, 18, 1), _at(26, 18, 1)
    assert not services.is_due(schedule, _at(26, 18, 30), good, failed)
    assert services.is_due(schedule, _at(26, 19, 2), good, failed)


def test_every_few_hours_and_an_off_schedule() -> None:
    schedule = BackupSchedule(enabled=True, every="hours", every_hours=6, destination="/x")
    assert not services.is_due(schedule, _at(26, 13, 59), _at(26, 8), _at(26, 8))
    assert services.is_due(schedule, _at(26, 14, 0), _at(26, 8), _at(26, 8))
    schedule.enabled = False
    assert not services.is_due(schedule, _at(26, 14, 0), None, None)
    assert not services.is_due(_daily(destination=""), _at(26, 19), None, None)


def _record(when: dt.datetime, ok: bool = True, scheduled: bool = False) -> BackupRecord:
    return BackupRecord.objects.create(
        started_at=when, finished_at=when, folder="/media/usb", ok=ok, scheduled=scheduled,
        vendor="sqlite", message="" if ok else "the USB stick is out",
    )  # fmt: skip


def test_the_last_good_backup_is_red_when_older_than_the_schedule_allows(db: Any) -> None:
    now = timezone.now()
    assert selectors.backup_status(now).stale  # none ever
    _record(now - dt.timedelta(hours=20))
    _record(now - dt.timedelta(hours=1), ok=False)
    status = selectors.backup_status(now)
    assert not status.stale and status.last is not None and not status.last.ok
    services.schedule_update(
        actor=None, enabled=True, every="hours", every_hours=6, destination="/m"
    )
    assert selectors.backup_status(now).stale  # 20 h > 6 h + 1 h grace
    assert not selectors.backup_status(now - dt.timedelta(hours=14)).stale


def test_the_scheduled_run_backs_up_when_due_and_keeps_the_newest(
    db: Any, tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_PASSPHRASE = "scheduled passphrase 2569"
    folder = tmp_path / "usb"
    folder.mkdir()
    old = [folder / f"kongtun-202611{d:02d}-180000.ktbackup" for d in (1, 2, 3)]
    for path in old:
        path.write_bytes(b"old")
    (folder / "family-photos.jpg").write_bytes(b"not ours")
    services.schedule_update(actor=None, enabled=True, destination=str(folder), keep=2)

    record = services.backup_if_due()
    assert record is not None and record.ok and record.scheduled, record and record.message
    assert services.backup_if_due() is None  # just made: not due again
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["family-photos.jpg", old[2].name, record.filename])


def test_a_scheduled_run_without_a_passphrase_records_why(db: Any, settings: Any) -> None:
    settings.BACKUP_PASSPHRASE = ""
    services.schedule_update(actor=None, enabled=True, destination="/media/usb")
    record = services.backup_if_due()
    assert record is not None and not record.ok and "BACKUP_PASSPHRASE" in record.message


def test_the_runner_is_off_in_tests_and_on_only_where_the_server_turns_it_on(
    tmp_path: Path,
) -> None:
    assert django_settings.BACKUP_SCHEDULER is False
    assert not scheduler._started.is_set()
    code = (
        "import django, threading; django.setup(); "
        "print(any(t.name == 'kongtun-backup-scheduler' for t in threading.enumerate()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kongtun.settings",
        "KONGTUN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for value, expected in (("false", "False"), ("true", "True")):
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "BACKUP_SCHEDULER": value},
            capture_output=True,
            text=True,
            cwd=django_settings.BASE_DIR,
        )
        assert done.stdout.strip() == expected, done.stderr


@pytest.mark.parametrize("held", [False, True])
def test_a_runner_tick_skips_while_another_holds_the_lock(
    db: Any, tmp_path: Path, settings: Any, held: bool, monkeypatch: Any
) -> None:
    import fcntl

    calls: list[str] = []
    monkeypatch.setattr(services, "_backup_if_due", lambda now: calls.append("ran"))
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    monkeypatch.setattr(scheduler.connections, "close_all", lambda: None)
    lock = Path(settings.VAR_DIR) / "backup.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as other:
        if held:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        scheduler.tick()
    assert calls == ([] if held else ["ran"])
