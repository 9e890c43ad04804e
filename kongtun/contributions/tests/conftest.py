"""Shared contribution fixtures: a fund with its books and a monthly plan, and members who pay.

`plan` is 30 baht a month with a 20-baht entry fee, the fund's plan for new members; lapse
after 3 months, reinstatement by paying the arrears. `payer` joined on 1 Jan 2024 and is
active. `pay(member, amount, on)` records a payment at the treasurer's desk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.contributions.models import Plan, Receipt
from kongtun.contributions.services import payment_record, plan_create
from kongtun.funds.models import Fund
from kongtun.ledger.services import chart_install
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status, member_register

JOINED = dt.date(2024, 1, 1)


@pytest.fixture
def books(in_fund: Fund) -> Fund:
    chart_install(fund=in_fund)
    return in_fund


@pytest.fixture
def plan(books: Fund, users: dict[str, User]) -> Plan:
    return plan_create(
        fund=books,
        actor=users["treasurer"],
        name="รายเดือน 30 บาท",
        frequency="monthly",
        amount=Decimal("30.00"),
        entry_fee=Decimal("20.00"),
    )


def new_member(fund: Fund, actor: User, seed: int, joined: dt.date = JOINED) -> Member:
    """An approved member who joined on `joined`."""
    member = member_register(fund=fund, actor=actor, data=member_data(seed, joined_on=joined))
    if member.status != "active":
        member = member_change_status(
            member=member, actor=actor, event=Event.APPROVED, effective_on=joined
        )
    return member


@pytest.fixture
def payer(plan: Plan, books: Fund, users: dict[str, User]) -> Member:
    return new_member(books, users["treasurer"], 101)


@pytest.fixture
def pay(users: dict[str, User]) -> Callable[..., Receipt]:
    def make(member: Member, amount: str | Decimal, on: dt.date, **kwargs: Any) -> Receipt:
        return payment_record(
            member=member,
            actor=kwargs.pop("actor", users["treasurer"]),
            amount=Decimal(amount),
            date=on,
            **kwargs,
        )

    return make
