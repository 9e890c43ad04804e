"""A fund's books as a Beancount file, for its auditor.

Beancount is plain-text double-entry bookkeeping with its own checker (`bean-check`), so an
auditor can check and query the books with tools Kongtun did not write. Its sign convention
is ours (debits positive), so each line is written with its amount as stored. The file ends
with Kongtun's own balance of every account as `balance` assertions: bean-check then proves
that the balances Kongtun reports equal the sum of the postings it exported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable

from kongtun.funds.models import Fund
from kongtun.ledger.core import AccountType
from kongtun.ledger.models import Account, JournalEntry, JournalLine
from kongtun.ledger.selectors import balances

CURRENCY = "THB"
ROOTS = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.EQUITY: "Equity",
    AccountType.INCOME: "Income",
    AccountType.EXPENSE: "Expenses",
}
# A Beancount account component starts with a capital letter or a digit and holds only
# letters, digits and dashes; a fund's own codes may hold anything, so the rest become dashes.
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9-]")


def quoted(text: str) -> str:
    """A Beancount string literal: backslashes, quotes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def account_names(accounts: Iterable[Account]) -> dict[int, str]:
    """Beancount names by account id, e.g. "Assets:A1101"; unique even if two codes clean alike."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for account in sorted(accounts, key=lambda a: (a.code, a.pk)):
        name = f"{ROOTS[AccountType(account.type)]}:A{_NOT_IN_NAME.sub('-', account.code)}"
        if name in taken:
            name = f"{name}-{account.pk}"
        taken.add(name)
        names[account.pk] = name
    return names


def _amount(value: object) -> str:
    return f"{value} {CURRENCY}"


def fund_to_beancount(fund: Fund) -> str:
    """The fund's whole books as the text of a Beancount file (run inside the fund's scope)."""
    entries = list(
        JournalEntry.objects.filter(fund=fund).select_related("reverses").order_by("number")
    )
    lines_of: dict[int, list[JournalLine]] = defaultdict(list)
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund)}
    for line in JournalLine.objects.filter(fund=fund).select_related("account").order_by("pk"):
        lines_of[line.entry_id].append(line)
        accounts.setdefault(line.account_id, line.account)
    names = account_names(accounts.values())
    width = max((len(n) for n in names.values()), default=0) + 2
    opened = min([fund.founded_on, *(e.date for e in entries)])

    out = [
        f";; {fund.name} ({fund.code}): books exported from Kongtun, "
        + (
            f"entries #1-#{entries[-1].number}, last hash {entries[-1].hash}"
            if entries
            else "no entries"
        ),
        ";; Amounts in baht; debits positive, credits negative, as in Kongtun.",
        f'option "title" {quoted(f"{fund.name} ({fund.code})")}',
        f'option "operating_currency" "{CURRENCY}"',
        "",
        f"{opened} commodity {CURRENCY}",
        "",
    ]
    for account in sorted(accounts.values(), key=lambda a: a.code):
        out.append(f"{opened} open {names[account.pk]} {CURRENCY}")
        out.append(f"  code: {quoted(account.code)}")
        out.append(f"  name: {quoted(account.name_th)}")
        if account.name_en:
            out.append(f"  name_en: {quoted(account.name_en)}")
        if account.source:
            out.append(f"  source: {quoted(account.source)}")
        if account.bank_account_no:
            out.append(f"  bank_account: {quoted(account.bank_account_no)}")
    out.append("")

    for entry in entries:
        out.append(f"{entry.date} * {quoted(entry.memo)}")
        out.append(f"  number: {entry.number}")
        out.append(f"  kind: {quoted(entry.kind)}")
        out.append(f"  hash: {quoted(entry.hash)}")
        if entry.reverses is not None:
            out.append(f"  reverses: {entry.reverses.number}")
        for line in lines_of.get(entry.pk, []):
            out.append(f"  {names[line.account_id]:<{width}}{_amount(line.amount):>20}")
            if line.source:
                out.append(f"    source: {quoted(line.source)}")
        out.append("")

    if entries:
        # A balance assertion holds at the start of its day, so date them after the last entry.
        after = max(e.date for e in entries) + dt.timedelta(days=1)
        out.append(";; Kongtun's balances; bean-check checks them against the postings above.")
        totals = balances(fund=fund)
        for account_id, name in sorted(names.items(), key=lambda item: item[1]):
            if account_id in totals:
                out.append(f"{after} balance {name:<{width}}{_amount(totals[account_id]):>20}")
        out.append("")
    return "\n".join(out)
