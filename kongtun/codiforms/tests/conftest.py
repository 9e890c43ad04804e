"""A small fund with a year of records, for CODI's forms of fiscal year 2568 (1 Oct 2024 – 30
Sep 2025).

Members (all on the 30-baht monthly plan with a 20-baht entry fee):
  claimant  general, no village, joined 1 Jan 2024; paid 740 in Jan 2024 and 360 on 5 Nov 2024
  elder     elderly, moo 1, joined 1 May 2019; paid 380 (20 fee) on 10 Jan 2025
  child     child/youth, moo 2, joined 1 Mar 2025; paid 200 (20 fee) on 1 Mar 2025
  late      disabled, moo 1, joined 1 Feb 2018; paid 380 on 1 Dec 2024; died 1 Jun 2025
  newcomer  general, moo 3, joined 1 Dec 2024; paid 140 (20 fee) on 5 Jan 2025
Co-funders: CODI 5,000 for FY2567 round 1 on 1 Mar 2024; the TAO 2,000 for FY2568 on 1 Feb
2025. Welfare paid: 200 for the claimant's hospital stay (Aug 2024, FY2567); in FY2568 400
for another stay, a 500 scholarship for the elder's child and 1,000 to a non-member in need.
Books: a 300-baht meeting cost (1 Jul 2025) and 12.34 interest (30 Sep 2025). CODI's matching
terms for 2568: 1 : 1, at most 365 a member, 3 rounds, 365 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.contributions.cofunding import cocontribution_record, matching_terms_set
from kongtun.contributions.models import Funder
from kongtun.contributions.tests.conftest import books, pay, plan  # noqa: F401
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger import core
from kongtun.ledger.services import entry_post
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status, member_register
from kongtun.welfare.models import Claim
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_open,
)
from kongtun.welfare.tests.conftest import claimant, committee, regulation  # noqa: F401

D = Decimal
FY = 2568
ON = dt.date(2025, 9, 30)
YEAR_START = dt.date(2024, 10, 1)
NON_MEMBER = "นางยากไร้ ในชุมชน"
CHILD = "เด็กชาย ลูกผู้สูงวัย"


def _member(fund: Fund, actor: User, seed: int, joined: dt.date, **extra: Any) -> Member:
    member = member_register(
        fund=fund, actor=actor, data=member_data(seed, joined_on=joined, **extra)
    )
    if member.status != "active":
        member = member_change_status(
            member=member, actor=actor, event=Event.APPROVED, effective_on=joined
        )
    return member


def _paid(
    fund: Fund,
    users: dict[str, User],
    data: ClaimInput,
    meeting_day: dt.date,
    number: str,
    paid_on: dt.date,
    seats: list[CommitteeMember],
) -> Claim:
    claim = claim_file(fund=fund, actor=users["secretary"], data=data, filed_on=data.event_date)
    meeting = meeting_open(fund=fund, actor=users["chair"], number=number, date=meeting_day)
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in seats[:4]})
    resolution = Resolution(approve=True, number=f"ที่ {number}", votes_for=4, votes_against=0)
    claim = claim_decide(
        claim=claim, actor=users["committee"], meeting=meeting, resolution=resolution
    )
    return claim_pay(claim=claim, actor=users["treasurer"], date=paid_on)


@pytest.fixture
def year(
    books: Fund,  # noqa: F811
    users: dict[str, User],
    pay: Any,  # noqa: F811
    claimant: Member,  # noqa: F811
    committee: list[CommitteeMember],  # noqa: F811
) -> dict[str, Any]:
    fund = books
    fund.villages_in_area = 10
    fund.save(update_fields=["villages_in_area"])
    treasurer = users["treasurer"]
    members = {"claimant": claimant}
    members["elder"] = _member(
        fund, treasurer, 11, dt.date(2019, 5, 1), member_type="elderly", moo=1
    )
    members["child"] = _member(fund, treasurer, 12, dt.date(2025, 3, 1), member_type="child", moo=2)
    members["late"] = _member(
        fund,
        treasurer,
        13,
        dt.date(2018, 2, 1),
        member_type="disabled",
        sensitive_consent=True,  # disability data needs explicit consent
        moo=1,
    )
    members["newcomer"] = _member(fund, treasurer, 14, dt.date(2024, 12, 1), moo=3)
    pay(claimant, "360.00", dt.date(2024, 11, 5))
    pay(members["elder"], "380.00", dt.date(2025, 1, 10))
    pay(members["child"], "200.00", dt.date(2025, 3, 1))
    pay(members["late"], "380.00", dt.date(2024, 12, 1))
    pay(members["newcomer"], "140.00", dt.date(2025, 1, 5))
    member_change_status(
        member=members["late"], actor=treasurer, event=Event.DIED, effective_on=dt.date(2025, 6, 1)
    )

    cocontribution_record(
        fund=fund,
        actor=treasurer,
        funder=Funder.CODI,
        fiscal_year=2567,
        round=1,
        date=dt.date(2024, 3, 1),
        amount=D("5000.00"),
    )
    cocontribution_record(
        fund=fund,
        actor=treasurer,
        funder=Funder.LOCAL_GOV,
        fiscal_year=FY,
        date=dt.date(2025, 2, 1),
        amount=D("2000.00"),
        payer="อบต.เวียงเหนือ",
    )

    hospital = ClaimInput(
        benefit_key="illness",
        recipient="member",
        member=claimant,
        nights=1,
        event_date=dt.date(2024, 8, 10),
    )
    _paid(fund, users, hospital, dt.date(2024, 8, 20), "8/2567", dt.date(2024, 8, 25), committee)
    claims = [
        ClaimInput(
            benefit_key="illness",
            recipient="member",
            member=claimant,
            nights=2,
            event_date=dt.date(2025, 3, 10),
        ),
        ClaimInput(
            benefit_key="scholarship",
            recipient="child",
            member=members["elder"],
            person_name=CHILD,
            person_birth_date=dt.date(2014, 6, 1),
            event_date=dt.date(2025, 5, 15),
        ),
        ClaimInput(
            benefit_key="help",
            recipient="non_member",
            person_name=NON_MEMBER,
            event_date=dt.date(2025, 6, 1),
        ),
    ]
    for n, data in enumerate(claims, start=1):
        _paid(fund, users, data, dt.date(2025, 6, 5), f"{n}/2568", dt.date(2025, 6, 10), committee)

    entry_post(
        fund=fund,
        actor=treasurer,
        kind="other",
        entry=core.Entry(
            dt.date(2025, 7, 1),
            "ค่าประชุมคณะกรรมการ",
            (core.Posting("5204", D("300.00")), core.Posting("1101", D("-300.00"))),
        ),
    )
    entry_post(
        fund=fund,
        actor=treasurer,
        kind="other",
        entry=core.Entry(
            dt.date(2025, 9, 30),
            "ดอกเบี้ยเงินฝาก",
            (core.Posting("1111", D("12.34")), core.Posting("4601", D("-12.34"))),
        ),
    )
    matching_terms_set(
        fund=fund,
        actor=treasurer,
        funder=Funder.CODI,
        fiscal_year=FY,
        ratio=D("1.000"),
        cap_per_member=D("365.00"),
        max_rounds=3,
        min_membership_days=365,
    )
    return {"fund": fund, "members": members}  # fmt: skip
