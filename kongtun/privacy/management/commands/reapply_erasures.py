from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kongtun.privacy.erasure import reapply_erasures


class Command(BaseCommand):
    help = "Erase again the members listed in the tombstone file (run after every restore)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reapply_erasures()
        self.stdout.write(f"re-applied {count} erasure(s)")
