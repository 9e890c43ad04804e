from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.exchange.services import package_export, public_key_text, signing_key_get_or_create
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.thaidate import InvalidDate, parse_date


class Command(BaseCommand):
    help = (
        "On the fund's own computer: write the fund's next signed data package for the "
        "province, or with --show-key only print the key line and fingerprint to send."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fund", metavar="CODE", help="the fund's code")
        parser.add_argument(
            "--as-of", metavar="DATE", help="figures as of this date (BE or CE); default today"
        )
        parser.add_argument(
            "--full",
            metavar="PURPOSE",
            help="include the fund's full data (members' personal data), for this stated purpose",
        )
        parser.add_argument("-o", "--output", metavar="DIR", default=".", help="folder to write to")
        parser.add_argument("--user", metavar="USERNAME", help="recorded as who made it")
        parser.add_argument("--show-key", action="store_true", help="print the key and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        fund = Fund.objects.filter(code=options["fund"]).first()
        if fund is None:
            raise CommandError(f"no fund with code {options['fund']!r}")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        except InvalidDate as exc:
            raise CommandError(exc.reason) from exc
        with fund_scope(fund):
            if options["show_key"]:
                key = signing_key_get_or_create(fund=fund, actor=actor)
                self.stdout.write(public_key_text(key))
                self.stdout.write(f"fingerprint: {key.fingerprint}")
                return
            self._export(fund, actor, as_of, options)

    def _export(self, fund: Fund, actor: Any, as_of: dt.date, options: dict[str, Any]) -> None:
        folder = Path(options["output"])
        if not folder.is_dir():
            raise CommandError(f"no folder {folder}")
        partial = folder / f".kongtun-{fund.code}.partial"
        try:
            with partial.open("w+b") as out:
                exported = package_export(
                    fund=fund,
                    actor=actor,
                    as_of=as_of,
                    include_full_data=bool(options["full"]),
                    purpose=options["full"] or "",
                    out=out,
                )
        except ValidationError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(" ".join(exc.messages)) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        target = folder / exported.filename
        partial.replace(target)
        self.stdout.write(str(target))
