"""Screening, a person's checks, meetings and the committee's decisions (see conftest for the
worked example)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.contributions.cofunding import matching_report
from kongtun.contributions.models import Funder, MatchingTerms
from kongtun.funds.models import CofundingApplication
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Province
from kongtun.vetting import services
from kongtun.vetting.models import CommitteeMeeting, CriterionResult, Decision, Screening
from kongtun.vetting.selectors import application_detail, vetting_rows
from kongtun.vetting.tests.conftest import AFTER_CUTOFF, AS_OF, FY, TODAY

D = Decimal


def screen(application, users, today=TODAY):
    return services.application_screen(application=application, actor=users["officer"], today=today)


def outcomes(screening):
    with fund_scope(screening.fund):
        rows = CriterionResult.objects.filter(screening=screening)
        return {r.check_key: (r.outcome, r.how, r.auto_outcome) for r in rows}


def meeting(users, number=1, year=FY, province="52"):
    return services.meeting_create(
        province=Province.objects.get(code=province),
        fiscal_year_be=year,
        number=number,
        held_on=TODAY,
        place="ห้องประชุมศาลากลางจังหวัด",
        notes="",
        actor=users["officer"],
    )


# --- Screening -------------------------------------------------------------------------------


def test_it_judges_each_check_from_the_funds_figures_of_the_past_year(applicant, users):
    screening = screen(applicant, users)
    found = {key: outcome for key, (outcome, _how, _auto) in outcomes(screening).items()}
    assert found == {
        "operating": "met",  # founded 2010
        "eligible": "met",
        "coverage": "met",  # 2 of 4 villages: exactly 50 %
        "contributions": "met",  # 480.00 in 2567
        "local_gov": "info",
        "books": "not_met",  # no month closed
        "register": "met",
        "regulation": "not_met",  # none adopted
        "public_reports": "needs_check",
        "meetings": "info",
        "welfare_types": "not_met",  # nothing paid
        "non_cash": "needs_check",
    }
    assert screening.status == "not_met"
    assert screening.as_of == AS_OF  # 30 September that ended 2567
    figures = screening.figures
    assert figures["fiscal_year_be"] == FY - 1
    assert (figures["members_current"], figures["eligible_for_matching"]) == (4, 4)
    assert (figures["villages_covered"], figures["villages_in_area"]) == (2, 4)
    assert figures["contributions_year"] == "480.00"
    with fund_scope(applicant.fund):
        coverage = CriterionResult.objects.get(screening=screening, check_key="coverage")
    assert coverage.facts == {
        "kind": "tambon",
        "covered": 2,
        "in_area": 4,
        "percent": "50",
        "required": "50",
    }
    for number in ("2", "4", "50"):
        assert number in coverage.evidence
    assert screening.indicators["as_of"] == "2024-09-30"  # the snapshot kept as used


def test_while_the_year_runs_each_eligible_member_counts_at_the_cap(applicant, users):
    screening = screen(applicant, users)
    assert screening.requested_amount == D("730.00")  # 4 × 182.50, m5 included
    assert screening.requested_basis == {
        "terms": "year",
        "method": "per_member",
        "ratio": "0.500",
        "cap": "182.50",
        "max_rounds": 3,
        "min_days": 365,
        "eligible": 4,
        "contributions": "570.00",  # so far, of those who paid: m1, m2, m3
        "expected_so_far": "272.50",
        "ceiling": "730.00",
        "cutoff": "2025-09-30",
        "final": False,
    }


def test_after_the_cutoff_it_is_codis_line_of_the_matching_report(applicant, users):
    screening = screen(applicant, users, today=AFTER_CUTOFF)
    assert screening.requested_amount == D("272.50")  # 60 + 182.50 + 30; m5 paid nothing
    with fund_scope(applicant.fund):
        report = matching_report(fund=applicant.fund, fiscal_year=FY)
    (codi,) = [f for f in report.funders if f.funder == Funder.CODI]
    assert screening.requested_amount == codi.outcome.expected_total
    basis = screening.requested_basis
    assert (basis["method"], basis["eligible"], basis["final"]) == ("matching", 3, True)
    assert screening.as_of == AS_OF  # the criteria still read the past year


def test_without_codi_terms_the_proposed_terms_are_used(applicant, users):
    with fund_scope(applicant.fund):
        MatchingTerms.objects.filter(fund=applicant.fund, funder=Funder.CODI).delete()
    screening = screen(applicant, users)
    assert screening.requested_amount == D("1460.00")  # 4 × 365
    basis = screening.requested_basis
    assert (basis["terms"], basis["ratio"], basis["cap"]) == ("proposed", "1.000", "365.00")
    assert screen(applicant, users, today=AFTER_CUTOFF).requested_amount == D("545.00")
    with fund_scope(applicant.fund):
        assert not MatchingTerms.objects.filter(fund=applicant.fund).exists()  # nothing saved


def test_screening_again_updates_one_row_per_application_and_is_audited(applicant, users):
    first = screen(applicant, users)
    second = screen(applicant, users)
    assert first.pk == second.pk
    with fund_scope(applicant.fund):
        assert Screening.objects.filter(application=applicant).count() == 1
        assert CriterionResult.objects.filter(screening=first).count() == 12
    with fund_scope(applicant.fund):
        actions = AuditEntry.objects.filter(action="vetting.screening.computed")
        assert actions.count() == 2


def test_unknown_villages_go_to_a_person(applicant, users):
    applicant.fund.villages_in_area = None
    applicant.fund.save(update_fields=["villages_in_area"])
    screening = screen(applicant, users)
    assert outcomes(screening)["coverage"] == ("needs_check", "automatic", "needs_check")


# --- A person's check ------------------------------------------------------------------------


def check(application, users, key, outcome="met", note="เห็นประกาศที่ศาลาหมู่บ้าน"):
    return services.check_record(
        application=application,
        check_key=key,
        actor=users["officer"],
        outcome=outcome,
        note=note,
    )


def test_a_persons_check_stays_when_screened_again(applicant, users):
    screen(applicant, users)
    row = check(applicant, users, "public_reports")
    assert (row.outcome, row.how, row.checked_by) == ("met", "human", users["officer"])
    assert row.checked_at is not None and row.note == "เห็นประกาศที่ศาลาหมู่บ้าน"
    # The committee finds the coverage wrong on the ground, whatever the figures say.
    check(applicant, users, "coverage", "not_met", "หมู่ 2 ไม่มีสมาชิกจริง")
    screening = screen(applicant, users)
    found = outcomes(screening)
    assert found["public_reports"] == ("met", "human", "needs_check")
    assert found["coverage"] == ("not_met", "human", "met")
    assert found["non_cash"] == ("needs_check", "automatic", "needs_check")
    with fund_scope(applicant.fund):
        kept = CriterionResult.objects.get(screening=screening, check_key="public_reports")
    assert kept.note == "เห็นประกาศที่ศาลาหมู่บ้าน"
    with fund_scope(applicant.fund):
        entry = AuditEntry.objects.filter(action="vetting.check.recorded").latest("seq")
    assert json.loads(entry.data)["after"]["outcome"] == "not_met"


def test_a_check_needs_a_screening_a_deciding_check_and_a_note(applicant, users):
    with pytest.raises(ValidationError, match="Screen"):
        check(applicant, users, "public_reports")
    screen(applicant, users)
    with pytest.raises(ValidationError):
        check(applicant, users, "local_gov")  # information only
    with pytest.raises(ValidationError):
        check(applicant, users, "no_such_check")
    with pytest.raises(ValidationError) as refused:
        check(applicant, users, "non_cash", note="   ")
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        check(applicant, users, "non_cash", outcome="needs_check")
    assert "outcome" in refused.value.message_dict


@pytest.fixture
def approvable(applicant, users):
    """Screened, and every check the figures did not pass checked by a person as met."""
    screen(applicant, users)
    for key in ("books", "regulation", "public_reports", "welfare_types", "non_cash"):
        check(applicant, users, key, "met", f"ตรวจเอกสาร {key}")
    with fund_scope(applicant.fund):
        assert Screening.objects.get(application=applicant).status == "met"
    return applicant


# --- Meetings --------------------------------------------------------------------------------


def test_meetings_are_numbered_within_the_year(users):
    lampang = Province.objects.get(code="52")
    assert services.meeting_next_number(province=lampang, fiscal_year_be=FY) == 1
    first = meeting(users)
    assert first.label == f"1/{FY}"
    assert services.meeting_next_number(province=lampang, fiscal_year_be=FY) == 2
    with pytest.raises(ValidationError) as refused:
        meeting(users)
    assert "number" in refused.value.message_dict
    assert meeting(users, year=FY + 1).label == f"1/{FY + 1}"  # numbering starts again
    assert meeting(users, province="50").label == f"1/{FY}"  # another province's own
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="vetting.meeting.created").latest("seq")
    assert entry.fund_id is None and entry.chain == "system"


def test_a_meeting_date_far_from_its_year_is_a_slip(users):
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            province=Province.objects.get(code="52"),
            fiscal_year_be=FY,
            number=1,
            held_on=dt.date(2020, 2, 16),
            place="",
            notes="",
            actor=users["officer"],
        )
    assert "held_on" in refused.value.message_dict


# --- Decisions -------------------------------------------------------------------------------


def decide(application, users, on, outcome="approved", amount=None, conditions=""):
    return services.decision_record(
        application=application,
        meeting=on,
        actor=users["officer"],
        outcome=outcome,
        amount_approved=amount,
        conditions=conditions,
    )


def test_a_decision_is_recorded_and_superseded_never_edited(approvable, users):
    first_meeting, second_meeting = meeting(users), meeting(users, number=2)
    first = decide(approvable, users, first_meeting, amount=D("272.50"))
    approvable.refresh_from_db()
    assert approvable.status == CofundingApplication.Status.APPROVED
    second = decide(approvable, users, second_meeting, "not_approved", conditions="เอกสารไม่ครบ")
    assert second.supersedes_id == first.pk
    approvable.refresh_from_db()
    assert approvable.status == CofundingApplication.Status.REJECTED
    with fund_scope(approvable.fund):
        old = Decision.objects.get(pk=first.pk)
        assert (old.outcome, old.amount_approved, old.meeting_id) == (
            "approved",
            D("272.50"),
            first_meeting.pk,
        )
        current = services.current_decision(approvable)
        assert current is not None and current.pk == second.pk
        assert Decision.objects.filter(application=approvable).count() == 2
        # The database itself refuses to change or delete a decision.
        for attempt in (
            lambda: Decision.objects.filter(pk=first.pk).update(outcome="deferred"),
            # The one in force: nothing supersedes it, so only the database stops this.
            lambda: Decision.objects.filter(pk=second.pk).delete(),
        ):
            with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
                attempt()
    detail = application_detail(approvable)
    assert detail.current is not None and detail.current.pk == second.pk
    assert [d.pk for d in detail.decisions] == [second.pk, first.pk]
    with fund_scope(approvable.fund):
        recorded = AuditEntry.objects.filter(action="vetting.decision.recorded").order_by("seq")
        found = [json.loads(e.data) for e in recorded]
    assert [d["before"] and d["before"]["outcome"] for d in found] == [None, "approved"]
    assert [d["after"]["outcome"] for d in found] == ["approved", "not_approved"]


def test_the_same_decision_sent_twice_is_recorded_once(approvable, users):
    on = meeting(users)
    first = decide(approvable, users, on, amount=D("100.00"))
    again = decide(approvable, users, on, amount=D("100.00"))
    assert again.pk == first.pk
    changed = decide(approvable, users, on, amount=D("100.01"))
    assert changed.supersedes_id == first.pk
    assert changed.amount_approved == D("100.01")  # exact to the satang


def test_approval_waits_for_every_criterion(applicant, users):
    on = meeting(users)
    with pytest.raises(ValidationError, match="Screen"):
        decide(applicant, users, on, amount=D("10.00"))
    screen(applicant, users)
    with pytest.raises(ValidationError) as refused:
        decide(applicant, users, on, amount=D("10.00"))  # books etc. not met
    assert "outcome" in refused.value.message_dict
    for key in ("books", "regulation", "welfare_types"):
        check(applicant, users, key)
    with pytest.raises(ValidationError, match="check"):
        decide(applicant, users, on, amount=D("10.00"))  # two still wait for a person
    # Not approving needs no criterion.
    assert decide(applicant, users, on, "deferred").amount_approved == D("0.00")


def test_the_amount_approved_is_checked(approvable, users):
    on = meeting(users)
    for amount in (None, D("730.01")):
        with pytest.raises(ValidationError) as refused:
            decide(approvable, users, on, amount=amount)
        assert "amount_approved" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        decide(approvable, users, on, "not_approved", amount=D("5.00"))
    assert "amount_approved" in refused.value.message_dict
    assert decide(approvable, users, on, amount=D("730.00")).amount_approved == D("730.00")


def test_the_meeting_must_be_the_provinces_and_the_years(approvable, users):
    for wrong in (meeting(users, year=FY + 1), meeting(users, province="50")):
        with pytest.raises(ValidationError) as refused:
            decide(approvable, users, wrong, amount=D("10.00"))
        assert "meeting" in refused.value.message_dict
    assert not CommitteeMeeting.objects.filter(province_id="52", fiscal_year_be=FY).exists()


# --- Every application of the year -----------------------------------------------------------


def test_screen_all_screens_the_years_applications_of_the_funds_given(
    applicant, other_applicant, fund, other_fund, users
):
    done = services.screen_all(
        funds=[fund, other_fund], fiscal_year_be=FY, actor=users["officer"], today=TODAY
    )
    assert (done.screened, done.not_screened) == (2, [])
    rows = vetting_rows(funds=[fund, other_fund], fiscal_year_be=FY)
    assert sorted(r.fund.code for r in rows) == sorted([fund.code, other_fund.code])
    (empty,) = [r for r in rows if r.fund == other_fund]
    assert empty.screening is not None
    assert empty.screening.requested_amount == D("0.00")
    assert empty.screening.requested_basis["eligible"] == 0
    assert empty.criteria[2] == "not_met"  # no member with a full year
    # Only the funds given: the other fund's application stays unscreened.
    with fund_scope(other_fund):
        later = CofundingApplication.objects.create(fund=other_fund, fiscal_year_be=FY + 1)
    services.screen_all(funds=[fund], fiscal_year_be=FY + 1, actor=users["officer"], today=TODAY)
    with fund_scope(other_fund):
        assert not Screening.objects.filter(application=later).exists()


def test_rows_filter_by_district_screening_and_decision(
    approvable, other_applicant, fund, other_fund, users
):
    screen(other_applicant, users)
    funds = [fund, other_fund]
    assert len(vetting_rows(funds=funds, fiscal_year_be=FY, amphoe="5201")) == 2
    assert vetting_rows(funds=funds, fiscal_year_be=FY, amphoe="5202") == []
    (met,) = vetting_rows(funds=funds, fiscal_year_be=FY, screening="met")
    assert met.fund == fund
    (not_met,) = vetting_rows(funds=funds, fiscal_year_be=FY, screening="not_met")
    assert not_met.fund == other_fund
    decide(approvable, users, meeting(users), amount=D("272.50"))
    (approved,) = vetting_rows(funds=funds, fiscal_year_be=FY, decision="approved")
    assert approved.approved == D("272.50")
    (none,) = vetting_rows(funds=funds, fiscal_year_be=FY, decision="none")
    assert none.fund == other_fund


def test_a_draft_application_is_not_decided(approvable, users):
    on = meeting(users)
    with fund_scope(approvable.fund):
        CofundingApplication.objects.filter(pk=approvable.pk).update(
            status=CofundingApplication.Status.DRAFT
        )
    approvable.refresh_from_db()
    with scopes_disabled():
        audited = AuditEntry.objects.count()

    for outcome, amount in (("approved", D("100.00")), ("not_approved", None), ("deferred", None)):
        with pytest.raises(ValidationError) as refused:
            decide(approvable, users, on, outcome, amount=amount)
        assert "still a draft" in " ".join(refused.value.messages)

    with fund_scope(approvable.fund):
        assert not Decision.objects.filter(application=approvable).exists()
    approvable.refresh_from_db()
    assert approvable.status == CofundingApplication.Status.DRAFT
    with scopes_disabled():
        assert AuditEntry.objects.count() == audited
    # Once the fund submits it, the same decision is recorded.
    with fund_scope(approvable.fund):
        CofundingApplication.objects.filter(pk=approvable.pk).update(
            status=CofundingApplication.Status.SUBMITTED
        )
    approvable.refresh_from_db()
    assert decide(approvable, users, on, amount=D("100.00")).amount_approved == D("100.00")


def test_screening_again_below_the_approval_is_flagged_not_changed(approvable, users):
    # Screened while the year ran: 4 eligible members at the cap, 730.00 requested.
    approved = decide(approvable, users, meeting(users), amount=D("730.00"))
    assert not application_detail(approvable).approved_above_requested

    # After the cut-off the matching follows what the members paid: 272.50.
    again = screen(approvable, users, today=AFTER_CUTOFF)

    assert again.requested_amount == D("272.50")
    detail = application_detail(approvable)
    assert detail.approved_above_requested
    # Nothing changed by itself: the approval stands until the committee decides again.
    assert detail.current is not None and detail.current.pk == approved.pk
    assert detail.current.amount_approved == D("730.00")
    approvable.refresh_from_db()
    assert approvable.status == CofundingApplication.Status.APPROVED
    # A new decision within the new amount clears it.
    decide(approvable, users, meeting(users, number=2), amount=D("272.50"))
    assert not application_detail(approvable).approved_above_requested
