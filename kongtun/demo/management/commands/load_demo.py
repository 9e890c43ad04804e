"""`manage.py load_demo`: the demo province (Lampang): funds, synthetic members, their
contributions, books, logins."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kongtun.demo.province import DEMO_PASSWORD, LOGIN_URL, MAX_SCALE, load_demo


def _width(text: str) -> int:
    """Columns a terminal gives the text: Thai vowel and tone marks sit on their consonant."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


class Command(BaseCommand):
    help = (
        "Load the demo province: ~90 Lampang funds with synthetic members, committees, about "
        "three years of members' contributions and books, and a login for every role. Safe "
        "to rerun: existing funds and users are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=f"multiply member counts (default 1.0, at most {MAX_SCALE}; e.g. 0.01 for tests)",
        )
        parser.add_argument("--funds", type=int, default=None, help="load only the first N funds")
        parser.add_argument(
            "--allow-on-https",
            action="store_true",
            help="run even when HTTPS is on, i.e. on a real deployment (it creates a superuser "
            "whose password is published)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # `make run` serves plain HTTP on loopback (HTTPS=false); a deployment reachable by
        # others has HTTPS on, and must not get a superuser whose password is in the docs.
        if settings.HTTPS and not options["allow_on_https"]:
            raise CommandError(
                "load_demo creates a superuser with a published password, so it refuses to run "
                "when HTTPS is on (a real deployment). Pass --allow-on-https to override."
            )
        scale = options["scale"]
        if not 0 < scale <= MAX_SCALE:
            raise CommandError(f"--scale must be above 0 and at most {MAX_SCALE}")
        verbosity = options["verbosity"]

        def progress(done: int, to_do: int, line: str) -> None:
            if verbosity >= 2:
                self.stdout.write(line)
            elif verbosity == 1 and (done % 10 == 0 or done == to_do):
                self.stdout.write(f"Loading the demo province: {done}/{to_do} funds")

        try:
            result = load_demo(scale=scale, funds_limit=options["funds"], progress=progress)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

        c = result.counts
        if result.funds_created:
            self.stdout.write(
                f"Created {result.funds_created} demo funds: {c['members']:,} members, "
                f"{c['status_changes']:,} status changes, {c['beneficiaries']:,} beneficiaries, "
                f"{c['consents']:,} consents, {c['branches']:,} branches, "
                f"{c['committee_seats']:,} committee seats, {c['applications']} co-funding "
                f"applications; {c['receipts'] + c['session_receipts']:,} receipts "
                f"({c['receipts_voided']:,} voided), {c['cocontributions']:,} co-funders' "
                f"payments, {c['sessions']} collection sessions; {c['claims']:,} welfare "
                f"claims decided at {c['meetings']:,} committee meetings; books with "
                f"{c['book_entries']:,} entries, {c['period_closes']:,} closed periods and "
                f"{c['vouchers']} vouchers."
            )
        if c["vetting_screened"] or c["laptop_funds"] or c["year_reports"]:
            self.stdout.write(
                f"Province: {c['vetting_screened']} co-funding applications screened against "
                f"CODI's criteria ({c['vetting_checks_recorded']} checks by a person, "
                f"{c['vetting_meetings_created']} committee meeting called); "
                f"{c['year_reports']} year reports of results and problems; "
                f"{c['laptop_funds']} fund on its own computer, imported from its signed package."
            )
        if result.funds_existing:
            self.stdout.write(
                f"{result.funds_existing} demo funds already existed; left as they are."
            )
        self.stdout.write(f"Users created: {result.users_created}. Time: {result.seconds:.1f} s.\n")
        rows = [("username", "password", "role", "fund / area", "")]
        rows += [
            (r.username, DEMO_PASSWORD, r.role, r.where, "new" if r.created else "existed")
            for r in result.logins
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for i, row in enumerate(rows):
            line = "  ".join(
                cell + " " * (widths[n] - _width(cell)) for n, cell in enumerate(row[:4])
            )
            self.stdout.write(f"  {line}  {row[4]}".rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(
            f"\nLog in at {LOGIN_URL} — all demo users share the password {DEMO_PASSWORD!r}"
            " (users that existed before keep whatever password they have now)."
        )
        self.stdout.write(
            "The chairs, treasurers, officers and the admin also need a code from an"
            " authenticator app (Google Authenticator, Microsoft Authenticator): at their first"
            " login Kongtun shows a QR code to set it up. To start a login's set-up again:"
            " manage.py mfa_reset USERNAME."
        )
