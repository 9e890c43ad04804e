"""Roll-ups of many funds for network and provincial officers: money, members, books.

Everything here is an aggregate per fund, summed up to tambon, amphoe and province; nothing
names a member. Money comes from the books' monthly totals (kongtun.ledger.summaries), so a
province of a hundred funds and ten years of payments rolls up from a few thousand rows.
Funds that keep their records on their own computer contribute the monthly totals their
signed packages brought. The province reports by the government fiscal year (1 October –
30 September) whatever year a fund keeps its own books by, as CODI does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q

from kongtun.contributions import matching
from kongtun.funds.models import CofundingApplication, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.selectors import (
    Indicators,
    _History,
    books_current,
    eligible_cutoff,
    indicators_or_none,
    last_snapshot_date,
)
from kongtun.ledger import summaries
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.core import ZERO, AccountType
from kongtun.ledger.models import Account, PeriodClose, Source
from kongtun.members.models import Event, Member, Status, StatusChange
from kongtun.welfare.models import Claim
from kongtun.welfare.rules import Recipient

CURRENT = (Status.ACTIVE, Status.LAPSED)


# 1 October – 30 September of a BE fiscal year, as the matching rules count it.
government_year_bounds = matching.government_year


@dataclass(frozen=True)
class _AccountKind:
    kind: str  # "income", "welfare", "admin", "money", "other"
    source: str


def _kinds(fund_ids: Sequence[int]) -> dict[int, _AccountKind]:
    kinds = {}
    rows = Account.objects.filter(fund_id__in=fund_ids).values_list("pk", "type", "role", "source")
    for pk, type_, role, source in rows.order_by():
        if type_ == AccountType.INCOME:
            kind = "income"
        # By role, as the fund's own income and expenditure statement groups them.
        elif role.startswith("welfare."):
            kind = "welfare"
        elif role.startswith("admin."):
            kind = "admin"
        elif role in ("cash", "bank"):
            kind = "money"
        else:
            kind = "other"
        kinds[pk] = _AccountKind(kind, source)
    return kinds


@dataclass
class Money:
    """Money of one fund or area over a period. Income is shown positive (credits negated)."""

    income: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    welfare: Decimal = ZERO
    admin: Decimal = ZERO
    money_on_hand: Decimal = ZERO  # cash and bank at the end of the period

    @property
    def contributions(self) -> Decimal:
        return self.income.get(Source.MEMBERS, ZERO)

    @property
    def total_income(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    def add(self, other: Money) -> None:
        for source, amount in other.income.items():
            self.income[source] += amount
        self.welfare += other.welfare
        self.admin += other.admin
        self.money_on_hand += other.money_on_hand


def _money_by_fund(
    fund_ids: Sequence[int], start: dt.date, end: dt.date, kinds: dict[int, _AccountKind]
) -> dict[int, Money]:
    result: dict[int, Money] = defaultdict(Money)
    moved = summaries.movements(
        funds=fund_ids, start=start, end=end, accounts=~Q(account__type=AccountType.ASSET)
    )
    for (fund_id, account_id, source, *_rest), amount in moved.items():
        kind = kinds[account_id]
        money = result[fund_id]
        if kind.kind == "income":
            money.income[source or kind.source or Source.OTHER] -= amount
        elif kind.kind == "welfare":
            money.welfare += amount
        elif kind.kind == "admin":
            money.admin += amount
    on_hand = summaries.movements(
        funds=fund_ids, start=None, end=end, accounts=Q(account__role__in=("cash", "bank"))
    )
    for (fund_id, _account, _source, *_rest), amount in on_hand.items():
        result[fund_id].money_on_hand += amount
    return result


@dataclass
class FundRow:
    fund: Fund
    money: Money
    members_current: int = 0
    members_total: int = 0
    members_new: int = 0
    # Current members admitted a full year before the last 30 September (CODI's matching).
    members_eligible: int = 0
    applying: bool = False
    books_closed_through: dt.date | None = None
    books_current: bool = False
    # CODI category (or "non_members") → (claims paid, persons helped, baht) in the year.
    welfare_by_category: dict[str, tuple[int, int, Decimal]] = field(default_factory=dict)

    @property
    def welfare_persons(self) -> int:
        return sum(p for _c, p, _b in self.welfare_by_category.values())

    @property
    def amphoe_code(self) -> str:
        return self.fund.tambon.amphoe_id

    @property
    def tambon_code(self) -> str:
        return self.fund.tambon_id


@dataclass
class AreaRow:
    """The sum of the funds of one area (an amphoe, a tambon, or the whole selection)."""

    code: str
    name: str
    funds: list[FundRow]

    @property
    def money(self) -> Money:
        total = Money()
        for row in self.funds:
            total.add(row.money)
        return total

    def _sum(self, attribute: str) -> int:
        return sum(getattr(r, attribute) for r in self.funds)

    @property
    def members_current(self) -> int:
        return self._sum("members_current")

    @property
    def members_total(self) -> int:
        return self._sum("members_total")

    @property
    def members_new(self) -> int:
        return self._sum("members_new")

    @property
    def members_eligible(self) -> int:
        return self._sum("members_eligible")

    @property
    def welfare_persons(self) -> int:
        return self._sum("welfare_persons")

    def welfare_by_category(self) -> list[tuple[str, int, int, Decimal]]:
        """Every CODI category in the form's order (zeros too), then help to non-members:
        (category, claims, persons, baht) summed over the funds."""
        order = [key for key, _th, _en in WELFARE_CATEGORIES] + ["non_members"]
        sums: dict[str, tuple[int, int, Decimal]] = dict.fromkeys(order, (0, 0, ZERO))
        for row in self.funds:
            for category, (claims, persons, baht) in row.welfare_by_category.items():
                c, p, b = sums.get(category, (0, 0, ZERO))
                sums[category] = (c + claims, p + persons, b + baht)
        return [(key, c, p, b) for key, (c, p, b) in sums.items()]

    @property
    def applying(self) -> int:
        return sum(1 for r in self.funds if r.applying)

    @property
    def books_current(self) -> int:
        return sum(1 for r in self.funds if r.books_current)


@dataclass
class Rollup:
    fiscal_year_be: int
    start: dt.date
    end: dt.date  # the fiscal year's end, or the day of the report if the year is running
    rows: list[FundRow]

    @property
    def total(self) -> AreaRow:
        return AreaRow("", "", self.rows)

    def by_amphoe(self) -> list[AreaRow]:
        return self._group(lambda r: (r.fund.tambon.amphoe_id, str(r.fund.tambon.amphoe)))

    def by_tambon(self) -> list[AreaRow]:
        return self._group(lambda r: (r.fund.tambon_id, str(r.fund.tambon)))

    def _group(self, key: Any) -> list[AreaRow]:
        groups: dict[tuple[str, str], list[FundRow]] = defaultdict(list)
        for row in self.rows:
            groups[key(row)].append(row)
        return [AreaRow(code, name, rows) for (code, name), rows in sorted(groups.items())]


@dataclass
class _MemberCounts:
    total: int = 0  # admitted by the end
    current: int = 0  # members (active or lapsed) at the end
    new: int = 0  # first admitted in the year
    eligible: int = 0  # a full year a member on the last 30 September (CODI's matching)


# Statuses that say nothing of whether the person was ever admitted: read their history.
UNSETTLED = (Status.APPLICANT, Status.REJECTED, Status.DECEASED)


def _members_by_fund(
    fund_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[int, _MemberCounts]:
    """The member counts the indicators give on `end`, for many funds without reading every
    member's history.

    Most members are settled: their history has not moved since before the year (no change
    after the last 30 September, no admission since a year before it) and their status
    implies they were admitted. For them today's status is the status on every day that
    matters, so counting statuses is enough. The few others (new, re-admitted, changed since,
    applicants, the dead) are read through their history, as the indicators read everyone.
    """
    snapshot = last_snapshot_date(end)
    cutoff = eligible_cutoff(snapshot)  # on or before the year's start: the new are unsettled
    counts: dict[int, _MemberCounts] = defaultdict(_MemberCounts)
    statuses = (
        Member.objects.filter(fund_id__in=fund_ids)
        .values("fund")
        .annotate(
            current=Count("pk", filter=Q(status__in=CURRENT)),
            former=Count("pk", filter=Q(status__in=(Status.RESIGNED, Status.EXPELLED))),
        )
        .order_by()
    )
    for r in statuses:
        c = counts[r["fund"]]
        c.total, c.current, c.eligible = r["current"] + r["former"], r["current"], r["current"]
    # Changed after the last 30 September, or admitted since the cut-off (which is before it):
    # both on or after the cut-off, so the (fund, effective_on) index bounds the read.
    moved = StatusChange.objects.filter(fund_id__in=fund_ids, effective_on__gte=cutoff).filter(
        Q(effective_on__gt=snapshot) | Q(event=Event.APPROVED)
    )
    # Two indexed reads, merged here: members whose status leaves their past open (the
    # (fund, status) index), and members whose history moved since the cut-off (the
    # (fund, effective_on) index). Joined with OR in one query, both databases scan every
    # change of every member instead.
    fields = ("member_id", "fund_id", "member__status", "effective_on", "event", "to_status")
    order = ("member_id", "effective_on", "recorded_at", "pk")
    by_status = StatusChange.objects.filter(
        member__in=Member.objects.filter(fund_id__in=fund_ids, status__in=UNSETTLED)
        .values("pk")
        .order_by()
    )
    by_change = StatusChange.objects.filter(member_id__in=moved.values("member_id").order_by())
    people: dict[int, tuple[int, str, _History]] = {}
    for rows in (by_status, by_change):
        histories: dict[int, tuple[int, str, _History]] = {}
        for member_id, fund_id, status, on, event, to in rows.values_list(*fields).order_by(*order):
            if member_id not in histories:
                histories[member_id] = (fund_id, status, _History("", None))
            histories[member_id][2].changes.append((on, event, to))
        people.update(histories)  # the same member from both reads has the same history
    for fund_id, status, history in people.values():
        c = counts[fund_id]
        # Take out what their status alone put in, then count them from their history.
        if status in CURRENT:
            c.total, c.current, c.eligible = c.total - 1, c.current - 1, c.eligible - 1
        elif status in (Status.RESIGNED, Status.EXPELLED):
            c.total -= 1
        c.total += history.ever_admitted(end)
        c.current += history.status_on(end) in CURRENT
        first = history.first_admitted()
        c.new += first is not None and start <= first <= end
        began = history.admitted_on(snapshot)
        c.eligible += (
            history.status_on(snapshot) in CURRENT and began is not None and began <= cutoff
        )
    return counts


def _welfare_by_fund(
    fund_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[int, dict[str, tuple[int, int, Decimal]]]:
    """Paid claims per fund and CODI category, persons counted as the fund's own form counts
    them (kongtun.welfare.selectors.welfare_by_category): the member, or the named child or
    non-member, once per category."""
    paid = Claim.objects.filter(
        fund_id__in=fund_ids, status=Claim.Status.PAID, paid_on__range=(start, end)
    ).values_list(
        "fund", "benefit__category", "recipient", "member_id", "person_name", "approved_amount"
    )
    sums: dict[tuple[int, str], tuple[set[tuple[int | None, str]], int, Decimal]] = {}
    for fund_id, category, recipient, member_id, person, amount in paid.order_by():
        if recipient == Recipient.NON_MEMBER:
            category = "non_members"
        who = (member_id, person if recipient == Recipient.CHILD else "")
        if member_id is None:
            who = (None, person)
        persons, claims, baht = sums.get((fund_id, category), (set(), 0, ZERO))
        persons.add(who)
        sums[(fund_id, category)] = (persons, claims + 1, baht + (amount or ZERO))
    result: dict[int, dict[str, tuple[int, int, Decimal]]] = defaultdict(dict)
    for (fund_id, category), (persons, claims, baht) in sums.items():
        result[fund_id][category] = (claims, len(persons), baht)
    return result


def _package_row(fund: Fund, money: Money, package: Indicators, applying: bool) -> FundRow:
    return FundRow(
        fund=fund,
        money=money,
        members_current=package.members.current,
        members_total=package.members.cumulative,
        members_new=package.members.new_this_year,
        members_eligible=package.members.eligible_for_matching,
        welfare_by_category={
            w.category: (w.claims_year, w.persons_year, w.baht_year) for w in package.welfare
        },
        applying=applying,
        books_closed_through=package.books_closed_through,
        books_current=package.books_current,
    )


def area_rollup(
    *, funds: Iterable[Fund], fiscal_year_be: int, today: dt.date | None = None
) -> Rollup:
    """Each fund's money in the fiscal year (to today, if it is running), members and books."""
    funds = list(funds)
    start, end = government_year_bounds(fiscal_year_be)
    if today is not None and today < end:
        end = max(today, start)
    fund_ids = [f.pk for f in funds]
    rows: list[FundRow] = []
    if not funds:
        return Rollup(fiscal_year_be, start, end, rows)
    with fund_scope(funds):
        kinds = _kinds(fund_ids)
        money = _money_by_fund(fund_ids, start, end, kinds)
        members = _members_by_fund(fund_ids, start, end)
        closed = dict(
            PeriodClose.objects.filter(fund_id__in=fund_ids, reopened_at__isnull=True, end__lte=end)
            .values("fund")
            .annotate(end=Max("end"))
            .values_list("fund", "end")
            .order_by()
        )
        welfare = _welfare_by_fund(fund_ids, start, end)
        applying = set(
            CofundingApplication.objects.filter(
                fund_id__in=fund_ids, fiscal_year_be=fiscal_year_be
            ).values_list("fund", flat=True)
        )
        # Funds on their own computers: what their latest package for this year says.
        packages = {
            f.pk: found
            for f in funds
            if f.runs_on == Fund.RunsOn.OWN_COMPUTER
            and (found := indicators_or_none(fund=f, on=end)) is not None
            and found.fiscal_year_be == fiscal_year_be
        }
    for fund in funds:
        m = members.get(fund.pk, _MemberCounts())
        package = packages.get(fund.pk)
        if package is not None:
            rows.append(
                _package_row(fund, money.get(fund.pk, Money()), package, fund.pk in applying)
            )
            continue
        rows.append(
            FundRow(
                fund=fund,
                money=money.get(fund.pk, Money()),
                members_current=m.current,
                members_total=m.total,
                members_new=m.new,
                members_eligible=m.eligible,
                welfare_by_category=welfare.get(fund.pk, {}),
                applying=fund.pk in applying,
                books_closed_through=closed.get(fund.pk),
                books_current=books_current(closed.get(fund.pk), end),
            )
        )
    return Rollup(fiscal_year_be, start, end, rows)


@dataclass
class MonthlyReport:
    year: int
    month: int
    rows: list[tuple[Fund, Money]]

    @property
    def total(self) -> Money:
        total = Money()
        for _fund, money in self.rows:
            total.add(money)
        return total


def province_monthly(*, funds: Iterable[Fund], year: int, month: int) -> MonthlyReport:
    """Every fund's money in one calendar month: income by source, welfare, administration,
    and money on hand at the month's end."""
    funds = list(funds)
    start = dt.date(year, month, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    with fund_scope(funds):
        ids = [f.pk for f in funds]
        money = _money_by_fund(ids, start, end, _kinds(ids))
    return MonthlyReport(year, month, [(f, money.get(f.pk, Money())) for f in funds])


def _first_admissions(fund_ids: Sequence[int], start: dt.date, end: dt.date) -> Any:
    """Approvals from start to end of people never admitted before: new members, not the
    re-admitted (as the indicators count them)."""
    earlier = StatusChange.objects.filter(
        member=OuterRef("member"), event=Event.APPROVED, effective_on__lt=OuterRef("effective_on")
    )
    # No ordering: the model's default (by member) would join members and funds for nothing.
    return (
        StatusChange.objects.filter(
            fund_id__in=fund_ids, event=Event.APPROVED, effective_on__range=(start, end)
        )
        .exclude(Exists(earlier))
        .order_by()
    )


@dataclass(frozen=True)
class MonthPoint:
    period: int  # yyyymm, Christian era
    income: dict[str, Decimal]
    welfare: Decimal
    admin: Decimal
    members_new: int

    @property
    def contributions(self) -> Decimal:
        return self.income.get(Source.MEMBERS, ZERO)


def series(*, funds: Iterable[Fund], first: dt.date, last: dt.date) -> list[MonthPoint]:
    """Month by month from `first`'s month to `last` (the last month may be partial)."""
    funds = list(funds)
    ids = [f.pk for f in funds]
    start = first.replace(day=1)
    income: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    welfare: dict[int, Decimal] = defaultdict(lambda: ZERO)
    admin: dict[int, Decimal] = defaultdict(lambda: ZERO)
    new: dict[int, int] = defaultdict(int)
    with fund_scope(funds):
        kinds = _kinds(ids)
        moved = summaries.movements(
            funds=ids,
            start=start,
            end=last,
            by_period=True,
            accounts=~Q(account__type=AccountType.ASSET),
        )
        for (_fund, account_id, source, period), amount in moved.items():  # type: ignore[misc]
            kind = kinds[account_id]
            if kind.kind == "income":
                income[period][source or kind.source or Source.OTHER] -= amount
            elif kind.kind == "welfare":
                welfare[period] += amount
            elif kind.kind == "admin":
                admin[period] += amount
        for day in _first_admissions(ids, start, last).values_list("effective_on", flat=True):
            new[summaries.period_of(day)] += 1
    points = []
    month = start
    while month <= last:
        p = summaries.period_of(month)
        points.append(MonthPoint(p, dict(income[p]), welfare[p], admin[p], new[p]))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return points
