from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.funds.models import Fund
from kongtun.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = (
        "Check every fund's books: entries balance, stay in their fund, are numbered without "
        "gaps, were not changed after posting, and balances equal the sums of their lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fund", metavar="CODE", help="check only this fund")

    def handle(self, *args: Any, **options: Any) -> None:
        fund = None
        if options["fund"]:
            fund = Fund.objects.filter(code=options["fund"]).first()
            if fund is None:
                raise CommandError(f"no fund with code {options['fund']!r}")
        problems = verify_ledger(fund)
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"books broken: {len(problems)} problem(s)")
        self.stdout.write("books intact")
