"""A fund's indicators on any date: what CODI's forms, the province and the vetting read.

Every figure is computed from the fund's own records as they stood on the date (member
history, posted books through their monthly totals, paid claims, meetings), never typed in.
Each has a trace key; `kongtun.indicators.trace` lists the records behind it. A fund that
keeps its records on its own computer has none of those here: its indicators are the latest
snapshot its signed packages brought.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.contributions.matching import government_year, government_year_of
from kongtun.funds.models import Branch, Fund
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.ledger import summaries
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.core import ZERO, AccountType
from kongtun.ledger.models import Account, JournalEntry, PeriodClose, Source
from kongtun.ledger.statements import Period, admin_ratio, fiscal_year_bounds, fiscal_year_of
from kongtun.members.models import Event, Member, MemberType, Status, StatusChange
from kongtun.public.models import MeetingSummary
from kongtun.welfare.models import Meeting
from kongtun.welfare.selectors import regulation_in_force, welfare_by_category

FORMAT = 1  # of as_dict(): bumped when a field changes meaning, checked by from_dict()
CURRENT = frozenset({Status.ACTIVE, Status.LAPSED})  # still members, as CODI's form counts
# Books are current when every month up to three months back is closed: a month is closed
# once its bank statement arrives and is reconciled, which takes a month or two.
BOOKS_CURRENT_MONTHS = 3


@dataclass(frozen=True)
class TypeCount:
    cumulative: int
    current: int


@dataclass(frozen=True)
class MemberCounts:
    cumulative: int  # ever admitted as members up to the date
    current: int  # members (active or lapsed) on the date
    eligible_for_matching: int  # current on the last 30 September, a full year a member by then
    eligible_as_of: dt.date
    new_this_year: int  # admitted since the fiscal year began
    by_type: dict[str, TypeCount]


@dataclass(frozen=True)
class SourceMoney:
    source: str
    year: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class WelfareLine:
    category: str  # a CODI category key, or "non_members"
    persons_year: int
    claims_year: int
    baht_year: Decimal
    persons_total: int
    claims_total: int
    baht_total: Decimal


@dataclass(frozen=True)
class Indicators:
    fund_code: str
    fund_name: str
    as_of: dt.date
    fiscal_year_be: int
    year_start: dt.date
    founded_on: dt.date
    years_operating: int
    members: MemberCounts
    villages_covered: int
    villages_in_area: int | None
    money: list[SourceMoney]
    contributions_year: Decimal
    contributions_cumulative: Decimal
    local_gov_year: Decimal
    income_year: Decimal
    welfare: list[WelfareLine]
    welfare_paid_year: Decimal
    welfare_paid_total: Decimal
    welfare_types_year: int
    admin_costs_year: Decimal
    admin_percent: Decimal
    admin_cap_percent: Decimal
    admin_exceeded: bool
    money_on_hand: Decimal
    fund_balance: Decimal
    books_last_entry: dt.date | None
    books_closed_through: dt.date | None
    books_current: bool
    year_closed: bool
    regulation_in_force: bool
    regulation_adopted_on: dt.date | None
    register_kept: bool
    committee_meetings_year: int
    committee_meeting_dates: list[dt.date]
    # Meeting summaries published on the public page in the year (None: a package from before
    # the public pages, unknown). Non-cash welfare is not in the records: None, a person checks.
    public_reports_year: int | None = None
    non_cash_welfare: bool | None = None
    imported: bool = False  # from a package, not computed on this server
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def village_coverage_percent(self) -> Decimal | None:
        if not self.villages_in_area:
            return None
        return (Decimal(self.villages_covered) * 100 / self.villages_in_area).quantize(
            Decimal("0.01")
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: dates as ISO text, money as text with two places (never a float)."""
        return {"format": FORMAT, **_jsonable(asdict(self))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Indicators:
        if data.get("format") != FORMAT:
            raise ValueError(f"indicators format {data.get('format')!r} is not {FORMAT}")
        d = {k: v for k, v in data.items() if k != "format"}
        day = dt.date.fromisoformat
        m = d["members"]
        members = MemberCounts(
            cumulative=int(m["cumulative"]),
            current=int(m["current"]),
            eligible_for_matching=int(m["eligible_for_matching"]),
            eligible_as_of=day(m["eligible_as_of"]),
            new_this_year=int(m["new_this_year"]),
            by_type={
                k: TypeCount(int(v["cumulative"]), int(v["current"]))
                for k, v in m["by_type"].items()
            },
        )
        money_fields = {
            "contributions_year",
            "contributions_cumulative",
            "local_gov_year",
            "income_year",
            "welfare_paid_year",
            "welfare_paid_total",
            "admin_costs_year",
            "admin_percent",
            "admin_cap_percent",
            "money_on_hand",
            "fund_balance",
        }
        date_fields = {"as_of", "year_start", "founded_on"}
        optional_dates = {"books_last_entry", "books_closed_through", "regulation_adopted_on"}
        values: dict[str, Any] = {}
        for key, value in d.items():
            if key in money_fields:
                values[key] = Decimal(str(value))
            elif key in date_fields:
                values[key] = day(value)
            elif key in optional_dates:
                values[key] = day(value) if value else None
            else:
                values[key] = value
        values["members"] = members
        values["money"] = [
            SourceMoney(r["source"], Decimal(r["year"]), Decimal(r["cumulative"]))
            for r in d["money"]
        ]
        values["welfare"] = [
            WelfareLine(
                r["category"],
                int(r["persons_year"]),
                int(r["claims_year"]),
                Decimal(r["baht_year"]),
                int(r["persons_total"]),
                int(r["claims_total"]),
                Decimal(r["baht_total"]),
            )
            for r in d["welfare"]
        ]
        values["committee_meeting_dates"] = [day(x) for x in d["committee_meeting_dates"]]
        return cls(**values)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def codi_snapshot_date(fiscal_year_be: int) -> dt.date:
    """CODI's snapshot date: 30 September that ends the government fiscal year."""
    return government_year(fiscal_year_be)[1]


def last_snapshot_date(on: dt.date) -> dt.date:
    """The latest 30 September on or before `on`."""
    this_year = dt.date(on.year, 9, 30)
    return this_year if on >= this_year else dt.date(on.year - 1, 9, 30)


def _whole_years(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


# --- members ------------------------------------------------------------------------------


@dataclass
class _History:
    """One member's register history, enough to answer "what were they on that day"."""

    member_type: str
    village: tuple[str, int] | None  # the village or community of the area they belong to
    changes: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (on, event, to)

    def status_on(self, day: dt.date) -> str | None:
        status = None
        for on, _event, to in self.changes:
            if on > day:
                break
            status = to
        return status

    def admitted_on(self, day: dt.date) -> dt.date | None:
        """The start of the membership running on `day` (latest approval), if any."""
        start = None
        for on, event, _to in self.changes:
            if on > day:
                break
            if event == Event.APPROVED:
                start = on
        return start

    def first_admitted(self) -> dt.date | None:
        return next((on for on, event, _to in self.changes if event == Event.APPROVED), None)

    def ever_admitted(self, day: dt.date) -> bool:
        # Only the committee's approval makes a member: an applicant who died or was turned
        # down reaches a status members also reach, without ever having been one.
        first = self.first_admitted()
        return first is not None and first <= day


def eligible_cutoff(snapshot: dt.date) -> dt.date:
    """The latest admission that makes a full year a member by the end of `snapshot`:
    admitted on 1 October, a member through the 30 September after (as matching counts it)."""
    return _one_year_before(snapshot) + dt.timedelta(days=1)


def _village(
    fund: Fund,
    moo: int | None,
    tambon_id: str | None,
    branch_id: int | None,
    branch_kind: str | None,
    branch_number: int | None,
) -> tuple[str, int] | None:
    """Which village (หมู่) or community of the fund's area a member belongs to, if any.

    A branch that is a village names it by its number, so a member filed under the branch
    "หมู่ 1" and one whose address says moo 1 are one village. A moo in another tambon is
    none of the area's villages.
    """
    if branch_id is not None:
        if branch_kind == Branch.Kind.MOO and branch_number:
            return ("moo", branch_number)
        return ("branch", branch_id)
    if moo is not None and tambon_id == fund.tambon_id:
        return ("moo", moo)
    return None


def _histories(fund: Fund) -> dict[int, _History]:
    rows = Member.objects.filter(fund=fund).values_list(
        "pk", "member_type", "moo", "tambon_id", "branch_id", "branch__kind", "branch__number"
    )
    people = {
        pk: _History(member_type, _village(fund, moo, tambon, branch, kind, number))
        for pk, member_type, moo, tambon, branch, kind, number in rows.order_by()
    }
    changes = (
        StatusChange.objects.filter(fund=fund)
        .values_list("member_id", "effective_on", "event", "to_status")
        .order_by("member_id", "effective_on", "recorded_at", "pk")
    )
    for member_id, on, event, to in changes:
        if member_id in people:
            people[member_id].changes.append((on, event, to))
    return people


def _member_counts(fund: Fund, on: dt.date, year_start: dt.date) -> tuple[MemberCounts, int]:
    people = _histories(fund)
    snapshot = last_snapshot_date(on)
    cutoff = eligible_cutoff(snapshot)
    cumulative = current = eligible = new = 0
    by_type: dict[str, list[int]] = {t: [0, 0] for t in MemberType.values}
    villages: set[tuple[str, int]] = set()
    for person in people.values():
        if not person.ever_admitted(on):
            continue
        cumulative += 1
        by_type.setdefault(person.member_type, [0, 0])[0] += 1
        if person.status_on(on) in CURRENT:
            current += 1
            by_type[person.member_type][1] += 1
            if person.village is not None:
                villages.add(person.village)
        if person.status_on(snapshot) in CURRENT:
            start = person.admitted_on(snapshot)
            if start is not None and start <= cutoff:
                eligible += 1
        first = person.first_admitted()
        if first is not None and year_start <= first <= on:
            new += 1
    counts = MemberCounts(
        cumulative=cumulative,
        current=current,
        eligible_for_matching=eligible,
        eligible_as_of=snapshot,
        new_this_year=new,
        by_type={t: TypeCount(c[0], c[1]) for t, c in by_type.items()},
    )
    return counts, len(villages)


# --- money ----------------------------------------------------------------------------------


def _money(fund: Fund, on: dt.date, year_start: dt.date) -> dict[str, Any]:
    accounts = {a.pk: a for a in Account.objects.filter(fund=fund)}
    year = summaries.movements(funds=[fund], start=year_start, end=on)
    ever = summaries.movements(funds=[fund], start=None, end=on)
    income_year: dict[str, Decimal] = defaultdict(lambda: ZERO)
    income_ever: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for moved, into in ((year, income_year), (ever, income_ever)):
        for (_fund, account_id, source, *_rest), amount in moved.items():
            account = accounts[account_id]
            if account.type == AccountType.INCOME:
                into[source or account.source or Source.OTHER] -= amount  # credits are income
    on_hand = fund_balance = ZERO
    for (_fund, account_id, _source, *_rest), amount in ever.items():
        account = accounts[account_id]
        if account.is_money:
            on_hand += amount
        if account.type == AccountType.ASSET:
            fund_balance += amount
        elif account.type == AccountType.LIABILITY:
            fund_balance += amount  # credit balances are negative: this subtracts them
    order = list(Source.values)
    sources = sorted(
        income_ever.keys() | income_year.keys(),
        key=lambda s: order.index(s) if s in order else len(order),
    )
    return {
        "money": [
            SourceMoney(s, income_year[s], income_ever[s])
            for s in sources
            if income_ever[s] or income_year[s]
        ],
        "contributions_year": income_year[Source.MEMBERS],
        "contributions_cumulative": income_ever[Source.MEMBERS],
        "local_gov_year": income_year[Source.LOCAL_GOV],
        "income_year": sum(income_year.values(), ZERO),
        "money_on_hand": on_hand,
        "fund_balance": fund_balance,
    }


def _welfare(fund: Fund, on: dt.date, year_start: dt.date) -> dict[str, Any]:
    year = {r.category: r for r in welfare_by_category(fund, on, year_start)}
    total = {r.category: r for r in welfare_by_category(fund, on)}
    last_12 = welfare_by_category(fund, on, on - dt.timedelta(days=364))
    order = [key for key, _th, _en in WELFARE_CATEGORIES] + ["non_members"]
    lines = []
    for category in sorted(
        total.keys() | year.keys(), key=lambda c: order.index(c) if c in order else len(order)
    ):
        y, t = year.get(category), total.get(category)
        lines.append(
            WelfareLine(
                category,
                y.persons if y else 0,
                y.claims if y else 0,
                y.baht if y else ZERO,
                t.persons if t else 0,
                t.claims if t else 0,
                t.baht if t else ZERO,
            )
        )
    return {
        "welfare": lines,
        "welfare_paid_year": sum((w.baht_year for w in lines), ZERO),
        "welfare_paid_total": sum((w.baht_total for w in lines), ZERO),
        "welfare_types_year": sum(1 for r in last_12 if r.category != "non_members" and r.claims),
    }


def books_current(closed_through: dt.date | None, on: dt.date) -> bool:
    """Closed through the end of the month BOOKS_CURRENT_MONTHS before `on`'s, or later."""
    month = on.replace(day=1)
    for _month in range(BOOKS_CURRENT_MONTHS - 1):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return closed_through is not None and closed_through >= month - dt.timedelta(days=1)


def _books(fund: Fund, on: dt.date) -> dict[str, Any]:
    last = JournalEntry.objects.filter(fund=fund, date__lte=on).aggregate(last=Max("date"))["last"]
    closes = PeriodClose.objects.filter(fund=fund, reopened_at__isnull=True, end__lte=on)
    closed_through = closes.filter(kind=PeriodClose.Kind.MONTH).aggregate(end=Max("end"))["end"]
    year_end = closes.filter(kind=PeriodClose.Kind.YEAR).aggregate(end=Max("end"))["end"]
    if year_end is not None and (closed_through is None or year_end > closed_through):
        closed_through = year_end
    fy = fiscal_year_of(fund, on)
    _start, previous_end = fiscal_year_bounds(fund, fy - 1)
    return {
        "books_last_entry": last,
        "books_closed_through": closed_through,
        "books_current": books_current(closed_through, on),
        # The fund's own previous year, closed as a year (closing its months is not enough).
        "year_closed": closes.filter(kind=PeriodClose.Kind.YEAR, end__gte=previous_end).exists(),
    }


def fund_indicators(*, fund: Fund, on: dt.date) -> Indicators:
    """The fund's indicators at the end of `on`. The caller holds the fund's scope.

    "The year" is the government fiscal year (1 October – 30 September) for every fund, also
    for those that keep their own books by calendar year: CODI, its forms, the province and
    the vetting all count by it, and a fund's figures must read the same everywhere.
    """
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        return imported_indicators(fund=fund, on=on)
    fy = government_year_of(on)
    year_start = government_year(fy)[0]
    members, villages = _member_counts(fund, on, year_start)
    ratio = admin_ratio(fund=fund, period=Period(year_start, on, fy))
    regulation = regulation_in_force(fund, on)
    meetings = sorted(
        Meeting.objects.filter(fund=fund, date__range=(year_start, on)).values_list(
            "date", flat=True
        )
    )
    return Indicators(
        fund_code=fund.code,
        fund_name=fund.name,
        as_of=on,
        fiscal_year_be=fy,
        year_start=year_start,
        founded_on=fund.founded_on,
        years_operating=_whole_years(fund.founded_on, on),
        members=members,
        villages_covered=villages,
        villages_in_area=fund.villages_in_area,
        **_money(fund, on, year_start),
        **_welfare(fund, on, year_start),
        admin_costs_year=ratio.admin,
        admin_percent=ratio.percent,
        admin_cap_percent=ratio.cap,
        admin_exceeded=ratio.exceeded,
        **_books(fund, on),
        regulation_in_force=regulation is not None,
        regulation_adopted_on=regulation.effective_from if regulation else None,
        register_kept=members.current > 0,
        committee_meetings_year=len(meetings),
        committee_meeting_dates=meetings,
        public_reports_year=public_reports(fund, year_start, on),
    )


def public_reports(fund: Fund, start: dt.date, on: dt.date) -> int:
    """Meeting summaries published on the fund's public page from `start` to `on`, and not
    withdrawn by the end of `on`."""
    tz = timezone.get_current_timezone()
    after = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    before = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        MeetingSummary.objects.filter(fund=fund, published_at__gte=after, published_at__lt=before)
        .exclude(withdrawn_at__lt=before)
        .count()
    )


class NoIndicators(LookupError):
    pass


def imported_indicators(*, fund: Fund, on: dt.date) -> Indicators:
    """The latest indicators a package brought with as_of on or before `on`."""
    snapshot = (
        IndicatorSnapshot.objects.filter(
            fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of__lte=on
        )
        .order_by("-as_of", "-taken_at")
        .first()
    )
    if snapshot is None:
        raise NoIndicators(
            _("No package from %(fund)s on or before this date has been imported yet.")
            % {"fund": fund.name}
        )
    found = Indicators.from_dict(snapshot.data)
    # The summaries it counted are on the fund's own computer, which no one else can read:
    # whether it reports to the public is for a person to check.
    return found.__class__(**{**found.__dict__, "imported": True, "public_reports_year": None})


def indicators_or_none(*, fund: Fund, on: dt.date) -> Indicators | None:
    try:
        return fund_indicators(fund=fund, on=on)
    except NoIndicators:
        return None


__all__ = [
    "Indicators",
    "MemberCounts",
    "NoIndicators",
    "SourceMoney",
    "TypeCount",
    "WelfareLine",
    "codi_snapshot_date",
    "fund_indicators",
    "imported_indicators",
    "indicators_or_none",
    "last_snapshot_date",
]
