"""Check every fund's books against the promises the ledger makes, straight from the tables.

The database refuses to change posted entries, but someone with direct access can drop the
triggers. This check assumes nothing the tables say: each entry must balance, stay in its
fund, keep its number and its place in the hash chain, and hash to what was posted; each
reversal must cancel exactly the entry it names; and the balances the reports show (SQL sums)
must equal the sums of the lines counted one by one, and the monthly totals the reports read
must equal the lines month by month.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django_scopes import scopes_disabled

from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry, JournalLine, LedgerHead
from kongtun.ledger.selectors import account_balance
from kongtun.ledger.summaries import summary_differences

GENESIS = "0" * 64  # the hash a fund's first entry links to (LedgerHead's default)
MAX_MISSING_LISTED = 20


@dataclass(frozen=True)
class Problem:
    fund: str
    number: int | None
    message: str

    def __str__(self) -> str:
        where = f"fund {self.fund}"
        if self.number is not None:
            where += f" entry #{self.number}"
        return f"{where}: {self.message}"


def verify_ledger(fund: Fund | None = None) -> list[Problem]:
    """Every broken promise in the books of `fund`, or of every fund; empty when all hold."""
    problems: list[Problem] = []
    # An auditor's check reads across funds (a line moved into another fund's account is one
    # of the things it looks for), so it runs outside any one fund's scope; it only reads.
    with scopes_disabled():
        funds = [fund] if fund is not None else list(Fund.objects.order_by("code"))
        codes = dict(Fund.objects.values_list("pk", "code"))
        for one in funds:
            problems.extend(_FundCheck(one, codes).run())
    return problems


class _FundCheck:
    def __init__(self, fund: Fund, fund_codes: dict[int, str]) -> None:
        self.fund = fund
        self.fund_codes = fund_codes
        self.problems: list[Problem] = []
        self.entries = list(
            JournalEntry.objects.filter(fund=fund)
            .select_related("reverses")
            .order_by("number", "pk")
        )
        # Lines of this fund's entries, and lines that claim this fund under another's entry.
        self.lines = list(
            JournalLine.objects.filter(Q(entry__fund=fund) | Q(fund=fund)).order_by("pk")
        )
        account_ids = {ln.account_id for ln in self.lines}
        self.accounts = Account.objects.in_bulk(
            set(Account.objects.filter(fund=fund).values_list("pk", flat=True)) | account_ids
        )
        self.lines_of: dict[int, list[JournalLine]] = defaultdict(list)
        for line in self.lines:
            self.lines_of[line.entry_id].append(line)

    def report(self, number: int | None, message: str) -> None:
        self.problems.append(Problem(self.fund.code, number, message))

    def run(self) -> list[Problem]:
        self.check_chain()
        own = {e.pk for e in self.entries}
        for entry in self.entries:
            self.check_entry(entry, self.lines_of.get(entry.pk, []))
        self.check_reversals()
        for line in self.lines:
            if line.entry_id not in own:
                other = JournalEntry.objects.filter(pk=line.entry_id).first()
                where = (
                    f"#{other.number} of fund {self.fund_codes.get(other.fund_id)}"
                    if other
                    else "gone"
                )
                self.report(None, f"line {line.pk} is in this fund but its entry is {where}")
        self.check_balances()
        self.check_monthly_totals()
        return self.problems

    def check_chain(self) -> None:
        """Numbers run 1..n with no gap, each entry links to the one before, the head to the end."""
        expected, prev = 1, GENESIS
        for entry in self.entries:
            if entry.number > expected:
                missing = range(expected, entry.number)
                if len(missing) <= MAX_MISSING_LISTED:
                    for number in missing:
                        self.report(number, "missing: the entry was deleted or renumbered")
                else:
                    self.report(
                        entry.number, f"entries #{expected}–#{entry.number - 1} are missing"
                    )
            elif entry.number < expected:
                self.report(entry.number, "number used twice or out of order")
            if entry.prev_hash != prev:
                self.report(entry.number, "does not link to the entry before it")
            expected, prev = entry.number + 1, entry.hash
        last = self.entries[-1].number if self.entries else 0
        head = LedgerHead.objects.filter(fund=self.fund).first()
        if head is None:
            if self.entries:
                self.report(None, "the ledger head is missing")
        elif head.number != last or head.hash != prev:
            self.report(None, f"the ledger head says #{head.number} but the books end at #{last}")

    def check_entry(self, entry: JournalEntry, lines: list[JournalLine]) -> None:
        report = self.report
        stored = self.as_core(entry, lines)
        for error in core.validate_entry(stored):
            if error.code == "unbalanced":
                residual = sum((p.amount for p in stored.postings), core.ZERO)
                report(entry.number, f"does not balance (off by {residual})")
            else:
                report(entry.number, error.message)
        for line in lines:
            account = self.accounts.get(line.account_id)
            if account is None:
                report(entry.number, f"line {line.pk} posts to an account that does not exist")
                continue
            if line.fund_id != entry.fund_id:
                report(
                    entry.number, f"line {line.pk} is in fund {self.fund_codes.get(line.fund_id)}"
                )
            if account.fund_id != entry.fund_id:
                report(
                    entry.number,
                    f"line {line.pk} posts to account {account.code} "
                    f"of fund {self.fund_codes.get(account.fund_id)}",
                )
            if line.date != entry.date:
                report(entry.number, f"line {line.pk} is dated {line.date}, the entry {entry.date}")
        body = core.entry_body(
            number=entry.number,
            entry=stored,
            reverses=entry.reverses.number if entry.reverses else None,
            fund=entry.fund_id,
        )
        if core.digest(entry.prev_hash, body) != entry.hash:
            report(entry.number, "content changed after it was posted (hash does not match)")

    def as_core(self, entry: JournalEntry, lines: list[JournalLine]) -> core.Entry:
        """The entry as stored, built as services.entry_as_core builds it (lines in pk order)."""
        return core.Entry(
            entry.date,
            entry.memo,
            tuple(
                core.Posting(self.code_of(ln.account_id), ln.amount, ln.source)
                for ln in sorted(lines, key=lambda ln: ln.pk)
            ),
        )

    def code_of(self, account_id: int) -> str:
        account = self.accounts.get(account_id)
        return account.code if account is not None else f"?{account_id}"

    def check_reversals(self) -> None:
        reversed_count = Counter(e.reverses_id for e in self.entries if e.reverses_id is not None)
        for entry in self.entries:
            if (entry.kind == JournalEntry.Kind.REVERSAL) != (entry.reverses_id is not None):
                self.report(entry.number, "kind and reversal link disagree")
            if reversed_count.get(entry.pk, 0) > 1:
                self.report(entry.number, "reversed more than once")
            target = entry.reverses
            if target is None:
                if entry.reverses_id is not None:
                    self.report(entry.number, "reverses an entry that no longer exists")
                continue
            if target.fund_id != entry.fund_id:
                self.report(entry.number, "reverses an entry of another fund")
                continue
            if target.kind == JournalEntry.Kind.REVERSAL:
                self.report(entry.number, f"reverses #{target.number}, itself a reversal")
            if entry.date < target.date:
                self.report(entry.number, f"dated before #{target.number}, the entry it reverses")
            mine = sorted((ln.account_id, ln.amount) for ln in self.lines_of.get(entry.pk, []))
            theirs = sorted((ln.account_id, -ln.amount) for ln in self.lines_of.get(target.pk, []))
            if mine != theirs:
                self.report(entry.number, f"does not exactly cancel #{target.number}")

    def check_balances(self) -> None:
        """Balances the reports show (SQL sums) equal the lines added up here, to the satang."""
        totals: dict[int, Decimal] = defaultdict(lambda: core.ZERO)
        for line in self.lines:
            if line.fund_id == self.fund.pk:
                totals[line.account_id] += line.amount
        own = {a.pk for a in self.accounts.values() if a.fund_id == self.fund.pk}
        for account_id in sorted(set(totals) | own):
            account = self.accounts.get(account_id)
            if account is None:
                continue  # reported with its entry
            in_sql = account_balance(fund=self.fund, account=account)
            counted = totals.get(account_id, core.ZERO)
            if in_sql != counted:
                self.report(
                    None,
                    f"account {account.code}: the books say {in_sql}, its lines sum to {counted}",
                )
        residual = sum(totals.values(), core.ZERO)
        if residual != 0:
            self.report(None, f"the trial balance does not balance (off by {residual})")

    def check_monthly_totals(self) -> None:
        """The monthly totals reports read equal the lines, month by month, to the satang."""
        if self.fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
            return  # its totals are what its signed packages carried; its books are elsewhere
        for difference in summary_differences(self.fund):
            account = self.accounts.get(difference.account_id)
            code = account.code if account is not None else f"id {difference.account_id}"
            self.report(
                None,
                f"monthly total of account {code} source {difference.source or '-'} "
                f"{difference.period}: the lines add up to {difference.books[0]} in "
                f"{difference.books[1]} lines, the total says {difference.summary[0]} in "
                f"{difference.summary[1]}",
            )
