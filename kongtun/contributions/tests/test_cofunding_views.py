"""The co-funding pages as a treasurer and a committee member use them."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from kongtun.contributions import matching
from kongtun.contributions.cofunding import cocontribution_record, matching_terms_set
from kongtun.contributions.models import CoContribution, MatchedMember, MatchingTerms
from kongtun.contributions.tests.conftest import new_member
from kongtun.ledger.models import Account, JournalLine
from kongtun.members.models import Event
from kongtun.members.services import member_change_status

D = Decimal
FY = 2566


def english(client: Any) -> Any:
    """Read messages in English: the Thai words may still change, the English msgids do not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def url(books):
    def make(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"fund_code": books.code, **kwargs})

    return make


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "funder": "codi",
        "payer": "สถาบันพัฒนาองค์กรชุมชน",
        "fiscal_year": "2566",
        "round": "1",
        "date": "01/03/2566",
        "amount": "15,000.00",
        "reference": "พอช. 77/2566",
        "money_account": "",
        "income_account": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def pk(books: Any, code: str) -> int:
    return Account.objects.get(fund=books, code=code).pk


def lines(cofund: CoContribution) -> dict[str, Decimal]:
    return {
        ln.account.code: ln.amount
        for ln in JournalLine.objects.filter(entry=cofund.entry).select_related("account")
    }


# --- Recording money -------------------------------------------------------------------------


def test_the_form_starts_with_a_fresh_key_the_bank_and_this_fiscal_year(books, url, client_for):
    html = client_for("treasurer").get(url("contributions-cofunding-new")).content.decode()

    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key and uuid.UUID(key.group(1))
    assert re.search(rf'<option value="{pk(books, "1111")}" selected>', html)
    this_year = matching.government_year_of(dt.date.today())
    assert f'name="fiscal_year" value="{this_year}"' in html
    # Local government may choose among its own accounts only.
    select = re.search(r'<select name="income_account".*?</select>', html, re.S)
    assert select and set(re.findall(r">(\d{4}) ", select.group(0))) == {"4301", "4302", "4303"}


def test_a_treasurer_records_codi_money_once_even_if_the_form_is_sent_twice(books, url, client_for):
    client = client_for("treasurer")
    data = form_data(money_account=pk(books, "1111"))

    first = client.post(url("contributions-cofunding-new"), data)
    second = client.post(url("contributions-cofunding-new"), data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == url("contributions-cofunding")
    cofund = CoContribution.objects.get(fund=books)
    assert (cofund.fiscal_year, cofund.round, cofund.date) == (FY, 1, dt.date(2023, 3, 1))
    assert lines(cofund) == {"1111": D("15000.00"), "4201": D("-15000.00")}
    listing = client.get(url("contributions-cofunding")).content.decode()
    assert url("ledger-entry", entry=cofund.entry.code) in listing
    assert "15,000.00" in listing and "พอช. 77/2566" in listing


def test_local_government_money_goes_to_the_account_picked(books, url, client_for):
    data = form_data(
        funder="local_gov",
        round="",
        payer="อบจ.ลำปาง",
        amount="2000",
        money_account=pk(books, "1101"),
        income_account=pk(books, "4303"),
    )
    response = client_for("treasurer").post(url("contributions-cofunding-new"), data)

    assert response.status_code == 302
    cofund = CoContribution.objects.get(fund=books)
    assert cofund.payer == "อบจ.ลำปาง" and cofund.round is None
    assert lines(cofund) == {"1101": D("2000.00"), "4303": D("-2000.00")}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"round": ""}, "round", "Say which round"),
        ({"fiscal_year": "2023"}, "fiscal_year", "Buddhist era"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"date": "31/02/2566"}, "date", ""),
        ({"income_account": "__4301__"}, "income_account", "only for money from local"),
    ],
)
def test_bad_input_is_refused_with_the_input_kept(
    books, url, client_for, overrides, field, message
):
    if overrides.get("income_account") == "__4301__":
        overrides = {"income_account": pk(books, "4301")}  # an account for CODI money
    data = form_data(money_account=pk(books, "1111"), **overrides)

    response = english(client_for("treasurer")).post(url("contributions-cofunding-new"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'field-error[^"]*">\s*<label for="id_{field}"', html)
    assert message in html
    assert 'value="สถาบันพัฒนาองค์กรชุมชน"' in html  # what was typed is still there
    assert f'value="{data["idempotency_key"]}"' in html  # and the same key, for a retry
    assert not CoContribution.objects.filter(fund=books).exists()


def test_a_committee_member_sees_the_money_but_cannot_record_it(books, url, client_for):
    client = client_for("committee")
    listing = client.get(url("contributions-cofunding"))

    assert listing.status_code == 200
    assert url("contributions-cofunding-new") not in listing.content.decode()
    assert client.get(url("contributions-cofunding-new")).status_code == 403
    assert client.post(url("contributions-cofunding-new"), form_data()).status_code == 403


# --- Matching terms --------------------------------------------------------------------------


def test_the_terms_form_starts_from_the_usual_codi_terms(books, url, client_for):
    html = client_for("treasurer").get(url("contributions-matching-terms", year=FY)).content
    html = html.decode()

    assert 'name="ratio" value="1.000"' in html
    assert 'name="cap_per_member" value="365.00"' in html
    assert 'name="max_rounds" value="3"' in html
    assert 'name="min_membership_days" value="365"' in html
    assert 'name="funder" value="codi"' in html


def test_the_terms_form_of_a_new_year_starts_from_the_last_one(books, url, client_for, users):
    matching_terms_set(
        fund=books,
        actor=users["treasurer"],
        funder="local_gov",
        fiscal_year=2565,
        ratio=D("0.25"),
        cap_per_member=D("100.00"),
        max_rounds=5,
        min_membership_days=180,
    )
    page = client_for("treasurer").get(
        url("contributions-matching-terms", year=FY) + "?funder=local_gov"
    )
    html = page.content.decode()
    assert 'name="ratio" value="0.250"' in html and 'name="cap_per_member" value="100.00"' in html
    assert 'name="funder" value="local_gov"' in html


def test_a_treasurer_saves_the_terms_of_a_year(books, url, client_for):
    data = {
        "funder": "local_gov",
        "ratio": "0.5",
        "cap_per_member": "365",
        "max_rounds": "๓",  # Thai digits are fine
        "min_membership_days": "366",
    }
    response = client_for("treasurer").post(url("contributions-matching-terms", year=2567), data)

    assert response.status_code == 302
    assert response["Location"] == url("contributions-matching", year=2567)
    terms = MatchingTerms.objects.get(fund=books)
    assert (terms.funder, terms.fiscal_year, terms.ratio) == ("local_gov", 2567, D("0.500"))
    assert (terms.cap_per_member, terms.max_rounds, terms.min_membership_days) == (
        D("365.00"),
        3,
        366,
    )


def test_impossible_terms_come_back_with_the_input_kept(books, url, client_for):
    data = {
        "funder": "codi",
        "ratio": "1.2345",
        "cap_per_member": "365",
        "max_rounds": "0",
        "min_membership_days": "365",
    }
    response = client_for("treasurer").post(url("contributions-matching-terms", year=FY), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="1.2345"' in html and 'name="max_rounds" value="0"' in html
    assert not MatchingTerms.objects.filter(fund=books).exists()


# --- Matching report -------------------------------------------------------------------------


@pytest.fixture
def year(plan, books, users, pay):
    """FY2566 with CODI 1 : 1, at most 365 baht: one member paid 500, one 120, one joined too
    late, one died; CODI paid 400 in round 1."""
    actor = users["treasurer"]
    matching_terms_set(
        fund=books,
        actor=actor,
        funder="codi",
        fiscal_year=FY,
        ratio=D("1"),
        cap_per_member=D("365.00"),
        max_rounds=3,
        min_membership_days=365,
    )
    people = {
        "rich": new_member(books, actor, 701, dt.date(2020, 1, 1)),
        "poor": new_member(books, actor, 702, dt.date(2020, 1, 1)),
        "late": new_member(books, actor, 703, dt.date(2023, 6, 1)),
        "dead": new_member(books, actor, 704, dt.date(2020, 1, 1)),
    }
    for name, amount in (("rich", "520"), ("poor", "140"), ("late", "140"), ("dead", "140")):
        pay(people[name], amount, dt.date(2023, 7, 1))
    member_change_status(
        member=people["dead"], actor=actor, event=Event.DIED, effective_on=dt.date(2023, 8, 1)
    )
    cocontribution_record(
        fund=books,
        actor=actor,
        funder="codi",
        fiscal_year=FY,
        round=1,
        date=dt.date(2023, 9, 1),
        amount=D("400.00"),
    )
    return people


def test_the_report_shows_expected_received_and_what_is_still_to_come(books, url, client_for, year):
    response = english(client_for("committee")).get(url("contributions-matching", year=FY))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="codi-eligible">\s*2<', html)
    assert re.search(r'id="codi-expected">\s*485.00<', html)
    assert re.search(r'id="codi-received">\s*400.00<', html)
    assert "Still to come: 85.00 baht" in html
    assert year["rich"].full_name in html and year["late"].full_name in html
    assert "joined too late: 122 days of membership by the cut-off" in html
    assert "not active on the cut-off (Deceased)" in html
    assert url("contributions-matching-record", year=FY) not in html  # a committee member


def test_an_excess_is_to_be_refunded_to_codi(books, url, client_for, year, users):
    cocontribution_record(
        fund=books,
        actor=users["treasurer"],
        funder="codi",
        fiscal_year=FY,
        round=2,
        date=dt.date(2023, 9, 20),
        amount=D("100.00"),
    )
    html = english(client_for("treasurer")).get(url("contributions-matching", year=FY)).content
    assert "Received 15.00 baht more than expected: refund the excess to CODI." in html.decode()


def test_recording_the_round_writes_the_eligible_members_once(books, url, client_for, year):
    client = english(client_for("treasurer"))
    record = url("contributions-matching-record", year=FY)

    assert client.get(record).status_code == 405
    first = client.post(record, {"funder": "codi"}, follow=True)
    assert "2 members were recorded as matched this year." in first.content.decode()
    second = client.post(record, {"funder": "codi"}, follow=True)
    assert "Nothing new to record" in second.content.decode()

    rows = MatchedMember.objects.filter(fund=books, funder="codi", fiscal_year=FY)
    assert {r.member_id: r.expected for r in rows} == {
        year["rich"].pk: D("365.00"),
        year["poor"].pk: D("120.00"),
    }
    assert "Recorded as this year's round: 2 members, 485.00 baht." in second.content.decode()


def test_a_round_before_the_cut_off_is_refused_on_the_report(books, url, client_for, users):
    this_year = matching.government_year_of(dt.date.today())
    matching_terms_set(
        fund=books,
        actor=users["treasurer"],
        funder="codi",
        fiscal_year=this_year,
        ratio=D("1"),
        cap_per_member=D("365.00"),
        max_rounds=3,
        min_membership_days=365,
    )
    response = english(client_for("treasurer")).post(
        url("contributions-matching-record", year=this_year), {"funder": "codi"}
    )

    assert response.status_code == 400
    assert "The round can be recorded after the cut-off date" in response.content.decode()
    assert not MatchedMember.objects.filter(fund=books).exists()


def test_only_the_committee_with_co_funding_rights_records_a_round(books, url, client_for, year):
    record = url("contributions-matching-record", year=FY)
    assert client_for("committee").post(record, {"funder": "codi"}).status_code == 403
    assert not MatchedMember.objects.filter(fund=books).exists()


def test_the_eligible_list_downloads_as_a_workbook_without_national_ids(
    books, url, client_for, year
):
    response = client_for("committee").get(url("contributions-matching-xlsx", year=FY))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    members = [r for r in rows if isinstance(r[0], int)]
    assert [(r[1], r[2], D(str(r[6]))) for r in members] == [
        (year["rich"].number, year["rich"].full_name, D("365.00")),
        (year["poor"].number, year["poor"].full_name, D("120.00")),
    ]
    assert D(str(rows[-1][6])) == D("485.00")
    text = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "ปีงบประมาณ 2566" in text
    assert not re.search(r"\d{13}", text)
    assert year["late"].full_name not in text


def test_a_year_out_of_range_is_not_found(books, url, client_for):
    assert client_for("treasurer").get(url("contributions-matching", year=1999)).status_code == 404
