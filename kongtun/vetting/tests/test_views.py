"""The committee's pages: who reads, who records, who gets 404; and the meeting pack."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.funds.models import CofundingApplication
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Province
from kongtun.members.models import Member
from kongtun.vetting import services
from kongtun.vetting.models import CommitteeMeeting, Decision, Screening
from kongtun.vetting.tests.conftest import AFTER_CUTOFF, FY, TODAY

D = Decimal


def login(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are read in English
    client.force_login(user)
    return client


def list_url(province="52", **query):
    params = "&".join(f"{k}={v}" for k, v in {"province": province, **query}.items())
    return f"{reverse('vetting-list', kwargs={'fiscal_year': FY})}?{params}"


def app_url(application, name="vetting-application", **kwargs):
    return reverse(name, kwargs={"application": application.code, **kwargs})


@pytest.fixture
def screened(applicant, other_applicant, fund, other_fund, users):
    services.screen_all(
        funds=[fund, other_fund], fiscal_year_be=FY, actor=users["officer"], today=TODAY
    )
    return applicant


@pytest.fixture
def first_meeting(users):
    return services.meeting_create(
        province=Province.objects.get(code="52"),
        fiscal_year_be=FY,
        number=1,
        held_on=TODAY,
        place="ห้องประชุมสำนักงานสหกรณ์จังหวัดลำปาง ชั้น 3 ศาลากลางจังหวัดลำปาง",
        notes="",
        actor=users["officer"],
    )


def member_names(fund):
    with fund_scope(fund):
        return [m.first_name for m in Member.objects.filter(fund=fund)]


# --- Reading ---------------------------------------------------------------------------------


def test_a_province_officer_sees_every_application_without_a_member(
    screened, fund, other_fund, users
):
    response = login(users["officer"]).get(list_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert fund.name in html and other_fund.name in html
    assert 'id="screen-all"' in html and 'id="meeting-new"' in html
    for name in member_names(fund):
        assert name not in html
    page = login(users["officer"]).get(app_url(screened)).content.decode()
    assert "730.00" in page and 'id="decision"' in page
    for name in member_names(fund):
        assert name not in page


def test_the_home_goes_to_the_current_year(users, today):
    response = login(users["officer"]).get(reverse("vetting-home"))
    assert response.status_code == 303
    assert response["Location"] == reverse("vetting-list", kwargs={"fiscal_year": FY})


def test_the_list_filters_by_district_and_outcome(screened, fund, other_fund, users):
    client = login(users["officer"])
    html = client.get(list_url(screening="not_met")).content.decode()
    assert fund.name in html and other_fund.name in html  # neither passes everything
    html = client.get(list_url(amphoe="5202")).content.decode()
    assert fund.name not in html and 'id="no-applications"' in html
    html = client.get(list_url(decision="approved")).content.decode()
    assert fund.name not in html


def test_a_district_officer_reads_but_cannot_record(screened, first_meeting, district_officer):
    client = login(district_officer)
    html = client.get(list_url()).content.decode()
    assert screened.fund.name in html and 'id="screen-all"' not in html
    page = client.get(app_url(screened))
    assert page.status_code == 200 and 'id="decision-form"' not in page.content.decode()
    year = {"fiscal_year": FY}
    refused = [
        client.post(reverse("vetting-screen-all", kwargs=year), {"province": "52"}),
        client.get(reverse("vetting-meeting-new", kwargs=year) + "?province=52"),
        client.post(app_url(screened, "vetting-screen")),
        client.post(
            app_url(screened, "vetting-check", check="non_cash"),
            {"non_cash-outcome": "met", "non_cash-note": "x"},
        ),
        client.post(
            app_url(screened, "vetting-decide"),
            {"meeting": first_meeting.pk, "outcome": "deferred"},
        ),
    ]
    assert [r.status_code for r in refused] == [404] * 5
    with fund_scope(screened.fund):
        assert not Decision.objects.exists()
    assert (
        client.get(reverse("vetting-pack-pdf", kwargs={"meeting": first_meeting.code})).status_code
        == 200
    )


def test_another_provinces_officer_sees_nothing_of_it(screened, first_meeting, far_officer, fund):
    client = login(far_officer)
    html = client.get(list_url(province="50")).content.decode()
    assert fund.name not in html
    assert client.get(list_url()).status_code == 404  # Lampang is not theirs
    assert client.get(app_url(screened)).status_code == 404
    assert client.post(app_url(screened, "vetting-screen")).status_code == 404
    pack = {"meeting": first_meeting.code}
    assert client.get(reverse("vetting-pack-pdf", kwargs=pack)).status_code == 404
    assert client.get(reverse("vetting-pack-xlsx", kwargs=pack)).status_code == 404


@pytest.mark.parametrize("who", ["chair", "treasurer", "other_chair", "nobody"])
def test_fund_users_get_404_on_every_page(screened, first_meeting, users, who):
    client = login(users[who])
    year = {"fiscal_year": FY}
    pages = [
        client.get(reverse("vetting-home")),
        client.get(list_url()),
        client.get(app_url(screened)),
        client.get(reverse("vetting-meeting-new", kwargs=year)),
        client.post(reverse("vetting-screen-all", kwargs=year), {"province": "52"}),
        client.get(reverse("vetting-pack-pdf", kwargs={"meeting": first_meeting.code})),
        client.post(app_url(screened, "vetting-decide"), {}),
    ]
    assert [p.status_code for p in pages] == [404] * len(pages)


def test_anonymous_users_are_sent_to_log_in(screened):
    response = Client().get(list_url())
    assert response.status_code == 302 and "login" in response["Location"]


# --- Recording -------------------------------------------------------------------------------


def test_screen_all_from_the_list(applicant, other_applicant, users, today):
    response = login(users["officer"]).post(
        reverse("vetting-screen-all", kwargs={"fiscal_year": FY}), {"province": "52"}
    )
    assert response.status_code == 303
    with fund_scope(applicant.fund):
        assert Screening.objects.get(application=applicant).requested_amount == D("730.00")


def test_a_meeting_is_recorded_from_its_form(users, today):
    client = login(users["officer"])
    url = reverse("vetting-meeting-new", kwargs={"fiscal_year": FY})
    form = client.get(url + "?province=52")
    assert form.status_code == 200 and 'value="1"' in form.content.decode()
    data = {"province": "52", "number": "1", "held_on": "16/02/2568", "place": "ศาลากลาง"}
    assert client.post(url, data).status_code == 303
    made = CommitteeMeeting.objects.get(province_id="52", fiscal_year_be=FY)
    assert (made.label, made.held_on.isoformat()) == (f"1/{FY}", "2025-02-16")
    again = client.post(url, data)
    assert again.status_code == 400  # 1/2568 exists
    assert client.post(url, {**data, "province": "50"}).status_code == 404


def test_a_persons_check_and_a_decision_from_the_page(screened, first_meeting, users):
    client = login(users["officer"])
    for key in ("books", "regulation", "public_reports", "welfare_types", "non_cash"):
        response = client.post(
            app_url(screened, "vetting-check", check=key),
            {f"{key}-outcome": "met", f"{key}-note": "ตรวจแล้ว"},
        )
        assert response.status_code == 303
    missing_note = client.post(
        app_url(screened, "vetting-check", check="non_cash"), {"non_cash-outcome": "met"}
    )
    assert missing_note.status_code == 400
    assert client.post(app_url(screened, "vetting-check", check="local_gov"), {}).status_code == 404
    too_much = client.post(
        app_url(screened, "vetting-decide"),
        {"meeting": first_meeting.pk, "outcome": "approved", "amount_approved": "731"},
    )
    assert too_much.status_code == 400 and "730.00" in too_much.content.decode()
    done = client.post(
        app_url(screened, "vetting-decide"),
        {"meeting": first_meeting.pk, "outcome": "approved", "amount_approved": "272.50"},
    )
    assert done.status_code == 303
    with fund_scope(screened.fund):
        decision = Decision.objects.get(application=screened)
    assert (decision.outcome, decision.amount_approved) == ("approved", D("272.50"))
    page = client.get(app_url(screened)).content.decode()
    assert 'id="current-decision"' in page and f"1/{FY}" in page


# --- The meeting pack ------------------------------------------------------------------------


@pytest.fixture
def decided(screened, first_meeting, users):
    for key in ("books", "regulation", "public_reports", "welfare_types", "non_cash"):
        services.check_record(
            application=screened, check_key=key, actor=users["officer"], outcome="met", note="ok"
        )
    services.decision_record(
        application=screened,
        meeting=first_meeting,
        actor=users["officer"],
        outcome="approved",
        amount_approved=D("272.50"),
    )
    return first_meeting


def test_the_pack_pdf_lists_every_fund(decided, fund, other_fund, users, tmp_path):
    response = login(users["officer"]).get(
        reverse("vetting-pack-pdf", kwargs={"meeting": decided.code})
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path / "pack.pdf")
    for expected in (fund.name, other_fund.name, f"ครั้งที่{decided.label}", "730.00", "รวม2กองทุน"):
        assert squash(expected) in text
    for name in member_names(fund):
        assert squash(name) not in text


def test_the_pack_xlsx_has_exact_numbers_and_totals(decided, fund, other_fund, users):
    response = login(users["officer"]).get(
        reverse("vetting-pack-xlsx", kwargs={"meeting": decided.code})
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    table, evidence = book.worksheets
    header = [c.value for c in table[6]]
    rows = {r[2]: r for r in table.iter_rows(min_row=7, values_only=True) if r[0]}
    ours, theirs = rows[fund.name], rows[other_fund.name]
    col = {label: i for i, label in enumerate(header)}
    assert ours[col["สมาชิกปัจจุบัน"]] == 4 and ours[col["สมาชิกครบ 1 ปี"]] == 4
    assert ours[col["หมู่บ้าน/ชุมชนที่ครอบคลุม"]] == 2 and ours[col["หมู่บ้าน/ชุมชนทั้งหมด"]] == 4
    requested = col["ยอดขอรับการสมทบ (บาท)"]
    assert D(str(ours[requested])) == D("730.00") and D(str(theirs[requested])) == D("0")
    assert D(str(ours[col["เงินสมทบของสมาชิกในปีที่ผ่านมา (บาท)"]])) == D("480.00")
    assert [ours[col[f"เกณฑ์ {n}"]] for n in range(1, 7)] == ["✓"] * 6
    assert D(str(ours[col["จำนวนที่เห็นชอบ (บาท)"]])) == D("272.50")
    total = next(r for r in table.iter_rows(min_row=7, values_only=True) if r[2] == "รวม 2 กองทุน")
    assert total[col["สมาชิกปัจจุบัน"]] == 4
    assert D(str(total[requested])) == D("730.00")
    assert D(str(total[col["จำนวนที่เห็นชอบ (บาท)"]])) == D("272.50")
    money_cell = table.cell(
        7 + [r[2] for r in table.iter_rows(min_row=7, values_only=True)].index(fund.name),
        requested + 1,
    )
    assert money_cell.number_format == "#,##0.00"
    lines = list(evidence.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 24  # 12 checks for each of the two funds
    coverage = next(r for r in lines if r[1] == fund.name and r[3] == "ครอบคลุมหมู่บ้าน/ชุมชน")
    assert "2" in coverage[6] and "4" in coverage[6] and "50" in coverage[6]
    human = next(r for r in lines if r[1] == fund.name and r[3] == "สวัสดิการที่ไม่เป็นตัวเงิน")
    assert (human[4], human[5], human[7]) == ("ผ่าน", "ตรวจสอบโดยเจ้าหน้าที่", "ok")


def test_wrong_methods_are_refused(screened, users):
    client = login(users["officer"])
    year = {"fiscal_year": FY}
    assert client.post(list_url()).status_code == 405
    assert client.get(reverse("vetting-screen-all", kwargs=year)).status_code == 405
    assert client.get(app_url(screened, "vetting-decide")).status_code == 405
    assert client.get(app_url(screened, "vetting-check", check="non_cash")).status_code == 405


def test_dates_are_buddhist_era(screened, users):
    thai = Client()  # the default language
    thai.force_login(users["officer"])
    page = thai.get(app_url(screened)).content.decode()
    assert "30 กันยายน 2567" in page  # the figures' date, 30 Sep 2024
    assert "2,56" not in page  # years never get a thousands separator


def _all_checked(application, users):
    for key in ("books", "regulation", "public_reports", "welfare_types", "non_cash"):
        services.check_record(
            application=application, check_key=key, actor=users["officer"], outcome="met", note="ok"
        )


def test_a_draft_cannot_be_decided_from_the_page(screened, first_meeting, users):
    _all_checked(screened, users)
    with fund_scope(screened.fund):
        CofundingApplication.objects.filter(pk=screened.pk).update(
            status=CofundingApplication.Status.DRAFT
        )

    response = login(users["officer"]).post(
        app_url(screened, "vetting-decide"),
        {"meeting": first_meeting.pk, "outcome": "approved", "amount_approved": "272.50"},
    )

    assert response.status_code == 400
    assert "still a draft" in response.content.decode()
    with fund_scope(screened.fund):
        assert not Decision.objects.filter(application=screened).exists()


def test_the_page_warns_when_a_new_screening_falls_below_the_approval(
    screened, first_meeting, users
):
    _all_checked(screened, users)
    services.decision_record(
        application=screened,
        meeting=first_meeting,
        actor=users["officer"],
        outcome="approved",
        amount_approved=D("730.00"),  # all that was requested while the year ran
    )
    client = login(users["officer"])
    assert 'id="approved-above-requested"' not in client.get(app_url(screened)).content.decode()

    services.application_screen(application=screened, actor=users["officer"], today=AFTER_CUTOFF)

    page = client.get(app_url(screened)).content.decode()
    assert 'id="approved-above-requested"' in page
    warning = page.split('id="approved-above-requested"', 1)[1].split("</div>", 1)[0]
    assert "730.00" in warning and "272.50" in warning
    with fund_scope(screened.fund):
        decision = Decision.objects.get(application=screened)
    assert decision.amount_approved == D("730.00")  # nothing changed by itself
