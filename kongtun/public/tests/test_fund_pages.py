"""A fund's public pages (figures, statements, audit trail) against the services they read,
and as a stranger sees them: no login, no person, no count of 1 to 4.

The fund is the indicators' town (kongtun/indicators/tests/conftest.py) with a committee,
published meeting summaries and an audit trail over several days (fund_fixtures.py).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.conftest import make_national_id, member_data
from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import Indicators, TypeCount, WelfareLine, fund_indicators
from kongtun.indicators.tests.conftest import MID_YEAR, REGISTER, SEPT_30, Town
from kongtun.ledger.models import Account, MonthlyTotal
from kongtun.ledger.statements import Period, Row, financial_position, income_expenditure
from kongtun.ledger.tests.conftest import post_entry
from kongtun.members.models import MemberType
from kongtun.members.services import member_register
from kongtun.public import fund_pages
from kongtun.public.fund_pages_books import welfare_account_rows
from kongtun.public.fund_pages_common import categories_not_shown, poster_months, welfare_rows
from kongtun.public.specs import PAGES
from kongtun.public.suppress import HIDDEN, SMALL, Count
from kongtun.public.tables import Page, page_json, table_csv
from kongtun.public.tests.fund_fixtures import (
    PACKAGE_AS_OF,
    PUBLISHED_4,
    SUMMARY_3,
    SUMMARY_4,
    SUMMARY_4_WITHDRAWN,
    SUMMARY_OLD,
    build_public_town,
    make_laptop_fund,
)
from kongtun.welfare.describe import describe_benefit
from kongtun.welfare.models import Claim
from kongtun.welfare.selectors import regulation_in_force

D = Decimal
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)  # fiscal year 2570 has begun: 2569 is a whole year
FY = 2569
COUNT_SPAN = re.compile(r'<span class="count" data-kind="count">([^<]*)</span>')


@pytest.fixture
def pub(in_fund: Fund, users: dict[str, User]) -> Town:
    return build_public_town(in_fund, users)


def _rows(page: Page, table: str) -> list[dict[str, Any]]:
    return list(page.tables[table].rows)


def _n(value: Count) -> int:
    return value.n


def _entries(fund: Fund) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(fund=fund).order_by("seq"))


# --- the fund page against the services it reads ---------------------------------------------


def test_every_table_of_the_fund_page_says_what_the_services_say(pub: Town) -> None:
    fund = pub.fund
    with translation.override("th"):
        page = fund_pages.fund_page(fund=fund, fiscal_year=FY, today=TODAY)
    ind = fund_indicators(fund=fund, on=SEPT_30)
    assert (page.as_of, page.fiscal_year, page.source) == (SEPT_30, FY, "records")

    (row,) = _rows(page, "fund")
    assert row["code"] == fund.code and row["as_of"] == SEPT_30
    assert (row["tambon_code"], row["years_operating"], row["source"]) == ("520101", 16, "records")

    (money,) = _rows(page, "money")
    assert money == {
        "fund_balance": ind.fund_balance,
        "money_on_hand": ind.money_on_hand,
        "income_year": ind.income_year,
        "welfare_paid_year": ind.welfare_paid_year,
        "welfare_paid_total": ind.welfare_paid_total,
        "admin_costs_year": ind.admin_costs_year,
        "admin_percent": ind.admin_percent,
        "admin_cap_percent": ind.admin_cap_percent,
    }
    assert money["fund_balance"] == D("24022.09")  # the indicators' own hand count

    assert [
        (r["source"], r["year"], r["since_start"]) for r in _rows(page, "income_by_source")
    ] == [(m.source, m.year, m.cumulative) for m in ind.money]

    (members,) = _rows(page, "members")
    assert [_n(members[k]) for k in ("current", "cumulative", "new_this_year")] == [9, 11, 2]
    assert _n(members["eligible_for_matching"]) == ind.members.eligible_for_matching
    assert members["eligible_as_of"] == SEPT_30
    assert (members["villages_covered"], members["villages_in_area"]) == (5, 10)
    assert members["coverage_percent"] == D("50.00")

    by_type = _rows(page, "members_by_type")
    assert [r["member_type"] for r in by_type] == list(MemberType.values)
    for r in by_type:
        counted = ind.members.by_type[r["member_type"]]
        assert (_n(r["current"]), _n(r["cumulative"])) == (counted.current, counted.cumulative)

    welfare = _rows(page, "welfare")
    assert [r["category"] for r in welfare] == ["birth", "education", "non_members", "total"]
    for r, w in zip(welfare, ind.welfare, strict=False):
        # Every category's claims are small: its baht is not shown either.
        assert (r["category"], r["baht_year"], r["baht_total"]) == (w.category, None, None)
        assert [
            _n(r[k]) for k in ("persons_year", "claims_year", "persons_total", "claims_total")
        ] == [
            w.persons_year,
            w.claims_year,
            w.persons_total,
            w.claims_total,
        ]
    total = welfare[-1]
    assert (total["baht_year"], total["baht_total"]) == (D("4500.00"), D("6000.00"))
    assert _n(total["claims_year"]) == sum(w.claims_year for w in ind.welfare) == 5
    assert _n(total["claims_total"]) == 7

    (governance,) = _rows(page, "governance")
    # Chair, vice chair, treasurer, secretary and two members; the adviser's term has ended.
    assert _n(governance["committee_seats"]) == 6
    assert governance["committee_meetings_year"] == ind.committee_meetings_year == 5
    assert governance["books_closed_through"] == ind.books_closed_through == dt.date(2026, 3, 31)
    assert (governance["books_current"], governance["last_year_closed"]) == (False, True)

    committee = _rows(page, "committee")
    assert [(r["position"], r["filled"], r["term_start"]) for r in committee] == [
        ("chair", True, dt.date(2020, 1, 1)),
        ("vice_chair", True, dt.date(2020, 1, 1)),
        ("treasurer", True, dt.date(2020, 1, 1)),
        ("secretary", True, dt.date(2020, 1, 1)),
        ("member", True, dt.date(2024, 1, 1)),
        ("adviser", False, None),
    ]
    assert committee[4]["term_end"] == dt.date(2027, 12, 31)

    regulation = regulation_in_force(fund, SEPT_30)
    assert regulation is not None
    assert _rows(page, "regulation") == [
        {
            "title": regulation.title,
            "version": regulation.version,
            "in_force_from": regulation.effective_from,
            "adopted_resolution": regulation.adopted_resolution,
        }
    ]
    with translation.override("th"):
        expected = [(b.key, " · ".join(describe_benefit(b))) for b in regulation.benefits.all()]
    assert [(r["benefit"], r["rules"]) for r in _rows(page, "benefits")] == expected
    assert all(" · " in r["rules"] for r in _rows(page, "benefits"))

    summaries = _rows(page, "meeting_summaries")
    assert [(r["number"], r["summary"]) for r in summaries] == [
        ("3/2569", SUMMARY_3),
        ("4/2569", SUMMARY_4),  # the withdrawn one is not shown, nor last year's
    ]
    assert summaries[1]["date"] == dt.date(2026, 3, 15)
    assert summaries[1]["published_on"] == PUBLISHED_4.date()  # Thai date, not UTC's

    # The latest entry by the end of 30 September 2026: the fourth (the town came today).
    fourth = _entries(fund)[3]
    (head,) = _rows(page, "audit_head")
    assert (head["seq"], head["hash"]) == (4, fourth.hash)
    assert head["at"] == fourth.at and head["at"].utcoffset() == dt.timedelta(hours=7)


def test_a_year_still_running_stands_at_today(pub: Town) -> None:
    page = fund_pages.fund_page(fund=pub.fund, fiscal_year=FY, today=MID_YEAR)
    ind = fund_indicators(fund=pub.fund, on=MID_YEAR)
    assert page.as_of == MID_YEAR
    (money,) = _rows(page, "money")
    assert money["money_on_hand"] == ind.money_on_hand == D("24769.75")
    assert _n(_rows(page, "members")[0]["current"]) == ind.members.current == 9
    assert [r["number"] for r in _rows(page, "meeting_summaries")] == ["3/2569", "4/2569"]
    assert _rows(page, "audit_head")[0]["seq"] == 4
    # Last year's page: its own regulation, meetings and trail (entry 4 came in March 2026).
    last = fund_pages.fund_page(fund=pub.fund, fiscal_year=FY - 1, today=MID_YEAR)
    assert last.as_of == dt.date(2025, 9, 30)
    assert [r["summary"] for r in _rows(last, "meeting_summaries")] == [SUMMARY_OLD]
    assert _rows(last, "audit_head") == []
    assert [r["category"] for r in _rows(last, "welfare")] == ["education", "non_members", "total"]


# --- small counts ------------------------------------------------------------------------------


def test_small_counts_are_shown_as_less_than_five(pub: Town) -> None:
    page = fund_pages.fund_page(fund=pub.fund, fiscal_year=FY, today=TODAY)
    data = page_json(page, generated_at=timezone.now())["tables"]
    assert data["members"][0]["new_this_year"] == SMALL
    # 11 since the start and 9 now would say 2 left: the 11 is hidden, the headline 9 stays
    # (as the subdistrict's page keeps it).
    assert (data["members"][0]["current"], data["members"][0]["cumulative"]) == (9, HIDDEN)
    birth = data["welfare"][0]
    assert (birth["persons_year"], birth["claims_year"]) == (SMALL, SMALL)
    # The total of claims would be 5, but with the baht in all and the regulation's fixed
    # rates it would solve for the withheld counts: it is hidden while any baht is withheld.
    assert data["welfare"][-1]["claims_year"] == HIDDEN
    general = data["members_by_type"][0]
    assert (general["member_type"], general["current"]) == ("general", 5)
    # Several small counts in a column: none of them can be worked out from the total.
    assert [r["current"] for r in data["members_by_type"][1:]] == [SMALL, SMALL, 0, 0, SMALL]
    csv_text = table_csv(page.tables["welfare"]).decode("utf-8-sig")
    assert "<5" in csv_text and ",1," not in csv_text and ",2," not in csv_text


def test_one_small_count_in_a_group_hides_the_next_smallest(pub: Town, other_fund: Fund) -> None:
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    by_type = {r["member_type"]: r for r in _rows(page, "members_by_type")}
    shown = {k: r["current"].public() for k, r in by_type.items()}
    # Current members by type: 26 + 17 + 2 = 45, shown as the members' total. With only the
    # 2 hidden, 45 − 26 − 17 would give it back: the 17 is hidden as well.
    assert shown == {
        "general": 26,
        "elderly": HIDDEN,
        "child": SMALL,
        "disabled": 0,
        "disadvantaged": 0,
        "orphan": 0,
    }
    assert _rows(page, "members")[0]["current"].public() == 45
    assert [r["cumulative"].public() for r in by_type.values()] == [31, 7, 22, 0, 0, 0]
    welfare = {r["category"]: r for r in _rows(page, "welfare")}
    assert [welfare[c]["persons_year"].public() for c in ("birth", "illness", "death")] == [
        HIDDEN,
        SMALL,
        9,
    ]
    assert welfare["total"]["persons_year"].public() == 18
    assert [welfare[c]["claims_year"].public() for c in ("birth", "illness", "death")] == [6, 5, 9]
    assert welfare["total"]["baht_year"] == sent.welfare_paid_year
    # The page shows "hidden" as a word, never the number.
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/public/fund/{other_fund.code}/?fy={FY}").content.decode()
    assert COUNT_SPAN.findall(body).count("hidden") == 2
    csv_body = client.get(f"/open/v1/fund/{other_fund.code}/{FY}/members_by_type.csv")
    assert "elderly,ผู้สูงอายุ,hidden,22" in csv_body.content.decode("utf-8-sig")


def test_a_total_that_would_give_a_small_count_away_is_hidden(pub: Town, other_fund: Fund) -> None:
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    # A later package: 5 general members and 1 child. Hiding the 5 is not enough (6 less
    # "at least 5" leaves exactly 1), so the members' total is hidden too.
    later = dataclasses.replace(
        sent,
        as_of=dt.date(2026, 7, 31),
        members=dataclasses.replace(
            sent.members,
            current=6,
            by_type={"general": TypeCount(5, 5), "child": TypeCount(1, 1)},
        ),
    )
    with fund_scope(other_fund):
        IndicatorSnapshot.objects.create(
            fund=other_fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=later.as_of,
            data=later.as_dict(),
        )  # fmt: skip
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    assert page.as_of == dt.date(2026, 7, 31)
    shown = [r["current"].public() for r in _rows(page, "members_by_type")]
    assert shown == [HIDDEN, SMALL, 0, 0, 0, 0]
    assert _rows(page, "members")[0]["current"].public() == HIDDEN
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/public/fund/{other_fund.code}/?fy={FY}").content.decode()
    figure = body.split('id="fig-members"')[1].split("</div>")[0]
    assert COUNT_SPAN.findall(figure) == ["hidden"]


def _send_package(fund: Fund, sent: Indicators, as_of: dt.date, **changes: Any) -> None:
    """A later package of the laptop fund, with its figures changed."""
    later = dataclasses.replace(sent, as_of=as_of, **changes)
    with fund_scope(fund):
        IndicatorSnapshot.objects.create(
            fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=as_of, data=later.as_dict()
        )


def test_members_who_left_are_a_count_too(pub: Town, other_fund: Fund) -> None:
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    # 61 members since the start, 60 now: 1 left, an elderly member. Showing both totals, or
    # both of the elderly's counts, would say so: the counts since the start are hidden.
    _send_package(
        other_fund,
        sent,
        dt.date(2026, 7, 31),
        members=dataclasses.replace(
            sent.members,
            cumulative=61,
            current=60,
            by_type={"general": TypeCount(40, 40), "elderly": TypeCount(21, 20)},
        ),
    )
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    (members,) = _rows(page, "members")
    assert (members["current"].public(), members["cumulative"].public()) == (60, HIDDEN)
    by_type = {r["member_type"]: r for r in _rows(page, "members_by_type")}
    assert (by_type["elderly"]["current"].public(), by_type["elderly"]["cumulative"].public()) == (
        20,
        HIDDEN,
    )
    assert by_type["general"]["cumulative"].public() == 40  # 61 is hidden: 40 tells nothing

    # 8 since the start and 7 now, the one who left a child whose type has no one left now:
    # the 8 is hidden, and the general 7 since the start with it (7 + the child's "<5" would
    # otherwise add up to it).
    _send_package(
        other_fund,
        sent,
        dt.date(2026, 8, 31),
        members=dataclasses.replace(
            sent.members,
            cumulative=8,
            current=7,
            # far from the 8 and the 7: their differences give no count of 1 to 4 away
            new_this_year=0,
            eligible_for_matching=0,
            by_type={"general": TypeCount(7, 7), "child": TypeCount(1, 0)},
        ),
    )
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    (members,) = _rows(page, "members")
    assert (members["current"].public(), members["cumulative"].public()) == (7, HIDDEN)
    shown = [
        (r["current"].public(), r["cumulative"].public()) for r in _rows(page, "members_by_type")
    ]
    assert shown[:2] == [(7, HIDDEN), (0, SMALL)]  # general, child
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/public/fund/{other_fund.code}/?fy={FY}").content.decode()
    figure = body.split('id="fig-members"')[1].split("</div>")[0]
    assert COUNT_SPAN.findall(figure) == ["7"]


def test_baht_beside_a_claims_count_not_shown_is_not_shown(pub: Town) -> None:
    lines = [
        WelfareLine("birth", 2, 2, D("2000.00"), 12, 12, D("12000.00")),
        WelfareLine("illness", 6, 6, D("3000.00"), 3, 3, D("1500.00")),
        WelfareLine("death", 9, 9, D("27000.00"), 25, 25, D("75000.00")),
        WelfareLine("education", 0, 0, D("0.00"), 10, 10, D("5000.00")),
    ]
    rows = {r["category"]: r for r in welfare_rows(lines)}
    # This year: birth's 2 claims are small, and illness's 6 is hidden so that 17 − 9 does
    # not give the 2 back; since the start: illness's 3 is small and the 10 hidden with it.
    assert [(rows[c]["baht_year"], rows[c]["baht_total"]) for c in rows] == [
        (None, D("12000.00")),
        (None, None),
        (D("27000.00"), D("75000.00")),
        (D("0.00"), None),
        (D("32000.00"), D("93500.00")),  # the total keeps every baht
    ]
    assert categories_not_shown(lines) == {"birth", "illness"}

    client = Client()
    client.cookies["django_language"] = "en"
    body = html.unescape(client.get(f"/public/fund/{pub.fund.code}/?fy={FY}").content.decode())
    table = body.split('id="table-welfare"')[1].split("</table>")[0]
    assert "2,000.00" not in table and "4,500.00" in table  # birth's, and the total
    assert table.count("—") == 6  # three categories, two amounts each
    assert "baht not shown beside a claims count that is not shown" in body


def test_the_statements_add_up_the_welfare_of_categories_not_shown(
    pub: Town, other_fund: Fund
) -> None:
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    # A package whose illness claims of the year are 3: small, and birth's 6 hidden with it.
    _send_package(
        other_fund,
        sent,
        dt.date(2026, 7, 31),
        welfare=[
            WelfareLine("birth", 6, 6, D("6000.00"), 12, 12, D("12000.00")),
            WelfareLine("illness", 3, 3, D("1500.00"), 20, 31, D("15500.00")),
            WelfareLine("death", 9, 9, D("27000.00"), 25, 25, D("75000.00")),
        ],
    )
    with fund_scope(other_fund):
        accounts = {a.role: a for a in Account.objects.filter(fund=other_fund)}
        MonthlyTotal.objects.bulk_create(
            MonthlyTotal(fund=other_fund, account=accounts[role], source="", period=202601,
                         amount=D(amount))
            for role, amount in (("welfare.illness", "1500.00"), ("welfare.death", "27000.00"),
                                 ("cash", "-28500.00"))
        )  # fmt: skip
    with translation.override("en"):
        page = fund_pages.statements_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    welfare = [r for r in _rows(page, "income_expenditure") if r["section"] == "welfare"]
    assert [(r["account"], r["name"], r["amount"]) for r in welfare] == [
        ("5104", "Death", D("27000.00")),
        (None, "Welfare in categories with too few claims to show apart", D("2000.00")),
    ]
    assert page.extra["books"].welfare == D("29000.00") == sum(r["amount"] for r in welfare)


def test_one_category_not_shown_is_still_one_line_without_its_name() -> None:
    def row(code: str, role: str, name: str, amount: str) -> Row:
        return Row(Account(code=code, role=role, name_th=name, type="expense"), D(amount))

    rows = welfare_account_rows(
        [row("5104", "welfare.death", "สวัสดิการเสียชีวิต", "3000.00"),
         row("5101", "welfare.birth", "สวัสดิการเด็กแรกเกิด/คลอดบุตร", "500.00")],
        {"birth"},
    )  # fmt: skip
    assert [(r["account"], r["amount"]) for r in rows] == [
        ("5104", D("3000.00")),
        (None, D("500.00")),
    ]
    assert "คลอด" not in rows[1]["name"]


def test_names_the_fund_typed_are_screened(pub: Town) -> None:
    fund = pub.fund
    member_register(
        fund=fund,
        actor=pub.users["secretary"],
        data=member_data(77, first_name="สมชาย", last_name="ใจดี"),
    )
    Account.objects.create(fund=fund, code="1131", type="asset", name_th="ลูกหนี้เงินยืม นายสมชาย ใจดี")
    Account.objects.create(fund=fund, code="5301", type="expense", name_th="ค่าจ้างนายสมชาย  ใจดี")
    post_entry(fund, pub.users["treasurer"], dt.date(2026, 8, 3), ("1131", "700"), ("cash", "-700"))
    post_entry(fund, pub.users["treasurer"], dt.date(2026, 8, 4), ("5301", "300"), ("cash", "-300"))
    regulation = regulation_in_force(fund, SEPT_30)
    assert regulation is not None
    type(regulation).objects.filter(pk=regulation.pk).update(
        title="ระเบียบกองทุน แก้ไขตามที่ นายสมชาย ใจดี เสนอ",
        adopted_resolution="มติ 1/2563 เสนอโดยสมชาย ใจดี",
    )
    regulation.benefits.filter(key="scholarship").update(
        name="ทุนการศึกษาบุตรนายสมชาย ใจดี", conditions="บุตรของสมชาย ใจดี ได้ก่อน\nมีผลการเรียนดี"
    )
    with translation.override("en"):
        statements = fund_pages.statements_page(fund=fund, fiscal_year=FY, today=TODAY)
        page = fund_pages.fund_page(fund=fund, fiscal_year=FY, today=TODAY)
    names = {r["account"]: r["name"] for r in _rows(statements, "position")}
    names |= {r["account"]: r["name"] for r in _rows(statements, "income_expenditure")}
    assert (names["1131"], names["5301"]) == ("Account 1131", "Account 5301")
    assert names["1101"] == "Cash on hand"  # the others keep their names
    amounts = {r["account"]: r["amount"] for r in _rows(statements, "position")}
    assert amounts["1131"] == D("700.00")

    (head,) = _rows(page, "regulation")
    assert (head["title"], head["adopted_resolution"]) == ("Welfare regulation", None)
    benefits = {r["benefit"]: r for r in _rows(page, "benefits")}
    assert benefits["scholarship"]["name"] == "Education / scholarships"
    assert "The committee also checks" not in benefits["scholarship"]["rules"]
    assert benefits["scholarship"]["rules"].startswith("Who may receive")
    assert benefits["birth"]["name"] == "คลอดบุตร"
    client = Client()
    for url in (
        f"/public/fund/{fund.code}/?fy={FY}",
        f"/public/fund/{fund.code}/statements/?fy={FY}",
        f"/open/v1/fund/{fund.code}/{FY}.json",
        f"/open/v1/fund/{fund.code}/statements/{FY}.json",
        f"/open/v1/fund/{fund.code}/statements/{FY}/position.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        else:
            body = response.content.decode("utf-8-sig")
        assert "สมชาย" not in body, url


def test_posters_begin_with_the_month_the_fund_was_founded(pub: Town, other_fund: Fund) -> None:
    Fund.objects.filter(pk=pub.fund.pk).update(founded_on=dt.date(2026, 1, 15))
    pub.fund.refresh_from_db()
    months = poster_months(pub.fund, FY, SEPT_30)
    assert months[0] == (2569, 1) and months[-1] == (2569, 9) and len(months) == 9
    assert poster_months(pub.fund, FY, dt.date(2026, 4, 15))[-1] == (2569, 4)
    assert poster_months(pub.fund, FY - 1, dt.date(2025, 9, 30)) == []
    client = Client()
    code = pub.fund.code
    body = client.get(f"/public/fund/{code}/?fy={FY}").content.decode()
    posters = re.findall(rf'href="(/public/fund/{code}/poster/[^"]+)"', body)
    assert posters[0] == f"/public/fund/{code}/poster/2569-1.pdf" and len(posters) == 9
    assert client.get(f"/public/fund/{code}/poster/2568-12.pdf").status_code == 404
    Fund.objects.filter(pk=other_fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    other_fund.refresh_from_db()
    assert poster_months(other_fund, FY, SEPT_30) == []


# --- funds that keep their records on their own computer --------------------------------------


def test_a_laptop_fund_without_a_package_gets_a_page_that_says_so(other_fund: Fund) -> None:
    Fund.objects.filter(pk=other_fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    other_fund.refresh_from_db()
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    assert page.source == "package" and page.extra["no_package"] is True
    assert {k for k, t in page.tables.items() if t.rows} == {"fund"}
    statements = fund_pages.statements_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    assert {k for k, t in statements.tables.items() if t.rows} == {"fund"}
    client = Client()
    client.cookies["django_language"] = "en"
    for url in (
        f"/public/fund/{other_fund.code}/?fy={FY}",
        f"/public/fund/{other_fund.code}/statements/?fy={FY}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "has not sent a data package for fiscal year 2569" in response.content.decode()
    data = client.get(f"/open/v1/fund/{other_fund.code}/{FY}.json").json()
    assert data["source"] == "package" and data["tables"]["money"] == []
    assert client.get(f"/public/fund/{other_fund.code}/audit/").status_code == 200


def test_a_laptop_fund_shows_what_its_package_brought(pub: Town, other_fund: Fund) -> None:
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    assert (page.source, page.as_of, page.extra["no_package"]) == ("package", PACKAGE_AS_OF, False)
    assert _rows(page, "fund")[0]["source"] == "package"
    (money,) = _rows(page, "money")
    assert (money["money_on_hand"], money["fund_balance"]) == (D("123456.78"), D("120000.00"))
    assert money["income_year"] == sent.income_year
    assert len(_rows(page, "income_by_source")) == len(sent.money)
    # A package brings no committee: its size is not known here, which is not zero.
    assert _rows(page, "governance")[0]["committee_seats"] is None
    # What only this server's records could say is left empty.
    for table in ("committee", "regulation", "benefits", "meeting_summaries", "audit_head"):
        assert _rows(page, table) == [], table
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(f"/public/fund/{other_fund.code}/?fy={FY}").content.decode()
    assert 'id="section-money"' in body and 'id="section-committee"' not in body
    assert "kept on its own computer, with its records" in body
    assert "figures as of 30 June 2569 BE" in body
    assert "/poster/" not in body  # a package brings no month's detail to print
    # A year the package does not reach: no figures for it.
    later = fund_pages.fund_page(fund=other_fund, fiscal_year=FY + 1, today=TODAY)
    assert later.extra["no_package"] is True and _rows(later, "money") == []

    statements = fund_pages.statements_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    assert (statements.source, statements.as_of) == ("package", PACKAGE_AS_OF)
    monthly = _rows(statements, "monthly")
    assert [r["month"] for r in monthly][0::8] == ["2025-10", "2026-06"] and len(monthly) == 9
    assert (monthly[0]["income"], monthly[2]["welfare"]) == (D("1000.00"), D("500.00"))
    assert sum(r["surplus"] for r in monthly) == D("500.00")  # July's 50 is after the date
    assert [
        (r["section"], r["account"], r["amount"]) for r in _rows(statements, "income_expenditure")
    ] == [
        ("income", "4101", D("1000.00")),
        ("welfare", "5101", D("500.00")),
    ]
    assert [(r["section"], r["account"], r["amount"]) for r in _rows(statements, "position")] == [
        ("assets", "1101", D("500.00")),
        ("fund", None, D("500.00")),
    ]


# --- the statements ---------------------------------------------------------------------------


def test_the_statements_agree_with_the_ledger_and_with_the_fund_page(pub: Town) -> None:
    fund = pub.fund
    page = fund_pages.statements_page(fund=fund, fiscal_year=FY, today=TODAY)
    figures = fund_pages.fund_page(fund=fund, fiscal_year=FY, today=TODAY)
    start = dt.date(2025, 10, 1)
    with fund_scope(fund):
        ie = income_expenditure(fund=fund, period=Period(start, SEPT_30, FY))
        position = financial_position(fund=fund, on=SEPT_30)
    assert page.as_of == SEPT_30
    monthly = _rows(page, "monthly")
    assert [r["month"] for r in monthly] == [
        f"{y}-{m:02d}"
        for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]
    ]
    assert (monthly[0]["income"], monthly[1]["income"]) == (D("1200.00"), D("5000.00"))
    assert monthly[4]["welfare"] == D("1500.00")  # c4 and c5, paid 5 February
    assert monthly[10]["admin"] == D("500.00")

    def total(key: str) -> Decimal:
        return sum((r[key] for r in monthly), D("0.00"))

    assert total("income") == ie.total_income == D("9352.34")
    assert total("welfare") == ie.total_welfare == D("4500.00")
    assert total("admin") == ie.total_admin == D("830.25")
    assert total("other_expenses") == ie.total_other_expenses
    assert total("surplus") == ie.surplus

    lines = _rows(page, "income_expenditure")
    assert {r["section"] for r in lines} == {"income", "welfare", "admin"}
    by_section = {
        s: sum((r["amount"] for r in lines if r["section"] == s), D("0.00"))
        for s in ("income", "welfare", "admin", "other")
    }
    assert by_section == {
        "income": ie.total_income,
        "welfare": ie.total_welfare,
        "admin": ie.total_admin,
        "other": ie.total_other_expenses,
    }
    # Every welfare category's claims of the year are small on the fund page (birth 2,
    # education 1, non-members 2): their accounts are one line that names none of them.
    assert [r.code for r in ie.welfare] == ["5101", "5108", "5115"]
    assert [(r["account"], r["amount"]) for r in lines if r["section"] == "welfare"] == [
        (None, ie.total_welfare)
    ]

    rows = _rows(page, "position")
    sums = {
        s: sum((r["amount"] for r in rows if r["section"] == s), D("0.00"))
        for s in ("assets", "liabilities", "fund")
    }
    assert sums["assets"] == position.total_assets == sums["liabilities"] + sums["fund"]
    assert sums["fund"] == position.fund_balance
    assert sums["liabilities"] == D("100.00")

    # The fund page's year is the statements' year.
    (money,) = _rows(figures, "money")
    assert money["income_year"] == ie.total_income
    assert money["welfare_paid_year"] == ie.total_welfare
    assert money["admin_costs_year"] == ie.total_admin
    assert money["admin_percent"] == ie.ratio.percent
    assert money["fund_balance"] == position.fund_balance == page.extra["books"].fund_balance
    assert money["money_on_hand"] == position.total_money


def test_the_running_year_lists_its_months_so_far(pub: Town) -> None:
    page = fund_pages.statements_page(fund=pub.fund, fiscal_year=FY, today=MID_YEAR)
    monthly = _rows(page, "monthly")
    assert [r["month"] for r in monthly][-1] == "2026-04" and len(monthly) == 7
    # April to the 15th: the members' 800 of 20 April is not yet in.
    assert monthly[-1]["income"] == D("300.00")
    assert monthly[-1]["admin"] == D("80.25")


# --- the audit trail --------------------------------------------------------------------------


def test_the_audit_page_lists_each_days_last_entry_newest_first(pub: Town) -> None:
    entries = _entries(pub.fund)
    today = timezone.localdate()
    page = fund_pages.audit_page(fund=pub.fund, today=today)
    days = _rows(page, "audit_days")
    # 3 October 2025 in Thailand has entries 1 and 2; entry 3 came at 00:30 on 4 October,
    # which is still 3 October in UTC. Then 1 March 2026, and the town, built today.
    assert [(r["date"], r["seq"]) for r in days] == [
        (today, entries[-1].seq),
        (dt.date(2026, 3, 1), 4),
        (dt.date(2025, 10, 4), 3),
        (dt.date(2025, 10, 3), 2),
    ]
    assert [r["hash"] for r in days[1:]] == [entries[3].hash, entries[2].hash, entries[1].hash]
    (head,) = _rows(page, "audit_head")
    assert (head["seq"], head["hash"]) == (entries[-1].seq, entries[-1].hash)
    # As of 3 October 2025: the trail ended with entry 2.
    earlier = fund_pages.audit_page(fund=pub.fund, today=dt.date(2025, 10, 3))
    assert [r["seq"] for r in _rows(earlier, "audit_days")] == [2]
    assert _rows(earlier, "audit_head")[0]["seq"] == 2


def test_the_hash_check_reads_two_entries_by_index(
    pub: Town, django_assert_num_queries: Any
) -> None:
    second = _entries(pub.fund)[1]
    with django_assert_num_queries(2):  # the entry, then the one that must link to it
        check = fund_pages.hash_check(fund=pub.fund, entered=second.hash)
    assert (check.found, check.seq, check.in_chain, check.latest) == (True, 2, True, False)
    latest = _entries(pub.fund)[-1]
    with django_assert_num_queries(3):  # the last entry is held against the chain's head
        check = fund_pages.hash_check(fund=pub.fund, entered=f"  {latest.hash.upper()} ")
    assert (check.found, check.in_chain, check.latest) == (True, True, True)


def _audit(client: Client, fund: Fund, entered: str) -> str:
    response = client.get(f"/public/fund/{fund.code}/audit/", {"hash": entered})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_checking_a_hash_on_the_audit_page(pub: Town) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    second = _entries(pub.fund)[1]
    found = _audit(client, pub.fund, second.hash)
    assert 'data-result="found"' in found
    assert "Found: entry number 2, recorded on 3 October 2568 BE at 23:30." in found
    assert "It is still in the trail, and the entry after it is linked to it." in found
    latest = _audit(client, pub.fund, _entries(pub.fund)[-1].hash)
    assert "It is still in the trail: it is the latest entry." in latest
    other_fund_hash = "ab" * 32
    missing = _audit(client, pub.fund, other_fund_hash)
    assert 'data-result="not-found"' in missing
    assert "This hash is not in this fund's audit trail." in missing
    garbage = _audit(client, pub.fund, "12345 not a hash <b>")
    assert 'data-result="invalid"' in garbage
    assert 'value="12345 not a hash <b>"' in garbage  # kept for correcting (and escaped)
    assert (
        "<b>"
        not in client.get(f"/public/fund/{pub.fund.code}/audit/", {"hash": "<b>"})
        .content.decode()
        .split('id="hash-form"')[1]
    )
    first_page = client.get(f"/public/fund/{pub.fund.code}/audit/").content.decode()
    assert "Check a hash you wrote down" in first_page and "data-result" not in first_page


def _drop_audit_triggers() -> None:
    # As kongtun/audit/tests/test_audit_chain.py: someone with the database in hand.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {AuditEntry._meta.db_table} DISABLE TRIGGER USER")


def test_a_hash_whose_entry_was_changed_is_no_longer_in_the_chain(pub: Town) -> None:
    entries = _entries(pub.fund)
    _drop_audit_triggers()
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET data = %s WHERE id = %s", ['{"x":1}', entries[1].pk])
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entries[3].pk])
    edited = fund_pages.hash_check(fund=pub.fund, entered=entries[1].hash)
    assert (edited.found, edited.in_chain) == (True, False)
    orphan = fund_pages.hash_check(fund=pub.fund, entered=entries[2].hash)  # #4 is gone
    assert (orphan.found, orphan.in_chain) == (True, False)
    gone = fund_pages.hash_check(fund=pub.fund, entered=entries[3].hash)
    assert (gone.valid, gone.found) == (True, False)
    client = Client()
    client.cookies["django_language"] = "en"
    assert 'data-result="broken"' in _audit(client, pub.fund, entries[1].hash)


# --- the HTML pages ---------------------------------------------------------------------------


def test_the_pages_link_to_each_other_their_data_and_the_posters(pub: Town) -> None:
    client = Client()
    code = pub.fund.code
    body = client.get(f"/public/fund/{code}/?fy={FY}").content.decode()
    assert f'href="/public/fund/{code}/statements/?fy={FY}"' in body
    assert f'href="/public/fund/{code}/audit/"' in body
    assert f'href="/open/v1/fund/{code}/{FY}.json"' in body
    posters = re.findall(rf'href="(/public/fund/{code}/poster/[^"]+)"', body)
    assert posters[0] == reverse("public-poster", kwargs={"code": code, "year": 2568, "month": 10})
    assert posters[-1] == f"/public/fund/{code}/poster/2569-9.pdf" and len(posters) == 12
    csv_links = re.findall(r'href="(/open/v1/fund/[^"]+\.csv)"', body)
    assert len(csv_links) == 11  # every table but the fund's own row
    for url in csv_links:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    # The running year offers the months so far.
    # The year still running: its months so far, this one included.
    running = client.get(f"/public/fund/{code}/").content.decode()
    this_year = government_year_of(timezone.localdate())
    assert f'<option value="{this_year}" selected>' in running
    months_so_far = (timezone.localdate().month - 10) % 12 + 1  # October is the first
    assert len(re.findall(rf'href="/public/fund/{code}/poster/', running)) == months_so_far
    statements = client.get(f"/public/fund/{code}/statements/?fy={FY}").content.decode()
    assert f'href="/public/fund/{code}/?fy={FY}"' in statements
    assert f'href="/open/v1/fund/{code}/statements/{FY}.json"' in statements
    for table in ("monthly", "income_expenditure", "position"):
        assert f'href="/open/v1/fund/{code}/statements/{FY}/{table}.csv"' in statements
    audit = client.get(f"/public/fund/{code}/audit/").content.decode()
    assert f'href="/open/v1/fund/{code}/audit.json"' in audit
    assert f'href="/open/v1/fund/{code}/audit/audit_days.csv"' in audit


def test_the_year_picker_shows_the_year_asked_for(pub: Town) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    code = pub.fund.code
    body = client.get(f"/public/fund/{code}/?fy=2568").content.decode()
    assert '<option value="2568" selected>' in body
    assert "Fiscal year 2568, figures as of 30 September 2568 BE." in body
    unknown = client.get(f"/public/fund/{code}/?fy=garbage").content.decode()
    newest = government_year_of(timezone.localdate())
    assert f'<option value="{newest}" selected>' in unknown


def test_the_pages_show_thai_by_default_and_english_on_request(pub: Town) -> None:
    code = pub.fund.code
    thai = Client().get(f"/public/fund/{code}/?fy={FY}").content.decode()
    assert '<html lang="th">' in thai
    assert "สวัสดิการเด็กแรกเกิด/คลอดบุตร" in thai and "30 กันยายน 2569" in thai
    client = Client()
    client.cookies["django_language"] = "en"
    for url in (
        f"/public/fund/{code}/?fy={FY}",
        f"/public/fund/{code}/statements/?fy={FY}",
        f"/public/fund/{code}/audit/",
    ):
        english = client.get(url).content.decode()
        assert '<html lang="en">' in english
    english = client.get(f"/public/fund/{code}/?fy={FY}").content.decode()
    assert "Newborn / childbirth" in english and "Fund balance (baht)" in english
    assert "Welfare paid this year (baht)" in english
    # The data files speak Thai whatever the visitor's language.
    data = client.get(f"/open/v1/fund/{code}/{FY}.json").json()
    assert data["tables"]["welfare"][0]["category_name"] == "สวัสดิการเด็กแรกเกิด/คลอดบุตร"


def test_unknown_funds_and_years_are_not_found(pub: Town) -> None:
    client = Client()
    code = pub.fund.code
    for url in (
        "/public/fund/no-such-fund/",
        "/public/fund/no-such-fund/statements/",
        "/public/fund/no-such-fund/audit/",
        "/open/v1/fund/no-such-fund/2569.json",
        "/open/v1/fund/no-such-fund/statements/2569.json",
        "/open/v1/fund/no-such-fund/audit.json",
        f"/open/v1/fund/{code}/2400.json",  # before the fund was founded
        f"/open/v1/fund/{code}/2600.json",  # not yet
        f"/open/v1/fund/{code}/statements/2552/monthly.csv",
        f"/open/v1/fund/{code}/{FY}/no_such_table.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/open/v1/fund/{code}/2553.json").status_code == 200  # founded 2010


# --- privacy ----------------------------------------------------------------------------------


def _secrets(town: Town) -> list[str]:
    found = []
    for seed in range(1, len(REGISTER) + 1):
        found += [f"ทดสอบ{seed}สมมติ", make_national_id(seed)]
    with scopes_disabled():
        for claim in Claim.objects.filter(fund=town.fund):
            found.append(claim.number)
            if claim.person_name:
                found.append(re.sub(r"\s+", "", claim.person_name))
        found += [s.full_name.replace(" ", "") for s in CommitteeMember.objects.all()]
    found.append(SUMMARY_4_WITHDRAWN.replace(" ", ""))
    return found


def test_no_page_or_file_shows_a_person_or_a_small_count(pub: Town) -> None:
    secrets = _secrets(pub)
    assert len(secrets) > 30
    client = Client()
    code = pub.fund.code
    texts: list[tuple[str, str]] = []
    for url in (
        f"/public/fund/{code}/?fy={FY}",
        f"/public/fund/{code}/?fy={FY - 1}",
        f"/public/fund/{code}/",
        f"/public/fund/{code}/statements/?fy={FY}",
        f"/public/fund/{code}/audit/",
        f"/public/fund/{code}/audit/?hash={_entries(pub.fund)[1].hash}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = html.unescape(response.content.decode())
        texts.append((url, body))
        for value in COUNT_SPAN.findall(body):
            assert value.replace(",", "") not in {"1", "2", "3", "4"}, (url, value)
    for url in (
        f"/open/v1/fund/{code}/{FY}.json",
        f"/open/v1/fund/{code}/statements/{FY}.json",
        f"/open/v1/fund/{code}/audit.json",
    ):
        data = client.get(url).json()
        texts.append((url, json.dumps(data, ensure_ascii=False)))
        spec = PAGES[data["page"]]
        base = url.removesuffix(".json")
        for table in spec.tables:
            counts = [c.key for c in table.columns if c.kind == "count"]
            for row in data["tables"][table.key]:
                assert all(row[key] not in (1, 2, 3, 4) for key in counts), (url, row)
            body = client.get(f"{base}/{table.key}.csv").content.decode("utf-8-sig")
            texts.append((f"{base}/{table.key}.csv", body))
            for row in csv.DictReader(io.StringIO(body)):
                assert all(row[key] not in ("1", "2", "3", "4") for key in counts), (table, row)
    for url, text in texts:
        flat = re.sub(r"\s+", "", text)
        for secret in secrets:
            assert secret not in flat, (url, secret)


# --- on a phone ---------------------------------------------------------------------------------

BROWSER_FUND = "lp-public-phone"


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kongtun.web.tests.browser import serve

    seed = (
        "from kongtun.public.tests.fund_fixtures import seed_public_town\n"
        f"seed_public_town({BROWSER_FUND!r})\n"
    )
    with serve(tmp_path_factory.mktemp("public-fund"), seed) as base:
        yield base


@pytest.mark.browser
def test_the_three_pages_fit_a_phone_and_check_a_hash(phone_server: str) -> None:
    from kongtun.web.tests.browser import chromium, shot

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
        page = context.new_page()
        base = f"{phone_server}/public/fund/{BROWSER_FUND}"
        for name, url in (
            ("public-fund", f"{base}/?fy={FY}"),
            ("public-statements", f"{base}/statements/?fy={FY}"),
            ("public-audit", f"{base}/audit/"),
        ):
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == "th"
            width = page.evaluate("document.documentElement.scrollWidth")
            shot(page, name)
            assert width <= 390, (name, width)
        hash_text = page.locator("#table-audit_head code.hash").inner_text()
        page.fill("#hash", hash_text)
        page.click("#hash-form button")
        page.wait_for_selector("#hash-result")
        assert page.locator("#hash-result").get_attribute("data-result") == "found"
        assert page.input_value("#hash") == hash_text
        shot(page, "public-audit-check")
        context.close()


def test_two_member_figures_never_differ_by_one_to_four(pub: Town, other_fund: Fund) -> None:
    """Members since the start, current, new and eligible count sets of people inside one
    another: a difference of 1 to 4 between two shown is a count of people (as on the area
    pages), so the less telling of the two is hidden."""
    sent = make_laptop_fund(other_fund, pub.fund, SEPT_30)
    _send_package(
        other_fund,
        sent,
        dt.date(2026, 8, 31),
        members=dataclasses.replace(
            sent.members,
            cumulative=40,
            current=30,
            new_this_year=37,  # 40 since the start less 37 new: 3 admitted before the year
            eligible_for_matching=20,
            by_type={"general": TypeCount(40, 30)},
        ),
    )
    page = fund_pages.fund_page(fund=other_fund, fiscal_year=FY, today=TODAY)
    (members,) = _rows(page, "members")
    shown = {k: members[k].public() for k in NESTED_KEYS}
    assert shown == {
        "current": 30,
        "cumulative": HIDDEN,  # the new members are the headline figure: they stay
        "new_this_year": 37,
        "eligible_for_matching": 20,
    }


NESTED_KEYS = ("current", "cumulative", "new_this_year", "eligible_for_matching")


def test_the_fund_and_its_subdistrict_hide_the_same_member_figure(pub: Town) -> None:
    """A subdistrict with one fund shows that fund's members: if one page hid the members
    since the start and the other the current ones, the two together would say who left."""
    from kongtun.public.area_pages import area_page
    from kongtun.public.lookup import area_of

    fund = fund_pages.fund_page(fund=pub.fund, fiscal_year=FY, today=TODAY)
    area = area_page(area=area_of(pub.fund.tambon_id), fiscal_year=FY, today=TODAY)
    (members,) = _rows(fund, "members")
    (totals,) = area.tables["totals"].rows
    assert (members["current"].n, members["cumulative"].n) == (
        totals["members_current"].n,
        totals["members_cumulative"].n,
    )
    assert members["current"].public() == totals["members_current"].public() == 9
    assert members["cumulative"].public() == totals["members_cumulative"].public() == HIDDEN
