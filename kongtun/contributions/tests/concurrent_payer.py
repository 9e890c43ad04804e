"""The processes of the concurrency tests: seed a fund, take payments, report what was stored.

Run as `python -m kongtun.contributions.tests.concurrent_payer COMMAND SPEC_JSON`, with the
environment of a real deployment on a database of the test's own (test_concurrency.py makes
it). Each command writes its answer as JSON to `spec["out"]`.

A payer first gets everything ready (Django loaded, connected, its collection session open),
says so by creating its `ready` file, and waits for the test to create the `go` file, so all
payers post at the same moment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

JOINED = dt.date(2024, 1, 1)
PAID_ON = dt.date(2024, 6, 3)
BARRIER_TIMEOUT = 120.0  # seconds; only reached if the test itself died


def seed(spec: dict[str, Any]) -> dict[str, Any]:
    """A fund with its chart, a 30-baht monthly plan (20-baht entry fee), a treasurer,
    collectors and active members who joined on 1 Jan 2024."""
    from kongtun.accounts.models import User
    from kongtun.contributions.services import plan_create
    from kongtun.funds.models import Fund, FundRole
    from kongtun.funds.tenancy import fund_scope
    from kongtun.geo.models import Tambon
    from kongtun.ledger.services import chart_install
    from kongtun.members.services import MemberInput, member_register

    fund = Fund.objects.create(
        code=spec["fund"],
        name=f"กองทุนทดสอบพร้อมกัน {spec['fund']}",
        tambon=Tambon.objects.get(code="520101"),
        founded_on=dt.date(2010, 1, 1),
    )
    treasurer = User.objects.create_user(f"{spec['fund']}-treasurer", full_name="เหรัญญิก")
    FundRole.objects.create(fund=fund, user=treasurer, role="treasurer")
    for i in range(spec["collectors"]):
        user = User.objects.create_user(f"{spec['fund']}-collector-{i}", full_name=f"ผู้เก็บ {i}")
        FundRole.objects.create(fund=fund, user=user, role="collector")
    numbers = []
    with fund_scope(fund):
        chart_install(fund=fund)
        plan_create(
            fund=fund,
            actor=treasurer,
            name="รายเดือน 30 บาท",
            frequency="monthly",
            amount=Decimal("30.00"),
            entry_fee=Decimal("20.00"),
        )
        for i in range(spec["members"]):
            member = member_register(
                fund=fund,
                actor=treasurer,
                data=MemberInput(
                    first_name=f"สมาชิก{i}",
                    last_name="พร้อมกัน",
                    national_id=_national_id(spec["id_base"] + i),
                    birth_date=dt.date(1960, 1, 1),
                    joined_on=JOINED,
                ),
            )
            assert member.status == "active", member.status
            numbers.append(member.number)
    return {"members": numbers}


def _national_id(seed: int) -> str:
    """A synthetic ID with a valid check digit, starting with 5 so it reads as test data."""
    body = f"5{seed:011d}"[:12]
    total = sum(int(d) * (13 - i) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)


def pay(spec: dict[str, Any]) -> dict[str, Any]:
    """Record `spec["payments"]` (amount, idempotency key or null) for one member, one
    transaction each, as collector `spec["actor"]` (in their open session when
    `spec["session"]`), starting when the test says go."""
    from django.db import connection

    from kongtun.accounts.models import User
    from kongtun.contributions.services import payment_record, session_open
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=spec["actor"])
    with fund_scope(fund):
        member = Member.objects.get(fund=fund, number=spec["member"])
        session = (
            session_open(fund=fund, collector=actor, date=PAID_ON) if spec["session"] else None
        )
        connection.ensure_connection()
        _barrier(Path(spec["ready"]), Path(spec["go"]))
        issued, slowest = [], 0.0
        for amount, key in spec["payments"]:
            start = time.monotonic()
            receipt = payment_record(
                member=member,
                actor=actor,
                amount=Decimal(amount),
                date=PAID_ON,
                session=session,
                idempotency_key=key,
            )
            slowest = max(slowest, time.monotonic() - start)
            issued.append([receipt.number, str(receipt.total), key])
    # The longest a payment took, waiting for the lock included: how close SQLite's writers
    # came to the busy timeout (for whoever reads a failure; nothing asserts on time).
    return {
        "receipts": issued,
        "session": str(session.code) if session else None,
        "slowest": slowest,
    }


def _barrier(ready: Path, go: Path) -> None:
    ready.touch()
    deadline = time.monotonic() + BARRIER_TIMEOUT
    while not go.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {go} within {BARRIER_TIMEOUT} s")
        time.sleep(0.002)


def report(spec: dict[str, Any]) -> dict[str, Any]:
    """What the database holds for the fund, and every check the books offer."""
    from django.db.models import Count, Sum

    from kongtun.audit.verify import verify_audit
    from kongtun.contributions.models import CollectionSession, Receipt, ReceiptCounter, Standing
    from kongtun.contributions.services import session_total, verify_standing
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.models import Account, JournalEntry, LedgerHead
    from kongtun.ledger.selectors import account_balance
    from kongtun.ledger.verify import verify_ledger
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    with fund_scope(fund):
        receipts = Receipt.objects.filter(fund=fund).order_by("fiscal_year", "seq")
        members = {}
        for member in Member.objects.filter(fund=fund).order_by("number"):
            standing = Standing.objects.filter(member=member).first()
            if standing is None:
                continue
            paid = Receipt.objects.filter(member=member).aggregate(
                total=Sum("total"), contribution=Sum("contribution"), fee=Sum("fee")
            )
            members[member.number] = {
                "credit": str(standing.credit),
                "fees_due": str(standing.fees_due),
                "paid_through": standing.paid_through.isoformat(),
                "paid": {k: str(v) for k, v in paid.items()},
                "verify_standing": verify_standing(member),
            }
        keys = (
            receipts.exclude(idempotency_key=None)
            .values("idempotency_key")
            .annotate(n=Count("pk"))
            .order_by()
        )
        cash = Account.objects.get(fund=fund, role="cash")
        return {
            "receipts": [[r.number, r.seq, str(r.total), r.idempotency_key] for r in receipts],
            "receipt_counter": list(
                ReceiptCounter.objects.filter(fund=fund).values_list("fiscal_year", "last")
            ),
            "entries": list(
                JournalEntry.objects.filter(fund=fund)
                .order_by("number")
                .values_list("number", flat=True)
            ),
            "ledger_head": LedgerHead.objects.get(fund=fund).number,
            "cash": str(account_balance(fund=fund, account=cash)),
            "members": members,
            "keys": {row["idempotency_key"]: row["n"] for row in keys},
            "sessions": {
                str(s.code): str(session_total(s))
                for s in CollectionSession.objects.filter(fund=fund)
            },
            "verify_ledger": [str(p) for p in verify_ledger(fund)],
            "verify_audit": [str(p) for p in verify_audit()],
        }


COMMANDS = {"seed": seed, "pay": pay, "report": report}


def main(argv: list[str]) -> None:
    import django

    command, spec = COMMANDS[argv[0]], json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
    django.setup()
    Path(spec["out"]).write_text(json.dumps(command(spec)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
