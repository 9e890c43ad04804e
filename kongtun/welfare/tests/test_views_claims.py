"""The claims pages through the browser's requests: who may see and do what, intake with the
rules' check (which writes nothing), filing once however often the form is sent, evidence
kept without its metadata, payment posted to the books, acknowledgment and the payment slip,
and the welfare section of the member's page.

Committee decisions are made through the services: the meeting pages are tested elsewhere.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from kongtun.accounts.models import User
from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import Account, JournalLine
from kongtun.ledger.services import chart_install
from kongtun.lib.bahttext import bahttext
from kongtun.lib.uploads import MAX_EVIDENCE_BYTES
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status
from kongtun.welfare.models import Claim, Document, Meeting, Payee, Regulation
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_open,
)
from kongtun.welfare.tests.conftest import install_regulation

D = Decimal
pytestmark = pytest.mark.django_db

EVENT = dt.date(2025, 3, 10)
FILED = dt.date(2025, 3, 12)


def _url(name: str, fund: Fund, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, **kwargs})


def _claim_url(name: str, claim: Claim, **kwargs: Any) -> str:
    return _url(name, claim.fund, claim=claim.code, **kwargs)


@pytest.fixture
def client_en(client_for: Any) -> Any:
    """A logged-in client that chose English, so the reasons can be read in tests."""

    def make(role: str) -> Any:
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def _hospital(claimant: Member, users: dict[str, User], nights: int = 4) -> Claim:
    return claim_file(
        fund=claimant.fund,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="illness",
            recipient="member",
            member=claimant,
            event_date=EVENT,
            nights=nights,
        ),
        filed_on=FILED,
    )


def _meeting(fund: Fund, users: dict[str, User], committee: list[CommitteeMember]) -> Meeting:
    meeting = meeting_open(fund=fund, actor=users["chair"], number="3/2568", date=FILED)
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee[:4]})
    return meeting


def _approve(claim: Claim, users: dict[str, User], committee: list[CommitteeMember]) -> Claim:
    return claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=_meeting(claim.fund, users, committee),
        resolution=Resolution(approve=True, number="3/2568-1", votes_for=4, votes_against=0),
    )


@pytest.fixture
def filed(claimant: Member, users: dict[str, User]) -> Claim:
    """A hospital claim of 4 nights: 800 baht by the rate, 600 at most a stay."""
    return _hospital(claimant, users)


@pytest.fixture
def approved(filed: Claim, users: dict[str, User], committee: list[CommitteeMember]) -> Claim:
    return _approve(filed, users, committee)


@pytest.fixture
def paid(approved: Claim, users: dict[str, User]) -> Claim:
    return claim_pay(claim=approved, actor=users["treasurer"], date=dt.date(2025, 3, 21))


def _png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "GPS 18.7883,98.9853 secret-home")
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _upload(client: Any, claim: Claim, name: str, data: bytes, label: str = "ใบรับรองแพทย์"):
    return client.post(
        _claim_url("welfare-claim-document-add", claim),
        {"label": label, "file": SimpleUploadedFile(name, data)},
    )


def _intake(claimant: Member, **overrides: str) -> dict[str, str]:
    data = {
        "member_number": claimant.number,
        "benefit": "illness",
        "recipient": "member",
        "event_date": "10/03/2568",
        "nights": "4",
        "claimed": "",
        "person_name": "",
        "person_birth_date": "",
        "person_address": "",
        "details": "นอนโรงพยาบาลลำปาง",
        "key": "one-time-key-1",
        "action": "check",
    }
    return data | overrides


# --- Who may see and do what -----------------------------------------------------------------


def test_a_collector_sees_no_claims(filed: Claim, client_for: Any, users: dict[str, User]) -> None:
    collector = client_for("collector")
    for url in (
        _url("welfare-claims", filed.fund),
        _url("welfare-claim-new", filed.fund),
        _claim_url("welfare-claim", filed),
        _claim_url("welfare-claim-slip", filed),
    ):
        assert collector.get(url).status_code == 403, url


def test_the_auditor_reads_but_files_and_pays_nothing(filed: Claim, client_for: Any) -> None:
    auditor = client_for("auditor")
    assert auditor.get(_url("welfare-claims", filed.fund)).status_code == 200
    page = auditor.get(_claim_url("welfare-claim", filed))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="upload-form"' not in html and 'id="withdraw-form"' not in html
    assert auditor.get(_url("welfare-claim-new", filed.fund)).status_code == 403
    assert auditor.get(_claim_url("welfare-claim-pay", filed)).status_code == 403
    assert _upload(auditor, filed, "a.png", _png_with_metadata()).status_code == 403
    withdraw = auditor.post(_claim_url("welfare-claim-withdraw", filed), {"reason": "x"})
    assert withdraw.status_code == 403


def test_the_committee_cannot_pay(approved: Claim, client_for: Any) -> None:
    committee = client_for("committee")
    assert committee.get(_claim_url("welfare-claim", approved)).status_code == 200
    assert committee.post(_claim_url("welfare-claim-pay", approved), {}).status_code == 403


def test_another_funds_claim_is_not_found(
    filed: Claim, client_for: Any, users: dict[str, User], other_fund: Fund
) -> None:
    # The chair of the other fund cannot reach this fund's pages at all.
    assert client_for("other_chair").get(_claim_url("welfare-claim", filed)).status_code == 404
    with fund_scope(other_fund):
        chart_install(fund=other_fund)
        install_regulation(other_fund, users["other_chair"])
        foreign = claim_file(
            fund=other_fund,
            actor=users["other_chair"],
            data=ClaimInput(
                benefit_key="help",
                recipient="non_member",
                person_name="นางต่างถิ่น",
                event_date=dt.date(2025, 2, 1),
            ),
            filed_on=dt.date(2025, 2, 2),
        )
    # Its claim, asked for under this fund's address, is not there.
    url = _url("welfare-claim", filed.fund, claim=foreign.code)
    assert client_for("chair").get(url).status_code == 404


# --- The list --------------------------------------------------------------------------------


def test_the_list_filters_by_status(
    filed: Claim, claimant: Member, users: dict[str, User], client_for: Any
) -> None:
    other = _hospital(claimant, users, nights=1)
    client = client_for("chair")
    client.post(_claim_url("welfare-claim-withdraw", other), {"reason": "ยื่นซ้ำ"})
    listing = client.get(_url("welfare-claims", filed.fund))
    html = listing.content.decode()
    assert filed.number in html and other.number in html
    assert claimant.full_name in html and "10 มี.ค. 2568" in html
    waiting = client.get(_url("welfare-claims", filed.fund), {"status": "withdrawn"})
    assert [c.number for c in waiting.context["page"]] == [other.number]


# --- Intake ----------------------------------------------------------------------------------


def test_checking_eligibility_writes_nothing_and_gives_every_reason(
    claimant: Member, client_en: Any, books: Fund
) -> None:
    response = client_en("secretary").post(_url("welfare-claim-new", books), _intake(claimant))
    assert response.status_code == 200
    html = response.content.decode()
    # 1 Jan 2024 → 10 Mar 2025: 434 days since becoming a member, past the 180 days' wait.
    assert "434 days since becoming a member" in html
    assert "4 nights × 200 baht = 800 baht" in html
    # Filed today, long after the 90 days allowed: said in words, not only in colour.
    assert "Not met" in html and "must be filed within 90 days" in html
    assert Claim.objects.count() == 0
    # The input is kept for filing.
    assert 'value="one-time-key-1"' in html and "นอนโรงพยาบาลลำปาง" in html


def test_a_member_number_without_its_leading_zeros_finds_the_member(
    claimant: Member, client_en: Any, books: Fund
) -> None:
    assert claimant.number.startswith("0")
    data = _intake(claimant, member_number=claimant.number.lstrip("0"))
    response = client_en("secretary").post(_url("welfare-claim-new", books), data)
    assert response.status_code == 200
    assert "434 days since becoming a member" in response.content.decode()


def test_filing_twice_with_the_same_form_files_one_claim(
    claimant: Member, client_for: Any, books: Fund
) -> None:
    client = client_for("secretary")
    data = _intake(claimant, action="file")
    first = client.post(_url("welfare-claim-new", books), data)
    second = client.post(_url("welfare-claim-new", books), data)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    claim = Claim.objects.get()
    assert first["Location"] == _claim_url("welfare-claim", claim)
    assert claim.member == claimant and claim.regulation.version == 1
    assert claim.entered_by.username == "secretary"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("member_number", "99999", "No member of this fund has the number 99999."),
        ("event_date", "31/02/2568", "31/02/2568"),
    ],
)
def test_bad_input_keeps_what_was_typed(
    claimant: Member, client_en: Any, books: Fund, field: str, value: str, message: str
) -> None:
    for action in ("check", "file"):
        data = _intake(claimant, action=action, **{field: value})
        response = client_en("secretary").post(_url("welfare-claim-new", books), data)
        assert response.status_code == 400
        form = response.context["form"]
        assert form.errors[field]
        html = response.content.decode()
        assert message in html and f'value="{value}"' in html
        assert "นอนโรงพยาบาลลำปาง" in html
    assert Claim.objects.count() == 0


def test_the_member_page_link_fills_in_the_member(
    claimant: Member, client_for: Any, books: Fund
) -> None:
    page = client_for("secretary").get(_url("welfare-claim-new", books), {"member": claimant.code})
    assert page.status_code == 200
    assert page.context["form"]["member_number"].value() == claimant.number
    assert page.context["form"]["key"].value()


def test_a_service_refusal_shows_next_to_the_field(
    regulation: Regulation, client_en: Any, books: Fund
) -> None:
    data = {
        "member_number": "",
        "benefit": "help",
        "recipient": "non_member",
        "event_date": "01/02/2568",
        "key": "k-2",
        "action": "file",
    }
    response = client_en("secretary").post(_url("welfare-claim-new", books), data)
    assert response.status_code == 400
    assert response.context["form"].errors["person_name"] == [
        "Give the name of the person to be helped."
    ]


# --- Evidence --------------------------------------------------------------------------------


def test_a_photo_comes_back_without_its_metadata(filed: Claim, client_for: Any) -> None:
    original = _png_with_metadata()
    assert b"secret-home" in original
    client = client_for("secretary")
    response = _upload(client, filed, "หน้าบัตร.png", original)
    assert response.status_code == 303
    document = Document.objects.get(claim=filed)
    assert document.label == "ใบรับรองแพทย์"
    page = client.get(_claim_url("welfare-claim", filed)).content.decode()
    assert "✓" in page and "หน้าบัตร.png" in page
    served = client_for("auditor").get(
        _claim_url("welfare-claim-document", filed, document=document.code)
    )
    assert served.status_code == 200
    body = b"".join(served.streaming_content)  # reading it to the end closes the file
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"] and "private" in served["Cache-Control"]
    assert "inline" in served["Content-Disposition"]
    assert "%E0%B8%AB" in served["Content-Disposition"]  # the Thai name, encoded
    assert b"secret-home" not in body
    with Image.open(io.BytesIO(body)) as image:
        assert image.size == (12, 8) and not getattr(image, "text", {})
    download = client.get(
        _claim_url("welfare-claim-document", filed, document=document.code), {"download": "1"}
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == body


def test_a_pdf_is_always_downloaded(filed: Claim, client_for: Any) -> None:
    pdf = b"%PDF-1.4\n% medical certificate\n%%EOF\n"
    client = client_for("secretary")
    assert _upload(client, filed, "cert.pdf", pdf, label="ใบเสร็จโรงพยาบาล").status_code == 303
    document = Document.objects.get(claim=filed)
    served = client.get(_claim_url("welfare-claim-document", filed, document=document.code))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == pdf


def test_a_collector_cannot_download_evidence(filed: Claim, client_for: Any) -> None:
    _upload(client_for("secretary"), filed, "a.png", _png_with_metadata())
    document = Document.objects.get(claim=filed)
    url = _claim_url("welfare-claim-document", filed, document=document.code)
    assert client_for("collector").get(url).status_code == 403


def test_a_document_is_served_only_under_its_own_claim(
    filed: Claim, claimant: Member, users: dict[str, User], client_for: Any
) -> None:
    other = _hospital(claimant, users, nights=1)
    _upload(client_for("secretary"), filed, "a.png", _png_with_metadata())
    document = Document.objects.get(claim=filed)
    url = _claim_url("welfare-claim-document", other, document=document.code)
    assert client_for("chair").get(url).status_code == 404


def test_a_text_file_named_png_is_refused(filed: Claim, client_en: Any) -> None:
    response = _upload(client_en("secretary"), filed, "photo.png", b"just some text\n")
    assert response.status_code == 400
    assert response.context["document_form"].errors["file"] == [
        "Only PDF, JPEG or PNG files can be attached."
    ]
    assert not Document.objects.filter(claim=filed).exists()


def test_a_file_too_large_is_refused_in_words(filed: Claim, client_en: Any) -> None:
    big = b"%PDF-1.4\n" + bytes(MAX_EVIDENCE_BYTES)
    response = _upload(client_en("secretary"), filed, "scan.pdf", big)
    assert response.status_code == 400
    assert "The file is larger than 10 MB." in response.content.decode()
    assert not Document.objects.filter(claim=filed).exists()


def test_no_upload_after_payment(paid: Claim, client_en: Any) -> None:
    response = _upload(client_en("treasurer"), paid, "late.png", _png_with_metadata())
    assert response.status_code == 400
    assert "Evidence can only be added while the claim is open." in response.content.decode()
    page = client_en("treasurer").get(_claim_url("welfare-claim", paid)).content.decode()
    assert 'id="upload-form"' not in page


# --- The claim's page and withdrawal ---------------------------------------------------------


def test_the_claim_page_explains_the_decision(filed: Claim, client_en: Any) -> None:
    page = client_en("committee").get(_claim_url("welfare-claim", filed))
    html = page.content.decode()
    assert "Eligible, for less than the full amount" in html
    assert "600.00" in html and "800.00" in html
    assert "434 days since becoming a member" in html
    assert "Version 1" in html
    # The benefit's required documents, none received yet.
    assert "Missing" in html and "ใบรับรองแพทย์" in html and "ใบเสร็จโรงพยาบาล" in html
    assert "Waiting for the committee" in html


def test_withdrawing_a_claim(filed: Claim, client_en: Any) -> None:
    client = client_en("secretary")
    url = _claim_url("welfare-claim-withdraw", filed)
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and empty.context["withdraw_form"].errors["reason"]
    done = client.post(url, {"reason": "ผู้ป่วยขอถอน"})
    assert done.status_code == 303
    filed.refresh_from_db()
    assert filed.status == Claim.Status.WITHDRAWN and filed.withdrawn_reason == "ผู้ป่วยขอถอน"


def test_an_approved_claim_cannot_be_withdrawn(approved: Claim, client_en: Any) -> None:
    response = client_en("secretary").post(
        _claim_url("welfare-claim-withdraw", approved), {"reason": "ขอถอน"}
    )
    assert response.status_code == 400
    assert "Only a claim still waiting for the committee can be withdrawn." in (
        response.content.decode()
    )


# --- Payment, acknowledgment, the slip -------------------------------------------------------


def test_paying_posts_to_the_books(approved: Claim, client_en: Any, books: Fund) -> None:
    client = client_en("treasurer")
    page = client.get(_claim_url("welfare-claim", approved))
    assert 'id="pay-link"' in page.content.decode()
    form = client.get(_claim_url("welfare-claim-pay", approved))
    assert form.status_code == 200
    assert approved.member is not None
    assert [(p.name, p.amount) for p in form.context["payees"]] == [
        (approved.member.full_name, D("600.00"))
    ]
    cash = Account.objects.get(fund=books, role="cash")
    response = client.post(
        _claim_url("welfare-claim-pay", approved),
        {"date": "21/03/2568", "money_account": cash.pk},
    )
    assert response.status_code == 303
    claim = Claim.objects.get(pk=approved.pk)
    assert claim.status == Claim.Status.PAID and claim.paid_on == dt.date(2025, 3, 21)
    assert claim.voucher is not None
    lines = {
        (line.account.role, line.amount)
        for line in JournalLine.objects.filter(entry=claim.voucher.entry)
    }
    assert lines == {("cash", D("-600.00")), ("welfare.illness", D("600.00"))}
    detail = client.get(_claim_url("welfare-claim", claim)).content.decode()
    assert claim.voucher.number in detail and 'id="voucher-link"' in detail
    # Sent again (a second tab): paid once.
    again = client.post(
        _claim_url("welfare-claim-pay", approved),
        {"date": "21/03/2568", "money_account": cash.pk},
    )
    assert again.status_code == 303
    assert JournalLine.objects.filter(account__role="welfare.illness").count() == 1


def test_a_claim_not_approved_cannot_be_paid(filed: Claim, client_en: Any, books: Fund) -> None:
    client = client_en("treasurer")
    page = client.get(_claim_url("welfare-claim-pay", filed))
    assert page.status_code == 200 and 'id="not-payable"' in page.content.decode()
    cash = Account.objects.get(fund=books, role="cash")
    refused = client.post(
        _claim_url("welfare-claim-pay", filed), {"date": "21/03/2568", "money_account": cash.pk}
    )
    assert refused.status_code == 400
    assert "Only a claim the committee approved can be paid." in refused.content.decode()


def test_a_death_benefit_is_shown_split_among_the_beneficiaries(
    claimant: Member,
    users: dict[str, User],
    committee: list[CommitteeMember],
    client_for: Any,
) -> None:
    died = dt.date(2026, 3, 3)
    member_change_status(
        member=claimant, actor=users["secretary"], event=Event.DIED, effective_on=died
    )
    claim = claim_file(
        fund=claimant.fund,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="death", recipient="beneficiary", member=claimant, event_date=died
        ),
        filed_on=dt.date(2026, 3, 5),
    )
    meeting = meeting_open(
        fund=claimant.fund, actor=users["chair"], number="4/2569", date=dt.date(2026, 3, 6)
    )
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee})
    claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=Resolution(approve=True, number="4/2569-2", votes_for=5, votes_against=0),
    )
    page = client_for("treasurer").get(_claim_url("welfare-claim-pay", claim))
    # The dues unpaid at death (January and February 2026: 60) are kept back, as the
    # regulation says; the beneficiaries share the 4,940 left by 60 % and 40 %.
    assert page.context["deduction"] == D("60.00")
    assert [(p.name, p.share_percent, p.amount) for p in page.context["payees"]] == [
        ("ผู้รับ หนึ่ง", D("60.00"), D("2964.00")),
        ("ผู้รับ สอง", D("40.00"), D("1976.00")),
    ]


def test_the_payee_acknowledges_the_money(paid: Claim, client_en: Any) -> None:
    payee = Payee.objects.get(claim=paid)
    url = _claim_url("welfare-claim-acknowledge", paid, payee=payee.pk)
    client = client_en("secretary")
    early = client.post(url, {f"p{payee.pk}-on": "01/03/2568", f"p{payee.pk}-how": "ลงชื่อ"})
    assert early.status_code == 400
    assert "The money cannot be received before it was paid." in early.content.decode()
    done = client.post(
        url, {f"p{payee.pk}-on": "22/03/2568", f"p{payee.pk}-how": "ลงลายมือชื่อในใบสำคัญรับเงิน"}
    )
    assert done.status_code == 303
    payee.refresh_from_db()
    assert payee.acknowledged_on == dt.date(2025, 3, 22)
    assert payee.acknowledged_how == "ลงลายมือชื่อในใบสำคัญรับเงิน"
    page = client.get(_claim_url("welfare-claim", paid)).content.decode()
    assert "ลงลายมือชื่อในใบสำคัญรับเงิน" in page and 'class="ack-form"' not in page


def test_the_auditor_cannot_record_an_acknowledgment(paid: Claim, client_for: Any) -> None:
    payee = Payee.objects.get(claim=paid)
    url = _claim_url("welfare-claim-acknowledge", paid, payee=payee.pk)
    assert client_for("auditor").post(url, {}).status_code == 403


def test_a_payee_of_another_claim_is_not_found(
    paid: Claim, claimant: Member, users: dict[str, User], client_for: Any
) -> None:
    other = _hospital(claimant, users, nights=1)
    payee = Payee.objects.get(claim=paid)
    url = _claim_url("welfare-claim-acknowledge", other, payee=payee.pk)
    assert client_for("chair").post(url, {}).status_code == 404


def test_the_payment_slip(paid: Claim, client_for: Any, tmp_path: Any) -> None:
    response = client_for("auditor").get(_claim_url("welfare-claim-slip", paid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path / "slip.pdf")
    assert paid.voucher is not None and paid.member is not None
    for expected in (
        "ใบสำคัญรับเงิน",
        paid.number,
        paid.voucher.number,
        paid.member.full_name,
        "เจ็บป่วยนอนโรงพยาบาล",
        "600.00",
        bahttext(D("600.00")),
        "21 มีนาคม 2568",
        "ผู้รับเงิน",
        "ผู้จ่ายเงิน",
    ):
        assert squash(expected) in text, expected


def test_no_slip_before_payment(approved: Claim, client_for: Any) -> None:
    response = client_for("chair").get(_claim_url("welfare-claim-slip", approved))
    assert response.status_code == 302
    assert response["Location"] == _claim_url("welfare-claim", approved)


# --- The member's page -----------------------------------------------------------------------


def test_the_member_page_shows_welfare_to_those_who_read_claims(
    paid: Claim, claimant: Member, client_en: Any
) -> None:
    url = _url("members-detail", claimant.fund, code=claimant.code)
    chair = client_en("chair").get(url)
    html = chair.content.decode()
    assert 'id="member-claims"' in html and paid.number in html
    # 600 of the 1,000 a year for hospital stays were used in the fiscal year of the event;
    # this year's figures start afresh.
    illness = next(e for e in chair.context["entitlements"] if e.benefit.key == "illness")
    assert illness.left_this_year == D("1000.00")
    assert "used 0.00 of 1,000.00 baht, 1,000.00 baht left" in html
    assert "once only: not yet received" in html  # the death benefit
    assert 'id="file-claim"' in html and f"?member={claimant.code}" in html
    collector = client_en("collector").get(url)
    assert collector.status_code == 200
    assert 'id="welfare"' not in collector.content.decode()
    assert paid.number not in collector.content.decode()
    assert "entitlements" not in collector.context


def test_the_auditor_sees_welfare_but_no_claim_link(claimant: Member, client_en: Any) -> None:
    url = _url("members-detail", claimant.fund, code=claimant.code)
    html = client_en("auditor").get(url).content.decode()
    assert 'id="welfare"' in html and 'id="file-claim"' not in html


def test_a_benefit_only_an_earlier_version_had_can_still_be_claimed(
    regulation: Regulation, users: dict[str, User], client_for: Any, books: Fund
) -> None:
    from kongtun.welfare.services import benefit_remove, regulation_adopt, regulation_draft

    draft = regulation_draft(fund=books, actor=users["secretary"])
    benefit_remove(benefit=draft.benefits.get(key="birth"), actor=users["secretary"])
    regulation_adopt(
        regulation=draft, actor=users["chair"], effective_from=dt.date(2025, 1, 1), resolution="1"
    )
    form = client_for("secretary").get(_url("welfare-claim-new", books)).context["form"]
    choices = dict(form.fields["benefit"].choices)
    assert "illness" in choices and choices["birth"].endswith("1)")
