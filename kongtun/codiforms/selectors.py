"""CODI's two forms, assembled from the fund's records: the annual fund data form (BRIEF
§3.3) and the co-funding proposal form (BRIEF §3.2).

The figures come from the fund's indicators, its statements and a few direct reads (see
kongtun.codiforms.parts); each says where it comes from, so the preview links it to its
records and the XLSX lists its source. What the records do not hold is printed as blank
lines for the fund to fill in by hand, marked as such.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kongtun.codiforms.document import (
    AnnualForm,
    Blank,
    Checks,
    Figure,
    Kind,
    Line,
    Note,
    ProposalForm,
    Section,
    Signatures,
    Trace,
)
from kongtun.codiforms.parts import (
    BAHT,
    DATABASE_NAME,
    PERSONS,
    Facts,
    date_th,
)
from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import Fund
from kongtun.indicators.selectors import Indicators, codi_snapshot_date
from kongtun.vetting.services import facts_of, requested_amount, screening_day

# CODI's coverage criterion: members from at least half the villages of a tambon, or a fifth
# of the communities of a municipality.
COVERAGE_PERCENT: dict[str, Decimal] = {
    Fund.Kind.TAMBON: Decimal(50),
    Fund.Kind.MUNICIPALITY: Decimal(20),
}
MIN_WELFARE_TYPES = 3
MIN_YEARS = 1


def form_day(fiscal_year_be: int, on: dt.date | None) -> tuple[dt.date, bool]:
    """The day the figures are as of, and whether they are final.

    CODI reads a year's figures on 30 September. Until that day has passed the forms show
    today's figures, marked provisional: counting as of a day still to come would call books
    late that are not yet due.
    """
    today = timezone.localdate()
    snapshot = codi_snapshot_date(fiscal_year_be)
    day = on or min(snapshot, today)
    return day, on is not None or snapshot < today


def form_years(fund: Fund, today: dt.date | None = None) -> list[int]:
    """The fiscal years a fund can make forms for, latest first: from the year it was
    founded to the current government fiscal year."""
    current = government_year_of(today or timezone.localdate())
    first = min(government_year_of(fund.founded_on), current)
    return list(range(current, first - 1, -1))


def _manual(number: str, title: str, prompt: str, lines: int) -> Section:
    return Section(number, title, (Blank(prompt, lines),), manual=True)


def _own_computer_note(facts: Facts) -> tuple[Note, ...]:
    if facts.fund.runs_on != Fund.RunsOn.OWN_COMPUTER:
        return ()
    return (
        Note(
            "กองทุนนี้เก็บข้อมูลในคอมพิวเตอร์ของกองทุนเอง: ตัวเลขมาจากข้อมูลที่กองทุนส่งมาล่าสุด "
            f"ณ {facts.on_th} ส่วนคณะกรรมการ เงินสมทบแยกรอบ และแผนการส่งเงินดูได้จากแบบ"
            "ที่กองทุนส่งมาพร้อมข้อมูล"
        ),
    )


# --- 1. The annual fund data form ------------------------------------------------------------


def annual_form(fund: Fund, fiscal_year_be: int, on: dt.date | None = None) -> AnnualForm:
    """แบบข้อมูลกองทุนสวัสดิการชุมชนประจำปี for `fiscal_year_be`, as of 30 September of that
    year (CODI's snapshot date) or `on`. The caller holds the fund's scope."""
    day, final = form_day(fiscal_year_be, on)
    facts = Facts(fund, day)
    members = facts.members()
    villages = facts.villages()
    fund_balance, on_hand = facts.balance()
    mgmt = facts.management()
    sections = (
        Section(
            "1",
            "ชื่อและที่ตั้งกองทุน ประธานและผู้ประสานงาน",
            (*_own_computer_note(facts), *facts.identity(), *facts.officers()),
        ),
        Section(
            "2",
            "การก่อตั้งกองทุน",
            (
                *facts.founded(),
                Blank("ชื่อองค์กรที่สนับสนุนการจัดตั้ง และวัตถุประสงค์ของการจัดตั้งกองทุน", 3),
            ),
        ),
        Section(
            "3",
            "ข้อมูลสมาชิกกองทุน",
            (
                Line("3.1 จำนวนสมาชิกแรกตั้ง", members["founding"]),
                Line("สมาชิกสะสมถึงปัจจุบัน", members["cumulative"]),
                Line(f"สมาชิกปัจจุบัน ณ {facts.on_th}", members["current"]),
                Line("สมาชิกใหม่ในปีนี้", members["new"]),
                Line(f"3.2 {members['eligible'].label} (ขอรับการสมทบได้)", members["eligible"]),
                Note(
                    "สมาชิกสะสม หมายถึง สมาชิกนับตั้งแต่วันก่อตั้งถึงปัจจุบัน; สมาชิกปัจจุบัน "
                    "หมายถึง สมาชิกที่หักตาย ลาออก และขาดคุณสมบัติแล้ว; สมาชิกที่ขอรับการสมทบ "
                    "หมายถึง สมาชิกครบปีและเป็นไปตามเงื่อนไขการสมทบ"
                ),
                facts.members_by_type("3.3 ลักษณะของสมาชิก"),
                Line("3.4 สมาชิกมาจากจำนวน", villages["covered"]),
                Line("จากหมู่บ้าน/ชุมชนทั้งหมดในตำบล/เทศบาล", villages["in_area"]),
                Line("คิดเป็นร้อยละ", villages["percent"]),
            ),
        ),
        Section(
            "4",
            "ข้อมูลเงินกองทุนสวัสดิการชุมชน",
            (
                Line("4.1 จำนวนเงินกองทุนสวัสดิการคงเหลือ", fund_balance),
                Line("ในจำนวนนี้เป็นเงินสดและเงินฝากธนาคาร", on_hand),
                facts.money_by_source("4.2 ที่มาของเงินกองทุน (ในปีนี้ และสะสม)"),
                facts.cofunding(
                    fiscal_year_be,
                    "4.3 เงินสมทบที่ได้รับจากภาคี (งบสมทบจากรัฐบาลผ่าน พอช. แยกตามรอบ)",
                    "ยังไม่เคยได้รับเงินสมทบจากภาคี",
                ),
                facts.plans_table("4.4 ลักษณะการสมทบเพื่อสวัสดิการ"),
            ),
        ),
        Section(
            "5",
            "สวัสดิการที่จัดให้กับสมาชิก (ยอดสะสม)",
            (facts.welfare_table(year=False),),
        ),
        Section(
            "6",
            f"สวัสดิการที่จัดในรอบปี ({facts.year_th})",
            (facts.welfare_table(year=True),),
        ),
        _manual(
            "7",
            "กองทุนสวัสดิการได้สนับสนุนกิจกรรมต่าง ๆ ของชุมชน",
            "กิจกรรมด้านประเพณีวัฒนธรรม/ศาสนา กีฬาและนันทนาการ สิ่งแวดล้อมและทรัพยากรธรรมชาติ "
            "และกิจกรรมสาธารณประโยชน์อื่น ๆ (การช่วยเหลือผู้ด้อยโอกาสที่ไม่ใช่สมาชิกอยู่ในข้อ 5 และ 6)",
            5,
        ),
        Section("8", "คณะกรรมการกองทุน", facts.committee("8")),
        Section(
            "9",
            "ระบบบริหารกองทุน",
            (
                Line("9.1 มีระเบียบหลักเกณฑ์ของกองทุน", mgmt["regulation"]),
                Line("ระเบียบฉบับที่ใช้บังคับมีผลตั้งแต่", mgmt["regulation_adopted"]),
                Line("9.2 ระบบการจัดเก็บข้อมูลสมาชิก", text=DATABASE_NAME),
                Line("มีทะเบียนสมาชิก", mgmt["register"]),
                Line("9.3 การประชุมคณะกรรมการในปีนี้", mgmt["meetings"]),
                Line("วันที่ประชุม", text=facts.meeting_dates()),
                Blank("การประชุมสมาชิก (ทุก 3/6/12 เดือน) และการจัดทำรายงานการประชุม", 1),
                Line("9.4 บัญชีเป็นปัจจุบัน", mgmt["books_current"]),
                Line("ปิดบัญชีรายเดือนแล้วถึง", mgmt["closed_through"]),
                Line("บันทึกบัญชีรายการล่าสุด", mgmt["last_entry"]),
                Line("ปิดบัญชีของปีบัญชีก่อนแล้ว", mgmt["year_closed"]),
                Blank(
                    "9.5 การติดตามประเมินผล และการรายงานต่อสมาชิก อปท. หน่วยงาน และการปิดประกาศต่อสาธารณะ",
                    2,
                ),
            ),
        ),
        Section("10", "รายงานสถานะทางการเงิน", facts.finance("10")),
        _manual(
            "11",
            "ความเชื่อมโยงกับกลุ่ม/องค์กรอื่นในชุมชน",
            "กลุ่มออมทรัพย์ กองทุนหมู่บ้าน วิสาหกิจชุมชน สภาองค์กรชุมชน และอื่น ๆ",
            4,
        ),
    )
    return AnnualForm(
        kind="annual",
        title="แบบข้อมูลกองทุนสวัสดิการชุมชนประจำปี",
        subtitle=f"ปีงบประมาณ {fiscal_year_be} ข้อมูล ณ วันที่ {facts.on_th}",
        fund=fund,
        fiscal_year_be=fiscal_year_be,
        on=facts.on,
        period_start=facts.year_start,
        generated_on=timezone.localdate(),
        final=final,
        sections=sections,
    )


# --- 2. The co-funding proposal form ---------------------------------------------------------


def _requested(
    fund: Fund, fiscal_year_be: int, ind: Indicators, today: dt.date
) -> tuple[Figure, Figure, Figure]:
    """What the fund asks CODI for: the same amount, by the same rule, as the provincial
    committee's screening computes (kongtun.vetting.services.requested_amount), so the form the
    fund signs and the meeting pack never disagree."""
    amount, basis = requested_amount(
        fund=fund, fiscal_year_be=fiscal_year_be, facts=facts_of(ind, fund), today=today
    )
    members = int(basis["eligible"])
    contributions = Decimal(basis["contributions"]) if basis.get("contributions") else None
    cutoff = dt.date.fromisoformat(basis["cutoff"])
    if basis["method"] == "matching":
        text = (
            f"รายงานการสมทบ ปีงบประมาณ {fiscal_year_be}: สมาชิกสถานะปกติ ณ {date_th(cutoff)} "
            f"ที่เป็นสมาชิกครบ {basis['min_days']} วัน ได้รับการสมทบมาแล้วไม่ถึง "
            f"{basis['max_rounds']} รอบ และมีเงินสมทบในปี; คนละ {basis['ratio']} เท่าของเงินสมทบ "
            f"ไม่เกิน {basis['cap']} บาท (ทะเบียนสมาชิกและใบเสร็จรับเงิน)"
        )
    elif basis["method"] == "package":
        text = f"สมาชิกที่มีสิทธิ์รับการสมทบตามข้อมูลที่กองทุนส่งมา คนละไม่เกิน {basis['cap']} บาท"
    else:
        text = (
            f"ปีงบประมาณ {fiscal_year_be} ยังไม่สิ้นสุด ({date_th(cutoff)}): สมาชิกที่มีสิทธิ์"
            f" เว้นแต่ยังไม่ได้ส่งเงินสมทบของปี คนละ {basis['cap']} บาท ส่วนที่เกินยอดจริงคืน พอช."
            " (ทะเบียนสมาชิกและใบเสร็จรับเงิน)"
        )
    if basis["terms"] != "year":
        # As the screening does: the usual terms (those the terms form proposes) stand in.
        text = (
            f"ยังไม่ได้ตั้งเงื่อนไขการสมทบของ พอช. ปีงบประมาณ {fiscal_year_be}: "
            f"คำนวณตามเงื่อนไขที่แบบตั้งเงื่อนไขเสนอ; {text}"
        )
    trace = Trace(text, page="contributions-matching", page_kwargs=(("year", fiscal_year_be),))
    return (
        Figure("request.members", "สมาชิกที่เสนอรับการสมทบรอบนี้", members, Kind.COUNT,
               PERSONS, trace),
        Figure("request.contributions", "เงินสมทบในปีของสมาชิกที่เสนอ", contributions, Kind.BAHT,
               BAHT, trace),
        Figure("request.amount", "จำนวนเงินที่เสนอขอรับการสนับสนุนจาก พอช.", amount, Kind.BAHT,
               BAHT, trace),
    )  # fmt: skip


def _verdict(passed: bool | None) -> Note:
    if passed is None:
        return Note("ผลตรวจจากข้อมูล: ต้องให้คณะกรรมการตรวจสอบ")
    return Note("ผลตรวจจากข้อมูล: " + ("ผ่านเกณฑ์" if passed else "ยังไม่ผ่านเกณฑ์"))


def proposal_form(fund: Fund, fiscal_year_be: int) -> ProposalForm:
    """แบบเสนอเพื่อรับการสนับสนุนกองทุนสวัสดิการชุมชน for `fiscal_year_be`: the six criteria
    with the fund's figures of the past year (as of the 30 September before it, as the
    provincial committee's screening reads them), the amount requested, the
    blank plan and the lines the committee and the local executive sign. The caller holds
    the fund's scope."""
    # The figures of the past year, on the day the provincial committee's screening reads them.
    today = timezone.localdate()
    day = screening_day(fiscal_year_be, today)
    final = day < today
    facts = Facts(fund, day)
    ind = facts.ind
    members = facts.members()
    villages = facts.villages()
    mgmt = facts.management()
    requested = _requested(fund, fiscal_year_be, ind, today)
    coverage = ind.village_coverage_percent
    needed = COVERAGE_PERCENT.get(fund.kind, Decimal(50))
    contributions = (
        facts.indicator(
            "contributions_cumulative",
            "เงินสมทบจากสมาชิกสะสม",
            ind.contributions_cumulative,
            f"รายได้แหล่งเงินสมทบของสมาชิก ตั้งแต่เริ่มบันทึกบัญชีถึง {facts.on_th} (สมุดบัญชี)",
            BAHT,
        ),
        facts.indicator(
            "contributions_year",
            "เงินสมทบจากสมาชิกในปีนี้",
            ind.contributions_year,
            f"รายได้แหล่งเงินสมทบของสมาชิก{facts.year_th} (สมุดบัญชี)",
            BAHT,
        ),
        facts.indicator(
            "local_gov_year",
            "การสนับสนุนจาก อปท. ในรอบปี (ตัวเงิน)",
            ind.local_gov_year,
            f"รายได้แหล่งเงินองค์กรปกครองส่วนท้องถิ่น{facts.year_th} (สมุดบัญชี)",
            BAHT,
        ),
    )
    committee = facts.committee("4.4")
    sections = (
        Section("1", "ชื่อและที่ตั้งกองทุน", (*_own_computer_note(facts), *facts.identity())),
        Section("2", "องค์กรผู้เสนอขอรับการสนับสนุน", (Line("ชื่อองค์กร", text=fund.name),)),
        Section("3", "ประธานกองทุนและผู้ประสานงาน", facts.officers()),
        Section(
            "4.1",
            "เป็นกองทุนที่จัดตั้งและดำเนินการจัดสวัสดิการชุมชนไม่ต่ำกว่า 1 ปี",
            (
                *facts.founded(),
                Checks(
                    (
                        ("รับรองโดย พอช.", None),
                        ("ขึ้นทะเบียนเป็นองค์กรสาธารณประโยชน์/องค์กรสวัสดิการชุมชน", None),
                        (
                            "รับรองโดยคณะกรรมการสนับสนุนการขับเคลื่อนสวัสดิการชุมชนจังหวัด "
                            "(กองทุนที่จัดตั้งตั้งแต่ 1 ตุลาคม 2553)",
                            None,
                        ),
                    )
                ),
                Line(f"ปัจจุบันมีสมาชิกกองทุนทั้งหมด ณ {facts.on_th}", members["current"]),
                facts.plans_table("ลักษณะการสมทบเพื่อสวัสดิการ"),
                _verdict(ind.years_operating >= MIN_YEARS),
            ),
        ),
        Section(
            "4.2",
            "มีสมาชิกที่เป็นสมาชิกครบ 1 ปี ครอบคลุมกลุ่มคนและพื้นที่",
            (
                Line(members["eligible"].label, members["eligible"]),
                facts.cofunding(
                    fiscal_year_be - 1,
                    "ประวัติการได้รับการสมทบ (รอบแรก รอบที่สอง … วันที่และจำนวนเงิน)",
                    "ยังไม่เคยได้รับการสมทบ (เสนอรับการสมทบครั้งแรก)",
                ),
                facts.members_by_type("สมาชิกครอบคลุมเด็ก/เยาวชน ผู้สูงอายุ ผู้พิการ และผู้ด้อยโอกาส"),
                Line("สมาชิกมาจาก", villages["covered"]),
                Line("จากหมู่บ้าน/ชุมชนทั้งหมด", villages["in_area"]),
                Line("คิดเป็นร้อยละ", villages["percent"]),
                Note("เกณฑ์: ไม่น้อยกว่าร้อยละ 50 ของหมู่บ้านในตำบล หรือร้อยละ 20 ของชุมชนในเขตเทศบาล"),
                _verdict(None if coverage is None else coverage >= needed),
            ),
        ),
        Section(
            "4.3",
            "มีเงินสมทบกองทุนสวัสดิการชุมชนที่มาจากสมาชิก และการสนับสนุนจาก อปท.",
            (
                Line("เงินสมทบจากสมาชิกรวมทั้งหมด", contributions[0]),
                Line("เงินสมทบจากสมาชิกในปีนี้", contributions[1]),
                Line("อปท. สนับสนุนในรอบปี (ตัวเงิน)", contributions[2]),
                Blank("การสนับสนุนจาก อปท. ที่ไม่ใช่ตัวเงิน (สถานที่ บุคลากร วัสดุ)", 1),
            ),
        ),
        Section(
            "4.4",
            "มีการบริหารจัดการที่ดี",
            (
                *committee[:2],
                Line("มีทะเบียนสมาชิก", mgmt["register"]),
                Line("มีระเบียบกองทุนที่ชัดเจน", mgmt["regulation"]),
                Line("ระเบียบฉบับที่ใช้บังคับมีผลตั้งแต่", mgmt["regulation_adopted"]),
                Line("บัญชีเป็นปัจจุบัน", mgmt["books_current"]),
                Line("ปิดบัญชีรายเดือนแล้วถึง", mgmt["closed_through"]),
                Line("การประชุมคณะกรรมการในปีนี้", mgmt["meetings"]),
                Line("วันที่ประชุม", text=facts.meeting_dates()),
                Blank(
                    "แผนพัฒนากองทุน การติดตามประเมินผล และการรายงานต่อสมาชิกและสาธารณะ (จำนวนครั้งและวันที่)",
                    3,
                ),
            ),
        ),
        Section(
            "4.5",
            "มีการจัดสวัสดิการพื้นฐานไม่น้อยกว่า 3 ประเภท",
            (
                facts.welfare_table(year=True, caption=f"สวัสดิการที่จ่ายในรอบปี {facts.year_th}"),
                Line("ประเภทสวัสดิการที่จ่ายจริง", facts.welfare_types()),
                _verdict(ind.welfare_types_year >= MIN_WELFARE_TYPES),
            ),
        ),
        _manual(
            "4.6",
            "มีการจัดสวัสดิการที่ไม่ใช่ตัวเงิน และเชื่อมโยงกับงานพัฒนาอื่น",
            "สวัสดิการที่ไม่ใช่ตัวเงิน และการเชื่อมโยงกับงานพัฒนาอื่นในชุมชน",
            4,
        ),
        Section(
            "5",
            f"จำนวนเงินที่เสนอขอรับการสนับสนุน ปีงบประมาณ {fiscal_year_be}",
            tuple(Line(figure.label, figure) for figure in requested),
        ),
        _manual(
            "6",
            "บัญชีเงินฝากของกองทุนสำหรับรับเงินสนับสนุน",
            "ชื่อบัญชี เลขที่บัญชี ธนาคาร สาขา",
            2,
        ),
        _manual(
            "7",
            "แผนการใช้เงินสมทบ",
            "การจัดสรรเงินเป็นสวัสดิการตามระเบียบกองทุน ระบบการควบคุมและตรวจสอบ และแผนการดำเนินงาน 1 ปี",
            8,
        ),
        Section(
            "8",
            "คำรับรอง",
            (
                Note(
                    "ขอรับรองว่าข้อมูลข้างต้นเป็นความจริงทุกประการ ยินยอมให้ปรับจำนวนเงินสนับสนุน"
                    "ตามผลการพิจารณา และหากได้รับเงินเกินกว่าสิทธิ์ กองทุนจะคืนเงินส่วนเกิน"
                    "ให้สถาบันพัฒนาองค์กรชุมชน (พอช.)"
                ),
                Signatures(
                    (
                        "ประธานกองทุนสวัสดิการชุมชน",
                        "กรรมการกองทุนสวัสดิการชุมชน",
                        "กรรมการกองทุนสวัสดิการชุมชน",
                        "นายกองค์การบริหารส่วนตำบล/นายกเทศมนตรี",
                    )
                ),
                Note("ปลัด อบต./ปลัดเทศบาล ลงนามแทนได้เฉพาะเมื่อได้รับมอบหมาย"),
            ),
        ),
    )
    return ProposalForm(
        kind="proposal",
        title="แบบเสนอเพื่อรับการสนับสนุนกองทุนสวัสดิการชุมชน",
        subtitle=(
            f"ตามโครงการสนับสนุนการจัดสวัสดิการชุมชน ปีงบประมาณ {fiscal_year_be} ข้อมูล ณ วันที่ {facts.on_th}"
        ),
        fund=fund,
        fiscal_year_be=fiscal_year_be,
        on=facts.on,
        period_start=facts.year_start,
        generated_on=timezone.localdate(),
        final=final,
        sections=sections,
    )


__all__ = ["AnnualForm", "ProposalForm", "annual_form", "form_day", "form_years", "proposal_form"]
