from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kongtun.privacy.retention import retention_run


class Command(BaseCommand):
    help = "Pseudonymise or delete personal data whose retention period has passed (PDPA §37)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_run(today=options["today"], dry_run=options["dry_run"])
        verb = "would remove" if result.dry_run else "removed"
        self.stdout.write(
            f"{verb}: {result.applicants} applicant(s), {result.finished_members} former "
            f"member(s), {result.documents} evidence file(s), {result.access_log_rows} "
            "access-log row(s)"
        )
