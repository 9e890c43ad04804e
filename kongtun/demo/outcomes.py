"""The demo funds' year reports: results, good practice, problems and obstacles.

Two layers, as the rest of the demo. `plan_year_reports` is pure: for the funds, a fiscal
year and a seed it returns the same reports every time, their text put together from the
phrase lists below (what fund committees in the north write in these reports, in general
terms: no person, village or figure is named, so nothing contradicts a fund's own data).
`outcomes_load` writes the plans: submitted reports for most funds for the last completed
fiscal year, drafts for some for the current one, skipping every report that already exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.statements import fiscal_year_bounds, fiscal_year_of
from kongtun.outcomes.models import Category, Issue, Kind, Severity, YearReport

SEED = 2566
SUBMITTED_SHARE = 0.9  # of the funds, for the year just ended
DRAFT_SHARE = 0.25  # of the funds, for the year under way


@dataclass(frozen=True)
class IssuePlan:
    kind: str
    category: str
    severity: str
    description: str
    help_requested: str


@dataclass(frozen=True)
class ReportPlan:
    fund_code: str
    fiscal_year_be: int
    submitted: bool
    results: str
    highlights: str
    issues: tuple[IssuePlan, ...]
    lag: float  # 0 ≤ lag < 1: how late in the weeks after the year the report was sent


# --- Phrases ----------------------------------------------------------------------------------

_OPENINGS = (
    "ในปีงบประมาณ {year} กองทุนดำเนินงานต่อเนื่องตามระเบียบกองทุน โดยคณะกรรมการทุกหมู่บ้านร่วมกันดูแลสมาชิก",
    "ปีงบประมาณ {year} กองทุนยังคงดำเนินงานตามหลักให้อย่างมีคุณค่า รับอย่างมีศักดิ์ศรี",
    "ตลอดปีงบประมาณ {year} กองทุนจัดสวัสดิการให้สมาชิกตามระเบียบ และเปิดรับสมาชิกใหม่อย่างต่อเนื่อง",
)
_MEMBERS = (
    "มีสมาชิกใหม่สมัครเพิ่มจากการประชาสัมพันธ์ในที่ประชุมประจำเดือนของหมู่บ้านและหอกระจายข่าว",
    "รณรงค์ให้คนรุ่นใหม่และเด็กในครอบครัวสมาชิกสมัครเป็นสมาชิก",
    "ตัวแทนแต่ละหมู่บ้านออกเก็บเงินสมทบจากสมาชิกทุกเดือนและนำส่งกองทุนตามกำหนด",
    "ติดตามสมาชิกที่ขาดส่งเงินสมทบให้กลับมาส่งต่อเนื่อง",
)
_WELFARE = (
    "จ่ายสวัสดิการให้สมาชิกครอบคลุมการเกิด เจ็บป่วยนอนโรงพยาบาล และเสียชีวิต ตามระเบียบ",
    "จ่ายบำนาญ/เงินช่วยเหลือผู้สูงอายุที่เป็นสมาชิกมานาน และทุนการศึกษาบุตรสมาชิก",
    "ช่วยเหลือผู้ด้อยโอกาสและผู้ยากลำบากในชุมชนที่ยังไม่ได้เป็นสมาชิก",
    "เยี่ยมไข้สมาชิกที่เจ็บป่วยพร้อมมอบเงินสวัสดิการถึงบ้าน",
)
_GOVERNANCE = (
    "คณะกรรมการประชุมทุกเดือน และจัดประชุมใหญ่ประจำปีรายงานผลการดำเนินงานและงบการเงินต่อสมาชิก",
    "จัดทำบัญชีรับ-จ่ายเป็นปัจจุบัน ปิดประกาศรายงานการเงินที่ที่ทำการกองทุนทุกไตรมาส",
    "เริ่มบันทึกข้อมูลสมาชิกและบัญชีด้วยระบบคอมพิวเตอร์หลังเข้าอบรมกับเครือข่ายจังหวัด",
    "ทบทวนและปรับปรุงระเบียบกองทุนโดยความเห็นชอบของที่ประชุมใหญ่",
)
_PARTNERS = (
    "ได้รับงบสนับสนุนจากองค์กรปกครองส่วนท้องถิ่นและงบสมทบจาก พอช. ตามโครงการ",
    "ทำงานร่วมกับ รพ.สต. และ อสม. ในการดูแลผู้ป่วยติดเตียงและผู้สูงอายุ",
    "ร่วมกิจกรรมกับเครือข่ายกองทุนสวัสดิการชุมชนระดับอำเภอและจังหวัด",
    "ประสานกับ พมจ. ในการส่งต่อผู้ที่ต้องการความช่วยเหลือเร่งด่วน",
)
_HIGHLIGHTS = (
    "สวัสดิการวันละบาท ให้เด็กและเยาวชนออมเพื่อเป็นสมาชิกตั้งแต่เล็ก",
    "ธนาคารต้นไม้ ให้สมาชิกปลูกไม้ยืนต้นเป็นเงินออมและสวัสดิการสิ่งแวดล้อม",
    "กองทุนข้าวสาร ช่วยเหลือครอบครัวสมาชิกที่ประสบภัยหรือเจ็บป่วยเป็นเวลานาน",
    "อาสาสมัครกองทุนเยี่ยมบ้านผู้สูงอายุที่อยู่ลำพังทุกเดือน",
    "จัดงานวันผู้สูงอายุและมอบสวัสดิการรับขวัญสมาชิกอายุครบ 80 ปี",
    "ใช้แอปพลิเคชันบนโทรศัพท์แจ้งยอดเงินสมทบและการจ่ายสวัสดิการให้สมาชิก",
    "เชื่อมโยงกลุ่มอาชีพในชุมชน นำรายได้ส่วนหนึ่งเข้ากองทุนสวัสดิการ",
    "ศูนย์ยืมอุปกรณ์การแพทย์ (เตียง ไม้ค้ำ รถเข็น) สำหรับสมาชิก",
)

# Per category: how often funds raise it, whether it is usually a problem (inside the fund)
# or an obstacle (from outside), what they write, and the help they ask for.
_ISSUES: dict[str, tuple[int, str, tuple[str, ...], tuple[str, ...]]] = {
    Category.ARREARS: (
        10,
        Kind.PROBLEM,
        (
            "สมาชิกบางส่วนขาดส่งเงินสมทบหลายเดือน โดยเฉพาะช่วงก่อนฤดูเก็บเกี่ยวที่รายได้น้อย",
            "สมาชิกวัยทำงานย้ายไปทำงานต่างจังหวัด ส่งเงินสมทบไม่ต่อเนื่อง",
            "ตัวแทนเก็บเงินบางหมู่บ้านไม่สามารถออกเก็บได้ทุกเดือน ทำให้ยอดค้างสะสม",
        ),
        (
            "ขอตัวอย่างระเบียบการผ่อนผันและการติดตามสมาชิกค้างส่ง",
            "ขอคำแนะนำการรับเงินสมทบผ่านบัญชีธนาคารหรือโอนเงิน",
            "",
        ),
    ),
    Category.MEMBERSHIP: (
        9,
        Kind.PROBLEM,
        (
            "สมาชิกส่วนใหญ่เป็นผู้สูงอายุ คนรุ่นใหม่สมัครน้อย รายจ่ายสวัสดิการผู้สูงอายุจึงเพิ่มขึ้นทุกปี",
            "สมาชิกใหม่ในปีนี้มีน้อย ประชาชนบางส่วนยังไม่เข้าใจประโยชน์ของกองทุน",
        ),
        (
            "ขอสื่อประชาสัมพันธ์สำหรับชวนคนรุ่นใหม่เป็นสมาชิก",
            "ขอให้เครือข่ายจัดเวทีแลกเปลี่ยนกับกองทุนที่เพิ่มสมาชิกเยาวชนได้",
        ),
    ),
    Category.COMMITTEE: (
        7,
        Kind.PROBLEM,
        (
            "คณะกรรมการส่วนใหญ่อายุมาก ขาดคนรุ่นใหม่มาสืบทอดงาน",
            "กรรมการบางคนมีภาระงานหลายด้าน เข้าร่วมประชุมได้ไม่สม่ำเสมอ",
        ),
        (
            "ขออบรมพัฒนาศักยภาพคณะกรรมการรุ่นใหม่",
            "ขอพี่เลี้ยงจากเครือข่ายอำเภอช่วยวางระบบงาน",
        ),
    ),
    Category.BOOKKEEPING: (
        8,
        Kind.PROBLEM,
        (
            "เหรัญญิกยังจัดทำบัญชีด้วยมือ การสรุปงบประจำปีใช้เวลานาน",
            "กรรมการใช้คอมพิวเตอร์ไม่คล่อง บันทึกข้อมูลสมาชิกในระบบได้ช้า",
            "ข้อมูลการรับเงินสมทบกับสมุดบัญชีไม่ตรงกันในบางเดือน ต้องตรวจทานซ้ำ",
        ),
        (
            "ขออบรมการใช้โปรแกรมบัญชีและระบบข้อมูลกองทุนต่อเนื่อง",
            "ขอเครื่องคอมพิวเตอร์หรือแท็บเล็ตสำหรับบันทึกข้อมูล",
        ),
    ),
    Category.REGULATION: (
        4,
        Kind.PROBLEM,
        (
            "ระเบียบกองทุนใช้มานานหลายปี บางข้อไม่ชัดเจน ตีความการจ่ายสวัสดิการต่างกัน",
            "อัตราสวัสดิการในระเบียบไม่สอดคล้องกับเงินกองทุนในปัจจุบัน",
        ),
        ("ขอตัวอย่างระเบียบจากกองทุนที่ปรับปรุงแล้ว", "ขอให้เครือข่ายช่วยทบทวนร่างระเบียบ"),
    ),
    Category.DEMAND: (
        5,
        Kind.PROBLEM,
        (
            "รายจ่ายสวัสดิการกรณีเสียชีวิตและเจ็บป่วยเพิ่มขึ้นมากกว่าเงินสมทบที่รับเข้า",
            "มีผู้ขอรับสวัสดิการผู้สูงอายุเพิ่มขึ้นทุกปี เงินกองทุนอาจไม่พอในระยะยาว",
        ),
        (
            "ขอคำแนะนำการวางแผนการเงินกองทุนระยะยาว",
            "ขอให้จังหวัดประสานแหล่งทุนเพิ่มเติม",
        ),
    ),
    Category.LOCAL_GOVERNMENT: (
        6,
        Kind.OBSTACLE,
        (
            "องค์กรปกครองส่วนท้องถิ่นยังไม่ได้ตั้งงบประมาณสมทบกองทุนในปีนี้",
            "งบสนับสนุนจากท้องถิ่นลดลงจากปีก่อน และได้รับล่าช้า",
        ),
        (
            "ขอให้จังหวัดทำหนังสือชี้แจงท้องถิ่นเรื่องการสนับสนุนกองทุนสวัสดิการชุมชน",
            "ขอให้เครือข่ายร่วมประชุมกับผู้บริหารท้องถิ่น",
        ),
    ),
    Category.CODI: (
        6,
        Kind.OBSTACLE,
        (
            "งบสมทบจาก พอช. โอนเข้ากองทุนล่าช้า ทำให้วางแผนการจ่ายสวัสดิการได้ยาก",
            "งบสมทบที่ได้รับน้อยกว่าจำนวนสมาชิกที่มีสิทธิ์ตามเกณฑ์",
        ),
        (
            "ขอให้จังหวัดติดตามกำหนดการโอนงบสมทบ",
            "ขอคำชี้แจงหลักเกณฑ์การคำนวณงบสมทบ",
        ),
    ),
    Category.COORDINATION: (
        3,
        Kind.OBSTACLE,
        (
            "การส่งต่อผู้ด้อยโอกาสไปหน่วยงานรัฐใช้เวลานาน ขาดผู้ประสานงานที่ชัดเจน",
            "หน่วยงานในพื้นที่ยังไม่รู้จักบทบาทของกองทุนสวัสดิการชุมชน",
        ),
        ("ขอรายชื่อผู้ประสานงานของหน่วยงานระดับอำเภอ", ""),
    ),
    Category.DOCUMENTS: (
        4,
        Kind.PROBLEM,
        (
            "สมาชิกบางรายยื่นขอรับสวัสดิการโดยไม่มีใบรับรองแพทย์หรือเอกสารไม่ครบ",
            "แบบฟอร์มที่ต้องส่งให้หน่วยงานมีหลายแบบ กรอกข้อมูลซ้ำหลายครั้ง",
        ),
        ("ขอแบบฟอร์มกลางที่ใช้ร่วมกันได้", "ขอให้ระบบออกแบบฟอร์ม พอช. จากข้อมูลกองทุนโดยตรง"),
    ),
    Category.OTHER: (
        2,
        Kind.OBSTACLE,
        (
            "ภัยแล้งและราคาพืชผลตกต่ำทำให้สมาชิกมีรายได้ลดลง",
            "ที่ทำการกองทุนยังไม่มีสถานที่ถาวร ต้องใช้ศาลาหมู่บ้านร่วมกับกิจกรรมอื่น",
        ),
        ("", "ขอการสนับสนุนสถานที่ทำการกองทุนจากท้องถิ่น"),
    ),
}
_SEVERITIES = ((Severity.HIGH, 2), (Severity.MEDIUM, 5), (Severity.LOW, 3))


def _rng(*parts: object) -> random.Random:
    # Not for secrets: reproducible demo data is the point.
    return random.Random(":".join(map(str, parts)))  # noqa: S311


def _code(fund: Any) -> str:
    return fund if isinstance(fund, str) else str(fund.code)


def _issues(rng: random.Random) -> tuple[IssuePlan, ...]:
    keys = list(_ISSUES)
    weights = [_ISSUES[k][0] for k in keys]
    chosen: list[str] = []
    for _ in range(rng.choice((1, 2, 2, 3, 3, 3, 4, 5))):
        key = rng.choices(keys, weights)[0]
        if key not in chosen:
            chosen.append(key)
    plans = []
    for key in chosen:
        _weight, kind, descriptions, helps = _ISSUES[key]
        severity = rng.choices([s for s, _w in _SEVERITIES], [w for _s, w in _SEVERITIES])[0]
        plans.append(
            IssuePlan(
                kind=str(kind),
                category=str(key),
                severity=str(severity),
                description=rng.choice(descriptions),
                help_requested=rng.choice(helps),
            )
        )
    return tuple(plans)


def _results(rng: random.Random, year: int) -> str:
    parts = [rng.choice(_OPENINGS).format(year=year)]
    for pool in (_MEMBERS, _WELFARE, _GOVERNANCE, _PARTNERS):
        parts += rng.sample(pool, rng.choice((1, 1, 2)))
    return "\n".join(parts)


def plan_year_reports(
    funds: Sequence[Any],
    fiscal_year_be: int,
    seed: int = SEED,
    *,
    share: float = SUBMITTED_SHARE,
    submitted: bool = True,
) -> list[ReportPlan]:
    """The reports of the year for about `share` of `funds` (FundSpecs, Funds or fund codes).

    The first fund, the showcase, always has one. Each fund's report depends only on its code,
    the year and the seed, not on which other funds are planned.
    """
    plans = []
    for n, fund in enumerate(funds):
        code = _code(fund)
        rng = _rng(seed, "outcomes", code, fiscal_year_be)
        if n > 0 and rng.random() >= share:
            continue
        highlights = "\n".join(rng.sample(_HIGHLIGHTS, rng.choice((0, 1, 1, 2))))
        plans.append(
            ReportPlan(
                fund_code=code,
                fiscal_year_be=fiscal_year_be,
                submitted=submitted,
                results=_results(rng, fiscal_year_be),
                highlights=highlights,
                issues=_issues(rng),
                lag=rng.random(),
            )
        )
    return plans


# --- Writing ----------------------------------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _write(fund: Fund, plan: ReportPlan, *, today: dt.date, by_user: Any) -> bool:
    """One report and its rows, unless the fund has one for the year or cannot have it yet."""
    year = plan.fiscal_year_be
    if year > fiscal_year_of(fund, today) or year < fiscal_year_of(fund, fund.founded_on):
        return False
    if YearReport.objects.filter(fund=fund, fiscal_year_be=year).exists():
        return False
    start, end = fiscal_year_bounds(fund, year)
    # Sent 10 to 75 days after the year ends, and before today: a year that ended less than
    # 11 days ago (or, for a calendar-year fund, has not ended) still has a draft.
    room = min(65, (today - end).days - 11)
    submitted = plan.submitted and room >= 0
    if submitted:
        saved_on = end + dt.timedelta(days=10 + int(plan.lag * room))
    else:
        saved_on = max(today - dt.timedelta(days=1 + int(plan.lag * 20)), start)
    report = YearReport.objects.create(
        fund=fund,
        fiscal_year_be=year,
        results=plan.results,
        highlights=plan.highlights,
        status=YearReport.Status.SUBMITTED if submitted else YearReport.Status.DRAFT,
        made_by=by_user,
        made_at=_at(saved_on, 9),
        updated_by=by_user,
        updated_at=_at(saved_on, 9),
        submitted_by=by_user if submitted else None,
        submitted_at=_at(saved_on, 10) if submitted else None,
    )
    Issue.objects.bulk_create(
        Issue(
            fund=fund,
            report=report,
            position=n,
            kind=i.kind,
            category=i.category,
            severity=i.severity,
            description=i.description,
            help_requested=i.help_requested,
        )
        for n, i in enumerate(plan.issues, start=1)
    )
    return True


def outcomes_load(
    *, funds: Sequence[Fund], fiscal_year_be: int, today: dt.date, by_user: Any, seed: int = SEED
) -> int:
    """Submitted reports for most `funds` for `fiscal_year_be` (the last completed year) and
    drafts for some for the year after; return how many reports were written. Safe to rerun.

    `funds` in plan order: the first (the showcase) gets both. Each fund is one transaction
    with one audit entry counting what was written.
    """
    plans = plan_year_reports(funds, fiscal_year_be, seed)
    plans += plan_year_reports(funds, fiscal_year_be + 1, seed, share=DRAFT_SHARE, submitted=False)
    by_code: dict[str, list[ReportPlan]] = {}
    for plan in plans:
        by_code.setdefault(plan.fund_code, []).append(plan)
    written = 0
    for fund in funds:
        todo = by_code.get(fund.code, [])
        if not todo:
            continue
        with transaction.atomic(), fund_scope(fund):
            years = [
                p.fiscal_year_be for p in todo if _write(fund, p, today=today, by_user=by_user)
            ]
            if years:
                audit_log(
                    fund=fund,
                    actor=None,
                    changes=[
                        Change(
                            "demo.outcomes.loaded",
                            "funds.fund",
                            str(fund.pk),
                            after={"year_reports": years},
                        )
                    ],
                )
        written += len(years)
    return written
