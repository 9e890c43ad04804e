"""CODI's six criteria as pure functions: each check met, not met or left to a person, at its
threshold."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from kongtun.vetting.criteria import (
    CHECKS,
    MUNICIPALITY,
    Facts,
    Outcome,
    Thresholds,
    by_criterion,
    combine,
    coverage_met,
    coverage_percent,
    facts_from_json,
    facts_to_json,
    judge,
    thresholds_for,
)

AS_OF = dt.date(2026, 11, 26)
GOOD = Facts(
    kind="tambon",
    as_of=AS_OF,
    fiscal_year_be=2570,
    founded_on=dt.date(2010, 1, 15),
    years_operating=16,
    members_current=820,
    eligible_for_matching=790,
    villages_covered=7,
    villages_in_area=12,
    contributions_year=Decimal("45210.00"),
    local_gov_year=Decimal("0.00"),
    books_current=True,
    books_closed_through=dt.date(2026, 10, 31),
    books_last_entry=dt.date(2026, 11, 25),
    register_kept=True,
    regulation_in_force=True,
    regulation_adopted_on=dt.date(2020, 1, 1),
    public_reports_year=2,
    committee_meetings_year=3,
    welfare_types_year=4,
    non_cash_welfare=True,
)
T = Thresholds()


def outcome(facts: Facts, key: str) -> Outcome:
    (result,) = [r for r in judge(facts, T) if r.key == key]
    return result.outcome


def test_it_finds_every_criterion_met_for_a_good_fund():
    results = judge(GOOD, T)
    assert [r.key for r in results] == [c.key for c in CHECKS]
    assert by_criterion({r.key: r.outcome for r in results}) == dict.fromkeys(
        range(1, 7), Outcome.MET
    )


@pytest.mark.parametrize(
    ("years", "expected"), [(0, Outcome.NOT_MET), (1, Outcome.MET), (2, Outcome.MET)]
)
def test_criterion_1_needs_a_whole_year(years, expected):
    assert outcome(replace(GOOD, years_operating=years), "operating") == expected


def test_criterion_1_follows_the_years_threshold_of_the_year():
    stricter = Thresholds(min_years_operating=3)
    facts = replace(GOOD, years_operating=2)
    (result,) = [r for r in judge(facts, stricter) if r.key == "operating"]
    assert result.outcome == Outcome.NOT_MET
    assert result.facts["years"] == 2 and result.facts["minimum"] == 3


@pytest.mark.parametrize(("eligible", "expected"), [(0, Outcome.NOT_MET), (1, Outcome.MET)])
def test_criterion_2_needs_a_member_with_a_full_year(eligible, expected):
    assert outcome(replace(GOOD, eligible_for_matching=eligible), "eligible") == expected


@pytest.mark.parametrize(
    ("covered", "in_area", "expected"),
    [
        (6, 12, Outcome.MET),  # exactly 50 %
        (5, 12, Outcome.NOT_MET),  # 41 %
        (5, 11, Outcome.NOT_MET),  # 45.45 %
        (6, 11, Outcome.MET),  # 54.5 %
        (1, 1, Outcome.MET),
    ],
)
def test_criterion_2_tambon_needs_half_the_villages(covered, in_area, expected):
    facts = replace(GOOD, villages_covered=covered, villages_in_area=in_area)
    assert outcome(facts, "coverage") == expected


@pytest.mark.parametrize(
    ("covered", "in_area", "expected"),
    [
        (4, 20, Outcome.MET),
        (3, 20, Outcome.NOT_MET),
        (2, 11, Outcome.NOT_MET),
        (3, 11, Outcome.MET),
    ],
)
def test_criterion_2_municipality_needs_a_fifth_of_the_communities(covered, in_area, expected):
    facts = replace(GOOD, kind=MUNICIPALITY, villages_covered=covered, villages_in_area=in_area)
    assert outcome(facts, "coverage") == expected


@pytest.mark.parametrize("in_area", [None, 0])
def test_criterion_2_coverage_goes_to_a_person_when_the_villages_are_not_known(in_area):
    facts = replace(GOOD, villages_in_area=in_area)
    (result,) = [r for r in judge(facts, T) if r.key == "coverage"]
    assert result.outcome == Outcome.NEEDS_CHECK
    assert result.facts["covered"] == 7 and result.facts["in_area"] is None
    assert by_criterion({r.key: r.outcome for r in judge(facts, T)})[2] == Outcome.NEEDS_CHECK


def test_coverage_percent_is_cut_never_rounded_up():
    assert coverage_percent(7, 12) == Decimal("58")
    assert coverage_percent(499, 1000) == Decimal("49")
    assert not coverage_met(499, 1000, Decimal("50"))
    assert coverage_met(500, 1000, Decimal("50"))


def test_the_evidence_carries_the_numbers_used():
    (result,) = [r for r in judge(GOOD, T) if r.key == "coverage"]
    assert result.facts == {
        "kind": "tambon",
        "covered": 7,
        "in_area": 12,
        "percent": "58",
        "required": "50",
    }


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.00", Outcome.NOT_MET), ("0.01", Outcome.MET), ("45210.00", Outcome.MET)],
)
def test_criterion_3_needs_members_contributions_in_the_year(amount, expected):
    assert outcome(replace(GOOD, contributions_year=Decimal(amount)), "contributions") == expected


def test_criterion_3_local_government_support_decides_nothing():
    facts = replace(GOOD, local_gov_year=Decimal("0.00"))
    assert outcome(facts, "local_gov") == Outcome.INFO
    assert by_criterion({r.key: r.outcome for r in judge(facts, T)})[3] == Outcome.MET


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"books_current": False}, "books"),
        ({"register_kept": False}, "register"),
        ({"regulation_in_force": False, "regulation_adopted_on": None}, "regulation"),
    ],
)
def test_criterion_4_fails_on_any_part_of_management(change, key):
    facts = replace(GOOD, **change)
    assert outcome(facts, key) == Outcome.NOT_MET
    assert by_criterion({r.key: r.outcome for r in judge(facts, T)})[4] == Outcome.NOT_MET


@pytest.mark.parametrize("reports", [None, 0])
def test_criterion_4_public_reporting_goes_to_a_person_without_a_published_summary(reports):
    facts = replace(GOOD, public_reports_year=reports)
    assert outcome(facts, "public_reports") == Outcome.NEEDS_CHECK
    assert by_criterion({r.key: r.outcome for r in judge(facts, T)})[4] == Outcome.NEEDS_CHECK
    # A part not met outweighs a part waiting for a check.
    worse = replace(facts, books_current=False)
    assert by_criterion({r.key: r.outcome for r in judge(worse, T)})[4] == Outcome.NOT_MET


@pytest.mark.parametrize(
    ("types", "expected"), [(2, Outcome.NOT_MET), (3, Outcome.MET), (14, Outcome.MET)]
)
def test_criterion_5_needs_three_welfare_types(types, expected):
    assert outcome(replace(GOOD, welfare_types_year=types), "welfare_types") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, Outcome.NEEDS_CHECK), (True, Outcome.MET), (False, Outcome.NOT_MET)],
)
def test_criterion_6_non_cash_welfare(value, expected):
    assert outcome(replace(GOOD, non_cash_welfare=value), "non_cash") == expected


def test_combine_not_met_outweighs_needs_check_and_info_decides_nothing():
    assert combine([Outcome.MET, Outcome.NEEDS_CHECK, Outcome.NOT_MET]) == Outcome.NOT_MET
    assert combine([Outcome.MET, Outcome.NEEDS_CHECK]) == Outcome.NEEDS_CHECK
    assert combine([Outcome.MET, Outcome.INFO]) == Outcome.MET
    assert combine([Outcome.INFO]) == Outcome.MET


def test_thresholds_are_per_fiscal_year():
    table = {2566: Thresholds(), 2571: Thresholds(min_welfare_types=4)}
    assert thresholds_for(2565, table).min_welfare_types == 3  # before the first: the first
    assert thresholds_for(2570, table).min_welfare_types == 3
    assert thresholds_for(2571, table).min_welfare_types == 4
    assert thresholds_for(2580, table).min_welfare_types == 4
    facts = replace(GOOD, welfare_types_year=3)
    (result,) = [r for r in judge(facts, thresholds_for(2571, table)) if r.key == "welfare_types"]
    assert result.outcome == Outcome.NOT_MET


def test_facts_survive_json():
    assert facts_from_json(facts_to_json(GOOD)) == GOOD
    bare = replace(GOOD, books_closed_through=None, regulation_adopted_on=None)
    assert facts_from_json(facts_to_json(bare)) == bare
