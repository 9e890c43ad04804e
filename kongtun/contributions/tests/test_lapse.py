"""Lapse and reinstatement, on the village of village.py: the preview is what applying does,
each lapse is in the member's history from the day the rule says, and a lapsed member who
pays their arrears is back without anyone pressing a button."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kongtun.contributions import arrears
from kongtun.contributions.services import lapse_apply, payment_record, terms_update
from kongtun.contributions.tests.village import TODAY, Village, build, freeze_today
from kongtun.members.models import Event, Member, Status, StatusChange
from kongtun.members.services import member_change_status

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def village(books: Any, plan: Any, users: Any, monkeypatch: Any) -> Village:
    freeze_today(monkeypatch)
    return build(books, users, plan)


def _preview(village: Village, as_of: dt.date) -> list[tuple[str, dt.date]]:
    rows = arrears.lapse_preview(fund=village.fund, as_of=as_of)
    assert rows is not None
    return [(r.member.number, r.lapses_on) for r in rows]


def _lapses(village: Village) -> list[tuple[str, dt.date]]:
    changes = StatusChange.objects.filter(fund=village.fund, event=Event.LAPSED).exclude(
        member=village.m[5]  # lapsed by hand when the village was built
    )
    return sorted((c.member.number, c.effective_on) for c in changes)


def _terms(village: Village, users: Any, **changes: Any) -> None:
    values: dict[str, Any] = {
        "default_plan": village.monthly,
        "lapse_after": 3,
        "lapse_unit": "months",
        "reinstatement": "pay_arrears",
        "reinstatement_fee": D("0"),
        **changes,
    }
    terms_update(fund=village.fund, actor=users["treasurer"], **values)


def test_preview_then_apply_as_of_today(village: Village, users: Any) -> None:
    # m2 never paid: uncovered since 1 Jan, lapses 1 Apr; m6 paid January: lapses 1 May.
    expected = [("2", dt.date(2024, 4, 1)), ("6", dt.date(2024, 5, 1))]
    assert _preview(village, TODAY) == expected
    assert StatusChange.objects.filter(event=Event.LAPSED).count() == 1  # m5 only: no writes

    lapsed = lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=TODAY)

    assert sorted(m.number for m in lapsed) == ["2", "6"]
    assert _lapses(village) == expected
    for number in ("2", "6"):
        member = Member.objects.get(fund=village.fund, number=number)
        assert member.status == Status.LAPSED
        change = member.history.get(event=Event.LAPSED)
        assert change.from_status == Status.ACTIVE and change.note
        assert change.recorded_by == users["treasurer"]
    # Applied again, nobody else lapses.
    assert lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=TODAY) == []
    assert _preview(village, TODAY) == []


def test_preview_as_of_an_earlier_day(village: Village, users: Any) -> None:
    as_of = dt.date(2024, 4, 15)
    assert _preview(village, as_of) == [("2", dt.date(2024, 4, 1))]
    lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=as_of)
    assert _lapses(village) == [("2", dt.date(2024, 4, 1))]


def test_a_rule_in_days(village: Village, users: Any) -> None:
    _terms(village, users, lapse_after=90, lapse_unit="days")
    # m2: 90 uncovered days from 1 Jan end on 30 Mar; m6: from 1 Feb, on 30 Apr.
    expected = [("2", dt.date(2024, 3, 31)), ("6", dt.date(2024, 5, 1))]
    assert _preview(village, TODAY) == expected
    lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=TODAY)
    assert _lapses(village) == expected


def test_a_lapse_never_predates_the_current_status(village: Village, users: Any) -> None:
    # The applicant joined on 1 January but was approved on 10 June, never having paid.
    member_change_status(
        member=village.m[8],
        actor=users["treasurer"],
        event=Event.APPROVED,
        effective_on=dt.date(2024, 6, 10),
    )
    assert ("8", dt.date(2024, 6, 10)) in _preview(village, TODAY)
    lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=TODAY)
    assert ("8", dt.date(2024, 6, 10)) in _lapses(village)


def test_lapse_is_not_applied_in_the_future(village: Village, users: Any) -> None:
    with pytest.raises(ValidationError):
        lapse_apply(fund=village.fund, actor=users["treasurer"], as_of=TODAY + dt.timedelta(1))
    assert _lapses(village) == []


# --- Reinstatement by paying the arrears ------------------------------------------------------


def test_paying_the_arrears_reinstates_a_lapsed_member(village: Village, users: Any) -> None:
    m5 = village.m[5]
    payment_record(member=m5, actor=users["treasurer"], amount=D("100"), date=TODAY)
    m5.refresh_from_db()
    assert m5.status == Status.LAPSED  # 20 baht still owed for May

    payment_record(member=m5, actor=users["treasurer"], amount=D("20"), date=TODAY)
    m5.refresh_from_db()
    assert (m5.status, m5.status_since) == (Status.ACTIVE, TODAY)
    back = m5.history.get(event=Event.REINSTATED)
    assert (back.effective_on, back.from_status) == (TODAY, Status.LAPSED)
    listing = arrears.arrears_list(fund=village.fund, as_of=TODAY)
    assert m5.pk not in {r.member.pk for g in listing.branches for r in g.rows}


def test_a_late_recorded_payment_reinstates_only_if_nothing_is_owed_today(
    village: Village, users: Any
) -> None:
    """A paper receipt of 20 April, typed in after the member lapsed on 1 May, cleared the
    arrears of its own day but not today's: the payment is taken and the member stays lapsed.
    Paying the rest brings them back, from today (history never goes backwards)."""
    m5 = village.m[5]
    receipt = payment_record(
        member=m5, actor=users["treasurer"], amount=D("60"), date=dt.date(2024, 4, 20)
    )
    assert receipt.paid_through == dt.date(2024, 3, 31)
    m5.refresh_from_db()
    assert m5.status == Status.LAPSED

    payment_record(member=m5, actor=users["treasurer"], amount=D("60"), date=TODAY)
    m5.refresh_from_db()
    assert (m5.status, m5.status_since) == (Status.ACTIVE, TODAY)


def test_a_rejoin_fund_takes_no_payment_before_reinstatement(village: Village, users: Any) -> None:
    """Arrears are waived on rejoining, so money taken now would pay for nothing."""
    _terms(village, users, reinstatement="rejoin", reinstatement_fee=D("50"))
    m5 = village.m[5]
    before = m5.receipts.count()
    with pytest.raises(ValidationError):
        payment_record(member=m5, actor=users["treasurer"], amount=D("120"), date=TODAY)
    m5.refresh_from_db()
    assert m5.status == Status.LAPSED
    assert m5.receipts.count() == before


# --- The page --------------------------------------------------------------------------------


def _url(village: Village) -> str:
    return reverse("contributions-lapse", kwargs={"fund_code": village.fund.code})


def test_the_page_previews_and_applies(village: Village, client_for: Any) -> None:
    client = client_for("treasurer")
    page = client.get(_url(village), {"as_of": "20/06/2567"})
    assert page.status_code == 200
    assert [r.member.number for r in page.context["preview"]] == ["2", "6"]
    assert 'id="apply"' in page.content.decode()
    assert _lapses(village) == []

    done = client.post(_url(village), {"as_of": "20/06/2567"}, follow=True)
    assert done.redirect_chain[0][1] == 303
    assert _lapses(village) == [("2", dt.date(2024, 4, 1)), ("6", dt.date(2024, 5, 1))]
    assert done.context["preview"] == []


def test_the_page_previews_a_future_day_but_does_not_apply_it(
    village: Village, client_for: Any
) -> None:
    client = client_for("chair")
    page = client.get(_url(village), {"as_of": "20/09/2567"})
    assert page.status_code == 200
    assert [r.member.number for r in page.context["preview"]] == ["1", "2", "4", "6"]
    assert 'id="apply"' not in page.content.decode()
    refused = client.post(_url(village), {"as_of": "20/09/2567"})
    assert refused.status_code == 400
    assert 'value="20/09/2567"' in refused.content.decode()
    assert _lapses(village) == []


def test_the_page_refuses_a_date_it_cannot_read(village: Village, client_for: Any) -> None:
    page = client_for("treasurer").get(_url(village), {"as_of": "31/02/2567"})
    assert page.status_code == 400
    assert 'value="31/02/2567"' in page.content.decode()


def test_only_managers_apply_lapse(village: Village, client_for: Any) -> None:
    assert client_for("collector").get(_url(village)).status_code == 403
    assert client_for("secretary").post(_url(village), {"as_of": "20/06/2567"}).status_code == 403
    assert _lapses(village) == []
