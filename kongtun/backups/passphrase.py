"""Where a command gets the backup passphrase: a file, the environment, or the keyboard."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def passphrase_for(option_file: str | None, *, prompt: bool, twice: bool = False) -> str:
    """--passphrase-file wins, then BACKUP_PASSPHRASE, then (on a terminal) a prompt; never
    a command-line argument, which other users of the machine could read from the process
    list. `twice`: a new backup's passphrase is typed twice, since a typo would make the
    backup one nobody can open."""
    if option_file:
        try:
            text = Path(option_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read the passphrase file: {exc.strerror}") from exc
        return text.rstrip("\r\n")
    if settings.BACKUP_PASSPHRASE:
        return str(settings.BACKUP_PASSPHRASE)
    if prompt and sys.stdin.isatty():
        typed = getpass.getpass("Backup passphrase: ")
        if twice and getpass.getpass("The same passphrase again: ") != typed:
            raise CommandError("The two passphrases differ; nothing was written.")
        return typed
    raise CommandError(
        "No backup passphrase: use --passphrase-file FILE or set BACKUP_PASSPHRASE "
        "(see docs/backup.md)."
    )
