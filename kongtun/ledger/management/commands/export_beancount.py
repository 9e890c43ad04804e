from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.beancount import fund_to_beancount


class Command(BaseCommand):
    help = "Write a fund's books as a Beancount file for its auditor (check it with bean-check)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fund", metavar="CODE", help="the fund's code")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        fund = Fund.objects.filter(code=options["fund"]).first()
        if fund is None:
            raise CommandError(f"no fund with code {options['fund']!r}")
        with fund_scope(fund):
            text = fund_to_beancount(fund)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
