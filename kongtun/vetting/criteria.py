"""CODI's six qualification criteria for co-funding, judged on a fund's figures.

Plain arithmetic on plain facts, as `contributions.matching` is: nothing here touches Django or
the database, so each threshold is tested on its own. The criteria come from CODI's proposal
form (แบบเสนอเพื่อรับการสนับสนุน, fiscal 2567; BRIEF §3.2):

1. operating at least a year;
2. members with a full year of membership, from at least half the villages of a tambon, or a
   fifth of the communities of a municipality;
3. members' own contributions in the year (local government's support is for information);
4. good management: current books, a member register, a regulation, reporting to the public;
5. at least three basic welfare types paid in the past year;
6. welfare that is not money.

Each criterion is made of checks. A check the figures cannot decide (villages in the area not
recorded, public reporting and non-cash welfare not kept by the system) is "needs_check": a
person of the provincial committee checks it and records what they found. A criterion is met
when every check in it is; not met when any is not; otherwise it waits for a check.

The thresholds are CODI's and change with the year, so they are looked up per fiscal year.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

ZERO = Decimal("0.00")
TAMBON, MUNICIPALITY = "tambon", "municipality"


class Outcome(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NEEDS_CHECK = "needs_check"
    INFO = "info"  # shown to the committee, decides nothing


# --- Thresholds, per fiscal year -------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """What CODI asks for in one fiscal year (BE)."""

    min_years_operating: int = 1
    village_percent_tambon: Decimal = Decimal("50")
    community_percent_municipality: Decimal = Decimal("20")
    min_welfare_types: int = 3

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}


# The year each set of thresholds starts to apply; a year uses the latest set that started by
# then. CODI's 2567 proposal form (BRIEF §3.2) gives these and the 2566 round used the same:
# when CODI changes them, add a row for the year it does.
THRESHOLDS: dict[int, Thresholds] = {
    2566: Thresholds(),
}


def thresholds_for(fiscal_year_be: int, table: Mapping[int, Thresholds] = THRESHOLDS) -> Thresholds:
    """The thresholds in force for the fiscal year: the latest set started by then, else the
    earliest set (a year before the first row is judged as the first row says)."""
    started = [year for year in table if year <= fiscal_year_be]
    return table[max(started) if started else min(table)]


# --- Facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The figures the criteria read: a subset of the fund's indicators on one day.

    None means the figure is not known (the check then needs a person)."""

    kind: str  # TAMBON or MUNICIPALITY
    as_of: dt.date
    fiscal_year_be: int
    founded_on: dt.date
    years_operating: int
    members_current: int
    eligible_for_matching: int
    villages_covered: int
    villages_in_area: int | None
    contributions_year: Decimal
    local_gov_year: Decimal
    books_current: bool
    books_closed_through: dt.date | None
    books_last_entry: dt.date | None
    register_kept: bool
    regulation_in_force: bool
    regulation_adopted_on: dt.date | None
    public_reports_year: int | None
    committee_meetings_year: int
    welfare_types_year: int
    non_cash_welfare: bool | None


# --- Checks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    criterion: int
    decides: bool = True  # False: for information only


CHECKS: tuple[Check, ...] = (
    Check("operating", 1),
    Check("eligible", 2),
    Check("coverage", 2),
    Check("contributions", 3),
    Check("local_gov", 3, decides=False),
    Check("books", 4),
    Check("register", 4),
    Check("regulation", 4),
    Check("public_reports", 4),
    Check("meetings", 4, decides=False),
    Check("welfare_types", 5),
    Check("non_cash", 6),
)
CHECK_BY_KEY = {c.key: c for c in CHECKS}
CRITERIA = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Result:
    """One check's outcome and the figures it used (JSON-able: numbers as text, dates ISO)."""

    key: str
    criterion: int
    outcome: Outcome
    facts: dict[str, Any]


def _met(condition: bool) -> Outcome:
    return Outcome.MET if condition else Outcome.NOT_MET


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def coverage_percent(covered: int, in_area: int) -> Decimal:
    """The share of villages covered, cut (never rounded up) to a whole percent: a fund with
    49.9 % must not read as 50 %."""
    return (Decimal(covered * 100) / Decimal(in_area)).quantize(Decimal("1"), rounding=ROUND_DOWN)


def coverage_required(kind: str, t: Thresholds) -> Decimal:
    return t.community_percent_municipality if kind == MUNICIPALITY else t.village_percent_tambon


def coverage_met(covered: int, in_area: int, required: Decimal) -> bool:
    """covered / in_area ≥ required %, compared exactly (no percent is rounded here)."""
    return Decimal(covered * 100) >= required * in_area


def judge(f: Facts, t: Thresholds) -> list[Result]:
    """Every check of the six criteria, in the order of CHECKS."""
    results: list[Result] = []

    def add(key: str, outcome: Outcome, **facts: Any) -> None:
        results.append(Result(key, CHECK_BY_KEY[key].criterion, outcome, facts))

    add(
        "operating",
        _met(f.years_operating >= t.min_years_operating),
        founded_on=_iso(f.founded_on),
        as_of=_iso(f.as_of),
        years=f.years_operating,
        minimum=t.min_years_operating,
    )
    add(
        "eligible",
        _met(f.eligible_for_matching > 0),
        eligible=f.eligible_for_matching,
        current=f.members_current,
    )
    required = coverage_required(f.kind, t)
    if not f.villages_in_area:
        add(
            "coverage",
            Outcome.NEEDS_CHECK,
            kind=f.kind,
            covered=f.villages_covered,
            in_area=None,
            required=str(required),
        )
    else:
        add(
            "coverage",
            _met(coverage_met(f.villages_covered, f.villages_in_area, required)),
            kind=f.kind,
            covered=f.villages_covered,
            in_area=f.villages_in_area,
            percent=str(coverage_percent(f.villages_covered, f.villages_in_area)),
            required=str(required),
        )
    add(
        "contributions",
        _met(f.contributions_year > 0),
        amount=str(f.contributions_year),
        fiscal_year=f.fiscal_year_be,
    )
    add("local_gov", Outcome.INFO, amount=str(f.local_gov_year), fiscal_year=f.fiscal_year_be)
    add(
        "books",
        _met(f.books_current),
        closed_through=_iso(f.books_closed_through),
        last_entry=_iso(f.books_last_entry),
        as_of=_iso(f.as_of),
    )
    add("register", _met(f.register_kept), current=f.members_current)
    add(
        "regulation",
        _met(f.regulation_in_force),
        adopted_on=_iso(f.regulation_adopted_on),
        as_of=_iso(f.as_of),
    )
    add(
        "public_reports",
        # A summary published on the public page proves reporting; none proves nothing, as
        # most funds also post on the village notice board, which a person has to look at.
        Outcome.MET if f.public_reports_year else Outcome.NEEDS_CHECK,
        reports=f.public_reports_year,
    )
    add("meetings", Outcome.INFO, meetings=f.committee_meetings_year, fiscal_year=f.fiscal_year_be)
    add(
        "welfare_types",
        _met(f.welfare_types_year >= t.min_welfare_types),
        types=f.welfare_types_year,
        minimum=t.min_welfare_types,
        as_of=_iso(f.as_of),
    )
    add(
        "non_cash",
        Outcome.NEEDS_CHECK if f.non_cash_welfare is None else _met(f.non_cash_welfare),
        recorded=f.non_cash_welfare,
    )
    return results


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """One outcome from several: any not met decides; then anything unchecked; else met.
    Information decides nothing."""
    deciding = [o for o in outcomes if o != Outcome.INFO]
    if Outcome.NOT_MET in deciding:
        return Outcome.NOT_MET
    if Outcome.NEEDS_CHECK in deciding:
        return Outcome.NEEDS_CHECK
    return Outcome.MET


def by_criterion(outcomes: Mapping[str, Outcome]) -> dict[int, Outcome]:
    """Each criterion's outcome from its checks' outcomes (by check key)."""
    return {
        n: combine(outcomes[c.key] for c in CHECKS if c.criterion == n and c.key in outcomes)
        for n in CRITERIA
    }


# --- Facts as JSON (kept with each screening) ------------------------------------------------

_DATES = (
    "as_of",
    "founded_on",
    "books_closed_through",
    "books_last_entry",
    "regulation_adopted_on",
)
_MONEY = ("contributions_year", "local_gov_year")


def facts_to_json(f: Facts) -> dict[str, Any]:
    data = asdict(f)
    for name in _DATES:
        data[name] = _iso(data[name])
    for name in _MONEY:
        data[name] = str(data[name])
    return data


def facts_from_json(data: Mapping[str, Any]) -> Facts:
    values = dict(data)
    for name in _DATES:
        values[name] = dt.date.fromisoformat(values[name]) if values[name] else None
    for name in _MONEY:
        values[name] = Decimal(values[name])
    return Facts(**values)
