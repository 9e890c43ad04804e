"""The processes of the books' concurrency test: seed a fund, work its books, watch them, report.

Run as `python -m kongtun.ledger.tests.concurrent_books COMMAND SPEC_JSON` on a database of
the test's own (test_concurrency.py here makes it). Each command writes its answer as JSON to
`spec["out"]`.

A worker does what a fund's desk does all day, through the services a page calls: takes
members' payments (some forms sent twice, some sent by every worker at once) and moves money
between the cash box and the bank with payment vouchers that another person approves. A
watcher reads the books meanwhile and notes every read that breaks what must always hold.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

DAY = dt.date(2024, 6, 3)
OPENED = dt.date(2024, 1, 2)
OPENING = {"1101": Decimal("500000.00"), "1111": Decimal("500000.00")}  # cash, bank
CASH, BANK, OPENING_ACCOUNT = "1101", "1111", "3201"
MAX_SENDS = 20
T = TypeVar("T")


# --- The plan of operations: the test predicts from the same functions -----------------------


def operation(worker: int, i: int, members: int) -> dict[str, Any]:
    """Operation `i` of `worker`: what it does, with what key, for how much.

    Six in ten are payments, of which one in twenty-five is a form every worker sends at once
    (the same key, member and amount for all) and others are sent twice in a row; four in ten
    move money, cash to bank or back, some sent twice: as a voucher another person approves,
    or as a plain transfer entry.
    """
    kind = i % 10
    if kind < 6:
        if i % 25 == 0:
            return {
                "op": "pay",
                "key": f"shared-{i}",
                "member": (i // 25) % members,
                "amount": f"{50 + (i // 25) % 7 * 10}.{i % 100:02d}",
                "sends": 1,
            }
        return {
            "op": "pay",
            "key": f"w{worker}-{i}",
            "member": (worker * 7 + i) % members,
            "amount": f"{30 + worker * 7 + (i % 5) * 30}.{(i * 13 + worker) % 100:02d}",
            "sends": 2 if i % 20 == 3 else 1,
        }
    deposit = kind in (6, 8)
    return {
        "op": "deposit" if deposit else "withdraw",
        "key": f"v{worker}-{i}",
        "amount": f"{300 if deposit else 200}.{(i * 7 + worker) % 100:02d}",
        # One transfer in five is a voucher approved by a second person; the others are
        # posted as entries, which is cheaper and keeps the run short.
        "voucher": (i // 10) % 5 == 0,
        "sends": 2 if i % 30 == 6 else 1,
    }


def _sent(call: Callable[[], T], retried: list[int]) -> T:
    """`call` as a person sends a form: if SQLite was too busy to take it (every writer waits
    its turn for the one write lock, and a loaded machine can make the wait longer than the
    busy timeout), they send the same form, same key, again. Counted in `retried`."""
    from django.db import OperationalError

    for attempt in range(1, MAX_SENDS + 1):
        try:
            return call()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == MAX_SENDS:
                raise
            retried[0] += 1
    raise AssertionError("unreachable")


# --- Commands -----------------------------------------------------------------------------


def seed(spec: dict[str, Any]) -> dict[str, Any]:
    """The fund of the payers' test, a chair who approves vouchers, and opening balances."""
    from kongtun.accounts.models import User
    from kongtun.contributions.tests.concurrent_payer import seed as seed_fund
    from kongtun.funds.models import Fund, FundRole
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger import core
    from kongtun.ledger.models import JournalEntry
    from kongtun.ledger.services import entry_post

    members = seed_fund({**spec, "collectors": 0})["members"]
    fund = Fund.objects.get(code=spec["fund"])
    treasurer = User.objects.get(username=f"{fund.code}-treasurer")
    chair = User.objects.create_user(f"{fund.code}-chair", full_name="ประธาน")
    FundRole.objects.create(fund=fund, user=chair, role="chair")
    postings = [core.Posting(code, amount) for code, amount in OPENING.items()]
    postings.append(core.Posting(OPENING_ACCOUNT, -sum(OPENING.values(), Decimal(0)), "members"))
    with fund_scope(fund):
        entry_post(
            fund=fund,
            actor=treasurer,
            entry=core.Entry(OPENED, "ยอดยกมา", tuple(postings)),
            kind=JournalEntry.Kind.OPENING,
        )
    return {"members": members}


def work(spec: dict[str, Any]) -> dict[str, Any]:
    """Do operations 0…n−1 of worker `spec["worker"]`, starting when the test says go;
    return every receipt and voucher it was given."""
    from django.db import connection

    from kongtun.accounts.models import User
    from kongtun.contributions.services import payment_record
    from kongtun.contributions.tests.concurrent_payer import _barrier
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger import core
    from kongtun.ledger.models import Account, JournalEntry, Voucher
    from kongtun.ledger.services import (
        VoucherLineInput,
        entry_post,
        voucher_approve,
        voucher_create,
    )
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    treasurer = User.objects.get(username=f"{fund.code}-treasurer")
    chair = User.objects.get(username=f"{fund.code}-chair")
    worker = spec["worker"]
    with fund_scope(fund):
        members = list(Member.objects.filter(fund=fund).order_by("number"))
        accounts = {a.code: a for a in Account.objects.filter(fund=fund, code__in=(CASH, BANK))}
        connection.ensure_connection()
        _barrier(Path(spec["ready"]), Path(spec["go"]))

        def send(op: dict[str, Any]) -> tuple[str, list[Any]]:
            """One form, sent once: what the page would show back."""
            amount = Decimal(op["amount"])
            if op["op"] == "pay":
                receipt = payment_record(
                    member=members[op["member"]],
                    actor=treasurer,
                    amount=amount,
                    date=DAY,
                    idempotency_key=op["key"],
                )
                return "receipts", [receipt.number, str(receipt.total), op["key"]]
            source, target = (CASH, BANK) if op["op"] == "deposit" else (BANK, CASH)
            description = "ฝากเงิน" if op["op"] == "deposit" else "ถอนเงิน"
            if not op["voucher"]:
                entry = entry_post(
                    fund=fund,
                    actor=treasurer,
                    entry=core.Entry(
                        DAY,
                        description,
                        (core.Posting(target, amount), core.Posting(source, -amount)),
                    ),
                    kind=JournalEntry.Kind.OTHER,
                    idempotency_key=op["key"],
                )
                return "transfers", [op["key"], op["op"], op["amount"], entry.number]
            voucher = voucher_create(
                fund=fund,
                actor=treasurer,
                kind=Voucher.Kind.PAYMENT,
                date=DAY,
                party="ธนาคาร",
                description=description,
                money_account=accounts[source],
                lines=[VoucherLineInput(accounts[target], amount)],
                idempotency_key=op["key"],
            )
            voucher = voucher_approve(voucher=voucher, actor=chair)
            assert voucher.entry is not None
            return "vouchers", [voucher.number, op["op"], op["amount"], voucher.entry.number]

        told: dict[str, list[list[Any]]] = {"receipts": [], "vouchers": [], "transfers": []}
        retried = [0]
        for i in range(spec["operations"]):
            op = operation(worker, i, len(members))
            for _send in range(op["sends"]):
                kind, row = _sent(partial(send, op), retried)
                told[kind].append(row)
    return {**told, "retried": retried[0]}


def watch(spec: dict[str, Any]) -> dict[str, Any]:
    """Read the books over and over until the test says stop; count the reads that broke a rule.

    Each read is one statement, so it sees one moment of the books on either database: all
    lines add up to zero, the money brought in at the opening is still all there, and neither
    the cash box nor the bank is below zero.
    """
    from django.db.models import Sum

    from kongtun.contributions.tests.concurrent_payer import _barrier
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.models import JournalLine

    fund = Fund.objects.get(code=spec["fund"])
    opening = -sum(OPENING.values())
    reads, broken = 0, []
    with fund_scope(fund):
        _barrier(Path(spec["ready"]), Path(spec["go"]))
        stop = Path(spec["stop"])
        while not stop.exists():
            sums = dict(
                JournalLine.objects.filter(fund=fund)
                .order_by()
                .values("account__code")
                .annotate(total=Sum("amount"))
                .values_list("account__code", "total")
            )
            reads += 1
            total = sum(sums.values(), Decimal(0))
            if (
                total != 0
                or sums.get(OPENING_ACCOUNT) != opening
                or sums.get(CASH, 0) < 0
                or sums.get(BANK, 0) < 0
            ):
                broken.append({code: str(v) for code, v in sums.items()})
            time.sleep(0.1)
    return {"reads": reads, "broken": broken[:5], "broken_count": len(broken)}


def report(spec: dict[str, Any]) -> dict[str, Any]:
    """What the books hold for the fund, and every check they offer."""
    from django.db.models import Count, Sum

    from kongtun.audit.verify import verify_audit
    from kongtun.contributions.models import Receipt, ReceiptCounter, Standing
    from kongtun.contributions.services import verify_standing
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.models import Account, JournalEntry, JournalLine, LedgerHead, Voucher
    from kongtun.ledger.selectors import account_balance, balances
    from kongtun.ledger.verify import verify_ledger
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    with fund_scope(fund):
        lines = dict(
            JournalLine.objects.filter(fund=fund)
            .order_by()
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        monthly = balances(fund=fund)  # from the monthly totals the database trigger keeps
        accounts = {
            a.code: {
                "balance": str(account_balance(fund=fund, account=a)),
                "lines": str(lines.get(a.pk, Decimal("0.00"))),
                "monthly": str(monthly.get(a.pk, Decimal("0.00"))),
            }
            for a in Account.objects.filter(fund=fund)
        }
        receipts = Receipt.objects.filter(fund=fund).order_by("fiscal_year", "seq")
        members = {
            m.number: {"credit": str(s.credit), "fees_due": str(s.fees_due)}
            | {"verify": verify_standing(m)}
            for m in Member.objects.filter(fund=fund).order_by("number")
            for s in Standing.objects.filter(member=m)
        }
        entries = JournalEntry.objects.filter(fund=fund).order_by("number")
        unbalanced = list(
            entries.annotate(n=Count("lines"), total=Sum("lines__amount"))
            .exclude(n__gte=2, total=0)
            .values_list("number", flat=True)
        )
        return {
            "accounts": accounts,
            "receipts": [
                [r.number, r.seq, str(r.total), r.idempotency_key, r.member.number]
                for r in receipts.select_related("member")
            ],
            "receipt_counter": list(
                ReceiptCounter.objects.filter(fund=fund).values_list("fiscal_year", "last")
            ),
            "vouchers": [
                [v.number, v.status, v.idempotency_key, v.entry.number if v.entry else None]
                for v in Voucher.objects.filter(fund=fund).select_related("entry").order_by("pk")
            ],
            "entries": list(entries.values_list("number", flat=True)),
            "transfers": [
                [e.idempotency_key, e.number, sorted(str(ln.amount) for ln in e.lines.all())]
                for e in entries.filter(kind=JournalEntry.Kind.OTHER).prefetch_related("lines")
            ],
            "entry_keys": list(
                entries.exclude(idempotency_key=None)
                .values("idempotency_key")
                .annotate(n=Count("pk"))
                .filter(n__gt=1)
                .values_list("idempotency_key", flat=True)
            ),
            "unbalanced": unbalanced,
            "ledger_head": LedgerHead.objects.get(fund=fund).number,
            "members": members,
            "verify_ledger": [str(p) for p in verify_ledger(fund)],
            "verify_audit": [str(p) for p in verify_audit()],
        }


COMMANDS = {"seed": seed, "work": work, "watch": watch, "report": report}


def main(argv: list[str]) -> None:
    import django

    command, spec = COMMANDS[argv[0]], json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
    django.setup()
    Path(spec["out"]).write_text(json.dumps(command(spec)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
