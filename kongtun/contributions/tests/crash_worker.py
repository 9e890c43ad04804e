"""The processes of the crash tests: do an import or a collection batch, or look at what a
killed one left behind and finish it.

Run as `python -m kongtun.contributions.tests.crash_worker COMMAND SPEC_JSON` on a database
of the test's own (test_crash.py makes it, as test_concurrency.py does). Each command writes
its answer as JSON to `spec["out"]`; a killed `work` writes nothing.

`work` seeds a fund of its own, creates its `started` file, then does the job: for "import",
the member register file and then the opening-balances workbook, as a fund moving from paper
does; for "collect", a collector's session of many payments, counted, then handed to the
treasurer. `recover` is what a person does after the laptop died: it first reports what the
database holds (every check, before anything is written), then does the same job again
from the start, as the person would, and reports the books it ends with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

SESSION_DATE = dt.date(2024, 6, 3)
SHORT = Decimal("12.50")  # the collector's count falls short by this much: a posted difference
DOUBLE_CLICK_EVERY = 7  # every 7th payment form is sent twice


def _seed(spec: dict[str, Any]) -> None:
    from kongtun.contributions.tests.concurrent_payer import seed

    seed(
        {
            "fund": spec["fund"],
            "members": spec.get("members", 0),
            "collectors": 1,
            "id_base": spec.get("id_base", 0),
        }
    )


def collect_amount(i: int) -> Decimal:
    """Amounts differ payment by payment, so a lost or doubled one shows in every sum."""
    return Decimal(f"{20 + (i % 9) * 15}.{(i * 37) % 100:02d}")


def _do_import(spec: dict[str, Any]) -> None:
    from kongtun.accounts.models import User
    from kongtun.contributions.opening import opening_import
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.importing import commit_member_import

    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=f"{fund.code}-treasurer")
    with fund_scope(fund):
        register = Path(spec["register"]).read_bytes()
        commit_member_import(fund=fund, actor=actor, filename="register.csv", data=register)
        opening = Path(spec["opening"]).read_bytes()
        opening_import(fund=fund, actor=actor, filename="opening.xlsx", data=opening)


def _do_collect(spec: dict[str, Any]) -> None:
    """One collector's round: open (or resume) the session, take every payment with its
    form's key, count the cash, and the treasurer takes it."""
    from kongtun.accounts.models import User
    from kongtun.contributions.models import CollectionSession
    from kongtun.contributions.services import (
        payment_record,
        session_accept,
        session_close,
        session_open,
        session_total,
    )
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    collector = User.objects.get(username=f"{fund.code}-collector-0")
    treasurer = User.objects.get(username=f"{fund.code}-treasurer")
    with fund_scope(fund):
        members = list(Member.objects.filter(fund=fund).order_by("number"))
        # The collector's page lists the session of the day whatever its state, and resumes it.
        session = (
            CollectionSession.objects.filter(fund=fund, collector=collector, date=SESSION_DATE)
            .order_by("pk")
            .first()
        ) or session_open(fund=fund, collector=collector, date=SESSION_DATE)
        for i in range(spec["payments"]):
            sends = 2 if i % DOUBLE_CLICK_EVERY == 3 else 1
            for _send in range(sends):
                payment_record(
                    member=members[i % len(members)],
                    actor=collector,
                    amount=collect_amount(i),
                    session=session,
                    idempotency_key=f"collect-{i}",
                )
        session.refresh_from_db()
        if session.state == CollectionSession.State.OPEN:
            counted = session_total(session) - SHORT
            session = session_close(
                session=session, actor=collector, counted=counted, note="เงินทอนผิด"
            )
        if session.state == CollectionSession.State.CLOSED:
            session_accept(session=session, actor=treasurer)


JOBS = {"import": _do_import, "collect": _do_collect}


def work(spec: dict[str, Any]) -> dict[str, Any]:
    """Seed the fund, say so, then do the job; the test may kill this process at any time."""
    _seed(spec)
    Path(spec["started"]).touch()
    start = time.monotonic()
    JOBS[spec["job"]](spec)
    return {"seconds": time.monotonic() - start}


def recover(spec: dict[str, Any]) -> dict[str, Any]:
    """What the killed process left (checked before anything is written), then the job done
    again from the start, then the books it ends with."""
    from kongtun.funds.models import Fund

    if not Fund.objects.filter(code=spec["fund"]).exists():
        return {"seeded": False}  # killed before its seed committed: nothing to look at
    left = inspect(spec)
    JOBS[spec["job"]](spec)
    return {"seeded": True, "left": left, "after": inspect(spec)}


# --- What the database holds ------------------------------------------------------------------


def inspect(spec: dict[str, Any]) -> dict[str, Any]:
    """Every check of the fund's books, its problems listed (none expected), and canonical
    digests of what it holds, by business content only (no ids, codes or timestamps)."""
    from kongtun.audit.verify import verify_audit
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.verify import verify_ledger

    fund = Fund.objects.get(code=spec["fund"])
    with fund_scope(fund):
        ledger, entries = _ledger(fund)
        problems = [str(p) for p in verify_ledger(fund)]
        problems += [str(p) for p in verify_audit()]
        problems += _entries_whole(fund)
        records, counts = _records(fund)
        problems += _import_whole(fund, spec) if spec["job"] == "import" else _collect_whole(fund)
    return {
        "problems": problems,
        "entries": entries,
        "ledger": hashlib.sha256(ledger.encode()).hexdigest(),
        "records": hashlib.sha256(records.encode()).hexdigest(),
        "counts": counts,
    }


def _ledger(fund: Any) -> tuple[str, int]:
    from kongtun.ledger.models import JournalEntry, JournalLine

    lines: dict[int, list[tuple[str, str, str]]] = {}
    for entry_id, code, amount, source in (
        JournalLine.objects.filter(fund=fund)
        .order_by()
        .values_list("entry_id", "account__code", "amount", "source")
    ):
        lines.setdefault(entry_id, []).append((code, str(amount), source))
    rows = []
    for pk, number, date, kind, memo, reverses in (
        JournalEntry.objects.filter(fund=fund)
        .order_by("number")
        .values_list("pk", "number", "date", "kind", "memo", "reverses__number")
    ):
        rows.append([number, date.isoformat(), kind, memo, reverses, sorted(lines.get(pk, []))])
    return json.dumps(rows, ensure_ascii=False), len(rows)


def _records(fund: Any) -> tuple[str, dict[str, int]]:
    """Members, standings, receipts, past payments and sessions as the fund's people see them."""
    from kongtun.contributions.models import (
        CollectionSession,
        MemberPlan,
        OpeningImport,
        PastPayment,
        Receipt,
        Standing,
    )
    from kongtun.members.models import ImportBatch, Member, StatusChange

    members = list(
        Member.objects.filter(fund=fund)
        .order_by("number")
        .values_list("number", "first_name", "last_name", "national_id_tail", "status")
    )
    standings = sorted(
        (n, str(c), p.isoformat(), str(f))
        for n, c, p, f in Standing.objects.filter(fund=fund).values_list(
            "member__number", "credit", "paid_through", "fees_due"
        )
    )
    receipts = [
        (y, s, n, str(t), str(c), str(f), p.isoformat(), k, e)
        for y, s, n, t, c, f, p, k, e in Receipt.objects.filter(fund=fund)
        .order_by("fiscal_year", "seq")
        .values_list(
            "fiscal_year",
            "seq",
            "member__number",
            "total",
            "contribution",
            "fee",
            "paid_through",
            "idempotency_key",
            "entry__number",
        )
    ]
    past = sorted(
        (n, d.isoformat(), str(a), r)
        for n, d, a, r in PastPayment.objects.filter(fund=fund).values_list(
            "member__number", "date", "amount", "reference"
        )
    )
    sessions = [
        (s, str(e), str(c), d)
        for s, e, c, d in CollectionSession.objects.filter(fund=fund)
        .order_by("pk")
        .values_list("state", "expected", "counted", "difference_entry__number")
    ]
    content = json.dumps([members, standings, receipts, past, sessions], ensure_ascii=False)
    counts = {
        "members": len(members),
        "status_changes": StatusChange.objects.filter(fund=fund).count(),
        "import_batches": ImportBatch.objects.filter(fund=fund).count(),
        "opening_imports": OpeningImport.objects.filter(fund=fund).count(),
        "member_plans": MemberPlan.objects.filter(fund=fund).count(),
        "standings": len(standings),
        "past_payments": len(past),
        "receipts": len(receipts),
        "sessions": len(sessions),
    }
    return content, counts


def _entries_whole(fund: Any) -> list[str]:
    """Every entry has two or more lines adding up to zero, numbered 1…n up to the head."""
    from django.db.models import Count, Sum

    from kongtun.ledger.models import JournalEntry, LedgerHead

    problems = []
    rows = (
        JournalEntry.objects.filter(fund=fund)
        .order_by("number")
        .annotate(n=Count("lines"), total=Sum("lines__amount"))
        .values_list("number", "n", "total")
    )
    numbers = []
    for number, n, total in rows:
        numbers.append(number)
        if n < 2 or total != 0:
            problems.append(f"entry {number}: {n} lines adding up to {total}")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"entry numbers not 1…n: {numbers[:5]}…")
    head = LedgerHead.objects.filter(fund=fund).values_list("number", flat=True).first() or 0
    if head != len(numbers):
        problems.append(f"the books' head says {head} entries, there are {len(numbers)}")
    return problems


def _audited(fund: Any, action: str) -> int:
    from kongtun.audit.models import AuditEntry
    from kongtun.audit.services import chain_for

    return AuditEntry.objects.filter(chain=chain_for(fund), action=action).count()


def _import_whole(fund: Any, spec: dict[str, Any]) -> list[str]:
    """Each file is in whole or not at all: its rows, their history, the entry, the audit."""
    from kongtun.contributions.models import MemberPlan, OpeningImport, PastPayment, Standing
    from kongtun.ledger.models import JournalEntry
    from kongtun.members.models import ImportBatch, Member

    problems = []
    rows, history = spec["register_rows"], spec["history_rows"]
    members = Member.objects.filter(fund=fund).count()
    batches = list(ImportBatch.objects.filter(fund=fund).values_list("rows_added", flat=True))
    imported = Member.objects.filter(fund=fund, import_batch__isnull=False).count()
    register = (members, imported, batches, _audited(fund, "members.member.imported"))
    if register not in ((0, 0, [], 0), (rows, rows, [rows], rows)):
        problems.append(f"register half imported: members, imported, batches, … = {register}")
    openings = list(OpeningImport.objects.filter(fund=fund).values_list("entry_id", flat=True))
    opening = (
        len(openings),
        PastPayment.objects.filter(fund=fund).count(),
        Standing.objects.filter(fund=fund).count(),
        MemberPlan.objects.filter(fund=fund).count(),
        JournalEntry.objects.filter(fund=fund, kind=JournalEntry.Kind.OPENING).count(),
        _audited(fund, "contributions.opening.imported"),
        _audited(fund, "contributions.opening.member"),
    )
    whole = (1, history, rows, rows, 1, 1, rows)
    if opening not in ((0, 0, 0, 0, 0, 0, 0), whole) or (openings and openings[0] is None):
        problems.append(f"opening half imported: imports, history, standings, … = {opening}")
    if openings and not batches:
        problems.append("opening balances imported without the register")
    return problems


def _collect_whole(fund: Any) -> list[str]:
    """Each receipt has its entry, its number and its audit; the session adds up."""
    from django.db.models import Sum

    from kongtun.contributions.models import CollectionSession, Receipt, ReceiptCounter
    from kongtun.contributions.services import verify_standing
    from kongtun.ledger.models import JournalEntry, JournalLine
    from kongtun.members.models import Member

    problems = []
    receipts = list(
        Receipt.objects.filter(fund=fund)
        .order_by("fiscal_year", "seq")
        .values_list("seq", "total", "entry_id", "money_account_id", "idempotency_key")
    )
    if [seq for seq, *_rest in receipts] != list(range(1, len(receipts) + 1)):
        problems.append("receipt numbers are not 1…n")
    last = sum(ReceiptCounter.objects.filter(fund=fund).values_list("last", flat=True))
    if last != len(receipts):
        problems.append(f"the receipt counter says {last}, there are {len(receipts)} receipts")
    keys = Counter(key for *_rest, key in receipts)
    if any(n > 1 for n in keys.values()) or None in keys:
        problems.append("a payment form was recorded twice or without its key")
    brought_in = {
        entry_id: (account_id, amount)
        for entry_id, account_id, amount in JournalLine.objects.filter(
            fund=fund, entry__kind=JournalEntry.Kind.CONTRIBUTION, amount__gt=0
        ).values_list("entry_id", "account_id", "amount")
    }
    for seq, total, entry_id, account_id, _key in receipts:
        if entry_id is None or brought_in.get(entry_id) != (account_id, total):
            problems.append(f"receipt {seq} of {total} has no entry bringing it in")
    contributions = JournalEntry.objects.filter(fund=fund, kind=JournalEntry.Kind.CONTRIBUTION)
    if contributions.count() != len(receipts):
        problems.append(f"{contributions.count()} entries for {len(receipts)} receipts")
    if _audited(fund, "contributions.receipt.issued") != len(receipts):
        problems.append("receipts and their audit entries differ in number")
    for member in Member.objects.filter(fund=fund, standing__isnull=False):
        problems += verify_standing(member)
    for session in CollectionSession.objects.filter(fund=fund):
        total = session.receipts.aggregate(t=Sum("total"))["t"] or Decimal("0.00")
        if session.state != CollectionSession.State.OPEN and session.expected != total:
            problems.append(f"session expected {session.expected}, its receipts {total}")
        if (session.state == CollectionSession.State.ACCEPTED) != (
            session.difference_entry_id is not None
        ):
            problems.append(f"session {session.state} with difference {session.difference_entry}")
    return problems


COMMANDS = {"work": work, "recover": recover, "inspect": inspect}


def main(argv: list[str]) -> None:
    import django

    command, spec = COMMANDS[argv[0]], json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
    django.setup()
    Path(spec["out"]).write_text(json.dumps(command(spec)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
