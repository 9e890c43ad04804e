"""Worked cases for the three example regulations, each amount computed by hand.

The rules come from kongtun.welfare.examples exactly as the demo funds adopt them; the
expected amounts are literals with the arithmetic beside them, so a change to a regulation's
figures or to the engine shows up here as a case that no longer adds up.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.welfare.examples import CHAMUANG, EXAMPLES, SADAO, UMONG, BenefitSpec, RegulationSpec
from kongtun.welfare.rules import Basis, Decision, Facts, Outcome, Recipient, assess

D = Decimal
REGULATIONS = list(EXAMPLES.values())


def benefit(regulation: RegulationSpec, key: str) -> BenefitSpec:
    (found,) = [b for b in regulation.benefits if b.key == key]
    return found


def claim(spec: BenefitSpec, event: dt.date, **kwargs: Any) -> Decision:
    """The decision for a claim filed a week after the event by an active, paid-up member."""
    values: dict[str, Any] = {
        "recipient": Recipient.MEMBER.value,
        "event_date": event,
        "filed_on": event + dt.timedelta(days=7),
        "member_status": "active",
        "year_label": "2567",
    }
    values.update(kwargs)
    return assess(spec.rule(), Facts(**values))


def failed(decision: Decision) -> list[str]:
    return [r.code for r in decision.reasons if r.ok is False]


def params(decision: Decision, code: str) -> dict[str, Any]:
    (found,) = [r for r in decision.reasons if r.code == code]
    return dict(found.params)


def refused(decision: Decision, *codes: str) -> None:
    assert decision.outcome == Outcome.NOT_ELIGIBLE
    assert decision.amount == 0
    assert failed(decision) == list(codes)


def paid(decision: Decision, amount: Decimal, outcome: Outcome = Outcome.ELIGIBLE) -> None:
    assert failed(decision) == []
    assert decision.outcome == outcome
    assert decision.amount == amount


# --- the data itself ------------------------------------------------------------------------


def test_the_examples_are_keyed_by_their_own_keys():
    assert list(EXAMPLES) == ["chamuang", "umong", "sadao"]
    assert all(key == spec.key for key, spec in EXAMPLES.items())


@pytest.mark.parametrize("regulation", REGULATIONS, ids=lambda r: r.key)
def test_each_benefit_has_a_codi_category_a_unique_key_and_documents(regulation):
    categories = {key for key, _th, _en in WELFARE_CATEGORIES}
    keys = [b.key for b in regulation.benefits]
    assert len(keys) == len(set(keys))
    for spec in regulation.benefits:
        assert spec.category in categories, spec.key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", spec.key), spec.key
        assert spec.name.strip()
        assert [line for line in spec.documents.splitlines() if line.strip()], spec.key


@pytest.mark.parametrize("regulation", REGULATIONS, ids=lambda r: r.key)
def test_each_benefit_makes_a_rule_its_basis_can_compute(regulation):
    for spec in regulation.benefits:
        rule = spec.rule()
        assert rule.recipients, spec.key
        assert spec.basis in set(Basis)
        is_table = spec.basis in (Basis.BY_MEMBERSHIP, Basis.BY_AGE)
        assert bool(spec.tiers) is is_table, spec.key
        assert [y for y, _a in spec.tiers] == sorted({y for y, _a in spec.tiers}), spec.key
        if not is_table:
            assert spec.step_amount == 0, spec.key
        if spec.basis in (Basis.FIXED, Basis.PER_NIGHT):
            assert spec.amount > 0, spec.key
        # A non-member's help is paid from its own budget line, never mixed with a member's.
        if spec.for_non_member:
            assert rule.recipients == {Recipient.NON_MEMBER.value}, spec.key
            assert regulation.non_member_budget is not None


def _mentioned(figure: str, text: str) -> bool:
    return re.search(rf"(?<![\d,.]){re.escape(figure)}(?![\d,])", text) is not None


def _baht(value: Decimal) -> str:
    assert value == value.to_integral_value()
    return f"{value:,.0f}"


@pytest.mark.parametrize("regulation", REGULATIONS, ids=lambda r: r.key)
def test_the_text_states_every_figure_of_the_rules(regulation):
    text = regulation.text
    assert regulation.title in text.replace("\n", " ")
    assert "หมวด 1" in text
    missing = []
    for spec in regulation.benefits:
        money = [spec.amount, spec.step_amount, *(a for _y, a in spec.tiers)]
        money += [spec.per_event_cap, spec.per_year_cap, spec.lifetime_cap]
        counts = [spec.waiting_days, spec.filing_days, spec.max_arrears_months]
        counts += [spec.min_age, spec.max_age, spec.min_membership_years]
        counts += [spec.max_nights_per_event, spec.max_nights_per_year]
        counts += [y for y, _a in spec.tiers if y]
        figures = [_baht(m) for m in money if m] + [str(c) for c in counts if c]
        missing += [(spec.key, f) for f in figures if not _mentioned(f, text)]
    if regulation.non_member_budget is not None:
        figure = _baht(regulation.non_member_budget)
        missing += [("non_member_budget", figure)] if not _mentioned(figure, text) else []
    assert missing == []


def test_the_figure_check_does_not_take_one_number_for_another():
    assert _mentioned("1,000", "ได้รับ 1,000 บาท")
    assert not _mentioned("1,000", "ได้รับ 11,000 บาท")
    assert not _mentioned("200", "ได้รับ 1,200 บาท")
    assert not _mentioned("200", "ได้รับ 2,000 บาท")


@pytest.mark.parametrize("regulation", REGULATIONS, ids=lambda r: r.key)
def test_the_text_says_which_figures_are_filled_in(regulation):
    assert "เติมขึ้น" in regulation.text
    assert "ตัวอย่าง" in regulation.text


# --- Chamuang -------------------------------------------------------------------------------

CH_JOINED = dt.date(2020, 1, 10)
CH_BORN = dt.date(1960, 5, 1)


def chamuang(key: str, event: dt.date, **kwargs: Any) -> Decision:
    values: dict[str, Any] = {
        "joined_on": CH_JOINED,
        "first_contribution_on": CH_JOINED,
        "birth_date": CH_BORN,
    }
    return claim(benefit(CHAMUANG, key), event, **(values | kwargs))


def test_chamuang_birth_pays_1000():
    paid(chamuang("birth", dt.date(2024, 3, 1)), D("1000.00"))


def test_chamuang_birth_within_180_days_of_joining_is_refused():
    # 10 Jan → 19 Apr 2024: 21 + 29 + 31 + 19 = 100 days.
    decision = chamuang("birth", dt.date(2024, 4, 19), joined_on=dt.date(2024, 1, 10))
    refused(decision, "waiting")
    assert params(decision, "waiting") == {"days": 100, "limit": 180, "from": "joined"}


def test_chamuang_four_nights_pay_the_600_of_a_stay():
    # 4 × 200 = 800, at most 600 a stay → 600, which pays 3 nights.
    decision = chamuang("inpatient", dt.date(2024, 3, 5), nights=4)
    paid(decision, D("600.00"), Outcome.CAPPED)
    assert decision.full_amount == D("800.00")
    assert decision.nights_paid == 3


def test_chamuang_a_second_stay_gets_what_is_left_of_1000_a_year():
    # 3 × 200 = 600, within the stay's 600; 1,000 − 600 already used = 400 left → 2 nights.
    decision = chamuang("inpatient", dt.date(2024, 8, 5), nights=3, used_this_year=D("600.00"))
    paid(decision, D("400.00"), Outcome.CAPPED)
    assert decision.full_amount == D("600.00")
    assert decision.nights_paid == 2


def test_chamuang_two_nights_pay_in_full():
    # 2 × 200 = 400, under both caps.
    decision = chamuang("inpatient", dt.date(2024, 3, 5), nights=2)
    paid(decision, D("400.00"))
    assert decision.nights_paid == 2


def test_chamuang_no_more_hospital_money_once_1000_is_used_this_year():
    decision = chamuang("inpatient", dt.date(2024, 11, 5), nights=1, used_this_year=D("1000"))
    refused(decision, "cap_year")


def test_chamuang_scholarship_is_for_a_members_child():
    paid(chamuang("scholarship", dt.date(2024, 4, 1), recipient="child"), D("500.00"))
    refused(chamuang("scholarship", dt.date(2024, 4, 1)), "recipient")


def test_chamuang_elderly_200_a_year_at_60_after_3_years():
    # Born 1 May 1960: 64 on 1 Jun 2024; a member since 10 Jan 2020: 4 whole years.
    decision = chamuang("elderly", dt.date(2024, 6, 1))
    paid(decision, D("200.00"))
    assert params(decision, "min_age") == {"age": 64, "limit": 60}
    assert params(decision, "membership_years") == {"years": 4, "limit": 3}


def test_chamuang_elderly_needs_three_full_years():
    # Joined 1 Jul 2021: 2 years and 11 months on 1 Jun 2024.
    decision = chamuang("elderly", dt.date(2024, 6, 1), joined_on=dt.date(2021, 7, 1))
    refused(decision, "membership_years")
    assert params(decision, "membership_years") == {"years": 2, "limit": 3}


def test_chamuang_elderly_needs_the_age_and_is_paid_once_a_year():
    young = chamuang("elderly", dt.date(2024, 6, 1), birth_date=dt.date(1964, 7, 1))  # 59
    refused(young, "min_age")
    twice = chamuang("elderly", dt.date(2024, 9, 1), times_this_year=1)
    refused(twice, "times_per_year")


CH_DEATH = [
    # (died on, whole years since 10 Jan 2020, amount by the table)
    (dt.date(2020, 8, 1), 0, D("3000.00")),  # 204 days: past the 180-day wait, row 0
    (dt.date(2023, 1, 9), 2, D("5000.00")),  # a day short of 3 years: row 1
    (dt.date(2023, 1, 10), 3, D("10000.00")),
    (dt.date(2025, 1, 10), 5, D("15000.00")),
    (dt.date(2030, 1, 10), 10, D("20000.00")),
    (dt.date(2035, 1, 10), 15, D("30000.00")),
    (dt.date(2039, 6, 1), 19, D("30000.00")),  # the last row holds: no step
]


@pytest.mark.parametrize(("died", "years", "amount"), CH_DEATH, ids=[str(c[0]) for c in CH_DEATH])
def test_chamuang_death_by_years_of_membership(died, years, amount):
    decision = chamuang("death", died, recipient="beneficiary")
    paid(decision, amount)
    assert params(decision, "amount_table")["years"] == years


def test_chamuang_death_within_180_days_is_refused():
    # 10 Jan → 1 Jun 2020: 21 + 29 + 31 + 30 + 31 + 1 = 143 days.
    decision = chamuang("death", dt.date(2020, 6, 1), recipient="beneficiary")
    refused(decision, "waiting")
    assert params(decision, "waiting")["days"] == 143
    assert decision.full_amount == D("3000.00")  # what row 0 would have paid


def test_chamuang_death_deducts_the_dues_owed():
    # 3 years → 10,000; two months owed (2 × 30 = 60) are taken from it: 9,940 paid out.
    decision = chamuang(
        "death", dt.date(2023, 1, 10), recipient="beneficiary", arrears=D("60"), arrears_months=2
    )
    paid(decision, D("10000.00"))
    assert decision.deduction == D("60")
    assert decision.net == D("9940.00")


def test_chamuang_death_with_four_months_owed_is_refused():
    decision = chamuang(
        "death", dt.date(2023, 1, 10), recipient="beneficiary", arrears=D("120"), arrears_months=4
    )
    refused(decision, "dues_arrears")


def test_chamuang_death_is_paid_once_and_filed_within_90_days():
    once = chamuang("death", dt.date(2023, 1, 10), recipient="beneficiary", times_lifetime=1)
    refused(once, "once_only")
    late = chamuang(
        "death", dt.date(2023, 1, 10), recipient="beneficiary", filed_on=dt.date(2023, 4, 11)
    )
    # 10 Jan → 11 Apr 2023: 21 + 28 + 31 + 11 = 91 days.
    refused(late, "filing_deadline")
    assert params(late, "filing_deadline") == {"days": 91, "limit": 90}


def test_chamuang_non_member_help_under_its_budget():
    help_ = benefit(CHAMUANG, "non_member_help")
    day = dt.date(2024, 5, 1)
    paid(claim(help_, day, recipient="non_member", budget_left=D("10000.00")), D("1000.00"))
    # 10,000 budget, 9,600 given this year: 400 left.
    paid(
        claim(help_, day, recipient="non_member", budget_left=D("400.00")),
        D("400.00"),
        Outcome.CAPPED,
    )
    refused(claim(help_, day, recipient="non_member", budget_left=D("0.00")), "cap_budget")
    refused(claim(help_, day, joined_on=CH_JOINED, first_contribution_on=CH_JOINED), "recipient")


# --- Umong ----------------------------------------------------------------------------------

UM_JOINED = dt.date(2023, 1, 5)
UM_FIRST_PAID = dt.date(2023, 2, 1)


def umong(key: str, event: dt.date, **kwargs: Any) -> Decision:
    values: dict[str, Any] = {
        "joined_on": UM_JOINED,
        "first_contribution_on": UM_FIRST_PAID,
        "birth_date": dt.date(1950, 3, 10),
    }
    return claim(benefit(UMONG, key), event, **(values | kwargs))


def test_umong_200_days_of_saving_is_short_of_365():
    # 1 Feb → 20 Aug 2023: 28 + 31 + 30 + 31 + 30 + 31 + 19 = 200 days.
    decision = umong("birth", dt.date(2023, 8, 20))
    refused(decision, "waiting")
    assert params(decision, "waiting") == {"days": 200, "limit": 365, "from": "first_contribution"}


def test_umong_counts_days_of_saving_not_of_membership():
    # 5 Jan 2023 → 5 Jan 2024 is 365 days a member, but 1 Feb 2023 → 5 Jan 2024 is 338 saving.
    early = umong("birth", dt.date(2024, 1, 5))
    refused(early, "waiting")
    assert params(early, "waiting")["days"] == 338
    # 1 Feb 2023 → 1 Feb 2024: 365 days of saving.
    paid(umong("birth", dt.date(2024, 2, 1)), D("1000.00"))


def test_umong_a_180_day_benefit_at_200_days_of_saving():
    # 3 nights × 100 = 300.
    decision = umong("inpatient", dt.date(2023, 8, 20), nights=3)
    paid(decision, D("300.00"))
    assert params(decision, "waiting") == {"days": 200, "limit": 180, "from": "first_contribution"}


def test_umong_without_a_first_payment_nothing_counts():
    refused(umong("funeral", dt.date(2024, 3, 1), first_contribution_on=None), "no_start")


def test_umong_a_stay_pays_at_most_10_nights():
    # 12 nights, at most 10 a stay: 10 × 100 = 1,000 of 12 × 100 = 1,200.
    decision = umong("inpatient", dt.date(2024, 3, 1), nights=12)
    paid(decision, D("1000.00"), Outcome.CAPPED)
    assert (decision.full_amount, decision.nights_paid) == (D("1200.00"), 10)


def test_umong_at_most_20_nights_a_year():
    # 15 nights used, 8 more: 20 − 15 = 5 nights left → 5 × 100 = 500.
    decision = umong("inpatient", dt.date(2024, 9, 1), nights=8, nights_this_year=15)
    paid(decision, D("500.00"), Outcome.CAPPED)
    assert decision.nights_paid == 5
    refused(umong("inpatient", dt.date(2024, 10, 1), nights=2, nights_this_year=20), "nights_year")


def test_umong_refund_of_savings_on_resignation_without_a_claim():
    # 36 months × 30 = 1,080 saved, entered by the committee as the amount claimed.
    paid(umong("refund", dt.date(2026, 2, 1), claimed=D("1080.00")), D("1080.00"))


def test_umong_no_refund_after_any_claim_and_only_one_refund():
    prior = umong("refund", dt.date(2026, 2, 1), claimed=D("1080.00"), other_claims=1)
    refused(prior, "no_prior_claims")
    assert params(prior, "no_prior_claims") == {"claims": 1}
    again = umong("refund", dt.date(2026, 3, 1), claimed=D("30.00"), times_lifetime=1)
    refused(again, "once_only")


@pytest.mark.parametrize(
    ("born", "age", "amount"),
    [
        (dt.date(1964, 6, 1), 60, D("300.00")),
        (dt.date(1954, 6, 2), 69, D("300.00")),
        (dt.date(1950, 3, 10), 74, D("500.00")),
        (dt.date(1944, 6, 1), 80, D("700.00")),
        (dt.date(1934, 6, 1), 90, D("1000.00")),
    ],
)
def test_umong_elderly_by_age(born, age, amount):
    decision = umong("elderly", dt.date(2024, 6, 1), birth_date=born)
    paid(decision, amount)
    assert params(decision, "amount_table")["years"] == age


def test_umong_elderly_under_60_is_refused_twice_over():
    # 59 on 1 Jun 2024: under the minimum age, and under the table's first row.
    decision = umong("elderly", dt.date(2024, 6, 1), birth_date=dt.date(1964, 6, 2))
    refused(decision, "min_age", "no_tier")


def test_umong_disaster_pays_the_loss_up_to_2000():
    paid(umong("disaster", dt.date(2024, 9, 1), claimed=D("1500.00")), D("1500.00"))
    capped = umong("disaster", dt.date(2024, 9, 1), claimed=D("5000.00"))
    paid(capped, D("2000.00"), Outcome.CAPPED)
    assert capped.full_amount == D("5000.00")


def test_umong_housing_up_to_3000_a_time_and_10000_in_all():
    paid(umong("housing", dt.date(2024, 5, 1), claimed=D("3500.00")), D("3000.00"), Outcome.CAPPED)
    # 8,000 received before: 10,000 − 8,000 = 2,000 left of the lifetime cap.
    last = umong("housing", dt.date(2025, 5, 1), claimed=D("3000.00"), used_lifetime=D("8000.00"))
    paid(last, D("2000.00"), Outcome.CAPPED)
    spent = umong("housing", dt.date(2026, 5, 1), claimed=D("500.00"), used_lifetime=D("10000.00"))
    refused(spent, "cap_lifetime")


def test_umong_dues_two_months_behind_at_most():
    paid(umong("funeral", dt.date(2024, 3, 1), arrears=D("60"), arrears_months=2), D("1000.00"))
    refused(
        umong("funeral", dt.date(2024, 3, 1), arrears=D("90"), arrears_months=3), "dues_arrears"
    )


def test_umong_death_pays_beneficiaries_less_the_dues_owed():
    # 5,000 less 2 months × 30 owed = 4,940.
    decision = umong(
        "death", dt.date(2024, 6, 1), recipient="beneficiary", arrears=D("60"), arrears_months=2
    )
    paid(decision, D("5000.00"))
    assert decision.net == D("4940.00")


# --- Sadao ----------------------------------------------------------------------------------

SD_JOINED = dt.date(2010, 3, 1)


def sadao(key: str, event: dt.date, **kwargs: Any) -> Decision:
    values: dict[str, Any] = {
        "joined_on": SD_JOINED,
        "first_contribution_on": SD_JOINED,
    }
    return claim(benefit(SADAO, key), event, **(values | kwargs))


def test_sadao_death_at_179_days_pays_nothing():
    # 1 Mar → 27 Aug 2010: 31 + 30 + 31 + 30 + 31 + 26 = 179 days.
    decision = sadao("death", dt.date(2010, 8, 27), recipient="beneficiary")
    refused(decision, "waiting")
    assert params(decision, "waiting") == {"days": 179, "limit": 180, "from": "joined"}


SD_DEATH = [
    # (died on, whole years since 1 Mar 2010, amount)
    (dt.date(2010, 8, 28), 0, D("1500.00")),  # 180 days
    (dt.date(2010, 9, 17), 0, D("1500.00")),  # 200 days
    (dt.date(2011, 2, 28), 0, D("1500.00")),  # 364 days
    (dt.date(2011, 3, 1), 1, D("3000.00")),
    (dt.date(2012, 3, 1), 2, D("6000.00")),
    (dt.date(2015, 2, 28), 4, D("6000.00")),  # 4 years and 364 days
    (dt.date(2015, 3, 1), 5, D("10000.00")),
    (dt.date(2018, 3, 1), 8, D("12000.00")),
    (dt.date(2022, 3, 1), 12, D("20000.00")),
    (dt.date(2025, 2, 28), 14, D("20000.00")),
    (dt.date(2025, 3, 1), 15, D("20500.00")),
    (dt.date(2026, 3, 1), 16, D("21000.00")),  # 20,500 + 1 × 500
    (dt.date(2027, 3, 1), 17, D("21500.00")),  # 20,500 + 2 × 500
    (dt.date(2035, 3, 1), 25, D("25500.00")),  # 20,500 + 10 × 500
]


@pytest.mark.parametrize(("died", "years", "amount"), SD_DEATH, ids=[str(c[0]) for c in SD_DEATH])
def test_sadao_death_table(died, years, amount):
    decision = sadao("death", died, recipient="beneficiary")
    paid(decision, amount)
    assert params(decision, "amount_table")["years"] == years


def test_sadao_death_is_for_beneficiaries_once():
    refused(sadao("death", dt.date(2020, 3, 1)), "recipient")
    refused(
        sadao("death", dt.date(2020, 3, 1), recipient="beneficiary", times_lifetime=1), "once_only"
    )


def test_sadao_hospital_12_nights_in_one_stay():
    # 12 × 200 = 2,400: the whole year's nights in one stay.
    decision = sadao("inpatient", dt.date(2020, 5, 1), nights=12)
    paid(decision, D("2400.00"))
    assert decision.nights_paid == 12


def test_sadao_hospital_pays_what_is_left_of_12_nights():
    # 10 nights used, 5 more: 12 − 10 = 2 paid → 2 × 200 = 400 of 5 × 200 = 1,000.
    decision = sadao("inpatient", dt.date(2020, 9, 1), nights=5, nights_this_year=10)
    paid(decision, D("400.00"), Outcome.CAPPED)
    assert (decision.full_amount, decision.nights_paid) == (D("1000.00"), 2)
    refused(sadao("inpatient", dt.date(2020, 10, 1), nights=1, nights_this_year=12), "nights_year")


def test_sadao_dues_three_months_behind_at_most():
    paid(
        sadao("inpatient", dt.date(2020, 5, 1), nights=1, arrears=D("90"), arrears_months=3),
        D("200.00"),
    )
    late = sadao(
        "death", dt.date(2020, 5, 1), recipient="beneficiary", arrears=D("120"), arrears_months=4
    )
    refused(late, "dues_arrears")


def test_sadao_hospital_within_the_first_180_days_is_refused():
    # 1 Mar → 1 Jul 2010: 31 + 30 + 31 + 30 = 122 days.
    decision = sadao("inpatient", dt.date(2010, 7, 1), nights=2)
    refused(decision, "waiting")
    assert params(decision, "waiting")["days"] == 122


@pytest.mark.parametrize("regulation", REGULATIONS, ids=lambda r: r.key)
def test_each_figure_fits_its_model_field(regulation):
    # Each field's own validation (choices, lengths, slugs, money places), with no database.
    from kongtun.welfare.models import Benefit, Regulation, Tier

    def valid(model: Any, name: str, value: Any) -> None:
        model._meta.get_field(name).clean(value, model())

    valid(Regulation, "title", regulation.title)
    valid(Regulation, "text", regulation.text)
    valid(Regulation, "non_member_budget", regulation.non_member_budget)
    names = {f.name for f in Benefit._meta.concrete_fields}
    for spec in regulation.benefits:
        checked = [name for name in names if hasattr(spec, name)]
        # Every field a benefit row has, but where it sits (fund, regulation, order, id).
        assert names - set(checked) == {"id", "fund", "regulation", "position"}
        for name in checked:
            valid(Benefit, name, getattr(spec, name))
        for years, amount in spec.tiers:
            valid(Tier, "from_years", years)
            valid(Tier, "amount", amount)
