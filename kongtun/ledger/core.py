"""The ledger's rules as pure Python: no Django, no database, easy to test and to trust.

An entry is a date, a memo and postings. Each posting has ONE signed amount: positive is a
debit, negative a credit. An entry balances when its amounts add up to exactly zero. Balances
are never stored; they are sums of postings. Account type only decides how a balance is shown
(an income account's credit balance is shown as a positive income).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

ZERO = Decimal("0.00")
SATANG = Decimal("0.01")


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


# Debit-normal accounts show their balance as is; the others show it negated.
DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class Posting(NamedTuple):
    account: str
    amount: Decimal
    source: str = ""


class Entry(NamedTuple):
    date: dt.date
    memo: str
    postings: tuple[Posting, ...]


class LedgerError(NamedTuple):
    code: str
    message: str


def validate_entry(entry: Entry) -> list[LedgerError]:
    """Every reason the entry cannot be posted; an empty list means it can.

    Args:
        entry: the entry to check.

    Returns:
        The problems found, each with a stable code and an English message.
    """
    errors: list[LedgerError] = []
    if len(entry.postings) < 2:
        errors.append(LedgerError("too_few_postings", "an entry needs at least two lines"))
    for posting in entry.postings:
        if not isinstance(posting.amount, Decimal):
            errors.append(LedgerError("not_decimal", f"{posting.account}: amount is not exact"))
            return errors
        if not posting.amount.is_finite():
            errors.append(LedgerError("not_finite", f"{posting.account}: amount is not a number"))
            return errors
        if posting.amount == 0:
            errors.append(LedgerError("zero_amount", f"{posting.account}: amount is zero"))
        if posting.amount != posting.amount.quantize(SATANG):
            errors.append(
                LedgerError("not_satang", f"{posting.account}: amount has more than 2 decimals")
            )
    if not any(p.amount > 0 for p in entry.postings):
        errors.append(LedgerError("no_debit", "an entry needs at least one debit"))
    if not any(p.amount < 0 for p in entry.postings):
        errors.append(LedgerError("no_credit", "an entry needs at least one credit"))
    residual = sum((p.amount for p in entry.postings), ZERO)
    if residual != 0:
        errors.append(LedgerError("unbalanced", f"debits and credits differ by {residual}"))
    return errors


def reversal(entry: Entry, *, on: dt.date, memo: str) -> Entry:
    """The entry that cancels `entry`: every amount negated, dated `on`."""
    return Entry(on, memo, tuple(p._replace(amount=-p.amount) for p in entry.postings))


def balances(postings: Iterable[Posting]) -> dict[str, Decimal]:
    """Signed balance per account (debits positive)."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for posting in postings:
        totals[posting.account] += posting.amount
    return dict(totals)


def shown(account_type: AccountType | str, signed: Decimal) -> Decimal:
    """A signed balance as people read it: income, liabilities and fund balance as positives."""
    return signed if AccountType(account_type) in DEBIT_NORMAL else -signed


def digest(prev_hash: str, body: dict[str, object]) -> str:
    """Hash of an entry chained to the one before it, so any later change shows."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def entry_body(*, number: int, entry: Entry, reverses: int | None, fund: int) -> dict[str, object]:
    """The canonical content of a posted entry that its hash covers."""
    return {
        "fund": fund,
        "number": number,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "reverses": reverses,
        "postings": [[p.account, str(p.amount), p.source] for p in entry.postings],
    }
