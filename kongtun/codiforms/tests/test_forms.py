"""The forms' figures are the fund's records: each equals a sum the test makes itself from
the journal lines, the register, the claims and the co-funders' payments."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from kongtun.codiforms.document import Figure, Kind
from kongtun.codiforms.parts import Facts
from kongtun.codiforms.selectors import annual_form, form_years, proposal_form
from kongtun.codiforms.tests.conftest import FY, ON, YEAR_START
from kongtun.contributions.models import CoContribution, Funder, MatchingTerms, Receipt
from kongtun.exchange.contents import indicators_data
from kongtun.funds.models import CofundingApplication, CommitteeMember, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import books_current
from kongtun.indicators.trace import is_trace_key
from kongtun.ledger.models import Account, JournalLine
from kongtun.members.models import Member, Status
from kongtun.network.rollup import area_rollup
from kongtun.vetting.services import application_screen
from kongtun.welfare.models import Claim

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")
# The year before: what the proposal for FY reports.
PAST_START = dt.date(2023, 10, 1)
PAST_END = dt.date(2024, 9, 30)


def _lines(fund: Fund, start: dt.date | None, end: dt.date, **account: Any) -> Decimal:
    """Σ signed journal lines of the accounts matching `account`, straight from the lines."""
    lines = JournalLine.objects.filter(fund=fund, date__lte=end, **account)
    if start is not None:
        lines = lines.filter(date__gte=start)
    return lines.aggregate(total=Sum("amount"))["total"] or ZERO


def _income(fund: Fund, start: dt.date | None, end: dt.date, **account: Any) -> Decimal:
    return -_lines(fund, start, end, account__type="income", **account)


def _paid(fund: Fund, start: dt.date | None, **filters: Any) -> list[Claim]:
    claims = Claim.objects.filter(fund=fund, status="paid", paid_on__lte=ON, **filters)
    return list(claims.filter(paid_on__gte=start) if start else claims)


def test_the_annual_form_counts_members_as_the_register_says(year: dict[str, Any]) -> None:
    fund = year["fund"]
    form = annual_form(fund, FY)
    assert (form.on, form.period_start, form.final) == (ON, YEAR_START, True)

    members = Member.objects.filter(fund=fund)
    admitted = members.exclude(status__in=[Status.APPLICANT, Status.REJECTED])
    current = members.filter(status__in=[Status.ACTIVE, Status.LAPSED])
    # A full year a member by 30 September 2568: admitted on or before 30 September 2567.
    eligible = current.filter(joined_on__lte=dt.date(2024, 9, 30))
    new = members.filter(joined_on__range=(YEAR_START, ON))
    assert form.figure("members.cumulative").value == admitted.count() == 5
    assert form.figure("members.current").value == current.count() == 4
    assert form.figure("members.eligible_for_matching").value == eligible.count() == 2
    assert form.figure("members.new_this_year").value == new.count() == 2
    assert form.figure("members.founding").value is None  # not in the records: by hand
    for member_type in ("general", "child", "elderly", "disabled", "disadvantaged", "orphan"):
        key = f"members.by_type.{member_type}"
        assert (
            form.figure(f"{key}.cumulative").value
            == admitted.filter(member_type=member_type).count()
        )
        assert (
            form.figure(f"{key}.current").value == current.filter(member_type=member_type).count()
        )
    assert form.figure("members.by_type.total.current").value == 4
    villages = set(current.exclude(moo=None).values_list("moo", flat=True))
    assert form.figure("villages_covered").value == len(villages) == 3
    assert form.figure("villages_in_area").value == 10
    assert form.figure("villages_percent").value == D("30.00")


def test_the_annual_form_money_is_the_books(year: dict[str, Any]) -> None:
    fund = year["fund"]
    form = annual_form(fund, FY)

    for source, code in (("members", "4101"), ("entry_fees", "4102"), ("interest", "4601")):
        assert form.figure(f"money.{source}.year").value == _income(
            fund, YEAR_START, ON, account__code=code
        )
        assert form.figure(f"money.{source}.cumulative").value == _income(
            fund, None, ON, account__code=code
        )
    assert form.figure("money.members.year").value == D("1380.00")
    assert form.figure("money.codi.cumulative").value == D("5000.00")
    assert form.figure("money.codi.year").value == ZERO  # CODI paid in FY2567
    assert form.figure("money.local_gov.year").value == D("2000.00")
    assert form.figure("money.total.year").value == _income(fund, YEAR_START, ON)
    assert form.figure("money.total.cumulative").value == _income(fund, None, ON)
    money = _lines(fund, None, ON, account__role__in=["cash", "bank"])
    assert form.figure("money_on_hand").value == money
    assets = _lines(fund, None, ON, account__type="asset")
    liabilities = -_lines(fund, None, ON, account__type="liability")
    assert form.figure("fund_balance").value == assets - liabilities

    # 4.3: every co-funder's payment up to the year, CODI's by round.
    payments = CoContribution.objects.filter(fund=fund, fiscal_year__lte=FY)
    shown = [f for f in form.figures() if f.key.startswith("cofunding.")]
    assert sorted(str(f.value) for f in shown) == sorted(str(p.amount) for p in payments)
    assert form.figure("cofunding.2567.codi.1").value == D("5000.00")
    assert "รอบที่ 1" in form.figure("cofunding.2567.codi.1").label

    # §10 is the statements: receipts and revenues by account, assets at the day.
    receipts = form.figure("finance.receipts.total").value
    revenues = form.figure("finance.revenues.total").value
    assert receipts + revenues == _income(fund, YEAR_START, ON)  # type: ignore[operator]
    assert form.figure("finance.receipts.members.4101").value == D("1380.00")
    assert form.figure("finance.revenues.entry_fees.4102").value == D("80.00")
    assert form.figure("finance.assets.total").value == assets
    assert form.figure("finance.fund_balance").value == assets - liabilities
    welfare_accounts = Account.objects.filter(fund=fund, role__startswith="welfare.")
    welfare_spent = _lines(fund, YEAR_START, ON, account__in=welfare_accounts)
    assert form.figure("finance.welfare.total").value == welfare_spent == D("1900.00")
    assert form.figure("finance.admin.5204").value == D("300.00")
    # 300 ÷ (1,900 + 300) = 13.636…%
    assert form.figure("finance.admin_percent").value == D("13.64")


def test_the_annual_form_welfare_is_the_paid_claims(year: dict[str, Any]) -> None:
    fund = year["fund"]
    form = annual_form(fund, FY)

    for start, suffix in ((None, "total"), (YEAR_START, "year")):
        by_category: dict[str, list[Claim]] = {}
        for claim in _paid(fund, start):
            category = "non_members" if claim.recipient == "non_member" else claim.benefit.category
            by_category.setdefault(category, []).append(claim)
        for category, claims in by_category.items():
            baht = sum((c.approved_amount or ZERO for c in claims), ZERO)
            assert form.figure(f"welfare.{category}.baht_{suffix}").value == baht
        total = sum((c.approved_amount or ZERO for c in _paid(fund, start)), ZERO)
        assert form.figure(f"welfare.total.baht_{suffix}").value == total
    assert form.figure("welfare.illness.baht_total").value == D("600.00")  # 200 + 400
    assert form.figure("welfare.illness.persons_total").value == 1  # one member, two stays
    assert form.figure("welfare.illness.claims_year").value == 1
    assert form.figure("welfare.non_members.baht_year").value == D("1000.00")
    assert form.figure("welfare.total.claims_year").value == 3
    assert form.figure("welfare_paid_total").value == D("2100.00")
    # The books say the same as the claims.
    assert (
        form.figure("finance.welfare.total").value == form.figure("welfare.total.baht_year").value
    )


def test_the_annual_form_lists_the_committee_and_the_management_facts(
    year: dict[str, Any],
) -> None:
    fund = year["fund"]
    form = annual_form(fund, FY)

    seats = CommitteeMember.objects.filter(fund=fund, term_start__lte=ON, term_end__gte=ON)
    assert form.figure("committee.count").value == seats.count() == 5
    assert form.figure("committee.members").value == 5
    assert form.figure("committee.monk").value == 0
    roster = [b for b in form.section("8").blocks if getattr(b, "caption", "").startswith("8.2")]
    names = [str(row.cells[1]) for row in roster[0].rows]  # type: ignore[union-attr]
    assert sorted(names) == sorted(s.full_name for s in seats)
    assert form.figure("regulation_in_force").value is True
    assert form.figure("regulation_adopted_on").value == dt.date(2020, 1, 1)
    assert form.figure("committee_meetings_year").value == 3  # three meetings on 5 Jun 2025
    assert form.figure("books_last_entry").value == ON
    assert form.figure("books_closed_through").value is None
    assert form.figure("years_operating").value == 15  # founded 15 Jan 2010
    assert form.section("7").manual and form.section("11").manual


def test_another_day_gives_that_days_figures(year: dict[str, Any]) -> None:
    fund = year["fund"]
    day = dt.date(2025, 3, 31)
    form = annual_form(fund, FY, on=day)

    assert form.on == day
    # The member who died on 1 June 2025 was still a member on 31 March.
    assert form.figure("members.current").value == 5
    assert form.figure("money.members.year").value == _income(
        fund, YEAR_START, day, account__code="4101"
    )
    assert form.figure("welfare.total.baht_year").value == ZERO  # paid in June
    assert "31 มีนาคม 2568" in form.subtitle


def test_the_proposal_asks_for_the_matching_codi_gives(year: dict[str, Any]) -> None:
    fund = year["fund"]
    form = proposal_form(fund, FY)

    # The proposal for 2568 reports the past year, as the provincial committee's screening
    # reads it: the figures as of 30 September 2567, the end of fiscal year 2567.
    assert (form.on, form.period_start, form.final) == (PAST_END, PAST_START, True)
    assert "30 กันยายน 2567" in form.subtitle
    # The amount asked is CODI's matching for 2568 itself. Eligible: active on 30 Sep 2568,
    # a member since 1 Oct 2567 or before, paid in the year; CODI matches 1 : 1 up to 365.
    expected = ZERO
    count = 0
    for member in Member.objects.filter(fund=fund, status="active", joined_on__lte=YEAR_START):
        paid = (
            Receipt.objects.filter(
                member=member, date__range=(YEAR_START, ON), void_entry__isnull=True
            ).aggregate(total=Sum("contribution"))["total"]
            or ZERO
        )
        if paid > 0:
            count += 1
            expected += min(paid, D("365.00"))
    assert form.figure("request.members").value == count == 2
    assert form.figure("request.amount").value == expected == D("720.00")
    assert form.figure("request.contributions").value == D("720.00")
    assert "ยังไม่ได้ตั้งเงื่อนไข" not in form.figure("request.amount").trace.text  # its own terms
    # The criteria's figures are those of fiscal year 2567 (1 Oct 2566 – 30 Sep 2567).
    assert form.figure("contributions_year").value == _income(
        fund, PAST_START, PAST_END, account__code="4101"
    )
    assert form.figure("contributions_year").value == D("720.00")  # the claimant's January
    assert form.figure("contributions_cumulative").value == _income(
        fund, None, PAST_END, account__code="4101"
    )
    assert form.figure("local_gov_year").value == ZERO  # the TAO paid in February 2568
    assert form.figure("welfare_types_year").value == 1  # the hospital stay of August 2567
    # On 30 September 2567: the claimant, the elder and the late member (still alive).
    assert form.figure("members.current").value == 3
    assert [s.number for s in form.sections] == [
        "1", "2", "3", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5", "6", "7", "8",
    ]  # fmt: skip
    assert form.section("7").manual
    signatures = form.section("8").blocks[1]
    assert "นายกองค์การบริหารส่วนตำบล/นายกเทศมนตรี" in signatures.roles  # type: ignore[union-attr]
    # Only CODI payments for earlier years are the fund's round history.
    history = [f for f in form.figures() if f.key.startswith("cofunding.")]
    assert [f.key for f in history] == ["cofunding.2567.codi.1"]


def test_the_proposal_for_a_year_reads_the_annual_form_of_the_year_before(
    year: dict[str, Any],
) -> None:
    """The proposal for 2569 and the annual form for 2568 are as of the same 30 September,
    so every figure they share is the same number."""
    fund = year["fund"]
    annual = annual_form(fund, FY)
    proposal = proposal_form(fund, FY + 1)

    assert proposal.on == annual.on == ON
    assert proposal.period_start == annual.period_start == YEAR_START
    values = {f.key: f.value for f in annual.figures()}
    shared = [f for f in proposal.figures() if f.key in values]
    assert len(shared) > 30
    assert [f.key for f in shared if f.value != values[f.key]] == []
    # The proposal names its criteria's figures by their indicator; the annual form by source.
    assert proposal.figure("contributions_year").value == values["money.members.year"]
    assert proposal.figure("local_gov_year").value == values["money.local_gov.year"]


def test_the_proposal_and_the_committees_screening_agree(
    year: dict[str, Any], users: dict[str, Any]
) -> None:
    fund = year["fund"]
    application = CofundingApplication.objects.create(fund=fund, fiscal_year_be=FY)
    form = proposal_form(fund, FY)

    screening = application_screen(application=application, actor=users["chair"])

    assert screening.as_of == form.on == PAST_END
    assert screening.requested_amount == form.figure("request.amount").value == D("720.00")
    assert screening.requested_basis["eligible"] == form.figure("request.members").value
    assert screening.figures["contributions_year"] == str(form.figure("contributions_year").value)


def test_without_codis_terms_the_usual_terms_are_used_as_the_screening_does(
    year: dict[str, Any], users: dict[str, Any]
) -> None:
    fund = year["fund"]
    MatchingTerms.objects.filter(fund=fund, funder=Funder.CODI).delete()
    application = CofundingApplication.objects.create(fund=fund, fiscal_year_be=FY)

    form = proposal_form(fund, FY)
    screening = application_screen(application=application, actor=users["chair"])

    # The usual terms (1 : 1, at most 365) give the same 720 as the fund's own did.
    assert form.figure("request.amount").value == screening.requested_amount == D("720.00")
    assert screening.requested_basis["terms"] == "proposed"
    assert "ยังไม่ได้ตั้งเงื่อนไขการสมทบ" in form.figure("request.amount").trace.text


def test_a_calendar_year_funds_form_counts_the_government_year_as_the_province_does(
    year: dict[str, Any],
) -> None:
    """A fund that keeps its books by calendar year still reports 1 October – 30 September to
    CODI, and the form says what the province's roll-up says for it."""
    fund = year["fund"]
    Fund.objects.filter(pk=fund.pk).update(fiscal_year=Fund.FiscalYear.CALENDAR)
    fund.refresh_from_db()

    form = annual_form(fund, FY)
    row = area_rollup(funds=[fund], fiscal_year_be=FY).rows[0]

    assert (form.on, form.period_start) == (ON, YEAR_START)
    # Not 1 January 2568: the members' payments of October to December 2567 count.
    assert form.figure("money.members.year").value == _income(
        fund, YEAR_START, ON, account__code="4101"
    )
    assert form.figure("money.members.year").value == D("1380.00")
    for money in row.money.income:
        assert form.figure(f"money.{money}.year").value == row.money.income[money], money
    assert form.figure("money.total.year").value == row.money.total_income
    assert form.figure("finance.welfare.total").value == row.money.welfare == D("1900.00")
    assert form.figure("finance.admin.total").value == row.money.admin == D("300.00")
    assert form.figure("money_on_hand").value == row.money.money_on_hand
    assert form.figure("members.current").value == row.members_current
    assert form.figure("members.cumulative").value == row.members_total
    assert form.figure("members.new_this_year").value == row.members_new
    assert form.figure("members.eligible_for_matching").value == row.members_eligible
    assert row.welfare_by_category
    for category, (claims, persons, baht) in row.welfare_by_category.items():
        assert form.figure(f"welfare.{category}.claims_year").value == claims, category
        assert form.figure(f"welfare.{category}.persons_year").value == persons, category
        assert form.figure(f"welfare.{category}.baht_year").value == baht, category


def test_a_fund_on_its_own_computer_is_shown_as_of_its_package(
    year: dict[str, Any], users: dict[str, Any]
) -> None:
    fund = year["fund"]
    package_day = dt.date(2025, 8, 31)
    data = json.loads(json.dumps(indicators_data(fund, package_day), default=str))
    IndicatorSnapshot.objects.create(
        fund=fund,
        kind=IndicatorSnapshot.Kind.IMPORTED,
        as_of=package_day,
        data=data,
        taken_by=users["officer"],
    )
    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    fund.refresh_from_db()

    form = annual_form(fund, FY)  # asked for 30 September 2568

    assert form.on == package_day
    assert "31 สิงหาคม 2568" in form.subtitle
    assert "30 กันยายน 2568" not in form.subtitle
    texts = [
        *(f.trace.text for f in form.figures()),
        *(f.label for f in form.figures()),
        *(getattr(b, "label", "") for s in form.sections for b in s.blocks),
        *(getattr(b, "text", "") for s in form.sections for b in s.blocks),
        *(s.title for s in form.sections),
    ]
    assert not [t for t in texts if "30 กันยายน 2568" in t]
    assert any("ณ 31 สิงหาคม 2568" in t for t in texts)
    note = form.section("1").blocks[0]
    assert "ข้อมูลที่กองทุนส่งมาล่าสุด ณ 31 สิงหาคม 2568" in note.text  # type: ignore[union-attr]
    # The package's figures, not today's books.
    assert form.figure("members.current").value == data["members"]["current"]


def test_every_figure_says_where_it_comes_from(year: dict[str, Any]) -> None:
    for form in (annual_form(year["fund"], FY), proposal_form(year["fund"], FY)):
        keys = [f.key for f in form.figures()]
        # A figure printed twice (the proposal repeats a table) is the same figure.
        for key in set(keys):
            values = {f.value for f in form.figures() if f.key == key}
            assert len(values) == 1, key
        for figure in form.figures():
            assert isinstance(figure, Figure)
            trace = figure.trace
            assert trace.text, figure.key
            linked = trace.indicator or trace.account_id or trace.page or trace.parts
            assert linked or figure.value is None, figure.key
            for part in trace.parts:
                assert part in keys, (figure.key, part)
            if figure.kind == Kind.BAHT and figure.value is not None:
                assert isinstance(figure.value, Decimal), figure.key


def test_every_indicator_the_forms_name_has_a_trace_page(year: dict[str, Any]) -> None:
    # The proposal for the next year reads the same 30 September as the annual form.
    for form in (annual_form(year["fund"], FY), proposal_form(year["fund"], FY + 1)):
        keys = {f.trace.indicator for f in form.figures() if f.trace.indicator}
        assert len(keys) > 30
        assert [k for k in keys if not is_trace_key(k)] == []


def test_the_years_run_from_the_founding_to_the_current_one(fund: Fund) -> None:
    assert form_years(fund, dt.date(2025, 10, 1)) == list(range(2569, 2552, -1))
    assert form_years(fund, dt.date(2025, 9, 30))[0] == 2568


def test_the_books_current_line_states_the_rule_the_indicator_applies(fund: Fund) -> None:
    with fund_scope(fund):
        facts = Facts(fund, ON)
    due = facts.books_due()
    assert due == dt.date(2025, 6, 30)
    # Closed through that day is current; a day short is not.
    assert books_current(due, ON) and not books_current(due - dt.timedelta(days=1), ON)
    text = facts.management()["books_current"].trace.text
    assert "30 มิถุนายน 2568" in text and "2 เดือน" not in text
