"""The claim workflow through the services: intake, the committee, payment, acknowledgment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kongtun.accounts.models import User
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger.models import Account, JournalLine, Voucher
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status
from kongtun.welfare.explain import explain
from kongtun.welfare.models import Benefit, Claim, Meeting, Regulation
from kongtun.welfare.rules import Outcome
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    benefit_save,
    claim_decide,
    claim_file,
    claim_pay,
    meeting_open,
    payee_acknowledge,
    regulation_adopt,
    regulation_draft,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are matched by their English words."""
    with translation.override("en"):
        yield


def _hospital(member: Member, nights: int, on: dt.date = dt.date(2025, 3, 10)) -> ClaimInput:
    return ClaimInput(
        benefit_key="illness", recipient="member", member=member, event_date=on, nights=nights
    )


def _meeting(fund: Fund, actor: User, committee: list[CommitteeMember], day: dt.date) -> Meeting:
    meeting = meeting_open(fund=fund, actor=actor, number=f"{day.month}/2568", date=day)
    attendance_record(meeting=meeting, actor=actor, present={s.pk for s in committee[:4]})
    return meeting


def _approve(claim: Claim, actor: User, meeting: Meeting, **kw: object) -> Claim:
    res = Resolution(approve=True, number="3/2568", votes_for=4, votes_against=0, **kw)  # type: ignore[arg-type]
    return claim_decide(claim=claim, actor=actor, meeting=meeting, resolution=res)


def test_hospital_claim_from_intake_to_the_books(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 4),
        filed_on=dt.date(2025, 3, 12),
    )
    # 4 nights × 200 = 800, at most 600 a stay.
    assert claim.outcome == Outcome.CAPPED
    assert claim.assessed_amount == D("600.00")
    assert claim.full_amount == D("800.00")
    assert claim.nights_paid == 3
    assert claim.regulation.version == 1
    lines = [line.text for line in explain(claim.reasons)]
    assert any("434" in text for text in lines)  # 1 Jan 2024 → 10 Mar 2025 = 434 days
    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 3, 20))
    with pytest.raises(ValidationError, match="entered"):
        _approve(claim, users["secretary"], meeting)
    claim = _approve(claim, users["committee"], meeting)
    assert claim.status == Claim.Status.APPROVED and claim.approved_amount == D("600.00")
    cash = Account.objects.get(fund=books, role="cash")
    claim = claim_pay(
        claim=claim, actor=users["treasurer"], date=dt.date(2025, 3, 21), money_account=cash
    )
    assert claim.status == Claim.Status.PAID
    voucher = claim.voucher
    assert voucher is not None
    assert voucher.status == Voucher.Status.APPROVED and voucher.member == claimant
    lines_in_books = {
        (ln.account.role, ln.amount) for ln in JournalLine.objects.filter(entry=voucher.entry)
    }
    assert lines_in_books == {("cash", D("-600.00")), ("welfare.illness", D("600.00"))}
    # Paying again (a double click) pays once.
    again = claim_pay(claim=claim, actor=users["treasurer"], date=dt.date(2025, 3, 21))
    assert again.voucher_id == claim.voucher_id
    assert Voucher.objects.filter(fund=books, member=claimant).count() == 1
    payee = claim.payees.get()
    payee = payee_acknowledge(
        payee=payee, actor=users["treasurer"], on=dt.date(2025, 3, 21), how="ลงลายมือชื่อ"
    )
    assert payee.acknowledged_on == dt.date(2025, 3, 21)


def test_the_year_cap_counts_earlier_claims(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 3),
        filed_on=dt.date(2025, 3, 12),
    )
    second = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 3, dt.date(2025, 5, 1)),
        filed_on=dt.date(2025, 5, 2),
    )
    # 600 used of 1,000 this fiscal year (2568): 400 left.
    assert second.assessed_amount == D("400.00")
    assert second.nights_paid == 2
    texts = [line.text for line in explain(second.reasons)]
    assert any("600" in t and "1,000" in t for t in texts)


def test_death_benefit_paid_to_beneficiaries_by_shares_with_dues_deducted(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    died = dt.date(2026, 3, 3)  # 2 full years: 5,000; dues paid only to 31 Dec 2025
    member_change_status(
        member=claimant, actor=users["secretary"], event=Event.DIED, effective_on=died
    )
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="death", recipient="beneficiary", member=claimant, event_date=died
        ),
        filed_on=dt.date(2026, 3, 5),
    )
    assert claim.assessed_amount == D("5000.00")
    meeting = _meeting(books, users["chair"], committee, dt.date(2026, 3, 6))
    claim = _approve(claim, users["committee"], meeting)
    claim = claim_pay(claim=claim, actor=users["treasurer"], date=dt.date(2026, 3, 7))
    # Dues at death: January and February 2026 ended unpaid (2 × 30 = 60), kept back with
    # a receipt; the beneficiaries share 5,000 − 60 = 4,940 by 60 % and 40 %.
    assert claim.deducted_receipt is not None and claim.deducted_receipt.total == D("60.00")
    shares = sorted((p.name, p.amount) for p in claim.payees.all())
    assert shares == [("ผู้รับ สอง", D("1976.00")), ("ผู้รับ หนึ่ง", D("2964.00"))]
    assert claim.voucher is not None
    expense = JournalLine.objects.get(entry=claim.voucher.entry, account__role="welfare.death")
    assert expense.amount == D("5000.00")


def test_non_member_help_has_its_own_budget_line(
    regulation: Regulation, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    data = ClaimInput(
        benefit_key="help",
        recipient="non_member",
        person_name="นางยากไร้ ในชุมชน",
        event_date=dt.date(2025, 2, 1),
    )
    claims = [
        claim_file(fund=books, actor=users["secretary"], data=data, filed_on=dt.date(2025, 2, 2))
        for _ in range(4)
    ]
    assert [c.outcome for c in claims] == ["eligible"] * 3 + ["not_eligible"]
    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 2, 10))
    paid = claim_pay(
        claim=_approve(claims[0], users["committee"], meeting),
        actor=users["treasurer"],
        date=dt.date(2025, 2, 11),
    )
    assert paid.voucher is not None
    roles = set(
        JournalLine.objects.filter(entry=paid.voucher.entry).values_list("account__role", flat=True)
    )
    assert roles == {"cash", "welfare.non_members"}


def test_not_eligible_claim_can_only_be_rejected(
    regulation: Regulation,
    plan: object,
    users: dict[str, User],
    committee: list[CommitteeMember],
    books: Fund,
) -> None:
    from kongtun.contributions.tests.conftest import new_member

    newcomer = new_member(books, users["treasurer"], 301, joined=dt.date(2025, 1, 1))
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="birth", recipient="member", member=newcomer, event_date=dt.date(2025, 2, 1)
        ),
        filed_on=dt.date(2025, 2, 2),
    )
    assert claim.outcome == Outcome.NOT_ELIGIBLE
    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 2, 10))
    with pytest.raises(ValidationError, match="not eligible"):
        _approve(claim, users["committee"], meeting)
    rejected = claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=Resolution(False, "4/2568", 0, 4, note="ยังไม่ครบระยะรอสิทธิ์"),
    )
    assert rejected.status == Claim.Status.REJECTED


def test_a_new_version_does_not_change_a_decision_made(
    claimant: Member, regulation: Regulation, users: dict[str, User], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    draft = regulation_draft(fund=books, actor=users["secretary"])
    illness = Benefit.objects.get(regulation=draft, key="illness")
    values = {
        name: getattr(illness, name)
        for name in (
            "key",
            "name",
            "category",
            "basis",
            "for_member",
            "for_child",
            "for_beneficiary",
            "for_non_member",
            "per_event_cap",
            "per_year_cap",
            "waiting_days",
        )
    }
    benefit_save(
        regulation=draft,
        actor=users["secretary"],
        benefit=illness,
        values=values | {"amount": D("300.00")},
        tiers=[],
    )
    regulation_adopt(
        regulation=draft,
        actor=users["chair"],
        effective_from=dt.date(2025, 4, 1),
        resolution="5/2568",
    )
    claim.refresh_from_db()
    assert claim.assessed_amount == D("400.00") and claim.regulation == regulation
    later = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2, dt.date(2025, 4, 2)),
        filed_on=dt.date(2025, 4, 3),
    )
    assert later.regulation.version == 2
    assert later.assessed_amount == D("600.00")  # 2 × 300, within 600 a year left
    with pytest.raises(ValidationError, match="never changed"):
        benefit_save(
            regulation=regulation,
            actor=users["secretary"],
            benefit=regulation.benefits.first(),
            values={},
            tiers=[],
        )


def test_unpaid_dues_are_deducted_from_a_living_members_payout(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    Benefit.objects.filter(key="birth").update(deduct_arrears=True)
    born = dt.date(2026, 3, 20)  # paid through 31 Dec 2025: Jan and Feb 2026 have ended unpaid
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=ClaimInput(benefit_key="birth", recipient="member", member=claimant, event_date=born),
        filed_on=dt.date(2026, 3, 21),
    )
    assert claim.assessed_amount == D("1000.00")
    meeting = _meeting(books, users["chair"], committee, dt.date(2026, 3, 25))
    paid = claim_pay(
        claim=_approve(claim, users["committee"], meeting),
        actor=users["treasurer"],
        date=dt.date(2026, 3, 26),
    )
    # By 26 Mar, January and February 2026 have ended unpaid: 2 × 30 = 60 (March runs on).
    receipt = paid.deducted_receipt
    assert receipt is not None and receipt.total == D("60.00")
    cash = Account.objects.get(fund=books, role="cash")
    moved = JournalLine.objects.filter(account=cash, entry__date=dt.date(2026, 3, 26))
    assert sum(ln.amount for ln in moved) == -(D("1000.00") - receipt.total)


def test_a_claim_filed_twice_with_one_key_is_one_claim(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    first = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
        idempotency_key="k1",
    )
    again = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
        idempotency_key="k1",
    )
    assert again.pk == first.pk
    assert Claim.objects.filter(fund=books).count() == 1


def test_health_claims_need_explicit_consent(
    regulation: Regulation, plan: object, users: dict[str, User], books: Fund
) -> None:
    from kongtun.contributions.tests.conftest import new_member

    member = new_member(books, users["treasurer"], 302, joined=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="consent"):
        claim_file(
            fund=books,
            actor=users["secretary"],
            data=_hospital(member, 2),
            filed_on=dt.date(2025, 3, 12),
        )
    assert not Claim.objects.filter(fund=books).exists()


def test_a_meeting_without_quorum_decides_nothing(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    meeting = meeting_open(
        fund=books, actor=users["chair"], number="9/2568", date=dt.date(2025, 3, 20)
    )
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee[:2]})
    with pytest.raises(ValidationError, match="quorum"):
        _approve(claim, users["committee"], meeting)
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee[:3]})
    with pytest.raises(ValidationError, match="More votes"):
        _approve(claim, users["committee"], meeting)  # 4 votes for, 3 present
    done = claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=Resolution(True, "9/2568/1", 2, 1, amount=D("300.00"), note="ขาดใบเสร็จหนึ่งคืน"),
    )
    assert done.approved_amount == D("300.00")


def test_less_than_assessed_needs_a_reason_and_more_is_refused(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 3, 20))
    with pytest.raises(ValidationError, match=r"at most 400\.00"):
        _approve(claim, users["committee"], meeting, amount=D("500.00"))
    with pytest.raises(ValidationError, match="reason"):
        _approve(claim, users["committee"], meeting, amount=D("200.00"))
    with pytest.raises(ValidationError, match="reason"):
        claim_decide(
            claim=claim,
            actor=users["committee"],
            meeting=meeting,
            resolution=Resolution(False, "x", 0, 4),
        )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FILED


def test_withdrawn_and_paid_claims_take_no_more_evidence(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    from kongtun.welfare.services import claim_withdraw, document_add

    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    claim_withdraw(claim=claim, actor=users["secretary"], reason="ยื่นผิดประเภท")
    with pytest.raises(ValidationError, match="open"):
        document_add(claim=claim, actor=users["secretary"], name="a.pdf", data=b"%PDF-1.4 test")
    # A withdrawn claim holds no share of the year's cap.
    again = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 5),
        filed_on=dt.date(2025, 3, 12),
    )
    assert again.assessed_amount == D("600.00")


def test_pictures_are_kept_without_their_metadata(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    import io

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from kongtun.welfare.services import document_add, document_path

    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Owner Name"  # Artist
    Image.new("RGB", (40, 30), "red").save(jpeg, "JPEG", exif=exif)
    assert b"Owner Name" in jpeg.getvalue()
    png = io.BytesIO()
    info = PngInfo()
    info.add_text("Author", "Owner Name")
    Image.new("RGB", (40, 30), "blue").save(png, "PNG", pnginfo=info)
    for name, data in (("photo.jpg", jpeg.getvalue()), ("scan.png", png.getvalue())):
        doc = document_add(
            claim=claim, actor=users["secretary"], name=name, data=data, label="ใบรับรองแพทย์"
        )
        kept = document_path(doc).read_bytes()
        assert b"Owner Name" not in kept and b"PhoneMaker" not in kept
        with Image.open(io.BytesIO(kept)) as image:
            assert image.size == (40, 30)
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        document_add(claim=claim, actor=users["secretary"], name="x.png", data=b"not a picture")
    with pytest.raises(ValidationError, match="damaged"):
        document_add(
            claim=claim, actor=users["secretary"], name="x.png", data=b"\x89PNG\r\n\x1a\n broken"
        )


def test_adopting_checks_the_date_and_the_rules(
    regulation: Regulation, users: dict[str, User], books: Fund
) -> None:
    draft = regulation_draft(fund=books, actor=users["secretary"])
    with pytest.raises(ValidationError, match="after version 1"):
        regulation_adopt(
            regulation=draft,
            actor=users["chair"],
            effective_from=dt.date(2019, 1, 1),
            resolution="x",
        )
    with pytest.raises(ValidationError, match="resolution"):
        regulation_adopt(
            regulation=draft,
            actor=users["chair"],
            effective_from=dt.date(2026, 1, 1),
            resolution=" ",
        )
    values = {
        "key": "table",
        "name": "ตาราง",
        "category": "other",
        "basis": "by_age",
        "for_member": True,
    }
    with pytest.raises(ValidationError, match="at least one row"):
        benefit_save(regulation=draft, actor=users["secretary"], values=values, tiers=[])
    with pytest.raises(ValidationError, match="short code"):
        benefit_save(
            regulation=draft,
            actor=users["secretary"],
            values=values | {"key": "birth"},
            tiers=[(0, D("5"))],
        )


def test_a_childs_yearly_benefit_is_counted_per_child(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    def scholarship(child: str) -> Claim:
        data = ClaimInput(
            benefit_key="scholarship",
            recipient="child",
            member=claimant,
            person_name=child,
            person_birth_date=dt.date(2014, 6, 1),
            event_date=dt.date(2025, 5, 15),
        )
        return claim_file(
            fund=books, actor=users["secretary"], data=data, filed_on=dt.date(2025, 5, 16)
        )

    first, second, again = (
        scholarship("เด็กหญิง หนึ่ง"),
        scholarship("เด็กชาย สอง"),
        scholarship("เด็กหญิง หนึ่ง"),
    )
    assert [c.outcome for c in (first, second, again)] == ["eligible", "eligible", "not_eligible"]
    assert {r["code"] for r in again.reasons if r["ok"] is False} == {"times_per_year"}


@pytest.mark.parametrize("key", ["chamuang", "umong", "sadao"])
def test_each_real_regulation_installs_with_the_same_rules(
    key: str, books: Fund, users: dict[str, User]
) -> None:
    from kongtun.welfare.examples import EXAMPLES
    from kongtun.welfare.selectors import benefit_rule
    from kongtun.welfare.services import regulation_install

    spec = EXAMPLES[key]
    installed = regulation_install(
        fund=books,
        actor=users["secretary"],
        spec=spec,
        effective_from=dt.date(2020, 1, 1),
        resolution="1/2563",
    )
    assert installed.text == spec.text and installed.title == spec.title
    rules_by_key = {b.key: benefit_rule(b) for b in installed.benefits.prefetch_related("tiers")}
    assert rules_by_key == {b.key: b.rule() for b in spec.benefits}


def test_attendance_is_fixed_once_a_resolution_is_recorded_and_half_the_seats_is_a_quorum(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    CommitteeMember.objects.filter(pk=committee[4].pk).update(position="adviser")
    meeting = meeting_open(
        fund=books, actor=users["chair"], number="5/2568", date=dt.date(2025, 3, 20)
    )
    assert meeting.attendance.count() == 4  # the adviser holds no seat that votes
    quorum = attendance_record(
        meeting=meeting, actor=users["chair"], present={s.pk for s in committee[:2]}
    )
    assert (quorum.present, quorum.seats, quorum.needed, quorum.met) == (2, 4, 2, True)
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 1),
        filed_on=dt.date(2025, 3, 12),
    )
    claim_decide(
        claim=claim,
        actor=users["committee"],
        meeting=meeting,
        resolution=Resolution(True, "5/2568/1", 2, 0),
    )
    with pytest.raises(ValidationError, match="no longer change"):
        attendance_record(meeting=meeting, actor=users["chair"], present=set())
    with pytest.raises(ValidationError, match="already recorded"):
        meeting_open(fund=books, actor=users["chair"], number="5/2568", date=dt.date(2025, 3, 21))


def test_a_rejection_with_more_votes_for_is_refused(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 1),
        filed_on=dt.date(2025, 3, 12),
    )
    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 3, 20))
    with pytest.raises(ValidationError, match="More votes for than against"):
        claim_decide(
            claim=claim,
            actor=users["committee"],
            meeting=meeting,
            resolution=Resolution(False, "1", 3, 1, note="x"),
        )


def test_a_not_eligible_claim_holds_no_share_of_a_cap(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    def scholarship(born: dt.date) -> Claim:
        data = ClaimInput(
            benefit_key="scholarship",
            recipient="child",
            member=claimant,
            person_name="เด็กหญิง  หนึ่ง",  # a double space is the same name
            person_birth_date=born,
            event_date=dt.date(2025, 5, 15),
        )
        return claim_file(
            fund=books, actor=users["secretary"], data=data, filed_on=dt.date(2025, 5, 16)
        )

    typo = scholarship(dt.date(2020, 6, 1))  # aged 4: under 6
    fixed = scholarship(dt.date(2014, 6, 1))
    assert (typo.outcome, fixed.outcome) == ("not_eligible", "eligible")
    assert fixed.person_name == "เด็กหญิง หนึ่ง"
    assert scholarship(dt.date(2014, 6, 1)).outcome == "not_eligible"  # once a year per child


def test_waiting_counts_from_the_approval(
    regulation: Regulation, plan: object, users: dict[str, User], books: Fund
) -> None:
    from kongtun.conftest import member_data
    from kongtun.members.services import member_register

    applied = member_register(
        fund=books,
        actor=users["secretary"],
        data=member_data(401, joined_on=dt.date(2024, 1, 1), status="applicant"),
    )
    if applied.status == "active":
        pytest.fail("the test needs a member waiting for approval")
    member_change_status(
        member=applied,
        actor=users["secretary"],
        event=Event.APPROVED,
        effective_on=dt.date(2024, 6, 1),
    )
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="birth", recipient="member", member=applied, event_date=dt.date(2024, 7, 15)
        ),
        filed_on=dt.date(2024, 7, 16),
    )
    waiting = next(r for r in claim.reasons if r["code"] == "waiting")
    assert waiting["params"]["days"] == 44 and waiting["ok"] is False


def test_the_dead_and_the_resigned(claimant: Member, users: dict[str, User], books: Fund) -> None:
    from kongtun.welfare.selectors import status_on

    death = ClaimInput(
        benefit_key="death",
        recipient="beneficiary",
        member=claimant,
        event_date=dt.date(2025, 5, 1),
    )
    with pytest.raises(ValidationError, match="death"):
        claim_file(fund=books, actor=users["secretary"], data=death, filed_on=dt.date(2025, 5, 2))
    member_change_status(
        member=claimant,
        actor=users["secretary"],
        event=Event.RESIGNED,
        effective_on=dt.date(2025, 6, 1),
    )
    # A refund on leaving is about the resignation itself: the member was active that morning.
    assert status_on(claimant, dt.date(2025, 6, 1)) == "active"
    assert status_on(claimant, dt.date(2025, 6, 2)) == "resigned"


def test_shares_short_of_100_percent_pay_nobody(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claimant.beneficiaries.filter(full_name="ผู้รับ สอง").delete()  # 60 % left
    died = dt.date(2025, 7, 1)
    member_change_status(
        member=claimant, actor=users["secretary"], event=Event.DIED, effective_on=died
    )
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=ClaimInput(
            benefit_key="death", recipient="beneficiary", member=claimant, event_date=died
        ),
        filed_on=dt.date(2025, 7, 2),
    )
    approved = _approve(
        claim, users["committee"], _meeting(books, users["chair"], committee, dt.date(2025, 7, 3))
    )
    with pytest.raises(ValidationError, match="100%"):
        claim_pay(claim=approved, actor=users["treasurer"], date=dt.date(2025, 7, 4))
    assert not Voucher.objects.filter(fund=books, member=claimant).exists()


def test_who_recorded_the_approval_cannot_pay_and_a_reused_form_is_refused(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
        idempotency_key="k9",
    )
    with pytest.raises(ValidationError, match="other details"):
        claim_file(
            fund=books,
            actor=users["secretary"],
            data=_hospital(claimant, 3),
            filed_on=dt.date(2025, 3, 12),
            idempotency_key="k9",
        )
    approved = _approve(
        claim, users["chair"], _meeting(books, users["chair"], committee, dt.date(2025, 3, 20))
    )
    with pytest.raises(ValidationError, match="cannot also pay"):
        claim_pay(claim=approved, actor=users["chair"], date=dt.date(2025, 3, 21))
    assert (
        claim_pay(claim=approved, actor=users["treasurer"], date=dt.date(2025, 3, 21)).status
        == "paid"
    )


def test_yearly_caps_turn_with_the_government_fiscal_year(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    before = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 5, dt.date(2025, 9, 30)),
        filed_on=dt.date(2025, 10, 1),
    )
    after = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 5, dt.date(2025, 10, 1)),
        filed_on=dt.date(2025, 10, 2),
    )
    second = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 5, dt.date(2025, 10, 5)),
        filed_on=dt.date(2025, 10, 6),
    )
    assert (before.fiscal_year, after.fiscal_year) == (2568, 2569)
    # 600 a stay each; FY2569 has 1,000: 600 then 400.
    assert [c.assessed_amount for c in (before, after, second)] == [
        D("600.00"),
        D("600.00"),
        D("400.00"),
    ]


def test_a_version_cannot_come_into_force_behind_a_claim_already_judged(
    claimant: Member, users: dict[str, User], books: Fund
) -> None:
    claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 1),
        filed_on=dt.date(2025, 3, 12),
    )
    draft = regulation_draft(fund=books, actor=users["secretary"])
    with pytest.raises(ValidationError, match="already judged"):
        regulation_adopt(
            regulation=draft,
            actor=users["chair"],
            effective_from=dt.date(2025, 3, 1),
            resolution="x",
        )
    regulation_adopt(
        regulation=draft, actor=users["chair"], effective_from=dt.date(2025, 3, 11), resolution="x"
    )


def test_jpeg_comments_go_too(claimant: Member, users: dict[str, User], books: Fund) -> None:
    import io

    from PIL import Image

    from kongtun.welfare.services import document_add, document_path

    claim = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 2),
        filed_on=dt.date(2025, 3, 12),
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(jpeg, "JPEG", comment=b"SECRETCOMMENT")
    assert b"SECRETCOMMENT" in jpeg.getvalue()
    doc = document_add(claim=claim, actor=users["secretary"], name="p.jpg", data=jpeg.getvalue())
    assert b"SECRETCOMMENT" not in document_path(doc).read_bytes()


def test_welfare_by_codi_category_counts_persons_and_baht(
    claimant: Member, users: dict[str, User], committee: list[CommitteeMember], books: Fund
) -> None:
    from kongtun.welfare.selectors import CategoryRow, welfare_by_category

    meeting = _meeting(books, users["chair"], committee, dt.date(2025, 9, 30))

    def paid(data: ClaimInput, on: dt.date) -> Claim:
        claim = claim_file(
            fund=books, actor=users["secretary"], data=data, filed_on=data.event_date
        )
        return claim_pay(
            claim=_approve(claim, users["committee"], meeting), actor=users["treasurer"], date=on
        )

    paid(_hospital(claimant, 2, dt.date(2025, 3, 10)), dt.date(2025, 10, 1))  # 400, FY2569
    paid(_hospital(claimant, 1, dt.date(2025, 5, 10)), dt.date(2025, 10, 1))  # 200, FY2569
    for child in ("เด็กหญิง หนึ่ง", "เด็กชาย สอง"):  # two children: two persons
        paid(
            ClaimInput(
                benefit_key="scholarship",
                recipient="child",
                member=claimant,
                person_name=child,
                person_birth_date=dt.date(2014, 6, 1),
                event_date=dt.date(2025, 5, 15),
            ),
            dt.date(2025, 10, 1),
        )
    help_ = ClaimInput(
        benefit_key="help",
        recipient="non_member",
        person_name="นางยากไร้",
        event_date=dt.date(2025, 6, 1),
    )
    paid(help_, dt.date(2025, 10, 1))
    filed_only = claim_file(
        fund=books,
        actor=users["secretary"],
        data=_hospital(claimant, 1, dt.date(2025, 8, 1)),
        filed_on=dt.date(2025, 8, 1),
    )
    assert filed_only.status == "filed"  # not paid: not counted

    assert welfare_by_category(books, dt.date(2025, 10, 31)) == [
        CategoryRow("illness", 1, 2, D("600.00")),  # one member, two stays: 400 + 200
        CategoryRow("education", 2, 2, D("1000.00")),  # two children × 500
        CategoryRow("non_members", 1, 1, D("1000.00")),
    ]
    # Paid on 1 Oct 2025: nothing in fiscal year 2568 (to 30 Sep 2025).
    assert welfare_by_category(books, dt.date(2025, 9, 30), dt.date(2024, 10, 1)) == []
