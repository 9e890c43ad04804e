"""The demo's committee (kongtun.demo.vetting): the plan is pure and stable; the loader
screens, records some checks, calls meeting 1/<year> with no decision, and adds nothing when
run again."""

from __future__ import annotations

import datetime as dt

from kongtun.demo.vetting import (
    CheckSpec,
    Waiting,
    meeting_day,
    plan_checks,
    vetting_load,
)
from kongtun.funds.tenancy import fund_scope
from kongtun.vetting.models import CommitteeMeeting, CriterionResult, Decision, Screening
from kongtun.vetting.tests.conftest import FY, TODAY

WAITING = [
    Waiting(f"lp-{n:06d}", key)
    for n in range(1, 41)
    for key in ("public_reports", "non_cash", "coverage")
]


def test_the_plan_is_the_same_every_time_and_only_a_part():
    plan = plan_checks(WAITING)
    assert plan == plan_checks(list(reversed(WAITING)))
    assert all(isinstance(p, CheckSpec) and p.note for p in plan)
    funds = {p.fund_code for p in plan}
    # Roughly the visited share of the funds, every waiting check of each, some not met.
    assert 12 <= len(funds) <= 36
    assert len(plan) == 3 * len(funds)
    assert {p.outcome for p in plan} == {"met", "not_met"}
    assert plan_checks(WAITING, seed=1) != plan


def test_a_check_the_plan_knows_nothing_about_is_left_alone():
    assert plan_checks([Waiting("lp-1", "books")]) == []


def test_the_meeting_is_soon_on_a_weekday():
    for offset in range(7):
        today = TODAY + dt.timedelta(days=offset)
        day = meeting_day(today)
        assert day.weekday() < 5 and 10 <= (day - today).days <= 12


def test_the_loader_screens_checks_and_calls_the_first_meeting(
    applicant, other_applicant, fund, other_fund, users
):
    officer = users["officer"]
    counts = vetting_load(province_code="52", fiscal_year_be=FY, today=TODAY, officer=officer)
    assert counts["screened"] == 2 and counts["not_screened"] == 0
    assert counts["meetings_created"] == 1
    meeting = CommitteeMeeting.objects.get(province_id="52", fiscal_year_be=FY)
    assert meeting.number == 1 and meeting.held_on == meeting_day(TODAY)
    with fund_scope([fund, other_fund]):
        assert Screening.objects.count() == 2
        assert not Decision.objects.exists()
        human = CriterionResult.objects.filter(how="human").count()
    assert human == counts["checks_recorded"]

    with fund_scope([fund, other_fund]):
        screened_at = sorted(Screening.objects.values_list("pk", "computed_at"))

    # A second load finds meeting 1 called and leaves everything as the officers left it.
    again = vetting_load(province_code="52", fiscal_year_be=FY, today=TODAY, officer=officer)
    assert again == {"screened": 0, "not_screened": 0, "checks_recorded": 0, "meetings_created": 0}
    assert CommitteeMeeting.objects.filter(province_id="52").count() == 1
    with fund_scope([fund, other_fund]):
        assert CriterionResult.objects.filter(how="human").count() == human
        assert sorted(Screening.objects.values_list("pk", "computed_at")) == screened_at


def test_the_loader_does_nothing_for_a_year_without_applications(applicant, users):
    counts = vetting_load(
        province_code="52", fiscal_year_be=FY - 1, today=TODAY, officer=users["officer"]
    )
    assert counts == {
        "screened": 0,
        "not_screened": 0,
        "checks_recorded": 0,
        "meetings_created": 0,
    }
    assert not CommitteeMeeting.objects.exists()
