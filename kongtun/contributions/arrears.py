"""Reads over a whole fund's contributions: who is behind (the arrears list per branch), who
would lapse on a day, how many members are on each plan, and the contributions front page's
figures.

Each reads the fund in a few queries (terms, members, standings, plan rows) and computes every
member's position in Python with the same schedule arithmetic as `selectors.member_position`,
so a fund of thousands of members costs the same handful of queries as a fund of ten.
A member without a standing row (never paid, never moved plan) is shown as the first payment
will make them: the plan for new members from the day they joined, owing its entry fee.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from kongtun.contributions import schedule as sched
from kongtun.contributions.models import MemberPlan, Plan, Standing, Terms
from kongtun.funds.models import Branch, Fund
from kongtun.members.models import Member, Status

ZERO = Decimal("0.00")
OWING = (Status.ACTIVE, Status.LAPSED)
# Members who may still pay: the plan counts include applicants waiting for approval.
PAYING = (Status.APPLICANT, Status.ACTIVE, Status.LAPSED)


class Standings(NamedTuple):
    """A member's schedule inputs as stored: plan rows of the current epoch, credit, fees."""

    rows: list[MemberPlan]  # empty when the member has no standing yet
    credit: Decimal
    fees_due: Decimal
    paid_through: dt.date | None  # as stored; None without a standing


class MemberFigures(NamedTuple):
    """One member's contributions as of a day."""

    member: Member
    plan: Plan
    position: sched.Position
    fees_due: Decimal

    @property
    def arrears(self) -> Decimal:
        return self.position.arrears

    @property
    def total(self) -> Decimal:
        return self.position.arrears + self.fees_due


class BranchArrears(NamedTuple):
    branch: Branch | None  # None: members without a branch
    rows: list[MemberFigures]

    @property
    def arrears(self) -> Decimal:
        return sum((r.arrears for r in self.rows), ZERO)

    @property
    def fees_due(self) -> Decimal:
        return sum((r.fees_due for r in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return self.arrears + self.fees_due


class ArrearsList(NamedTuple):
    as_of: dt.date
    branches: list[BranchArrears]

    @property
    def members(self) -> int:
        return sum(len(b.rows) for b in self.branches)

    @property
    def arrears(self) -> Decimal:
        return sum((b.arrears for b in self.branches), ZERO)

    @property
    def fees_due(self) -> Decimal:
        return sum((b.fees_due for b in self.branches), ZERO)

    @property
    def total(self) -> Decimal:
        return self.arrears + self.fees_due


class LapseRow(NamedTuple):
    member: Member
    paid_through: dt.date
    lapses_on: dt.date  # the effective date lapse_apply writes


class Summary(NamedTuple):
    current: int  # active members with no arrears
    behind: int  # active members with arrears
    lapsed: int
    arrears: Decimal  # of active and lapsed members
    fees_due: Decimal


def _natural(number: str) -> tuple[tuple[int, str], ...]:
    """Member numbers in the order people count them: 2 before 10, "ก-2" before "ก-10"."""
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in re.split(r"(\d+)", number))


def _who(statuses: Iterable[str], branch: Branch | None, via: str = "") -> dict[str, object]:
    """The filter for the members read, on Member itself or through `via` ("member__")."""
    found: dict[str, object] = {f"{via}status__in": list(statuses)}
    if branch is not None:
        found[f"{via}branch"] = branch
    return found


def _members(fund: Fund, statuses: Iterable[str], branch: Branch | None = None) -> list[Member]:
    members = Member.objects.filter(fund=fund, **_who(statuses, branch)).select_related("branch")
    return sorted(members, key=lambda m: _natural(m.number))


def _standings(
    fund: Fund, statuses: Iterable[str], branch: Branch | None = None
) -> dict[int, Standings]:
    """The stored standing and current-epoch plan rows of the same members, in two queries
    (joined on the member, not a list of ids: a large fund would pass SQLite's limits)."""
    who = _who(statuses, branch, "member__")
    found = {s.member_id: s for s in Standing.objects.filter(fund=fund, **who)}
    rows: dict[int, list[MemberPlan]] = defaultdict(list)
    plans = MemberPlan.objects.filter(fund=fund, **who).select_related("plan")
    for row in plans.order_by("member_id", "starts_on"):
        standing = found.get(row.member_id)
        if standing is not None and row.epoch == standing.epoch:
            rows[row.member_id].append(row)
    return {
        pk: Standings(rows[pk], s.credit, s.fees_due, s.paid_through) for pk, s in found.items()
    }


def _schedule(
    member: Member, stored: Standings | None, terms: Terms, as_of: dt.date
) -> tuple[sched.Schedule, Decimal, Decimal, Plan]:
    """The member's schedule, credit, fees owed and plan on `as_of`, from what is stored."""
    if stored is None or not stored.rows:
        plan = terms.default_plan
        schedule = sched.schedule_of([(member.joined_on, plan.frequency, plan.amount)])
        return schedule, ZERO, plan.entry_fee, plan
    schedule = sched.schedule_of(
        [(r.starts_on, r.plan.frequency, r.plan.amount) for r in stored.rows]
    )
    # A plan change recorded for later shows from its first day; before the schedule
    # starts, the first plan is the one they are on.
    current = next((r.plan for r in reversed(stored.rows) if r.starts_on <= as_of), None)
    return schedule, stored.credit, stored.fees_due, current or stored.rows[0].plan


def _figures(
    member: Member, stored: Standings | None, terms: Terms, as_of: dt.date
) -> MemberFigures:
    schedule, credit, fees, plan = _schedule(member, stored, terms, as_of)
    return MemberFigures(member, plan, sched.position(schedule, credit, as_of), fees)


def _terms(fund: Fund) -> Terms | None:
    return Terms.objects.select_related("default_plan").filter(fund=fund).first()


def fund_figures(
    *, fund: Fund, as_of: dt.date, statuses: Iterable[str] = OWING, branch: Branch | None = None
) -> Iterator[MemberFigures]:
    """Every member of the given statuses with their position as of `as_of`, by number."""
    terms = _terms(fund)
    if terms is None:
        return
    statuses = list(statuses)
    members = _members(fund, statuses, branch)
    stored = _standings(fund, statuses, branch)
    for member in members:
        yield _figures(member, stored.get(member.pk), terms, as_of)


def arrears_list(*, fund: Fund, as_of: dt.date, branch: Branch | None = None) -> ArrearsList:
    """Active and lapsed members with arrears as of a day, grouped by branch in the fund's
    branch order, members without a branch last."""
    by_branch: dict[int | None, list[MemberFigures]] = defaultdict(list)
    for fig in fund_figures(fund=fund, as_of=as_of, branch=branch):
        if fig.arrears > 0:
            by_branch[fig.member.branch_id].append(fig)
    order = list(Branch.objects.filter(fund=fund))
    groups = [BranchArrears(b, by_branch[b.pk]) for b in order if by_branch.get(b.pk)]
    if by_branch.get(None):
        groups.append(BranchArrears(None, by_branch[None]))
    return ArrearsList(as_of, groups)


def fund_summary(*, fund: Fund, as_of: dt.date) -> Summary:
    current = behind = lapsed = 0
    arrears = fees = ZERO
    for fig in fund_figures(fund=fund, as_of=as_of):
        arrears += fig.arrears
        fees += fig.fees_due
        if fig.member.status == Status.LAPSED:
            lapsed += 1
        elif fig.arrears > 0:
            behind += 1
        else:
            current += 1
    return Summary(current, behind, lapsed, arrears, fees)


def plan_members(*, fund: Fund, on: dt.date) -> dict[int, int]:
    """How many members who may still pay are on each plan on a day, by plan id."""
    counts: dict[int, int] = defaultdict(int)
    for fig in fund_figures(fund=fund, as_of=on, statuses=PAYING):
        counts[fig.plan.pk] += 1
    return dict(counts)


def lapse_preview(*, fund: Fund, as_of: dt.date) -> list[LapseRow] | None:
    """Who `services.lapse_apply` lapses as of a day, and from which day; nothing is written.
    None when the fund's terms never lapse anyone (or it has no terms)."""
    terms = _terms(fund)
    rule = terms.lapse_rule if terms is not None else None
    if terms is None or rule is None:
        return None
    stored = _standings(fund, [Status.ACTIVE])
    out = []
    for member in _members(fund, [Status.ACTIVE]):
        schedule, credit, _fees, _plan = _schedule(member, stored.get(member.pk), terms, as_of)
        paid_through, _left = schedule.coverage(credit)
        on = sched.lapse_day(schedule, paid_through, rule)
        if on <= as_of:
            out.append(LapseRow(member, paid_through, max(on, member.status_since)))
    return out
