"""The in-process backup runner of the web server: no cron needed on a laptop.

Each server process (gunicorn worker) starts one daemon thread that wakes every minute and,
if the scheduled backup is due, makes it. The backup lock (a file lock in VAR_DIR, see
services.backup_lock) makes sure two workers, or a worker and `manage.py backup --if-due` from
a systemd timer, never run it at the same time; the due check runs under the lock, so the
second one finds the first one's record and does nothing.

Started by the backups app only when BACKUP_SCHEDULER is on, which only the server's
environment sets (`make run` puts it on the gunicorn command line): tests and management
commands never start it.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)
INTERVAL = 60.0  # seconds between checks
_started = threading.Event()
_stop = threading.Event()


def tick() -> None:
    """One check: take the lock, run the backup if it is due, let go of the connection."""
    from kongtun.backups import services

    close_old_connections()
    try:
        record = services.backup_if_due()
        if record is not None and not record.ok:
            log.error("Scheduled backup failed: %s", record.message)
    except services.BackupBusy:
        pass  # another worker or a manual backup is at it
    except Exception:
        log.exception("The backup scheduler's check failed")
    finally:
        connections.close_all()


def _loop() -> None:
    while not _stop.wait(INTERVAL):
        tick()


def start() -> None:
    """Start this process's runner once."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="kongtun-backup-scheduler", daemon=True).start()
