from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.accounts.models import User
from kongtun.exchange.package import PackageRefused
from kongtun.exchange.services import package_import
from kongtun.funds.models import Fund
from kongtun.network.access import funds_recordable_by


class Command(BaseCommand):
    help = (
        "Import a fund's signed data package (.kongtun.zip) on the province server, with every "
        "check the officer's import page makes. Exits 1 when the package is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the package file")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="import as this province officer (only their province's funds); "
            "without it, for any fund on this server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        actor = None
        funds = Fund.objects.all()
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
            funds = funds_recordable_by(actor)
        with path.open("rb") as file:
            try:
                outcome = package_import(
                    file=file,
                    size=path.stat().st_size,
                    filename=path.name,
                    funds=funds,
                    actor=actor,
                )
            except PackageRefused as exc:
                raise CommandError(f"refused ({exc.code}): {exc.message}") from exc
        self.stdout.write(f"{outcome.status}: {outcome.message}")
