"""A hypothesis state machine drives the real claim services against the database.

Clerks file hospital, birth and non-member claims (sometimes sending a form again, sometimes
reusing its key with other details), the committee approves or rejects them, treasurers pay
them, clerks withdraw them — in any order, by any of the people involved — while a plain model
says which of those moves the rules allow. After every step the claims must be in the states
the model predicts, and the welfare invariants must hold: no member's hospital claims hold
more than the year's cap, no stay more than its cap, the non-members' budget is never
overspent, each paid claim has exactly one voucher, and the books' welfare expense is exactly
what the paid claims paid.

Each example runs inside a savepoint that `teardown` rolls back (as the ledger's machine does).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from kongtun.accounts.models import User
from kongtun.contributions.models import Plan
from kongtun.contributions.tests.conftest import new_member
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.ledger.models import JournalLine, Voucher
from kongtun.ledger.verify import verify_ledger
from kongtun.members.models import Consent, Member
from kongtun.members.services import consent_record
from kongtun.welfare.models import Claim, Meeting, Regulation
from kongtun.welfare.rules import Outcome
from kongtun.welfare.services import (
    ClaimInput,
    Resolution,
    attendance_record,
    claim_decide,
    claim_file,
    claim_pay,
    claim_withdraw,
    meeting_open,
)

D = Decimal
FIRST_EVENT = dt.date(2024, 10, 1)  # fiscal year 2568: its caps are the ones exercised
EVENT_DAYS = 360
MEETING_DAY = dt.date(2025, 9, 30)
PAY_DAY = dt.date(2025, 10, 1)
STAY_CAP, YEAR_CAP, BUDGET = D("600.00"), D("1000.00"), D("3000.00")
KEYS = [f"form-{i}" for i in range(4)]


def machine_settings() -> settings:
    """Fewer examples on PostgreSQL, which pays a round trip per query (see the ledger's)."""
    default = 40 if connection.vendor == "sqlite" else 20
    return settings(
        derandomize=True,
        database=None,
        max_examples=int(os.environ.get("KONGTUN_WELFARE_EXAMPLES", default)),
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@dataclass
class Known:
    """What the model knows of one claim."""

    pk: int
    status: str
    eligible: bool
    entered_by: int
    decided_by: int | None = None


class ClaimMachine(RuleBasedStateMachine):
    fund: ClassVar[Fund]
    members: ClassVar[list[Member]]
    meeting: ClassVar[Meeting]
    clerks: ClassVar[list[User]]  # may file claims
    deciders: ClassVar[list[User]]  # may record resolutions (the secretary files too)
    payers: ClassVar[list[User]]

    claims = Bundle("claims")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.known: dict[int, Known] = {}
        self.forms: dict[str, tuple[ClaimInput, int]] = {}

    def teardown(self) -> None:
        try:
            if self.known:
                assert verify_ledger(self.fund) == []
        finally:
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

    # --- Moves ---------------------------------------------------------------------------

    def _file(self, data: ClaimInput, clerk: User, key: str | None) -> Claim | None:
        before = self.forms.get(key) if key else None
        try:
            claim = claim_file(
                fund=self.fund,
                actor=clerk,
                data=data,
                filed_on=data.event_date + dt.timedelta(days=1),
                idempotency_key=key,
            )
        except ValidationError as exc:
            # The only refusal a well-formed claim meets: its form's key was used for another.
            assert before is not None and before[0] != data, exc.messages
            return None
        if before is not None:
            assert before[0] == data and claim.pk == before[1]  # sent again: the same claim
            return None
        if key:
            self.forms[key] = (data, claim.pk)
        self.known[claim.pk] = Known(
            claim.pk, claim.status, claim.outcome != Outcome.NOT_ELIGIBLE, clerk.pk
        )
        return claim

    @rule(
        target=claims,
        member=st.integers(0, 2),
        day=st.integers(0, EVENT_DAYS - 1),
        nights=st.integers(1, 6),
        clerk=st.integers(0, 1),
        key=st.none() | st.sampled_from(KEYS),
    )
    def file_hospital_stay(
        self, member: int, day: int, nights: int, clerk: int, key: str | None
    ) -> Any:
        data = ClaimInput(
            benefit_key="illness",
            recipient="member",
            member=self.members[member],
            event_date=FIRST_EVENT + dt.timedelta(days=day),
            nights=nights,
        )
        claim = self._file(data, self.clerks[clerk], key)
        return claim.pk if claim else None

    @rule(target=claims, day=st.integers(0, EVENT_DAYS - 1), clerk=st.integers(0, 1))
    def file_help_for_a_non_member(self, day: int, clerk: int) -> Any:
        data = ClaimInput(
            benefit_key="help",
            recipient="non_member",
            person_name=f"ผู้ยากไร้ {day % 3}",
            event_date=FIRST_EVENT + dt.timedelta(days=day),
        )
        claim = self._file(data, self.clerks[clerk], None)
        return claim.pk if claim else None

    def _attempt(self, action: Any, allowed: bool, pk: int) -> Claim | None:
        try:
            done = action()
        except ValidationError:
            assert not allowed, f"claim {pk} was refused a move the rules allow"
            return None
        assert allowed, f"claim {pk} took a move the rules forbid"
        assert isinstance(done, Claim)
        return done

    @rule(pk=claims, approve=st.booleans(), who=st.integers(0, 2))
    def decide(self, pk: int | None, approve: bool, who: int) -> None:
        if pk is None:
            return
        known, actor = self.known[pk], self.deciders[who]
        again = (
            known.status == ("approved" if approve else "rejected") and known.decided_by == actor.pk
        )
        allowed = again or (
            known.status == "filed"
            and not (approve and (actor.pk == known.entered_by or not known.eligible))
        )
        votes = (3, 0) if approve else (0, 3)
        done = self._attempt(
            lambda: claim_decide(
                claim=Claim.objects.get(pk=pk),
                actor=actor,
                meeting=self.meeting,
                resolution=Resolution(approve, f"9/2568/{pk}", *votes, note="" if approve else "x"),
            ),
            allowed,
            pk,
        )
        if done is not None:
            known.status, known.decided_by = done.status, actor.pk

    @rule(pk=claims, who=st.integers(0, 1))
    def pay(self, pk: int | None, who: int) -> None:
        if pk is None:
            return
        known, actor = self.known[pk], self.payers[who]
        allowed = known.status == "paid" or (
            known.status == "approved" and known.decided_by != actor.pk
        )
        done = self._attempt(
            lambda: claim_pay(claim=Claim.objects.get(pk=pk), actor=actor, date=PAY_DAY),
            allowed,
            pk,
        )
        if done is not None:
            known.status = done.status

    @rule(pk=claims, who=st.integers(0, 1))
    def withdraw(self, pk: int | None, who: int) -> None:
        if pk is None:
            return
        known = self.known[pk]
        allowed = known.status in ("filed", "withdrawn")
        done = self._attempt(
            lambda: claim_withdraw(
                claim=Claim.objects.get(pk=pk), actor=self.clerks[who], reason="ยื่นซ้ำ"
            ),
            allowed,
            pk,
        )
        if done is not None:
            known.status = done.status

    # --- What must always hold -----------------------------------------------------------

    @invariant()
    def states_are_as_the_model_says(self) -> None:
        stored = dict(Claim.objects.filter(fund=self.fund).values_list("pk", "status"))
        assert stored == {pk: k.status for pk, k in self.known.items()}

    @invariant()
    def caps_and_budget_hold(self) -> None:
        holding = Claim.objects.filter(
            fund=self.fund, status__in=("filed", "approved", "paid")
        ).exclude(outcome=Outcome.NOT_ELIGIBLE)
        per_member: dict[int | None, Decimal] = {}
        for claim in holding:
            assert claim.amount_due <= claim.assessed_amount
            if claim.key == "illness":
                assert claim.amount_due <= STAY_CAP
                per_member[claim.member_id] = (
                    per_member.get(claim.member_id, D(0)) + claim.amount_due
                )
        assert all(total <= YEAR_CAP for total in per_member.values()), per_member
        help_total = sum((c.amount_due for c in holding if c.key == "help"), D(0))
        assert help_total <= BUDGET

    @invariant()
    def the_books_paid_exactly_the_paid_claims(self) -> None:
        paid = Claim.objects.filter(fund=self.fund, status="paid")
        assert paid.filter(voucher__isnull=True).count() == 0
        vouchers = Voucher.objects.filter(fund=self.fund, claim__isnull=False)
        assert vouchers.count() == paid.count()
        assert vouchers.exclude(status="approved").count() == 0
        claimed = sum((c.amount_due for c in paid), D(0))
        booked = JournalLine.objects.filter(
            fund=self.fund, account__role__startswith="welfare."
        ).aggregate(s=Sum("amount"))["s"] or D(0)
        assert booked == claimed


@pytest.fixture
def stage(
    regulation: Regulation,
    plan: Plan,
    books: Fund,
    users: dict[str, User],
    committee: list[CommitteeMember],
    pay: Any,
) -> None:
    members = []
    for seed in (501, 502, 503):
        member = new_member(books, users["treasurer"], seed, joined=dt.date(2024, 1, 1))
        pay(member, "740.00", dt.date(2024, 1, 5))  # paid through December 2025
        consent_record(
            member=member,
            actor=users["secretary"],
            purpose=Consent.Purpose.SENSITIVE,
            channel=Consent.Channel.PAPER,
            given_on=dt.date(2024, 1, 1),
        )
        members.append(member)
    meeting = meeting_open(fund=books, actor=users["chair"], number="9/2568", date=MEETING_DAY)
    attendance_record(meeting=meeting, actor=users["chair"], present={s.pk for s in committee})
    ClaimMachine.fund = books
    ClaimMachine.members = members
    ClaimMachine.meeting = meeting
    ClaimMachine.clerks = [users["secretary"], users["treasurer"]]
    ClaimMachine.deciders = [users["secretary"], users["committee"], users["chair"]]
    ClaimMachine.payers = [users["treasurer"], users["chair"]]


@pytest.mark.django_db
def test_claims_keep_every_invariant(stage: None) -> None:
    # English messages, as the ledger's machine; the model tells moves apart, not texts.
    with translation.override("en"):
        run_state_machine_as_test(ClaimMachine, settings=machine_settings())
