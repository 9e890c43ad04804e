"""The indicators page and the trace pages: every key renders, its rows add up to its figure,
the rows are the records counted by hand, and only the fund's own users with the right
permission see them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators import trace as traces
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import fund_indicators
from kongtun.indicators.tests.conftest import MID_YEAR, SEPT_30, Town
from kongtun.indicators.trace import CATEGORIES, Trace, UnknownTrace, trace_permission
from kongtun.ledger.models import PeriodClose, Source
from kongtun.ledger.services import period_close
from kongtun.members.models import MemberType

D = Decimal
pytestmark = pytest.mark.django_db

KEYS = [
    "members.cumulative",
    "members.current",
    "members.eligible",
    "members.new",
    *[f"members.by_type.{t}" for t in MemberType.values],
    "villages",
    *[f"money.{s}.{part}" for s in Source.values for part in ("year", "cumulative")],
    "contributions.year",
    *[f"welfare.{c}.{part}" for c in [*CATEGORIES, "all"] for part in ("year", "total")],
    "welfare.types",
    "admin",
    "money_on_hand",
    "fund_balance",
    "books",
    "meetings",
    "regulation",
    "years",
]
# The names CODI's forms link with (kongtun.codiforms.parts), and the indicators' fields.
FORM_KEYS = [
    "members.eligible_for_matching",
    "members.new_this_year",
    "members.by_type.general.cumulative",
    "members.by_type.elderly.current",
    "register_kept",
    "villages_covered",
    "welfare.birth.persons_year",
    "welfare.non_members.baht_total",
    "welfare_paid_total",
    "welfare_types_year",
    "books_current",
    "books_closed_through",
    "books_last_entry",
    "year_closed",
    "committee_meetings_year",
    "regulation_in_force",
    "regulation_adopted_on",
    "years_operating",
    "fund_balance",
]


def _url(fund: Fund, key: str, on: dt.date | str | None = None) -> str:
    path = reverse("indicators-trace", kwargs={"fund_code": fund.code, "key": key})
    if on is None:
        return path
    return f"{path}?on={on.isoformat() if isinstance(on, dt.date) else on}"


def _home(fund: Fund, on: str | None = None) -> str:
    path = reverse("indicators-home", kwargs={"fund_code": fund.code})
    return f"{path}?on={on}" if on else path


def _trace(client: Client, fund: Fund, key: str, on: dt.date) -> Trace:
    response = client.get(_url(fund, key, on))
    assert response.status_code == 200, (key, response.status_code)
    found: Trace = response.context["trace"]
    return found


def _numbers(found: Trace, section: int = 0) -> list[str]:
    return [row.cells[0] for row in found.sections[section].rows]


@pytest.fixture
def chair(client_for: Any) -> Client:
    client: Client = client_for("chair")
    return client


def test_every_key_renders_and_its_rows_add_up(town: Town, chair: Client) -> None:
    problems: list[tuple[Any, ...]] = []
    for on in (MID_YEAR, SEPT_30):
        for key in [*KEYS, *FORM_KEYS]:
            response = chair.get(_url(town.fund, key, on))
            if response.status_code != 200:
                problems.append((key, on, response.status_code))
                continue
            found: Trace = response.context["trace"]
            assert found.on == on and found.key == key and found.checks, key
            problems += [
                (key, on, c.label, c.figure, c.traced) for c in found.checks if not c.agrees
            ]
            content = response.content.decode()
            assert 'id="checks"' in content and "✗" not in content, key
    assert problems == []


def test_member_traces_list_the_people_counted(town: Town, chair: Client) -> None:
    fund = town.fund
    current = _trace(chair, fund, "members.current", MID_YEAR)
    assert _numbers(current) == ["001", "002", "003", "004", "006", "007", "011", "012", "013"]
    ever = _trace(chair, fund, "members.cumulative", MID_YEAR)
    assert "008" not in _numbers(ever) and "009" not in _numbers(ever)
    assert len(_numbers(ever)) == 10
    eligible = _trace(chair, fund, "members.eligible", MID_YEAR)
    assert _numbers(eligible) == ["001", "002", "004", "005", "006", "011", "012"]
    assert _numbers(eligible, 1) == ["003"]  # a member then, a day short of a full year
    assert eligible.sections[1].counts is False
    new = _trace(chair, fund, "members.new", SEPT_30)
    assert _numbers(new) == ["007", "010"]
    elderly = _trace(chair, fund, "members.by_type.elderly", SEPT_30)
    assert [_numbers(elderly, 0), _numbers(elderly, 1)] == [["002", "006", "013"], ["002", "013"]]
    member = town.members["001"]
    assert current.sections[0].rows[0].url == reverse(
        "members-detail", kwargs={"fund_code": fund.code, "code": member.code}
    )
    assert chair.get(current.sections[0].rows[0].url).status_code == 200


def test_villages_trace(town: Town, chair: Client) -> None:
    found = _trace(chair, town.fund, "villages", MID_YEAR)
    assert [row.cells[2] for row in found.sections[0].rows] == [
        "001, 011",
        "002, 003",
        "004",
        "013",  # 005 resigned
        "006",
        "007",
    ]
    assert _numbers(found, 1) == ["012"]  # lives in another tambon


def test_money_traces_open_the_ledger_for_the_month(town: Town, chair: Client) -> None:
    found = _trace(chair, town.fund, "money.local_gov.year", MID_YEAR)
    rows = found.sections[0].rows
    assert [r.amount for r in rows] == [D("5000.00"), D("2000.00")]
    assert rows[0].url.endswith("?start=2025-11-01&end=2025-11-30")
    response = chair.get(rows[0].url)
    assert response.status_code == 200
    assert response.context["book"] is not None
    # The last month stops at the date: 1–15 April.
    donations = _trace(chair, town.fund, "money.donations.year", MID_YEAR)
    assert [r.url.split("?")[1] for r in donations.sections[0].rows] == [
        "start=2026-04-01&end=2026-04-15"
    ]
    since = _trace(chair, town.fund, "money.donations.cumulative", MID_YEAR)
    assert [r.amount for r in since.sections[0].rows] == [D("500.00"), D("300.00")]
    admin = _trace(chair, town.fund, "admin", MID_YEAR)
    assert [s.total for s in admin.sections] == [D("330.25"), D("3500.00")]
    on_hand = _trace(chair, town.fund, "money_on_hand", SEPT_30)
    assert on_hand.sections[0].total == D("24122.09")


def test_welfare_traces_list_the_paid_claims(town: Town, chair: Client) -> None:
    found = _trace(chair, town.fund, "welfare.non_members.total", SEPT_30)
    claims = town.claims
    assert _numbers(found) == [claims[c].number for c in ("c1", "c3", "c7")]  # not c8, unpaid
    assert found.sections[0].total == D("3000.00")
    url = found.sections[0].rows[0].url
    assert url == reverse(
        "welfare-claim", kwargs={"fund_code": town.fund.code, "claim": claims["c1"].code}
    )
    assert chair.get(url).status_code == 200
    education = _trace(chair, town.fund, "welfare.education.year", MID_YEAR)
    assert _numbers(education) == [claims["c5"].number]


def test_meetings_and_books_traces(town: Town, chair: Client) -> None:
    meetings = _trace(chair, town.fund, "meetings", MID_YEAR)
    assert _numbers(meetings) == ["1/2569", "2/2569", "3/2569", "4/2569"]
    assert chair.get(meetings.sections[0].rows[0].url).status_code == 200
    books = _trace(chair, town.fund, "books", MID_YEAR)
    assert len(books.sections[0].rows) == 3  # the year 2568, February and March 2569
    figures = {c.label: c.figure for c in books.checks}
    assert list(figures.values()) == [dt.date(2026, 3, 31), True, True, dt.date(2026, 4, 15)]


def test_the_indicators_page(town: Town, chair: Client) -> None:
    response = chair.get(_home(town.fund, "15/04/2569"))  # as people type it, in BE
    assert response.status_code == 200
    assert response.context["indicators"] == fund_indicators(fund=town.fund, on=MID_YEAR)
    content = response.content.decode()
    for key in ("members.current", "villages", "money.local_gov.year", "welfare.birth.year"):
        assert f'href="{_url(town.fund, key, MID_YEAR)}"' in content
    assert 'class="facts"' in content
    assert 'name="on" value="15/04/2569"' in content
    # A trace linked with an ISO date still shows the date as people write it.
    traced = chair.get(_url(town.fund, "members.current", MID_YEAR)).content.decode()
    assert 'name="on" value="15/04/2569"' in traced
    assert chair.get(_home(town.fund)).status_code == 200  # today
    bad = chair.get(_home(town.fund, "31/02/2569"))
    assert bad.status_code == 400
    assert chair.get(_url(town.fund, "members.current", "31/02/2569")).status_code == 400


def test_every_key_of_the_page_has_a_trace(town: Town, chair: Client) -> None:
    response = chair.get(_home(town.fund, "2026-09-30"))
    keys = {f.key for g in response.context["groups"] for f in g.figures if f.key}
    assert {"members.eligible", "money.interest.cumulative", "welfare.all.total"} <= keys
    for key in keys:
        trace_permission(key)  # no UnknownTrace


def test_another_funds_user_gets_404(town: Town, client_for: Any) -> None:
    other = client_for("other_chair")
    assert other.get(_home(town.fund)).status_code == 404
    assert other.get(_url(town.fund, "members.current", MID_YEAR)).status_code == 404
    anonymous = client_for(None)
    assert anonymous.get(_url(town.fund, "members.current")).status_code == 302


def test_unknown_keys_are_404(town: Town, chair: Client) -> None:
    unknown = [
        "nothing",
        "members.bogus",
        "money.nosuch.year",
        "money.members.week",
        "welfare.nosuch.total",
        "members.by_type.alien",
        "welfare.birth.persons_week",
    ]
    for key in unknown:
        assert chair.get(_url(town.fund, key)).status_code == 404, key
        with pytest.raises(UnknownTrace):
            trace_permission(key)


def test_each_trace_needs_the_permission_of_its_records(town: Town, client_for: Any) -> None:
    collector = client_for("collector")  # no access to claims: they hold health data
    assert collector.get(_url(town.fund, "welfare.birth.year", MID_YEAR)).status_code == 403
    assert collector.get(_url(town.fund, "members.current", MID_YEAR)).status_code == 200
    assert collector.get(_url(town.fund, "money_on_hand", MID_YEAR)).status_code == 200
    page = collector.get(_home(town.fund, "2026-04-15")).content.decode()
    assert f'href="{_url(town.fund, "welfare.birth.year", MID_YEAR)}"' not in page
    assert f'href="{_url(town.fund, "members.current", MID_YEAR)}"' in page
    # Meetings are counted for everyone, but a meeting's page is for those who see claims.
    meetings = collector.get(_url(town.fund, "meetings", MID_YEAR)).content.decode()
    assert "1/2569" in meetings and "/welfare/meetings/" not in meetings


def test_a_laptop_fund_shows_its_package(town: Town, client_for: Any, other_fund: Fund) -> None:
    found = fund_indicators(fund=town.fund, on=MID_YEAR)
    other_fund.runs_on = Fund.RunsOn.OWN_COMPUTER
    other_fund.save(update_fields=["runs_on"])
    client = client_for("other_chair")
    assert 'id="no-indicators"' in client.get(_home(other_fund, "2026-04-15")).content.decode()
    with fund_scope(other_fund):
        IndicatorSnapshot.objects.create(
            fund=other_fund,
            kind=IndicatorSnapshot.Kind.IMPORTED,
            as_of=dt.date(2026, 3, 31),
            data=found.as_dict(),
        )
    page = client.get(_home(other_fund, "2026-04-15"))
    assert page.status_code == 200 and page.context["indicators"].imported is True
    assert 'id="imported"' in page.content.decode()
    response = client.get(_url(other_fund, "members.current", MID_YEAR))
    assert response.status_code == 200
    assert response.context["trace"].sections == ()
    assert 'id="note"' in response.content.decode()


def test_a_date_outside_the_years_the_books_know_is_refused_not_a_crash(town, client_for):
    for name in ("indicators-home",):
        url = reverse(name, kwargs={"fund_code": town.fund.code})
        assert client_for("chair").get(url, {"on": "1900-01-01"}).status_code == 400


def _year_closed_check(fund: Any, on: dt.date) -> Any:
    with translation.override("en"):
        found = traces.trace(fund, "books", on)
        (check,) = [c for c in found.checks if str(c.label) == "Previous fiscal year closed"]
    return check


def test_closing_months_is_not_closing_the_year_in_the_trace_either(open_town):
    fund = open_town.fund
    period_close(fund=fund, actor=open_town.users["chair"], kind=PeriodClose.Kind.MONTH,
                 start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))  # fmt: skip
    check = _year_closed_check(fund, dt.date(2026, 4, 15))
    assert check.agrees and fund_indicators(fund=fund, on=dt.date(2026, 4, 15)).year_closed is False


def test_a_calendar_year_fund_closed_last_calendar_year(open_town):
    fund = open_town.fund
    Fund.objects.filter(pk=fund.pk).update(fiscal_year=Fund.FiscalYear.CALENDAR)
    fund.refresh_from_db()
    period_close(fund=fund, actor=open_town.users["chair"], kind=PeriodClose.Kind.YEAR,
                 start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))  # fmt: skip
    on = dt.date(2025, 11, 15)
    check = _year_closed_check(fund, on)
    assert check.agrees and fund_indicators(fund=fund, on=on).year_closed is True
