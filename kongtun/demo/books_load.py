"""Writing a fund's demo books (kongtun.demo.books) to the database, and the showcase's vouchers.

`books_write` stores a plan with RawInsert. It numbers and hash-chains the entries exactly as
`ledger.services.entry_post` does, so `manage.py verify_ledger` accepts them. Posting the
demo's ~30,000 entries one at a time through entry_post, each with its own audit entry, would
take minutes. `showcase_paperwork` adds vouchers and a bank reconciliation to the showcase
fund through the real services once its demo users exist, so its logins meet the
maker-checker at work.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.demo.books import BooksPlan, add_months, baht
from kongtun.demo.inserts import RawInsert
from kongtun.funds.models import Branch, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger import core
from kongtun.ledger.models import (
    Account,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PeriodClose,
    ReconciliationItem,
    Voucher,
)
from kongtun.ledger.selectors import account_balance
from kongtun.ledger.services import (
    ReconciliationItemInput,
    VoucherLineInput,
    chart_install,
    reconciliation_create,
    voucher_approve,
    voucher_create,
)
from kongtun.members.models import Member, Status

BOOKKEEPER = "demo-bookkeeper"
K = JournalEntry.Kind

_ENTRY_FIELDS = (
    "code", "fund_id", "number", "date", "memo", "kind", "reverses_id", "created_by_id",
    "created_at", "prev_hash", "hash",
)  # fmt: skip
_LINE_FIELDS = ("fund_id", "entry_id", "account_id", "amount", "source", "date")


def bookkeeper() -> User:
    """The user the loader's closed periods are recorded under; nobody can log in as it."""
    user, _ = User.objects.get_or_create(
        username=BOOKKEEPER,
        defaults={
            "full_name": "ผู้บันทึกบัญชีย้อนหลัง (ข้อมูลสาธิต)",
            "password": make_password(None),
            "is_active": False,
        },
    )
    return user


def books_write(*, fund: Fund, plan: BooksPlan, closed_by: User) -> dict[str, Any]:
    """Install the chart and store the planned entries and closed periods; call in the fund's
    scope and transaction. Return the counts and the ledger head for the audit trail, and
    the number of the first planned entry with every entry's key by number (`entry_ids`), so
    the loader can link receipts to their entries."""
    chart_install(fund=fund)
    accounts = {a.code: a for a in Account.objects.filter(fund=fund)}
    head = LedgerHead.objects.get(fund=fund)
    now = timezone.now()
    number, prev = head.number, head.hash
    first_number = number + 1
    numbers: list[int] = []
    posted: list[tuple[int, core.Entry]] = []
    plain: list[tuple[Any, ...]] = []
    reversals: list[tuple[Any, ...]] = []
    for planned in plan.entries:
        # A member's receipt is balanced by construction (books._receipt_entry), and there
        # are tens of thousands; every other entry is checked here.
        problems = [] if planned.kind == K.CONTRIBUTION else core.validate_entry(planned.entry)
        if problems:
            raise ValueError(f"demo entry {planned.entry.memo!r}: {problems}")
        # Exactly what entry_post hashes: amounts to the satang, each line's source as saved
        # (a receipt's entry is planned that way already).
        entry = planned.entry
        if planned.kind != K.CONTRIBUTION:
            entry = core.Entry(
                entry.date,
                entry.memo,
                tuple(
                    core.Posting(
                        p.account,
                        p.amount.quantize(core.SATANG),
                        p.source or accounts[p.account].source,
                    )
                    for p in entry.postings
                ),
            )
        number += 1
        target = numbers[planned.reverses] if planned.reverses is not None else None
        body = core.entry_body(number=number, entry=entry, reverses=target, fund=fund.pk)
        digest = core.digest(prev, body)
        # In _ENTRY_FIELDS order; a reversal's target is its number until the keys are known.
        row: tuple[Any, ...] = (uuid.uuid4(), fund.pk, number, entry.date, entry.memo,
                                planned.kind, target, None, now, prev, digest)  # fmt: skip
        (plain if target is None else reversals).append(row)
        numbers.append(number)
        posted.append((number, entry))
        prev = digest

    # A reversal points at its entry by key, which the raw insert does not return.
    RawInsert(JournalEntry, _ENTRY_FIELDS).run(plain)
    ids = dict(JournalEntry.objects.filter(fund=fund).values_list("number", "pk"))
    RawInsert(JournalEntry, _ENTRY_FIELDS).run([(*r[:6], ids[r[6]], *r[7:]) for r in reversals])
    ids.update(
        JournalEntry.objects.filter(fund=fund, kind=JournalEntry.Kind.REVERSAL).values_list(
            "number", "pk"
        )
    )
    # Lines go in posting order: verify_ledger reads an entry's lines back by key.
    fund_id, account_ids = fund.pk, {code: a.pk for code, a in accounts.items()}
    RawInsert(JournalLine, _LINE_FIELDS).run(
        [
            (fund_id, ids[n], account_ids[p.account], p.amount, p.source, entry.date)
            for n, entry in posted
            for p in entry.postings
        ]
    )
    LedgerHead.objects.filter(fund=fund).update(number=number, hash=prev)
    PeriodClose.objects.bulk_create(
        PeriodClose(fund=fund, kind=kind, start=first, end=last, closed_by=closed_by)
        for kind, first, last in plan.closes
    )
    return {
        "book_entries": len(posted),
        "book_lines": sum(len(e.postings) for _, e in posted),
        "period_closes": len(plan.closes),
        "first_day": plan.start.isoformat(),
        "last_day": plan.end.isoformat(),
        "head": {"number": number, "hash": prev},
        "first_number": first_number,
        "entry_ids": ids,
    }


# --- The showcase fund's paperwork ------------------------------------------------------------


def _spare(fund: Fund, account: Account, on: dt.date) -> Decimal:
    """The least the account holds from `on` onwards: what a payment dated `on` may take."""
    balance = account_balance(fund=fund, account=account, on=on)
    lowest = balance
    later = JournalLine.objects.filter(fund=fund, account=account, date__gt=on)
    for amount in later.order_by("date", "entry__number", "pk").values_list("amount", flat=True):
        balance += amount
        lowest = min(lowest, balance)
    return lowest


@dataclass(frozen=True)
class _VoucherSpec:
    kind: str
    day: dt.date
    party: str
    description: str
    lines: tuple[tuple[str, Decimal, str], ...]  # (role, amount, line details)
    approve: bool = True  # or left waiting for approval
    by_secretary: bool = False  # made by the secretary, so the treasurer can approve it
    cash: bool = True  # paid from cash if the cash book can spare it, else from the bank


def showcase_paperwork(
    *, fund: Fund, treasurer: User, secretary: User, approver: User, today: dt.date
) -> Counter[str]:
    """Vouchers made by the treasurer (one by the secretary), most approved by a committee
    member and posted, two still waiting; and a bank reconciliation at the end of last month.

    Everything goes through the ledger services, so it is audited like a user's work.
    """
    counts: Counter[str] = Counter()
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    month_end = this_month - dt.timedelta(days=1)
    with transaction.atomic(), fund_scope(fund):
        village = Branch.objects.filter(fund=fund).order_by("number").first()
        place = village.name if village else "หมู่บ้าน"
        helped = list(Member.objects.filter(fund=fund, status=Status.ACTIVE).order_by("number")[:3])
        relief = tuple(
            (
                "welfare.disaster",
                baht(2000),
                f"{m.title}{m.first_name} {m.last_name} "
                f"(สมาชิกเลขที่ {m.number}) บ้านเสียหายจากพายุฤดูร้อน",
            )
            for m in helped
        )
        R, P = Voucher.Kind.RECEIPT, Voucher.Kind.PAYMENT
        specs = [
            _VoucherSpec(R, last_month.replace(day=5), f"คณะกรรมการทอดผ้าป่าสามัคคี{place}",
                         "เงินบริจาคจากงานทอดผ้าป่าสามัคคีเพื่อกองทุนสวัสดิการ",
                         (("income.donations", baht(12500), "ผ้าป่าสามัคคี"),), cash=False),
            _VoucherSpec(P, last_month.replace(day=18), "ร้านเครื่องเขียนลำปางการค้า",
                         "ซื้อกระดาษ A4 แฟ้ม และหมึกพิมพ์",
                         (("admin.stationery", baht(1250), "กระดาษ 5 รีม แฟ้ม 10 เล่ม หมึก 2 ขวด"),)),
            _VoucherSpec(P, last_month.replace(day=22), "สมาชิกผู้ประสบภัย",
                         "ช่วยเหลือสมาชิกผู้ประสบวาตภัย ตามมติคณะกรรมการ", relief, cash=False),
            _VoucherSpec(P, this_month, "ร้านข้าวแกงป้าศรี",
                         "ค่าอาหารและเครื่องดื่มประชุมคณะกรรมการประจำเดือน",
                         (("admin.meetings", baht(900), "15 คน × 60 บาท"),)),
            _VoucherSpec(P, month_end, "ช่างไม้ในหมู่บ้าน",
                         "ซ่อมแซมหลังคาบ้านสมาชิกผู้สูงอายุที่อยู่ลำพัง",
                         (("welfare.housing", baht(5000), "ค่าวัสดุและค่าแรง"),),
                         approve=False, cash=False),
            _VoucherSpec(P, today, "เหรัญญิกกองทุน",
                         "ค่าเดินทางไปประชุมเครือข่ายกองทุนสวัสดิการชุมชนจังหวัดลำปาง",
                         (("admin.travel", baht(640), "รถโดยสารไป-กลับ 2 คน"),),
                         approve=False, by_secretary=True),
        ]  # fmt: skip
        by_role = {a.role: a for a in Account.objects.filter(fund=fund)}
        cash, bank = by_role["cash"], by_role["bank"]
        for spec in specs:
            if not spec.lines:
                continue  # no active member to help
            total = sum((amount for _, amount, _ in spec.lines), core.ZERO)
            money = cash if spec.cash and _spare(fund, cash, spec.day) >= total else bank
            if spec.approve and spec.kind == P and _spare(fund, money, spec.day) < total:
                continue  # a tiny test fund cannot afford it: the loader never overdraws
            voucher = voucher_create(
                fund=fund,
                actor=secretary if spec.by_secretary else treasurer,
                kind=spec.kind,
                date=spec.day,
                party=spec.party,
                description=spec.description,
                money_account=money,
                lines=[
                    VoucherLineInput(by_role[role], amount, description=details)
                    for role, amount, details in spec.lines
                ],
            )
            counts["vouchers"] += 1
            if spec.approve:
                voucher_approve(voucher=voucher, actor=approver)
                counts["vouchers_approved"] += 1

        # The statement for last month: the last transfer out has not cleared at the bank yet,
        # and the bank took a fee the books have not recorded.
        paid = (
            JournalLine.objects.filter(
                fund=fund, account=bank, amount__lt=0, date__range=(last_month, month_end)
            )
            .select_related("entry")
            .order_by("-date", "-entry__number")
            .first()
        )
        items = [
            ReconciliationItemInput(
                ReconciliationItem.Kind.BANK_CHARGE, "ค่าธรรมเนียมบริการแจ้งเตือนทาง SMS", baht(-20)
            )
        ]
        if paid is not None:
            items.append(
                ReconciliationItemInput(
                    ReconciliationItem.Kind.OUTSTANDING_CHEQUE,
                    f"โอนจ่ายตามรายการที่ #{paid.entry.number} ยังไม่ปรากฏในรายการเดินบัญชี",
                    -paid.amount,
                )
            )
        book = account_balance(fund=fund, account=bank, on=month_end)
        reconciliation_create(
            fund=fund,
            actor=treasurer,
            account=bank,
            statement_date=month_end,
            statement_balance=book + sum((i.amount for i in items), core.ZERO),
            items=items,
        )
        counts["reconciliations"] += 1
    return counts
