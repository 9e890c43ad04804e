"""A province vetting its applicants: a worked example.

Today is 16 February 2025 (2568), the day of the source article's meeting, in fiscal year
2568. The fund (conftest `fund`, ตำบลเวียงเหนือ, founded 2010, 4 villages) applies for 2568.
The criteria read its figures as of 30 September 2024, the end of the past year (2567); the
amount follows CODI's terms for 2568: 0.5 : 1, at most 182.50 baht a member, 3 rounds, a full
year by 30 September 2025 (the usual terms, which the terms form proposes, are 1 : 1 and 365).

| member | village | joined     | paid in 2567 (contribution) | paid in 2568 (contribution) |
|--------|---------|------------|-----------------------------|-----------------------------|
| m1     | Moo 1   | 1 Jan 2023 | 360 on 15 Nov 2023          | 120 on 5 Oct 2024           |
| m2     | Moo 1   | 1 Jan 2023 | 120 on 15 Nov 2023          | 390 on 6 Oct 2024           |
| m3     | Moo 2   | 1 Jan 2023 | —                           | 60 on 7 Oct 2024            |
| m5     | Moo 1   | 1 Jan 2023 | —                           | —                           |
| m4     | Moo 2   | 1 Dec 2024 | —                           | 30 on 1 Dec 2024 (+ fee 20) |

m1, m2, m3 and m5 first paid 50 on 2 January 2023 (the 20-baht fee and January 2023).

On 30 September 2024: 4 current members, all 4 a full year; villages Moo 1 and Moo 2, 2 of 4
= 50 % (met, exactly the threshold); members' contributions in 2567: 480.00.

Matching for 2568: m1, m2, m3 and m5 are a full year by the cut-off (m4 is not). While the
year runs each counts at the cap, m5 too (he may still pay): 4 × 182.50 = 730.00. After the
cut-off it is what they paid: m1 60.00, m2 182.50, m3 30.00, m5 nothing (no contributions) =
272.50. Under the usual terms: 4 × 365 = 1,460.00 during the year, 545.00 after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from kongtun.accounts.models import User
from kongtun.conftest import PASSWORD, member_data
from kongtun.contributions.cofunding import matching_terms_set
from kongtun.contributions.models import Funder
from kongtun.contributions.services import payment_record
from kongtun.contributions.tests.conftest import books, plan  # noqa: F401
from kongtun.contributions.tests.village import freeze_today
from kongtun.funds.models import CofundingApplication, Fund, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status, member_register

TODAY = dt.date(2025, 2, 16)
AFTER_CUTOFF = dt.date(2025, 10, 15)
AS_OF = dt.date(2024, 9, 30)
FY = 2568
D = Decimal


def _member(fund: Fund, actor: User, seed: int, joined: dt.date, moo: int) -> Member:
    member = member_register(
        fund=fund, actor=actor, data=member_data(seed, joined_on=joined, moo=moo)
    )
    if member.status != "active":
        member = member_change_status(
            member=member, actor=actor, event=Event.APPROVED, effective_on=joined
        )
    return member


@pytest.fixture
def today(monkeypatch: Any) -> dt.date:
    freeze_today(monkeypatch, TODAY)
    return TODAY


@pytest.fixture
def applicant(
    books: Fund,  # noqa: F811
    plan: Any,  # noqa: F811
    users: dict[str, User],
    today: dt.date,
) -> CofundingApplication:
    fund = books
    fund.villages_in_area = 4
    fund.save(update_fields=["villages_in_area"])
    who = users["treasurer"]
    joined = dt.date(2023, 1, 1)
    m1, m2, m3, m5 = (_member(fund, who, 10 + i, joined, moo) for i, moo in enumerate((1, 1, 2, 1)))
    for m in (m1, m2, m3, m5):
        payment_record(member=m, actor=who, amount=D("50.00"), date=dt.date(2023, 1, 2))
    payment_record(member=m1, actor=who, amount=D("360.00"), date=dt.date(2023, 11, 15))
    payment_record(member=m2, actor=who, amount=D("120.00"), date=dt.date(2023, 11, 15))
    payment_record(member=m1, actor=who, amount=D("120.00"), date=dt.date(2024, 10, 5))
    payment_record(member=m2, actor=who, amount=D("390.00"), date=dt.date(2024, 10, 6))
    payment_record(member=m3, actor=who, amount=D("60.00"), date=dt.date(2024, 10, 7))
    m4 = _member(fund, who, 14, dt.date(2024, 12, 1), 2)
    payment_record(member=m4, actor=who, amount=D("50.00"), date=dt.date(2024, 12, 1))
    matching_terms_set(
        fund=fund,
        actor=users["chair"],
        funder=Funder.CODI,
        fiscal_year=FY,
        ratio=D("0.500"),
        cap_per_member=D("182.50"),
        max_rounds=3,
        min_membership_days=365,
    )
    return CofundingApplication.objects.create(
        fund=fund, fiscal_year_be=FY, submitted_on=dt.date(2025, 1, 20)
    )


@pytest.fixture
def other_applicant(other_fund: Fund, today: dt.date) -> CofundingApplication:
    """The other fund of the province applies too, with no members at all."""
    with fund_scope(other_fund):
        return CofundingApplication.objects.create(fund=other_fund, fiscal_year_be=FY)


def _officer(username: str, level: str, area: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    OfficerAssignment.objects.create(user=user, level=level, area_code=area)
    return user


@pytest.fixture
def district_officer(db: Any) -> User:
    return _officer("district", "amphoe", "5201")  # อำเภอเมืองลำปาง: both funds


@pytest.fixture
def far_officer(db: Any) -> User:
    return _officer("far", "province", "50")  # Chiang Mai


@pytest.fixture(autouse=True)
def _in_english(settings: Any) -> Iterator[None]:
    """These tests read messages by their English text: services under English, and every
    client's pages in English through the language cookie (Thai is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(users: dict[str, Any]) -> Any:
    def make(name: str | None) -> Client:
        client = Client()
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        if name is not None:
            client.force_login(users[name])
        return client

    return make
