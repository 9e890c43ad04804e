"""When a scheduled backup is due, what the scheduled run does, what is pruned, when the
dashboard shows red, and that only the server starts the runner."""

from __future__ import annotations

import datetime as dt
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from kongtun.backups import fileformat, scheduler, selectors, services
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
    for day, path in enumerate(old, start=1):
        header = {"format": 2, "install": services.install_id(), "created_at": str(_at(day, 18))}
        raw = json.dumps(header).encode()
        path.write_bytes(fileformat.MAGIC + struct.pack(">I", len(raw)) + raw)
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
    assert not scheduler.started()
    # A process that serves a request: not at start-up (gunicorn --preload loads the app in
    # the master, whose threads no worker inherits), at its first request.
    code = (
        "import sys; sys.argv = [ARGV]; "
        "import django, threading; django.setup(); "
        "from django.core.signals import request_started; "
        "runner = lambda: any(t.name == 'kongtun-backup-scheduler' "
        "for t in threading.enumerate()); "
        "before = runner(); request_started.send(sender=None); "
        "print(before, runner())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kongtun.settings",
        "KONGTUN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for value, argv, expected in (
        ("false", "gunicorn", "False False"),
        ("true", "gunicorn", "False True"),
        ("true", "manage.py", "False False"),  # kongtun.env's BACKUP_SCHEDULER: not for commands
        ("true", "/venv/lib/django/__main__.py", "False False"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", code.replace("ARGV", repr(argv))],
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


def test_the_daily_jobs_run_once_a_local_day() -> None:
    assert services.daily_jobs_due(None, _at(26, 0, 5))
    assert not services.daily_jobs_due(_at(26, 0, 5), _at(26, 23, 59))
    assert services.daily_jobs_due(_at(26, 23, 59), _at(27, 0, 0))
    # 23:30 in Bangkok is still the 26th, though it is the 26th 16:30 in UTC.
    assert not services.daily_jobs_due(_at(26, 1), _at(26, 23, 30).astimezone(dt.UTC))


def test_the_runner_runs_retention_and_erasures_once_a_day(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(
        "kongtun.privacy.retention.retention_run", lambda **kw: ran.append("retention")
    )

    def reapply() -> int:
        ran.append("erasures")
        return 0

    monkeypatch.setattr("kongtun.privacy.erasure.reapply_erasures", reapply)
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    monkeypatch.setattr(scheduler.connections, "close_all", lambda: None)
    scheduler.tick()
    scheduler.tick()  # the same day: not again
    assert ran == ["erasures", "retention"]
    last = services.schedule_get().daily_jobs_at
    assert last is not None and timezone.localdate(last) == timezone.localdate()
    assert services.daily_jobs_if_due(timezone.now() + dt.timedelta(days=1))
    assert ran == ["erasures", "retention"] * 2


def test_a_failing_daily_job_does_not_stop_the_other(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def retention(**kw: Any) -> None:
        raise RuntimeError("a retention rule failed")

    def reapply() -> int:
        ran.append("erasures")
        return 0

    monkeypatch.setattr("kongtun.privacy.retention.retention_run", retention)
    monkeypatch.setattr("kongtun.privacy.erasure.reapply_erasures", reapply)
    assert services.daily_jobs_if_due(timezone.now())
    assert ran == ["erasures"]


def test_back_up_now_is_made_by_the_runner_when_it_is_on(
    db: Any, tmp_path: Path, settings: Any, users: Any
) -> None:
    settings.BACKUP_PASSPHRASE = "requested passphrase 2569"
    folder = tmp_path / "usb"
    folder.mkdir()
    services.schedule_update(actor=None, enabled=False, destination=str(folder))
    services.backup_request(actor=users["admin"])
    record = services.backup_if_due()
    assert record is not None and record.ok and not record.scheduled, record and record.message
    assert record.made_by == users["admin"]
    assert (folder / record.filename).is_file()
    assert services.backup_if_due() is None  # asked once, made once
