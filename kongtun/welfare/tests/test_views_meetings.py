"""The welfare home and the committee's meeting pages as the secretary and the committee use
them: opening a meeting, attendance and quorum, the agenda, resolutions, closing the minutes
and the minutes as PDF. Claims are filed through the service, as at the intake desk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.conftest import make_national_id
from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.members.models import Member
from kongtun.welfare.models import Claim, Meeting, Regulation
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_close,
    meeting_open,
)

pytestmark = pytest.mark.django_db
D = Decimal
CODE = "lp-wiang-nuea"
DAY = dt.date(2025, 3, 20)  # the meeting


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": CODE, **kwargs})


def english(client: Client) -> Client:
    """Read the pages in English: the Thai words may still change, the English msgids do not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _hospital(
    fund: Fund, actor: User, member: Member, nights: int, filed: dt.date, event: dt.date
) -> Claim:
    return claim_file(
        fund=fund,
        actor=actor,
        data=ClaimInput(
            benefit_key="illness",
            recipient="member",
            member=member,
            event_date=event,
            nights=nights,
        ),
        filed_on=filed,
    )


@pytest.fixture
def claim(claimant: Member, users: dict[str, User], books: Fund) -> Claim:
    """4 nights in hospital, capped at 600 a stay, entered by the secretary."""
    return _hospital(
        books, users["secretary"], claimant, 4, dt.date(2025, 3, 12), dt.date(2025, 3, 10)
    )


@pytest.fixture
def meeting(
    books: Fund, users: dict[str, User], committee: list[CommitteeMember], regulation: Regulation
) -> Meeting:
    return meeting_open(fund=books, actor=users["chair"], number="3/2568", date=DAY, place="วัด")


def _quorum(meeting: Meeting, committee: list[CommitteeMember], users: dict[str, User]) -> None:
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee[:4]})


def _decide_data(**overrides: str) -> dict[str, str]:
    data = {
        "decision": "approve",
        "resolution": "3/2568/1",
        "votes_for": "4",
        "votes_against": "0",
        "votes_abstain": "0",
        "amount": "",
        "note": "",
    }
    return data | overrides


# --- Who may do what -------------------------------------------------------------------------

READ = ["welfare-home", "welfare-meetings", "welfare-meeting", "welfare-meeting-minutes"]


@pytest.mark.parametrize("name", READ)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("committee", 200),
        ("treasurer", 200),
        ("auditor", 200),
        ("secretary", 200),
        ("collector", 403),
        ("other_chair", 404),
    ],
)
def test_reading_needs_the_right_to_see_claims(
    meeting: Meeting, client_for: Any, name: str, role: str, status: int
) -> None:
    kwargs = {} if name in ("welfare-home", "welfare-meetings") else {"meeting": meeting.code}
    assert client_for(role).get(url(name, **kwargs)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("chair", 200), ("secretary", 200), ("committee", 200), ("treasurer", 403), ("auditor", 403)],
)
def test_opening_a_meeting_needs_the_right_to_decide(
    regulation: Regulation, client_for: Any, role: str, status: int
) -> None:
    assert client_for(role).get(url("welfare-meeting-new")).status_code == status


@pytest.mark.parametrize("role", ["treasurer", "auditor", "collector"])
def test_only_deciders_post_to_a_meeting(
    meeting: Meeting,
    claim: Claim,
    committee: list[CommitteeMember],
    client_for: Any,
    role: str,
) -> None:
    client = client_for(role)
    seats = {"present": [str(s.pk) for s in committee]}
    posts = [
        (url("welfare-meeting-new"), {"number": "4/2568", "date": "21/03/2568"}),
        (url("welfare-meeting-attendance", meeting=meeting.code), seats),
        (url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code), _decide_data()),
        (url("welfare-meeting-close", meeting=meeting.code), {}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    meeting.refresh_from_db()
    claim.refresh_from_db()
    assert meeting.state == Meeting.State.OPEN and claim.status == Claim.Status.FILED
    assert not meeting.attendance.filter(present=True).exists()
    assert Meeting.objects.count() == 1


def test_another_funds_chair_finds_nothing(
    meeting: Meeting, claim: Claim, other_fund: Fund, client_for: Any
) -> None:
    client = client_for("other_chair")
    mine = {"fund_code": CODE, "meeting": meeting.code}
    theirs = {"fund_code": other_fund.code, "meeting": meeting.code}
    for kwargs in (mine, theirs):
        assert client.get(reverse("welfare-meeting", kwargs=kwargs)).status_code == 404
        assert client.get(reverse("welfare-meeting-minutes", kwargs=kwargs)).status_code == 404
    decide = reverse("welfare-meeting-decide", kwargs=theirs | {"claim": claim.code})
    assert client.post(decide, _decide_data()).status_code == 404
    close = reverse("welfare-meeting-close", kwargs=theirs)
    assert client.post(close).status_code == 404
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.OPEN


def test_changes_are_posted_never_got(meeting: Meeting, claim: Claim, client_for: Any) -> None:
    client = client_for("committee")
    for target in (
        url("welfare-meeting-attendance", meeting=meeting.code),
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code),
        url("welfare-meeting-close", meeting=meeting.code),
    ):
        assert client.get(target).status_code == 405


# --- Home ------------------------------------------------------------------------------------


def test_the_home_page_counts_claims_and_names_the_regulation(
    claimant: Member,
    users: dict[str, User],
    books: Fund,
    committee: list[CommitteeMember],
    meeting: Meeting,
    client_for: Any,
) -> None:
    secretary = users["secretary"]
    claims = [
        _hospital(books, secretary, claimant, 1, dt.date(2025, 3, d), dt.date(2025, 3, d))
        for d in (11, 12, 13, 14)
    ]
    _quorum(meeting, committee, users)
    for n, c in enumerate(claims[:3], start=1):
        claim_decide(
            claim=c,
            actor=users["committee"],
            meeting=meeting,
            resolution=Resolution(
                approve=n < 3,
                number=f"3/2568/{n}",
                votes_for=4 if n < 3 else 0,
                votes_against=0 if n < 3 else 4,
                note="" if n < 3 else "ขาดเอกสาร",
            ),
        )
    # Paid today: in this fiscal year.
    claim_pay(claim=claims[0], actor=users["treasurer"], date=timezone.localdate())
    page = english(client_for("auditor")).get(url("welfare-home"))
    assert page.status_code == 200
    counts = page.context["counts"]
    assert (counts.waiting, counts.approved, counts.paid, counts.rejected) == (1, 1, 1, 1)
    assert counts.paid_total == D("200.00")
    html = page.content.decode()
    assert 'id="paid-total">200.00 baht' in html
    assert "ระเบียบกองทุนสวัสดิการ (ทดสอบ), version 1, since 1 January 2563 BE" in html
    assert f'href="{url("welfare-meetings")}"' in html
    # The paid claim, by CODI category: this fiscal year and since the beginning.
    for table in ("category-year", "category-all"):
        assert f'id="{table}"' in html
    [(label, row)] = page.context["category_tables"][0][1]
    assert (label, row.persons, row.claims, row.baht) == (
        "Illness / medical care",
        1,
        1,
        D("200.00"),
    )
    # The auditor files no claim.
    new_claim = reverse("welfare-claim-new", args=[CODE])
    assert f'href="{new_claim}"' not in html
    page = client_for("secretary").get(url("welfare-home"))
    assert f'href="{new_claim}"' in page.content.decode()
    assert f'href="{reverse("welfare-claims", args=[CODE])}"' in page.content.decode()


def test_without_a_regulation_the_home_page_says_so(books: Fund, client_for: Any) -> None:
    page = client_for("chair").get(url("welfare-home"))
    assert page.status_code == 200 and page.context["regulation"] is None
    assert 'id="no-regulation"' in page.content.decode()


# --- A meeting through its pages -------------------------------------------------------------


def test_a_meeting_from_opening_to_an_approved_claim(
    claim: Claim,
    regulation: Regulation,
    committee: list[CommitteeMember],
    client_for: Any,
) -> None:
    client = english(client_for("committee"))
    page = client.get(url("welfare-meeting-new"))
    assert page.status_code == 200
    opened = client.post(
        url("welfare-meeting-new"), {"number": "3/2568", "date": "20/03/2568", "place": "ศาลา"}
    )
    assert opened.status_code == 303
    meeting = Meeting.objects.get(number="3/2568")
    assert meeting.date == DAY and meeting.place == "ศาลา"
    assert opened["Location"] == url("welfare-meeting", meeting=meeting.code)

    page = client.get(opened["Location"])
    html = page.content.decode()
    assert "0 of 5 present; 3 needed: no quorum" in html
    # The seats by office, as the minutes list them: the chair first.
    assert [a.seat.position for a in page.context["attendance"]] == [
        "chair",
        "vice_chair",
        "treasurer",
        "secretary",
        "member",
    ]
    assert "กรรมการ 1" in html and 'name="present"' in html

    present = [str(s.pk) for s in committee[:4]]
    recorded = client.post(
        url("welfare-meeting-attendance", meeting=meeting.code), {"present": present}
    )
    assert recorded.status_code == 303
    assert "4 of 5 present; 3 needed: quorum met" in " ".join(_messages(recorded))
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    html = page.content.decode()
    assert "4 of 5 present; 3 needed: quorum met" in html
    # The agenda: the claim, what the rules decided and why, and a suggested resolution.
    [item] = page.context["agenda"]
    assert item.claim == claim and item.form is not None
    assert item.form.initial["resolution"] == "3/2568/1"
    assert item.form.initial["votes_for"] == 4
    assert f'id="claim-{claim.code}"' in html
    assert claim.number in html and "201" in html  # the member's number
    assert "Eligible, for less than the full amount" in html
    assert "434 days" in html  # the waiting period, in words

    decided = client.post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code),
        _decide_data(votes_abstain="1", votes_for="3"),
    )
    assert decided.status_code == 303
    assert decided["Location"].endswith("#decided")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert claim.meeting == meeting and claim.resolution == "3/2568/1"
    assert (claim.votes_for, claim.votes_against, claim.votes_abstain) == (3, 0, 1)
    assert claim.approved_amount == D("600.00")
    assert "approved by resolution 3/2568/1: 600.00 baht" in " ".join(_messages(decided))
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    assert page.context["agenda"] == []
    assert [i.claim for i in page.context["decided"]] == [claim]
    assert f'id="decided-{claim.code}"' in page.content.decode()

    listing = client.get(url("welfare-meetings"))
    assert [(m.number, m.decided) for m in listing.context["meetings"]] == [("3/2568", 1)]
    assert f'href="{url("welfare-meeting-new")}"' in listing.content.decode()
    listing = client_for("auditor").get(url("welfare-meetings"))
    assert f'href="{url("welfare-meeting-new")}"' not in listing.content.decode()
    assert f'href="{url("welfare-meeting", meeting=meeting.code)}"' in listing.content.decode()


def test_after_a_resolution_the_page_goes_on_to_the_next_claim(
    claimant: Member,
    users: dict[str, User],
    books: Fund,
    meeting: Meeting,
    committee: list[CommitteeMember],
    client_for: Any,
) -> None:
    first, second = (
        _hospital(books, users["secretary"], claimant, 1, dt.date(2025, 3, d), dt.date(2025, 3, d))
        for d in (11, 12)
    )
    _quorum(meeting, committee, users)
    client = client_for("committee")
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    assert [i.form.initial["resolution"] for i in page.context["agenda"]] == [
        "3/2568/1",
        "3/2568/2",
    ]
    done = client.post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=first.code), _decide_data()
    )
    assert done["Location"].endswith(f"#claim-{second.code}")
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    # Numbering carries on after the resolutions already recorded.
    assert [i.form.initial["resolution"] for i in page.context["agenda"]] == ["3/2568/2"]


def test_whoever_entered_a_claim_cannot_approve_it(
    claim: Claim, meeting: Meeting, committee: list[CommitteeMember], users: Any, client_for: Any
) -> None:
    _quorum(meeting, committee, users)
    client = english(client_for("secretary"))  # the secretary entered the claim
    page = client.post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code),
        _decide_data(resolution="3/2568/77", note="ตามที่เสนอ"),
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Whoever entered a claim cannot record its approval" in html
    # The input is kept, in this claim's own form.
    [item] = page.context["agenda"]
    assert item.form.is_bound and item.form["resolution"].value() == "3/2568/77"
    assert 'value="3/2568/77"' in html and "ตามที่เสนอ" in html
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FILED
    # Another committee member can.
    done = client_for("committee").post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code), _decide_data()
    )
    assert done.status_code == 303
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_without_a_quorum_nothing_is_decided(
    claim: Claim, meeting: Meeting, committee: list[CommitteeMember], users: Any, client_for: Any
) -> None:
    attendance_record(meeting=meeting, actor=users["chair"], present={committee[0].pk})
    client = english(client_for("committee"))
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    assert "1 of 5 present; 3 needed: no quorum" in page.content.decode()
    assert "Without a quorum the committee cannot decide" in page.content.decode()
    refused = client.post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code),
        _decide_data(votes_for="1"),
    )
    assert refused.status_code == 400
    assert "No quorum: 1 of 5 present, 3 needed." in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FILED


def test_a_rejection_needs_a_reason(
    claim: Claim, meeting: Meeting, committee: list[CommitteeMember], users: Any, client_for: Any
) -> None:
    _quorum(meeting, committee, users)
    client = english(client_for("committee"))
    target = url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code)
    against = {"votes_for": "0", "votes_against": "4"}
    refused = client.post(target, _decide_data(decision="reject", **against))
    assert refused.status_code == 400
    [item] = refused.context["agenda"]
    assert item.form.errors["note"] == [
        "Please give the committee's reason for rejecting the claim."
    ]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FILED
    done = client.post(target, _decide_data(decision="reject", note="เอกสารไม่ครบ", **against))
    assert done.status_code == 303
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.decision_note == "เอกสารไม่ครบ"
    assert claim.approved_amount is None


def test_approving_less_than_the_rules_give_needs_a_reason(
    claim: Claim, meeting: Meeting, committee: list[CommitteeMember], users: Any, client_for: Any
) -> None:
    _quorum(meeting, committee, users)
    client = english(client_for("committee"))
    target = url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code)
    refused = client.post(target, _decide_data(amount="400"))
    assert refused.status_code == 400
    assert refused.context["agenda"][0].form.errors["note"] == [
        "Please give the reason for approving less."
    ]
    more = client.post(target, _decide_data(amount="700", note="x"))
    assert more.status_code == 400
    assert "at most 600.00 baht" in more.content.decode()
    done = client.post(target, _decide_data(amount="400", note="นอนเพียง 2 คืน"))
    assert done.status_code == 303
    claim.refresh_from_db()
    assert claim.approved_amount == D("400.00")


def test_closed_minutes_refuse_resolutions(
    claim: Claim, meeting: Meeting, committee: list[CommitteeMember], users: Any, client_for: Any
) -> None:
    _quorum(meeting, committee, users)
    client = english(client_for("chair"))
    closed = client.post(url("welfare-meeting-close", meeting=meeting.code))
    assert closed.status_code == 303
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CLOSED
    page = client.get(url("welfare-meeting", meeting=meeting.code))
    html = page.content.decode()
    assert page.context["agenda"] == [] and page.context["attendance_form"] is None
    assert 'id="close-form"' not in html and f'id="claim-{claim.code}"' not in html
    refused = english(client_for("committee")).post(
        url("welfare-meeting-decide", meeting=meeting.code, claim=claim.code), _decide_data()
    )
    assert refused.status_code == 400
    assert "The minutes of this meeting are closed." in refused.content.decode()
    assert 'id="refused"' in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FILED
    seats = {"present": [str(committee[0].pk)]}
    again = client.post(url("welfare-meeting-attendance", meeting=meeting.code), seats)
    assert again.status_code == 400
    assert meeting.attendance.filter(present=True).count() == 4


def test_the_agenda_lists_waiting_claims_filed_by_the_day_of_the_meeting(
    claimant: Member,
    users: dict[str, User],
    books: Fund,
    meeting: Meeting,
    committee: list[CommitteeMember],
    client_for: Any,
) -> None:
    secretary = users["secretary"]
    older = _hospital(books, secretary, claimant, 1, dt.date(2025, 3, 5), dt.date(2025, 3, 1))
    same_day = _hospital(books, secretary, claimant, 1, DAY, dt.date(2025, 3, 2))
    _hospital(books, secretary, claimant, 1, DAY + dt.timedelta(days=1), dt.date(2025, 3, 3))
    decided = _hospital(books, secretary, claimant, 1, dt.date(2025, 3, 4), dt.date(2025, 3, 4))
    earlier = meeting_open(
        fund=books, actor=users["chair"], number="2/2568", date=dt.date(2025, 3, 4)
    )
    _quorum(earlier, committee, users)
    claim_decide(
        claim=decided,
        actor=users["committee"],
        meeting=earlier,
        resolution=Resolution(approve=True, number="2/2568/1", votes_for=4, votes_against=0),
    )
    meeting_close(meeting=earlier, actor=users["chair"])
    page = client_for("auditor").get(url("welfare-meeting", meeting=meeting.code))
    agenda = page.context["agenda"]
    assert [i.claim for i in agenda] == [older, same_day]  # oldest first
    assert all(i.form is None for i in agenda)  # the auditor only reads
    assert page.context["attendance_form"] is None
    # The earlier meeting shows its resolution and no agenda.
    page = client_for("auditor").get(url("welfare-meeting", meeting=earlier.code))
    assert [i.claim for i in page.context["decided"]] == [decided]
    assert page.context["agenda"] == []


def test_a_meeting_is_refused_without_a_committee_in_office(
    regulation: Regulation, committee: list[CommitteeMember], client_for: Any
) -> None:
    client = english(client_for("secretary"))
    page = client.post(url("welfare-meeting-new"), {"number": "1/2562", "date": "01/02/2562"})
    assert page.status_code == 400
    assert "The fund has no committee whose term covers this day." in page.content.decode()
    assert 'value="1/2562"' in page.content.decode()
    assert not Meeting.objects.exists()


def test_the_minutes_as_pdf(
    claim: Claim,
    claimant: Member,
    meeting: Meeting,
    committee: list[CommitteeMember],
    users: Any,
    client_for: Any,
    tmp_path: Any,
) -> None:
    _quorum(meeting, committee, users)
    claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=Resolution(
            approve=True,
            number="3/2568/1",
            votes_for=3,
            votes_against=0,
            votes_abstain=1,
            amount=D("500.00"),
            note="ลดตามมติ",
        ),
    )
    response = client_for("auditor").get(url("welfare-meeting-minutes", meeting=meeting.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="minutes-3-2568.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path / "minutes.pdf")
    for expected in (
        "ครั้งที่3/2568",
        claim.number,
        "3/2568/1",
        f"สมาชิกเลขที่{claimant.number}",
        "อนุมัติจำนวน500.00บาท",
        "ลดตามมติ",
        "เห็นด้วย3เสียงไม่เห็นด้วย0เสียงงดออกเสียง1เสียง",
        "ครบองค์ประชุม",
        "ร่าง",  # still open
        "ลงชื่อ",
    ):
        assert squash(expected) in text, expected
    assert make_national_id(201) not in text
    assert "434" in text  # the waiting period, among the reasons
