"""A benefit's rules in plain words: the sentences the regulation's pages, its printed copy and
the claim intake read out, for the shared test regulation and the example regulations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kongtun.welfare.describe import (
    CATEGORY_LABELS,
    amount_text,
    category_label,
    describe_benefit,
)
from kongtun.welfare.examples import SADAO, UMONG
from kongtun.welfare.models import Benefit, Regulation

D = Decimal


def _described(regulation: Regulation, key: str) -> list[str]:
    benefit = Benefit.objects.get(regulation=regulation, key=key)
    with translation.override("en"):
        return describe_benefit(benefit)


@pytest.mark.django_db
def test_it_says_the_per_night_benefit_with_its_caps_dues_deadline_and_documents(regulation):
    assert _described(regulation, "illness") == [
        "Who may receive: the member",
        "Waiting period: 180 days from becoming a member",
        "200 baht a night, at most 600 baht a stay and 1,000 baht a year",
        "Dues must be paid up, or at most 3 months behind",
        "Claim within 90 days of the event",
        "Documents: ใบรับรองแพทย์, ใบเสร็จโรงพยาบาล",
    ]


@pytest.mark.django_db
def test_it_says_a_fixed_amount_without_satang(regulation):
    assert _described(regulation, "birth") == [
        "Who may receive: the member",
        "Waiting period: 180 days from becoming a member",
        "1,000 baht",
    ]


@pytest.mark.django_db
def test_it_says_the_age_range_and_once_a_year(regulation):
    assert _described(regulation, "scholarship") == [
        "Who may receive: a member's child",
        "Aged 6 to 18 on the day of the event",
        "500 baht",
        "At most once a year",
    ]


@pytest.mark.django_db
def test_it_says_the_table_row_by_row_or_leaves_it_to_the_page(regulation):
    assert _described(regulation, "death") == [
        "Who may receive: the member's beneficiaries",
        "Waiting period: 180 days from becoming a member",
        "By whole years of membership: 3,000 baht from 0 years; 5,000 baht from 1 year; "
        "10,000 baht from 3 years",
        "Paid once only",
        "Unpaid dues are deducted from the payout",
    ]
    benefit = Benefit.objects.get(regulation=regulation, key="death")
    with translation.override("en"):
        assert describe_benefit(benefit, tiers_in_words=False)[2] == (
            "By years of membership, from the table"
        )


@pytest.mark.django_db
def test_it_says_help_for_non_members_comes_from_its_budget(regulation):
    assert _described(regulation, "help") == [
        "Who may receive: a non-member in need",
        "1,000 baht",
        "Paid from the yearly budget for non-members in need: 3,000 baht",
    ]


def test_it_says_the_step_beyond_the_last_row_and_the_yearly_nights():
    death, inpatient = SADAO.benefits
    with translation.override("en"):
        death_lines = describe_benefit(death)
        inpatient_lines = describe_benefit(inpatient)
    assert "Beyond 15 years, 500 baht more for each further year" in death_lines
    assert death_lines[2].startswith("By whole years of membership: 1,500 baht from 0 years; ")
    assert death_lines[2].endswith("; 20,500 baht from 15 years")
    assert inpatient_lines[2:4] == ["200 baht a night", "Paid for at most 12 nights a year"]


def test_it_says_the_actual_cost_age_table_first_contribution_and_committee_checks():
    benefits = {b.key: b for b in UMONG.benefits}
    with translation.override("en"):
        housing = describe_benefit(benefits["housing"])
        elderly = describe_benefit(benefits["elderly"], tiers_in_words=False)
        refund = describe_benefit(benefits["refund"])
        inpatient = describe_benefit(benefits["inpatient"])
    assert housing[1] == "Waiting period: 365 days from the first contribution"
    assert "The actual cost, at most 3,000 baht a time and 10,000 baht in a lifetime" in housing
    assert housing[-1] == (
        "The committee also checks: เป็นบ้านที่สมาชิกอยู่อาศัยจริง และคณะกรรมการได้ไปดูสภาพแล้ว"
    )
    assert "Aged at least 60 on the day of the event" in elderly
    assert "By age, from the table" in elderly
    assert "Only for members who never received any benefit" in refund
    assert "Paid for at most 10 nights a stay and 20 nights a year" in inpatient
    assert "Dues must be paid up, or at most 2 months behind" in inpatient


def test_amounts_are_grouped_and_lose_only_a_whole_amounts_satang():
    assert amount_text(D("1000.00")) == "1,000"
    assert amount_text(D("1250.50")) == "1,250.50"
    assert amount_text(D("0.00")) == "0"
    assert amount_text(D("1234567")) == "1,234,567"


def test_category_names_follow_the_language():
    with translation.override("th"):
        assert CATEGORY_LABELS["death"] == "สวัสดิการเสียชีวิต"
        assert category_label("illness") == "สวัสดิการเจ็บป่วย/รักษาพยาบาล"
    with translation.override("en"):
        assert CATEGORY_LABELS["death"] == "Death"
        assert category_label("other") == "Other welfare"
    assert len(CATEGORY_LABELS) == 14
    assert category_label("no-such") == "no-such"
