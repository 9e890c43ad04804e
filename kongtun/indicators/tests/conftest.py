"""A fund with a few years of history, built through the services, for counting by hand.

`town` is `fund` (inside its scope) with 13 register entries, books for fiscal years 2568 and
2569, paid and unpaid claims, committee meetings, a regulation and closed periods. The figures
each test expects are worked out by hand in the test from the story below, never by calling
the code under test.

Members (number, type, where, history):
  001 general       moo 1   active since 2015-03-01
  002 elderly       moo 2   active since 2024-10-01 (a full year on 30 Sep 2025, just)
  003 child         moo 2   active since 2024-10-02 (one day short on 30 Sep 2025)
  004 general       moo 3   active 2020-01-01, lapsed 2025-12-01 (still a member)
  005 disabled      moo 4   active 2018-05-05, resigned 2026-02-10
  006 elderly       moo 5   active 2019-01-01, died 2026-06-15
  007 general       branch "moo 6", applied 2025-11-01, approved 2025-12-01
  008 general       moo 7   applied 2026-01-10, never approved
  009 disadvantaged moo 9   applied 2026-01-05, died 2026-02-01 while still an applicant
  010 general       moo 1   active since 2026-05-01
  011 orphan        branch "moo 1" (the same village as moo 1), active since 2023-06-01
  012 general       moo 8 of ANOTHER tambon, active since 2022-01-01
  013 elderly       moo 4   active 2015-01-01, resigned 2025-06-01, applied again 2025-11-15,
                            approved again 2025-11-20

Books (baht; every entry below, and the claims' payments from cash):
  2025-01-05 opening cash 20,000 (equity, not income)
  2025-03-10 members 1,000 cash          2025-08-01 donations 500 bank
  2025-10-05 members 1,200 cash          2025-11-03 TAO 5,000 bank
  2026-01-20 municipality 2,000 bank     2026-02-15 admin travel 150 cash
  2026-03-01 admin other 100, owed       2026-04-10 donations 300 cash
  2026-04-15 admin stationery 80.25 cash 2026-04-20 members 800 cash
  2026-06-30 interest 12.34 bank         2026-08-01 admin meetings 500 cash
  2026-09-30 entry fees 40 cash

Claims paid (claim, paid on, category, to whom, baht):
  c1 2025-05-10 non-member help  นางสมศรี ยากจน           1,000
  c2 2025-09-15 education        006's child เด็กชายดี     500
  c3 2025-12-10 non-member help  นางสมศรี ยากจน           1,000
  c4 2026-02-05 birth            001                       1,000
  c5 2026-02-05 education        001's child เด็กหญิงแก้ว    500
  c6 2026-03-20 birth            001                       1,000
  c7 2026-05-10 non-member help  นายสมชาย ขาดแคลน         1,000
  c8 approved at 4/2569 and never paid (non-member help, 1,000)

Meetings: 5/2568 (2025-05-05), 9/2568 (2025-09-05), 1/2569 (2025-10-20), 2/2569 (2025-12-08),
3/2569 (2026-02-01), 4/2569 (2026-03-15), 5/2569 (2026-05-05).
Closed: fiscal year 2568 (2024-10-01 – 2025-09-30), February and March 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.funds.models import Branch, CommitteeMember, Fund
from kongtun.geo.models import Tambon
from kongtun.ledger.models import PeriodClose
from kongtun.ledger.services import chart_install, period_close
from kongtun.ledger.tests.conftest import post_entry
from kongtun.members.models import Event, Member, Status
from kongtun.members.services import member_change_status, member_register
from kongtun.welfare.models import Claim, Meeting
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_open,
)
from kongtun.welfare.tests.conftest import install_regulation

D = Decimal
MID_YEAR = dt.date(2026, 4, 15)  # inside fiscal year 2569
SEPT_30 = dt.date(2026, 9, 30)  # CODI's snapshot date of fiscal year 2569


@dataclass
class Town:
    fund: Fund
    members: dict[str, Member] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


# number, seed, type, moo, branch (village number), other tambon, joined, status, later events
REGISTER: list[tuple[str, str, int | None, int | None, bool, dt.date, str, list[Any]]] = [
    ("001", "general", 1, None, False, dt.date(2015, 3, 1), Status.ACTIVE, []),
    ("002", "elderly", 2, None, False, dt.date(2024, 10, 1), Status.ACTIVE, []),
    ("003", "child", 2, None, False, dt.date(2024, 10, 2), Status.ACTIVE, []),
    ("004", "general", 3, None, False, dt.date(2020, 1, 1), Status.ACTIVE,
     [(Event.LAPSED, dt.date(2025, 12, 1))]),
    ("005", "disabled", 4, None, False, dt.date(2018, 5, 5), Status.ACTIVE,
     [(Event.RESIGNED, dt.date(2026, 2, 10))]),
    ("006", "elderly", 5, None, False, dt.date(2019, 1, 1), Status.ACTIVE,
     [(Event.DIED, dt.date(2026, 6, 15))]),
    ("007", "general", None, 6, False, dt.date(2025, 11, 1), Status.APPLICANT,
     [(Event.APPROVED, dt.date(2025, 12, 1))]),
    ("008", "general", 7, None, False, dt.date(2026, 1, 10), Status.APPLICANT, []),
    ("009", "disadvantaged", 9, None, False, dt.date(2026, 1, 5), Status.APPLICANT,
     [(Event.DIED, dt.date(2026, 2, 1))]),
    ("010", "general", 1, None, False, dt.date(2026, 5, 1), Status.ACTIVE, []),
    ("011", "orphan", None, 1, False, dt.date(2023, 6, 1), Status.ACTIVE, []),
    ("012", "general", 8, None, True, dt.date(2022, 1, 1), Status.ACTIVE, []),
    ("013", "elderly", 4, None, False, dt.date(2015, 1, 1), Status.ACTIVE,
     [(Event.RESIGNED, dt.date(2025, 6, 1)), (Event.REAPPLIED, dt.date(2025, 11, 15)),
      (Event.APPROVED, dt.date(2025, 11, 20))]),
]  # fmt: skip

ENTRIES: list[tuple[dt.date, str, str, str]] = [
    # date, debit account, credit account, amount
    (dt.date(2025, 1, 5), "cash", "opening", "20000.00"),
    (dt.date(2025, 3, 10), "cash", "income.members", "1000.00"),
    (dt.date(2025, 8, 1), "bank", "income.donations", "500.00"),
    (dt.date(2025, 10, 5), "cash", "income.members", "1200.00"),
    (dt.date(2025, 11, 3), "bank", "income.tao", "5000.00"),
    (dt.date(2026, 1, 20), "bank", "income.municipality", "2000.00"),
    (dt.date(2026, 2, 15), "admin.travel", "cash", "150.00"),
    (dt.date(2026, 3, 1), "admin.other", "payable", "100.00"),
    (dt.date(2026, 4, 10), "cash", "income.donations", "300.00"),
    (dt.date(2026, 4, 15), "admin.stationery", "cash", "80.25"),
    (dt.date(2026, 4, 20), "cash", "income.members", "800.00"),
    (dt.date(2026, 6, 30), "bank", "income.interest", "12.34"),
    (dt.date(2026, 8, 1), "admin.meetings", "cash", "500.00"),
    (dt.date(2026, 9, 30), "cash", "income.entry_fees", "40.00"),
]

MEETINGS = [
    ("5/2568", dt.date(2025, 5, 5)),
    ("9/2568", dt.date(2025, 9, 5)),
    ("1/2569", dt.date(2025, 10, 20)),
    ("2/2569", dt.date(2025, 12, 8)),
    ("3/2569", dt.date(2026, 2, 1)),
    ("4/2569", dt.date(2026, 3, 15)),
    ("5/2569", dt.date(2026, 5, 5)),
]


def help_for(name: str, on: dt.date) -> ClaimInput:
    return ClaimInput(benefit_key="help", recipient="non_member", person_name=name, event_date=on)


def birth_of(member: Member, on: dt.date) -> ClaimInput:
    return ClaimInput(benefit_key="birth", recipient="member", member=member, event_date=on)


def register_members(town: Town, actor: User) -> None:
    fund = town.fund
    villages: dict[int, Branch] = {}
    for n in (1, 6):
        villages[n] = Branch.objects.create(fund=fund, number=n, name=f"บ้านหมู่ {n}")
    elsewhere = Tambon.objects.get(code="520102")
    for seed, (number, kind, moo, branch, away, joined, status, events) in enumerate(
        REGISTER, start=1
    ):
        data = member_data(
            seed,
            number=number,
            member_type=kind,
            sensitive_consent=kind == "disabled",  # disability data needs explicit consent
            moo=moo,
            branch=villages[branch] if branch else None,
            tambon=elsewhere if away else None,
            joined_on=joined,
            status=status,
        )
        member = member_register(fund=fund, actor=actor, data=data)
        for event, on in events:
            member = member_change_status(member=member, actor=actor, event=event, effective_on=on)
        town.members[number] = member


def pay_claim(
    town: Town, name: str, data: ClaimInput, filed: dt.date, meeting: str, paid: dt.date | None
) -> Claim:
    users = town.users
    claim = claim_file(fund=town.fund, actor=users["secretary"], data=data, filed_on=filed)
    resolution = Resolution(approve=True, number=f"{meeting}-{name}", votes_for=3, votes_against=0)
    claim = claim_decide(
        claim=claim, actor=users["committee"], meeting=town.meetings[meeting], resolution=resolution
    )
    if paid is not None:
        claim = claim_pay(claim=claim, actor=users["treasurer"], date=paid)
    town.claims[name] = claim
    return claim


def build_town(fund: Fund, users: dict[str, User]) -> Town:
    town = Town(fund=fund, users=users)
    fund.villages_in_area = 10
    fund.admin_cost_cap_percent = D("15.00")
    fund.save(update_fields=["villages_in_area", "admin_cost_cap_percent"])
    chart_install(fund=fund)
    install_regulation(fund, users["secretary"])
    seats = [
        CommitteeMember.objects.create(
            fund=fund,
            full_name=f"กรรมการ {i}",
            position=position,
            term_start=dt.date(2020, 1, 1),
            term_end=dt.date(2030, 12, 31),
        )
        for i, position in enumerate(["chair", "vice_chair", "treasurer", "secretary"], start=1)
    ]
    register_members(town, users["secretary"])
    for debit, credit, amount, on in ((d, c, a, on) for on, d, c, a in ENTRIES):
        post_entry(fund, users["treasurer"], on, (debit, amount), (credit, "-" + amount))
    for number, day in MEETINGS:
        meeting = meeting_open(fund=fund, actor=users["secretary"], number=number, date=day)
        attendance_record(meeting=meeting, actor=users["secretary"], present={s.pk for s in seats})
        town.meetings[number] = meeting
    m = town.members
    pay_claim(town, "c1", help_for("นางสมศรี ยากจน", dt.date(2025, 5, 1)),
              dt.date(2025, 5, 1), "5/2568", dt.date(2025, 5, 10))  # fmt: skip
    pay_claim(
        town,
        "c2",
        ClaimInput(
            benefit_key="scholarship",
            recipient="child",
            member=m["006"],
            person_name="เด็กชายดี สมมติ",
            person_birth_date=dt.date(2012, 2, 2),
            event_date=dt.date(2025, 9, 1),
        ),
        dt.date(2025, 9, 2),
        "9/2568",
        dt.date(2025, 9, 15),
    )
    pay_claim(town, "c3", help_for("นางสมศรี  ยากจน", dt.date(2025, 12, 5)),
              dt.date(2025, 12, 5), "2/2569", dt.date(2025, 12, 10))  # fmt: skip
    pay_claim(town, "c4", birth_of(m["001"], dt.date(2026, 1, 25)),
              dt.date(2026, 1, 28), "3/2569", dt.date(2026, 2, 5))  # fmt: skip
    pay_claim(
        town,
        "c5",
        ClaimInput(
            benefit_key="scholarship",
            recipient="child",
            member=m["001"],
            person_name="เด็กหญิงแก้ว สมมติ",
            person_birth_date=dt.date(2015, 6, 1),
            event_date=dt.date(2026, 1, 10),
        ),
        dt.date(2026, 1, 12),
        "3/2569",
        dt.date(2026, 2, 5),
    )
    pay_claim(town, "c6", birth_of(m["001"], dt.date(2026, 3, 10)),
              dt.date(2026, 3, 12), "4/2569", dt.date(2026, 3, 20))  # fmt: skip
    pay_claim(town, "c8", help_for("นางสาวรอ จ่าย", dt.date(2026, 3, 12)),
              dt.date(2026, 3, 12), "4/2569", None)  # fmt: skip
    pay_claim(town, "c7", help_for("นายสมชาย ขาดแคลน", dt.date(2026, 5, 1)),
              dt.date(2026, 5, 1), "5/2569", dt.date(2026, 5, 10))  # fmt: skip
    return town


def close_books(town: Town) -> None:
    actor = town.users["chair"]
    fund = town.fund
    period_close(fund=fund, actor=actor, kind=PeriodClose.Kind.YEAR,
                 start=dt.date(2024, 10, 1), end=dt.date(2025, 9, 30))  # fmt: skip
    for start, end in ((dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
                       (dt.date(2026, 3, 1), dt.date(2026, 3, 31))):  # fmt: skip
        period_close(fund=fund, actor=actor, kind=PeriodClose.Kind.MONTH, start=start, end=end)


@pytest.fixture
def open_town(in_fund: Fund, users: dict[str, User]) -> Town:
    """The town before any period is closed."""
    return build_town(in_fund, users)


@pytest.fixture
def town(open_town: Town) -> Town:
    close_books(open_town)
    return open_town
