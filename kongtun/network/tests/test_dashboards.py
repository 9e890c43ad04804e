"""The network dashboards: who may open which area and fund, what they show (aggregates only),
and that the figures of the areas below add up to the area above."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from kongtun.accounts.models import User
from kongtun.conftest import member_data
from kongtun.funds.models import CofundingApplication, Fund, FundRole, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.ledger import core
from kongtun.ledger.models import Source
from kongtun.ledger.services import chart_install, entry_post
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status, member_register
from kongtun.network.selectors import current_fiscal_year_be

D = Decimal


def _area(level: str, code: str, fy: int | None = None) -> str:
    url = reverse("network-area", kwargs={"level": level, "code": code})
    return url + (f"?fy={fy}" if fy else "")


def _fund(code: str) -> str:
    return reverse("network-fund", kwargs={"fund": code})


def _members(fund: Fund, actor: User, seeds: list[int]) -> list[Member]:
    people = []
    for seed in seeds:
        m = member_register(
            fund=fund, actor=actor, data=member_data(seed, joined_on=dt.date(2020, 1, 1))
        )
        if m.status != "active":  # funds that approve members at a meeting
            m = member_change_status(
                member=m, actor=actor, event=Event.APPROVED, effective_on=dt.date(2020, 1, 1)
            )
        people.append(m)
    return people


def _money_in(fund: Fund, actor: User, on: dt.date, members: str, donations: str = "") -> None:
    """Members' contributions (and donations) into cash, as the books record them."""
    postings = [core.Posting("1101", D(members)), core.Posting("4101", -D(members), "members")]
    if donations:
        postings += [
            core.Posting("1101", D(donations)),
            core.Posting("4501", -D(donations), "donations"),
        ]
    entry_post(
        fund=fund, actor=actor, kind="general", entry=core.Entry(on, "เงินเข้า", tuple(postings))
    )


@pytest.fixture
def province(fund: Fund, other_fund: Fund, users: dict[str, User]) -> dict[str, Any]:
    """Three funds in Lampang: two in Mueang Lampang (5201), one in Mae Mo (5202), with members
    and money this month; the first applies for co-funding this fiscal year."""
    far = Fund.objects.create(
        code="lp-ban-dong",
        name="กองทุนสวัสดิการชุมชนตำบลบ้านดง",
        tambon=Tambon.objects.get(code="520201"),
        founded_on=dt.date(2011, 3, 1),
    )
    far_chair = User.objects.create_user(username="far_chair", full_name="far chair")
    FundRole.objects.create(fund=far, user=far_chair, role="chair")
    today = timezone.localdate()
    cast = [
        (fund, users["chair"], [1, 2, 3], "900.00", "500.00"),
        (other_fund, users["other_chair"], [4, 5], "600.00", ""),
        (far, far_chair, [6], "300.00", ""),
    ]
    people: list[Member] = []
    for f, actor, seeds, members, donations in cast:
        with fund_scope(f):
            chart_install(fund=f)
            people += _members(f, actor, seeds)
            _money_in(f, actor, today, members, donations)
    with fund_scope(fund):
        CofundingApplication.objects.create(fund=fund, fiscal_year_be=current_fiscal_year_be(today))
    amphoe_officer = User.objects.create_user(username="amphoe_officer", full_name="อำเภอ")
    OfficerAssignment.objects.create(user=amphoe_officer, level="amphoe", area_code="5201")
    users["amphoe_officer"] = amphoe_officer
    users["far_chair"] = far_chair
    return {"far": far, "people": people}


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_officers_see_aggregates_never_a_member(fund, province, client_for):
    client = client_for("officer")
    pages = [
        reverse("network-overview"),
        _area("province", "52"),
        _area("amphoe", "5201"),
        _area("tambon", "520101"),
        _fund(fund.code),
        _fund(province["far"].code),
    ]
    for url in pages:
        html = _get(client, url).content.decode()
        for person in province["people"]:
            assert person.first_name not in html, url
            assert person.national_id_masked not in html, url
            assert str(person.code) not in html, url


def test_a_province_officer_opens_every_area_and_fund_of_the_province(
    fund, other_fund, province, client_for
):
    client = client_for("officer")
    for url in (
        _area("province", "52"),
        _area("amphoe", "5201"),
        _area("amphoe", "5202"),
        _area("tambon", "520101"),
        _area("tambon", "520201"),
        _fund(fund.code),
        _fund(other_fund.code),
        _fund(province["far"].code),
    ):
        _get(client, url)
    # Another province, and places that do not exist, are not there.
    for url in (
        _area("province", "50"),
        _area("amphoe", "5001"),
        _area("province", "99"),
        _area("district", "5201"),
    ):
        assert client.get(url).status_code == 404, url


def test_a_district_officer_opens_their_district_and_what_is_in_it_only(
    fund, other_fund, province, users, client_for
):
    client = client_for("amphoe_officer")
    for url in (_area("amphoe", "5201"), _area("tambon", "520101"), _fund(other_fund.code)):
        _get(client, url)
    for url in (
        _area("province", "52"),
        _area("amphoe", "5202"),
        _area("tambon", "520201"),
        _fund(province["far"].code),
        _fund("no-such-fund"),
    ):
        assert client.get(url).status_code == 404, url
    # Their district's page lists its funds, not the other district's.
    html = _get(client, _area("amphoe", "5201")).content.decode()
    assert fund.name in html and other_fund.name in html
    assert province["far"].name not in html
    # They are offered no way up to the province.
    assert _area("province", "52") not in html


def test_fund_people_and_outsiders_get_404(fund, province, client_for):
    urls = [
        reverse("network-overview"),
        _area("province", "52"),
        _area("amphoe", "5201"),
        _area("tambon", "520101"),
        _fund(fund.code),
    ]
    for who in ("chair", "treasurer", "other_chair", "far_chair", "nobody"):
        client = client_for(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    anonymous = client_for(None)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_drilling_down_from_the_province_to_a_fund(fund, province, client_for):
    client = client_for("officer")
    html = _get(client, _area("province", "52")).content.decode()
    assert f'href="{_area("amphoe", "5201")}"' in html
    assert f'href="{_area("amphoe", "5202")}"' in html
    html = _get(client, _area("amphoe", "5201")).content.decode()
    assert f'href="{_fund(fund.code)}"' in html
    assert f'href="{_area("tambon", "520101")}"' in html
    # Going down keeps the links back up.
    assert f'href="{_area("province", "52")}"' in html
    html = _get(client, _fund(fund.code)).content.decode()
    assert fund.name in html
    assert f'href="{_area("amphoe", "5201")}"' in html


def test_a_chosen_fiscal_year_carries_down_the_links(fund, province, client_for):
    year = current_fiscal_year_be(timezone.localdate()) - 1
    html = _get(client_for("officer"), _area("province", "52", fy=year)).content.decode()
    assert f'href="{_area("amphoe", "5201", fy=year)}"' in html
    assert f'<option value="{year}" selected>' in html


FIGURES = [
    "funds",
    "members_current",
    "members_cumulative",
    "members_eligible",
    "contributions_year",
    "welfare_persons_year",
    "welfare_baht_year",
    "money_on_hand",
    "books_current",
    "applying",
]


def test_the_districts_add_up_to_the_province(province, client_for):
    context = _get(client_for("officer"), _area("province", "52")).context
    totals, lines = context["totals"], context["lines"]
    assert [line.name for line in lines] == ["เมืองลำปาง", "แม่เมาะ"]
    for name in FIGURES:
        assert getattr(totals, name) == sum(getattr(line.figures, name) for line in lines), name
    assert totals.funds == 3
    assert totals.members_current == 6
    assert totals.contributions_year == D("1800.00")
    assert totals.money_on_hand == D("2300.00")
    assert totals.applying == 1
    # A district's own page shows what its row on the province page shows.
    district = _get(client_for("officer"), _area("amphoe", "5201")).context["totals"]
    for name in FIGURES:
        assert getattr(district, name) == getattr(lines[0].figures, name), name


def test_the_cards_show_the_totals(province, client_for):
    html = _get(client_for("officer"), _area("province", "52")).content.decode()
    assert 'id="fig-funds">3<' in html
    assert 'id="fig-members-current">6<' in html
    assert 'id="fig-contributions">1,800.00<' in html
    assert 'id="fig-money">2,300.00<' in html
    assert 'id="fig-applying">1<' in html


def _chart_data(html: str, name: str) -> dict[str, Any]:
    start = html.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_money_chart_has_this_months_money_by_source(fund, province, client_for):
    html = _get(client_for("officer"), _area("province", "52")).content.decode()
    chart = _chart_data(html, "chart-money-data")
    assert chart["type"] == "bar" and chart["stacked"] is True
    assert len(chart["labels"]) == 12  # October to September
    today = timezone.localdate()
    month = (today.month - 10) % 12  # the fiscal year starts in October
    by_label = {d["label"]: d["data"] for d in chart["datasets"]}
    with translation.override("th"):  # the page's language: nobody asked for another
        members, donations = str(Source.MEMBERS.label), str(Source.DONATIONS.label)
    assert set(by_label) == {members, donations}
    assert by_label[members][month] == "1800.00"
    assert by_label[donations][month] == "500.00"
    assert sum(Decimal(v) for v in by_label[members]) == Decimal("1800.00")
    # The same figures are in the table next to the chart, for those who cannot see it.
    assert 'id="table-money"' in html and "1,800.00" in html
    # The canvas is drawn by the vendored Chart.js and a static script; no inline code.
    assert "vendor/chart-4.6.1.umd.min.js" in html and "network/dashboard.js" in html
    assert "<script>" not in html


def test_the_fund_page_shows_its_indicators_and_links(fund, province, client_for):
    response = _get(client_for("officer"), _fund(fund.code))
    html = response.content.decode()
    assert 'id="fig-members-current">3<' in html
    assert 'id="fig-contributions">900.00<' in html
    chart = _chart_data(html, "chart-money-data")
    month = (timezone.localdate().month - 10) % 12
    assert sorted(d["data"][month] for d in chart["datasets"]) == ["500.00", "900.00"]
    # It leads on to the fund's co-funding application this year, and to its CODI forms.
    with fund_scope(fund):
        application = CofundingApplication.objects.get(fund=fund)
    vetting = reverse("vetting-application", kwargs={"application": application.code})
    assert f'href="{vetting}" id="link-vetting"' in html
    try:
        forms = reverse("codi-network-fund", kwargs={"code": fund.code})
    except NoReverseMatch:  # network/codi/ not mounted in this build
        forms = None
    if forms:
        assert f'href="{forms}" id="link-codi"' in html
    # The other fund applies for nothing: no link to a vetting that is not there.
    html = _get(client_for("officer"), _fund(province["far"].code)).content.decode()
    assert 'id="link-vetting"' not in html


def test_a_fiscal_year_outside_the_offered_ones_shows_the_current_one(province, client_for):
    client = client_for("officer")
    latest = current_fiscal_year_be(timezone.localdate())
    for asked in ("abc", "1999", str(latest + 5)):
        context = _get(client, _area("province", "52") + f"?fy={asked}").context
        assert context["fiscal_year"] == latest


def test_the_home_lists_the_officers_areas(fund, province, users, client_for):
    html = _get(client_for("amphoe_officer"), reverse("network-overview")).content.decode()
    assert f'href="{_area("amphoe", "5201")}"' in html
    assert _area("province", "52") not in html
    assert f'href="{_fund(fund.code)}"' in html
    assert province["far"].name not in html


def test_an_area_without_funds_shows_an_empty_year(province, client_for):
    response = _get(client_for("officer"), _area("amphoe", "5203"))
    html = response.content.decode()
    assert 'id="no-funds"' in html and 'id="fig-funds">0<' in html
    chart = _chart_data(html, "chart-money-data")
    assert len(chart["labels"]) == 12 and chart["datasets"] == []


def test_the_dashboard_reads_in_english(settings, province, client_for):
    client = client_for("officer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, _area("province", "52")).content.decode()
    chart = _chart_data(html, "chart-money-data")
    assert chart["labels"][0].startswith("Oct ")
    assert {d["label"] for d in chart["datasets"]} == {"Members' contributions", "Donations"}
    assert "Mueang Lampang" in html
