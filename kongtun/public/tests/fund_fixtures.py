"""A fund for its public pages: the indicators' town (kongtun/indicators/tests/conftest.py) with
a committee, published meeting summaries and an audit trail spread over days.

The audit trail's first entries are written at fixed past moments (Thai time), before the
town is built today, so that the trail reads forward in time as it always does:
  #1 2025-10-03 10:00   #2 2025-10-03 23:30   #3 2025-10-04 00:30 (still 3 Oct in UTC)
  #4 2026-03-01 09:00   then the town's entries, all today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import Indicators, MemberCounts, TypeCount, WelfareLine
from kongtun.indicators.tests.conftest import Town, build_town, close_books
from kongtun.ledger.models import Account, MonthlyTotal
from kongtun.ledger.services import chart_install
from kongtun.public.models import MeetingSummary

BKK = ZoneInfo("Asia/Bangkok")
D = Decimal

PAST_ENTRIES = [
    dt.datetime(2025, 10, 3, 10, 0, tzinfo=BKK),
    dt.datetime(2025, 10, 3, 23, 30, tzinfo=BKK),
    dt.datetime(2025, 10, 4, 0, 30, tzinfo=BKK),
    dt.datetime(2026, 3, 1, 9, 0, tzinfo=BKK),
]
SUMMARY_3 = "ที่ประชุมอนุมัติสวัสดิการคลอดบุตรและทุนการศึกษา รวม 2 ราย"
SUMMARY_4_WITHDRAWN = "สรุปที่ถอนแล้ว"
SUMMARY_4 = "ที่ประชุมอนุมัติสวัสดิการคลอดบุตร 1 ราย"
SUMMARY_OLD = "สรุปการประชุมปีก่อน"
PUBLISHED_3 = dt.datetime(2026, 2, 3, 9, 0, tzinfo=BKK)
PUBLISHED_4 = dt.datetime(2026, 3, 20, 23, 30, tzinfo=BKK)  # 20 March in Thailand, 16:30 UTC


def write_past_entries(fund: Fund) -> list[AuditEntry]:
    found = []
    for i, moment in enumerate(PAST_ENTRIES, start=1):
        with mock.patch("kongtun.audit.services.timezone.now", return_value=moment):
            found += audit_log(
                fund=fund,
                actor=None,
                changes=[Change("public.test.entry", "public.test", str(i), after={"n": i})],
            )
    return found


def _publish(town: Town, meeting: str, text: str, on: dt.datetime, **withdrawn: Any) -> None:
    MeetingSummary.objects.create(
        fund=town.fund,
        meeting=town.meetings[meeting],
        text=text,
        published_by=town.users["secretary"],
        published_at=on,
        **withdrawn,
    )


def build_public_town(fund: Fund, users: dict[str, User]) -> Town:
    """The town (its scope held by the caller) with what its public page shows beyond it."""
    write_past_entries(fund)
    town = build_town(fund, users)
    close_books(town)
    # Seats beyond the town's chair, vice chair, treasurer and secretary (2020–2030): two
    # committee members, and an adviser whose term ended before fiscal year 2569.
    for i, (position, start, end) in enumerate(
        [
            ("member", dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
            ("member", dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
            ("adviser", dt.date(2020, 1, 1), dt.date(2025, 6, 30)),
        ],
        start=5,
    ):
        CommitteeMember.objects.create(
            fund=fund,
            full_name=f"กรรมการ {i}",
            position=position,
            term_start=start,
            term_end=end,
        )
    _publish(town, "3/2569", SUMMARY_3, PUBLISHED_3)
    _publish(
        town,
        "4/2569",
        SUMMARY_4_WITHDRAWN,
        PUBLISHED_4 - dt.timedelta(days=2),
        withdrawn_by=users["chair"],
        withdrawn_at=PUBLISHED_4 - dt.timedelta(days=1),
        withdrawn_reason="แก้ไขถ้อยคำ",
    )
    _publish(town, "4/2569", SUMMARY_4, PUBLISHED_4)
    _publish(town, "9/2568", SUMMARY_OLD, dt.datetime(2025, 9, 10, 9, 0, tzinfo=BKK))
    return town


# --- a fund on its own computer ---------------------------------------------------------------

PACKAGE_AS_OF = dt.date(2026, 6, 30)
# The package's monthly totals: (account role, source, month, signed amount)
PACKAGE_MONTHS = [
    ("cash", "", 202510, "1000.00"),
    ("income.members", "members", 202510, "-1000.00"),
    ("welfare.birth", "", 202512, "500.00"),
    ("cash", "", 202512, "-500.00"),
    ("cash", "", 202607, "50.00"),  # after the package's date: not in its year's figures
    ("income.members", "members", 202607, "-50.00"),
]


def package_indicators(fund: Fund, found: Indicators) -> Indicators:
    """What a laptop fund's package might say: counts chosen so that exactly one member type
    and one welfare category are small, and the next smallest must be hidden with it. Five
    members of each type have left: none of those counts is small."""
    members = MemberCounts(
        cumulative=60,
        current=45,
        eligible_for_matching=40,
        eligible_as_of=dt.date(2025, 9, 30),
        new_this_year=6,
        by_type={
            "general": TypeCount(31, 26),
            "elderly": TypeCount(22, 17),
            "child": TypeCount(7, 2),  # 2 current: small, so elderly's 17 is hidden too
            "disabled": TypeCount(0, 0),
            "disadvantaged": TypeCount(0, 0),
            "orphan": TypeCount(0, 0),
        },
    )
    welfare = [
        WelfareLine("birth", 6, 6, D("6000.00"), 12, 12, D("12000.00")),
        WelfareLine("illness", 3, 5, D("2500.00"), 20, 31, D("15500.00")),
        WelfareLine("death", 9, 9, D("27000.00"), 25, 25, D("75000.00")),
    ]
    return dataclasses.replace(
        found,
        fund_code=fund.code,
        fund_name=fund.name,
        as_of=PACKAGE_AS_OF,
        fiscal_year_be=2569,
        members=members,
        welfare=welfare,
        welfare_paid_year=D("35500.00"),
        welfare_paid_total=D("102500.00"),
        money_on_hand=D("123456.78"),
        fund_balance=D("120000.00"),
    )


def make_laptop_fund(fund: Fund, town_fund: Fund, on: dt.date) -> Indicators:
    """`fund` keeps its records on its own computer and sent one package, as of 30 June 2026,
    built from the town's figures."""
    from kongtun.indicators.selectors import fund_indicators

    with fund_scope(town_fund):
        found = fund_indicators(fund=town_fund, on=on)
    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    fund.refresh_from_db()
    sent = package_indicators(fund, found)
    with fund_scope(fund):
        IndicatorSnapshot.objects.create(
            fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=sent.as_of, data=sent.as_dict()
        )
        chart_install(fund=fund)
        accounts = {a.role: a for a in Account.objects.filter(fund=fund)}
        MonthlyTotal.objects.bulk_create(
            MonthlyTotal(
                fund=fund, account=accounts[role], source=source, period=period, amount=D(amount)
            )
            for role, source, period, amount in PACKAGE_MONTHS
        )
    return sent


def today_local() -> dt.date:
    return timezone.localdate()


def seed_public_town(code: str) -> None:
    """For a browser test's server: the town as `code`, with a user for each role."""
    from kongtun.funds.models import FundRole
    from kongtun.funds.permissions import Role
    from kongtun.geo.models import Tambon

    fund = Fund.objects.create(
        code=code,
        name="กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ",
        tambon=Tambon.objects.get(code="520101"),
        founded_on=dt.date(2010, 1, 15),
    )
    users = {}
    for role in Role:
        users[role.value] = User.objects.create_user(
            username=role.value, password="x-browser-only", full_name=role.value
        )
        FundRole.objects.create(fund=fund, user=users[role.value], role=role.value)
    with fund_scope(fund):
        build_public_town(fund, users)
