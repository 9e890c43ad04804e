from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kongtun.audit.verify import verify_audit


class Command(BaseCommand):
    help = "Check that no audit entry was edited, deleted or reordered."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_audit()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"audit trail broken: {len(problems)} problem(s)")
        self.stdout.write("audit trail intact")
