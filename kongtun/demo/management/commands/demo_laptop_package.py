"""`manage.py demo_laptop_package`: run by load_demo in a second installation of its own (its
own SQLite file) to make the demo laptop fund's signed package. Not for use by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kongtun.demo.laptop import build_on_laptop


class Command(BaseCommand):
    help = "Load the demo laptop fund into this (empty) database and export its package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="folder for the package and the key")
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        build_on_laptop(out=Path(options["out"]), scale=options["scale"], seed=options["seed"])
