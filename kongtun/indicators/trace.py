"""The records behind each indicator: the people, the monthly book totals, the paid claims, the
meetings, the closed periods, listed so that anyone in the fund can count them again.

`trace(fund, key, on)` answers one trace key (the keys the indicators page and CODI's forms
link to) with the rule in words, the records as rows with links to where each is kept, and
checks that set the figure the indicators give beside what the rows add up to. The member
rules are the indicators' own (`_History`), so the rows are the very people counted; the
money and the claims are read here again, independently, so a disagreement shows on the page.

Fund-side only: the rows name members. Each key needs the permission of the records it lists
(`trace_permission`); officers see aggregates elsewhere, never these pages.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kongtun.funds.models import Branch, Fund
from kongtun.funds.permissions import VIEW_BOOKS, VIEW_CLAIMS, VIEW_FUND, VIEW_MEMBERS
from kongtun.indicators import selectors
from kongtun.indicators.selectors import CURRENT, Indicators, eligible_cutoff
from kongtun.ledger import summaries
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.core import ZERO, AccountType
from kongtun.ledger.models import Account, JournalEntry, PeriodClose, Source
from kongtun.ledger.statements import fiscal_year_bounds, fiscal_year_of, source_label
from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import MONTHS_EN_SHORT, MONTHS_TH_SHORT, be_year, format_date
from kongtun.members.models import Member, MemberType, Status
from kongtun.welfare.describe import category_label
from kongtun.welfare.models import Claim, Meeting, Regulation
from kongtun.welfare.rules import Recipient

CATEGORIES = [key for key, _th, _en in WELFARE_CATEGORIES] + ["non_members"]
ALL = "all"  # every welfare category together


class UnknownTrace(LookupError):
    """No indicator has this key."""


# --- What a trace is --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    url: str = ""
    amount: Decimal | int | None = None  # what the row adds to its section; None: one each


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    amount_label: str = ""  # heads the amount column; "" when each row counts one
    link_permission: str = ""  # the pages the rows link to need it (else shown unlinked)
    counts: bool = True  # False: shown to explain, adds to no figure

    @property
    def table(self) -> list[tuple[Row, list[tuple[str, str]]]]:
        """Each row with its cells beside their column names (phone tables label each cell)."""
        return [(row, list(zip(self.columns, row.cells, strict=False))) for row in self.rows]

    @property
    def total(self) -> Decimal | int:
        if not self.amount_label:
            return len(self.rows)
        amounts = [r.amount for r in self.rows if r.amount is not None]
        if any(isinstance(a, Decimal) for a in amounts):
            return sum((Decimal(a) for a in amounts), ZERO)
        return sum(int(a) for a in amounts)


@dataclass(frozen=True)
class Check:
    """The figure the indicators give, beside what the rows of this page give."""

    label: str
    figure: Any
    traced: Any
    unit: str = "count"  # count, baht, percent, date, yesno

    @property
    def agrees(self) -> bool:
        return bool(self.figure == self.traced)


@dataclass(frozen=True)
class Trace:
    key: str
    title: str
    explanation: str
    on: dt.date
    sections: tuple[Section, ...] = ()
    checks: tuple[Check, ...] = ()
    note: str = ""  # e.g. the records are kept on the fund's own computer
    indicators: Indicators | None = None

    @property
    def agrees(self) -> bool:
        return all(c.agrees for c in self.checks)


# --- Keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    family: str  # members, by_type, villages, money, on_hand, balance, admin, welfare, ...
    arg: str = ""
    part: str = ""


# The names CODI's forms (kongtun.codiforms) and the indicators' own fields use for a figure.
ALIASES = {
    "members.eligible_for_matching": "members.eligible",
    "members.new_this_year": "members.new",
    "register": "members.current",
    "register_kept": "members.current",
    "villages_covered": "villages",
    "contributions.year": "money.members.year",
    "contributions.cumulative": "money.members.cumulative",
    "contributions_year": "money.members.year",
    "contributions_cumulative": "money.members.cumulative",
    "local_gov_year": "money.local_gov.year",
    "admin_costs_year": "admin",
    "admin_percent": "admin",
    "admin_exceeded": "admin",
    "committee_meetings_year": "meetings",
    "regulation_in_force": "regulation",
    "regulation_adopted_on": "regulation",
    "books_current": "books",
    "books_closed_through": "books",
    "books_last_entry": "books",
    "year_closed": "books",
    "welfare_paid_total": f"welfare.{ALL}.total",
    "welfare_paid_year": f"welfare.{ALL}.year",
    "welfare_types_year": "welfare.types",
    "years_operating": "years",
}
_SIMPLE = {
    "members.cumulative": _Key("members", "cumulative"),
    "members.current": _Key("members", "current"),
    "members.eligible": _Key("members", "eligible"),
    "members.new": _Key("members", "new"),
    "villages": _Key("villages"),
    "money_on_hand": _Key("on_hand"),
    "fund_balance": _Key("balance"),
    "admin": _Key("admin"),
    "meetings": _Key("meetings"),
    "regulation": _Key("regulation"),
    "books": _Key("books"),
    "welfare.types": _Key("types"),
    "years": _Key("years"),
}
_BY_TYPE = re.compile(r"^members\.by_type\.(\w+?)(?:\.(cumulative|current))?$")
_MONEY = re.compile(r"^money\.(\w+)\.(year|cumulative)$")
# welfare.<category>.year, or as CODI's forms name a column: welfare.<category>.baht_year
_WELFARE = re.compile(r"^welfare\.(\w+)\.(?:(?:persons|claims|baht)_)?(year|total)$")
PERMISSIONS = {
    "members": VIEW_MEMBERS,
    "by_type": VIEW_MEMBERS,
    "villages": VIEW_MEMBERS,
    "money": VIEW_BOOKS,
    "on_hand": VIEW_BOOKS,
    "balance": VIEW_BOOKS,
    "admin": VIEW_BOOKS,
    "books": VIEW_BOOKS,
    "welfare": VIEW_CLAIMS,  # claims hold health data
    "types": VIEW_CLAIMS,
    "meetings": VIEW_FUND,
    "regulation": VIEW_FUND,
    "years": VIEW_FUND,
}


def _parse(key: str) -> _Key:
    key = ALIASES.get(key, key)
    if key in _SIMPLE:
        return _SIMPLE[key]
    if m := _BY_TYPE.match(key):
        if m[1] not in MemberType.values:
            raise UnknownTrace(key)
        return _Key("by_type", m[1], m[2] or "")
    if m := _MONEY.match(key):
        if m[1] not in Source.values:
            raise UnknownTrace(key)
        return _Key("money", m[1], m[2])
    if m := _WELFARE.match(key):
        if m[1] not in CATEGORIES and m[1] != ALL:
            raise UnknownTrace(key)
        return _Key("welfare", m[1], m[2])
    raise UnknownTrace(key)


def trace_permission(key: str) -> str:
    """The permission a user needs to see the trace of `key` (UnknownTrace if no such key)."""
    return PERMISSIONS[_parse(key).family]


def is_trace_key(key: str) -> bool:
    try:
        _parse(key)
    except UnknownTrace:
        return False
    return True


# --- Small helpers ----------------------------------------------------------------------------


def _month_label(period: int) -> str:
    year, month = divmod(period, 100)
    english = (get_language() or "th").startswith("en")
    names = MONTHS_EN_SHORT if english else MONTHS_TH_SHORT
    return f"{names[month - 1]} {be_year(dt.date(year, month, 1))}"


def _month_span(period: int, start: dt.date | None, end: dt.date) -> tuple[dt.date, dt.date]:
    """The days of month `period` inside start–end."""
    year, month = divmod(period, 100)
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return max(first, start) if start else first, min(last, end)


def _ledger_url(fund: Fund, account_id: int, start: dt.date, end: dt.date) -> str:
    path = reverse("ledger-ledger", kwargs={"fund_code": fund.code, "account": account_id})
    return f"{path}?start={start.isoformat()}&end={end.isoformat()}"


def _url(name: str, fund: Fund, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, **kwargs})


def _status_label(status: str | None) -> str:
    return str(Status(status).label) if status in Status.values else "—"


def _round_percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return Decimal("0.00")
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _quantity(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


# --- Members ------------------------------------------------------------------------------


@dataclass
class _Person:
    member: Member
    history: selectors._History

    def since(self, day: dt.date) -> dt.date | None:
        """When the status they had on `day` began."""
        start = None
        for on, _event, _to in self.history.changes:
            if on > day:
                break
            start = on
        return start


def _people(fund: Fund) -> list[_Person]:
    histories = selectors._histories(fund)
    members = Member.objects.filter(fund=fund).only(
        "code", "number", "title", "first_name", "last_name", "fund_id"
    )
    return [_Person(m, histories[m.pk]) for m in members.order_by("number") if m.pk in histories]


def _member_row(fund: Fund, person: _Person, *cells: str) -> Row:
    m = person.member
    return Row((m.number, m.full_name, *cells), _url("members-detail", fund, code=m.code))


def _members_trace(fund: Fund, key: str, part: str, on: dt.date, ind: Indicators) -> Trace:
    people = _people(fund)
    counts = ind.members
    link = VIEW_MEMBERS
    columns: tuple[str, ...]
    if part == "cumulative":
        rows = tuple(
            _member_row(
                fund,
                p,
                _status_label(p.history.status_on(on)),
                format_date(p.history.first_admitted()),
            )
            for p in people
            if p.history.ever_admitted(on)
        )
        columns = (_("No."), _("Name"), _("Status on the date"), _("First admitted"))
        section = Section(_("Everyone admitted as a member"), columns, rows, link_permission=link)
        return Trace(
            key,
            _("Members since the fund began"),
            _(
                "Everyone the committee has admitted as a member by %(date)s, counted once each, "
                "including those who have since died, resigned or been expelled. Applicants "
                "never approved are not members."
            )
            % {"date": format_date(on, "long")},
            on,
            (section,),
            (Check(_("Members since the fund began"), counts.cumulative, section.total),),
        )
    if part == "current":
        rows = tuple(
            _member_row(
                fund,
                p,
                _status_label(p.history.status_on(on)),
                format_date(p.since(on)),
                format_date(p.history.admitted_on(on)),
            )
            for p in people
            if p.history.status_on(on) in CURRENT
        )
        columns = (_("No."), _("Name"), _("Status on the date"), _("Since"), _("Member since"))
        section = Section(_("Members on the date"), columns, rows, link_permission=link)
        return Trace(
            key,
            _("Current members"),
            _(
                "Members whose register history gives them the status active or lapsed at the "
                "end of %(date)s: a lapsed member is behind with dues but still a member. "
                "Those who died, resigned or were expelled by then are not counted."
            )
            % {"date": format_date(on, "long")},
            on,
            (section,),
            (Check(_("Current members"), counts.current, section.total),),
        )
    if part == "eligible":
        snapshot = counts.eligible_as_of
        cutoff = eligible_cutoff(snapshot)
        on_day = [p for p in people if p.history.status_on(snapshot) in CURRENT]
        columns = (_("No."), _("Name"), _("Status on the date"), _("Member since"))

        def row(p: _Person) -> Row:
            return _member_row(
                fund,
                p,
                _status_label(p.history.status_on(snapshot)),
                format_date(p.history.admitted_on(snapshot)),
            )

        full = [p for p in on_day if (p.history.admitted_on(snapshot) or on) <= cutoff]
        short = [p for p in on_day if p not in full]
        section = Section(
            _("Members a full year"), columns, tuple(row(p) for p in full), link_permission=link
        )
        others = Section(
            _("Members on that day, but not yet a full year"),
            columns,
            tuple(row(p) for p in short),
            link_permission=link,
            counts=False,
        )
        return Trace(
            key,
            _("Members eligible for matching"),
            _(
                "Members on %(snapshot)s (active or lapsed) whose membership then running began "
                "on %(cutoff)s or earlier: a full year a member by that 30 September. A member "
                "who left and was admitted again counts from the later admission."
            )
            % {
                "snapshot": format_date(snapshot, "long"),
                "cutoff": format_date(cutoff, "long"),
            },
            on,
            (section, others),
            (
                Check(
                    _("Members eligible for matching"), counts.eligible_for_matching, section.total
                ),
            ),
        )
    # new this year
    start = ind.year_start
    rows = tuple(
        _member_row(
            fund,
            p,
            format_date(p.history.first_admitted()),
            _status_label(p.history.status_on(on)),
        )
        for p in people
        if (first := p.history.first_admitted()) is not None and start <= first <= on
    )
    columns = (_("No."), _("Name"), _("First admitted"), _("Status on the date"))
    section = Section(_("New members"), columns, rows, link_permission=link)
    return Trace(
        key,
        _("New members this fiscal year"),
        _(
            "Members admitted for the first time from %(start)s, when fiscal year %(year)s "
            "began, to %(date)s. Someone admitted again after leaving is not new."
        )
        % {
            "start": format_date(start, "long"),
            "year": ind.fiscal_year_be,
            "date": format_date(on, "long"),
        },
        on,
        (section,),
        (Check(_("New members this fiscal year"), counts.new_this_year, section.total),),
    )


def _by_type_trace(
    fund: Fund, key: str, member_type: str, part: str, on: dt.date, ind: Indicators
) -> Trace:
    people = [p for p in _people(fund) if p.history.member_type == member_type]
    label = str(MemberType(member_type).label)
    count = ind.members.by_type.get(member_type, selectors.TypeCount(0, 0))
    columns = (_("No."), _("Name"), _("Status on the date"))

    def row(p: _Person) -> Row:
        return _member_row(fund, p, _status_label(p.history.status_on(on)))

    ever = Section(
        _("Admitted as members"),
        columns,
        tuple(row(p) for p in people if p.history.ever_admitted(on)),
        link_permission=VIEW_MEMBERS,
    )
    now = Section(
        _("Members on the date"),
        columns,
        tuple(row(p) for p in people if p.history.status_on(on) in CURRENT),
        link_permission=VIEW_MEMBERS,
    )
    sections, checks = [], []
    if part in ("", "cumulative"):
        sections.append(ever)
        checks.append(Check(_("Members since the fund began"), count.cumulative, ever.total))
    if part in ("", "current"):
        sections.append(now)
        checks.append(Check(_("Current members"), count.current, now.total))
    return Trace(
        key,
        _("Members of the type “%(type)s”") % {"type": label},
        _(
            "Members registered with the type “%(type)s”, counted as for all members: "
            "everyone admitted by %(date)s, and those still members on that day."
        )
        % {"type": label, "date": format_date(on, "long")},
        on,
        tuple(sections),
        tuple(checks),
    )


def _villages_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    people = [p for p in _people(fund) if p.history.status_on(on) in CURRENT]
    branches = {b.pk: b.name for b in Branch.objects.filter(fund=fund)}
    by_village: dict[tuple[str, int], list[_Person]] = defaultdict(list)
    outside = []
    for p in people:
        if p.history.village is None:
            outside.append(p)
        else:
            by_village[p.history.village].append(p)

    def village_label(village: tuple[str, int]) -> str:
        kind, value = village
        if kind == "moo":
            return _("Moo %(number)s") % {"number": value}
        return branches.get(value, "—")

    rows = tuple(
        Row(
            (
                village_label(village),
                str(len(members)),
                ", ".join(p.member.number for p in members),
            )
        )
        for village, members in sorted(by_village.items())
    )
    section = Section(
        _("Villages and communities with members"),
        (_("Village or community"), _("Members"), _("Member numbers")),
        rows,
    )
    unplaced = Section(
        _("Members not counted in any village of the area"),
        (_("No."), _("Name")),
        tuple(_member_row(fund, p) for p in outside),
        link_permission=VIEW_MEMBERS,
        counts=False,
    )
    explanation = _(
        "The villages (moo) of the fund's own tambon and the fund's communities that at least "
        "one current member belongs to on %(date)s: a member's branch if they have one, else "
        "the moo of their address when it lies in the fund's tambon. A branch that is a "
        "village is the same village as that moo number."
    ) % {"date": format_date(on, "long")}
    if ind.villages_in_area:
        explanation += " " + _("The area has %(n)s villages or communities.") % {
            "n": ind.villages_in_area
        }
    return Trace(
        key,
        _("Villages covered"),
        explanation,
        on,
        (section, unplaced),
        (Check(_("Villages covered"), ind.villages_covered, section.total),),
    )


# --- Money --------------------------------------------------------------------------------


def _accounts(fund: Fund) -> dict[int, Account]:
    return {a.pk: a for a in Account.objects.filter(fund=fund)}


def _monthly_rows(
    fund: Fund,
    accounts: dict[int, Account],
    moved: dict[summaries.Key, Decimal],
    start: dt.date | None,
    end: dt.date,
    keep: Callable[[Account, str], bool],
    sign: int = 1,
) -> tuple[Row, ...]:
    """One row per account and month from `movements(by_period=True)`, linked to the ledger."""
    sums: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for key, amount in moved.items():
        _fund, account_id, source, period = key  # type: ignore[misc]
        if keep(accounts[account_id], source):
            sums[(period, account_id)] += amount * sign
    rows = []
    for (period, account_id), amount in sorted(
        sums.items(), key=lambda kv: (kv[0][0], accounts[kv[0][1]].code)
    ):
        if not amount:
            continue
        first, last = _month_span(period, start, end)
        rows.append(
            Row(
                (_month_label(period), str(accounts[account_id])),
                _ledger_url(fund, account_id, first, last),
                amount,
            )
        )
    return tuple(rows)


def _income_source(account: Account, source: str) -> str:
    return source or account.source or Source.OTHER  # as the indicators read it


def _money_trace(
    fund: Fund, key: str, source: str, part: str, on: dt.date, ind: Indicators
) -> Trace:
    start = ind.year_start if part == "year" else None
    accounts = _accounts(fund)
    moved = summaries.movements(
        funds=[fund],
        start=start,
        end=on,
        by_period=True,
        accounts=Q(account__type=AccountType.INCOME),
    )
    rows = _monthly_rows(
        fund,
        accounts,
        moved,
        start,
        on,
        lambda account, line_source: _income_source(account, line_source) == source,
        sign=-1,  # income is credited
    )
    section = Section(
        _("Income by account and month"),
        (_("Month"), _("Account")),
        rows,
        amount_label=_("Amount (baht)"),
        link_permission=VIEW_BOOKS,
    )
    found = next((m for m in ind.money if m.source == source), None)
    figure = (found.year if part == "year" else found.cumulative) if found else ZERO
    label = source_label(source)
    if part == "year":
        title = _("%(source)s in fiscal year %(year)s") % {
            "source": label,
            "year": ind.fiscal_year_be,
        }
        span = _("from %(start)s to %(end)s") % {
            "start": format_date(ind.year_start, "long"),
            "end": format_date(on, "long"),
        }
    else:
        title = _("%(source)s since the books began") % {"source": label}
        span = _("from the first entry to %(end)s") % {"end": format_date(on, "long")}
    explanation = _(
        "Income posted in the books with the source “%(source)s” %(span)s, by income account "
        "and month. A line without a source of its own counts under its account's source. "
        "Each row opens the account's ledger for that month."
    ) % {"source": label, "span": span}
    return Trace(
        key,
        title,
        explanation,
        on,
        (section,),
        (Check(title, figure, section.total, "baht"),),
    )


def _on_hand_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    accounts = _accounts(fund)
    moved = summaries.movements(
        funds=[fund],
        start=None,
        end=on,
        by_period=True,
        accounts=Q(account__role__in=("cash", "bank")),
    )
    rows = _monthly_rows(fund, accounts, moved, None, on, lambda a, _s: a.is_money)
    section = Section(
        _("Money in and out by account and month"),
        (_("Month"), _("Account")),
        rows,
        amount_label=_("Net change (baht)"),
        link_permission=VIEW_BOOKS,
    )
    return Trace(
        key,
        _("Cash and bank"),
        _(
            "The cash and bank accounts' balance at the end of %(date)s: every month's "
            "money in less money out since the books began."
        )
        % {"date": format_date(on, "long")},
        on,
        (section,),
        (Check(_("Cash and bank"), ind.money_on_hand, section.total, "baht"),),
    )


def _balance_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    accounts = _accounts(fund)
    moved = summaries.movements(
        funds=[fund],
        start=None,
        end=on,
        accounts=Q(account__type__in=(AccountType.ASSET, AccountType.LIABILITY)),
    )
    balances: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (_fund, account_id, *_rest), amount in moved.items():
        balances[account_id] += amount
    first = JournalEntry.objects.filter(fund=fund).order_by("date").values_list("date", flat=True)
    since = first.first() or fund.founded_on
    rows = tuple(
        Row(
            (str(accounts[pk]), _("owed") if accounts[pk].type == AccountType.LIABILITY else ""),
            _ledger_url(fund, pk, since, on),
            amount,  # a liability's credit balance is negative: it is subtracted
        )
        for pk, amount in sorted(balances.items(), key=lambda kv: accounts[kv[0]].code)
        if amount
    )
    section = Section(
        _("Assets less what the fund owes"),
        (_("Account"), ""),
        rows,
        amount_label=_("Balance (baht)"),
        link_permission=VIEW_BOOKS,
    )
    return Trace(
        key,
        _("Fund balance"),
        _(
            "Everything the fund has (cash, bank, money owed to it) less everything it owes, "
            "at the end of %(date)s."
        )
        % {"date": format_date(on, "long")},
        on,
        (section,),
        (Check(_("Fund balance"), ind.fund_balance, section.total, "baht"),),
    )


def _admin_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    start = ind.year_start
    accounts = _accounts(fund)
    moved = summaries.movements(
        funds=[fund],
        start=start,
        end=on,
        by_period=True,
        accounts=Q(account__type=AccountType.EXPENSE),
    )

    def section(prefix: str, title: str) -> Section:
        rows = _monthly_rows(
            fund, accounts, moved, start, on, lambda a, _s: a.role.startswith(prefix)
        )
        return Section(
            title,
            (_("Month"), _("Account")),
            rows,
            amount_label=_("Amount (baht)"),
            link_permission=VIEW_BOOKS,
        )

    admin = section("admin.", _("Administration costs"))
    welfare = section("welfare.", _("Welfare paid"))
    admin_total, welfare_total = Decimal(admin.total), Decimal(welfare.total)
    percent = _round_percent(admin_total, admin_total + welfare_total)
    return Trace(
        key,
        _("Administration costs"),
        _(
            "Administration costs as a share of what the fund spent on welfare and "
            "administration from %(start)s to %(end)s: administration × 100 ÷ (welfare + "
            "administration), rounded to two places. The fund's cap is %(cap)s%%; the "
            "share exceeds it only when it is higher."
        )
        % {
            "start": format_date(start, "long"),
            "end": format_date(on, "long"),
            "cap": ind.admin_cap_percent,
        },
        on,
        (admin, welfare),
        (
            Check(_("Administration costs"), ind.admin_costs_year, admin_total, "baht"),
            Check(_("Administration share (%)"), ind.admin_percent, percent, "percent"),
            Check(
                _("Above the cap"),
                ind.admin_exceeded,
                percent > ind.admin_cap_percent,
                "yesno",
            ),
        ),
    )


# --- Welfare ------------------------------------------------------------------------------


def _claim_category(claim: Claim) -> str:
    return "non_members" if claim.recipient == Recipient.NON_MEMBER else claim.benefit.category


def _category_name(category: str) -> str:
    if category == "non_members":
        return _("Help to non-members in need")
    return category_label(category)


def _person(claim: Claim) -> tuple[int | None, str]:
    """Who was helped, as CODI counts persons: the member, or the named child or non-member."""
    if claim.member_id is None:
        return (None, claim.person_name)
    return (claim.member_id, claim.person_name if claim.recipient == Recipient.CHILD else "")


def _for_whom(claim: Claim) -> str:
    if claim.member is None:
        return claim.person_name
    member = f"{claim.member.number} {claim.member.full_name}"
    if claim.recipient == Recipient.CHILD:
        return _("%(child)s, child of %(member)s") % {"child": claim.person_name, "member": member}
    return member


def _paid_claims(fund: Fund, first: dt.date | None, last: dt.date) -> list[Claim]:
    paid = Claim.objects.filter(fund=fund, status=Claim.Status.PAID, paid_on__lte=last)
    if first is not None:
        paid = paid.filter(paid_on__gte=first)
    return list(paid.select_related("benefit", "member").order_by("paid_on", "number"))


def _amount(claim: Claim) -> Decimal:
    return claim.approved_amount if claim.approved_amount is not None else claim.assessed_amount


def _amounts(claims: Iterable[Claim]) -> list[Decimal]:
    return [_amount(c) for c in claims]


def _claim_rows(fund: Fund, claims: Iterable[Claim], with_category: bool) -> tuple[Row, ...]:
    return tuple(
        Row(
            (
                c.number,
                format_date(c.paid_on),
                *((_category_name(_claim_category(c)),) if with_category else ()),
                c.benefit.name,
                _for_whom(c),
            ),
            _url("welfare-claim", fund, claim=c.code),
            _amount(c),
        )
        for c in claims
    )


def _claim_columns(with_category: bool) -> tuple[str, ...]:
    category = (_("Category"),) if with_category else ()
    return (_("Claim"), _("Paid on"), *category, _("Benefit"), _("For whom"))


def _welfare_trace(
    fund: Fund, key: str, category: str, part: str, on: dt.date, ind: Indicators
) -> Trace:
    first = ind.year_start if part == "year" else None
    claims = [
        c
        for c in _paid_claims(fund, first, on)
        if category == ALL or _claim_category(c) == category
    ]
    everything = category == ALL
    section = Section(
        _("Paid claims"),
        _claim_columns(everything),
        _claim_rows(fund, claims, everything),
        amount_label=_("Amount (baht)"),
        link_permission=VIEW_CLAIMS,
    )
    if part == "year":
        span = _("from %(start)s to %(end)s") % {
            "start": format_date(ind.year_start, "long"),
            "end": format_date(on, "long"),
        }
    else:
        span = _("from the first claim to %(end)s") % {"end": format_date(on, "long")}
    checks: tuple[Check, ...]
    if everything:
        figure = ind.welfare_paid_year if part == "year" else ind.welfare_paid_total
        title = _("Welfare paid")
        checks = (Check(_("Baht paid"), figure, section.total, "baht"),)
    else:
        line = next((w for w in ind.welfare if w.category == category), None)
        suffix = "year" if part == "year" else "total"
        persons, count, baht = (
            (getattr(line, f"persons_{suffix}"), getattr(line, f"claims_{suffix}"),
             getattr(line, f"baht_{suffix}"))
            if line
            else (0, 0, ZERO)
        )  # fmt: skip
        title = _("Welfare paid: %(category)s") % {"category": _category_name(category)}
        checks = (
            Check(_("Persons helped"), persons, len({_person(c) for c in claims})),
            Check(_("Claims paid"), count, len(claims)),
            Check(_("Baht paid"), baht, section.total, "baht"),
        )
    return Trace(
        key,
        title,
        _(
            "Claims paid %(span)s, as CODI's fund-data form counts them: each claim once, and "
            "each person once per category (the member, or the named child or non-member "
            "helped). Approved claims not yet paid are not counted."
        )
        % {"span": span},
        on,
        (section,),
        checks,
    )


def _types_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    since = on - dt.timedelta(days=364)
    claims = [c for c in _paid_claims(fund, since, on) if _claim_category(c) != "non_members"]
    by_category: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_category[_claim_category(c)].append(c)
    order = {key: i for i, key in enumerate(CATEGORIES)}
    categories = Section(
        _("Categories paid"),
        (_("Category"), _("Claims paid"), _("Baht")),
        tuple(
            Row((_category_name(cat), str(len(cs)), format_baht(sum(_amounts(cs), ZERO))))
            for cat, cs in sorted(by_category.items(), key=lambda kv: order.get(kv[0], 99))
        ),
    )
    listed = Section(
        _("Paid claims"),
        _claim_columns(True),
        _claim_rows(fund, claims, True),
        amount_label=_("Amount (baht)"),
        link_permission=VIEW_CLAIMS,
        counts=False,
    )
    return Trace(
        key,
        _("Kinds of welfare paid in the last 12 months"),
        _(
            "The CODI categories with at least one claim paid from %(start)s to %(end)s. Help "
            "to non-members is not one of the members' welfare types."
        )
        % {"start": format_date(since, "long"), "end": format_date(on, "long")},
        on,
        (categories, listed),
        (Check(_("Kinds of welfare"), ind.welfare_types_year, categories.total),),
    )


# --- Meetings, regulation, books, years --------------------------------------------------


def _meetings_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    meetings = Meeting.objects.filter(fund=fund, date__range=(ind.year_start, on)).order_by(
        "date", "number"
    )
    section = Section(
        _("Committee meetings"),
        (_("Meeting"), _("Date"), _("Place")),
        tuple(
            Row(
                (m.number, format_date(m.date), m.place),
                _url("welfare-meeting", fund, meeting=m.code),
            )
            for m in meetings
        ),
        link_permission=VIEW_CLAIMS,
    )
    return Trace(
        key,
        _("Committee meetings this fiscal year"),
        _("Committee meetings recorded from %(start)s to %(end)s.")
        % {"start": format_date(ind.year_start, "long"), "end": format_date(on, "long")},
        on,
        (section,),
        (Check(_("Committee meetings"), ind.committee_meetings_year, section.total),),
    )


def _regulation_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    versions = list(
        Regulation.objects.filter(
            fund=fund, status=Regulation.Status.ADOPTED, effective_from__lte=on
        ).order_by("-effective_from", "-version")
    )
    in_force = versions[0] if versions else None
    section = Section(
        _("Versions adopted by the date"),
        (_("Version"), _("Title"), _("In force from"), ""),
        tuple(
            Row(
                (
                    str(r.version),
                    r.title,
                    format_date(r.effective_from),
                    _("in force on the date") if r == in_force else "",
                ),
                _url("welfare-regulation", fund, regulation=r.code),
            )
            for r in versions
        ),
        link_permission=VIEW_FUND,
    )
    return Trace(
        key,
        _("Regulation in force"),
        _(
            "The adopted version of the fund's regulation with the latest date of coming into "
            "force on or before %(date)s."
        )
        % {"date": format_date(on, "long")},
        on,
        (section,),
        (
            Check(_("Regulation in force"), ind.regulation_in_force, in_force is not None, "yesno"),
            Check(
                _("In force from"),
                ind.regulation_adopted_on,
                in_force.effective_from if in_force else None,
                "date",
            ),
        ),
    )


def _books_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    closes = list(
        PeriodClose.objects.filter(fund=fund, reopened_at__isnull=True, end__lte=on).order_by(
            "-end", "kind"
        )
    )
    periods = _url("ledger-periods", fund)
    closed = Section(
        _("Closed periods"),
        (_("Period"), _("From"), _("To")),
        tuple(
            Row((c.get_kind_display(), format_date(c.start), format_date(c.end)), periods)
            for c in closes
        ),
        link_permission=VIEW_BOOKS,
        counts=False,
    )
    last = JournalEntry.objects.filter(fund=fund, date__lte=on).order_by("-date", "-number").first()
    latest = Section(
        _("Latest entry"),
        (_("Entry"), _("Date"), _("Description")),
        (
            (Row((str(last.number), format_date(last.date), last.memo),
                 _url("ledger-entry", fund, entry=last.code)),)
            if last
            else ()
        ),
        link_permission=VIEW_BOOKS,
        counts=False,
    )  # fmt: skip
    through = max((c.end for c in closes), default=None)
    # The fund's own previous year, as the figure judges it: closed as a year.
    previous_year = fiscal_year_of(fund, on) - 1
    _start, previous_end = fiscal_year_bounds(fund, previous_year)
    year_closed = any(c.kind == PeriodClose.Kind.YEAR and c.end >= previous_end for c in closes)
    return Trace(
        key,
        _("Books current and closed"),
        _(
            "Books are current when they are closed through the end of the month %(months)s "
            "months before the date's month, or later. The year is closed when the fund closed "
            "its fiscal year %(year)s (to %(end)s) as a year. Reopened periods do not count."
        )
        % {
            "months": selectors.BOOKS_CURRENT_MONTHS,
            "year": previous_year,
            "end": format_date(previous_end, "long"),
        },
        on,
        (closed, latest),
        (
            Check(_("Closed through"), ind.books_closed_through, through, "date"),
            Check(
                _("Books current"),
                ind.books_current,
                selectors.books_current(through, on),
                "yesno",
            ),
            Check(_("Previous fiscal year closed"), ind.year_closed, year_closed, "yesno"),
            Check(_("Latest entry"), ind.books_last_entry, last.date if last else None, "date"),
        ),
    )


def _years_trace(fund: Fund, key: str, on: dt.date, ind: Indicators) -> Trace:
    founded = fund.founded_on
    years = on.year - founded.year - ((on.month, on.day) < (founded.month, founded.day))
    return Trace(
        key,
        _("Years operating"),
        ngettext(
            "Whole years from the founding on %(founded)s to %(date)s: %(n)s year.",
            "Whole years from the founding on %(founded)s to %(date)s: %(n)s years.",
            max(years, 0),
        )
        % {
            "founded": format_date(founded, "long"),
            "date": format_date(on, "long"),
            "n": max(years, 0),
        },
        on,
        (),
        (Check(_("Years operating"), ind.years_operating, max(years, 0)),),
    )


# --- The one entry point ------------------------------------------------------------------


def trace(fund: Fund, key: str, on: dt.date) -> Trace:
    """The records behind indicator `key` at the end of `on` (UnknownTrace if no such key).
    The caller holds the fund's scope and has checked `trace_permission(key)`."""
    parsed = _parse(key)
    ind = selectors.indicators_or_none(fund=fund, on=on)
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER or ind is None:
        return Trace(
            key,
            _("Records kept elsewhere"),
            "",
            on,
            note=_(
                "This fund keeps its records on its own computer: the figures here are what "
                "its signed packages brought, and the records behind them are on that computer."
            ),
            indicators=ind,
        )
    family, arg, part = parsed.family, parsed.arg, parsed.part
    if family == "members":
        found = _members_trace(fund, key, arg, on, ind)
    elif family == "by_type":
        found = _by_type_trace(fund, key, arg, part, on, ind)
    elif family == "villages":
        found = _villages_trace(fund, key, on, ind)
    elif family == "money":
        found = _money_trace(fund, key, arg, part, on, ind)
    elif family == "on_hand":
        found = _on_hand_trace(fund, key, on, ind)
    elif family == "balance":
        found = _balance_trace(fund, key, on, ind)
    elif family == "admin":
        found = _admin_trace(fund, key, on, ind)
    elif family == "welfare":
        found = _welfare_trace(fund, key, arg, part, on, ind)
    elif family == "types":
        found = _types_trace(fund, key, on, ind)
    elif family == "meetings":
        found = _meetings_trace(fund, key, on, ind)
    elif family == "regulation":
        found = _regulation_trace(fund, key, on, ind)
    elif family == "books":
        found = _books_trace(fund, key, on, ind)
    else:
        found = _years_trace(fund, key, on, ind)
    return dataclasses.replace(found, indicators=ind)


# --- The indicators page --------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any
    unit: str  # count, baht, percent, date, yesno, text
    key: str = ""  # its trace key; "" when nothing lists its records

    @property
    def permission(self) -> str:
        return trace_permission(self.key) if self.key else ""


@dataclass(frozen=True)
class FigureGroup:
    title: str
    figures: list[Figure] = field(default_factory=list)


def figures(ind: Indicators) -> list[FigureGroup]:
    """Every figure of the indicators, grouped as the page shows them, with its trace key."""
    m = ind.members
    members = FigureGroup(
        _("Members"),
        [
            Figure(_("Members since the fund began"), m.cumulative, "count", "members.cumulative"),
            Figure(_("Current members"), m.current, "count", "members.current"),
            Figure(
                _("A full year a member on %(date)s") % {"date": format_date(m.eligible_as_of)},
                m.eligible_for_matching,
                "count",
                "members.eligible",
            ),
            Figure(_("New members this fiscal year"), m.new_this_year, "count", "members.new"),
            Figure(_("Villages covered"), ind.villages_covered, "count", "villages"),
            Figure(_("Villages or communities in the area"), ind.villages_in_area, "count"),
            Figure(_("Coverage (%)"), ind.village_coverage_percent, "percent"),
        ],
    )
    types = FigureGroup(_("Members by type (since the start / now)"))
    for member_type, label in MemberType.choices:
        count = m.by_type.get(member_type, selectors.TypeCount(0, 0))
        types.figures.append(
            Figure(
                str(label),
                f"{count.cumulative} / {count.current}",
                "text",
                f"members.by_type.{member_type}",
            )
        )
    money = FigureGroup(_("Money by source (this fiscal year / since the start)"))
    for line in ind.money:
        money.figures.append(
            Figure(
                source_label(line.source) + " · " + _("this year"),
                line.year,
                "baht",
                f"money.{line.source}.year",
            )
        )
        money.figures.append(
            Figure(
                source_label(line.source) + " · " + _("since the start"),
                line.cumulative,
                "baht",
                f"money.{line.source}.cumulative",
            )
        )
    money.figures.extend(
        [
            Figure(_("Cash and bank"), ind.money_on_hand, "baht", "money_on_hand"),
            Figure(_("Fund balance"), ind.fund_balance, "baht", "fund_balance"),
            Figure(_("Administration costs this year"), ind.admin_costs_year, "baht", "admin"),
            Figure(_("Administration share (%)"), ind.admin_percent, "percent", "admin"),
            Figure(_("Cap (%)"), ind.admin_cap_percent, "percent"),
        ]
    )
    welfare = FigureGroup(_("Welfare paid (this fiscal year / since the start)"))
    for w in ind.welfare:
        name = _category_name(w.category)
        welfare.figures.append(
            Figure(name + " · " + _("this year"), w.baht_year, "baht", f"welfare.{w.category}.year")
        )
        welfare.figures.append(
            Figure(
                name + " · " + _("since the start"),
                w.baht_total,
                "baht",
                f"welfare.{w.category}.total",
            )
        )
    welfare.figures.extend(
        [
            Figure(
                _("All welfare this year"), ind.welfare_paid_year, "baht", f"welfare.{ALL}.year"
            ),
            Figure(
                _("All welfare since the start"),
                ind.welfare_paid_total,
                "baht",
                f"welfare.{ALL}.total",
            ),
            Figure(
                _("Kinds of welfare paid in the last 12 months"),
                ind.welfare_types_year,
                "count",
                "welfare.types",
            ),
        ]
    )
    running = FigureGroup(
        _("Management"),
        [
            Figure(_("Years operating"), ind.years_operating, "count", "years"),
            Figure(_("Regulation in force"), ind.regulation_in_force, "yesno", "regulation"),
            Figure(_("Books current"), ind.books_current, "yesno", "books"),
            Figure(_("Books closed through"), ind.books_closed_through, "date", "books"),
            Figure(_("Previous fiscal year closed"), ind.year_closed, "yesno", "books"),
            Figure(_("Latest entry"), ind.books_last_entry, "date", "books"),
            Figure(_("Committee meetings this year"), ind.committee_meetings_year, "count",
                   "meetings"),
        ],
    )  # fmt: skip
    return [members, types, money, welfare, running]


__all__ = [
    "Check",
    "Figure",
    "FigureGroup",
    "Row",
    "Section",
    "Trace",
    "UnknownTrace",
    "figures",
    "is_trace_key",
    "trace",
    "trace_permission",
]
