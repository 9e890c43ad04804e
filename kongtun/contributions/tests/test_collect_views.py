"""Collection day through the browser's requests: open a session, find a member, take the
payment (once, however often the form is sent), count the cash, hand it over; and the
treasurer's desk payment. Amounts come from a member whose arrears are known to the baht."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kongtun.contributions import services
from kongtun.contributions.models import CollectionSession, Receipt
from kongtun.contributions.schedule import add_months
from kongtun.contributions.selectors import member_position
from kongtun.contributions.tests.conftest import new_member
from kongtun.ledger.models import Account
from kongtun.members.models import Event, Member
from kongtun.members.services import member_change_status

pytestmark = pytest.mark.django_db

# Three whole months behind: the periods of three months ago, two, last month and this month
# have started, so 4 × 30 baht plus the 20-baht entry fee are due today.
DUE = Decimal("140.00")


def _url(name: str, fund: Any, **kwargs: Any) -> str:
    return reverse(name, kwargs={"fund_code": fund.code, **kwargs})


@pytest.fixture
def behind(plan: Any, books: Any, users: Any) -> Member:
    """A member who joined on the 1st, three months ago, and has paid nothing."""
    joined = add_months(timezone.localdate().replace(day=1), -3)
    return new_member(books, users["treasurer"], 201, joined=joined)


@pytest.fixture
def session(books: Any, users: Any) -> CollectionSession:
    return services.session_open(fund=books, collector=users["collector"], place="ศาลาวัด")


@pytest.fixture
def client_en(client_for: Any) -> Any:
    """A logged-in client that chose English, so messages can be read in tests."""

    def make(role: str) -> Any:
        client = client_for(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def collector(client_en: Any) -> Any:
    return client_en("collector")


def _pay_url(session: CollectionSession, member: Member) -> str:
    return _url("contributions-session-pay", session.fund, session=session.code, member=member.code)


def _post_pay(client: Any, session: CollectionSession, member: Member, amount: str, key: Any):
    return client.post(_pay_url(session, member), {"amount": amount, "key": str(key)})


# --- Opening and resuming a session ----------------------------------------------------------


def test_it_opens_a_session_and_then_resumes_it(books, plan, collector, users):
    url = _url("contributions-collect", books)
    assert collector.get(url).status_code == 200
    response = collector.post(url, {"branch": "", "place": "ศาลาหมู่บ้าน"})
    session = CollectionSession.objects.get(fund=books)
    assert response.status_code == 303
    assert response["Location"] == _url("contributions-session", books, session=session.code)
    assert (session.collector, session.place, session.state) == (
        users["collector"],
        "ศาลาหมู่บ้าน",
        "open",
    )
    page = collector.get(url)
    assert page.context["current"] == session
    assert _url("contributions-session", books, session=session.code) in page.content.decode()
    collector.post(url, {"place": "อีกที่"})
    assert CollectionSession.objects.filter(fund=books).count() == 1


def test_it_opens_a_session_for_a_branch(books, plan, branch, collector):
    response = collector.post(_url("contributions-collect", books), {"branch": branch.pk})
    assert response.status_code == 303
    assert CollectionSession.objects.get(fund=books).branch == branch


def test_it_refuses_a_branch_of_another_fund(books, plan, collector, other_fund):
    from kongtun.funds.models import Branch
    from kongtun.funds.tenancy import fund_scope

    with fund_scope(other_fund):
        foreign = Branch.objects.create(fund=other_fund, number=9, name="ต่างกองทุน")
    response = collector.post(_url("contributions-collect", books), {"branch": foreign.pk})
    assert response.status_code == 400
    assert not CollectionSession.objects.filter(fund=books).exists()


def test_the_treasurer_sees_counted_sessions_waiting(books, session, client_en, users):
    services.session_close(session=session, actor=users["collector"], counted=Decimal("0"))
    page = client_en("treasurer").get(_url("contributions-collect", books))
    assert list(page.context["waiting"]) == [session]
    accept = _url("contributions-session-accept", books, session=session.code)
    assert accept in page.content.decode()
    assert (
        client_en("collector").get(_url("contributions-collect", books)).context["waiting"] is None
    )


# --- Finding a member ------------------------------------------------------------------------


def test_a_plain_search_by_number_goes_to_the_member(session, behind, collector):
    url = _url("contributions-session-find", session.fund, session=session.code)
    response = collector.post(url, {"q": behind.number})
    assert response.status_code == 303
    assert response["Location"] == _pay_url(session, behind)


def test_a_live_search_answers_with_the_results_only(session, behind, collector):
    url = _url("contributions-session-find", session.fund, session=session.code)
    response = collector.post(url, {"q": "ทดสอบ"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert behind.full_name in html and _pay_url(session, behind) in html


def test_a_plain_search_with_several_matches_lists_them(session, behind, payer, collector):
    url = _url("contributions-session-find", session.fund, session=session.code)
    response = collector.post(url, {"q": "สมมติ"})
    assert response.status_code == 200
    assert set(response.context["results"]) == {behind, payer}
    html = response.content.decode()
    assert _pay_url(session, behind) in html and _pay_url(session, payer) in html


def test_a_search_finds_nobody_of_another_fund(session, collector, other_fund, users):
    from kongtun.conftest import member_data
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.services import member_register

    with fund_scope(other_fund):
        foreign = member_register(fund=other_fund, actor=users["other_chair"], data=member_data(77))
    url = _url("contributions-session-find", session.fund, session=session.code)
    response = collector.post(url, {"q": foreign.number}, HTTP_HX_REQUEST="true")
    assert foreign.full_name not in response.content.decode()


def test_the_card_link_goes_to_the_open_session(session, behind, collector):
    url = _url("contributions-collect-member", session.fund, member=behind.code)
    response = collector.get(url)
    assert response.status_code == 303
    assert response["Location"] == _pay_url(session, behind)


def test_the_card_link_without_a_session_asks_to_open_one(books, plan, behind, collector):
    response = collector.get(_url("contributions-collect-member", books, member=behind.code))
    assert response.status_code == 303
    collect = _url("contributions-collect", books)
    assert response["Location"] == f"{collect}?member={behind.code}"
    page = collector.get(response["Location"])
    assert f'name="member" value="{behind.code}"' in page.content.decode()
    opened = collector.post(collect, {"member": str(behind.code)})
    session = CollectionSession.objects.get(fund=books)
    assert opened["Location"] == _pay_url(session, behind)


# --- Taking a payment ------------------------------------------------------------------------


def test_the_amount_defaults_to_what_makes_the_member_paid_up(session, behind, collector):
    page = collector.get(_pay_url(session, behind))
    assert page.status_code == 200
    position = member_position(behind, session.date)
    assert position is not None and position.due_now == DUE
    assert page.context["form"].initial["amount"] == DUE
    assert 'value="140.00"' in page.content.decode()
    quick = [(c.amount, c.reaches) for c in page.context["quick"]]
    last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    assert quick[0] == (
        DUE,
        add_months(last_month_end + dt.timedelta(days=1), 1) - dt.timedelta(days=1),
    )
    # +1, +3, +6, +12 months ahead of being paid up today (140: fee, arrears, this month).
    assert [a for a, _ in quick[1:]] == [
        Decimal(x) for x in ("170.00", "230.00", "320.00", "500.00")
    ]


def test_a_member_paid_up_is_offered_one_period_ahead(session, behind, collector, pay):
    pay(behind, DUE, session.date)
    page = collector.get(_pay_url(session, behind))
    assert page.context["form"].initial["amount"] == Decimal("30.00")
    assert [c.amount for c in page.context["quick"]] == [
        Decimal(x) for x in ("30.00", "90.00", "180.00", "360.00")
    ]


def test_recording_a_payment_gives_a_receipt_and_says_so(session, behind, collector):
    page = collector.get(_pay_url(session, behind))
    key = page.context["form"]["key"].value()
    response = _post_pay(collector, session, behind, "๑๔๐", key)
    receipt = Receipt.objects.get(fund=session.fund)
    assert response.status_code == 303
    session_url = _url("contributions-session", session.fund, session=session.code)
    assert response["Location"] == f"{session_url}?last={receipt.code}"
    assert (receipt.total, receipt.session, receipt.member) == (DUE, session, behind)
    assert receipt.idempotency_key == str(key)
    after = collector.get(response["Location"])
    html = after.content.decode()
    flash = [str(m) for m in after.context["messages"]]
    assert len(flash) == 1 and receipt.number in flash[0] and "140.00" in flash[0]
    assert str(receipt.paid_through.year + 543) in flash[0]
    pdf = _url("contributions-receipt-pdf", session.fund, receipt=receipt.code)
    assert pdf in html
    assert after.context["total"] == DUE and after.context["count"] == 1


def test_the_same_form_sent_twice_records_once(session, behind, collector):
    key = uuid.uuid4()
    first = _post_pay(collector, session, behind, "140.00", key)
    second = _post_pay(collector, session, behind, "140.00", key)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Receipt.objects.filter(fund=session.fund).count() == 1


def test_the_same_form_with_another_amount_is_refused(session, behind, collector):
    key = uuid.uuid4()
    _post_pay(collector, session, behind, "140.00", key)
    again = _post_pay(collector, session, behind, "170.00", key)
    assert again.status_code == 400
    assert "already submitted with other amounts" in again.content.decode()
    assert Receipt.objects.filter(fund=session.fund).count() == 1


def test_quick_amounts_are_recorded_as_chosen(session, behind, collector):
    page = collector.get(_pay_url(session, behind))
    three = page.context["quick"][2]  # paid up today (fee + 4 months), then 3 months ahead
    assert three.amount == Decimal("230.00")
    response = _post_pay(collector, session, behind, f"{three.amount:,.2f}", uuid.uuid4())
    assert response.status_code == 303
    receipt = Receipt.objects.get(fund=session.fund)
    assert receipt.paid_through == three.reaches
    assert (receipt.fee, receipt.contribution) == (Decimal("20.00"), Decimal("210.00"))


@pytest.mark.parametrize("typed", ["0", "-5", "1.234", "12,50", "abc", "0.00"])
def test_a_bad_amount_is_refused_with_the_input_kept(session, behind, collector, typed):
    response = _post_pay(collector, session, behind, typed, uuid.uuid4())
    assert response.status_code == 400
    assert f'value="{typed}"' in response.content.decode()
    assert response.context["form"].errors["amount"]
    assert not Receipt.objects.filter(fund=session.fund).exists()


def test_thousands_separators_are_read(session, behind, collector):
    response = _post_pay(collector, session, behind, "1,250.50", uuid.uuid4())
    assert response.status_code == 303
    assert Receipt.objects.get(fund=session.fund).total == Decimal("1250.50")


def test_a_lost_key_is_refused(session, behind, collector):
    response = collector.post(_pay_url(session, behind), {"amount": "140.00"})
    assert response.status_code == 400
    assert not Receipt.objects.filter(fund=session.fund).exists()


def test_a_closed_session_takes_no_payment(session, behind, collector, users):
    services.session_close(session=session, actor=users["collector"], counted=Decimal("0"))
    page = collector.get(_pay_url(session, behind))
    assert page.status_code == 200 and not page.context["can_collect"]
    assert 'id="pay-form"' not in page.content.decode()
    response = _post_pay(collector, session, behind, "140.00", uuid.uuid4())
    assert response.status_code == 400
    assert "session is closed" in response.content.decode()
    assert not Receipt.objects.filter(fund=session.fund).exists()


def test_a_deceased_person_is_shown_without_a_form(session, behind, collector, users):
    member_change_status(
        member=behind, actor=users["treasurer"], event=Event.DIED, effective_on=session.date
    )
    page = collector.get(_pay_url(session, behind))
    html = page.content.decode()
    assert 'id="not-member"' in html and 'id="pay-form"' not in html
    response = _post_pay(collector, session, behind, "140.00", uuid.uuid4())
    assert response.status_code == 400
    assert not Receipt.objects.filter(fund=session.fund).exists()


def test_a_lapsed_member_sees_what_reinstates_them(session, behind, collector, users):
    member_change_status(
        member=behind, actor=users["treasurer"], event=Event.LAPSED, effective_on=session.date
    )
    html = collector.get(_pay_url(session, behind)).content.decode()
    assert 'id="lapsed"' in html and 'id="pay-form"' in html
    _post_pay(collector, session, behind, "140.00", uuid.uuid4())
    behind.refresh_from_db()
    assert behind.status == "active"  # paying the arrears reinstated them


def test_under_rejoin_terms_a_lapsed_member_waits_for_the_treasurer(
    session, behind, plan, collector, users
):
    services.terms_update(
        fund=session.fund,
        actor=users["treasurer"],
        default_plan=plan,
        lapse_after=3,
        lapse_unit="months",
        reinstatement="rejoin",
        reinstatement_fee=Decimal("50.00"),
    )
    member_change_status(
        member=behind, actor=users["treasurer"], event=Event.LAPSED, effective_on=session.date
    )
    page = collector.get(_pay_url(session, behind))
    html = page.content.decode()
    assert page.context["wait_reinstatement"]
    assert 'id="lapsed"' in html and "50.00" in html and 'id="pay-form"' not in html


def test_a_fund_without_a_plan_says_so(books, users, client_en):
    session = services.session_open(fund=books, collector=users["collector"])
    member = new_member(books, users["treasurer"], 301)
    page = client_en("collector").get(_pay_url(session, member))
    assert page.status_code == 200
    assert 'id="no-plan"' in page.content.decode()


# --- Whose session -----------------------------------------------------------------------------


def test_another_collectors_session_is_not_found(books, plan, behind, users, client_en):
    theirs = services.session_open(fund=books, collector=users["secretary"])
    collector = client_en("collector")
    for name in ("contributions-session", "contributions-session-close"):
        assert collector.get(_url(name, books, session=theirs.code)).status_code == 404
    assert collector.get(_pay_url(theirs, behind)).status_code == 404
    assert _post_pay(collector, theirs, behind, "140.00", uuid.uuid4()).status_code == 404
    assert not Receipt.objects.filter(fund=books).exists()


def test_the_treasurer_looks_at_a_session_but_takes_no_payment_in_it(session, behind, client_en):
    treasurer = client_en("treasurer")
    page = treasurer.get(_url("contributions-session", session.fund, session=session.code))
    assert page.status_code == 200 and not page.context["can_collect"]
    assert treasurer.get(_pay_url(session, behind)).status_code == 200
    assert _post_pay(treasurer, session, behind, "140.00", uuid.uuid4()).status_code == 403
    close = _url("contributions-session-close", session.fund, session=session.code)
    assert treasurer.post(close, {"counted": "0"}).status_code == 403
    assert session.receipts.count() == 0


# --- Counting the cash and handing it over ---------------------------------------------------


def _take(client: Any, session: CollectionSession, member: Member, amount: str) -> Receipt:
    response = _post_pay(client, session, member, amount, uuid.uuid4())
    assert response.status_code == 303
    return Receipt.objects.filter(session=session).order_by("-seq").first()  # type: ignore[return-value]


def test_closing_with_the_cash_matching(session, behind, collector):
    _take(collector, session, behind, "140.00")
    url = _url("contributions-session-close", session.fund, session=session.code)
    page = collector.get(url)
    assert (page.context["count"], page.context["total"]) == (1, DUE)
    response = collector.post(url, {"counted": "140", "note": ""})
    assert response.status_code == 303
    session.refresh_from_db()
    assert (session.state, session.expected, session.counted) == ("closed", DUE, DUE)


def test_a_difference_needs_a_note(session, behind, collector):
    _take(collector, session, behind, "140.00")
    url = _url("contributions-session-close", session.fund, session=session.code)
    response = collector.post(url, {"counted": "100.00", "note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "please note why" in html and 'value="100.00"' in html
    session.refresh_from_db()
    assert session.state == "open"
    response = collector.post(url, {"counted": "100.00", "note": "ทอนเงินผิด"})
    assert response.status_code == 303
    page = collector.get(response["Location"])
    assert page.context["diff"] == Decimal("-40.00")
    assert 'id="difference"' in page.content.decode()


def test_a_negative_count_is_refused(session, collector):
    url = _url("contributions-session-close", session.fund, session=session.code)
    response = collector.post(url, {"counted": "-1", "note": "x"})
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.state == "open"


@pytest.mark.parametrize(
    ("counted", "role", "diff"),
    [
        ("100.00", "receivable.shortage", Decimal("-40.00")),
        ("150.00", "income.other", Decimal("10.00")),
    ],
)
def test_accepting_posts_the_difference(session, behind, collector, client_en, counted, role, diff):
    _take(collector, session, behind, "140.00")
    close = _url("contributions-session-close", session.fund, session=session.code)
    collector.post(close, {"counted": counted, "note": "นับใหม่แล้ว"})
    response = client_en("treasurer").post(
        _url("contributions-session-accept", session.fund, session=session.code)
    )
    assert response.status_code == 303
    session.refresh_from_db()
    assert session.state == "accepted" and session.difference_entry is not None
    lines = {
        ln.account.role: ln.amount
        for ln in session.difference_entry.lines.select_related("account")
    }
    assert lines == {"cash": diff, role: -diff}


def test_the_collector_cannot_accept_their_own_session(books, plan, behind, client_en, users):
    session = services.session_open(fund=books, collector=users["treasurer"])
    treasurer = client_en("treasurer")
    _take(treasurer, session, behind, "140.00")
    treasurer.post(
        _url("contributions-session-close", books, session=session.code), {"counted": "140"}
    )
    response = treasurer.post(_url("contributions-session-accept", books, session=session.code))
    assert response.status_code == 400
    assert "Someone other than the collector" in response.content.decode()
    session.refresh_from_db()
    assert session.state == "closed"


def test_accept_is_post_only_and_for_the_treasurer(session, client_en):
    url = _url("contributions-session-accept", session.fund, session=session.code)
    assert client_en("treasurer").get(url).status_code == 405
    assert client_en("collector").post(url).status_code == 403


def test_an_open_session_cannot_be_accepted(session, client_en):
    url = _url("contributions-session-accept", session.fund, session=session.code)
    assert client_en("chair").post(url).status_code == 400
    session.refresh_from_db()
    assert session.state == "open"


# --- The treasurer's desk --------------------------------------------------------------------


def test_a_desk_payment_into_the_bank(books, behind, client_en):
    url = _url("contributions-desk-pay", books, member=behind.code)
    treasurer = client_en("treasurer")
    page = treasurer.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["amount"] == DUE
    html = page.content.decode()
    assert 'id="quick"' in html and 'name="date"' in html and 'name="money_account"' in html
    bank = Account.objects.get(fund=books, role="bank")
    today = timezone.localdate()
    response = treasurer.post(
        url,
        {
            "date": f"{today.day:02d}/{today.month:02d}/{today.year + 543}",
            "money_account": bank.pk,
            "amount": "140.00",
            "key": page.context["form"]["key"].value(),
        },
    )
    assert response.status_code == 303
    assert response["Location"] == _url("contributions-member", books, member=behind.code)
    receipt = Receipt.objects.get(fund=books)
    assert (receipt.session, receipt.money_account, receipt.date) == (None, bank, today)
    roles = {ln.account.role for ln in receipt.entry.lines.select_related("account")}
    assert "bank" in roles and "cash" not in roles


def test_a_desk_payment_with_a_bad_date_keeps_the_input(books, behind, client_en):
    url = _url("contributions-desk-pay", books, member=behind.code)
    cash = Account.objects.get(fund=books, role="cash")
    response = client_en("treasurer").post(
        url, {"date": "31/02/2567", "money_account": cash.pk, "amount": "99", "key": uuid.uuid4()}
    )
    assert response.status_code == 400
    assert 'value="31/02/2567"' in response.content.decode()
    assert not Receipt.objects.filter(fund=books).exists()


def test_the_desk_is_the_treasurers(books, behind, client_en):
    url = _url("contributions-desk-pay", books, member=behind.code)
    assert client_en("collector").get(url).status_code == 403
