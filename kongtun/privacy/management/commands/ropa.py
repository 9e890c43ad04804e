from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kongtun.privacy.ropa import docs_with_ropa


def docs_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "privacy.md"


class Command(BaseCommand):
    help = "Write (--write) or check the record of processing in docs/privacy.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path = docs_path()
        current = path.read_text(encoding="utf-8")
        with translation.override("en"):
            wanted = docs_with_ropa(current)
        if options["write"]:
            path.write_text(wanted, encoding="utf-8")
        elif wanted != current:
            raise CommandError("docs/privacy.md is out of date: run manage.py ropa --write")
