"""The reconciliation of an opening import: the sheet's totals next to what Kongtun holds.

What the sheet said is read back from the audit trail, where the import recorded it (the
import's entry, then one entry per member); what Kongtun holds is read from the tables: the
members' first plan, the past payments, the opening entry's lines and the books' balances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Sum
from django.utils.translation import gettext as _

from kongtun.audit.models import AuditEntry
from kongtun.contributions.models import MemberPlan, OpeningImport, PastPayment
from kongtun.contributions.opening.services import AUDIT_IMPORTED, AUDIT_MEMBER
from kongtun.ledger.models import Account, JournalLine, Source
from kongtun.ledger.selectors import account_balance
from kongtun.ledger.statements import source_label

ZERO = Decimal("0.00")
MAX_MEMBERS_LISTED = 20
Figure = Decimal | int | None


@dataclass
class Line:
    label: str
    sheet: Figure  # None: the sheet's figure was not recorded
    kongtun: Figure
    money: bool = True

    @property
    def equal(self) -> bool:
        return self.sheet is not None and self.sheet == self.kongtun


@dataclass
class Section:
    title: str
    lines: list[Line]


@dataclass
class MemberDifference:
    number: str
    what: str
    sheet: str
    kongtun: str


@dataclass
class Reconciliation:
    opening: OpeningImport
    sections: list[Section] = field(default_factory=list)
    differences: list[MemberDifference] = field(default_factory=list)  # the first few
    recorded: bool = True  # False when the import's record of the sheet is missing

    @property
    def all_equal(self) -> bool:
        return all(line.equal for section in self.sections for line in section.lines)


def _sheet_record(opening: OpeningImport) -> tuple[dict[str, Any], list[AuditEntry]]:
    imported = AuditEntry.objects.filter(
        fund=opening.fund,
        object_type=OpeningImport._meta.label_lower,
        object_id=str(opening.pk),
        action=AUDIT_IMPORTED,
    ).first()
    if imported is None:
        return {}, []
    after: dict[str, Any] = imported.payload["after"]
    members = list(
        AuditEntry.objects.filter(
            fund=opening.fund,
            chain=imported.chain,
            seq__gt=imported.seq,
            seq__lte=imported.seq + int(after.get("member_entries", 0)),
            action=AUDIT_MEMBER,
        ).order_by("seq")
    )
    return after, members


def opening_reconciliation(*, opening: OpeningImport) -> Reconciliation:
    sheet, member_entries = _sheet_record(opening)
    result = Reconciliation(opening, recorded=bool(sheet))
    per_member = {int(e.object_id): e.payload["after"] for e in member_entries}
    result.sections.append(_members_section(opening, sheet, per_member, result))
    result.sections.append(_sources_section(opening, sheet))
    result.sections.append(_money_section(opening, sheet))
    return result


def _members_section(
    opening: OpeningImport,
    sheet: dict[str, Any],
    per_member: dict[int, dict[str, Any]],
    result: Reconciliation,
) -> Section:
    fund = opening.fund
    payments = PastPayment.objects.filter(fund=fund, batch=opening)
    totals = payments.aggregate(count=Count("pk"), total=Sum("amount"))
    sums = {
        row["member"]: (row["count"], row["total"])
        for row in payments.values("member").annotate(count=Count("pk"), total=Sum("amount"))
    }
    starts = {
        row["member"]: row["first"]
        for row in MemberPlan.objects.filter(fund=fund, epoch=1)
        .values("member")
        .annotate(first=Min("starts_on"))
    }
    with_standing = {pk: m for pk, m in per_member.items() if "paid_through" in m}
    same_start = 0
    for pk, member in with_standing.items():
        paid_through = dt.date.fromisoformat(member["paid_through"])
        start = starts.get(pk)
        if start is not None and start == paid_through + dt.timedelta(days=1):
            same_start += 1
        else:
            shown = (start - dt.timedelta(days=1)).isoformat() if start else "—"
            _differ(result, member, _("paid through"), member["paid_through"], shown)
    paying = {pk: m for pk, m in per_member.items() if m.get("payments")}
    same_sums = 0
    for pk, member in paying.items():
        count, total = sums.get(pk, (0, ZERO))
        if (count, total) == (member["payments"], Decimal(member["paid"])):
            same_sums += 1
        else:
            _differ(
                result,
                member,
                _("payments"),
                f"{member['payments']} / {member['paid']}",
                f"{count} / {total}",
            )
    recorded = bool(sheet)
    return Section(
        _("Members and their payments"),
        [
            Line(
                _("Members with a paid-through date"),
                opening.members,
                same_start if recorded else None,
                money=False,
            ),
            Line(_("Past payments"), opening.payments, totals["count"], money=False),
            Line(_("Past payments, total (baht)"), opening.payments_total, totals["total"] or ZERO),
            Line(
                _("Members whose payments add up as on the sheet"),
                len(paying) if recorded else None,
                same_sums,
                money=False,
            ),
        ],
    )


def _differ(
    result: Reconciliation, member: dict[str, Any], what: str, sheet: str, ours: str
) -> None:
    if len(result.differences) < MAX_MEMBERS_LISTED:
        result.differences.append(MemberDifference(member["number"], what, sheet, ours))


def _sources_section(opening: OpeningImport, sheet: dict[str, Any]) -> Section:
    posted: dict[str, Decimal] = {}
    if opening.entry_id is not None:
        credits = JournalLine.objects.filter(
            fund=opening.fund, entry_id=opening.entry_id, account__role="opening"
        )
        for row in credits.values("source").annotate(total=Sum("amount")):
            posted[row["source"]] = -row["total"]
    recorded = {s: Decimal(v) for s, v in sheet.get("sources", {}).items()}
    order = [s.value for s in Source]
    sources = sorted(
        set(recorded) | set(posted), key=lambda s: order.index(s) if s in order else 99
    )
    lines = [
        Line(source_label(s), recorded.get(s, ZERO) if sheet else None, posted.get(s, ZERO))
        for s in sources
    ]
    lines.append(
        Line(
            _("Fund balance, total"),
            sum(recorded.values(), ZERO) if sheet else None,
            sum(posted.values(), ZERO),
        )
    )
    return Section(_("Fund balance by source, in the opening entry"), lines)


def _money_section(opening: OpeningImport, sheet: dict[str, Any]) -> Section:
    fund = opening.fund
    recorded = {code: Decimal(v) for code, v in sheet.get("money", {}).items()}
    accounts = Account.objects.filter(fund=fund, role__in=("cash", "bank")).order_by("code")
    lines = []
    total = ZERO
    for account in accounts:
        balance = account_balance(fund=fund, account=account, on=opening.as_of)
        if account.code not in recorded and not balance:
            continue
        total += balance
        lines.append(
            Line(str(account), recorded.get(account.code, ZERO) if sheet else None, balance)
        )
    lines.append(Line(_("Money, total"), sum(recorded.values(), ZERO) if sheet else None, total))
    return Section(_("Cash and bank in the books at the end of the opening date"), lines)
