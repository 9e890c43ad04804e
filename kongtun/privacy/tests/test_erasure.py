"""P5: erasure pseudonymises the person while every amount stays; nothing of them is left in
the rows that may change; the tombstone brings the erasure back after a restore."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import Attachment, Voucher, VoucherLine
from kongtun.members.models import Consent, Event, Member
from kongtun.members.services import (
    BeneficiaryInput,
    beneficiary_add,
    consent_record,
    member_change_status,
    member_register,
    member_update,
    national_id_index,
)
from kongtun.privacy import erasure as erasure_module
from kongtun.privacy.erasure import (
    PSEUDONYM,
    is_pseudonymised,
    member_erase,
    pseudonym,
    reapply_erasures,
    reapply_erasures_report,
    tombstone_path,
)
from kongtun.privacy.export import member_export_data
from kongtun.privacy.models import Erasure
from kongtun.privacy.tests.conftest import hospital_claim, money_totals, paid_claim
from kongtun.welfare.models import Document
from kongtun.welfare.services import claim_withdraw, document_add, document_path

pytestmark = pytest.mark.django_db

FIRST, LAST = "ประพันธ์ศักดิ์", "ไพรวัลย์สกุล"
PHONE, HOUSE, STREET = "0812345678", "99/41", "ซอยลำดวนหอม"
HEIRS = ("บุญเรือน ไพรวัลย์สกุล", "ทองใบ ศรีสุขสันต์")
NID, HEIR_NID = make_national_id(777), make_national_id(778)
PDF = b"%PDF-1.4\n% evidence of " + FIRST.encode() + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def person(plan: Any, books: Fund, users: dict[str, User], regulation: Any, pay: Any) -> Member:
    """A member with everything a fund keeps: receipts, consent, two heirs, a paid claim."""
    actor = users["secretary"]
    data = member_data(
        777, first_name=FIRST, last_name=LAST, phone=PHONE, house_no=HOUSE, street=STREET,
        national_id=NID, joined_on=dt.date(2024, 1, 1), birth_date=dt.date(1961, 8, 23),
    )  # fmt: skip
    member = member_register(fund=books, actor=actor, data=data)
    pay(member, "740.00", dt.date(2024, 1, 5))
    consent_record(
        member=member, actor=actor, purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.PAPER, given_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    for name, share, nid in ((HEIRS[0], Decimal(60), HEIR_NID), (HEIRS[1], Decimal(40), "")):
        beneficiary_add(
            member=member,
            actor=actor,
            data=BeneficiaryInput(
                full_name=name, relationship="child", share_percent=share, national_id=nid
            ),
        )
    return member


def _resign(member: Member, actor: User, note: str = "") -> Member:
    return member_change_status(
        member=member, actor=actor, event=Event.RESIGNED, effective_on=dt.date(2025, 6, 1),
        note=note,
    )  # fmt: skip


def _database_text() -> dict[str, str]:
    """Every row of every table as text, table by table (SQLite and PostgreSQL alike)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found[table] = "\n".join(
                " ".join("" if v is None else str(v) for v in row) for row in cursor.fetchall()
            )
    return found


def _hits(needles: list[str]) -> dict[str, list[str]]:
    return {
        table: [n for n in needles if n in text]
        for table, text in _database_text().items()
        if any(n in text for n in needles)
    }


def test_only_a_member_who_left_without_open_claims_can_be_erased(
    person: Member, users: dict[str, User], books: Fund
) -> None:
    chair = users["chair"]
    with pytest.raises(ValidationError, match="resigned, died, lapsed"):
        member_erase(member=person, actor=chair, reason="คำขอ 1 มิ.ย. 2568")
    claim = hospital_claim(books, person, users["secretary"])
    person = _resign(person, chair)
    with pytest.raises(ValidationError, match="claim still open"):
        member_erase(member=person, actor=chair, reason="คำขอ 1 มิ.ย. 2568")
    with pytest.raises(ValidationError, match="Say why"):
        member_erase(member=person, actor=chair, reason="  ")
    claim_withdraw(claim=claim, actor=users["secretary"], reason="ผู้ขอถอน")
    member_erase(member=person, actor=chair, reason="คำขอ 1 มิ.ย. 2568")
    with pytest.raises(ValidationError, match="already erased"):
        member_erase(member=person, actor=chair, reason="อีกครั้ง")


def test_erasure_keeps_every_amount_and_leaves_the_person_nowhere_but_the_locked_rows(
    person: Member,
    users: dict[str, User],
    committee: list[CommitteeMember],
    books: Fund,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = paid_claim(books, person, users, committee)
    # The payment voucher as a treasurer may have filled it: a line and a scanned slip name
    # the person.
    voucher = Voucher.objects.get(member=person)
    VoucherLine.objects.filter(voucher=voucher).update(description=f"จ่ายให้ {FIRST} {LAST}")
    Attachment.objects.create(
        fund=books, voucher=voucher, stored_name="b" * 40, original_name=f"สลิป {FIRST}.jpg",
        content_type="image/jpeg", size=1, sha256="0" * 64, uploaded_by=users["treasurer"],
    )  # fmt: skip
    # Evidence added while a second claim is open, which is then withdrawn.
    second = hospital_claim(books, person, users["secretary"], on=dt.date(2025, 4, 1))
    document = document_add(claim=second, actor=users["secretary"], name=f"{FIRST}.pdf", data=PDF)
    claim_withdraw(claim=second, actor=users["secretary"], reason=f"{FIRST} ขอถอน")
    person = _resign(person, users["chair"], note=f"{FIRST} {LAST} ย้ายไปต่างจังหวัด")
    before = money_totals(books)
    needles = [FIRST, LAST, PHONE, STREET, *HEIRS, NID, HEIR_NID, national_id_index(NID)]
    assert set(_hits(needles)) >= {
        "members_member", "members_beneficiary", "welfare_claim", "ledger_voucherline",
        "ledger_attachment",
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        erasure = member_erase(member=person, actor=users["chair"], reason="คำขอเป็นหนังสือ")

    assert money_totals(books) == before
    person.refresh_from_db()
    assert person.full_name == pseudonym(person) and is_pseudonymised(person)
    assert person.birth_date == dt.date(1961, 1, 1)
    assert person.national_id_masked == "x-xxxx-xxxxx-xx-x"
    assert list(person.beneficiaries.values_list("full_name", flat=True)) == [PSEUDONYM] * 2
    claim.refresh_from_db()
    assert claim.details == "" and claim.approved_amount == before["claims_approved"]
    assert voucher.total == claim.approved_amount  # the voucher's amounts are untouched
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not document_path(document).exists()
    # What remains: the hash-chained audit trail (docs/privacy.md, Limits). The posted entry
    # of the payment never named its payee. Nothing else anywhere.
    hits = _hits(needles)
    assert set(hits) <= {"audit_auditentry"}, hits
    # The national ID was never in clear anywhere, and its index went with the member row.
    for never in (NID, HEIR_NID, national_id_index(NID)):
        assert not any(never in found for found in hits.values())
    assert verify_audit() == []
    entry = AuditEntry.objects.get(action="privacy.member.erased")
    assert FIRST not in entry.data and LAST not in entry.data
    assert erasure.erased_by == users["chair"]
    # The export after erasure carries none of it either.
    exported = json.dumps(
        [s.items for s in member_export_data(person)], ensure_ascii=False, default=str
    )
    assert not [n for n in needles if n in exported]


def test_the_tombstone_holds_no_personal_data_and_erasure_comes_back_after_a_restore(
    person: Member, users: dict[str, User], books: Fund
) -> None:
    person = _resign(person, users["chair"])
    # The rows as an older backup has them, before the erasure.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, first_name, last_name, national_id_encrypted, national_id_index, "
            "national_id_tail, birth_date, phone, house_no, street FROM members_member "
            "WHERE id = %s",
            [person.pk],
        )
        old_member = cursor.fetchone()
        cursor.execute(
            "SELECT id, full_name, national_id_encrypted, national_id_index, national_id_tail "
            "FROM members_beneficiary WHERE member_id = %s",
            [person.pk],
        )
        old_heirs = cursor.fetchall()
    member_erase(member=person, actor=users["chair"], reason="คำขอเป็นหนังสือ")
    stones = tombstone_path().read_text(encoding="utf-8")
    assert json.loads(stones.splitlines()[0]) == {
        "member": str(person.code),
        "fund": books.code,
        "erased_at": json.loads(stones.splitlines()[0])["erased_at"],
    }
    assert not [n for n in (FIRST, LAST, NID, PHONE, *HEIRS) if n in stones]
    assert reapply_erasures() == 0  # nothing to do on the live database

    # "Restore" the older copy: the person's rows come back, the erasure row is not in it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET title = %s, first_name = %s, last_name = %s, "
            "national_id_encrypted = %s, national_id_index = %s, national_id_tail = %s, "
            "birth_date = %s, phone = %s, house_no = %s, street = %s WHERE id = %s",
            [*old_member, person.pk],
        )
        for pk, *heir in old_heirs:
            cursor.execute(
                "UPDATE members_beneficiary SET full_name = %s, national_id_encrypted = %s, "
                "national_id_index = %s, national_id_tail = %s WHERE id = %s",
                [*heir, pk],
            )
        cursor.execute("DELETE FROM privacy_erasure WHERE member_id = %s", [person.pk])
    assert _hits([FIRST, NID, national_id_index(NID)]).keys() - {"audit_auditentry"}

    out = StringIO()
    call_command("reapply_erasures", stdout=out)
    assert "re-applied 1" in out.getvalue()
    with fund_scope(books):
        person.refresh_from_db()
        assert is_pseudonymised(person)
        assert Erasure.objects.filter(member=person).exists()
    hits = _hits([FIRST, LAST, NID, HEIR_NID, *HEIRS, PHONE, national_id_index(NID)])
    assert set(hits) <= {"audit_auditentry"}, hits
    assert reapply_erasures() == 0  # idempotent
    assert len(tombstone_path().read_text(encoding="utf-8").splitlines()) == 1
    assert AuditEntry.objects.filter(action="privacy.member.erasure_reapplied").count() == 1
    assert verify_audit() == []


def test_a_torn_last_line_of_the_tombstone_file_is_ignored(
    person: Member, users: dict[str, User]
) -> None:
    person = _resign(person, users["chair"])
    member_erase(member=person, actor=users["chair"], reason="คำขอ")
    with tombstone_path().open("a", encoding="utf-8") as f:
        f.write('{"member": "abc')
    assert reapply_erasures() == 0


def test_the_chair_erases_from_the_member_page_after_confirming(
    person: Member, users: dict[str, User], books: Fund, client_for: Any
) -> None:
    url = reverse("privacy-member-erase", kwargs={"fund_code": books.code, "code": person.code})
    assert client_for("treasurer").get(url).status_code == 403
    assert client_for("other_chair").get(url).status_code == 404
    chair = client_for("chair")
    refused = chair.get(url)
    assert refused.status_code == 200 and 'id="erase-refusal"' in refused.content.decode()
    with fund_scope(books):
        _resign(person, users["chair"])
    page = chair.get(url).content.decode()
    assert 'id="erase-confirm"' in page and FIRST in page
    unconfirmed = chair.post(url, {"reason": "คำขอ"})
    assert unconfirmed.status_code == 400
    with fund_scope(books):
        person.refresh_from_db()
        assert not is_pseudonymised(person)
    done = chair.post(url, {"reason": "คำขอ", "confirm": "on"})
    assert done.status_code == 302
    with fund_scope(books):
        person.refresh_from_db()
        assert is_pseudonymised(person)
    detail = chair.get(done["Location"]).content.decode()
    assert FIRST not in detail and pseudonym(person) in detail


def _stone(member: Member, fund: Fund, when: dt.datetime) -> None:
    erasure_module._tombstone_write(
        json.dumps({"member": str(member.code), "fund": fund.code, "erased_at": when.isoformat()})
    )


def test_a_listed_member_active_again_since_the_erasure_is_skipped_not_wiped(
    person: Member, users: dict[str, User], books: Fund
) -> None:
    # Listed as erased a year ago, yet the row was changed since and shows an active member.
    _stone(person, books, person.updated_at - dt.timedelta(days=365))
    assert reapply_erasures() == 0
    person.refresh_from_db()
    assert person.first_name == FIRST and not is_pseudonymised(person)
    assert not Erasure.objects.filter(member=person).exists()
    assert reapply_erasures_report().skipped == [str(person.code)]
    out = StringIO()
    call_command("reapply_erasures", stdout=out)
    assert "re-applied 0" in out.getvalue() and str(person.code) in out.getvalue()


def test_an_erased_person_does_not_come_back_through_the_register(
    person: Member, users: dict[str, User], books: Fund
) -> None:
    actor = users["chair"]
    person = member_change_status(
        member=person, actor=actor, event=Event.LAPSED,
        effective_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    member_erase(member=person, actor=actor, reason="คำขอ")
    refused = "erased at their request; register them again as a new member"
    with pytest.raises(ValidationError, match=refused):
        member_change_status(
            member=person, actor=actor, event=Event.REINSTATED, effective_on=dt.date(2025, 7, 1)
        )
    with pytest.raises(ValidationError, match=refused):
        member_update(
            member=person, actor=actor, data=member_data(777, first_name=FIRST, national_id=NID)
        )
    with pytest.raises(ValidationError, match=refused):
        beneficiary_add(
            member=person,
            actor=actor,
            data=BeneficiaryInput(
                full_name=HEIRS[0], relationship="child", share_percent=Decimal(1)
            ),
        )
    with pytest.raises(ValidationError, match=refused):
        consent_record(
            member=person, actor=actor, purpose=Consent.Purpose.CONTACT,
            channel=Consent.Channel.PAPER, given_on=dt.date(2025, 7, 1),
        )  # fmt: skip
    person.refresh_from_db()
    assert is_pseudonymised(person) and person.status == "lapsed"


def test_evidence_files_stay_when_the_erasure_fails_after_deleting_their_rows(
    person: Member,
    users: dict[str, User],
    books: Fund,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = hospital_claim(books, person, users["secretary"], on=dt.date(2025, 4, 1))
    document = document_add(claim=claim, actor=users["secretary"], name="bill.pdf", data=PDF)
    claim_withdraw(claim=claim, actor=users["secretary"], reason="ขอถอน")
    person = _resign(person, users["chair"])

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(erasure_module, "_tombstone_append", disk_full)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        member_erase(member=person, actor=users["chair"], reason="คำขอ")
    assert Document.objects.filter(pk=document.pk).exists()
    assert document_path(document).read_bytes() == PDF
    person.refresh_from_db()
    assert not is_pseudonymised(person)


def test_a_copy_older_than_the_erasure_is_erased_again_even_if_active_then(
    person: Member, users: dict[str, User], books: Fund
) -> None:
    # The backup was taken while the person was active; they left and were erased after it.
    _stone(person, books, person.updated_at + dt.timedelta(days=30))
    assert reapply_erasures() == 1
    person.refresh_from_db()
    assert is_pseudonymised(person) and Erasure.objects.filter(member=person).exists()
    # Active in that copy, the pseudonym must still be able to leave like anyone (or the
    # fund's lapse run and its member counts would be stuck), though never come back.
    person = member_change_status(
        member=person, actor=users["chair"], event=Event.RESIGNED,
        effective_on=dt.date.today(),
    )  # fmt: skip
    assert person.status == "resigned"
    with pytest.raises(ValidationError, match="register them again as a new member"):
        member_change_status(
            member=person, actor=users["chair"], event=Event.REAPPLIED,
            effective_on=dt.date.today(),
        )  # fmt: skip
