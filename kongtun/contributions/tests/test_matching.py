"""Matching arithmetic from plain facts: the cut-off, the membership edge, rounds, the cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kongtun.contributions import matching
from kongtun.contributions.matching import Balance, Facts, Reason, Rule, Settlement

D = Decimal
CODI = Rule(ratio=D("1.000"), cap=D("365.00"), max_rounds=3, min_days=365)
CUTOFF_2566 = dt.date(2023, 9, 30)


def facts(
    joined: dt.date = dt.date(2021, 1, 10),
    status: str | None = "active",
    rounds: int = 0,
    paid: str = "365.00",
) -> Facts[str]:
    return Facts("m", joined, status, rounds, D(paid))


# --- The government year ---------------------------------------------------------------------


def test_the_government_year_runs_october_to_september_and_is_named_by_its_end():
    assert matching.government_year(2566) == (dt.date(2022, 10, 1), dt.date(2023, 9, 30))
    assert matching.cutoff_of(2567) == dt.date(2024, 9, 30)
    assert matching.government_year_of(dt.date(2023, 9, 30)) == 2566
    assert matching.government_year_of(dt.date(2023, 10, 1)) == 2567


def test_membership_counts_the_joining_day():
    assert matching.membership_days(dt.date(2023, 9, 30), CUTOFF_2566) == 1
    assert matching.membership_days(dt.date(2022, 10, 1), CUTOFF_2566) == 365
    assert matching.latest_join(CUTOFF_2566, 365) == dt.date(2022, 10, 1)


def test_joining_on_1_october_is_a_full_year_by_30_september_and_a_day_later_is_not():
    on_time = matching.decide(facts(joined=dt.date(2022, 10, 1)), CODI, CUTOFF_2566)
    late = matching.decide(facts(joined=dt.date(2022, 10, 2)), CODI, CUTOFF_2566)

    assert on_time.eligible and on_time.expected == D("365.00")
    assert late.reasons == (Reason.JOINED_TOO_LATE,) and late.expected == D("0.00")


def test_in_a_leap_year_365_days_reach_back_to_2_october_and_366_to_1_october():
    cutoff = matching.cutoff_of(2567)  # 30 Sep 2024; 29 Feb 2024 lies inside the year

    assert matching.latest_join(cutoff, 365) == dt.date(2023, 10, 2)
    assert matching.latest_join(cutoff, 366) == dt.date(2023, 10, 1)
    strict = Rule(CODI.ratio, CODI.cap, CODI.max_rounds, 366)
    assert not matching.decide(facts(joined=dt.date(2023, 10, 2)), strict, cutoff).eligible
    assert matching.decide(facts(joined=dt.date(2023, 10, 1)), strict, cutoff).eligible


def test_no_waiting_period_lets_a_member_who_joined_on_the_cut_off_count():
    rule = Rule(CODI.ratio, CODI.cap, CODI.max_rounds, 0)
    assert matching.decide(facts(joined=CUTOFF_2566), rule, CUTOFF_2566).eligible


# --- Status on the cut-off -------------------------------------------------------------------


def test_the_status_on_a_day_is_the_last_change_effective_by_then():
    history = [
        (dt.date(2021, 1, 10), "applicant"),
        (dt.date(2021, 1, 10), "active"),
        (dt.date(2023, 8, 1), "deceased"),
    ]
    assert matching.status_on(history, dt.date(2021, 1, 9)) is None
    assert matching.status_on(history, dt.date(2021, 1, 10)) == "active"  # later recorded wins
    assert matching.status_on(history, dt.date(2023, 7, 31)) == "active"
    assert matching.status_on(history, CUTOFF_2566) == "deceased"


def test_the_status_on_a_day_does_not_depend_on_the_order_of_different_days():
    history = [(dt.date(2023, 5, 1), "active"), (dt.date(2023, 2, 1), "lapsed")]
    assert matching.status_on(history, CUTOFF_2566) == "active"


def test_a_member_not_active_on_the_cut_off_is_out_whatever_else_holds():
    for status in ("deceased", "resigned", "lapsed", "expelled", "applicant", None):
        decision = matching.decide(facts(status=status), CODI, CUTOFF_2566)
        assert decision.reasons == (Reason.NOT_ACTIVE,), status
        assert decision.expected == D("0.00")


# --- Rounds, contributions and the amount ----------------------------------------------------


def test_a_member_matched_in_fewer_than_max_rounds_earlier_years_is_matched_again():
    assert matching.decide(facts(rounds=2), CODI, CUTOFF_2566).eligible
    assert matching.decide(facts(rounds=3), CODI, CUTOFF_2566).reasons == (Reason.ROUNDS_USED,)


def test_a_member_who_paid_nothing_in_the_year_is_not_eligible():
    decision = matching.decide(facts(paid="0.00"), CODI, CUTOFF_2566)
    assert decision.reasons == (Reason.NO_CONTRIBUTIONS,) and decision.expected == D("0.00")


def test_every_reason_is_given_not_only_the_first():
    decision = matching.decide(
        facts(joined=dt.date(2023, 6, 1), status="lapsed", rounds=3, paid="0"), CODI, CUTOFF_2566
    )
    assert decision.reasons == (
        Reason.NOT_ACTIVE,
        Reason.JOINED_TOO_LATE,
        Reason.ROUNDS_USED,
        Reason.NO_CONTRIBUTIONS,
    )


def test_the_amount_is_ratio_times_contributions_up_to_the_cap():
    half = Rule(D("0.500"), D("365.00"), 3, 365)
    assert matching.expected_amount(CODI, D("365.00")) == D("365.00")
    assert matching.expected_amount(CODI, D("500.00")) == D("365.00")
    assert matching.expected_amount(CODI, D("120.00")) == D("120.00")
    assert matching.expected_amount(half, D("120.00")) == D("60.00")
    assert matching.expected_amount(half, D("1000.00")) == D("365.00")


def test_the_amount_is_rounded_down_to_the_satang_never_up():
    rule = Rule(D("0.335"), D("365.00"), 3, 365)
    assert matching.expected_amount(rule, D("1.00")) == D("0.33")  # 0.335, half-up would be 0.34
    third = Rule(D("0.333"), D("365.00"), 3, 365)
    assert matching.expected_amount(third, D("100.00")) == D("33.30")


@given(
    ratio=st.decimals(min_value=D("0.001"), max_value=D("5"), places=3),
    cap=st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2),
    paid=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
)
def test_the_amount_never_exceeds_the_terms_and_loses_less_than_a_satang(ratio, cap, paid):
    rule = Rule(ratio, cap, 3, 365)
    amount = matching.expected_amount(rule, paid)
    exact = min(ratio * paid, cap)

    assert amount == amount.quantize(D("0.01"))
    assert amount <= exact < amount + D("0.01")


def test_the_outcome_adds_up_the_eligible_members_only():
    outcome = matching.match(
        [
            facts(paid="365.00"),
            facts(paid="500.00"),
            facts(paid="100.00", status="deceased"),
            facts(paid="0"),
        ],
        CODI,
        CUTOFF_2566,
    )
    assert len(outcome.eligible) == 2 and len(outcome.not_eligible) == 2
    assert outcome.expected_total == D("730.00")
    assert outcome.contributions_total == D("865.00")


# --- Expected against received ---------------------------------------------------------------


def test_the_balance_says_what_is_still_to_come_or_was_received_beyond_the_terms():
    short = Balance(expected=D("1095.00"), received=D("800.00"))
    over = Balance(expected=D("730.00"), received=D("1000.00"))
    even = Balance(expected=D("365.00"), received=D("365.00"))

    assert short.settlement is Settlement.TO_COME and short.to_come == D("295.00")
    assert short.excess == D("0.00")
    assert over.settlement is Settlement.EXCESS and over.excess == D("270.00")
    assert over.difference == D("-270.00") and over.to_come == D("0.00")
    assert even.settlement is Settlement.SETTLED and even.difference == D("0.00")
