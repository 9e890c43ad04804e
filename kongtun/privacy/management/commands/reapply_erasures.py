from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kongtun.privacy.erasure import reapply_erasures_report


class Command(BaseCommand):
    help = "Erase again the members listed in the tombstone file (run after every restore)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = reapply_erasures_report()
        self.stdout.write(f"re-applied {len(report.applied)} erasure(s)")
        if report.skipped:
            # Active again or with a claim under way in the restored copy: left for a person.
            self.stdout.write(
                f"skipped {len(report.skipped)} (not left or with an open claim; check by hand): "
                + ", ".join(report.skipped)
            )
