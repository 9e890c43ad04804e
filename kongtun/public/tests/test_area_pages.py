"""The public pages of areas and the index: the figures are the roll-up's and the funds' own,
small counts never show (nor can be worked out from a total), no person is named anywhere, and
a fund on its own computer counts with what its package brought.

The province of Lampang (52), fiscal year 2569 (1 October 2025 – 30 September 2026):
  A  `town` (kongtun.indicators.tests.conftest), tambon 520101, district 5201: 13 register
     entries; welfare paid in 2569 to 4 persons (birth 1, education 1, non-members 2);
     new members: 1 in December, 1 in May.
  B  `other_fund`, tambon 520102, district 5201: 6 members since 2020, each paid a birth
     benefit in January; 3 non-members helped; 6 new members in March and 1 in June.
  C  a fund on its own computer, tambon 520201, district 5202: monthly totals (CODI 50,000,
     members 1,000, death benefits 40,000) and a package for 2569 (20 current members,
     25 since the start, 5 new, 15 eligible; death benefits to 8 persons in 8 claims).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kongtun.accounts.models import User
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.models import CommitteeMember, Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import WelfareLine, fund_indicators
from kongtun.indicators.tests.conftest import (  # noqa: F401
    SEPT_30,
    Town,
    birth_of,
    help_for,
    open_town,
    pay_claim,
    town,
)
from kongtun.ledger.services import chart_install
from kongtun.ledger.tests.conftest import post_entry
from kongtun.members.models import Member
from kongtun.members.services import member_register
from kongtun.network.rollup import area_rollup
from kongtun.public.area_pages import (
    NESTED,
    _apart,
    _shared_total,
    area_page,
    index_page,
    index_tree,
)
from kongtun.public.lookup import area_of, funds_in
from kongtun.public.suppress import Count
from kongtun.public.tables import page_json
from kongtun.welfare.services import attendance_record, meeting_open
from kongtun.welfare.tests.conftest import install_regulation

D = Decimal
pytestmark = pytest.mark.django_db

FY = 2569
TODAY = dt.date(2026, 11, 15)  # fiscal year 2569 is over: its figures stand at 30 September
PACKAGE_MEMBERS = {"current": 20, "cumulative": 25, "new_this_year": 5, "eligible": 15}


@pytest.fixture
def province(town: Town, other_fund: Fund, users: dict[str, User]) -> dict[str, Any]:  # noqa: F811
    b = _fund_b(other_fund, users)
    c = _laptop_fund(town)
    return {"A": town.fund, "B": other_fund, "C": c, "town": town, "b_town": b}


def _fund_b(fund: Fund, users: dict[str, User]) -> Town:
    for role in ("secretary", "committee", "treasurer"):
        FundRole.objects.create(fund=fund, user=users[role], role=role)
    b = Town(fund=fund, users=users)
    with fund_scope(fund):
        chart_install(fund=fund)
        install_regulation(fund, users["secretary"])
        seats = [
            CommitteeMember.objects.create(
                fund=fund,
                full_name=f"กรรมการบี {i}",
                position=position,
                term_start=dt.date(2020, 1, 1),
                term_end=dt.date(2030, 12, 31),
            )
            for i, position in enumerate(["chair", "vice_chair", "treasurer", "secretary"], 1)
        ]
        joined = [dt.date(2020, 1, 1)] * 6 + [dt.date(2026, 3, 2)] * 6 + [dt.date(2026, 6, 10)]
        for n, day in enumerate(joined, start=101):
            data = member_data(n, joined_on=day, phone=f"081{n:07d}", house_no=f"{n}/7")
            b.members[str(n)] = member_register(fund=fund, actor=users["secretary"], data=data)
        post_entry(fund, users["treasurer"], dt.date(2025, 10, 1), ("cash", "20000.00"),
                   ("opening", "-20000.00"))  # fmt: skip
        post_entry(fund, users["treasurer"], dt.date(2025, 11, 5), ("cash", "700.00"),
                   ("income.members", "-700.00"))  # fmt: skip
        meeting = meeting_open(
            fund=fund, actor=users["secretary"], number="1/2569", date=dt.date(2026, 1, 15)
        )
        attendance_record(meeting=meeting, actor=users["secretary"], present={s.pk for s in seats})
        b.meetings["1/2569"] = meeting
        on, filed, paid = dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 1, 20)
        for n in range(101, 107):
            pay_claim(b, f"b{n}", birth_of(b.members[str(n)], on), filed, "1/2569", paid)
        for i, name in enumerate(("นายช่วย หนึ่งคน", "นางช่วย สองคน", "นายช่วย สามคน")):
            pay_claim(b, f"h{i}", help_for(name, on), filed, "1/2569", paid)
    return b


def _laptop_fund(town: Town) -> Fund:  # noqa: F811
    """A fund whose books are on its own computer: here only the monthly totals and the
    indicators its package brought."""
    laptop = Fund.objects.create(
        code="lp-ban-dong",
        name="กองทุนสวัสดิการชุมชนตำบลบ้านดง",
        tambon=Tambon.objects.get(code="520201"),
        founded_on=dt.date(2011, 3, 1),
    )
    actor = town.users["treasurer"]
    with fund_scope(town.fund):
        found = fund_indicators(fund=town.fund, on=SEPT_30)
    with fund_scope(laptop):
        # Posted here only to make its monthly totals; the fund then moves to its laptop.
        chart_install(fund=laptop)
        post_entry(laptop, actor, dt.date(2025, 10, 10), ("bank", "50000.00"),
                   ("income.codi", "-50000.00"))  # fmt: skip
        post_entry(laptop, actor, dt.date(2025, 11, 10), ("cash", "1000.00"),
                   ("income.members", "-1000.00"))  # fmt: skip
        post_entry(laptop, actor, dt.date(2026, 2, 10), ("welfare.death", "40000.00"),
                   ("bank", "-40000.00"))  # fmt: skip
    Fund.objects.filter(pk=laptop.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    laptop.refresh_from_db()
    sent = dataclasses.replace(
        found,
        fund_code=laptop.code,
        fund_name=laptop.name,
        members=dataclasses.replace(
            found.members,
            current=PACKAGE_MEMBERS["current"],
            cumulative=PACKAGE_MEMBERS["cumulative"],
            new_this_year=PACKAGE_MEMBERS["new_this_year"],
            eligible_for_matching=PACKAGE_MEMBERS["eligible"],
        ),
        welfare=[WelfareLine("death", 8, 8, D("40000.00"), 8, 8, D("40000.00"))],
    )
    with fund_scope(laptop):
        IndicatorSnapshot.objects.create(
            fund=laptop, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=SEPT_30, data=sent.as_dict()
        )
    return laptop


def _page(code: str, year: int = FY, today: dt.date = TODAY) -> Any:
    return area_page(area=area_of(code), fiscal_year=year, today=today)


def _row(page: Any, table: str, **match: Any) -> dict[str, Any]:
    rows = [r for r in page.tables[table].rows if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (table, match, page.tables[table].rows)
    return rows[0]


def _shown(value: Count) -> int | str:
    return value.public()


# ---------------------------------------------------------------- the figures


def test_the_province_adds_up_its_funds_as_the_roll_up_and_their_indicators_do(province):
    page = _page("52")
    totals = page.tables["totals"].rows[0]
    funds = [province["A"], province["B"], province["C"]]
    report = area_rollup(funds=funds, fiscal_year_be=FY, today=TODAY)
    total = report.total
    assert (
        totals["members_current"].n,
        totals["members_cumulative"].n,
        totals["members_new"].n,
        totals["members_eligible"].n,
        totals["welfare_persons_year"].n,
    ) == (
        total.members_current,
        total.members_total,
        total.members_new,
        total.members_eligible,
        total.welfare_persons,
    )
    assert (
        totals["income_year"],
        totals["contributions_year"],
        totals["welfare_baht_year"],
        totals["money_on_hand"],
    ) == (
        total.money.total_income,
        total.money.contributions,
        total.money.welfare,
        total.money.money_on_hand,
    )
    # The same as the funds' own indicators, the laptop fund's package included.
    own = []
    for fund in (province["A"], province["B"]):
        with fund_scope(fund):
            own.append(fund_indicators(fund=fund, on=SEPT_30))
    assert totals["members_current"].n == sum(i.members.current for i in own) + 20
    assert totals["members_cumulative"].n == sum(i.members.cumulative for i in own) + 25
    assert totals["members_new"].n == sum(i.members.new_this_year for i in own) + 5
    assert totals["members_eligible"].n == sum(i.members.eligible_for_matching for i in own) + 15
    assert totals["income_year"] == sum((i.income_year for i in own), D(0)) + D("51000.00")
    assert totals["contributions_year"] == sum((i.contributions_year for i in own), D(0)) + D(
        "1000.00"
    )
    assert totals["welfare_baht_year"] == sum((i.welfare_paid_year for i in own), D(0)) + D(
        "40000.00"
    )
    assert totals["money_on_hand"] == sum((i.money_on_hand for i in own), D(0)) + D("11000.00")
    persons = sum(w.persons_year for i in own for w in i.welfare) + 8
    assert totals["welfare_persons_year"].n == persons == 21
    # By hand, for the funds built here: B's 6 births and 3 helped, A's 4, C's 8 deaths.
    assert totals["members_new"].n == 2 + 7 + 5
    assert all(isinstance(totals[k], Decimal) for k in ("income_year", "money_on_hand"))

    # The month by month adds up to the year; money in by source to the money in.
    monthly = page.tables["monthly"].rows
    assert [r["month"] for r in monthly] == [
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03",
        "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
    ]  # fmt: skip
    assert sum((r["income"] for r in monthly), D(0)) == totals["income_year"]
    assert sum((r["contributions"] for r in monthly), D(0)) == totals["contributions_year"]
    assert sum((r["welfare"] for r in monthly), D(0)) == totals["welfare_baht_year"]
    income = page.tables["income_by_source"].rows
    assert sum((r["year"] for r in income), D(0)) == totals["income_year"]
    assert _row(page, "income_by_source", source="codi")["year"] == D("50000.00")
    assert all(r["year"] for r in income)  # only sources with money
    # The welfare table's baht: what the claims (and the package) paid, category by category;
    # the total is the whole sum, the baht of the categories whose claims it hides included.
    welfare_total = _row(page, "welfare", category="total")
    assert welfare_total["baht"] == totals["welfare_baht_year"]  # every payment was a claim
    assert welfare_total["baht"] == D("53500.00")
    assert _row(page, "welfare", category="death")["baht"] == D("40000.00")
    # The districts add up to the province.
    parts = page.tables["parts"].rows
    assert [(r["kind"], r["code"], r["funds"]) for r in parts] == [
        ("amphoe", "5201", 2),
        ("amphoe", "5202", 1),
    ]
    assert sum(r["members_current"].n for r in parts) == totals["members_current"].n
    assert sum((r["money_on_hand"] for r in parts), D(0)) == totals["money_on_hand"]
    assert parts[0]["url"] == reverse("public-area", kwargs={"code": "5201"}) + "?fy=2569"
    area = page.tables["area"].rows[0]
    assert (area["level"], area["code"], area["funds"], area["fiscal_year_be"], area["as_of"]) == (
        "province",
        "52",
        3,
        FY,
        SEPT_30,
    )


def test_a_district_lists_its_funds_and_a_running_year_stops_at_the_day(province):
    page = _page("5201")
    parts = page.tables["parts"].rows
    assert [(r["kind"], r["code"]) for r in parts] == [
        ("fund", province["A"].code),
        ("fund", province["B"].code),
    ]
    with translation.override("th"):
        assert _page("5201").tables["parts"].rows[1]["tambon"] == "หัวเวียง"
    with translation.override("en"):
        assert _page("5201").tables["parts"].rows[1]["tambon"] == "Hua Wiang"
    assert parts[1]["url"] == reverse("public-fund", kwargs={"code": province["B"].code}) + (
        "?fy=2569"
    )
    # Mid-year: the figures stand at the day, the months after it are empty.
    running = _page("5201", today=dt.date(2026, 2, 28))
    assert running.as_of == dt.date(2026, 2, 28)
    months = {r["month"]: r for r in running.tables["monthly"].rows}
    assert months["2026-03"]["new_members"].n == 0  # B's six join on 2 March
    assert all(months[m]["income"] == D("0.00") for m in ("2026-03", "2026-09"))
    assert running.tables["totals"].rows[0]["members_new"].n == 1  # A's one of December


# ---------------------------------------------------------------- small counts


def test_small_counts_show_as_under_five_and_a_lone_one_is_protected(province):
    # B alone: births to 6 persons, 3 non-members helped. The 3 is "<5"; the 6 is hidden
    # too, or the total 9 less 6 would give the 3 back.
    page = _page("520102")
    birth = _row(page, "welfare", category="birth")
    helped = _row(page, "welfare", category="non_members")
    total = _row(page, "welfare", category="total")
    assert [_shown(birth[k]) for k in ("persons", "claims")] == ["hidden", "hidden"]
    assert [_shown(helped[k]) for k in ("persons", "claims")] == ["<5", "<5"]
    # The claims in all hide while any baht is withheld (with the baht in all and the fixed
    # rates, they would solve for the withheld counts).
    assert [_shown(total[k]) for k in ("persons", "claims")] == [9, "hidden"]
    # Their baht go with their claims (500 baht a birth would give the 6 back); the total
    # keeps them.
    assert birth["baht"] is None and helped["baht"] is None
    assert total["baht"] == D("9000.00")
    # New members: 6 in March and 1 in June, 7 in the year's total.
    months = {r["month"]: _shown(r["new_members"]) for r in page.tables["monthly"].rows}
    assert months["2026-06"] == "<5"
    assert months["2026-03"] == "hidden"
    assert {v for m, v in months.items() if m not in ("2026-03", "2026-06")} == {0}
    assert _shown(page.tables["totals"].rows[0]["members_new"]) == 7
    chart = page.extra["members"]["chart"]["datasets"][0]["data"]
    assert chart[5] is None and chart[8] is None  # March, June: not drawn
    # The data say the same.
    data = page_json(page, generated_at=dt.datetime(2026, 11, 15, 9, 0))
    welfare = {r["category"]: r for r in data["tables"]["welfare"]}
    assert welfare["birth"]["persons"] == "hidden" and welfare["non_members"]["persons"] == "<5"
    assert welfare["total"]["persons"] == 9

    # District 5201: A helped 4 persons ("<5"), B 9, the district 13: B's 9 is hidden too.
    page = _page("5201")
    parts = {r["code"]: r for r in page.tables["parts"].rows}
    assert _shown(parts[province["A"].code]["welfare_persons_year"]) == "<5"
    assert _shown(parts[province["B"].code]["welfare_persons_year"]) == "hidden"
    assert _shown(page.tables["totals"].rows[0]["welfare_persons_year"]) == 13
    # Current members of both are 5 or more: nothing to hide there.
    assert all(isinstance(_shown(r["members_current"]), int) for r in parts.values())

    # The province: education 1 ("<5"), so the smallest other, non-members 5, is hidden; and
    # as a hidden count is at least 5, 21 − 8 − 7 − (at least 5) would still leave exactly 1:
    # the next smallest, birth 7, is hidden as well.
    page = _page("52")
    shown = {
        r["category"]: (_shown(r["persons"]), _shown(r["claims"]))
        for r in page.tables["welfare"].rows
    }
    assert shown == {
        "birth": ("hidden", "hidden"),
        "death": (8, 8),
        "education": ("<5", "<5"),
        "non_members": ("hidden", "hidden"),
        "total": (21, "hidden"),  # baht are withheld: the claims in all would solve for them
    }


def _count_spans(html: str) -> list[str]:
    return re.findall(r'<span class="count" data-kind="count">([^<]*)</span>', html)


def _charts(html: str) -> list[dict[str, Any]]:
    found = re.findall(r'<script id="(chart-[a-z]+-data)" type="application/json">(.*?)</script>',
                       html, re.S)  # fmt: skip
    return [json.loads(body) for _id, body in found]


def _no_small_count_in_charts(html: str) -> int:
    charts = _charts(html)
    for chart in charts:
        if chart["unit"] != "count":
            continue
        for dataset in chart["datasets"]:
            for value in dataset["data"]:
                assert value is None or (isinstance(value, int) and not 0 < value < 5), chart
    return len(charts)


AREAS = ["52", "5201", "5202", "520101", "520102", "520201"]


def test_no_person_and_no_small_count_on_any_page_data_or_chart(province, client):
    town_people: list[Member] = list(province["town"].members.values())
    people = town_people + list(province["b_town"].members.values())
    secrets = {make_national_id(seed) for seed in [*range(1, 14), *range(101, 114)]}
    for person in people:
        secrets |= {person.first_name, person.national_id_masked, str(person.code)}
        secrets |= {s for s in (person.phone, person.house_no) if s}
    for claims in (province["town"].claims, province["b_town"].claims):
        for claim in claims.values():
            secrets |= {s for s in (claim.person_name, claim.number) if s}
    secrets = {s.strip() for s in secrets if s and s.strip()}
    assert len(secrets) > 40
    bodies: list[tuple[str, str]] = []
    for language in ("th", "en"):
        client.cookies["django_language"] = language
        for url in [reverse("public-index")] + [
            reverse("public-area", kwargs={"code": code}) + "?fy=2569" for code in AREAS
        ]:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            bodies.append((url, html))
            for shown in _count_spans(html):
                assert shown not in ("1", "2", "3", "4"), (url, shown)
            if "/area/" in url:
                assert _no_small_count_in_charts(html) >= 2, url
    for code in AREAS:
        response = client.get(reverse("open-area", kwargs={"code": code, "year": FY}))
        assert response.status_code == 200
        data = json.loads(response.content)
        bodies.append((code, response.content.decode()))
        for table in data["tables"]:
            spec = {c.key: c.kind for c in _page(code).tables[table].spec.columns}
            for row in data["tables"][table]:
                for key, value in row.items():
                    if spec[key] == "count":
                        assert value in ("<5", "hidden") or value == 0 or value >= 5
            csv_url = reverse("open-area-csv", kwargs={"code": code, "year": FY, "table": table})
            text = client.get(csv_url).content.decode("utf-8-sig")
            bodies.append((csv_url, text))
            assert next(csv.reader(io.StringIO(text))) == list(spec)
    for table in ("areas", "funds"):
        text = client.get(reverse("open-index-csv", kwargs={"table": table})).content.decode()
        bodies.append((table, text))
    bodies.append(("index.json", client.get(reverse("open-index")).content.decode()))
    for where, body in bodies:
        for secret in secrets:
            assert secret not in body, (where, secret)


# ---------------------------------------------------------------- special areas


def test_an_own_computer_fund_counts_with_its_package_and_monthly_totals(province, client):
    page = _page("5202")
    totals = page.tables["totals"].rows[0]
    assert page.source == "package"
    assert [_shown(totals[k]) for k in ("members_current", "members_new", "members_eligible")] == [
        20,
        5,
        15,
    ]
    assert _shown(totals["welfare_persons_year"]) == 8
    assert (totals["income_year"], totals["welfare_baht_year"], totals["money_on_hand"]) == (
        D("51000.00"),
        D("40000.00"),
        D("11000.00"),
    )
    months = {r["month"]: r for r in page.tables["monthly"].rows}
    assert months["2025-10"]["income"] == D("50000.00")
    assert months["2026-02"]["welfare"] == D("40000.00")
    assert page.extra["own_computer"] == [province["C"].name]
    # The province counts it as well, and says its figures came in a package.
    assert _page("52").source == "records"
    assert _page("52").extra["own_computer"] == [province["C"].name]
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "5202"}), {"fy": FY}).content.decode()
    assert 'id="own-computer"' in html and "1 fund here keeps its records" in html
    assert 'id="fig-members-current"><span class="count" data-kind="count">20</span>' in html


def test_an_area_with_no_fund_shows_zeros_and_says_so(province, client):
    page = _page("5203")  # Ko Kha: no fund here
    assert funds_in(area_of("5203")) == []
    totals = page.tables["totals"].rows[0]
    assert all((v.n == 0) if isinstance(v, Count) else (v == D("0.00")) for v in totals.values())
    assert page.tables["parts"].rows == ()
    assert [r["category"] for r in page.tables["welfare"].rows] == ["total"]
    assert len(page.tables["monthly"].rows) == 12
    assert page.tables["income_by_source"].rows == ()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "5203"})).content.decode()
    assert 'id="no-funds"' in html and "No fund in this area" in html
    assert client.get(reverse("open-area", kwargs={"code": "5203", "year": FY})).status_code == 200


def test_unknown_areas_are_not_found(province, client):
    for code in ("99", "5299", "529999", "abc", "5", "52010", "5201011"):
        assert client.get(reverse("public-area", kwargs={"code": code})).status_code == 404, code
        url = reverse("open-area", kwargs={"code": code, "year": FY})
        assert client.get(url).status_code == 404, code


# ---------------------------------------------------------------- the index


def test_the_index_lists_every_fund_and_every_area_with_a_fund(province, client):
    page = index_page(today=TODAY)
    funds = {r["code"]: r for r in page.tables["funds"].rows}
    assert set(funds) == set(Fund.objects.values_list("code", flat=True))
    b = funds[province["B"].code]
    assert (b["tambon_code"], b["amphoe_code"], b["province_code"]) == ("520102", "5201", "52")
    assert b["url"] == reverse("public-fund", kwargs={"code": province["B"].code})
    assert b["data_url"] == reverse("open-fund", kwargs={"code": province["B"].code, "year": 2570})
    assert [(r["level"], r["code"], r["funds"]) for r in page.tables["areas"].rows] == [
        ("province", "52", 3),
        ("amphoe", "5201", 2),
        ("amphoe", "5202", 1),
    ]
    assert page.tables["areas"].rows[0]["url"] == reverse("public-area", kwargs={"code": "52"})

    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-index")).content.decode()
    for row in funds.values():
        assert f'href="{row["url"]}"' in html and row["name"] in html
    for code in ("52", "5201", "5202"):
        assert f'href="{reverse("public-area", kwargs={"code": code})}"' in html
    assert "Mueang Lampang" in html and "Province Lampang" in html
    # The filter box works without JavaScript.
    html = client.get(reverse("public-index"), {"q": "บ้านดง"}).content.decode()
    assert province["C"].name in html
    assert province["A"].name not in html and province["B"].name not in html
    assert "1 fund matches" in html
    tree = index_tree(page, "หัวเวียง")
    assert [d.code for p in tree for d in p.districts] == ["5201"]
    assert [f["code"] for p in tree for d in p.districts for f in d.shown] == [province["B"].code]
    html = client.get(reverse("public-index"), {"q": "nothing like this"}).content.decode()
    assert 'id="no-funds"' in html


# ---------------------------------------------------------------- the HTML page


def test_the_area_page_in_english_with_its_year_crumbs_tables_and_data_links(province, client):
    client.cookies["django_language"] = "en"
    url = reverse("public-area", kwargs={"code": "520102"})
    html = client.get(url, {"fy": "2569"}).content.decode()
    assert '<html lang="en">' in html
    assert "Subdistrict Hua Wiang" in html
    # Up the crumbs to the district and the province, the year kept.
    for code in ("52", "5201"):
        assert f'href="{reverse("public-area", kwargs={"code": code})}?fy=2569"' in html
    assert f'href="{reverse("public-index")}"' in html
    assert '<option value="2569" selected>' in html
    for table in ("area", "totals", "income_by_source", "welfare", "monthly", "parts"):
        csv_url = reverse("open-area-csv", kwargs={"code": "520102", "year": FY, "table": table})
        assert f'href="{csv_url}"' in html, table
        assert client.get(csv_url).status_code == 200
    assert f'href="{reverse("open-area", kwargs={"code": "520102", "year": FY})}"' in html
    for table in ("parts", "welfare", "monthly", "income_by_source", "totals"):
        assert f'id="table-{table}"' in html
    # The charts, drawn from data on the page by the site's own script: money and members;
    # no welfare bar, as every category's baht is withheld with its claims (the note says so).
    charts = {c["unit"]: c for c in _charts(html)}
    assert len(_charts(html)) == 2 and set(charts) == {"baht", "count"}
    assert 'id="welfare-withheld"' in html and 'id="no-welfare"' not in html
    assert "public/charts.js" in html and "vendor/chart-4.6.1.umd.min.js" in html
    assert 'id="members-hidden"' in html
    assert '<span class="count" data-kind="count">hidden</span>' in html
    assert '<span class="count" data-kind="count">&lt;5</span>' in html
    assert "Welfare paid by category" in html or "Welfare paid by CODI category" in html
    money = next(c for c in _charts(html) if c["stacked"])
    assert [d["label"] for d in money["datasets"]] == ["Members' contributions"]
    assert money["datasets"][0]["data"][1] == "700.00"  # November
    # Another year, or none: the current one.
    html = client.get(url, {"fy": "1999"}).content.decode()
    assert '<option value="2570" selected>' in html
    html = client.get(url).content.decode()
    assert '<option value="2570" selected>' in html
    assert f'href="{reverse("public-area", kwargs={"code": "52"})}"' in html  # no ?fy= now


def test_the_welfare_chart_draws_only_the_categories_whose_baht_is_shown(province, client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "52"}), {"fy": "2569"}).content
    html = html.decode()
    welfare = next(c for c in _charts(html) if c["horizontal"])
    assert welfare["unit"] == "baht"
    # Death (8 claims) only: birth, education and non-members have their claims hidden.
    assert welfare["labels"] == ["Death"]
    assert welfare["datasets"][0]["data"] == ["40000.00"]
    assert 'id="welfare-withheld"' in html and "shows no baht" in html
    # A district where every category's claims are shown: every bar, and no note.
    html = client.get(reverse("public-area", kwargs={"code": "5202"}), {"fy": "2569"}).content
    welfare = next(c for c in _charts(html.decode()) if c["horizontal"])
    assert welfare["datasets"][0]["data"] == ["40000.00"]
    assert 'id="welfare-withheld"' not in html.decode()


# ---------------------------------------------------------------- figures that give others away


def test_baht_go_with_their_claims_and_the_total_keeps_the_whole_sum(province, client):
    # Birth 8 claims of 1,000 baht: 8,000 baht beside "hidden" would give the 8 back.
    page = _page("52")
    rows = {r["category"]: r for r in page.tables["welfare"].rows}
    for category, row in rows.items():
        if category == "total":  # keeps its baht; its claims hide while any baht is withheld
            assert row["baht"] is not None and not row["claims"].shown
            continue
        assert (row["baht"] is None) == (not row["claims"].shown), category
    assert [k for k, r in rows.items() if r["baht"] is None] == [
        "birth",
        "education",
        "non_members",
    ]
    paid = area_rollup(
        funds=funds_in(area_of("52")), fiscal_year_be=FY, today=TODAY
    ).total.welfare_by_category()
    assert rows["total"]["baht"] == sum((b for _c, _n, _p, b in paid), D(0)) == D("53500.00")
    # The open data say the same: null in JSON, an empty cell in CSV.
    data = json.loads(client.get(reverse("open-area", kwargs={"code": "52", "year": FY})).content)
    welfare = {r["category"]: r for r in data["tables"]["welfare"]}
    assert welfare["birth"]["baht"] is None and welfare["total"]["baht"] == "53500.00"
    csv_url = reverse("open-area-csv", kwargs={"code": "52", "year": FY, "table": "welfare"})
    found = list(csv.DictReader(io.StringIO(client.get(csv_url).content.decode("utf-8-sig"))))
    assert {r["category"]: r["baht"] for r in found}["birth"] == ""
    # No page draws a withheld baht.
    for code in AREAS:
        page = _page(code)
        chart = page.extra["welfare"]["chart"]
        shown = {
            r["category_name"]: str(r["baht"])
            for r in page.tables["welfare"].rows
            if r["category"] != "total" and r["baht"] is not None
        }
        assert dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True)) == shown


def _package_only_fund(
    town: Town,  # noqa: F811
    code: str,
    tambon: str,
    *,
    welfare: tuple[WelfareLine, ...] = (),
    new_this_year: int = 0,
    as_of: dt.date = SEPT_30,
) -> Fund:
    """A fund on its own computer with nothing here but a package for 2569: 30 members
    admitted before the year and the new ones, and the welfare given."""
    fund = Fund.objects.create(
        code=code,
        name=f"กองทุนสวัสดิการชุมชน {code}",
        tambon=Tambon.objects.get(code=tambon),
        founded_on=dt.date(2012, 1, 1),
        runs_on=Fund.RunsOn.OWN_COMPUTER,
    )
    with fund_scope(town.fund):
        found = fund_indicators(fund=town.fund, on=SEPT_30)
    members = dataclasses.replace(
        found.members,
        current=30 + new_this_year,
        cumulative=30 + new_this_year,
        new_this_year=new_this_year,
        eligible_for_matching=30,
    )
    sent = dataclasses.replace(
        found,
        fund_code=fund.code,
        fund_name=fund.name,
        as_of=as_of,
        members=members,
        welfare=list(welfare),
    )
    with fund_scope(fund):
        IndicatorSnapshot.objects.create(
            fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=as_of, data=sent.as_dict()
        )
    return fund


def test_a_persons_total_the_welfare_table_hides_is_hidden_everywhere(province, client):
    # The reviewer's case: one fund, death to 1 person and births to 5. The table shows
    # "<5" and "hidden" and hides its total; a 6 anywhere else would give the death back.
    alone = _package_only_fund(
        province["town"],
        "lp-pong-don",
        "520202",
        welfare=(
            WelfareLine("death", 1, 1, D("3000.00"), 1, 1, D("3000.00")),
            WelfareLine("birth", 5, 5, D("2500.00"), 5, 5, D("2500.00")),
        ),
    )
    page = _page("520202")
    shown = {
        r["category"]: (_shown(r["persons"]), _shown(r["claims"]), r["baht"])
        for r in page.tables["welfare"].rows
    }
    assert shown == {
        "death": ("<5", "<5", None),
        "birth": ("hidden", "hidden", None),
        "total": ("hidden", "hidden", D("5500.00")),
    }
    assert _shown(page.tables["totals"].rows[0]["welfare_persons_year"]) == "hidden"
    assert [_shown(r["welfare_persons_year"]) for r in page.tables["parts"].rows] == ["hidden"]
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "520202"}), {"fy": FY}).content
    assert "6" not in _count_spans(html.decode())
    data = json.loads(
        client.get(reverse("open-area", kwargs={"code": "520202", "year": FY})).content
    )
    assert data["tables"]["totals"][0]["welfare_persons_year"] == "hidden"
    assert data["tables"]["parts"][0]["welfare_persons_year"] == "hidden"
    # The district above lists the fund as its own page shows it: hidden, not 6.
    parts = {r["code"]: r for r in _page("5202").tables["parts"].rows}
    assert _shown(parts[alone.code]["welfare_persons_year"]) == "hidden"


def test_a_persons_total_the_parts_would_give_away_is_hidden_in_the_welfare_table(province):
    # Two funds of one subdistrict, deaths to 1 and to 5 persons: the category alone is 6,
    # harmless, but beside the funds' "<5" and "hidden" it gives the 1 back. So the total
    # goes, and the category and its claims with it (6 claims: at most 6 persons).
    for code, n in (("lp-one", 1), ("lp-five", 5)):
        baht = D(3000 * n)
        line = WelfareLine("death", n, n, baht, n, n, baht)
        _package_only_fund(province["town"], code, "520203", welfare=(line,))
    page = _page("520203")
    rows = {r["category"]: r for r in page.tables["welfare"].rows}
    assert [_shown(rows["death"][k]) for k in ("persons", "claims")] == ["hidden", "hidden"]
    assert [_shown(rows["total"][k]) for k in ("persons", "claims")] == ["hidden", "hidden"]
    assert rows["death"]["baht"] is None
    parts = {r["code"]: _shown(r["welfare_persons_year"]) for r in page.tables["parts"].rows}
    assert parts == {"lp-one": "<5", "lp-five": "hidden"}
    assert _shown(page.tables["totals"].rows[0]["welfare_persons_year"]) == "hidden"


def test_new_members_no_month_holds_are_protected_with_the_months(province, client):
    # April 2026: B's six of March are in the months; a fund on its own computer in the same
    # subdistrict brought 2 new members in its package, in no month. The year's 8 less
    # March's 6 would be those 2: March is hidden.
    today = dt.date(2026, 4, 30)
    _package_only_fund(province["town"], "lp-hua-wiang-2", "520102", new_this_year=2, as_of=today)
    page = _page("520102", today=today)
    months = {r["month"]: r["new_members"] for r in page.tables["monthly"].rows}
    assert months["2026-03"].n == 6 and _shown(months["2026-03"]) == "hidden"
    assert all(c.n == 0 for m, c in months.items() if m != "2026-03")
    totals = page.tables["totals"].rows[0]
    assert _shown(totals["members_new"]) == 8
    assert page.extra["members"]["chart"]["datasets"][0]["data"][5] is None
    # The province at the year's end: C's package brought 5 and this one 2 that no month
    # holds; the months and the year add up once those are counted.
    page = _page("52")
    months_n = sum(r["new_members"].n for r in page.tables["monthly"].rows)
    assert page.tables["totals"].rows[0]["members_new"].n == months_n + 5 + 2
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "52"}), {"fy": FY}).content.decode()
    assert 'id="members-unplaced"' in html


def test_two_member_figures_never_differ_by_one_to_four(province, client):
    # District 5201: 24 members since the start, 22 current: 2 have left. The current
    # members stay; "since the start" is hidden.
    totals = _page("5201").tables["totals"].rows[0]
    assert (totals["members_cumulative"].n, totals["members_current"].n) == (24, 22)
    assert [_shown(totals[k]) for k in ("members_current", "members_cumulative")] == [22, "hidden"]
    # Subdistrict 520101 (A): 11 since the start, 9 current, 6 eligible: 2 left, 3 not yet
    # eligible. Only the current members are shown of the three.
    totals = _page("520101").tables["totals"].rows[0]
    assert [totals[k].n for k in ("members_cumulative", "members_current", "members_eligible")] == [
        11,
        9,
        6,
    ]
    assert [
        _shown(totals[k]) for k in ("members_cumulative", "members_current", "members_eligible")
    ] == ["hidden", 9, "hidden"]
    client.cookies["django_language"] = "en"
    html = client.get(reverse("public-area", kwargs={"code": "520101"}), {"fy": FY}).content
    spans = _count_spans(html.decode())
    assert "11" not in spans and "6" not in spans
    # B's subdistrict: 13 and 13 (no one left), 6 eligible, 7 new: all shown.
    totals = _page("520102").tables["totals"].rows[0]
    assert [
        _shown(totals[k])
        for k in ("members_cumulative", "members_current", "members_eligible", "members_new")
    ] == [13, 13, 6, 7]
    # Every pair on every page.
    for code in AREAS:
        totals = _page(code).tables["totals"].rows[0]
        for larger, smaller in NESTED:
            if totals[larger].shown and totals[smaller].shown:
                assert not 0 < totals[larger].n - totals[smaller].n < 5, (code, larger, smaller)


def test_the_rules_on_their_own():
    hidden, small = Count(5, hidden=True), Count(1)
    # One total, several groups: hidden when any group needs it, with the others' counts.
    total, groups = _shared_total(6, [[Count(6)], [small, hidden]])
    assert _shown(total) == "hidden" and [_shown(c) for c in groups[0]] == ["hidden"]
    total, groups = _shared_total(106, [[Count(106)], [small, hidden, Count(100, hidden=True)]])
    assert _shown(total) == 106 and groups[0] == [Count(106)]
    # Members: new 20 of 23 since the start (3 from before the year): "since the start" goes.
    figures = {
        "members_current": Count(10),
        "members_cumulative": Count(23),
        "members_new": Count(20),
        "members_eligible": Count(0),
    }
    out = _apart(figures)
    assert [_shown(out[k]) for k in figures] == [10, "hidden", 20, 0]


# ---------------------------------------------------------------- on a phone


BROWSER_SEED = """
import dataclasses
import datetime as dt
from decimal import Decimal as D
from django.utils import timezone
from kongtun.accounts.models import User
from kongtun.contributions.matching import government_year, government_year_of
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import WelfareLine, fund_indicators
from kongtun.ledger import core
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.services import chart_install, entry_post
from kongtun.members.models import Event
from kongtun.members.services import MemberInput, member_change_status, member_register
fy = government_year_of(timezone.localdate()) - 1
start, end = government_year(fy)
chair = User.objects.create_user("chair", password="not-used-here", full_name="ประธาน")
fund = Fund.objects.create(code="lp-wiang-nuea", name="กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ",
    tambon=Tambon.objects.get(code="520101"), founded_on=dt.date(2010, 1, 1))
FundRole.objects.create(fund=fund, user=chair, role="chair")
with fund_scope(fund):
    chart_install(fund=fund)
    # Six members for years, and two new in December: a month of "<5", not drawn.
    for i, joined in enumerate([dt.date(2020, 1, 1)] * 6 + [start.replace(month=12)] * 2):
        body = f"5{i + 1:011d}"[:12]
        check = (11 - sum(int(d) * (13 - j) for j, d in enumerate(body)) % 11) % 10
        m = member_register(fund=fund, actor=chair, data=MemberInput(
            first_name=f"สมาชิกลับ{i}", last_name="ทดสอบ", national_id=body + str(check),
            birth_date=dt.date(1960, 1, 1), joined_on=joined, title="นาง"))
        if m.status != "active":
            member_change_status(member=m, actor=chair, event=Event.APPROVED, effective_on=joined)
    for day, account, source, amount in (
        (start.replace(month=11), "4101", "members", "900.00"),
        (dt.date(end.year, 1, 10), "4501", "donations", "500.00"),
    ):
        entry_post(fund=fund, actor=chair, kind="general", entry=core.Entry(day, "เงินเข้า", (
            core.Posting("1101", D(amount)), core.Posting(account, -D(amount), source))))
    found = fund_indicators(fund=fund, on=end)
# A fund on its own computer whose package paid in every category: every long label drawn.
laptop = Fund.objects.create(code="lp-ban-dong", name="กองทุนสวัสดิการชุมชนตำบลบ้านดง",
    tambon=Tambon.objects.get(code="520201"), founded_on=dt.date(2011, 3, 1),
    runs_on=Fund.RunsOn.OWN_COMPUTER)
lines = [WelfareLine(key, 6, 6, D(1000 * n), 6, 6, D(1000 * n))
         for n, (key, _th, _en) in enumerate(WELFARE_CATEGORIES, start=1)]
lines.append(WelfareLine("non_members", 5, 5, D("5000.00"), 5, 5, D("5000.00")))
sent = dataclasses.replace(found, fund_code=laptop.code, fund_name=laptop.name, welfare=lines)
with fund_scope(laptop):
    IndicatorSnapshot.objects.create(fund=laptop, kind=IndicatorSnapshot.Kind.IMPORTED,
        as_of=end, data=sent.as_dict())
"""

# Where the leftmost tick label of a chart's category axis starts, in CSS pixels: below 0 it
# is cut off at the canvas's edge (as on the officers' dashboard at 390 px).
LABELS_LEFT = """(selector) => {
  const chart = Chart.getChart(document.querySelector(selector));
  const ctx = chart.ctx;
  let left = Infinity;
  for (const item of chart.scales.y.getLabelItems()) {
    ctx.save();
    ctx.font = item.font.string;
    const lines = Array.isArray(item.label) ? item.label : [item.label];
    const width = Math.max(...lines.map((line) => ctx.measureText(line).width));
    ctx.restore();
    const x = item.options.translation[0];
    const align = item.options.textAlign;
    left = Math.min(left, align === "right" ? x - width : align === "center" ? x - width / 2 : x);
  }
  return left;
}"""


@pytest.fixture(scope="module")
def phone_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kongtun.web.tests.browser import serve

    with serve(tmp_path_factory.mktemp("public-area"), BROWSER_SEED) as base:
        yield base


@pytest.mark.browser
def test_on_a_phone_the_province_page_fits_and_draws_its_charts_whole(phone_server):
    from kongtun.contributions.matching import government_year_of
    from kongtun.web.tests.browser import chromium, shot

    last_year = government_year_of(timezone.localdate()) - 1
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))

        def failed(answer: Any) -> None:
            # Chromium asks for /favicon.ico on its own; the site has none.
            if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
                problems.append(f"{answer.status} {answer.url}")

        page.on("response", failed)

        def fits() -> bool:
            return bool(page.evaluate("document.documentElement.scrollWidth <= innerWidth"))

        page.goto(phone_server + "/public/")
        assert fits(), "the index scrolls sideways at 390 px"
        shot(page, "public-area-01-index")
        page.click("#province-52 h2 a")
        page.wait_for_url("**/public/area/52/")
        page.select_option("#fy", str(last_year))
        page.click("#fy-form button")
        page.wait_for_url(f"**/public/area/52/?fy={last_year}")
        page.wait_for_selector("#chart-welfare.chart-drawn")
        for chart in ("money", "welfare", "members"):
            drawn = page.evaluate(
                "(s) => { const c = document.querySelector(s);"
                " return !!Chart.getChart(c) && c.width > 0 && c.height > 0; }",
                f"#chart-{chart} canvas",
            )
            assert drawn, chart
        # Fifteen categories, none of their labels cut off at the left edge.
        assert (
            page.evaluate(
                "Chart.getChart(document.querySelector('#chart-welfare canvas')).data.labels.length"
            )
            == 15
        )
        assert page.evaluate(LABELS_LEFT, "#chart-welfare canvas") >= 0
        # December's two new members: "<5" in the table, no bar in the chart.
        members = page.evaluate(
            "Chart.getChart(document.querySelector('#chart-members canvas')).data.datasets[0].data"
        )
        assert members[2] is None and not any(v and 0 < v < 5 for v in members)
        assert fits(), "the province page scrolls sideways at 390 px"
        shot(page, "public-area-02-province")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert fits(), "the tables behind the charts scroll sideways at 390 px"
        assert "สมาชิกลับ" not in page.content()

        page.click("#table-parts a >> nth=0")
        page.wait_for_url(f"**/public/area/5201/?fy={last_year}")
        page.wait_for_selector("#chart-money.chart-drawn")
        assert fits(), "the district page scrolls sideways at 390 px"
        shot(page, "public-area-03-district")
        assert problems == []
        context.close()
