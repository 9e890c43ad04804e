"""Shared ledger fixtures: a fund with its chart of accounts, its money accounts, a way to post.

`books` is the fund (inside its scope) with the template chart installed. `post` writes a
balanced entry in one line: post(date, ("cash", "100.00"), ("income.members", "-100.00")),
naming accounts by role ("cash", "income.members", "welfare.death") or by code ("1101").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.services import chart_install, entry_post

# Well inside the past, so no test meets the "no entries in the future" rule by accident.
DAY = dt.date(2024, 3, 15)

Line = tuple[str, "str | Decimal"]


def account(fund: Fund, name: str) -> Account:
    """The fund's account with this role (e.g. "cash", "welfare.death") or this code."""
    if name.isdigit():
        return Account.objects.get(fund=fund, code=name)
    return Account.objects.get(fund=fund, role=name)


def post_entry(
    fund: Fund,
    actor: Any,
    on: dt.date,
    *lines: Line,
    memo: str = "test entry",
    kind: str = JournalEntry.Kind.OTHER,
) -> JournalEntry:
    """Post a balanced entry; each line is (role or code, signed amount as text or Decimal)."""
    postings = tuple(
        core.Posting(account(fund, name).code, Decimal(amount)) for name, amount in lines
    )
    return entry_post(fund=fund, actor=actor, entry=core.Entry(on, memo, postings), kind=kind)


@pytest.fixture
def books(in_fund: Fund) -> Fund:
    """The fund, inside its scope, with the template chart of accounts installed."""
    chart_install(fund=in_fund)
    return in_fund


@pytest.fixture
def cash(books: Fund) -> Account:
    return account(books, "cash")


@pytest.fixture
def bank(books: Fund) -> Account:
    return account(books, "bank")


@pytest.fixture
def post(books: Fund, users: dict[str, Any]) -> Callable[..., JournalEntry]:
    """post(date, *lines, memo=..., kind=...) as the treasurer of `books`."""

    def make(on: dt.date, *lines: Line, **kwargs: Any) -> JournalEntry:
        return post_entry(books, users["treasurer"], on, *lines, **kwargs)

    return make
