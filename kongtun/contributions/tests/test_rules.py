"""Rules found in review, each a worked example: when a member lapses, what reinstatement
costs, and what may not be voided or opened twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kongtun.contributions import schedule as sched
from kongtun.contributions.models import CollectionSession, Standing, Terms
from kongtun.contributions.services import (
    lapse_apply,
    member_reinstate,
    payment_record,
    receipt_void,
    session_close,
    session_open,
    terms_update,
)
from kongtun.members.models import Status

pytestmark = pytest.mark.django_db

THREE_MONTHS = sched.LapseRule(3, "months")


def test_a_yearly_payer_lapses_only_once_a_year_has_ended_unpaid() -> None:
    yearly = sched.schedule_of([(dt.date(2024, 1, 1), "yearly", D("365"))])
    paid_through, _left = yearly.coverage(D("365"))
    assert paid_through == dt.date(2024, 12, 31)
    # Three months without cover have passed on 1 April 2025, but 2025 is not overdue yet.
    assert sched.lapse_date(paid_through, THREE_MONTHS) == dt.date(2025, 4, 1)
    assert sched.lapse_day(yearly, paid_through, THREE_MONTHS) == dt.date(2026, 1, 1)


def test_a_monthly_payer_lapses_after_three_missed_months() -> None:
    monthly = sched.schedule_of([(dt.date(2024, 1, 1), "monthly", D("30"))])
    paid_through, _left = monthly.coverage(D("30"))
    assert sched.lapse_day(monthly, paid_through, THREE_MONTHS) == dt.date(2024, 5, 1)
    never = sched.lapse_day(monthly, dt.date(2023, 12, 31), THREE_MONTHS)
    assert never == dt.date(2024, 4, 1)


def _terms(fund: Any, actor: Any, plan: Any, **kwargs: Any) -> Terms:
    values: dict[str, Any] = {
        "lapse_after": 3,
        "lapse_unit": "months",
        "reinstatement": "pay_arrears",
        "reinstatement_fee": D("0"),
    }
    values.update(kwargs)
    return terms_update(fund=fund, actor=actor, default_plan=plan, **values)


def test_the_reinstatement_fee_is_owed_from_the_lapse_under_pay_arrears(
    payer: Any, plan: Any, pay: Any, users: Any
) -> None:
    treasurer = users["treasurer"]
    _terms(payer.fund, treasurer, plan, reinstatement_fee=D("50"))
    pay(payer, "50", dt.date(2024, 1, 5))  # entry fee 20 and January
    lapse_apply(fund=payer.fund, actor=treasurer, as_of=dt.date(2024, 6, 1))
    payer.refresh_from_db()
    assert payer.status == Status.LAPSED
    assert Standing.objects.get(member=payer).fees_due == D("50.00")
    # The fee is paid first, so 120 leaves arrears for February to May: still lapsed.
    payment_record(member=payer, actor=treasurer, amount=D("120"), date=dt.date(2024, 6, 2))
    payer.refresh_from_db()
    assert payer.status == Status.LAPSED
    with pytest.raises(ValidationError):
        member_reinstate(member=payer, actor=treasurer, on=dt.date(2024, 6, 2))


def test_rejoining_waives_old_fees_and_an_old_receipt_voided_later_changes_nothing_now(
    payer: Any, plan: Any, pay: Any, users: Any
) -> None:
    treasurer = users["treasurer"]
    _terms(payer.fund, treasurer, plan, reinstatement="rejoin", reinstatement_fee=D("40"))
    old = pay(payer, "50", dt.date(2024, 1, 5))
    lapse_apply(fund=payer.fund, actor=treasurer, as_of=dt.date(2024, 6, 1))
    member_reinstate(member=payer, actor=treasurer, on=dt.date(2024, 6, 3))
    standing = Standing.objects.get(member=payer)
    assert (standing.epoch, standing.credit, standing.fees_due) == (2, D("0.00"), D("40.00"))
    receipt_void(receipt=old, actor=treasurer, reason="ผิดคน", on=dt.date(2024, 6, 4))
    standing.refresh_from_db()
    assert (standing.credit, standing.fees_due) == (D("0.00"), D("40.00"))
    assert standing.paid_through == dt.date(2024, 6, 2)


def test_a_receipt_of_a_counted_session_is_voided_only_after_the_hand_over(
    payer: Any, pay: Any, users: Any
) -> None:
    collector = users["collector"]
    session = session_open(fund=payer.fund, collector=collector)
    receipt = payment_record(member=payer, actor=collector, amount=D("50"), session=session)
    session_close(session=session, actor=collector, counted=D("0"), note="ไม่ได้รับเงิน")
    with pytest.raises(ValidationError):
        receipt_void(receipt=receipt, actor=users["treasurer"], reason="ไม่ได้รับเงิน")
    receipt.refresh_from_db()
    assert not receipt.is_void


def test_opening_twice_resumes_the_open_session(payer: Any, users: Any) -> None:
    first = session_open(fund=payer.fund, collector=users["collector"])
    again = session_open(fund=payer.fund, collector=users["collector"])
    assert again.pk == first.pk
    assert CollectionSession.objects.filter(state="open").count() == 1
