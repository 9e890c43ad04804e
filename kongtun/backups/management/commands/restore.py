"""`manage.py restore FILE`: check an encrypted backup, then put it in place of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.backups import services
from kongtun.backups.fileformat import BackupFileError
from kongtun.backups.passphrase import passphrase_for


class Command(BaseCommand):
    help = (
        "Restore an encrypted backup: decrypt it aside, check it (integrity, foreign keys, "
        "schema, books, audit trail), and only then replace the live database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--passphrase-file", metavar="FILE")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        passphrase = passphrase_for(options["passphrase_file"], prompt=True)
        try:
            restored = services.restore_backup(
                path=path,
                passphrase=passphrase,
                confirm=None if options["yes"] else self._confirm,
            )
        except BackupFileError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        except services.RestoreRefused as exc:
            lines = [str(exc), *(f"  - {p}" for p in exc.problems[:30])]
            raise CommandError("\n".join(lines)) from exc
        except services.BackupError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        header, checks = restored.header, restored.checks
        self.stdout.write(f"Restored the backup made at {header.get('created_at')}.")
        if checks.get("migrated"):
            self.stdout.write(f"Brought up to date: {len(checks['migrated'])} migrations.")
        self.stdout.write(
            "Checks passed: " + ", ".join(f"{k} {v}" for k, v in checks["counts"].items())
        )
        for note in restored.notes:
            self.stdout.write(note)
        self.stdout.write(f"Erasures re-applied: {restored.erasures_reapplied}")

    def _confirm(self, header: dict[str, Any], checks: dict[str, Any]) -> bool:
        self.stdout.write(
            f"The backup made at {header.get('created_at')} passed every check "
            f"({', '.join(f'{k} {v}' for k, v in checks['counts'].items())})."
        )
        answer = input("Replace the live database with it? Type yes: ")
        return answer.strip().lower() == "yes"
