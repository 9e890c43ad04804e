"""Every write to the books. Posting is one place (`entry_post`), and every caller goes through it.

Later capabilities (contributions, welfare claims) post by calling `entry_post` inside their
own transaction, so the payment and its book entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.chart import TEMPLATE
from kongtun.ledger.models import (
    Account,
    Attachment,
    BankReconciliation,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PeriodClose,
    ReconciliationItem,
    Voucher,
    VoucherLine,
)
from kongtun.ledger.statements import fiscal_year_of
from kongtun.lib.thaidate import format_date
from kongtun.lib.uploads import MAX_EVIDENCE_BYTES, evidence_type
from kongtun.members.models import Member

MAX_ATTACHMENT_BYTES = MAX_EVIDENCE_BYTES
MAX_MEMO = JournalEntry._meta.get_field("memo").max_length or 500


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def lock_books(fund: Fund) -> LedgerHead:
    """Take the fund's books lock (its LedgerHead row) for the rest of the transaction.

    Everything that numbers or checks the books in order (posting, voucher numbers, closing a
    period) takes it, so two writers of one fund run one after the other; other funds wait
    for nothing.
    """
    # By primary key and unsliced: at most one row, so no ORDER BY/LIMIT for first() to add.
    found = list(LedgerHead.objects.select_for_update().filter(pk=fund.pk))
    if not found:
        LedgerHead.objects.get_or_create(fund=fund)
        found = [LedgerHead.objects.select_for_update().get(fund=fund)]
    return found[0]


# --- Chart of accounts -----------------------------------------------------------------------


def chart_install(*, fund: Fund) -> int:
    """Give the fund every template account it does not have yet; return how many were added."""
    have = set(Account.objects.filter(fund=fund).values_list("code", flat=True))
    new = [
        Account(
            fund=fund,
            code=a.code,
            role=a.role,
            type=a.type,
            name_th=a.name_th,
            name_en=a.name_en,
            source=a.source,
        )
        for a in TEMPLATE
        if a.code not in have
    ]
    Account.objects.bulk_create(new)
    LedgerHead.objects.get_or_create(fund=fund)
    return len(new)


def account_add(
    *,
    fund: Fund,
    actor: Any,
    code: str,
    name_th: str,
    type: str,
    name_en: str = "",
    source: str = "",
    bank_account_no: str = "",
    role: str = "",
) -> Account:
    with transaction.atomic():
        if Account.objects.filter(fund=fund, code=code).exists():
            raise _refuse("code", _("Account code %(code)s is already used.") % {"code": code})
        if role == "bank" and type != core.AccountType.ASSET:
            raise _refuse("type", _("A bank account is an asset."))
        account = Account(
            fund=fund,
            code=code,
            name_th=name_th,
            name_en=name_en,
            type=type,
            source=source,
            bank_account_no=bank_account_no,
            role=role,
        )
        account.full_clean(exclude=["fund"])
        account.save()
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.account.added",
                    account,
                    after={"code": code, "name": name_th, "type": type},
                )
            ],
        )
    return account


# --- Posting ---------------------------------------------------------------------------------


def _closed_on(fund: Fund, date: dt.date) -> QuerySet[PeriodClose]:
    return PeriodClose.objects.filter(
        fund=fund, start__lte=date, end__gte=date, reopened_at__isnull=True
    ).order_by("start")


def closed_period_on(fund: Fund, date: dt.date) -> PeriodClose | None:
    return _closed_on(fund, date).first()


def _check_date(fund: Fund, date: dt.date) -> None:
    if date > timezone.localdate():
        raise _refuse("date", _("An entry cannot be dated in the future."))
    # Every posting asks this; the dates alone spare building a model for the message.
    closed = _closed_on(fund, date).values_list("start", "end").first()
    if closed is not None:
        raise _refuse(
            "date",
            _("The books from %(start)s to %(end)s are closed; no entry may be dated inside.")
            % {"start": format_date(closed[0]), "end": format_date(closed[1])},
        )


def _same_entry(existing: JournalEntry, entry: core.Entry) -> bool:
    stored = list(existing.lines.select_related("account"))
    lines = [(ln.account.code, ln.amount, ln.source) for ln in stored]
    # A line posted without a source was saved with its account's source; compare it as saved,
    # or a plain retry of a contribution would be refused as "other amounts".
    default = {ln.account.code: ln.account.source for ln in stored}
    return existing.date == entry.date and sorted(lines) == sorted(
        (p.account, p.amount, p.source or default.get(p.account, "")) for p in entry.postings
    )


def entry_post(
    *,
    fund: Fund,
    actor: Any,
    entry: core.Entry,
    kind: str,
    idempotency_key: str | None = None,
    reverses: JournalEntry | None = None,
    also: Sequence[Change] = (),
) -> JournalEntry:
    """Post a balanced entry to the fund's books, or raise ValidationError and write nothing.

    With an idempotency key, posting the same entry again returns the first one (a retried
    or double-clicked submission is recorded once); the same key with different content is
    refused. `also` are the caller's own changes, audited together with the posting.
    """
    with transaction.atomic():
        head = lock_books(fund)  # numbers come out gapless and in order
        return entry_post_locked(
            fund=fund,
            head=head,
            actor=actor,
            entry=entry,
            kind=kind,
            idempotency_key=idempotency_key,
            reverses=reverses,
            also=also,
        )


def entry_post_locked(
    *,
    fund: Fund,
    head: LedgerHead,
    actor: Any,
    entry: core.Entry,
    kind: str,
    idempotency_key: str | None = None,
    reverses: JournalEntry | None = None,
    also: Sequence[Change] = (),
    accounts: Mapping[str, Account] | None = None,
) -> JournalEntry:
    """`entry_post` for a caller that already holds the books lock (`lock_books`) in its
    transaction, so a payment numbers its receipt and posts its entry under one lock.

    `accounts` (by code) spares reading the entry's accounts again when the caller has just
    read them in this transaction; they are checked exactly as if read here.
    """
    problems = core.validate_entry(entry)
    if problems:
        raise ValidationError({"lines": [p.message for p in problems]})
    if len(entry.memo) > MAX_MEMO:
        raise _refuse("memo", _("The description is too long (at most 500 characters)."))
    with transaction.atomic(savepoint=False):
        if idempotency_key:
            existing = JournalEntry.objects.filter(
                fund=fund, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                if _same_entry(existing, entry):
                    return existing
                raise _refuse("lines", _("This form was already submitted with other amounts."))
        _check_date(fund, entry.date)
        codes = {p.account for p in entry.postings}
        if accounts is None:
            # Unordered: a dict needs no ORDER BY, and the chart's ordering joins the fund.
            found = Account.objects.filter(fund=fund, code__in=codes).order_by()
            accounts = {a.code: a for a in found}
        else:
            # Only this fund's accounts, each filed under its own code, count as found.
            accounts = {
                code: a for code, a in accounts.items() if a.fund_id == fund.pk and a.code == code
            }
        missing = codes - set(accounts)
        if missing:
            raise _refuse(
                "lines", _("Unknown account: %(codes)s") % {"codes": ", ".join(sorted(missing))}
            )
        inactive = [c for c in codes if not accounts[c].is_active]
        if inactive:
            raise _refuse(
                "lines", _("Account no longer in use: %(codes)s") % {"codes": ", ".join(inactive)}
            )
        # Hash exactly what is stored, so verify_ledger can recompute it from the tables:
        # amounts as the database gives them back (two places), each line's source as saved.
        entry = entry._replace(
            postings=tuple(
                p._replace(
                    amount=p.amount.quantize(core.SATANG),
                    source=p.source or accounts[p.account].source,
                )
                for p in entry.postings
            )
        )
        number = head.number + 1
        body = core.entry_body(
            number=number, entry=entry, reverses=reverses.number if reverses else None, fund=fund.pk
        )
        digest = core.digest(head.hash, body)
        posted = JournalEntry.objects.create(
            fund=fund,
            number=number,
            date=entry.date,
            memo=entry.memo,
            kind=kind,
            reverses=reverses,
            idempotency_key=idempotency_key or None,
            created_by=actor,
            prev_hash=head.hash,
            hash=digest,
        )
        JournalLine.objects.bulk_create(
            JournalLine(
                fund=fund,
                entry=posted,
                account=accounts[p.account],
                amount=p.amount,
                source=p.source,
                date=entry.date,
            )
            for p in entry.postings
        )
        head.number, head.hash = number, digest
        # The base manager, as save() uses: one UPDATE by primary key.
        LedgerHead._base_manager.filter(pk=fund.pk).update(number=number, hash=digest)
        audit_log(
            fund=fund,
            actor=actor,
            changes=[Change.of("ledger.entry.posted", posted, after=body), *also],
        )
    return posted


def entry_as_core(entry: JournalEntry) -> core.Entry:
    lines = entry.lines.select_related("account").order_by("pk")
    return core.Entry(
        entry.date,
        entry.memo,
        tuple(core.Posting(ln.account.code, ln.amount, ln.source) for ln in lines),
    )


def entry_reverse(
    *, entry: JournalEntry, actor: Any, on: dt.date, reason: str, voiding_receipt: bool = False
) -> JournalEntry:
    """Cancel a posted entry with a new entry of opposite amounts, linked to it.

    A receipt's entry is cancelled only by voiding the receipt (`receipt_void` says so with
    `voiding_receipt`): reversed on its own, the member would keep the credit for money the
    books no longer hold, and the receipt could never be voided.
    """
    if not reason.strip():
        raise _refuse("reason", _("Please say why the entry is reversed."))
    with transaction.atomic():
        # The books before the entry, the order receipt_void and every poster take them in:
        # the other order deadlocked on PostgreSQL with a receipt voided at the same moment.
        lock_books(entry.fund)
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.kind == JournalEntry.Kind.REVERSAL:
            raise _refuse("reason", _("A reversal cannot itself be reversed; post a new entry."))
        # Contributions brought in from a paper register have no receipt: those reverse.
        of_receipt = JournalEntry.objects.filter(pk=entry.pk, receipt__isnull=False).exists
        if entry.kind == JournalEntry.Kind.CONTRIBUTION and not voiding_receipt and of_receipt():
            raise _refuse(
                "reason",
                _(
                    "This entry is a member's contribution receipt: void the receipt instead, "
                    "so the member's dues go back with the money."
                ),
            )
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise _refuse("reason", _("This entry was already reversed."))
        if on < entry.date:
            raise _refuse("date", _("A reversal cannot be dated before the entry it reverses."))
        memo = _("Reversal of entry #%(number)s: %(reason)s") % {
            "number": entry.number,
            "reason": reason.strip(),
        }
        return entry_post(
            fund=entry.fund,
            actor=actor,
            entry=core.reversal(entry_as_core(entry), on=on, memo=memo[:500]),
            kind=JournalEntry.Kind.REVERSAL,
            reverses=entry,
        )


# --- Vouchers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherLineInput:
    account: Account
    amount: Decimal
    source: str = ""
    description: str = ""


def _next_voucher_number(fund: Fund, kind: str, date: dt.date) -> str:
    prefix = f"{'RV' if kind == Voucher.Kind.RECEIPT else 'PV'}{fiscal_year_of(fund, date)}-"
    used = Voucher.objects.filter(fund=fund, number__startswith=prefix).values_list(
        "number", flat=True
    )
    last = max((int(n.removeprefix(prefix)) for n in used), default=0)
    return f"{prefix}{last + 1:04d}"


def voucher_create(
    *,
    fund: Fund,
    actor: Any,
    kind: str,
    date: dt.date,
    party: str,
    description: str,
    money_account: Account,
    lines: Sequence[VoucherLineInput],
    idempotency_key: str | None = None,
    member: Member | None = None,
    approved_by: Any = None,
) -> Voucher:
    """Write a voucher waiting for approval; nothing reaches the books until it is approved.

    With an idempotency key, the same form submitted again returns the first voucher. A
    payment the committee already resolved (a welfare claim) passes `approved_by`, the person
    who recorded the resolution: it is posted at once, in the caller's transaction. The caller
    makes sure the maker is not that person.
    """
    if not lines:
        raise _refuse("lines", _("A voucher needs at least one line with an amount."))
    if member is not None and (member.fund_id != fund.pk or kind != Voucher.Kind.PAYMENT):
        raise _refuse("member_number", _("Only a payment names the member it went to."))
    if not money_account.is_money or money_account.fund_id != fund.pk:
        raise _refuse("money_account", _("Choose the cash or bank account of this fund."))
    for line in lines:
        if line.account.fund_id != fund.pk or line.account == money_account:
            raise _refuse(
                "lines",
                _(
                    "For each line choose an account of this fund other than the cash or "
                    "bank account above."
                ),
            )
        wrong_side = (
            core.AccountType.EXPENSE if kind == Voucher.Kind.RECEIPT else core.AccountType.INCOME
        )
        if line.account.type == wrong_side:
            raise _refuse(
                "lines",
                _("A receipt cannot go to an expense account, nor a payment to an income account."),
            )
        if line.amount <= 0:
            raise _refuse("lines", _("Every amount must be more than zero."))
    with transaction.atomic():
        lock_books(fund)  # serialises numbering
        if idempotency_key:
            existing = Voucher.objects.filter(fund=fund, idempotency_key=idempotency_key).first()
            if existing is not None:
                same = (
                    existing.kind,
                    existing.date,
                    existing.money_account_id,
                    existing.made_by_id,
                ) == (kind, date, money_account.pk, actor.pk) and sorted(
                    (ln.account_id, ln.amount) for ln in existing.lines.all()
                ) == sorted((ln.account.pk, ln.amount) for ln in lines)
                if not same:
                    raise _refuse("lines", _("This form was already submitted with other amounts."))
                return existing
        _check_date(fund, date)
        voucher = Voucher(
            fund=fund,
            kind=kind,
            number=_next_voucher_number(fund, kind, date),
            date=date,
            party=party,
            description=description,
            money_account=money_account,
            member=member,
            made_by=actor,
            idempotency_key=idempotency_key or None,
        )
        voucher.full_clean(
            exclude=["fund", "money_account", "made_by", "entry", "decided_by", "decided_at"]
        )
        voucher.save()
        VoucherLine.objects.bulk_create(
            VoucherLine(
                fund=fund,
                voucher=voucher,
                account=ln.account,
                amount=ln.amount,
                source=ln.source or ln.account.source,
                description=ln.description,
            )
            for ln in lines
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[Change.of("ledger.voucher.made", voucher, after=_voucher_snapshot(voucher))],
        )
        if approved_by is not None:
            voucher.entry = entry_post(
                fund=fund, actor=actor, entry=voucher_entry(voucher), kind=JournalEntry.Kind.CLAIM
            )
            voucher.status = Voucher.Status.APPROVED
            voucher.decided_by, voucher.decided_at = approved_by, timezone.now()
            voucher.save(update_fields=["status", "entry", "decided_by", "decided_at"])
            audit_log(
                fund=fund,
                actor=actor,
                changes=[
                    Change.of(
                        "ledger.voucher.approved",
                        voucher,
                        before={"status": "draft"},
                        after={"status": "approved", "entry": voucher.entry.number},
                        approved_by=approved_by.pk,
                    )
                ],
            )
    return voucher


def _voucher_snapshot(voucher: Voucher) -> dict[str, Any]:
    return {
        "number": voucher.number,
        "kind": voucher.kind,
        "date": voucher.date.isoformat(),
        "party": voucher.party,
        "member": voucher.member.number if voucher.member else None,
        "money_account": voucher.money_account.code,
        "lines": [[ln.account.code, str(ln.amount), ln.source] for ln in voucher.lines.all()],
        "status": voucher.status,
    }


def voucher_entry(voucher: Voucher) -> core.Entry:
    """The book entry a voucher makes: receipts debit cash or bank, payments credit it."""
    sign = 1 if voucher.kind == Voucher.Kind.RECEIPT else -1
    lines = list(voucher.lines.select_related("account"))
    postings = [
        core.Posting(
            voucher.money_account.code, sign * sum((ln.amount for ln in lines), Decimal("0.00"))
        )
    ]
    postings += [core.Posting(ln.account.code, -sign * ln.amount, ln.source) for ln in lines]
    # A posted entry can never change, so one paying a member does not carry the payee's
    # name: the voucher keeps it, and erasing the person (PDPA) can still reach it there.
    party = "" if voucher.member_id else f" {voucher.party}"
    return core.Entry(
        voucher.date, f"{voucher.number}{party}: {voucher.description}"[:500], tuple(postings)
    )


def voucher_approve(*, voucher: Voucher, actor: Any) -> Voucher:
    """A second person approves: the voucher is posted to the books in the same transaction."""
    with transaction.atomic():
        # The voucher's row only: locking its cash account too (PostgreSQL locks every joined
        # row) deadlocked with a payment posting to that account under the books lock.
        voucher = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("money_account")
            .get(pk=voucher.pk)
        )
        if voucher.status == Voucher.Status.APPROVED and voucher.decided_by_id == actor.pk:
            return voucher  # a double click: already done by this person
        if voucher.status != Voucher.Status.DRAFT:
            raise _refuse("status", _("This voucher is no longer waiting for approval."))
        if voucher.made_by_id == actor.pk:
            raise _refuse(
                "status",
                _("The person who made a voucher cannot approve it; ask another committee member."),
            )
        entry = entry_post(
            fund=voucher.fund,
            actor=actor,
            entry=voucher_entry(voucher),
            kind=JournalEntry.Kind.VOUCHER,
        )
        voucher.status, voucher.entry = Voucher.Status.APPROVED, entry
        voucher.decided_by, voucher.decided_at = actor, timezone.now()
        voucher.save(update_fields=["status", "entry", "decided_by", "decided_at"])
        audit_log(
            fund=voucher.fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.voucher.approved",
                    voucher,
                    before={"status": "draft"},
                    after={"status": "approved", "entry": entry.number},
                )
            ],
        )
    return voucher


def voucher_reject(*, voucher: Voucher, actor: Any, reason: str) -> Voucher:
    if not reason.strip():
        raise _refuse("reason", _("Please say why the voucher is rejected."))
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status == Voucher.Status.REJECTED and voucher.decided_by_id == actor.pk:
            return voucher  # a double click: already done by this person
        if voucher.status != Voucher.Status.DRAFT:
            raise _refuse("status", _("This voucher is no longer waiting for approval."))
        if voucher.made_by_id == actor.pk:
            raise _refuse(
                "status",
                _(
                    "The person who made a voucher cannot decide on it; "
                    "ask another committee member."
                ),
            )
        voucher.status, voucher.rejection_reason = Voucher.Status.REJECTED, reason.strip()
        voucher.decided_by, voucher.decided_at = actor, timezone.now()
        voucher.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        audit_log(
            fund=voucher.fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.voucher.rejected",
                    voucher,
                    before={"status": "draft"},
                    after={"status": "rejected"},
                    reason=reason,
                )
            ],
        )
    return voucher


def attachment_dir() -> Path:
    path = Path(settings.VAR_DIR) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def attachment_add(*, voucher: Voucher, actor: Any, name: str, data: bytes) -> Attachment:
    """Keep a PDF, JPEG or PNG (judged by its bytes, not its name) of up to 10 MB.

    Only while the voucher waits for approval: what the approver saw must stay what is kept.
    """
    if voucher.status != Voucher.Status.DRAFT:
        raise _refuse("file", _("Evidence can only be attached before the voucher is decided."))
    content_type = evidence_type(data)
    sha256 = hashlib.sha256(data).hexdigest()
    stored = secrets.token_hex(20)
    with transaction.atomic():
        Voucher.objects.select_for_update().get(pk=voucher.pk)  # one upload of a file at a time
        same = Attachment.objects.filter(voucher=voucher, sha256=sha256).first()
        if same is not None:
            return same  # the same file sent twice (a double click) is kept once
        attachment = Attachment.objects.create(
            fund=voucher.fund,
            voucher=voucher,
            stored_name=stored,
            original_name=name[:255],
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            uploaded_by=actor,
        )
        (attachment_dir() / stored).write_bytes(data)
        audit_log(
            fund=voucher.fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.attachment.added",
                    attachment,
                    after={"voucher": voucher.number, "name": name, "sha256": attachment.sha256},
                )
            ],
        )
    return attachment


# --- Periods ---------------------------------------------------------------------------------


def period_close(*, fund: Fund, actor: Any, kind: str, start: dt.date, end: dt.date) -> PeriodClose:
    if end < start:
        raise _refuse("end", _("The period cannot end before it starts."))
    if end >= timezone.localdate():
        raise _refuse("end", _("Only a period that has ended can be closed."))
    with transaction.atomic():
        lock_books(fund)  # no posting while we close
        same = PeriodClose.objects.filter(
            fund=fund, kind=kind, start=start, end=end, reopened_at__isnull=True
        ).first()
        if same is not None:
            return same  # already closed (a double click)
        waiting = Voucher.objects.filter(
            fund=fund, status=Voucher.Status.DRAFT, date__range=(start, end)
        )
        if waiting.exists():
            raise _refuse(
                "end",
                _("%(count)d vouchers in this period still wait for approval.")
                % {"count": waiting.count()},
            )
        close = PeriodClose.objects.create(
            fund=fund, kind=kind, start=start, end=end, closed_by=actor
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.period.closed",
                    close,
                    after={"kind": kind, "start": str(start), "end": str(end)},
                )
            ],
        )
    return close


def period_reopen(*, close: PeriodClose, actor: Any, reason: str) -> PeriodClose:
    """Reopening is the chair's decision (the view checks the permission) and is audited."""
    if not reason.strip():
        raise _refuse("reason", _("Please say why the period is reopened."))
    with transaction.atomic():
        close = PeriodClose.objects.select_for_update().get(pk=close.pk)
        if close.reopened_at is not None:
            raise _refuse("reason", _("This period is already open."))
        close.reopened_by, close.reopened_at, close.reopen_reason = actor, timezone.now(), reason
        close.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
        audit_log(
            fund=close.fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.period.reopened",
                    close,
                    after={"start": str(close.start), "end": str(close.end)},
                    reason=reason,
                )
            ],
        )
    return close


# --- Bank reconciliation ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationItemInput:
    kind: str
    description: str
    amount: Decimal


def reconciliation_create(
    *,
    fund: Fund,
    actor: Any,
    account: Account,
    statement_date: dt.date,
    statement_balance: Decimal,
    items: Sequence[ReconciliationItemInput],
    idempotency_key: str | None = None,
) -> BankReconciliation:
    """Record the bank's balance beside the books' balance and the items that explain the gap.

    With an idempotency key, the same form submitted again returns the first reconciliation.
    """
    from kongtun.ledger.selectors import account_balance

    if account.role != "bank" or account.fund_id != fund.pk:
        raise _refuse("account", _("Choose a bank account of this fund."))
    with transaction.atomic():
        if idempotency_key:
            lock_books(fund)  # serialises the check below
            existing = BankReconciliation.objects.filter(
                fund=fund, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        book = account_balance(fund=fund, account=account, on=statement_date)
        rec = BankReconciliation.objects.create(
            fund=fund,
            account=account,
            statement_date=statement_date,
            statement_balance=statement_balance,
            book_balance=book,
            prepared_by=actor,
            idempotency_key=idempotency_key or None,
        )
        ReconciliationItem.objects.bulk_create(
            ReconciliationItem(
                fund=fund,
                reconciliation=rec,
                kind=i.kind,
                description=i.description,
                amount=i.amount,
            )
            for i in items
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "ledger.bank.reconciled",
                    rec,
                    after={
                        "account": account.code,
                        "statement": str(statement_balance),
                        "book": str(book),
                    },
                )
            ],
        )
    return rec
