"""The forms' pages: who may preview and download, the links from each figure to its records,
and officers reading the forms of the funds in their areas only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kongtun.accounts.models import User
from kongtun.codiforms.tests.conftest import CHILD, FY, NON_MEMBER
from kongtun.conftest import PASSWORD
from kongtun.funds.models import Fund, OfficerAssignment
from kongtun.ledger.models import Account
from kongtun.members.models import Member

pytestmark = pytest.mark.django_db

PAGES = ("codi-annual", "codi-proposal")
FILES = ("codi-annual-pdf", "codi-annual-xlsx", "codi-proposal-pdf", "codi-proposal-xlsx")
NETWORK_FILES = (
    "codi-network-annual-pdf",
    "codi-network-annual-xlsx",
    "codi-network-proposal-pdf",
    "codi-network-proposal-xlsx",
)


def _url(name: str, fund: Fund, year: int = FY) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, "year": year})


def _officer(level: str, area: str) -> Client:
    user = User.objects.create_user(username=f"officer-{level}-{area}", password=PASSWORD)
    OfficerAssignment.objects.create(user=user, level=level, area_code=area)
    client = Client()
    client.force_login(user)
    return client


def test_the_year_list_offers_previews_to_all_and_files_to_the_signers(
    year: dict[str, Any], client_for: Any
) -> None:
    fund = year["fund"]
    page = client_for("committee").get(reverse("codi-forms", kwargs={"fund_code": fund.code}))
    assert page.status_code == 200
    html = page.content.decode()
    assert _url("codi-annual", fund) in html
    assert _url("codi-annual-pdf", fund) not in html
    chair = client_for("chair").get(reverse("codi-forms", kwargs={"fund_code": fund.code}))
    assert _url("codi-proposal-xlsx", fund) in chair.content.decode()


def test_the_preview_links_each_figure_to_its_records(
    year: dict[str, Any], client_for: Any
) -> None:
    fund = year["fund"]
    page = client_for("treasurer").get(_url("codi-annual", fund))
    assert page.status_code == 200
    html = page.content.decode()
    assert "แบบข้อมูลกองทุนสวัสดิการชุมชนประจำปี" in html
    members = Account.objects.get(fund=fund, code="4101")
    ledger = reverse("ledger-ledger", kwargs={"fund_code": fund.code, "account": members.pk})
    assert f'href="{ledger}?start=2024-10-01&amp;end=2025-09-30"' in html
    matching = reverse("contributions-cofunding", kwargs={"fund_code": fund.code})
    assert f'href="{matching}"' in html
    committee = reverse("funds-committee", kwargs={"fund_code": fund.code})
    assert f'href="{committee}"' in html
    indicator = reverse(
        "indicators-trace", kwargs={"fund_code": fund.code, "key": "members.current"}
    )
    assert f'href="{indicator}?on=2025-09-30"' in html
    # Every figure with a page of records behind it is a link.
    linked = set(re.findall(r'class="trace" href="[^"]+" title="[^"]*" data-key="([^"]+)"', html))
    assert {"members.current", "money.members.year", "finance.receipts.members.4101"} <= linked

    proposal = client_for("treasurer").get(_url("codi-proposal", fund)).content.decode()
    matching = reverse("contributions-matching", kwargs={"fund_code": fund.code, "year": FY})
    assert f'href="{matching}"' in proposal


def _links(html: str) -> dict[str, str]:
    found = re.findall(r'class="trace" href="([^"]+)" title="[^"]*" data-key="([^"]+)"', html)
    return {key: href.replace("&amp;", "&") for href, key in found}


def test_a_link_is_shown_only_to_who_may_open_its_page(
    year: dict[str, Any], client_for: Any
) -> None:
    """The fund's settings page is the chair's; welfare claims hold health data, which
    collectors do not see: their figures link only for those who may open the records."""
    fund = year["fund"]
    chair = _links(client_for("chair").get(_url("codi-annual", fund)).content.decode())
    committee = _links(client_for("committee").get(_url("codi-annual", fund)).content.decode())
    collector = _links(client_for("collector").get(_url("codi-annual", fund)).content.decode())
    assert "villages_in_area" in chair and "villages_in_area" not in committee
    assert "welfare.illness.baht_year" in committee
    assert "welfare.illness.baht_year" not in collector
    assert "members.current" in collector and "finance.admin.5204" in collector


def test_the_links_open_the_records(year: dict[str, Any], client_for: Any) -> None:
    client = client_for("chair")
    links = _links(client.get(_url("codi-annual", year["fund"])).content.decode())
    for key in ("members.current", "money.members.year", "welfare.illness.baht_year",
                "finance.receipts.members.4101", "cofunding.2567.codi.1", "committee.count",
                "plans.1.amount"):  # fmt: skip
        key = key if key in links else next(k for k in links if k.startswith("plans."))
        page = client.get(links[key])
        assert page.status_code == 200, (key, links[key])


def test_another_day_is_read_from_the_query(year: dict[str, Any], client_for: Any) -> None:
    fund = year["fund"]
    client = client_for("chair")
    page = client.get(_url("codi-annual", fund), {"on": "31/03/2568"})
    assert page.status_code == 200
    assert "31 มีนาคม 2568" in page.content.decode()
    pdf = client.get(_url("codi-annual-pdf", fund), {"on": "2025-03-31"})
    assert pdf.status_code == 200
    assert "20250331" in pdf["Content-Disposition"]
    for bad in ("31/03/2570", "1/10/2566", "not a date"):  # outside the year, or unreadable
        assert client.get(_url("codi-annual", fund), {"on": bad}).status_code == 404
    assert client.get(_url("codi-annual", fund, 2400)).status_code == 404
    assert client.get(_url("codi-annual", fund, 2700)).status_code == 404


@pytest.mark.parametrize("role", ["chair", "treasurer", "secretary", "auditor"])
def test_the_signers_and_the_auditor_download_the_files(
    year: dict[str, Any], client_for: Any, role: str
) -> None:
    fund = year["fund"]
    client = client_for(role)
    pdf = client.get(_url("codi-annual-pdf", fund))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(_url("codi-proposal-xlsx", fund))
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    assert f"codi-proposal-{fund.code}-fy{FY}" in xlsx["Content-Disposition"]


@pytest.mark.parametrize("role", ["committee", "collector"])
def test_other_roles_preview_but_do_not_download(
    fund: Fund, users: dict[str, User], client_for: Any, role: str
) -> None:
    client = client_for(role)
    for name in PAGES:
        assert client.get(_url(name, fund, 2568)).status_code == 200
    for name in FILES:
        assert client.get(_url(name, fund, 2568)).status_code == 403


def test_another_funds_people_and_strangers_get_404(fund: Fund, client_for: Any) -> None:
    for who in ("other_chair", "nobody", "officer"):
        client = client_for(who)
        assert client.get(reverse("codi-forms", kwargs={"fund_code": fund.code})).status_code == 404
        for name in (*PAGES, *FILES):
            assert client.get(_url(name, fund, 2568)).status_code == 404, (who, name)
    anonymous = client_for(None).get(_url("codi-annual", fund, 2568))
    assert anonymous.status_code == 302


def test_officers_download_the_forms_of_funds_in_their_area(
    year: dict[str, Any], client_for: Any
) -> None:
    fund = year["fund"]
    officer = client_for("officer")  # province 52, where the fund is
    listing = officer.get(reverse("codi-network"))
    assert listing.status_code == 200
    assert fund.name in listing.content.decode()
    years = officer.get(reverse("codi-network-fund", kwargs={"code": fund.code}))
    assert years.status_code == 200
    for name in NETWORK_FILES:
        response = officer.get(reverse(name, kwargs={"code": fund.code, "year": FY}))
        assert response.status_code == 200, name
    amphoe = _officer("amphoe", fund.tambon.amphoe_id)
    url = reverse("codi-network-annual-pdf", kwargs={"code": fund.code, "year": FY})
    assert amphoe.get(url).status_code == 200


def test_officers_outside_the_area_and_fund_users_get_404(
    fund: Fund, other_fund: Fund, client_for: Any
) -> None:
    elsewhere = _officer("province", "50")
    other_tambon = _officer("tambon", other_fund.tambon_id)
    for client in (elsewhere, other_tambon):
        assert (
            client.get(reverse("codi-network-fund", kwargs={"code": fund.code})).status_code == 404
        )
        for name in NETWORK_FILES:
            url = reverse(name, kwargs={"code": fund.code, "year": 2568})
            assert client.get(url).status_code == 404, name
        assert fund.name not in client.get(reverse("codi-network")).content.decode()
    chair = client_for("chair")  # a fund's own chair is no officer
    assert chair.get(reverse("codi-network")).status_code == 404
    url = reverse("codi-network-annual-pdf", kwargs={"code": fund.code, "year": 2568})
    assert chair.get(url).status_code == 404
    unknown = reverse("codi-network-fund", kwargs={"code": "no-such-fund"})
    assert client_for("officer").get(unknown).status_code == 404


def test_the_preview_names_no_member(year: dict[str, Any], client_for: Any) -> None:
    fund = year["fund"]
    html = "".join(client_for("chair").get(_url(name, fund)).content.decode() for name in PAGES)
    for member in Member.objects.filter(fund=fund):
        assert member.full_name not in html
        assert member.first_name not in html
    assert CHILD not in html and NON_MEMBER not in html
    assert "กรรมการ 1" in html  # the committee is part of the form
