"""The parts CODI's two forms share, built from one set of reads of the fund's records.

`Facts` reads once what both forms draw on: the fund's indicators (kongtun.indicators), the
statements of the year (kongtun.ledger.statements, which read the monthly totals) and the
few records the indicators do not carry: the committee roster, co-funders' payments by
round and the contribution plans. Its methods turn them into the forms' lines and tables,
every number a `Figure` that says where it comes from.

The forms are Thai documents whatever language the screen is in, as CODI reads them: the
labels here are Thai, not translated strings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.utils import translation

from kongtun.codiforms.document import (
    Blank,
    Block,
    Figure,
    Kind,
    Line,
    Note,
    Table,
    TableRow,
    Trace,
    Value,
)
from kongtun.contributions.cofunding import cocontribution_years
from kongtun.contributions.models import Frequency, Funder, Plan
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.indicators.selectors import (
    BOOKS_CURRENT_MONTHS,
    Indicators,
    WelfareLine,
    fund_indicators,
)
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.models import Source
from kongtun.ledger.statements import (
    Period,
    Row,
    SourceGroup,
    financial_position,
    income_expenditure,
    source_label_th,
)
from kongtun.lib.thaidate import format_date
from kongtun.members.models import MemberType

ZERO = Decimal("0.00")
PERSONS = "คน"
BAHT = "บาท"
TIMES = "ครั้ง"
PERCENT = "%"
VILLAGES = "หมู่บ้าน/ชุมชน"
DATABASE_NAME = "ฐานข้อมูลกองทุนสวัสดิการชุมชน (โปรแกรม Kongtun)"

MEMBER_TYPE_TH: dict[str, str] = {
    MemberType.GENERAL: "บุคคลทั่วไป",
    MemberType.CHILD: "เด็ก/เยาวชน",
    MemberType.ELDERLY: "ผู้สูงอายุ",
    MemberType.DISADVANTAGED: "ผู้ด้อยโอกาส",
    MemberType.DISABLED: "ผู้พิการ",
    MemberType.ORPHAN: "เด็กกำพร้า",
}
POSITION_TH: dict[str, str] = {
    CommitteeMember.Position.CHAIR: "ประธาน",
    CommitteeMember.Position.VICE_CHAIR: "รองประธาน",
    CommitteeMember.Position.TREASURER: "เหรัญญิก",
    CommitteeMember.Position.SECRETARY: "เลขานุการ",
    CommitteeMember.Position.MEMBER: "กรรมการ",
    CommitteeMember.Position.ADVISER: "ที่ปรึกษา",
}
REPRESENTING_TH: dict[str, str] = {
    CommitteeMember.Representing.MEMBERS: "ผู้แทนสมาชิก",
    CommitteeMember.Representing.LOCAL_GOVERNMENT: "ผู้แทนองค์กรปกครองส่วนท้องถิ่น",
    CommitteeMember.Representing.VILLAGE_HEAD: "กำนัน/ผู้ใหญ่บ้าน",
    CommitteeMember.Representing.MONK: "พระสงฆ์",
    CommitteeMember.Representing.EXPERT: "ผู้ทรงคุณวุฒิในชุมชน",
}
FUNDER_TH: dict[str, str] = {
    Funder.CODI: "งบสมทบจากรัฐบาลผ่าน พอช.",
    Funder.LOCAL_GOV: "องค์กรปกครองส่วนท้องถิ่น",
    Funder.OTHER_GOV: "หน่วยงานภาครัฐอื่น",
    Funder.DONOR: "ผู้บริจาค",
}
FREQUENCY_TH: dict[str, str] = {
    Frequency.DAILY: "รายวัน",
    Frequency.MONTHLY: "รายเดือน",
    Frequency.YEARLY: "รายปี",
}
NON_MEMBERS = "non_members"
CATEGORY_TH = {key: th for key, th, _en in WELFARE_CATEGORIES}
CATEGORY_TH[NON_MEMBERS] = "ช่วยเหลือผู้ด้อยโอกาสในชุมชน (ที่ไม่ใช่สมาชิก)"
CATEGORY_ORDER = [*(key for key, _th, _en in WELFARE_CATEGORIES), NON_MEMBERS]
# What CODI's financial status report lists as the fund's own revenue, apart from the money
# its contributing parties gave.
REVENUE_SOURCES = (Source.ENTRY_FEES, Source.DONATIONS, Source.INTEREST)
MONEY_COLUMNS = ("รหัสบัญชี", "รายการ", "จำนวนเงิน (บาท)")

Cell = str | Figure | None


def date_th(day: dt.date | None) -> str:
    """A long Thai date, whatever the screen's language."""
    with translation.override("th"):
        return format_date(day, "long")


def span_th(start: dt.date, end: dt.date) -> str:
    return f"ตั้งแต่ {date_th(start)} ถึง {date_th(end)}"


def kind_of(value: Value, unit: str) -> str:
    if isinstance(value, bool):
        return Kind.YES_NO
    if isinstance(value, dt.date):
        return Kind.DATE
    return {BAHT: Kind.BAHT, PERCENT: Kind.PERCENT}.get(unit, Kind.COUNT)


def total(key: str, label: str, value: Decimal | int, parts: list[str], unit: str) -> Figure:
    """A total of the figures printed above it: its trace names them."""
    trace = Trace("ผลรวมของรายการข้างบน", parts=tuple(parts))
    return Figure(key, label, value, kind_of(value, unit), unit, trace)


def fact(key: str, label: str, value: Value, unit: str, trace: Trace) -> Figure:
    return Figure(key, label, value, kind_of(value, unit), unit, trace)


class Facts:
    """What both forms draw on, read once for one fund and day."""

    def __init__(self, fund: Fund, on: dt.date) -> None:
        self.fund = fund
        self.asked = on
        self.ind: Indicators = fund_indicators(fund=fund, on=on)
        # The day the figures are really as of: `on` for a fund whose records are here, the
        # date of its latest package on or before `on` for one on its own computer. Every
        # "ณ <date>" the forms print, and every statement and trace, goes by it.
        self.on = self.ind.as_of
        # The statements cover the same year as the indicators' "this year" figures.
        self.year_start = self.ind.year_start
        self.income = income_expenditure(fund=fund, period=Period(self.year_start, on))
        self.position = financial_position(fund=fund, on=on)
        seats = CommitteeMember.objects.filter(fund=fund, term_start__lte=on, term_end__gte=on)
        order = list(POSITION_TH)
        self.seats = sorted(seats, key=lambda s: (order.index(s.position), s.full_name))
        self.plans = list(Plan.objects.filter(fund=fund, is_active=True).order_by("pk"))
        self.payments = sorted(cocontribution_years(fund=fund), key=lambda y: y.fiscal_year)

    # --- Figures and where they come from ------------------------------------------------

    @property
    def on_th(self) -> str:
        return date_th(self.on)

    @property
    def year_th(self) -> str:
        return span_th(self.year_start, self.on)

    def indicator(self, key: str, label: str, value: Value, text: str, unit: str = "") -> Figure:
        """A figure from the indicators: its trace opens the records behind that indicator."""
        return fact(key, label, value, unit, Trace(text, indicator=key, end=self.on))

    def booked(self, key: str, row: Row, start: dt.date | None, source: str | None) -> Figure:
        """A statement line: its trace opens the account's ledger for the period."""
        account = row.account
        what = f"ผลรวมรายการบัญชี {account.code} {account.name_th}"
        if source is not None:
            what += f" แหล่งเงิน {source_label_th(source)}"
        when = span_th(start, self.on) if start else f"ตั้งแต่เริ่มบันทึกบัญชีถึง {self.on_th}"
        text = f"{what} {when} (บัญชีแยกประเภท)"
        trace = Trace(text, account_id=account.pk, start=start, end=self.on)
        return Figure(key, account.name_th, row.amount, Kind.BAHT, BAHT, trace)

    def seat(self, position: str) -> CommitteeMember | None:
        return next((s for s in self.seats if s.position == position), None)

    # --- §1–2: the fund ------------------------------------------------------------------

    def identity(self) -> tuple[Block, ...]:
        tambon = self.fund.tambon
        return (
            Line("ชื่อกองทุน", text=self.fund.name),
            Line("ตำบล/เทศบาล", text=self.fund.municipality_name or f"ตำบล{tambon.name_th}"),
            Line("อำเภอ", text=tambon.amphoe.name_th),
            Line("จังหวัด", text=tambon.amphoe.province.name_th),
            Line("รหัสไปรษณีย์", text=tambon.postal_code),
            Blank("ที่ตั้งสำนักงานกองทุน (เลขที่ หมู่ที่ ถนน) โทรศัพท์ อีเมล", 1),
        )

    def officers(self) -> tuple[Block, ...]:
        """The chair and the coordinator: the secretary, who keeps the fund's papers."""
        chair = self.seat(CommitteeMember.Position.CHAIR)
        secretary = self.seat(CommitteeMember.Position.SECRETARY)
        return (
            Line("ชื่อประธานกองทุน", text=chair.full_name if chair else ""),
            Line("ผู้ประสานงาน (เลขานุการกองทุน)", text=secretary.full_name if secretary else ""),
            Blank("โทรศัพท์ของประธานและผู้ประสานงาน", 1),
        )

    def years_operating(self) -> Figure:
        founded = date_th(self.fund.founded_on)
        text = f"จำนวนปีเต็มนับจากวันก่อตั้ง {founded} ถึง {self.on_th} (ข้อมูลกองทุน)"
        return self.indicator(
            "years_operating", "ระยะเวลาดำเนินการ (ปีเต็ม)", self.ind.years_operating, text, "ปี"
        )

    def founded(self) -> tuple[Block, ...]:
        return (
            Line("ก่อตั้งเมื่อ", text=date_th(self.fund.founded_on)),
            Line("ดำเนินการมาแล้ว", self.years_operating()),
        )

    # --- §3: members ---------------------------------------------------------------------

    def members(self) -> dict[str, Figure]:
        m = self.ind.members
        cutoff = date_th(m.eligible_as_of)
        return {
            "founding": fact(
                "members.founding",
                "จำนวนสมาชิกแรกตั้ง",
                None,
                PERSONS,
                Trace("ไม่มีในทะเบียนของโปรแกรม: กรอกด้วยมือถ้าทราบ"),
            ),
            "cumulative": self.indicator(
                "members.cumulative",
                "สมาชิกสะสมตั้งแต่ก่อตั้งถึงปัจจุบัน",
                m.cumulative,
                f"ทุกคนในทะเบียนสมาชิกที่คณะกรรมการรับเป็นสมาชิกแล้ว ณ {self.on_th} "
                "(รวมผู้ที่เสียชีวิต ลาออก หรือพ้นสภาพแล้ว)",
                PERSONS,
            ),
            "current": self.indicator(
                "members.current",
                "สมาชิกปัจจุบัน (หักตาย ลาออก และพ้นสภาพ)",
                m.current,
                f"สมาชิกที่มีสถานะปกติหรือขาดส่ง ณ {self.on_th} ตามประวัติสถานะในทะเบียนสมาชิก",
                PERSONS,
            ),
            "eligible": self.indicator(
                "members.eligible_for_matching",
                f"สมาชิกครบ 1 ปี ณ วันที่ {cutoff}",
                m.eligible_for_matching,
                f"สมาชิกปัจจุบัน ณ {cutoff} ที่คณะกรรมการรับเป็นสมาชิกครบ 1 ปีเต็มแล้ว (ทะเบียนสมาชิก)",
                PERSONS,
            ),
            "new": self.indicator(
                "members.new_this_year",
                "สมาชิกใหม่ในปีนี้",
                m.new_this_year,
                f"สมาชิกที่คณะกรรมการรับเข้าเป็นสมาชิก{self.year_th}",
                PERSONS,
            ),
        }

    def members_by_type(self, caption: str) -> Table:
        by_type = self.ind.members.by_type
        rows: list[TableRow] = []
        sums = {"cumulative": 0, "current": 0}
        keys: dict[str, list[str]] = {"cumulative": [], "current": []}
        for member_type, label in MEMBER_TYPE_TH.items():
            count = by_type.get(member_type)
            cells: list[Cell] = [label]
            for part, what in (("cumulative", "สมาชิกสะสม"), ("current", "สมาชิกปัจจุบัน")):
                value = getattr(count, part) if count else 0
                key = f"members.by_type.{member_type}.{part}"
                text = f"{what}ที่ลงทะเบียนเป็นประเภท{label} ณ {self.on_th} (ทะเบียนสมาชิก)"
                cells.append(self.indicator(key, f"{what} ประเภท{label}", value, text, PERSONS))
                sums[part] += value
                keys[part].append(key)
            rows.append(TableRow(tuple(cells)))
        rows.append(
            TableRow(
                (
                    "รวม",
                    total("members.by_type.total.cumulative", "สมาชิกสะสมรวมทุกประเภท",
                          sums["cumulative"], keys["cumulative"], PERSONS),
                    total("members.by_type.total.current", "สมาชิกปัจจุบันรวมทุกประเภท",
                          sums["current"], keys["current"], PERSONS),
                ),
                total=True,
            )
        )  # fmt: skip
        columns = ("ประเภทสมาชิก", "สมาชิกสะสม (คน)", "สมาชิกปัจจุบัน (คน)")
        return Table(columns, tuple(rows), caption=caption)

    def villages(self) -> dict[str, Figure]:
        ind = self.ind
        covered = self.indicator(
            "villages_covered",
            "สมาชิกมาจากหมู่บ้าน/ชุมชน",
            ind.villages_covered,
            f"หมู่บ้าน/ชุมชนที่มีสมาชิกปัจจุบันอย่างน้อย 1 คน ณ {self.on_th} (หมู่ที่หรือสาขาในทะเบียนสมาชิก)",
            VILLAGES,
        )
        in_area = fact(
            "villages_in_area",
            "หมู่บ้าน/ชุมชนทั้งหมดในตำบล/เทศบาล",
            ind.villages_in_area,
            VILLAGES,
            Trace("ข้อมูลกองทุน: จำนวนหมู่บ้าน/ชุมชนในพื้นที่", page="funds-settings"),
        )
        share = fact(
            "villages_percent",
            "ร้อยละของหมู่บ้าน/ชุมชนที่มีสมาชิก",
            ind.village_coverage_percent,
            PERCENT,
            Trace(
                "หมู่บ้าน/ชุมชนที่มีสมาชิก × 100 ÷ หมู่บ้าน/ชุมชนทั้งหมด",
                parts=("villages_covered", "villages_in_area"),
            ),
        )
        return {"covered": covered, "in_area": in_area, "percent": share}

    # --- §4: money -----------------------------------------------------------------------

    def money_by_source(self, caption: str) -> Table:
        rows: list[TableRow] = []
        sums = {"year": ZERO, "cumulative": ZERO}
        keys: dict[str, list[str]] = {"year": [], "cumulative": []}
        spans = {"year": self.year_th, "cumulative": f"ตั้งแต่เริ่มบันทึกบัญชีถึง {self.on_th}"}
        for money in self.ind.money:
            label = source_label_th(money.source)
            cells: list[Cell] = [label]
            for part in ("year", "cumulative"):
                key = f"money.{money.source}.{part}"
                value = getattr(money, part)
                text = f"รายได้ที่บันทึกบัญชีเป็นแหล่งเงิน “{label}” {spans[part]} (สมุดบัญชี)"
                cells.append(self.indicator(key, label, value, text, BAHT))
                sums[part] += value
                keys[part].append(key)
            rows.append(TableRow(tuple(cells)))
        rows.append(
            TableRow(
                (
                    "รวมจำนวนเงิน",
                    total("money.total.year", "รายได้รวมในปีนี้", sums["year"], keys["year"], BAHT),
                    total("money.total.cumulative", "รายได้รวมสะสม", sums["cumulative"],
                          keys["cumulative"], BAHT),
                ),
                total=True,
            )
        )  # fmt: skip
        columns = ("แหล่งที่มาของเงิน", "ในปีนี้ (บาท)", "สะสมตั้งแต่เริ่มบันทึกบัญชี (บาท)")
        return Table(columns, tuple(rows), caption=caption)

    def balance(self) -> tuple[Figure, Figure]:
        fund_balance = self.indicator(
            "fund_balance",
            f"จำนวนเงินกองทุนคงเหลือ ณ {self.on_th}",
            self.ind.fund_balance,
            f"สินทรัพย์หักหนี้สิน ณ {self.on_th} (สมุดบัญชี)",
            BAHT,
        )
        on_hand = self.indicator(
            "money_on_hand",
            f"เงินสดและเงินฝากธนาคาร ณ {self.on_th}",
            self.ind.money_on_hand,
            f"ยอดคงเหลือบัญชีเงินสดและเงินฝากธนาคาร ณ {self.on_th} (สมุดบัญชี)",
            BAHT,
        )
        return fund_balance, on_hand

    def cofunding(self, through_year: int, caption: str, empty: str) -> Table:
        """Every payment a co-funder made for a year up to `through_year`, CODI's by round."""
        rows: list[TableRow] = []
        for year in self.payments:
            if year.fiscal_year > through_year:
                continue
            for funder in year.funders:
                for n, payment in enumerate(funder.payments, start=1):
                    if payment.date > self.on:
                        continue
                    round_th = f"รอบที่ {payment.round}" if payment.round else ""
                    label = f"{FUNDER_TH[funder.funder]} {round_th}".strip()
                    text = (
                        f"เงินที่บันทึกรับจาก{FUNDER_TH[funder.funder]} ปีงบประมาณ "
                        f"{year.fiscal_year} {round_th} เมื่อ {date_th(payment.date)} "
                        "(ทะเบียนเงินสมทบจากภาคี และรายการบัญชีที่บันทึกรับ)"
                    )
                    figure = Figure(
                        f"cofunding.{year.fiscal_year}.{funder.funder}.{n}",
                        f"{label} ปีงบประมาณ {year.fiscal_year}",
                        payment.amount,
                        Kind.BAHT,
                        BAHT,
                        Trace(text, page="contributions-cofunding"),
                    )
                    year_th = str(year.fiscal_year)
                    rows.append(TableRow((year_th, label, date_th(payment.date), figure)))
        columns = ("ปีงบประมาณ", "ผู้สมทบ/รอบ", "วันที่ได้รับ", "จำนวนเงิน (บาท)")
        return Table(columns, tuple(rows), caption=caption, empty=empty)

    def plans_table(self, caption: str) -> Table:
        rows: list[TableRow] = []
        for plan in self.plans:
            label = f"{FREQUENCY_TH.get(plan.frequency, plan.frequency)} ({plan.name})"
            trace = Trace(f"แผนการส่งเงินสมทบ “{plan.name}” ที่กองทุนเปิดรับ (แผนการส่งเงิน)",
                          page="contributions-plans")  # fmt: skip
            amount = Figure(f"plans.{plan.pk}.amount", f"เงินสมทบ{label}", plan.amount,
                            Kind.BAHT, BAHT, trace)  # fmt: skip
            fee = Figure(f"plans.{plan.pk}.entry_fee", f"ค่าสมัครแรกเข้า {label}", plan.entry_fee,
                         Kind.BAHT, BAHT, trace)  # fmt: skip
            rows.append(TableRow((label, amount, fee)))
        columns = ("ลักษณะการสมทบ", "บาทต่องวด", "ค่าสมัครแรกเข้า (บาท)")
        return Table(columns, tuple(rows), caption=caption, empty="ยังไม่ได้ตั้งแผนการส่งเงินสมทบ")

    # --- §5–6: welfare -------------------------------------------------------------------

    def welfare_lines(self) -> list[WelfareLine]:
        order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
        return sorted(self.ind.welfare, key=lambda w: order.get(w.category, len(order)))

    def welfare_table(self, *, year: bool, caption: str = "") -> Table:
        """Persons and baht by category since the beginning (§5), or persons, claims and baht
        in the fiscal year so far (§6); help to non-members is its own row."""
        suffix = "year" if year else "total"
        parts = ("persons", "claims", "baht") if year else ("persons", "baht")
        units = {"persons": PERSONS, "claims": TIMES, "baht": BAHT}
        names = {"persons": "จำนวนคน", "claims": "จำนวนครั้ง", "baht": "จำนวนเงิน"}
        span = self.year_th if year else f"ตั้งแต่เริ่มบันทึกถึง {self.on_th}"
        rows: list[TableRow] = []
        sums: dict[str, Decimal | int] = {p: ZERO if p == "baht" else 0 for p in parts}
        keys: dict[str, list[str]] = {p: [] for p in parts}
        for line in self.welfare_lines():
            label = CATEGORY_TH.get(line.category, line.category)
            what = f"สวัสดิการหมวด “{label}” ที่จ่ายแล้ว {span} (ทะเบียนคำขอสวัสดิการ)"
            cells: list[Cell] = [label]
            for part in parts:
                key = f"welfare.{line.category}.{part}_{suffix}"
                value = getattr(line, f"{part}_{suffix}")
                text = f"{names[part]}: {what}"
                cells.append(
                    self.indicator(key, f"{label}: {names[part]}", value, text, units[part])
                )
                sums[part] += value
                keys[part].append(key)
            rows.append(TableRow(tuple(cells)))
        totals: list[Cell] = ["รวม"]
        for part in parts:
            key = f"welfare.total.{part}_{suffix}"
            totals.append(total(key, f"รวม{names[part]}", sums[part], keys[part], units[part]))
        rows.append(TableRow(tuple(totals), total=True))
        heads = {"persons": "จำนวน (คน)", "claims": "จำนวน (ครั้ง)", "baht": "จำนวนเงิน (บาท)"}
        columns = ("ประเภทสวัสดิการ", *(heads[p] for p in parts))
        return Table(columns, tuple(rows), caption=caption, empty="ยังไม่มีการจ่ายสวัสดิการ")

    def welfare_types(self) -> Figure:
        return self.indicator(
            "welfare_types_year",
            "ประเภทสวัสดิการที่จ่ายจริงในรอบ 12 เดือน",
            self.ind.welfare_types_year,
            "หมวดสวัสดิการ (ไม่นับการช่วยเหลือผู้ที่ไม่ใช่สมาชิก) ที่จ่ายอย่างน้อย 1 ครั้ง "
            f"ในรอบ 12 เดือนถึง {self.on_th} (ทะเบียนคำขอสวัสดิการ)",
            "ประเภท",
        )

    # --- §8–9: committee and management --------------------------------------------------

    def committee(self, number: str) -> tuple[Block, ...]:
        trace = Trace(f"ทะเบียนคณะกรรมการกองทุนที่อยู่ในวาระ ณ {self.on_th}",
                      page="funds-committee")  # fmt: skip
        count = fact("committee.count", "จำนวนกรรมการ", len(self.seats), PERSONS, trace)
        by_kind = Counter(s.representing for s in self.seats)
        composition = Table(
            ("องค์ประกอบ", "จำนวน (คน)"),
            tuple(
                TableRow((label, fact(f"committee.{value}", label, by_kind[value], PERSONS, trace)))
                for value, label in REPRESENTING_TH.items()
            ),
            caption=f"{number}.1 องค์ประกอบของคณะกรรมการ",
        )
        roster = Table(
            ("ลำดับที่", "ชื่อ-นามสกุล", "ตำแหน่งในกองทุน", "เป็นผู้แทน", "วาระ"),
            tuple(
                TableRow(
                    (
                        str(n),
                        s.full_name,
                        POSITION_TH.get(s.position, s.position),
                        REPRESENTING_TH.get(s.representing, s.representing),
                        f"{date_th(s.term_start)} – {date_th(s.term_end)}",
                    )
                )
                for n, s in enumerate(self.seats, start=1)
            ),
            caption=f"{number}.2 รายชื่อคณะกรรมการกองทุน",
            empty="ยังไม่ได้บันทึกคณะกรรมการที่อยู่ในวาระ",
        )
        return (Line("คณะกรรมการกองทุน มีจำนวน", count), composition, roster)

    def books_due(self) -> dt.date:
        """The last day the books must be closed through to count as current on `on`: the
        end of the month BOOKS_CURRENT_MONTHS before its month (indicators.books_current)."""
        month = self.on.replace(day=1)
        for _month in range(BOOKS_CURRENT_MONTHS - 1):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        return month - dt.timedelta(days=1)

    def management(self) -> dict[str, Figure]:
        ind = self.ind
        on = self.on_th
        return {
            "regulation": self.indicator(
                "regulation_in_force",
                "มีระเบียบกองทุนที่ใช้บังคับ",
                ind.regulation_in_force,
                f"ระเบียบกองทุนฉบับที่ประกาศใช้และมีผล ณ {on} (ระเบียบกองทุน)",
            ),
            "regulation_adopted": self.indicator(
                "regulation_adopted_on",
                "ระเบียบฉบับที่ใช้บังคับมีผลตั้งแต่",
                ind.regulation_adopted_on,
                f"วันที่ระเบียบฉบับที่มีผล ณ {on} เริ่มใช้บังคับ (ระเบียบกองทุน)",
            ),
            "register": self.indicator(
                "register_kept",
                "มีทะเบียนสมาชิก",
                ind.register_kept,
                f"ทะเบียนสมาชิกมีสมาชิกปัจจุบันอย่างน้อย 1 คน ณ {on}",
            ),
            "meetings": self.indicator(
                "committee_meetings_year",
                "การประชุมคณะกรรมการในปีนี้",
                ind.committee_meetings_year,
                f"การประชุมคณะกรรมการที่บันทึกไว้{self.year_th} (บันทึกการประชุม)",
                TIMES,
            ),
            "books_current": self.indicator(
                "books_current",
                "บัญชีเป็นปัจจุบัน",
                ind.books_current,
                f"ปิดบัญชีรายเดือนแล้วถึงวันที่ {date_th(self.books_due())} หรือหลังจากนั้น "
                f"(ทุกเดือนจนถึง {BOOKS_CURRENT_MONTHS} เดือนก่อนเดือนของวันที่ {on}) "
                "(การปิดงวดบัญชี)",
            ),
            "closed_through": self.indicator(
                "books_closed_through",
                "ปิดบัญชีรายเดือนแล้วถึงวันที่",
                ind.books_closed_through,
                f"วันสุดท้ายของงวดล่าสุดที่ปิดบัญชีแล้ว ณ {on} (การปิดงวดบัญชี)",
            ),
            "last_entry": self.indicator(
                "books_last_entry",
                "บันทึกบัญชีรายการล่าสุดเมื่อ",
                ind.books_last_entry,
                f"วันที่ของรายการบัญชีล่าสุดถึง {on} (สมุดรายวัน)",
            ),
            "year_closed": self.indicator(
                "year_closed",
                "ปิดบัญชีของปีบัญชีก่อนแล้ว",
                ind.year_closed,
                "การปิดบัญชีของปีบัญชีก่อนหน้า (การปิดงวดบัญชี)",
            ),
        }

    def meeting_dates(self) -> str:
        dates = [date_th(d) for d in self.ind.committee_meeting_dates]
        return ", ".join(dates) if dates else "ไม่มีการประชุมที่บันทึกไว้"

    # --- §10: financial status -----------------------------------------------------------

    def _rows(
        self, prefix: str, rows: list[Row], start: dt.date | None, source: str | None = None
    ) -> tuple[list[TableRow], list[str], Decimal]:
        out, keys, amount = [], [], ZERO
        for row in rows:
            figure = self.booked(f"{prefix}.{row.code}", row, start, source)
            out.append(TableRow((row.code, row.account.name_th, figure)))
            keys.append(figure.key)
            amount += row.amount
        return out, keys, amount

    def _groups(self, prefix: str, groups: list[SourceGroup], caption: str, end: str) -> Table:
        """Income by source: one line for a source booked to one account, else the source's
        accounts under its name."""
        rows: list[TableRow] = []
        keys: list[str] = []
        amount = ZERO
        for group in groups:
            part, part_keys, part_amount = self._rows(
                f"{prefix}.{group.source or 'none'}", group.rows, self.year_start, group.source
            )
            if len(part) == 1:
                rows.append(TableRow((part[0].cells[0], group.label_th, part[0].cells[2])))
            else:
                rows.append(TableRow(("", group.label_th, None)))
                rows.extend(part)
            keys += part_keys
            amount += part_amount
        rows.append(TableRow(("", end, total(f"{prefix}.total", end, amount, keys, BAHT)), True))
        return Table(MONEY_COLUMNS, tuple(rows), caption=caption)

    def _table(
        self, prefix: str, rows: list[Row], caption: str, end: str, start: dt.date | None
    ) -> Table:
        out, keys, amount = self._rows(prefix, rows, start)
        out.append(TableRow(("", end, total(f"{prefix}.total", end, amount, keys, BAHT)), True))
        return Table(MONEY_COLUMNS, tuple(out), caption=caption)

    def finance(self, number: str) -> tuple[Block, ...]:
        income, position = self.income, self.position
        receipts = [g for g in income.income if g.source not in REVENUE_SOURCES]
        revenues = [g for g in income.income if g.source in REVENUE_SOURCES]
        assets = position.banks + position.cash + position.receivables + position.other_assets
        start = self.year_start
        liabilities = fact(
            "finance.liabilities",
            "รวมหนี้สิน",
            position.total_liabilities,
            BAHT,
            Trace(f"ยอดคงเหลือบัญชีหนี้สิน ณ {self.on_th} (ผังบัญชี)", page="ledger-accounts"),
        )
        balance = fact(
            "finance.fund_balance",
            "ทุนของกองทุน",
            position.fund_balance,
            BAHT,
            Trace("รวมสินทรัพย์ − รวมหนี้สิน", parts=("finance.assets.total", liabilities.key)),
        )
        paid = self.indicator(
            "welfare_paid_total",
            "สวัสดิการที่จ่ายไปแล้วตั้งแต่เริ่มบันทึก",
            self.ind.welfare_paid_total,
            f"สวัสดิการทุกหมวดที่จ่ายแล้วตั้งแต่เริ่มบันทึกถึง {self.on_th} (ทะเบียนคำขอสวัสดิการ)",
            BAHT,
        )
        ratio = income.ratio
        percent = fact(
            "finance.admin_percent",
            "สัดส่วนค่าใช้จ่ายในการบริหารจัดการ",
            ratio.percent,
            PERCENT,
            Trace(
                "ค่าใช้จ่ายในการบริหารจัดการ × 100 ÷ (ค่าใช้จ่ายด้านสวัสดิการ + ค่าใช้จ่ายในการบริหารจัดการ)",
                parts=("finance.admin.total", "finance.welfare.total"),
            ),
        )
        cap = fact(
            "finance.admin_cap",
            "เพดานตามระเบียบกองทุน",
            ratio.cap,
            PERCENT,
            Trace("ข้อมูลกองทุน: เพดานค่าใช้จ่ายในการบริหารจัดการ", page="funds-settings"),
        )
        other: tuple[Block, ...] = ()
        if income.other_expenses:
            other = (
                self._table("finance.other", income.other_expenses, f"{number}.6 ค่าใช้จ่ายอื่น",
                            "รวมค่าใช้จ่ายอื่น", start),
            )  # fmt: skip
        return (
            Note(f"รายรับ รายได้ และค่าใช้จ่าย{self.year_th}; สินทรัพย์ ณ {self.on_th} "
                 "(จากสมุดบัญชีของกองทุน หน่วย: บาท)"),
            self._groups("finance.receipts", receipts, f"{number}.1 รายรับตามแหล่งเงิน",
                         "รวมรายรับ"),
            self._table("finance.assets", assets, f"{number}.2 สินทรัพย์ (เงินฝากธนาคาร "
                        "เงินสดในมือ ลูกหนี้ การลงทุนและสินทรัพย์อื่น)", "รวมสินทรัพย์", None),
            Line("หนี้สิน", liabilities),
            Line("ทุนของกองทุน (สินทรัพย์ − หนี้สิน)", balance),
            Line("สวัสดิการที่จ่ายไปแล้วตั้งแต่เริ่มบันทึก (ดูข้อ 5)", paid),
            self._groups("finance.revenues", revenues, f"{number}.3 รายได้ (ค่าสมัครแรกเข้า "
                         "เงินบริจาค ดอกเบี้ยเงินฝาก)", "รวมรายได้"),
            self._table("finance.welfare", income.welfare, f"{number}.4 ค่าใช้จ่ายด้านสวัสดิการ",
                        "รวมค่าใช้จ่ายด้านสวัสดิการ", start),
            self._table("finance.admin", income.admin, f"{number}.5 ค่าใช้จ่ายในการบริหารจัดการ "
                        "(ค่าตอบแทน ค่าเดินทาง ค่าวัสดุ ค่าประชุม)",
                        "รวมค่าใช้จ่ายในการบริหารจัดการ", start),
            *other,
            Line("สัดส่วนค่าใช้จ่ายในการบริหารจัดการ", percent),
            Line("เพดานตามระเบียบกองทุน", cap),
        )  # fmt: skip
