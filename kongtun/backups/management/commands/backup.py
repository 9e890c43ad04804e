"""`manage.py backup`: an encrypted backup of the live database into a folder (a USB stick)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.backups import selectors, services
from kongtun.backups.passphrase import passphrase_for


class Command(BaseCommand):
    help = "Make an encrypted backup of the database (see docs/backup.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", metavar="FOLDER", help="folder to write to (default: the schedule's folder)"
        )
        parser.add_argument("--passphrase-file", metavar="FILE")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="run the scheduled backup only if it is due (for a systemd timer or cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["if_due"]:
                record = services.backup_if_due()
                if record is None:
                    self.stdout.write("No backup is due.")
                    return
            else:
                folder = options["to"] or selectors.schedule_current().destination
                if not folder:
                    raise CommandError("Say where to write the backup: --to FOLDER.")
                passphrase = passphrase_for(options["passphrase_file"], prompt=True, twice=True)
                record = services.backup_create(folder=Path(folder), passphrase=passphrase)
        except services.BackupBusy as exc:
            raise CommandError(str(exc)) from exc
        if not record.ok:
            raise CommandError(f"Backup failed: {record.message}")
        self.stdout.write(
            f"Backup written: {Path(record.folder) / record.filename} "
            f"({record.size} bytes, sha256 {record.sha256})"
        )
