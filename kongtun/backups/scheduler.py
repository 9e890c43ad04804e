"""The in-process backup runner of the web server: no cron needed on a laptop.

Each server process (gunicorn worker) starts one daemon thread that wakes every minute and
makes the backup someone asked for with "Back up now", or the scheduled one when it is due,
and once a day runs the privacy jobs (retention, erasures re-applied). The backup lock (a file
lock in VAR_DIR, see services.backup_lock) makes sure two workers, or a worker and
`manage.py backup --if-due` from a systemd timer, never back up at the same time; the due
check runs under the lock, so the second one finds the first one's record and does nothing.

Turned on only by BACKUP_SCHEDULER, which only the server's environment sets (`make run` puts
it on the gunicorn command line), and even then started at a process's first request: a
worker's own thread (gunicorn --preload loads the app in the master, and threads do not follow
a fork), never in a management command (kongtun.env may set BACKUP_SCHEDULER for all of them).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)
INTERVAL = 60.0  # seconds between checks
_started_in: int | None = None  # the pid whose runner is started
_start_lock = threading.Lock()
_stop = threading.Event()


def tick() -> None:
    """One check: the backup if asked for or due, then the daily jobs; let go of the
    connection."""
    from kongtun.backups import services

    close_old_connections()
    try:
        try:
            record = services.backup_if_due()
            if record is not None and not record.ok:
                log.error("Backup failed: %s", record.message)
        except services.BackupBusy:
            pass  # another worker or a manual backup is at it
        except Exception:
            log.exception("The backup scheduler's check failed")
        try:
            services.daily_jobs_if_due()
        except Exception:
            log.exception("The daily privacy jobs failed")
    finally:
        connections.close_all()


def _loop() -> None:
    while not _stop.wait(INTERVAL):
        tick()


def in_management_command(argv: list[str] | None = None) -> bool:
    argv = sys.argv if argv is None else argv
    program = Path(argv[0]) if argv else Path()
    return program.name in {"manage.py", "django-admin", "django-admin.py"} or (
        program.name == "__main__.py" and program.parent.name == "django"
    )


def start() -> None:
    """Start this process's runner once."""
    global _started_in
    with _start_lock:
        if _started_in == os.getpid():
            return
        _started_in = os.getpid()
    threading.Thread(target=_loop, name="kongtun-backup-scheduler", daemon=True).start()


def start_on_request(sender: Any, **kwargs: Any) -> None:
    if _started_in != os.getpid():
        start()


def started() -> bool:
    return _started_in == os.getpid()
