"""The processes of the welfare concurrency tests: seed a fund with a claim waiting for the
committee, act on it at the same moment, report what was stored.

Run as `python -m kongtun.welfare.tests.concurrent_clerk COMMAND SPEC_JSON` on a database of
the test's own (test_concurrency.py makes it, with kongtun.contributions.tests'
`migrated_database`). Each command writes its answer as JSON to `spec["out"]`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from kongtun.contributions.tests.concurrent_payer import _barrier, _national_id

ACTORS = 4
EVENT = dt.date(2025, 3, 10)
MEETING_DAY = dt.date(2025, 3, 20)
PAY_DAY = dt.date(2025, 3, 21)


def seed(spec: dict[str, Any]) -> dict[str, Any]:
    """A fund with the test regulation, five committee seats, a secretary who files a hospital
    claim, committee members and treasurers to act on it, and an open meeting with quorum."""
    from kongtun.accounts.models import User
    from kongtun.contributions.services import payment_record, plan_create
    from kongtun.funds.models import CommitteeMember, Fund, FundRole
    from kongtun.funds.tenancy import fund_scope
    from kongtun.geo.models import Tambon
    from kongtun.ledger.services import chart_install
    from kongtun.members.models import Consent
    from kongtun.members.services import MemberInput, consent_record, member_register
    from kongtun.welfare.services import (
        ClaimInput,
        attendance_record,
        claim_file,
        meeting_open,
    )
    from kongtun.welfare.tests.conftest import install_regulation

    code = spec["fund"]
    fund = Fund.objects.create(
        code=code,
        name=f"กองทุนทดสอบพร้อมกัน {code}",
        tambon=Tambon.objects.get(code="520101"),
        founded_on=dt.date(2010, 1, 1),
    )

    def user(name: str, role: str) -> User:
        made = User.objects.create_user(f"{code}-{name}", full_name=name)
        FundRole.objects.create(fund=fund, user=made, role=role)
        return made

    secretary = user("secretary", "secretary")
    for i in range(ACTORS):
        user(f"committee-{i}", "committee")
        user(f"treasurer-{i}", "treasurer")
    with fund_scope(fund):
        chart_install(fund=fund)
        plan_create(
            fund=fund,
            actor=secretary,
            name="รายเดือน 30 บาท",
            frequency="monthly",
            amount=Decimal("30.00"),
            entry_fee=Decimal("20.00"),
        )
        install_regulation(fund, secretary)
        seats = [
            CommitteeMember.objects.create(
                fund=fund,
                full_name=f"กรรมการ {i}",
                position="member",
                term_start=dt.date(2020, 1, 1),
                term_end=dt.date(2030, 12, 31),
            )
            for i in range(5)
        ]
        member = member_register(
            fund=fund,
            actor=secretary,
            data=MemberInput(
                first_name="ผู้ป่วย",
                last_name="พร้อมกัน",
                national_id=_national_id(spec["id_base"]),
                birth_date=dt.date(1960, 1, 1),
                joined_on=dt.date(2024, 1, 1),
            ),
        )
        payment_record(
            member=member, actor=secretary, amount=Decimal("740.00"), date=dt.date(2024, 1, 5)
        )
        consent_record(
            member=member,
            actor=secretary,
            purpose=Consent.Purpose.SENSITIVE,
            channel=Consent.Channel.PAPER,
            given_on=dt.date(2024, 1, 1),
        )
        claim = claim_file(
            fund=fund,
            actor=secretary,
            data=ClaimInput(
                benefit_key="illness", recipient="member", member=member, event_date=EVENT, nights=3
            ),
            filed_on=EVENT,
        )
        meeting = meeting_open(fund=fund, actor=secretary, number="3/2568", date=MEETING_DAY)
        attendance_record(meeting=meeting, actor=secretary, present={s.pk for s in seats})
    return {"claim": str(claim.code), "meeting": str(meeting.code)}


def act(spec: dict[str, Any]) -> dict[str, Any]:
    """Decide on the claim (`spec["approve"]`) or pay it, as `spec["actor"]`, when told go."""
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.utils import translation

    from kongtun.accounts.models import User
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.welfare.models import Claim, Meeting
    from kongtun.welfare.services import Resolution, claim_decide, claim_pay

    translation.activate("en")  # the test reads the refusals in English
    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=spec["actor"])
    with fund_scope(fund):
        claim = Claim.objects.get(code=spec["claim"])
        meeting = Meeting.objects.get(code=spec["meeting"])
        connection.ensure_connection()
        _barrier(Path(spec["ready"]), Path(spec["go"]))
        try:
            if spec["action"] == "decide":
                approve = spec["approve"]
                done = claim_decide(
                    claim=claim,
                    actor=actor,
                    meeting=meeting,
                    resolution=Resolution(
                        approve=approve,
                        number=f"3/2568/{actor.pk}",
                        votes_for=5 if approve else 0,
                        votes_against=0 if approve else 5,
                        note="" if approve else "ไม่อนุมัติ",
                    ),
                )
            else:
                done = claim_pay(claim=claim, actor=actor, date=PAY_DAY)
        except ValidationError as exc:
            return {"refused": " ".join(exc.messages)}
    return {"status": done.status, "voucher": done.voucher_id, "resolution": done.resolution}


def report(spec: dict[str, Any]) -> dict[str, Any]:
    from kongtun.audit.models import AuditEntry
    from kongtun.audit.verify import verify_audit
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.models import JournalEntry, Voucher
    from kongtun.ledger.verify import verify_ledger
    from kongtun.welfare.models import Claim, Payee

    fund = Fund.objects.get(code=spec["fund"])
    with fund_scope(fund):
        claim = Claim.objects.get(code=spec["claim"])
        return {
            "status": claim.status,
            "resolution": claim.resolution,
            "decided_by": claim.decided_by.username if claim.decided_by else None,
            "vouchers": Voucher.objects.filter(fund=fund, kind="payment").count(),
            "claim_entries": JournalEntry.objects.filter(fund=fund, kind="claim").count(),
            "payees": Payee.objects.filter(claim=claim).count(),
            "decisions_audited": AuditEntry.objects.filter(action="welfare.claim.decided").count(),
            "payments_audited": AuditEntry.objects.filter(action="welfare.claim.paid").count(),
            "verify_ledger": [str(p) for p in verify_ledger(fund)],
            "verify_audit": [str(p) for p in verify_audit()],
        }


COMMANDS = {"seed": seed, "pay": act, "report": report}


def main(argv: list[str]) -> None:
    import django

    command, spec = COMMANDS[argv[0]], json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
    django.setup()
    Path(spec["out"]).write_text(json.dumps(command(spec)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
