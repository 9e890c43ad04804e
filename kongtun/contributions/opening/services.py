"""Check an opening workbook (`opening_preview`) and import it all or nothing (`opening_import`).

The file is read outside any transaction: ten years of history take seconds to read, and on
SQLite a write transaction blocks every fund's writers. The fund's rules are then checked again
inside the transaction that writes, under the fund's books lock, so no payment slips in between
the check and the write. The 600,000 history rows go in with one `executemany` per 10,000 rows
straight into PastPayment's table: the ORM's bulk_create builds a model object per row and
would take most of the import's time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.contributions.models import MemberPlan, OpeningImport, PastPayment, Standing
from kongtun.contributions.opening.checking import Checked, check
from kongtun.contributions.opening.reading import read_workbook
from kongtun.contributions.opening.sheets import RowError, Sheets, read_sheets
from kongtun.contributions.schedule import DAY
from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.services import entry_post, lock_books
from kongtun.ledger.statements import source_label
from kongtun.lib.fields import from_satang
from kongtun.lib.text import clean_text
from kongtun.lib.thaidate import format_date
from kongtun.members.importing.grid import _Refused
from kongtun.members.importing.reading import _damaged

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
MAX_ERRORS_IN_REFUSAL = 20
_BATCH = 10_000
AUDIT_IMPORTED = "contributions.opening.imported"
AUDIT_MEMBER = "contributions.opening.member"


@dataclass
class OpeningPreview:
    """What the workbook would import, or why not; nothing is written to make it."""

    filename: str
    sha256: str
    file_error: str | None = None
    errors: list[RowError] = field(default_factory=list)  # the first ones, to show
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    already_imported: OpeningImport | None = None
    as_of: dt.date | None = None
    members: int = 0
    payments: int = 0
    payments_total: Decimal = ZERO
    money: list[tuple[str, Decimal]] = field(default_factory=list)  # (account, balance)
    sources: list[tuple[str, Decimal]] = field(default_factory=list)  # (source, balance)

    @property
    def accepted(self) -> bool:
        return self.file_error is None and self.error_count == 0 and not self.already_imported

    @property
    def money_total(self) -> Decimal:
        return sum((amount for _label, amount in self.money), ZERO)

    @property
    def sources_total(self) -> Decimal:
        return sum((amount for _label, amount in self.sources), ZERO)


@dataclass
class OpeningOutcome:
    opening: OpeningImport
    already_imported: bool = False


def read_opening(*, filename: str, data: bytes) -> Sheets:
    """Read the workbook's cells (no database); raises `_Refused` for the whole file."""
    try:
        return read_sheets(read_workbook(filename, data))
    except _Refused:
        raise
    except Exception:
        # A file no check foresaw must still get an answer, not a server error.
        logger.exception("Opening import could not read %r", filename)
        raise _damaged() from None


def opening_preview(*, fund: Fund, filename: str, data: bytes, today: dt.date) -> OpeningPreview:
    """Read and check an opening workbook as it would be imported. Writes nothing."""
    preview = OpeningPreview(filename=filename, sha256=hashlib.sha256(data).hexdigest())
    preview.already_imported = OpeningImport.objects.filter(
        fund=fund, sha256=preview.sha256
    ).first()
    if preview.already_imported:
        return preview
    try:
        sheets = read_opening(filename=filename, data=data)
        checked = check(fund=fund, sheets=sheets, today=today)
        _refuse_if_empty(sheets)
    except _Refused as refusal:
        preview.file_error = refusal.message
        return preview
    preview.errors, preview.error_count = sheets.problems.shown, sheets.problems.count
    preview.notes = sheets.notes
    preview.as_of = sheets.as_of
    preview.members = len(checked.members)
    preview.payments = len(sheets.history)
    preview.payments_total = from_satang(checked.payments_satang)
    accounts = Account.objects.filter(fund=fund, code__in=checked.money)
    names = {a.code: str(a) for a in accounts}
    preview.money = [(names.get(c, c), amount) for c, amount in checked.money.items()]
    preview.sources = [(source_label(s), amount) for s, amount in checked.sources.items()]
    return preview


def _refuse_if_empty(sheets: Sheets) -> None:
    if not (sheets.members or len(sheets.history) or sheets.balances or sheets.problems.count):
        raise _Refused(
            _("The workbook has no members, payments or balances to import. Fill in the sheets.")
        )


def opening_import(*, fund: Fund, actor: Any, filename: str, data: bytes) -> OpeningOutcome:
    """Import the whole workbook, or raise ValidationError and import nothing.

    The same file again imports nothing and returns the first import.
    """
    digest = hashlib.sha256(data).hexdigest()
    started = time.perf_counter()
    try:
        sheets = read_opening(filename=filename, data=data)
        _refuse_if_empty(sheets)
    except _Refused as refusal:
        earlier = OpeningImport.objects.filter(fund=fund, sha256=digest).first()
        if earlier is not None:
            return OpeningOutcome(earlier, already_imported=True)
        raise ValidationError(refusal.message, code="opening_refused") from None
    read = time.perf_counter()
    try:
        with transaction.atomic():
            lock_books(fund)  # one import at a time, and no payment between check and write
            earlier = OpeningImport.objects.filter(fund=fund, sha256=digest).first()
            if earlier is not None:
                return OpeningOutcome(earlier, already_imported=True)
            try:
                checked = check(fund=fund, sheets=sheets, today=timezone.localdate())
            except _Refused as refusal:
                raise ValidationError(refusal.message, code="opening_refused") from None
            if sheets.problems.count:
                raise ValidationError(_refusal_messages(sheets), code="opening_refused")
            checked_at = time.perf_counter()
            opening = _write(
                fund=fund,
                actor=actor,
                filename=filename,
                digest=digest,
                sheets=sheets,
                checked=checked,
            )
    except IntegrityError:
        # Only the same file imported at the same moment by someone else can get here.
        raise ValidationError(
            _("The fund changed while the file was being imported. Check the file again.")
        ) from None
    done = time.perf_counter()
    logger.info(
        "Opening import of %d payments: read %.1f s, checked %.1f s, written %.1f s",
        len(sheets.history),
        read - started,
        checked_at - read,
        done - checked_at,
    )
    return OpeningOutcome(opening)


def _refusal_messages(sheets: Sheets) -> list[str]:
    messages = [
        _("Sheet “%(sheet)s”, row %(row)d, column “%(column)s”: %(message)s")
        % {"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message}
        if e.row
        else _("Sheet “%(sheet)s”: %(message)s") % {"sheet": e.sheet, "message": e.message}
        for e in sheets.problems.shown[:MAX_ERRORS_IN_REFUSAL]
    ]
    if sheets.problems.count > len(messages):
        more = sheets.problems.count - len(messages)
        messages.append(_("… and %(count)d more problems.") % {"count": more})
    return messages


# --- Writing ---------------------------------------------------------------------------------


def _write(
    *, fund: Fund, actor: Any, filename: str, digest: str, sheets: Sheets, checked: Checked
) -> OpeningImport:
    assert sheets.as_of is not None  # a missing date is a problem, so no write gets here
    opening = OpeningImport.objects.create(
        fund=fund,
        sha256=digest,
        filename=clean_text(filename)[:255],
        as_of=sheets.as_of,
        members=len(checked.members),
        payments=len(sheets.history),
        payments_total=from_satang(checked.payments_satang),
        entry=_post_balances(fund=fund, actor=actor, as_of=sheets.as_of, checked=checked),
        created_by=actor,
    )
    MemberPlan.objects.bulk_create(
        [
            MemberPlan(
                fund=fund,
                member_id=pk,
                plan=plan,
                epoch=1,
                starts_on=paid_through + DAY,
                recorded_by=actor,
            )
            for pk, paid_through, plan, _fees in checked.members
        ],
        batch_size=1000,
    )
    Standing.objects.bulk_create(
        [
            Standing(
                member_id=pk,
                fund=fund,
                epoch=1,
                credit=ZERO,
                paid_through=paid_through,
                fees_due=fees,
            )
            for pk, paid_through, _plan, fees in checked.members
        ],
        batch_size=1000,
    )
    _insert_history(fund=fund, opening=opening, sheets=sheets, members=checked.history_members)
    audit_log(fund=fund, actor=actor, changes=_audit(opening, sheets, checked))
    return opening


def _post_balances(
    *, fund: Fund, actor: Any, as_of: dt.date, checked: Checked
) -> JournalEntry | None:
    """Dr each cash and bank account, Cr the opening account once per source of the money."""
    postings = [core.Posting(code, amount) for code, amount in checked.money.items() if amount]
    postings += [
        core.Posting(checked.opening_code, -amount, source)
        for source, amount in checked.sources.items()
        if amount
    ]
    if not postings:
        return None
    memo = _("Opening balances brought from the paper books, as of %(date)s") % {
        "date": format_date(as_of)
    }
    return entry_post(
        fund=fund,
        actor=actor,
        entry=core.Entry(as_of, memo, tuple(postings)),
        kind=JournalEntry.Kind.OPENING,
    )


def _insert_history(
    *, fund: Fund, opening: OpeningImport, sheets: Sheets, members: array[int]
) -> None:
    meta = PastPayment._meta
    quote = connection.ops.quote_name
    names = ("fund", "member", "date", "amount", "reference", "batch")
    column = {f.name: f.column or f.name for f in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in names)
    # Names from the model, quoted; the values go as parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    history = sheets.history
    adapt = connection.ops.adapt_datefield_value
    dates = {day: adapt(dt.date.fromordinal(day)) for day in set(history.days)}
    fund_pk, batch = fund.pk, opening.pk
    with connection.cursor() as cursor:
        for start in range(0, len(history), _BATCH):
            end = start + _BATCH
            columns_of_rows = zip(
                members[start:end],
                map(dates.__getitem__, history.days[start:end]),
                history.satang[start:end],
                history.references[start:end],
                strict=True,
            )
            cursor.executemany(
                sql, [(fund_pk, m, day, a, ref, batch) for m, day, a, ref in columns_of_rows]
            )


def _audit(opening: OpeningImport, sheets: Sheets, checked: Checked) -> list[Change]:
    """The import, then one entry per member: what the sheets said, for the reconciliation."""
    standing = {pk: (paid, plan, fees) for pk, paid, plan, fees in checked.members}
    member_changes = []
    for pk in sorted(set(standing) | set(checked.per_member)):
        after: dict[str, Any] = {"number": checked.numbers[pk]}
        if pk in standing:
            paid_through, plan, fees = standing[pk]
            after |= {
                "paid_through": paid_through.isoformat(),
                "plan": plan.name,
                "fees_due": str(fees),
            }
        count, satang = checked.per_member.get(pk, (0, 0))
        after |= {"payments": count, "paid": str(from_satang(satang))}
        member_changes.append(
            Change(
                AUDIT_MEMBER, "members.member", str(pk), after=after, extra={"opening": opening.pk}
            )
        )
    imported = Change.of(
        AUDIT_IMPORTED,
        opening,
        after={
            "filename": opening.filename,
            "sha256": opening.sha256,
            "as_of": opening.as_of.isoformat(),
            "members": opening.members,
            "payments": opening.payments,
            "payments_total": str(opening.payments_total),
            "money": {code: str(amount) for code, amount in checked.money.items()},
            "sources": {source: str(amount) for source, amount in checked.sources.items()},
            "entry": opening.entry.number if opening.entry else None,
            "member_entries": len(member_changes),
        },
    )
    return [imported, *member_changes]
