"""The monthly totals reports read: current as money posts, equal to the lines, exact."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger.models import JournalLine, MonthlyTotal
from kongtun.ledger.services import chart_install, entry_reverse
from kongtun.ledger.summaries import movements, summaries_rebuild, summary_differences
from kongtun.ledger.tests.conftest import post_entry
from kongtun.ledger.verify import verify_ledger


def _direct(fund: Fund, start: dt.date | None, end: dt.date, types: tuple[str, ...] = ()) -> Any:
    """The same sums the slow way: every line, added up in Python."""
    totals: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in JournalLine.objects.filter(fund=fund).select_related("account"):
        in_range = (start is None or line.date >= start) and line.date <= end
        if in_range and (not types or line.account.type in types):
            totals[(fund.pk, line.account_id, line.source)] += line.amount
    return {k: v for k, v in totals.items() if v}


def _nonzero(found: dict[Any, Decimal]) -> dict[Any, Decimal]:
    return {k: v for k, v in found.items() if v}


def test_every_posting_and_reversal_updates_its_month(books, users):
    day = dt.date(2024, 3, 15)
    post_entry(books, users["chair"], day, ("cash", "300.25"), ("income.members", "-300.25"))
    paid = post_entry(
        books, users["chair"], dt.date(2024, 4, 2), ("welfare.death", "1000"), ("cash", "-1000")
    )
    entry_reverse(entry=paid, actor=users["chair"], on=dt.date(2024, 5, 1), reason="ซ้ำ")
    rows = {
        (t.account.role, t.period): (t.amount, t.lines)
        for t in MonthlyTotal.objects.filter(fund=books).select_related("account")
    }
    assert rows == {
        ("cash", 202403): (Decimal("300.25"), 1),
        ("income.members", 202403): (Decimal("-300.25"), 1),
        ("welfare.death", 202404): (Decimal("1000.00"), 1),
        ("cash", 202404): (Decimal("-1000.00"), 1),
        ("welfare.death", 202405): (Decimal("-1000.00"), 1),
        ("cash", 202405): (Decimal("1000.00"), 1),
    }
    assert summary_differences(books) == []


def test_rebuild_gives_back_what_the_trigger_kept(books, users):
    for month in range(1, 13):
        post_entry(
            books,
            users["chair"],
            dt.date(2023, month, 28),
            ("cash", f"{month}.01"),
            ("income.members", f"-{month}.01"),
        )
    kept = sorted(
        MonthlyTotal.objects.filter(fund=books).values_list(
            "account", "source", "period", "amount", "lines"
        )
    )
    MonthlyTotal.objects.filter(fund=books).update(amount=0)
    assert len(summary_differences(books)) == 24
    assert summaries_rebuild(books) == 24
    assert (
        sorted(
            MonthlyTotal.objects.filter(fund=books).values_list(
                "account", "source", "period", "amount", "lines"
            )
        )
        == kept
    )
    assert verify_ledger(books) == []


def test_a_fund_whose_books_are_elsewhere_keeps_the_totals_its_packages_brought(books, users):
    post_entry(
        books, users["chair"], dt.date(2024, 1, 5), ("cash", "10"), ("income.members", "-10")
    )
    Fund.objects.filter(pk=books.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    books.refresh_from_db()
    MonthlyTotal.objects.filter(fund=books).update(amount=Decimal("99.00"))
    assert summaries_rebuild(books) == 0
    assert verify_ledger(books) == []  # nothing here to hold them against


class MovementsMatchTheLines(TestCase):
    """Any range, cut anywhere inside months or on their edges, sums like the lines do."""

    fund: Fund
    user: Any
    last: dt.date

    @classmethod
    def setUpTestData(cls) -> None:
        from kongtun.accounts.models import User

        cls.fund = Fund.objects.create(
            code="lp-summaries",
            name="summaries",
            tambon=Tambon.objects.get(code="520101"),
            founded_on=dt.date(2010, 1, 1),
        )
        cls.user = User.objects.create_user(username="sum-chair", password="x", full_name="x")
        with fund_scope(cls.fund):
            chart_install(fund=cls.fund)
            day = dt.date(2023, 9, 1)
            for i in range(60):
                day += dt.timedelta(days=(i * 7) % 11 + 1)
                amount = f"{(i * 37) % 500 + 1}.{i % 100:02d}"
                other = ("income.members", "income.donations", "welfare.death")[i % 3]
                lines = (("cash", amount), (other, f"-{amount}"))
                if other == "welfare.death":
                    lines = ((other, amount), ("cash", f"-{amount}"))
                post_entry(cls.fund, cls.user, day, *lines)
        cls.last = day

    @settings(max_examples=60, deadline=None)
    @given(
        start=st.one_of(st.none(), st.dates(dt.date(2023, 8, 1), dt.date(2024, 11, 30))),
        length=st.integers(0, 400),
        income_only=st.booleans(),
    )
    def test_ranges(self, start: dt.date | None, length: int, income_only: bool) -> None:
        end = (start or dt.date(2023, 8, 1)) + dt.timedelta(days=length)
        types = ("income",) if income_only else ()
        with fund_scope(self.fund):
            found = movements(
                funds=[self.fund],
                start=start,
                end=end,
                accounts=Q(account__type__in=types) if types else None,
            )
            assert _nonzero(found) == _direct(self.fund, start, end, types)
            by_month = movements(funds=[self.fund], start=start, end=end, by_period=True)
            folded: dict[tuple[int, int, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
            for key, amount in by_month.items():
                period = key[3]  # type: ignore[misc]
                assert start is None or period >= start.year * 100 + start.month
                assert period <= end.year * 100 + end.month
                folded[(key[0], key[1], key[2])] += amount
            assert _nonzero(folded) == _direct(self.fund, start, end)
