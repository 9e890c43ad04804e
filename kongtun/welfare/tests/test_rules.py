"""The pure eligibility engine, kongtun.welfare.rules, on hand-built rules: no database.

Each test builds the smallest Rule that has the condition under test and a member who meets
everything else, so the reason that fails (or caps) is the one named in the test.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongtun.welfare import rules
from kongtun.welfare.rules import (
    Basis,
    Decision,
    Facts,
    Outcome,
    Reason,
    Recipient,
    Rule,
    Tier,
    WaitFrom,
    assess,
    months_between,
    rule_of,
    split_shares,
    whole_years,
)

D = Decimal
JOINED = dt.date(2020, 1, 10)
EVENT = dt.date(2024, 6, 15)
FILED = dt.date(2024, 6, 20)


def rule(**kwargs: Any) -> Rule:
    values: dict[str, Any] = {
        "recipients": frozenset({Recipient.MEMBER.value}),
        "basis": Basis.FIXED,
        "amount": D("1000.00"),
    }
    values.update(kwargs)
    return Rule(**values)


def facts(**kwargs: Any) -> Facts:
    """An active member of four years, paid up, claiming five days after the event."""
    values: dict[str, Any] = {
        "recipient": Recipient.MEMBER.value,
        "event_date": EVENT,
        "filed_on": FILED,
        "member_status": "active",
        "joined_on": JOINED,
        "first_contribution_on": JOINED,
        "year_label": "2567",
    }
    values.update(kwargs)
    return Facts(**values)


def codes(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons]


def reason(decision: Decision, code: str) -> Reason:
    found = [r for r in decision.reasons if r.code == code]
    assert len(found) == 1, (code, codes(decision))
    return found[0]


def failed(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons if r.ok is False]


def not_eligible_for(decision: Decision, *expected: str) -> None:
    assert decision.outcome == Outcome.NOT_ELIGIBLE
    assert not decision.eligible
    assert decision.amount == 0
    assert decision.deduction == 0
    assert failed(decision) == list(expected)


# --- the simplest case ----------------------------------------------------------------------


def test_a_paid_up_member_gets_the_fixed_amount_with_a_reason_for_each_check():
    decision = assess(rule(), facts())
    assert decision.outcome == Outcome.ELIGIBLE
    assert decision.eligible
    assert (decision.amount, decision.full_amount, decision.deduction) == (
        D("1000.00"),
        D("1000.00"),
        D("0.00"),
    )
    assert decision.net == D("1000.00")
    assert decision.nights_paid is None
    assert codes(decision) == ["recipient", "member_status", "membership", "amount_fixed"]
    assert reason(decision, "recipient") == Reason("recipient", True, {"recipient": "member"})
    # 10 Jan 2020 to 15 Jun 2024: 356 + 366 + 365 + 365 + 167 days.
    assert reason(decision, "membership") == Reason(
        "membership", None, {"days": 1618, "from": "joined"}
    )
    assert reason(decision, "amount_fixed").params == {"amount": "1000.00"}


def test_a_decision_that_fails_keeps_the_full_amount_but_pays_nothing():
    decision = assess(rule(), facts(member_status="lapsed"))
    not_eligible_for(decision, "member_status")
    assert decision.full_amount == D("1000.00")
    assert decision.net == 0


# --- every reason code ----------------------------------------------------------------------

CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool | None]] = [
    ("recipient", {}, {"recipient": "child"}, False),
    ("event_in_future", {}, {"event_date": FILED + dt.timedelta(days=1)}, False),
    ("filing_deadline", {"filing_days": 5}, {}, True),
    ("member_status", {}, {"member_status": "died"}, False),
    ("no_start", {}, {"joined_on": None}, False),
    ("waiting", {"waiting_days": 180}, {}, True),
    ("membership", {}, {}, None),
    ("membership_years", {"min_membership_years": 4}, {}, True),
    ("birth_date_missing", {"min_age": 60}, {}, False),
    ("min_age", {"min_age": 60}, {"birth_date": dt.date(1964, 6, 15)}, True),
    ("max_age", {"max_age": 25}, {"birth_date": dt.date(2000, 1, 1)}, True),
    ("dues_current", {"max_arrears_months": 0}, {}, True),
    ("dues_arrears", {"max_arrears_months": 3}, {"arrears": D("60"), "arrears_months": 2}, True),
    ("no_prior_claims", {"requires_no_prior_claims": True}, {"other_claims": 2}, False),
    ("once_only", {"once_only": True}, {"times_lifetime": 1}, False),
    ("times_per_year", {"times_per_year": 2}, {"times_this_year": 1}, True),
    ("amount_fixed", {}, {}, None),
    ("claimed_missing", {"basis": Basis.ACTUAL}, {}, False),
    ("amount_actual", {"basis": Basis.ACTUAL}, {"claimed": D("10")}, None),
    ("nights_missing", {"basis": Basis.PER_NIGHT}, {}, False),
    ("amount_nights", {"basis": Basis.PER_NIGHT}, {"nights": 1}, None),
    ("nights_event", {"basis": Basis.PER_NIGHT, "max_nights_per_event": 1}, {"nights": 2}, None),
    ("nights_year", {"basis": Basis.PER_NIGHT, "max_nights_per_year": 5}, {"nights": 2}, True),
    ("no_tier", {"basis": Basis.BY_MEMBERSHIP, "tiers": (Tier(5, D("9")),)}, {}, False),
    ("amount_table", {"basis": Basis.BY_MEMBERSHIP, "tiers": (Tier(0, D("9")),)}, {}, None),
    ("cap_event", {"per_event_cap": D("600")}, {}, None),
    ("cap_year", {"per_year_cap": D("5000")}, {}, True),
    ("cap_lifetime", {"lifetime_cap": D("5000")}, {"used_lifetime": D("5000")}, False),
    ("cap_budget", {}, {"budget_left": D("5000")}, True),
    ("nothing_to_pay", {"amount": D("0")}, {}, False),
    ("deduct_arrears", {"deduct_arrears": True}, {"arrears": D("30"), "arrears_months": 1}, None),
]


@pytest.mark.parametrize(
    ("code", "rule_kwargs", "facts_kwargs", "ok"), CASES, ids=[c[0] for c in CASES]
)
def test_each_reason_code(code, rule_kwargs, facts_kwargs, ok):
    decision = assess(rule(**rule_kwargs), facts(**facts_kwargs))
    assert reason(decision, code).ok is ok
    assert decision.eligible is (not failed(decision))


def test_the_table_above_names_every_reason_the_engine_can_give():
    # A new reason needs a case here (and a Thai explanation in kongtun.welfare.explain).
    source = inspect.getsource(rules)
    in_source = set(re.findall(r'Reason\(\s*"([a-z_]+)"', source))
    in_source |= set(re.findall(r'"(cap_[a-z]+)"', source))
    assert {c[0] for c in CASES} == in_source


def test_reasons_survive_a_round_trip_through_json():
    decision = assess(
        rule(basis=Basis.PER_NIGHT, amount=D("200"), per_event_cap=D("600")), facts(nights=4)
    )
    again = tuple(Reason.from_json(r.as_json()) for r in decision.reasons)
    assert again == decision.reasons
    assert Reason.from_json({"code": "x", "ok": "yes"}) == Reason("x", None, {})


# --- who may receive it ---------------------------------------------------------------------


@pytest.mark.parametrize("recipient", [r.value for r in Recipient])
def test_a_benefit_is_for_the_recipients_it_names_only(recipient):
    others = frozenset(r.value for r in Recipient) - {recipient}
    assert assess(rule(recipients=frozenset({recipient})), facts(recipient=recipient)).eligible
    decision = assess(rule(recipients=others), facts(recipient=recipient))
    not_eligible_for(decision, "recipient")
    assert reason(decision, "recipient").params == {"recipient": recipient}


def test_a_non_member_is_not_asked_about_membership_dues_or_prior_claims():
    help_rule = rule(
        recipients=frozenset({Recipient.NON_MEMBER.value}),
        waiting_days=365,
        min_membership_years=3,
        max_arrears_months=0,
        requires_no_prior_claims=True,
        deduct_arrears=True,
    )
    decision = assess(
        help_rule,
        facts(
            recipient=Recipient.NON_MEMBER.value,
            member_status=None,
            joined_on=None,
            first_contribution_on=None,
            arrears=D("90"),
            arrears_months=3,
            other_claims=4,
        ),
    )
    assert decision.outcome == Outcome.ELIGIBLE
    assert codes(decision) == ["recipient", "amount_fixed"]
    assert decision.deduction == 0


@pytest.mark.parametrize("status", ["applicant", "lapsed", "resigned", "died", None])
def test_only_an_active_member_may_claim(status):
    decision = assess(rule(), facts(member_status=status))
    not_eligible_for(decision, "member_status")
    assert reason(decision, "member_status").params == {"status": status}


def test_the_beneficiaries_claim_on_the_member_status_of_the_day_of_death():
    death = rule(recipients=frozenset({Recipient.BENEFICIARY.value}))
    assert assess(death, facts(recipient=Recipient.BENEFICIARY.value)).eligible


# --- dates: the event, filing, the waiting period --------------------------------------------


def test_an_event_after_the_filing_day_is_refused():
    decision = assess(rule(), facts(event_date=dt.date(2024, 7, 1), filed_on=FILED))
    not_eligible_for(decision, "event_in_future")
    assert reason(decision, "event_in_future").params == {"event": "2024-07-01"}


def test_an_event_on_the_filing_day_is_fine():
    assert assess(rule(), facts(filed_on=EVENT)).eligible


def test_a_claim_on_the_last_day_of_the_filing_period_counts_and_a_day_later_does_not():
    limit = rule(filing_days=90)
    on_time = assess(limit, facts(filed_on=EVENT + dt.timedelta(days=90)))
    assert reason(on_time, "filing_deadline") == Reason(
        "filing_deadline", True, {"days": 90, "limit": 90}
    )
    late = assess(limit, facts(filed_on=EVENT + dt.timedelta(days=91)))
    not_eligible_for(late, "filing_deadline")
    assert reason(late, "filing_deadline").params == {"days": 91, "limit": 90}


def test_the_waiting_period_ends_on_its_last_day():
    wait = rule(waiting_days=180)
    joined = EVENT - dt.timedelta(days=180)
    done = assess(wait, facts(joined_on=joined))
    assert reason(done, "waiting") == Reason(
        "waiting", True, {"days": 180, "limit": 180, "from": "joined"}
    )
    assert "membership" not in codes(done)
    early = assess(wait, facts(joined_on=joined + dt.timedelta(days=1)))
    not_eligible_for(early, "waiting")
    assert reason(early, "waiting").params == {"days": 179, "limit": 180, "from": "joined"}


def test_the_wait_from_first_contribution_ignores_the_joining_date():
    wait = rule(waiting_days=365, wait_from=WaitFrom.FIRST_CONTRIBUTION)
    # Joined 400 days before the event but first paid only 200 days before it.
    decision = assess(
        wait,
        facts(
            joined_on=EVENT - dt.timedelta(days=400),
            first_contribution_on=EVENT - dt.timedelta(days=200),
        ),
    )
    not_eligible_for(decision, "waiting")
    assert reason(decision, "waiting").params == {
        "days": 200,
        "limit": 365,
        "from": "first_contribution",
    }
    # And the other way round: counted from joining, the same member has waited long enough.
    assert assess(
        rule(waiting_days=365),
        facts(
            joined_on=EVENT - dt.timedelta(days=400),
            first_contribution_on=EVENT - dt.timedelta(days=200),
        ),
    ).eligible


def test_a_member_who_never_paid_has_no_start_for_a_wait_counted_from_the_first_payment():
    decision = assess(
        rule(waiting_days=180, wait_from=WaitFrom.FIRST_CONTRIBUTION),
        facts(first_contribution_on=None),
    )
    not_eligible_for(decision, "no_start")
    assert reason(decision, "no_start").params == {"from": "first_contribution"}
    assert "waiting" not in codes(decision)


def test_a_member_who_joined_after_the_event_has_no_start():
    decision = assess(rule(), facts(joined_on=EVENT + dt.timedelta(days=1)))
    not_eligible_for(decision, "no_start")
    assert reason(decision, "no_start").params == {"from": "joined"}


def test_joining_on_the_day_of_the_event_starts_the_count_at_zero():
    decision = assess(rule(), facts(joined_on=EVENT))
    assert reason(decision, "membership").params == {"days": 0, "from": "joined"}
    assert decision.eligible


def test_years_of_membership_are_counted_to_the_anniversary():
    three = rule(min_membership_years=3)
    on_anniversary = assess(three, facts(joined_on=dt.date(2021, 6, 15)))
    assert reason(on_anniversary, "membership_years") == Reason(
        "membership_years", True, {"years": 3, "limit": 3}
    )
    day_before = assess(three, facts(joined_on=dt.date(2021, 6, 16)))
    not_eligible_for(day_before, "membership_years")
    assert reason(day_before, "membership_years").params == {"years": 2, "limit": 3}


# --- age ------------------------------------------------------------------------------------


def test_the_minimum_age_is_reached_on_the_birthday():
    sixty = rule(min_age=60)
    birthday = assess(sixty, facts(birth_date=dt.date(1964, 6, 15)))
    assert reason(birthday, "min_age") == Reason("min_age", True, {"age": 60, "limit": 60})
    day_before = assess(sixty, facts(birth_date=dt.date(1964, 6, 16)))
    not_eligible_for(day_before, "min_age")
    assert reason(day_before, "min_age").params == {"age": 59, "limit": 60}


def test_the_maximum_age_allows_the_whole_last_year():
    young = rule(max_age=25)
    # 25 until the day before the 26th birthday.
    assert reason(assess(young, facts(birth_date=dt.date(1998, 6, 16))), "max_age").ok is True
    too_old = assess(young, facts(birth_date=dt.date(1998, 6, 15)))
    not_eligible_for(too_old, "max_age")
    assert reason(too_old, "max_age").params == {"age": 26, "limit": 25}


def test_an_age_condition_without_a_birth_date_is_not_met():
    decision = assess(rule(min_age=60, max_age=80), facts(birth_date=None))
    not_eligible_for(decision, "birth_date_missing")
    assert "min_age" not in codes(decision)
    assert "max_age" not in codes(decision)


def test_no_age_condition_no_birth_date_needed():
    decision = assess(rule(), facts(birth_date=None))
    assert decision.eligible
    assert "birth_date_missing" not in codes(decision)


# --- dues -----------------------------------------------------------------------------------


def test_dues_are_not_checked_when_the_rule_says_nothing():
    decision = assess(rule(), facts(arrears=D("300"), arrears_months=10))
    assert decision.eligible
    assert not {"dues_current", "dues_arrears"} & set(codes(decision))


def test_a_paid_up_member_meets_even_a_no_arrears_rule():
    decision = assess(
        rule(max_arrears_months=0), facts(arrears=D("0"), paid_through=dt.date(2024, 6, 30))
    )
    assert reason(decision, "dues_current") == Reason(
        "dues_current", True, {"paid_through": "2024-06-30"}
    )


def test_any_arrears_fail_a_no_arrears_rule():
    decision = assess(
        rule(max_arrears_months=0),
        facts(arrears=D("30"), arrears_months=0, paid_through=dt.date(2024, 5, 31)),
    )
    not_eligible_for(decision, "dues_arrears")
    assert reason(decision, "dues_arrears").params == {
        "arrears": "30.00",
        "months": 0,
        "limit": 0,
        "paid_through": "2024-05-31",
    }


def test_arrears_up_to_the_limit_are_allowed_and_one_more_month_is_not():
    three = rule(max_arrears_months=3)
    allowed = assess(three, facts(arrears=D("90"), arrears_months=3))
    assert reason(allowed, "dues_arrears").ok is True
    assert allowed.eligible
    refused = assess(three, facts(arrears=D("120"), arrears_months=4, paid_through=None))
    not_eligible_for(refused, "dues_arrears")
    assert reason(refused, "dues_arrears").params == {
        "arrears": "120.00",
        "months": 4,
        "limit": 3,
        "paid_through": None,
    }


def test_arrears_are_deducted_from_the_payout():
    decision = assess(
        rule(deduct_arrears=True, max_arrears_months=3), facts(arrears=D("90"), arrears_months=3)
    )
    assert decision.outcome == Outcome.ELIGIBLE
    assert (decision.amount, decision.deduction, decision.net) == (
        D("1000.00"),
        D("90"),
        D("910.00"),
    )
    assert reason(decision, "deduct_arrears").params == {"amount": "90.00"}


def test_the_deduction_never_exceeds_the_payout():
    decision = assess(rule(deduct_arrears=True), facts(arrears=D("1500"), arrears_months=50))
    assert (decision.amount, decision.deduction, decision.net) == (
        D("1000.00"),
        D("1000.00"),
        D("0.00"),
    )


def test_nothing_is_deducted_without_the_rule_or_without_arrears_or_from_a_refusal():
    assert assess(rule(), facts(arrears=D("90"), arrears_months=3)).deduction == 0
    paid_up = assess(rule(deduct_arrears=True), facts())
    assert paid_up.deduction == 0
    assert "deduct_arrears" not in codes(paid_up)
    refused = assess(
        rule(deduct_arrears=True, once_only=True),
        facts(arrears=D("90"), arrears_months=3, times_lifetime=1),
    )
    assert refused.deduction == 0
    assert "deduct_arrears" not in codes(refused)


# --- prior claims, once only, times a year ---------------------------------------------------


def test_a_benefit_for_members_who_never_claimed():
    refund = rule(requires_no_prior_claims=True)
    assert reason(assess(refund, facts(other_claims=0)), "no_prior_claims") == Reason(
        "no_prior_claims", True, {"claims": 0}
    )
    decision = assess(refund, facts(other_claims=1))
    not_eligible_for(decision, "no_prior_claims")
    assert reason(decision, "no_prior_claims").params == {"claims": 1}


def test_a_once_only_benefit_is_paid_once():
    once = rule(once_only=True)
    assert reason(assess(once, facts()), "once_only").ok is True
    decision = assess(once, facts(times_lifetime=1))
    not_eligible_for(decision, "once_only")
    assert reason(decision, "once_only").params == {"times": 1}


def test_times_a_year():
    yearly = rule(times_per_year=2)
    second = assess(yearly, facts(times_this_year=1))
    assert reason(second, "times_per_year") == Reason(
        "times_per_year", True, {"times": 1, "limit": 2, "year": "2567"}
    )
    third = assess(yearly, facts(times_this_year=2))
    not_eligible_for(third, "times_per_year")
    assert reason(third, "times_per_year").params == {"times": 2, "limit": 2, "year": "2567"}


# --- bases ----------------------------------------------------------------------------------


def test_the_actual_cost_is_paid_to_the_satang():
    decision = assess(rule(basis=Basis.ACTUAL), facts(claimed=D("750.50")))
    assert decision.outcome == Outcome.ELIGIBLE
    assert decision.amount == D("750.50")
    assert reason(decision, "amount_actual").params == {"amount": "750.50"}


@pytest.mark.parametrize("claimed", [None, D("0"), D("-5")])
def test_the_actual_cost_must_be_given(claimed):
    decision = assess(rule(basis=Basis.ACTUAL), facts(claimed=claimed))
    not_eligible_for(decision, "claimed_missing")
    assert decision.full_amount == 0


def test_a_rate_a_night_times_the_nights():
    decision = assess(rule(basis=Basis.PER_NIGHT, amount=D("200.00")), facts(nights=3))
    assert decision.outcome == Outcome.ELIGIBLE
    assert decision.amount == D("600.00")  # 3 × 200
    assert decision.nights_paid == 3
    assert reason(decision, "amount_nights").params == {
        "nights": 3,
        "rate": "200.00",
        "amount": "600.00",
    }


@pytest.mark.parametrize("nights", [None, 0])
def test_a_per_night_claim_needs_the_nights(nights):
    decision = assess(rule(basis=Basis.PER_NIGHT, amount=D("200")), facts(nights=nights))
    not_eligible_for(decision, "nights_missing")
    assert decision.nights_paid == 0


def test_a_fixed_benefit_refused_has_no_nights():
    assert assess(rule(), facts(member_status="lapsed")).nights_paid is None


TABLE = (Tier(0, D("3000")), Tier(1, D("5000")), Tier(3, D("10000")), Tier(5, D("15000")))


@pytest.mark.parametrize(
    ("joined", "years", "expected"),
    [
        (dt.date(2024, 1, 1), 0, D("3000")),
        (dt.date(2023, 6, 16), 0, D("3000")),  # a day short of a year
        (dt.date(2023, 6, 15), 1, D("5000")),
        (dt.date(2021, 6, 16), 2, D("5000")),
        (dt.date(2021, 6, 15), 3, D("10000")),
        (dt.date(2019, 6, 15), 5, D("15000")),
        (dt.date(2000, 1, 1), 24, D("15000")),  # no step: the last row holds
    ],
)
def test_a_table_by_years_of_membership(joined, years, expected):
    decision = assess(rule(basis=Basis.BY_MEMBERSHIP, tiers=TABLE), facts(joined_on=joined))
    assert decision.outcome == Outcome.ELIGIBLE
    assert decision.amount == decision.full_amount == expected
    assert reason(decision, "amount_table").params["years"] == years


def test_a_table_given_out_of_order_reads_the_same():
    shuffled = (TABLE[2], TABLE[0], TABLE[3], TABLE[1])
    decision = assess(
        rule(basis=Basis.BY_MEMBERSHIP, tiers=shuffled), facts(joined_on=dt.date(2021, 6, 15))
    )
    assert decision.amount == D("10000")


def test_the_step_adds_for_each_full_year_beyond_the_last_row():
    stepped = rule(basis=Basis.BY_MEMBERSHIP, tiers=TABLE, step_amount=D("500"))
    on_row = assess(stepped, facts(joined_on=dt.date(2019, 6, 15)))  # 5 years
    assert on_row.amount == D("15000")
    assert set(reason(on_row, "amount_table").params) == {
        "years",
        "from_years",
        "amount",
        "basis",
    }
    later = assess(stepped, facts(joined_on=dt.date(2016, 6, 16)))  # 7 years and 364 days
    assert later.amount == D("16000")  # 15,000 + 2 × 500
    assert reason(later, "amount_table").params == {
        "years": 7,
        "from_years": 5,
        "amount": "16000.00",
        "basis": "by_membership",
        "base": "15000.00",
        "step": "500.00",
    }
    # The step only follows the last row: a member between rows gets the row's amount.
    between = assess(stepped, facts(joined_on=dt.date(2022, 6, 15)))  # 2 years
    assert between.amount == D("5000")


def test_below_the_first_row_of_the_table_there_is_nothing():
    decision = assess(
        rule(basis=Basis.BY_MEMBERSHIP, tiers=(Tier(1, D("5000")),)),
        facts(joined_on=dt.date(2024, 1, 1)),
    )
    not_eligible_for(decision, "no_tier")
    assert reason(decision, "no_tier").params == {"years": 0, "basis": "by_membership"}


def test_an_empty_table_gives_nothing():
    decision = assess(rule(basis=Basis.BY_MEMBERSHIP, tiers=()), facts())
    not_eligible_for(decision, "no_tier")


def test_a_table_by_membership_without_a_start_says_only_that():
    decision = assess(rule(basis=Basis.BY_MEMBERSHIP, tiers=TABLE), facts(joined_on=None))
    not_eligible_for(decision, "no_start")
    assert "no_tier" not in codes(decision)


AGES = (Tier(60, D("300")), Tier(70, D("500")), Tier(80, D("700")))


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(1964, 6, 15), D("300")),  # 60 today
        (dt.date(1954, 6, 16), D("300")),  # 69, 70 tomorrow
        (dt.date(1954, 6, 15), D("500")),
        (dt.date(1930, 1, 1), D("700")),
    ],
)
def test_a_table_by_age(born, expected):
    decision = assess(rule(basis=Basis.BY_AGE, tiers=AGES), facts(birth_date=born))
    assert decision.amount == expected
    assert reason(decision, "amount_table").params["basis"] == "by_age"


def test_a_table_by_age_below_its_first_row_and_without_a_birth_date():
    young = assess(rule(basis=Basis.BY_AGE, tiers=AGES), facts(birth_date=dt.date(1970, 1, 1)))
    not_eligible_for(young, "no_tier")
    assert reason(young, "no_tier").params == {"years": 54, "basis": "by_age"}
    unknown = assess(rule(basis=Basis.BY_AGE, tiers=AGES), facts(birth_date=None))
    not_eligible_for(unknown, "birth_date_missing")


def test_a_rule_that_gives_nothing_says_so():
    decision = assess(rule(amount=D("0.00")), facts())
    not_eligible_for(decision, "nothing_to_pay")


# --- nights ---------------------------------------------------------------------------------


def test_nights_beyond_the_limit_of_a_stay_are_not_paid():
    decision = assess(
        rule(basis=Basis.PER_NIGHT, amount=D("100"), max_nights_per_event=10), facts(nights=12)
    )
    assert decision.outcome == Outcome.CAPPED
    assert (decision.amount, decision.full_amount) == (D("1000"), D("1200"))  # 10 × 100, 12 × 100
    assert decision.nights_paid == 10
    assert reason(decision, "nights_event") == Reason(
        "nights_event", None, {"nights": 12, "limit": 10}
    )


def test_a_stay_within_the_limit_has_no_nights_event_reason():
    decision = assess(
        rule(basis=Basis.PER_NIGHT, amount=D("100"), max_nights_per_event=10), facts(nights=10)
    )
    assert decision.outcome == Outcome.ELIGIBLE
    assert "nights_event" not in codes(decision)


def test_nights_a_year_pay_what_is_left_of_the_year():
    yearly = rule(basis=Basis.PER_NIGHT, amount=D("200"), max_nights_per_year=12)
    fits = assess(yearly, facts(nights=3, nights_this_year=5))
    assert reason(fits, "nights_year") == Reason(
        "nights_year", True, {"used": 5, "limit": 12, "year": "2567"}
    )
    assert (fits.amount, fits.nights_paid) == (D("600"), 3)
    part = assess(yearly, facts(nights=5, nights_this_year=10))
    assert reason(part, "nights_year").ok is None
    assert part.outcome == Outcome.CAPPED
    assert (part.amount, part.full_amount, part.nights_paid) == (D("400"), D("1000"), 2)
    spent = assess(yearly, facts(nights=2, nights_this_year=12))
    not_eligible_for(spent, "nights_year")
    assert spent.nights_paid == 0
    assert spent.full_amount == D("400")


def test_nights_a_stay_and_a_year_together():
    both = rule(
        basis=Basis.PER_NIGHT, amount=D("100"), max_nights_per_event=10, max_nights_per_year=20
    )
    # 14 nights, 10 paid for the stay; 15 of 20 used this year, so 5 are left.
    decision = assess(both, facts(nights=14, nights_this_year=15))
    assert (decision.amount, decision.full_amount, decision.nights_paid) == (
        D("500"),
        D("1400"),
        5,
    )


# --- money caps -----------------------------------------------------------------------------


def test_the_cap_per_event():
    capped = assess(rule(per_event_cap=D("600")), facts())
    assert capped.outcome == Outcome.CAPPED
    assert (capped.amount, capped.full_amount) == (D("600"), D("1000.00"))
    assert reason(capped, "cap_event") == Reason(
        "cap_event", None, {"left": "600.00", "year": "2567", "cap": "600.00", "before": "1000.00"}
    )
    under = assess(rule(per_event_cap=D("1000")), facts())
    assert under.outcome == Outcome.ELIGIBLE
    assert "cap_event" not in codes(under)  # a cap that does not bite is not news
    zero = assess(rule(per_event_cap=D("0")), facts())
    not_eligible_for(zero, "cap_event")


def test_the_cap_per_year_counts_what_was_used():
    yearly = rule(per_year_cap=D("1000"))
    fits = assess(yearly, facts(used_this_year=D("0")))
    assert reason(fits, "cap_year") == Reason(
        "cap_year", True, {"left": "1000.00", "year": "2567", "used": "0.00", "cap": "1000.00"}
    )
    part = assess(yearly, facts(used_this_year=D("600")))
    assert part.outcome == Outcome.CAPPED
    assert part.amount == D("400")  # 1,000 − 600
    assert reason(part, "cap_year").params == {
        "left": "400.00",
        "year": "2567",
        "used": "600.00",
        "cap": "1000.00",
        "before": "1000.00",
    }
    spent = assess(yearly, facts(used_this_year=D("1000")))
    not_eligible_for(spent, "cap_year")
    over = assess(yearly, facts(used_this_year=D("1200")))
    not_eligible_for(over, "cap_year")
    assert reason(over, "cap_year").params["left"] == "0.00"


def test_the_lifetime_cap():
    life = rule(basis=Basis.ACTUAL, lifetime_cap=D("10000"))
    part = assess(life, facts(claimed=D("3000"), used_lifetime=D("8000")))
    assert part.outcome == Outcome.CAPPED
    assert part.amount == D("2000")  # 10,000 − 8,000
    assert reason(part, "cap_lifetime").params["used"] == "8000.00"
    fits = assess(life, facts(claimed=D("3000"), used_lifetime=D("1000")))
    assert reason(fits, "cap_lifetime").ok is True
    assert fits.amount == D("3000")
    spent = assess(life, facts(claimed=D("1"), used_lifetime=D("10000")))
    not_eligible_for(spent, "cap_lifetime")


def test_the_budget_left():
    capped = assess(rule(), facts(budget_left=D("400")))
    assert capped.outcome == Outcome.CAPPED
    assert capped.amount == D("400")
    assert reason(capped, "cap_budget").ok is None
    empty = assess(rule(), facts(budget_left=D("0")))
    not_eligible_for(empty, "cap_budget")
    overspent = assess(rule(), facts(budget_left=D("-50")))
    not_eligible_for(overspent, "cap_budget")
    assert reason(overspent, "cap_budget").params["left"] == "0.00"
    assert "cap_budget" not in codes(assess(rule(), facts(budget_left=None)))


def test_caps_apply_one_after_another_and_a_money_cap_pays_fewer_nights():
    # Chamuang's shape: 4 nights × 200 = 800, at most 600 a stay, 400 left of 1,000 this year.
    chamuang = rule(
        basis=Basis.PER_NIGHT, amount=D("200"), per_event_cap=D("600"), per_year_cap=D("1000")
    )
    decision = assess(chamuang, facts(nights=4, used_this_year=D("600")))
    assert decision.outcome == Outcome.CAPPED
    assert (decision.amount, decision.full_amount) == (D("400"), D("800"))
    assert decision.nights_paid == 2  # 400 ÷ 200
    assert reason(decision, "cap_event").params["before"] == "800.00"
    assert reason(decision, "cap_year").params["before"] == "600.00"


def test_a_cap_that_is_not_a_whole_number_of_nights_pays_the_nights_it_covers():
    decision = assess(
        rule(basis=Basis.PER_NIGHT, amount=D("200"), per_year_cap=D("1000")),
        facts(nights=3, used_this_year=D("500")),
    )
    assert decision.amount == D("500")
    assert decision.nights_paid == 2  # 500 ÷ 200 = 2.5: two whole nights


def test_a_failed_check_pays_nothing_even_under_the_caps():
    decision = assess(rule(per_year_cap=D("1000")), facts(member_status="lapsed"))
    not_eligible_for(decision, "member_status")


def test_several_failures_are_all_reported():
    decision = assess(
        rule(waiting_days=180, min_age=60, filing_days=30, once_only=True),
        facts(
            joined_on=EVENT - dt.timedelta(days=10),
            birth_date=dt.date(1990, 1, 1),
            filed_on=EVENT + dt.timedelta(days=31),
            times_lifetime=1,
        ),
    )
    not_eligible_for(decision, "filing_deadline", "waiting", "min_age", "once_only")


# --- rule_of --------------------------------------------------------------------------------


class _Row:
    """Stands in for a Benefit row: the flags and the RULE_FIELDS attributes."""

    for_member = False
    for_child = True
    for_beneficiary = True
    for_non_member = False
    basis = Basis.BY_MEMBERSHIP
    amount = D("0")
    step_amount = D("500")
    waiting_days = 180
    wait_from = WaitFrom.FIRST_CONTRIBUTION
    min_age = None
    max_age = None
    min_membership_years = None
    per_event_cap = None
    max_nights_per_event = None
    max_nights_per_year = None
    per_year_cap = D("1000")
    times_per_year = 1
    lifetime_cap = None
    once_only = True
    max_arrears_months = 3
    filing_days = 90
    requires_no_prior_claims = False
    deduct_arrears = True


def test_rule_of_reads_the_flags_fields_and_tiers():
    made = rule_of(_Row(), [(0, D("1500")), (1, D("3000"))])
    assert made == Rule(
        recipients=frozenset({"child", "beneficiary"}),
        basis=Basis.BY_MEMBERSHIP,
        amount=D("0"),
        tiers=(Tier(0, D("1500")), Tier(1, D("3000"))),
        step_amount=D("500"),
        waiting_days=180,
        wait_from=WaitFrom.FIRST_CONTRIBUTION,
        per_year_cap=D("1000"),
        times_per_year=1,
        once_only=True,
        max_arrears_months=3,
        filing_days=90,
        deduct_arrears=True,
    )


# --- whole_years, months_between ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "on", "years"),
    [
        (dt.date(1964, 6, 15), dt.date(2024, 6, 15), 60),
        (dt.date(1964, 6, 15), dt.date(2024, 6, 14), 59),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 0),
        (dt.date(2024, 1, 1), dt.date(2023, 1, 1), 0),  # before the start: none, not negative
        # Born on 29 February: a year is complete on 1 March in a common year...
        (dt.date(2000, 2, 29), dt.date(2001, 2, 28), 0),
        (dt.date(2000, 2, 29), dt.date(2001, 3, 1), 1),
        # ...and on 29 February in a leap year.
        (dt.date(2000, 2, 29), dt.date(2004, 2, 28), 3),
        (dt.date(2000, 2, 29), dt.date(2004, 2, 29), 4),
        # From 28 February, 28 February is the anniversary, leap year or not.
        (dt.date(2003, 2, 28), dt.date(2004, 2, 28), 1),
    ],
)
def test_whole_years(start, on, years):
    assert whole_years(start, on) == years


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2024, 1, 15), dt.date(2024, 2, 15), 1),
        (dt.date(2024, 1, 15), dt.date(2024, 2, 14), 0),
        (dt.date(2024, 1, 1), dt.date(2024, 4, 1), 3),
        (dt.date(2024, 1, 1), dt.date(2024, 3, 31), 2),
        (dt.date(2023, 11, 1), dt.date(2024, 2, 1), 3),  # across the new year
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 0),  # February has no 31st
        (dt.date(2024, 1, 31), dt.date(2024, 3, 31), 2),
        (dt.date(2024, 5, 1), dt.date(2024, 4, 1), 0),  # end before start
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1), 0),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


# --- split_shares ---------------------------------------------------------------------------


def test_equal_shares_of_an_odd_satang():
    assert split_shares(D("100.01"), [D("50"), D("50")]) == [D("50.01"), D("50.00")]


def test_thirds_give_the_extra_satang_to_the_first_named():
    assert split_shares(D("100.00"), [D("1"), D("1"), D("1")]) == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]


def test_leftover_satang_go_to_the_largest_remainders():
    # 10,000.00 at 33.33 / 33.33 / 33.34 %: exact 3,333.00, 3,333.00, 3,334.00 — no leftover.
    assert split_shares(D("10000.00"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("3333.00"),
        D("3333.00"),
        D("3334.00"),
    ]
    # 1.00 at 15 / 15 / 70 %: exact 15, 15, 70 satang.
    assert split_shares(D("1.00"), [D("15"), D("15"), D("70")]) == [
        D("0.15"),
        D("0.15"),
        D("0.70"),
    ]
    # 0.10 at 1 / 2 / 7: exact 1, 2, 7 satang.  0.11: 1.1, 2.2, 7.7 → the 7.7 gets the satang.
    assert split_shares(D("0.11"), [D("1"), D("2"), D("7")]) == [
        D("0.01"),
        D("0.02"),
        D("0.08"),
    ]


def test_shares_need_not_add_up_to_a_hundred():
    assert split_shares(D("15000.00"), [D("1"), D("2")]) == [D("5000.00"), D("10000.00")]


def test_a_zero_share_gets_nothing():
    assert split_shares(D("0.03"), [D("0"), D("1"), D("1")]) == [
        D("0.00"),
        D("0.02"),
        D("0.01"),
    ]


@pytest.mark.parametrize("shares", [[], [D("0")], [D("0"), D("0")]])
def test_shares_must_add_up_to_more_than_zero(shares):
    with pytest.raises(ValueError, match="shares"):
        split_shares(D("100"), shares)


@given(
    cents=st.integers(min_value=0, max_value=10**10),
    shares=st.lists(
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=8,
    ).filter(lambda s: sum(s) > 0),
)
def test_split_shares_adds_up_and_each_is_within_a_satang(cents, shares):
    amount = D(cents) / 100
    parts = split_shares(amount, shares)
    assert len(parts) == len(shares)
    assert sum(parts, D(0)) == amount
    total = sum(shares, D(0))
    for part, share in zip(parts, shares, strict=True):
        assert part == part.quantize(D("0.01"))
        assert part >= 0
        assert abs(part - amount * share / total) < D("0.01")
