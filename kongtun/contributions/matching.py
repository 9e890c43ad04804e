"""Government matching of members' contributions, as plain arithmetic on plain facts.

For the government fiscal year Y (a Buddhist-era year: FY2566 = 1 Oct 2022 – 30 Sep 2023) a
co-funder matches each eligible member's contributions of the year:

* **Cut-off.** Everything is judged on 30 September of Y, the last day of the year.
* **Active on the cut-off.** The status the member's history gives on that day must be active:
  a member who died, resigned, lapsed or was expelled by then, or was still an applicant, is out.
* **Membership.** The member has belonged at least `min_days` days by the cut-off, counting the
  day they joined as day one: joined on 1 Oct 2022 is 365 days by 30 Sep 2023, so eligible with
  365; joined a day later is not. The count is in days, so in a year with 29 February a member
  who joined on 2 October also reaches 365 days; a fund whose co-funder wants a calendar year
  sets 366 for that year (the terms are set per year).
* **Rounds.** The member was matched in fewer than `max_rounds` *earlier* fiscal years by the
  same co-funder.
* **Contributions.** A member who paid nothing in the year is not eligible ("no
  contributions"): there is nothing to match, and listing them would spend one of their rounds
  for nothing.

The expected amount is min(ratio × contributions, cap), rounded *down* to the satang: the fund
never claims a satang more than the terms give. Nothing here touches the database or Django.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Generic, TypeVar

ZERO = Decimal("0.00")
SATANG = Decimal("0.01")
ACTIVE = "active"

K = TypeVar("K")


# --- The government year ---------------------------------------------------------------------


def government_year(be_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the government fiscal year `be_year` (BE): 1 Oct – 30 Sep."""
    ce = be_year - 543
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


def cutoff_of(be_year: int) -> dt.date:
    """The day eligibility is judged on: 30 September of the fiscal year."""
    return government_year(be_year)[1]


def government_year_of(day: dt.date) -> int:
    """The BE name of the government fiscal year `day` falls in."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


def membership_days(joined_on: dt.date, on: dt.date) -> int:
    """Days of membership by `on`, the joining day counted: joined on `on` is one day."""
    return (on - joined_on).days + 1


def latest_join(cutoff: dt.date, min_days: int) -> dt.date:
    """The last joining day that still gives `min_days` days of membership by `cutoff`."""
    return cutoff - dt.timedelta(days=min_days - 1)


def status_on(changes: Iterable[tuple[dt.date, str]], day: dt.date) -> str | None:
    """The status a member had on `day`: the one the last change effective by then led to.

    `changes` are (effective_on, to_status) in the order they were recorded; of two changes on
    one day the later recorded wins. None when the history starts after `day`.
    """
    status = None
    for effective_on, to_status in sorted(changes, key=lambda change: change[0]):
        if effective_on > day:
            break
        status = to_status
    return status


# --- Terms, facts and decisions --------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A co-funder's matching terms for one fiscal year."""

    ratio: Decimal  # baht matched per baht of members' contributions
    cap: Decimal  # at most this much per member
    max_rounds: int  # matched in at most this many fiscal years
    min_days: int  # days of membership by the cut-off


class Reason(enum.Enum):
    """Why a member is not eligible; a member may have several."""

    NOT_ACTIVE = "not_active"
    JOINED_TOO_LATE = "joined_too_late"
    ROUNDS_USED = "rounds_used"
    NO_CONTRIBUTIONS = "no_contributions"


@dataclass(frozen=True)
class Facts(Generic[K]):
    """What matching needs to know about one member; `who` is whatever names them."""

    who: K
    joined_on: dt.date
    status_on_cutoff: str | None
    earlier_rounds: int
    contributions: Decimal


@dataclass(frozen=True)
class Decision(Generic[K]):
    facts: Facts[K]
    reasons: tuple[Reason, ...]
    expected: Decimal

    @property
    def eligible(self) -> bool:
        return not self.reasons


def expected_amount(rule: Rule, contributions: Decimal) -> Decimal:
    """min(ratio × contributions, cap), rounded down to the satang."""
    return min(rule.ratio * contributions, rule.cap).quantize(SATANG, rounding=ROUND_DOWN)


def decide(facts: Facts[K], rule: Rule, cutoff: dt.date) -> Decision[K]:
    """Whether the member is eligible, every reason they are not, and the amount expected."""
    reasons = []
    if facts.status_on_cutoff != ACTIVE:
        reasons.append(Reason.NOT_ACTIVE)
    if facts.joined_on > latest_join(cutoff, rule.min_days):
        reasons.append(Reason.JOINED_TOO_LATE)
    if facts.earlier_rounds >= rule.max_rounds:
        reasons.append(Reason.ROUNDS_USED)
    if facts.contributions <= 0:
        reasons.append(Reason.NO_CONTRIBUTIONS)
    expected = ZERO if reasons else expected_amount(rule, facts.contributions)
    return Decision(facts, tuple(reasons), expected)


@dataclass(frozen=True)
class Outcome(Generic[K]):
    """Every member's decision for one co-funder and year, in the order the facts came."""

    rule: Rule
    cutoff: dt.date
    decisions: tuple[Decision[K], ...]

    @property
    def eligible(self) -> list[Decision[K]]:
        return [d for d in self.decisions if d.eligible]

    @property
    def not_eligible(self) -> list[Decision[K]]:
        return [d for d in self.decisions if not d.eligible]

    @property
    def expected_total(self) -> Decimal:
        return sum((d.expected for d in self.decisions), ZERO)

    @property
    def contributions_total(self) -> Decimal:
        """The eligible members' contributions: what the expected total matches."""
        return sum((d.facts.contributions for d in self.eligible), ZERO)


def match(facts: Iterable[Facts[K]], rule: Rule, cutoff: dt.date) -> Outcome[K]:
    return Outcome(rule, cutoff, tuple(decide(f, rule, cutoff) for f in facts))


# --- Expected against received ---------------------------------------------------------------


class Settlement(enum.Enum):
    TO_COME = "to_come"  # the co-funder still owes the difference
    EXCESS = "excess"  # more arrived than the terms give: the excess goes back
    SETTLED = "settled"


@dataclass(frozen=True)
class Balance:
    expected: Decimal
    received: Decimal

    @property
    def difference(self) -> Decimal:
        """How much is still to come (positive) or was received beyond the terms (negative)."""
        return self.expected - self.received

    @property
    def settlement(self) -> Settlement:
        if self.difference > 0:
            return Settlement.TO_COME
        if self.difference < 0:
            return Settlement.EXCESS
        return Settlement.SETTLED

    @property
    def excess(self) -> Decimal:
        return max(-self.difference, ZERO)

    @property
    def to_come(self) -> Decimal:
        return max(self.difference, ZERO)
