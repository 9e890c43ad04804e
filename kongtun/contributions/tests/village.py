"""A worked example for the arrears, lapse and standing tests: a fund of three villages.

Today is 20 June 2024 (2567). The fund's plan for new members is 30 baht a month with a
20-baht entry fee (conftest `plan`); members lapse after 3 months and come back by paying
their arrears. Everyone joined on 1 January 2024 unless said otherwise.

| member | branch | what happened                                 | as of 20 Jun 2567     |
|--------|--------|-----------------------------------------------|-----------------------|
| m1     | Moo 1  | paid 110 on 5 Jan (fee 20, Jan–Mar)           | arrears 60 (Apr, May) |
| m2     | Moo 1  | never paid                                    | arrears 150 + fee 20  |
| m3     | Moo 2  | paid 200 on 10 Jan (fee 20, Jan–Jun)          | paid up to 30 Jun     |
| m4     | Moo 2  | joined 1 Mar, paid 50 (fee 20, Mar); daily    | arrears 80 (80 days)  |
|        |        | plan from 1 Apr (asked for 15 Mar)            |                       |
| m5     | Moo 3  | paid 50 on 2 Jan (fee 20, Jan); lapsed 1 May  | arrears 120, lapsed   |
| m6     | none   | paid 50 on 2 Jan (fee 20, Jan)                | arrears 120           |
| m7     | Moo 3  | resigned on 1 Feb, never paid                 | not listed            |
| m8     | Moo 3  | applicant, never paid                         | not listed            |

Per branch: Moo 1 arrears 210, fees 20, total 230; Moo 2 80; Moo 3 120; no branch 120.
The whole fund: arrears 530, fees 20, total 550.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.contributions.models import Plan
from kongtun.contributions.services import member_plan_change, payment_record, plan_create
from kongtun.funds.models import Branch, Fund
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status, member_register

TODAY = dt.date(2024, 6, 20)
JOINED = dt.date(2024, 1, 1)


def freeze_today(monkeypatch: Any, day: dt.date = TODAY) -> None:
    """Make "today" a fixed day for the services and views (dates only; times run on)."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> dt.date:
        if value is None and timezone is None:
            return day
        return real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@dataclass
class Village:
    fund: Fund
    monthly: Plan
    daily: Plan
    moo1: Branch
    moo2: Branch
    moo3: Branch
    m: dict[int, Member]


def build(fund: Fund, users: dict[str, User], monthly: Plan) -> Village:
    actor = users["treasurer"]
    daily = plan_create(
        fund=fund, actor=actor, name="วันละบาท", frequency="daily", amount=Decimal("1.00")
    )
    moo = [
        Branch.objects.create(fund=fund, number=n, name=name)
        for n, name in ((1, "บ้านเหนือ"), (2, "บ้านใต้"), (3, "บ้านกลาง"))
    ]

    def join(seed: int, branch: Branch | None, joined: dt.date = JOINED, **kw: Any) -> Member:
        data = member_data(seed, joined_on=joined, branch=branch, number=str(seed), **kw)
        return member_register(fund=fund, actor=actor, data=data)

    def pay(member: Member, amount: str, on: dt.date) -> None:
        payment_record(member=member, actor=actor, amount=Decimal(amount), date=on)

    m = {
        1: join(1, moo[0]),
        2: join(2, moo[0]),
        3: join(3, moo[1]),
        4: join(4, moo[1], dt.date(2024, 3, 1)),
        5: join(5, moo[2]),
        6: join(6, None),
        7: join(7, moo[2]),
        8: join(8, moo[2], status="applicant"),
    }
    pay(m[1], "110", dt.date(2024, 1, 5))
    pay(m[3], "200", dt.date(2024, 1, 10))
    pay(m[4], "50", dt.date(2024, 3, 2))
    member_plan_change(member=m[4], actor=actor, plan=daily, on=dt.date(2024, 3, 15))
    pay(m[5], "50", dt.date(2024, 1, 2))
    pay(m[6], "50", dt.date(2024, 1, 2))
    m[5] = member_change_status(
        member=m[5], actor=actor, event=Event.LAPSED, effective_on=dt.date(2024, 5, 1)
    )
    m[7] = member_change_status(
        member=m[7], actor=actor, event=Event.RESIGNED, effective_on=dt.date(2024, 2, 1)
    )
    return Village(fund, monthly, daily, moo[0], moo[1], moo[2], m)
