"""The demo's provincial committee: the year's applicants screened, some checks done, and the
first meeting of the year called, its decisions left for the officer to record.

Two layers, as in kongtun.demo.province. The plan (`plan_checks`, `meeting_day`) is pure:
from the checks waiting for a person and a seed it returns the same checks every time. The
loader (`vetting_load`) screens through kongtun.vetting.services (numbered, audited like an
officer's work), records the planned checks that are still waiting, and creates meeting
1/<year> if the province has none. Run again, it screens again (a person's check stays) and
adds nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kongtun.funds.models import CofundingApplication, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Province
from kongtun.vetting import services
from kongtun.vetting.models import CommitteeMeeting, CriterionResult, Outcome

SEED = 2566
CHECKED_SHARE = 0.6  # of the funds, those the network has already visited; the rest wait
MEETING_IN_DAYS = 10

# What a provincial officer writes after looking: (chance the check is met, note if met, note
# if not). The chances are guesses at a province's spread, not data.
FINDINGS: dict[str, tuple[float, str, str]] = {
    "public_reports": (
        0.9,
        "ตรวจประกาศรายงานการเงินที่บอร์ดหน้าที่ทำการ อบต. และรายงานการประชุมใหญ่สมาชิกประจำปี",
        "ไม่พบประกาศรายงานต่อสมาชิกและสาธารณะในรอบปี ให้กองทุนจัดทำก่อนเสนอครั้งต่อไป",
    ),
    "non_cash": (
        0.75,
        "อาสาสมัครกองทุนเยี่ยมผู้ป่วยติดเตียงและผู้สูงอายุทุกเดือน มีภาพถ่ายและบันทึกการเยี่ยม",
        "ยังไม่มีสวัสดิการที่ไม่เป็นตัวเงิน",
    ),
    "coverage": (
        0.85,
        "ตรวจทะเบียนสมาชิกเทียบกับทะเบียนหมู่บ้านของ อบต. สมาชิกมาจากหมู่บ้านเกินกึ่งหนึ่งของตำบล",
        "สมาชิกมาจากหมู่บ้านไม่ถึงกึ่งหนึ่งของตำบลตามทะเบียนหมู่บ้านของ อบต.",
    ),
}


@dataclass(frozen=True)
class Waiting:
    """A check of one fund's application that waits for a person."""

    fund_code: str
    check_key: str


@dataclass(frozen=True)
class CheckSpec:
    fund_code: str
    check_key: str
    outcome: str
    note: str


def _rng(*parts: object) -> random.Random:
    # Not for secrets: the same demo every run is the point.
    return random.Random(":".join(map(str, parts)))  # noqa: S311


def plan_checks(waiting: Sequence[Waiting], *, seed: int = SEED) -> list[CheckSpec]:
    """The checks an officer has done so far: all of the visited funds' waiting checks (about
    CHECKED_SHARE of the funds), each met or not as FINDINGS makes likely."""
    specs = []
    for item in sorted(waiting, key=lambda w: (w.fund_code, w.check_key)):
        finding = FINDINGS.get(item.check_key)
        if finding is None or _rng(seed, item.fund_code, "visited").random() >= CHECKED_SHARE:
            continue
        chance, met_note, not_met_note = finding
        met = _rng(seed, item.fund_code, item.check_key).random() < chance
        specs.append(
            CheckSpec(
                item.fund_code,
                item.check_key,
                Outcome.MET if met else Outcome.NOT_MET,
                met_note if met else not_met_note,
            )
        )
    return specs


def meeting_day(today: dt.date) -> dt.date:
    """The first weekday at least MEETING_IN_DAYS after today: soon, so the officer records
    the decisions as the meeting will take them."""
    day = today + dt.timedelta(days=MEETING_IN_DAYS)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def meeting_notes(fiscal_year_be: int) -> str:
    return (
        "วาระ: พิจารณาให้ความเห็นชอบคุณสมบัติของกองทุนสวัสดิการชุมชนที่ประสงค์ขอรับการสมทบงบประมาณ"
        "จากสถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน) ตามโครงการสนับสนุนการจัดสวัสดิการชุมชน "
        f"ประจำปีงบประมาณ {fiscal_year_be} และรับทราบผลการดำเนินงาน ปัญหาและอุปสรรค"
    )


# --- Writing it ------------------------------------------------------------------------------


def vetting_load(
    *, province_code: str, fiscal_year_be: int, today: dt.date, officer: Any
) -> dict[str, int]:
    """Screen the province's applications of the year, record the planned checks still
    waiting, and call meeting 1/<year> (no decision is recorded). Nothing at all when meeting
    1/<year> exists already: the demo's vetting was loaded then."""
    province = Province.objects.get(code=province_code)
    if CommitteeMeeting.objects.filter(
        province=province, fiscal_year_be=fiscal_year_be, number=1
    ).exists():
        # Loaded before: whatever the officers did since (screenings, checks, decisions) stays.
        return {"screened": 0, "not_screened": 0, "checks_recorded": 0, "meetings_created": 0}
    funds = list(
        Fund.objects.filter(tambon__amphoe__province=province)
        .select_related("tambon__amphoe")
        .order_by("code")
    )
    done = services.screen_all(
        funds=funds, fiscal_year_be=fiscal_year_be, actor=officer, today=today
    )
    counts = {"screened": done.screened, "not_screened": len(done.not_screened)}
    waiting: list[Waiting] = []
    applications: dict[str, CofundingApplication] = {}
    if funds:
        with fund_scope(funds):
            for application in CofundingApplication.objects.filter(
                fund__in=funds, fiscal_year_be=fiscal_year_be
            ).select_related("fund__tambon__amphoe__province"):
                applications[application.fund.code] = application
            rows = CriterionResult.objects.filter(
                screening__application__in=list(applications.values()),
                how=CriterionResult.How.AUTOMATIC,
                outcome=Outcome.NEEDS_CHECK,
            ).values_list("screening__application__fund__code", "check_key")
            waiting = [Waiting(code, key) for code, key in rows]
    checks = 0
    for spec in plan_checks(waiting):
        services.check_record(
            application=applications[spec.fund_code],
            check_key=spec.check_key,
            actor=officer,
            outcome=spec.outcome,
            note=spec.note,
        )
        checks += 1
    counts["checks_recorded"] = checks
    meetings = 0
    exists = CommitteeMeeting.objects.filter(
        province=province, fiscal_year_be=fiscal_year_be, number=1
    ).exists()
    if applications and not exists:
        services.meeting_create(
            province=province,
            fiscal_year_be=fiscal_year_be,
            number=1,
            held_on=meeting_day(today),
            place=f"ห้องประชุมชั้น 3 ศาลากลางจังหวัด{province.name_th}",
            notes=meeting_notes(fiscal_year_be),
            actor=officer,
        )
        meetings = 1
    counts["meetings_created"] = meetings
    return counts
