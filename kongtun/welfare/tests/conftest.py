"""Shared welfare fixtures: a fund with books, a monthly plan, a regulation, a committee and a
member who can claim.

`regulation` (version 1, in force from 1 Jan 2020) has these benefits, by key:
  illness     the member in hospital: 200 a night, at most 600 a stay and 1,000 a fiscal year;
              180 days' wait from joining; dues at most 3 months behind; filed within 90 days
  birth       the member: 1,000 fixed; 180 days' wait
  scholarship a member's child aged 6–18: 500, once a fiscal year
  death       the beneficiaries: by whole years of membership 0 → 3,000, 1 → 5,000,
              3 → 10,000; once only; 180 days' wait; unpaid dues deducted
  help        a non-member in need: 1,000, from a budget of 3,000 a fiscal year
`claimant` joined on 1 Jan 2024, pays 30 baht a month and is paid through 31 Dec 2025, has
given explicit consent for health data, and named two beneficiaries (60 % and 40 %).
`committee` is five seats from 2020 to 2030.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.contributions.models import Plan
from kongtun.contributions.tests.conftest import books, new_member, pay, plan  # noqa: F401
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.members.models import Consent, Member
from kongtun.members.services import BeneficiaryInput, beneficiary_add, consent_record
from kongtun.welfare.models import Regulation
from kongtun.welfare.services import benefit_save, regulation_adopt, regulation_draft

D = Decimal
IN_FORCE = dt.date(2020, 1, 1)

_BASE: dict[str, Any] = {
    "for_member": True,
    "for_child": False,
    "for_beneficiary": False,
    "for_non_member": False,
    "documents": "",
    "conditions": "",
}
BENEFITS: list[tuple[dict[str, Any], list[tuple[int, Decimal]]]] = [
    (
        {
            "key": "illness",
            "name": "เจ็บป่วยนอนโรงพยาบาล",
            "category": "illness",
            "basis": "per_night",
            "amount": D("200.00"),
            "per_event_cap": D("600.00"),
            "per_year_cap": D("1000.00"),
            "waiting_days": 180,
            "max_arrears_months": 3,
            "filing_days": 90,
            "documents": "ใบรับรองแพทย์\nใบเสร็จโรงพยาบาล",
        },
        [],
    ),
    (
        {
            "key": "birth",
            "name": "คลอดบุตร",
            "category": "birth",
            "basis": "fixed",
            "amount": D("1000.00"),
            "waiting_days": 180,
        },
        [],
    ),
    (
        {
            "key": "scholarship",
            "name": "ทุนการศึกษาบุตร",
            "category": "education",
            "basis": "fixed",
            "amount": D("500.00"),
            "for_member": False,
            "for_child": True,
            "min_age": 6,
            "max_age": 18,
            "times_per_year": 1,
        },
        [],
    ),
    (
        {
            "key": "death",
            "name": "เสียชีวิต",
            "category": "death",
            "basis": "by_membership",
            "for_member": False,
            "for_beneficiary": True,
            "once_only": True,
            "waiting_days": 180,
            "deduct_arrears": True,
        },
        [(0, D("3000.00")), (1, D("5000.00")), (3, D("10000.00"))],
    ),
    (
        {
            "key": "help",
            "name": "ช่วยเหลือผู้ยากไร้ในชุมชน",
            "category": "disadvantaged",
            "basis": "fixed",
            "amount": D("1000.00"),
            "for_member": False,
            "for_non_member": True,
        },
        [],
    ),
]


def install_regulation(fund: Fund, actor: User, on: dt.date = IN_FORCE) -> Regulation:
    draft = regulation_draft(fund=fund, actor=actor, title="ระเบียบกองทุนสวัสดิการ (ทดสอบ)")
    draft.non_member_budget = D("3000.00")
    draft.save(update_fields=["non_member_budget"])
    for position, (values, tiers) in enumerate(BENEFITS, start=1):
        benefit_save(
            regulation=draft,
            actor=actor,
            values=_BASE | values | {"position": position},
            tiers=tiers,
        )
    return regulation_adopt(
        regulation=draft, actor=actor, effective_from=on, resolution="มติที่ประชุม 1/2563"
    )


@pytest.fixture
def regulation(books: Fund, users: dict[str, User]) -> Regulation:  # noqa: F811
    return install_regulation(books, users["secretary"])


@pytest.fixture
def committee(books: Fund) -> list[CommitteeMember]:  # noqa: F811
    positions = ["chair", "vice_chair", "treasurer", "secretary", "member"]
    return [
        CommitteeMember.objects.create(
            fund=books,
            full_name=f"กรรมการ {i}",
            position=position,
            term_start=dt.date(2020, 1, 1),
            term_end=dt.date(2030, 12, 31),
        )
        for i, position in enumerate(positions, start=1)
    ]


@pytest.fixture
def claimant(
    plan: Plan,  # noqa: F811
    books: Fund,  # noqa: F811
    users: dict[str, User],
    regulation: Regulation,
    pay: Any,  # noqa: F811
) -> Member:
    member = new_member(books, users["treasurer"], 201, joined=dt.date(2024, 1, 1))
    # Entry fee 20 + 24 months × 30 = 740: paid through 31 Dec 2025.
    pay(member, "740.00", dt.date(2024, 1, 5))
    consent_record(
        member=member,
        actor=users["secretary"],
        purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.PAPER,
        given_on=dt.date(2024, 1, 1),
    )
    for name, share in (("ผู้รับ หนึ่ง", D("60")), ("ผู้รับ สอง", D("40"))):
        beneficiary_add(
            member=member,
            actor=users["secretary"],
            data=BeneficiaryInput(full_name=name, relationship="child", share_percent=share),
        )
    return member
