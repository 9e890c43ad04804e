"""A benefit's rules and the eligibility decision, as pure Python (no Django, no database).

A fund's regulation says, for each benefit, who may receive it, after how long, at what age,
how much (fixed, per night, the actual cost, or by a table of years of membership or of age)
and up to which caps. `assess` applies one benefit's `Rule` to the `Facts` of one claim, all
taken as of the day of the event, and returns a `Decision`: the outcome, the amount, and every
reason, passed or failed, as a code with its figures. The reasons are data, so the committee
reads them in Thai (or English) from kongtun.welfare.explain, and a decision stored years ago
reads the same later.

Amounts are Decimal baht with satang; nothing here is ever a float.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0.00")


class Recipient(StrEnum):
    MEMBER = "member"  # the member themself
    CHILD = "child"  # a member's child (scholarships, birth)
    BENEFICIARY = "beneficiary"  # the beneficiaries a member named (death)
    NON_MEMBER = "non_member"  # a person in need in the community who is not a member


class Basis(StrEnum):
    FIXED = "fixed"
    PER_NIGHT = "per_night"
    ACTUAL = "actual"  # the cost the claimant shows, up to the caps
    BY_MEMBERSHIP = "by_membership"  # a table by whole years of membership
    BY_AGE = "by_age"  # a table by the person's age in whole years


class WaitFrom(StrEnum):
    JOINED = "joined"
    FIRST_CONTRIBUTION = "first_contribution"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    CAPPED = "capped"  # eligible, for less than the full amount
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class Tier:
    from_years: int
    amount: Decimal


@dataclass(frozen=True)
class Rule:
    """One benefit of one regulation version. None means "no such condition"."""

    recipients: frozenset[str]
    basis: str
    amount: Decimal = ZERO  # the fixed amount, the rate a night, or unused for tables
    tiers: tuple[Tier, ...] = ()
    step_amount: Decimal = ZERO  # added for each full year beyond the last tier
    waiting_days: int = 0
    wait_from: str = WaitFrom.JOINED
    min_age: int | None = None
    max_age: int | None = None
    min_membership_years: int | None = None
    per_event_cap: Decimal | None = None
    max_nights_per_event: int | None = None
    max_nights_per_year: int | None = None
    per_year_cap: Decimal | None = None
    times_per_year: int | None = None
    lifetime_cap: Decimal | None = None
    once_only: bool = False
    max_arrears_months: int | None = None  # 0: no arrears at all; None: dues not checked
    filing_days: int | None = None
    requires_no_prior_claims: bool = False
    deduct_arrears: bool = False


@dataclass(frozen=True)
class Facts:
    """What is known of the claim and of the member's history on the day of the event.

    `used_*`, `times_*` and `nights_this_year` count this benefit's other claims that are not
    rejected or withdrawn: a claim waiting for the committee already holds its share of a cap.
    """

    recipient: str
    event_date: dt.date
    filed_on: dt.date
    member_status: str | None = None  # the member's status on the event day
    joined_on: dt.date | None = None
    first_contribution_on: dt.date | None = None
    birth_date: dt.date | None = None  # of the person the benefit is for
    nights: int | None = None
    claimed: Decimal | None = None
    arrears: Decimal = ZERO
    arrears_months: int = 0
    paid_through: dt.date | None = None
    year_label: str = ""
    used_this_year: Decimal = ZERO
    times_this_year: int = 0
    nights_this_year: int = 0
    used_lifetime: Decimal = ZERO
    times_lifetime: int = 0
    other_claims: int = 0  # claims the member made of any benefit (paid or approved)
    budget_left: Decimal | None = None  # of the budget line this benefit is paid from


Param = str | int | None


@dataclass(frozen=True)
class Reason:
    """One check: `ok` True (met), False (failed: not eligible), None (information or a cap)."""

    code: str
    ok: bool | None
    params: dict[str, Param] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "ok": self.ok, "params": self.params}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Reason:
        params = data.get("params") or {}
        assert isinstance(params, dict)
        ok = data.get("ok")
        return cls(str(data["code"]), ok if isinstance(ok, bool) else None, dict(params))


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    amount: Decimal  # what may be paid
    full_amount: Decimal  # what the rule gives before the caps
    deduction: Decimal  # arrears to be taken from the payout
    reasons: tuple[Reason, ...]
    nights_paid: int | None = None  # for a per-night benefit, the nights the amount pays

    @property
    def eligible(self) -> bool:
        return self.outcome != Outcome.NOT_ELIGIBLE

    @property
    def net(self) -> Decimal:
        return self.amount - self.deduction


def whole_years(start: dt.date, on: dt.date) -> int:
    """Completed years from `start` to `on` (a birthday or anniversary counts on its day; one
    on 29 February counts on 1 March in other years)."""
    years = on.year - start.year
    if (on.month, on.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (0 when `end` is before a month has passed)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _table_amount(rule: Rule, years: int) -> tuple[Decimal, Tier | None]:
    applicable = [
        t for t in sorted(rule.tiers, key=lambda t: t.from_years) if t.from_years <= years
    ]
    if not applicable:
        return ZERO, None
    tier = applicable[-1]
    amount = tier.amount
    last = max(t.from_years for t in rule.tiers)
    if tier.from_years == last and rule.step_amount:
        amount += rule.step_amount * (years - last)
    return amount, tier


def assess(rule: Rule, facts: Facts) -> Decision:
    """The decision for one claim, with a reason for every condition the rule has."""
    reasons: list[Reason] = []
    add = reasons.append
    member_linked = facts.recipient != Recipient.NON_MEMBER

    add(Reason("recipient", facts.recipient in rule.recipients, {"recipient": facts.recipient}))
    if facts.event_date > facts.filed_on:
        add(Reason("event_in_future", False, {"event": facts.event_date.isoformat()}))
    if rule.filing_days is not None:
        late = (facts.filed_on - facts.event_date).days
        add(
            Reason(
                "filing_deadline",
                late <= rule.filing_days,
                {"days": late, "limit": rule.filing_days},
            )
        )

    start: dt.date | None = None
    if member_linked:
        add(
            Reason(
                "member_status", facts.member_status == "active", {"status": facts.member_status}
            )
        )
        start = (
            facts.first_contribution_on
            if rule.wait_from == WaitFrom.FIRST_CONTRIBUTION
            else facts.joined_on
        )
        if start is None or start > facts.event_date:
            add(Reason("no_start", False, {"from": str(rule.wait_from)}))
            start = None
        else:
            days = (facts.event_date - start).days
            if rule.waiting_days:
                add(
                    Reason(
                        "waiting",
                        days >= rule.waiting_days,
                        {"days": days, "limit": rule.waiting_days, "from": str(rule.wait_from)},
                    )
                )
            else:
                add(Reason("membership", None, {"days": days, "from": str(rule.wait_from)}))
            if rule.min_membership_years is not None:
                years = whole_years(start, facts.event_date)
                add(
                    Reason(
                        "membership_years",
                        years >= rule.min_membership_years,
                        {"years": years, "limit": rule.min_membership_years},
                    )
                )

    age: int | None = None
    if rule.min_age is not None or rule.max_age is not None or rule.basis == Basis.BY_AGE:
        if facts.birth_date is None:
            add(Reason("birth_date_missing", False))
        else:
            age = whole_years(facts.birth_date, facts.event_date)
            if rule.min_age is not None:
                add(Reason("min_age", age >= rule.min_age, {"age": age, "limit": rule.min_age}))
            if rule.max_age is not None:
                add(Reason("max_age", age <= rule.max_age, {"age": age, "limit": rule.max_age}))

    if member_linked and rule.max_arrears_months is not None:
        through = facts.paid_through.isoformat() if facts.paid_through else None
        if facts.arrears <= 0:
            add(Reason("dues_current", True, {"paid_through": through}))
        else:
            add(
                Reason(
                    "dues_arrears",
                    facts.arrears_months <= rule.max_arrears_months and rule.max_arrears_months > 0,
                    {
                        "arrears": _money(facts.arrears),
                        "months": facts.arrears_months,
                        "limit": rule.max_arrears_months,
                        "paid_through": through,
                    },
                )
            )
    if member_linked and rule.requires_no_prior_claims:
        add(Reason("no_prior_claims", facts.other_claims == 0, {"claims": facts.other_claims}))
    if rule.once_only:
        add(Reason("once_only", facts.times_lifetime == 0, {"times": facts.times_lifetime}))
    if rule.times_per_year is not None:
        add(
            Reason(
                "times_per_year",
                facts.times_this_year < rule.times_per_year,
                {
                    "times": facts.times_this_year,
                    "limit": rule.times_per_year,
                    "year": facts.year_label,
                },
            )
        )

    full, amount, nights_paid = _amounts(rule, facts, start, age, add)

    for cap, code in (
        (rule.per_event_cap, "cap_event"),
        (
            None if rule.per_year_cap is None else rule.per_year_cap - facts.used_this_year,
            "cap_year",
        ),
        (
            None if rule.lifetime_cap is None else rule.lifetime_cap - facts.used_lifetime,
            "cap_lifetime",
        ),
        (facts.budget_left, "cap_budget"),
    ):
        if cap is None:
            continue
        params: dict[str, Param] = {"left": _money(max(cap, ZERO)), "year": facts.year_label}
        if code == "cap_event":
            params["cap"] = _money(cap)
        elif code == "cap_year":
            assert rule.per_year_cap is not None
            params.update(used=_money(facts.used_this_year), cap=_money(rule.per_year_cap))
        elif code == "cap_lifetime":
            assert rule.lifetime_cap is not None
            params.update(used=_money(facts.used_lifetime), cap=_money(rule.lifetime_cap))
        if cap <= 0:
            add(Reason(code, False, params))
            amount = ZERO
        elif amount > cap:
            add(Reason(code, None, params | {"before": _money(amount)}))
            amount = cap
        elif code in ("cap_year", "cap_lifetime", "cap_budget"):
            add(Reason(code, True, params))

    failed = any(r.ok is False for r in reasons)
    if failed or amount <= 0:
        if not failed:
            add(Reason("nothing_to_pay", False))
        return Decision(
            Outcome.NOT_ELIGIBLE,
            ZERO,
            full,
            ZERO,
            tuple(reasons),
            0 if nights_paid is not None else None,
        )
    deduction = ZERO
    if rule.deduct_arrears and member_linked and facts.arrears > 0:
        deduction = min(facts.arrears, amount)
        add(Reason("deduct_arrears", None, {"amount": _money(deduction)}))
    outcome = Outcome.CAPPED if amount < full else Outcome.ELIGIBLE
    if nights_paid is not None and rule.amount > 0:
        nights_paid = min(nights_paid, int(amount // rule.amount))  # a money cap pays fewer nights
    return Decision(outcome, amount, full, deduction, tuple(reasons), nights_paid)


def _amounts(
    rule: Rule,
    facts: Facts,
    start: dt.date | None,
    age: int | None,
    add: Callable[[Reason], None],
) -> tuple[Decimal, Decimal, int | None]:
    """The full amount the rule gives, that amount after the per-night limits, and the nights
    it pays (None unless the rule pays by the night)."""
    if rule.basis == Basis.FIXED:
        add(Reason("amount_fixed", None, {"amount": _money(rule.amount)}))
        return rule.amount, rule.amount, None
    if rule.basis == Basis.ACTUAL:
        if facts.claimed is None or facts.claimed <= 0:
            add(Reason("claimed_missing", False))
            return ZERO, ZERO, None
        add(Reason("amount_actual", None, {"amount": _money(facts.claimed)}))
        return facts.claimed, facts.claimed, None
    if rule.basis == Basis.PER_NIGHT:
        nights = facts.nights or 0
        if nights <= 0:
            add(Reason("nights_missing", False))
            return ZERO, ZERO, 0
        full = rule.amount * nights
        add(
            Reason(
                "amount_nights",
                None,
                {"nights": nights, "rate": _money(rule.amount), "amount": _money(full)},
            )
        )
        paid = nights
        if rule.max_nights_per_event is not None and paid > rule.max_nights_per_event:
            paid = rule.max_nights_per_event
            add(Reason("nights_event", None, {"nights": nights, "limit": paid}))
        if rule.max_nights_per_year is not None:
            left = max(rule.max_nights_per_year - facts.nights_this_year, 0)
            ok = left > 0
            add(
                Reason(
                    "nights_year",
                    True if ok and paid <= left else (False if not ok else None),
                    {
                        "used": facts.nights_this_year,
                        "limit": rule.max_nights_per_year,
                        "year": facts.year_label,
                    },
                )
            )
            paid = min(paid, left)
        return full, rule.amount * paid, paid
    # A table by years of membership or of age.
    if rule.basis == Basis.BY_MEMBERSHIP:
        if start is None:
            return ZERO, ZERO, None
        years = whole_years(start, facts.event_date)
    else:
        if age is None:
            return ZERO, ZERO, None
        years = age
    amount, tier = _table_amount(rule, years)
    if tier is None:
        add(Reason("no_tier", False, {"years": years, "basis": str(rule.basis)}))
        return ZERO, ZERO, None
    params: dict[str, Param] = {
        "years": years,
        "from_years": tier.from_years,
        "amount": _money(amount),
        "basis": str(rule.basis),
    }
    if amount != tier.amount:
        params.update(base=_money(tier.amount), step=_money(rule.step_amount))
    add(Reason("amount_table", None, params))
    return amount, amount, None


def split_shares(amount: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """`amount` divided by percentage `shares`, to the satang, adding up exactly.

    Each gets its share rounded down; the satang left over go one by one to the largest
    remainders (the first named wins a tie), so nobody is short by more than one satang.
    """
    total = sum(shares, Decimal(0))
    if not shares or total <= 0:
        raise ValueError("shares must add up to more than zero")
    cents = int((amount * 100).to_integral_value())
    exact = [Decimal(cents) * s / total for s in shares]
    floors = [int(x) for x in exact]
    left = cents - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(c) / 100).quantize(Decimal("0.01")) for c in floors]


# The attributes a benefit (a model row, or a spec in kongtun.welfare.examples) has under the
# same names as a Rule's fields; `rule_of` reads them, so both become rules the same way.
RULE_FIELDS = (
    "basis", "amount", "step_amount", "waiting_days", "wait_from", "min_age", "max_age",
    "min_membership_years", "per_event_cap", "max_nights_per_event", "max_nights_per_year",
    "per_year_cap", "times_per_year", "lifetime_cap", "once_only", "max_arrears_months",
    "filing_days", "requires_no_prior_claims", "deduct_arrears",
)  # fmt: skip
_RECIPIENT_FLAGS = (
    ("for_member", Recipient.MEMBER),
    ("for_child", Recipient.CHILD),
    ("for_beneficiary", Recipient.BENEFICIARY),
    ("for_non_member", Recipient.NON_MEMBER),
)


def rule_of(source: object, tiers: Iterable[tuple[int, Decimal]]) -> Rule:
    """The Rule of a benefit with `for_member`… flags and the RULE_FIELDS attributes."""
    recipients = frozenset(str(r) for flag, r in _RECIPIENT_FLAGS if getattr(source, flag))
    values = {name: getattr(source, name) for name in RULE_FIELDS}
    return Rule(
        recipients=recipients,
        tiers=tuple(Tier(years, amount) for years, amount in tiers),
        **values,
    )
