"""P6: the retention job removes what expired by the run, keeps what has not, never changes
money, and a dry run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry, MemberView
from kongtun.audit.verify import verify_audit
from kongtun.conftest import member_data
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.members.models import Event, Member, Status, StatusChange
from kongtun.members.services import member_change_status, member_register
from kongtun.privacy.erasure import is_pseudonymised
from kongtun.privacy.models import Erasure
from kongtun.privacy.retention import access_log_model, retention_run
from kongtun.privacy.tests.conftest import hospital_claim, money_totals, new_member, paid_claim
from kongtun.welfare.models import Document
from kongtun.welfare.services import document_add, document_path

pytestmark = pytest.mark.django_db

RUN = dt.date(2027, 3, 1)
PDF = b"%PDF-1.4\n% evidence\n%%EOF\n"


def _register(fund: Fund, actor: User, seed: int, joined: dt.date, status: str) -> Member:
    return member_register(
        fund=fund, actor=actor, data=member_data(seed, joined_on=joined, status=status)
    )


@pytest.fixture
def register(plan: Any, books: Fund, users: dict[str, User], pay: Any) -> dict[str, Member]:
    """Members whose data expired by RUN, and members whose data did not."""
    actor = users["secretary"]
    old_applicant = _register(books, actor, 601, dt.date(2025, 6, 1), Status.APPLICANT)
    new_applicant = _register(books, actor, 602, dt.date(2026, 10, 1), Status.APPLICANT)
    turned_down = _register(books, actor, 603, dt.date(2025, 1, 10), Status.APPLICANT)
    turned_down = member_change_status(
        member=turned_down, actor=actor, event=Event.REJECTED, effective_on=dt.date(2025, 2, 1)
    )
    left_long_ago = new_member(books, actor, 604, joined=dt.date(2012, 1, 1))
    pay(left_long_ago, "380.00", dt.date(2012, 1, 5))
    left_long_ago = member_change_status(
        member=left_long_ago, actor=actor, event=Event.RESIGNED, effective_on=dt.date(2016, 6, 1)
    )
    left_lately = new_member(books, actor, 605, joined=dt.date(2012, 1, 1))
    pay(left_lately, "380.00", dt.date(2012, 1, 5))
    left_lately = member_change_status(
        member=left_lately, actor=actor, event=Event.RESIGNED, effective_on=dt.date(2025, 6, 1)
    )
    active = new_member(books, actor, 606, joined=dt.date(2011, 1, 1))
    pay(active, "380.00", dt.date(2011, 1, 5))
    return {
        "old_applicant": old_applicant,
        "new_applicant": new_applicant,
        "turned_down": turned_down,
        "left_long_ago": left_long_ago,
        "left_lately": left_lately,
        "active": active,
    }


def _state(members: dict[str, Member]) -> dict[str, bool]:
    erased = {}
    for key, member in members.items():
        member.refresh_from_db()
        erased[key] = is_pseudonymised(member)
    return erased


def _database_text() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows += [f"{table} {row}" for row in sorted(map(repr, cursor.fetchall()))]
    return "\n".join(rows)


def test_expired_members_are_pseudonymised_and_the_rest_kept(
    register: dict[str, Member], books: Fund, users: dict[str, User]
) -> None:
    before = money_totals(books)
    result = retention_run(today=RUN)
    assert (result.applicants, result.finished_members) == (2, 1)
    assert _state(register) == {
        "old_applicant": True,
        "new_applicant": False,
        "turned_down": True,
        "left_long_ago": True,
        "left_lately": False,
        "active": False,
    }
    assert money_totals(books) == before
    assert verify_audit() == []
    # Run again: nothing left to do.
    assert retention_run(today=RUN).total == 0
    # The day the recent leaver's ten years are up, they go too.
    later = retention_run(today=dt.date(2035, 6, 2))
    assert later.finished_members == 1 and _state(register)["left_lately"]
    assert later.applicants == 1 and _state(register)["new_applicant"]
    assert not _state(register)["active"]


def test_a_dry_run_changes_nothing(register: dict[str, Member]) -> None:
    before = _database_text()
    out = StringIO()
    call_command("retention", "--dry-run", "--today", RUN.isoformat(), stdout=out)
    assert "would remove: 2 applicant(s), 1 former member(s)" in out.getvalue()
    assert _database_text() == before


def test_evidence_of_long_closed_claims_goes_and_open_claims_keep_theirs(
    claimant: Member,
    users: dict[str, User],
    committee: list[CommitteeMember],
    books: Fund,
) -> None:
    paid = paid_claim(books, claimant, users, committee)
    paid_doc = Document.objects.create(
        fund=books, claim=paid, label="ใบรับรองแพทย์", stored_name="a" * 40,
        original_name="cert.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
        uploaded_by=users["secretary"],
    )  # fmt: skip
    document_path(paid_doc).write_bytes(PDF)
    still_open = hospital_claim(books, claimant, users["secretary"], on=dt.date(2025, 4, 1))
    open_doc = document_add(claim=still_open, actor=users["secretary"], name="bill.pdf", data=PDF)
    before = money_totals(books)
    assert retention_run(today=dt.date(2029, 12, 31)).documents == 0  # not five years yet
    result = retention_run(today=dt.date(2031, 6, 1))
    assert result.documents == 1
    assert not Document.objects.filter(pk=paid_doc.pk).exists()
    assert not document_path(paid_doc).exists()
    assert Document.objects.filter(pk=open_doc.pk).exists() and document_path(open_doc).exists()
    assert money_totals(books) == before
    # A member with a claim still open is not pseudonymised, however old their data.
    assert not is_pseudonymised(claimant)


def test_access_log_rows_older_than_two_years_are_deleted(
    member: Member, users: dict[str, User], fund: Fund
) -> None:
    now = timezone.now()
    for days in (800, 700, 10):
        MemberView.objects.create(
            fund=fund, member=member, user=users["chair"], what="detail", path="/x/",
            at=now - dt.timedelta(days=days),
        )  # fmt: skip
    assert retention_run(dry_run=True).access_log_rows == 1
    assert MemberView.objects.count() == 3
    assert retention_run().access_log_rows == 1
    assert MemberView.objects.count() == 2


def test_a_pending_application_is_turned_down_before_it_is_pseudonymised(
    register: dict[str, Member], books: Fund
) -> None:
    with translation.override("en"):  # whoever runs the job, reasons are in the fund's language
        retention_run(today=RUN)
    with translation.override("th"):
        applied = _("Retention: application not approved within a year")
        not_decided = _("Retention: the application was not decided within a year")
        ended = _("Retention: membership ended ten years ago")
    old = register["old_applicant"]
    old.refresh_from_db()
    assert old.status == Status.REJECTED and is_pseudonymised(old)
    step = StatusChange.objects.filter(member=old).latest("pk")
    assert (step.event, step.from_status, step.recorded_by) == (
        Event.REJECTED, Status.APPLICANT, None
    )  # fmt: skip
    rejected = AuditEntry.objects.get(action="members.member.rejected", object_id=str(old.pk))
    assert not_decided in rejected.data
    assert Erasure.objects.get(member=old).reason == applied
    assert Erasure.objects.get(member=register["left_long_ago"]).reason == ended
    assert verify_audit() == []


def test_the_access_log_is_the_audit_apps_member_view() -> None:
    assert access_log_model() == (MemberView, "at")
