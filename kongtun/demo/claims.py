"""Years of welfare claims for each demo fund, from intake through the committee to payment.

`plan_claims` is pure: from a fund's plan, its members (with the histories
kongtun.demo.contributions dated), its dues and the regulation versions it adopted, it returns
the same claims, committee meetings and payments every time. kongtun.demo.books pays each paid
claim in the books on its payment day, and kongtun.demo.claims_load stores the plan.

Each demo fund adopts one of the three regulations of kongtun.welfare.examples as version 1
from the first day of its books, in turn by its place in the plan, so any three funds in a row
use all three (`adoptions`). The showcase fund amends its regulation about a year ago
(version 2: a higher birth benefit and more a night in hospital), so its claims show both.

The events come from the members and the regulation's benefits: a death claim by the
beneficiaries of every member who died within the books (a member who named nobody gets
none: claim_pay could not pay it), births, stays in hospital of 1–10 nights (members who gave
explicit consent for health data only, as claim_file requires), the yearly benefit of the
elderly in April, the disabled's in December, scholarships for members' children in May,
house repairs, funerals of members' relatives, storms, savings given back to members who
resign, and a few people in need who are not members — each where the regulation has such a
benefit. Claims the rules would refuse are mostly never made: the plan assesses each one and
keeps a refused one only now and then (deaths, late filings and the showcase's agenda always).

Each claim is assessed by kongtun.welfare.rules.assess with Facts worked out as
kongtun.welfare.selectors.claim_facts works them out from the database at the moment the
claim is filed: the status at the start of the event day from the member's history, the
joining day as the start of the membership, the arrears from the member's current plan and
the receipts dated on or before the event day (kongtun.contributions.schedule), and the uses
of the benefit this fiscal year and for life — the member's, or for a member's child or a
non-member that person's — from the claims filed before it that were not rejected by then (a
claim waiting for the committee holds its share, as the selector has it; a decided claim
counts its approved amount). The stored outcome, amounts and reasons are
exactly assess's result. Where the plan differs from the selector:

- A member who joined before the fund gave receipts in Kongtun paid on paper from joining, so
  their first contribution is their joining day. The selector, finding neither a receipt nor
  a brought-in past payment from then (the demo imports no paper history), takes their first
  receipt in Kongtun. Only a benefit whose wait counts from the first contribution (Umong's)
  can be judged differently for such a member, and only within its waiting period of that
  first receipt.
- A claim still waiting for the committee is assessed without the claims filed after it; the
  selector, asked today, counts every other waiting claim of the same benefit.

The workflow: a claim is filed 1–10 days after its event (a few far too late, so the rules
refuse them), and the committee decides it at the first monthly meeting after (one a month on
the dues meeting day, numbered "<n>/<fiscal year BE>", most seats present). Eligible claims are
approved — now and then for less, with the reason — and the others rejected with the reason in
Thai; an approved claim is paid 1–5 days after the meeting by a payment voucher, and its payees
(the beneficiaries by their shares, else the member, or the person helped) sign for it that
day. Claims filed since the last meeting wait for the next one, and the last two approved
(at the last meeting that approved any) have not been collected yet. Meetings before the
committee's first term in kongtun.demo.province sit with an earlier committee planned here
(`ClaimsPlan.earlier_seats`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kongtun.contributions import schedule as sched
from kongtun.demo import names
from kongtun.demo.books import _poisson, add_months, baht, books_period
from kongtun.demo.contributions import fiscal_year_be, thai_date
from kongtun.funds.models import CommitteeMember
from kongtun.lib.thaidate import be_year
from kongtun.members.models import Consent, Event, MemberType, Status
from kongtun.welfare import rules
from kongtun.welfare.examples import EXAMPLES, BenefitSpec, RegulationSpec
from kongtun.welfare.services import SENSITIVE_CATEGORIES

if TYPE_CHECKING:
    from kongtun.demo.contributions import DuesPlan, ReceiptSpec
    from kongtun.demo.province import FundContent, FundSpec, MemberSpec, SeatSpec

ZERO = rules.ZERO
DAY = dt.timedelta(days=1)
Basis, Recipient = rules.Basis, rules.Recipient

# How often things happen, per active member and month unless said otherwise.
BIRTHS = 0.0006
STAYS = 0.003
REPAIRS = 0.0004
FUNERALS = 0.0012
STORM_YEARS = 0.6  # share of years with a storm in May
STORM_HITS = 0.01  # share of the active members whose house the storm damages
SCHOLARSHIPS = 0.012  # of the active members, each May
NON_MEMBERS = (2, 4)  # people in need, not members, helped each fiscal year
REFUNDS = 0.7  # of the members who resign, those who ask for their savings back
KEEP_REFUSED = 0.12  # of the claims the rules refuse, those made anyway
LATE = 0.03  # claims filed long after the deadline
LESS = 0.05  # approved claims the committee approves for less
PRESENT = 0.85  # chance a committee seat is present at a meeting
ADVISER = CommitteeMember.Position.ADVISER  # holds no vote: no seat at the meetings
AGENDA = 4  # claims the showcase has waiting for its next meeting, at least
UNPAID = 2  # the last claims approved, not collected yet
AMENDED_MONTHS_AGO = 12  # when the showcase's version 2 came into force

HOSPITALS = (
    "โรงพยาบาลลำปาง", "โรงพยาบาลเกาะคา", "โรงพยาบาลห้างฉัตร", "โรงพยาบาลแม่ทะ",
    "โรงพยาบาลเสริมงาม", "โรงพยาบาลค่ายสุรศักดิ์มนตรี",
)  # fmt: skip
ILLNESSES = ("ไข้เลือดออก", "ปอดอักเสบ", "ท้องร่วงรุนแรง", "ผ่าตัดไส้ติ่ง", "ความดันโลหิตสูง",
             "เบาหวาน", "กระดูกหักจากอุบัติเหตุ", "ไข้หวัดใหญ่")  # fmt: skip
REPAIRS_WHAT = ("ซ่อมหลังคาบ้านที่รั่วซึม", "เปลี่ยนเสาบ้านที่ผุ", "ซ่อมห้องน้ำ",
                "ทำพื้นบ้านใหม่", "ซ่อมฝาบ้านที่ชำรุด")  # fmt: skip
RELATIVES = ("บิดา", "มารดา", "คู่สมรส", "บุตร")
NEEDS = (
    "ผู้สูงอายุอยู่ลำพัง ไม่มีรายได้", "ผู้ป่วยติดเตียง ครอบครัวยากจน",
    "บ้านถูกไฟไหม้ทั้งหลัง", "เด็กกำพร้าอยู่กับยาย ขาดแคลนทุนทรัพย์",
)  # fmt: skip
LEVELS = ((12, "ประถมศึกษาปีที่ 6"), (15, "มัธยมศึกษาปีที่ 3"), (18, "มัธยมศึกษาปีที่ 6"))
STATUS_TH: dict[str, str] = {
    Status.APPLICANT: "ยังไม่ได้รับอนุมัติเป็นสมาชิก",
    Status.LAPSED: "ขาดส่งเงินสัจจะจนพ้นสภาพ",
    Status.RESIGNED: "ลาออกแล้ว",
    Status.DECEASED: "เสียชีวิตแล้ว",
}


def _rng(*parts: object) -> random.Random:
    # Not for secrets: reproducible demo data is the point.
    return random.Random(":".join(map(str, parts)))  # noqa: S311


# --- Regulations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    """A regulation version the fund adopted, in force from `effective_from`."""

    version: int
    spec: RegulationSpec
    effective_from: dt.date
    resolution: str


def regulation_for(spec: FundSpec) -> RegulationSpec:
    """The example regulation a fund adopts: in turn by its place in the plan."""
    examples = list(EXAMPLES.values())
    return examples[spec.ordinal % len(examples)]


def _scaled(amount: Decimal | None, by: Decimal) -> Decimal | None:
    return None if amount is None else baht(amount * by)


def amend(regulation: RegulationSpec, on: dt.date) -> RegulationSpec:
    """The regulation amended from `on`: 500 baht more for a birth, 100 more a night in
    hospital (with its caps in proportion); the text says so at its end."""
    benefits, changes = [], []
    for b in regulation.benefits:
        if b.basis == Basis.FIXED and b.category == "birth":
            new = replace(b, amount=b.amount + 500)
            changes.append(f"{b.name} จาก {b.amount:,.0f} บาท เป็น {new.amount:,.0f} บาท")
        elif b.basis == Basis.PER_NIGHT:
            by = (b.amount + 100) / b.amount
            new = replace(
                b,
                amount=b.amount + 100,
                per_event_cap=_scaled(b.per_event_cap, by),
                per_year_cap=_scaled(b.per_year_cap, by),
            )
            caps = "".join(
                f" {label} {cap:,.0f} บาท"
                for label, cap in (("ไม่เกินครั้งละ", new.per_event_cap),
                                   ("ไม่เกินปีละ", new.per_year_cap))
                if cap is not None
            )  # fmt: skip
            changes.append(
                f"{b.name} จากคืนละ {b.amount:,.0f} บาท เป็นคืนละ {new.amount:,.0f} บาท{caps}"
            )
        else:
            new = b
        benefits.append(new)
    clauses = "\n".join(f"({n}) {c}" for n, c in enumerate(changes, start=1))
    text = (
        f"{regulation.text}\n"
        f"บทแก้ไขเพิ่มเติม ฉบับที่ 1 ใช้บังคับตั้งแต่วันที่ {thai_date(on)} "
        f"ให้แก้ไขอัตราสวัสดิการตามระเบียบข้างต้น ดังนี้\n{clauses}\n"
    )
    return replace(
        regulation,
        title=f"{regulation.title} (แก้ไขเพิ่มเติม ฉบับที่ 1)",
        text=text,
        benefits=tuple(benefits),
    )


def adoptions(spec: FundSpec, *, today: dt.date) -> tuple[Adoption, ...]:
    """Version 1 from the first day of the books; the showcase's version 2 about a year ago."""
    start, _ = books_period(spec.fiscal_year, today)
    regulation = regulation_for(spec)
    first = Adoption(1, regulation, start, f"มติที่ประชุมใหญ่สามัญประจำปี {be_year(start)} ข้อ 4")
    if spec.ordinal != 0:
        return (first,)
    amended = add_months(today.replace(day=1), -AMENDED_MONTHS_AGO)
    resolution = f"มติที่ประชุมใหญ่วิสามัญ ครั้งที่ 1/{be_year(amended)} ข้อ 2"
    return first, Adoption(2, amend(regulation, amended), amended, resolution)


# --- The plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSpec:
    number: str
    date: dt.date
    place: str
    seats: tuple[int, ...]  # seats in term that day: indexes into ClaimsPlan.seats(content)
    present: tuple[int, ...]


@dataclass(frozen=True)
class PayeeSpec:
    name: str
    beneficiary: int | None  # index into the member's beneficiaries
    share_percent: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ClaimSpec:
    number: str
    version: int
    key: str
    category: str
    benefit_name: str
    member: int | None  # index into FundContent.members (and DuesPlan.members)
    recipient: str
    person_name: str
    person_birth_date: dt.date | None
    person_address: str
    event_date: dt.date
    fiscal_year: int
    filed_on: dt.date
    nights: int | None
    claimed: Decimal | None
    details: str
    facts: rules.Facts
    decision: rules.Decision
    status: str  # a Claim.Status value
    meeting: int | None  # index into ClaimsPlan.meetings
    resolution: str
    votes: tuple[int, int, int] | None  # for, against, abstaining
    approved_amount: Decimal | None
    decision_note: str
    paid_on: dt.date | None
    voucher: str  # the payment voucher's number
    party: str
    payees: tuple[PayeeSpec, ...]
    money: str  # cash or bank: where the payment is made from if the cash suffices

    @property
    def amount(self) -> Decimal:
        """What is paid: the approved amount once decided (Claim.amount_due)."""
        return self.approved_amount if self.approved_amount is not None else self.decision.amount

    @property
    def account(self) -> str:
        """The expense account's role, as claim_pay chooses it."""
        if self.recipient == Recipient.NON_MEMBER:
            return "welfare.non_members"
        return f"welfare.{self.category}"

    @property
    def description(self) -> str:
        return f"จ่ายสวัสดิการตามคำขอเลขที่ {self.number}: {self.benefit_name}"[:500]

    @property
    def memo(self) -> str:
        """The book entry's memo, as ledger.services.voucher_entry words a voucher's (which
        names no payee when the voucher pays a member)."""
        party = "" if self.member is not None else f" {self.party}"
        return f"{self.voucher}{party}: {self.description}"[:500]


@dataclass(frozen=True)
class ClaimsPlan:
    adoptions: tuple[Adoption, ...]
    earlier_seats: tuple[SeatSpec, ...]  # terms before FundContent.committee's first
    meetings: tuple[MeetingSpec, ...]
    claims: tuple[ClaimSpec, ...]  # in the order they were filed (number order per year)

    def seats(self, content: FundContent) -> tuple[SeatSpec, ...]:
        """Every committee seat a meeting's indexes refer to."""
        return tuple(content.committee) + self.earlier_seats


# --- Members as the facts need them ----------------------------------------------------------

_FOREVER = dt.date.max.toordinal()


class _Who:
    """What claim_facts reads of one member, worked out once from the plans."""

    def __init__(
        self, spec: MemberSpec, dues: DuesPlan, index: int, receipts: Sequence[ReceiptSpec]
    ) -> None:
        self.spec = spec
        self.paper = spec.joined_on < dues.receipts_from  # paid on paper when joining
        spans, since = [], None
        for step in spec.history:
            day = step.effective_on.toordinal()
            if step.to_status == Status.ACTIVE and step.from_status != Status.ACTIVE:
                since = day
            elif step.from_status == Status.ACTIVE and step.to_status != Status.ACTIVE:
                if since is not None:
                    spans.append((since, day))
                since = None
        if since is not None:
            spans.append((since, _FOREVER))
        self.spans = spans
        self.sensitive_from = min(
            (c.given_on for c in spec.consents if c.purpose == Consent.Purpose.SENSITIVE),
            default=None,
        )
        standing = dues.standings[index]
        segments = sorted(
            (s.starts_on, dues.plans[s.plan].frequency, dues.plans[s.plan].amount)
            for s in standing.segments
            if s.epoch == standing.epoch
        )
        self.schedule = sched.schedule_of(segments)
        self.credit = standing.credit
        kept = [r for r in receipts if r.void_on is None]
        self.paid_days = [r.date for r in kept if r.contribution > 0]
        self.savings = sum((r.contribution for r in kept), ZERO)
        epoch = [r for r in kept if r.epoch == standing.epoch]
        self.epoch_days = [r.date for r in epoch]
        after = [ZERO]
        for r in reversed(epoch):
            after.append(after[-1] + r.contribution)
        self.epoch_after = after[::-1]  # contributions from the k-th receipt on

    def active(self, day: dt.date) -> bool:
        n = day.toordinal()
        return any(a <= n < b for a, b in self.spans)

    def status_on(self, day: dt.date) -> str | None:
        """selectors.status_on: the latest change by that day, of one day's the one recorded
        last (the loader records them in history order), a death on the day left out."""
        found: tuple[dt.date, int, str] | None = None
        for n, step in enumerate(self.spec.history):
            if step.effective_on > day or (step.event == Event.DIED and step.effective_on == day):
                continue
            if found is None or (step.effective_on, n) > found[:2]:
                found = (step.effective_on, n, step.to_status)
        return found[2] if found else None

    def first_contribution(self, day: dt.date) -> dt.date | None:
        """selectors.first_contribution from the joining day, the paper era aside."""
        joined = self.spec.joined_on
        if self.paper:
            return joined if joined <= day else None
        i = bisect.bisect_left(self.paid_days, joined)
        return self.paid_days[i] if i < len(self.paid_days) and self.paid_days[i] <= day else None

    def dues(self, day: dt.date) -> tuple[Decimal, int, dt.date]:
        """selectors.dues_on: what was unpaid on `day`, counting only what was paid by then."""
        later = self.epoch_after[bisect.bisect_right(self.epoch_days, day)]
        position = sched.position(self.schedule, self.credit - later, day)
        months = (
            rules.months_between(position.paid_through + DAY, day) if position.arrears > 0 else 0
        )
        return position.arrears, months, position.paid_through

    @property
    def full_name(self) -> str:
        m = self.spec
        return f"{m.title}{m.first_name} {m.last_name}".strip()


# --- Events -----------------------------------------------------------------------------------


@dataclass
class _Event:
    key: str
    recipient: str
    member: int | None
    event_date: dt.date
    filed_on: dt.date
    details: str
    nights: int | None = None
    claimed: Decimal | None = None
    person_name: str = ""
    person_birth_date: dt.date | None = None
    person_address: str = ""
    keep: bool = False  # made whatever the rules say
    money: str = "cash"


def _kind(b: BenefitSpec) -> str | None:
    """Which kind of event a benefit pays for, if the demo makes such events."""
    if b.for_non_member:
        return "non_member"
    if b.for_beneficiary:
        return "death"
    if b.for_child:
        return "scholarship" if b.category == "education" else None
    if b.basis == Basis.PER_NIGHT:
        return "hospital"
    if b.requires_no_prior_claims and b.basis == Basis.ACTUAL:
        return "refund"
    by_category = {
        "birth": "birth",
        "elderly": "elderly",
        "disadvantaged": "disabled",
        "housing": "housing",
        "funeral": "funeral",
        "disaster": "disaster",
    }
    return by_category.get(b.category)


class _Events:
    """Draws the fund's events; each knows its benefit by key and when it is filed."""

    def __init__(
        self,
        content: FundContent,
        who: list[_Who],
        kinds: dict[str, BenefitSpec],
        today: dt.date,
        rng: random.Random,
    ) -> None:
        self.content, self.who, self.kinds, self.today, self.rng = content, who, kinds, today, rng
        self.out: list[_Event] = []

    def filed(self, day: dt.date, b: BenefitSpec) -> tuple[dt.date, bool]:
        """1–10 days after the event; now and then long after the deadline."""
        rng = self.rng
        if b.filing_days is not None and rng.random() < LATE:
            late = day + (b.filing_days + rng.randint(1, 20)) * DAY
            if late <= self.today:
                return late, True
        return max(min(day + rng.randint(1, 10) * DAY, self.today), day), False

    def add(
        self,
        kind: str,
        day: dt.date,
        details: str,
        member: int | None,
        *,
        keep: bool = False,
        **fields: Any,
    ) -> None:
        b = self.kinds[kind]
        recipient = (
            Recipient.NON_MEMBER
            if b.for_non_member
            else Recipient.BENEFICIARY
            if b.for_beneficiary
            else Recipient.CHILD
            if b.for_child
            else Recipient.MEMBER
        )
        filed, late = self.filed(day, b)
        self.out.append(
            _Event(b.key, str(recipient), member, day, filed, details, keep=keep or late, **fields)
        )

    def member_event(self, kind: str, i: int, day: dt.date, keep: bool = False) -> None:
        """One event of a kind that happens to a member (or their child) on `day`."""
        rng, m = self.rng, self.who[i].spec
        if kind == "birth":
            female = rng.random() < 0.5
            child = (
                f"{names.title_for(0, female, False)}{names.given_name(rng, female)} {m.last_name}"
            )
            self.add(kind, day, f"คลอดบุตร {child} เมื่อวันที่ {thai_date(day)}", i, keep=keep,
                     person_name=child, person_birth_date=day)  # fmt: skip
        elif kind == "hospital":
            nights = rng.randint(1, 10)
            where, why = rng.choice(HOSPITALS), rng.choice(ILLNESSES)
            self.add(kind, day, f"นอนพักรักษาตัวที่{where} ด้วย{why} {nights} คืน", i,
                     keep=keep, nights=nights)  # fmt: skip
        elif kind == "housing":
            claimed = baht(rng.randint(15, 60) * 100)
            self.add(kind, day, f"{rng.choice(REPAIRS_WHAT)} ตามใบเสร็จค่าวัสดุ", i, keep=keep,
                     claimed=claimed, money="bank")  # fmt: skip
        elif kind == "funeral":
            relative = rng.choice(RELATIVES)
            self.add(kind, day, f"{relative}ของสมาชิกถึงแก่กรรมเมื่อวันที่ {thai_date(day)}", i,
                     keep=keep)  # fmt: skip
        elif kind == "scholarship":
            age, level = rng.choice(LEVELS)
            female = rng.random() < 0.5
            title = names.title_for(age, female, False)
            child = f"{title}{names.given_name(rng, female)} {m.last_name}"
            born = dt.date(day.year - age, 1, 1) + rng.randint(0, 364) * DAY
            grade = rng.randint(350, 400)
            self.add(kind, day, f"จบชั้น{level} ผลการเรียนเฉลี่ย {grade // 100}.{grade % 100:02d}",
                     i, keep=keep, person_name=child, person_birth_date=born)  # fmt: skip
        elif kind == "elderly":
            self.add(kind, day, f"สวัสดิการผู้สูงอายุประจำปี {be_year(day)}", i, keep=keep)
        elif kind == "disabled":
            self.add(kind, day, f"สวัสดิการผู้พิการประจำปี {be_year(day)}", i, keep=keep)
        elif kind == "disaster":
            claimed = baht(rng.randint(5, 50) * 100)
            self.add(kind, day, "บ้านเสียหายจากพายุฤดูร้อน ตามหนังสือรับรองความเสียหาย", i,
                     keep=keep, claimed=claimed)  # fmt: skip

    def able(self, kind: str, members: Sequence[int], day: dt.date) -> list[int]:
        """Those of `members` who could be the one on `day`: with consent for health data
        before a health claim (claim_file refuses one without), a grown-up for a birth, a
        parent of a school leaver for a scholarship, the elderly for theirs, and so on."""
        b = self.kinds[kind]
        low, high = {"birth": (18, 45), "scholarship": (30, 60)}.get(kind, (0, None))
        if kind == "elderly":
            low = b.min_age or 60
        # Born on or before `latest`: at least `low` years old (rules.whole_years); born
        # after `earliest`: at most `high`.
        latest = _years_before(day, low)
        earliest = dt.date.min if high is None else _years_before(day, high + 1)
        health = b.category in SENSITIVE_CATEGORIES
        out = []
        for i in members:
            w = self.who[i]
            if not earliest < w.spec.birth_date <= latest:
                continue
            if health and (w.sensitive_from is None or w.sensitive_from > day):
                continue
            if kind == "disabled" and w.spec.member_type != MemberType.DISABLED:
                continue
            out.append(i)
        return out


def _years_before(day: dt.date, years: int) -> dt.date:
    """The latest birthday of someone `years` old on `day` (29 February counts on 1 March)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year - years, day=28)


def _draw(
    content: FundContent,
    who: list[_Who],
    kinds: dict[str, BenefitSpec],
    start: dt.date,
    today: dt.date,
    rng: random.Random,
) -> list[_Event]:
    """Every event of the books' months up to yesterday, and the deaths and resignations."""
    ev = _Events(content, who, kinds, today, rng)
    randint = rng.randint
    spans = [(a, b, i) for i, w in enumerate(who) for a, b in w.spans]
    month = start
    while month <= today:
        first, last = month, min(add_months(month, 1) - DAY, today - DAY)
        if last < first:
            break
        mid = min(month.replace(day=15), last).toordinal()
        active = sorted(i for a, b, i in spans if a <= mid < b)
        for kind, rate in (("birth", BIRTHS), ("hospital", STAYS), ("housing", REPAIRS),
                           ("funeral", FUNERALS)):  # fmt: skip
            count = _poisson(rng, len(active) * rate) if kind in kinds else 0
            # Who could be the one, from the month's first day (consent given by then).
            able = ev.able(kind, active, first) if count else []
            for _ in range(count if able else 0):
                day = first + randint(0, (last - first).days) * DAY
                ev.member_event(kind, rng.choice(able), day)
        yearly = {4: "elderly", 5: "scholarship", 12: "disabled"}
        kind = yearly.get(month.month, "")
        if kind in kinds:
            # The elderly's day before Songkran, the school year's start, and 3 December.
            day = {4: month.replace(day=randint(1, 12)), 12: month.replace(day=3)}.get(
                month.month, month.replace(day=randint(1, 25))
            )
            if day <= last:
                able = ev.able(kind, active, day)
                if kind == "scholarship":
                    count = max(1, round(len(active) * SCHOLARSHIPS))
                    able = rng.sample(able, min(count, len(able)))
                for i in able:
                    ev.member_event(kind, i, day)
        if month.month == 5 and "disaster" in kinds and rng.random() < STORM_YEARS:
            day = first + randint(0, (last - first).days) * DAY
            hit = min(max(_poisson(rng, len(active) * STORM_HITS), 1), len(active))
            for i in rng.sample(active, hit):
                ev.member_event("disaster", i, day)
        month = add_months(month, 1)

    if "non_member" in kinds:
        year = start
        while year <= today - DAY:
            hi = min(add_months(year, 12) - DAY, today - DAY)
            for _ in range(randint(*NON_MEMBERS)):
                day = year + randint(0, (hi - year).days) * DAY
                female = rng.random() < 0.6
                age = randint(65, 90)
                title = names.title_for(age, female, rng.random() < 0.7)
                person = f"{title}{names.given_name(rng, female)} {names.family_name(rng)}"
                branch = rng.choice(content.branches)
                ev.add("non_member", day, rng.choice(NEEDS), None, person_name=person,
                       person_birth_date=dt.date(day.year - age, randint(1, 12), randint(1, 28)),
                       person_address=f"บ้านเลขที่ {randint(1, 250)} หมู่ {branch.number} "
                                      f"{branch.name}")  # fmt: skip
            year = add_months(year, 12)

    for i, w in enumerate(who):
        m = w.spec
        for step in m.history:
            day = step.effective_on
            if not start <= day <= today:
                continue
            if step.event == Event.DIED and "death" in kinds and m.beneficiaries:
                ev.add("death", day, f"สมาชิกถึงแก่กรรมเมื่อวันที่ {thai_date(day)}", i,
                       keep=True, money="bank")  # fmt: skip
            elif (
                step.event == Event.RESIGNED
                and "refund" in kinds
                and day - DAY >= start
                and w.savings > 0
                and rng.random() < REFUNDS
            ):
                ev.add("refund", day - DAY,
                       f"ขอลาออกจากการเป็นสมาชิกตั้งแต่วันที่ {thai_date(day)} "
                       "และขอคืนเงินสัจจะที่ส่งมาทั้งหมด", i,
                       claimed=w.savings, money="bank")  # fmt: skip
    return ev.out


def _top_up(
    ev_out: list[_Event],
    content: FundContent,
    who: list[_Who],
    kinds: dict[str, BenefitSpec],
    after: dt.date,
    today: dt.date,
    rng: random.Random,
) -> None:
    """Enough claims filed since the last meeting that the next one has an agenda: counting
    only those made whatever the rules say, as the others may not be made at all."""
    ev = _Events(content, who, kinds, today, rng)
    lo, hi = after + DAY, today - DAY
    waiting = sum(1 for e in ev_out if e.filed_on > after and e.keep)
    order = [k for k in ("hospital", "birth", "funeral", "housing", "scholarship") if k in kinds]
    for _ in range(200):
        if waiting >= AGENDA or hi < lo or not order:
            break
        day = lo + rng.randint(0, (hi - lo).days) * DAY
        kind = rng.choice(order)
        able = ev.able(kind, [i for i, w in enumerate(who) if w.active(day)], day)
        if able:
            ev.member_event(kind, rng.choice(able), day, keep=True)
            waiting += 1
    ev_out += ev.out


# --- Committee --------------------------------------------------------------------------------


def _earlier_seats(content: FundContent, start: dt.date, rng: random.Random) -> list[SeatSpec]:
    """Two-year terms before the committee's first, back to the books' first meeting, about
    half of each re-elected to the next (as kongtun.demo.province draws committees)."""
    from kongtun.demo.province import SeatSpec  # the province imports this module

    P, R = CommitteeMember.Position, CommitteeMember.Representing
    seats: list[SeatSpec] = []
    following = list(content.committee)
    while following and min(s.term_start for s in following) > start:
        first = min(s.term_start for s in following)
        term_start, term_end = add_months(first, -24), first - DAY
        later = [s for s in following if s.term_start == first]
        people = [s.full_name for s in later if s.position != P.ADVISER and rng.random() < 0.5]
        while len(people) < len(later):
            female = rng.random() < 0.45
            title = names.title_for(45, female, rng.random() < 0.8)
            people.append(f"{title}{names.given_name(rng, female)} {names.family_name(rng)}")
        rng.shuffle(people)
        advisers = sum(1 for s in later if s.position == P.ADVISER)
        positions = [P.CHAIR, P.VICE_CHAIR, P.TREASURER, P.SECRETARY]
        positions += [P.ADVISER] * advisers + [P.MEMBER] * (len(later) - 4 - advisers)
        term: list[SeatSpec] = []
        members_seen = 0
        for name, position in zip(people, positions, strict=True):
            representing = R.MEMBERS
            if position == P.ADVISER:
                representing = rng.choice([R.EXPERT, R.LOCAL_GOVERNMENT])
            elif position == P.MEMBER:
                members_seen += 1
                if members_seen == 1:
                    representing = R.LOCAL_GOVERNMENT
                elif members_seen in (2, 3):
                    representing = R.VILLAGE_HEAD
            term.append(SeatSpec(name, position, representing, term_start, term_end))
        seats += term
        following = term
    return seats


def _meetings(
    spec: FundSpec,
    content: FundContent,
    seats: Sequence[SeatSpec],
    days: Sequence[dt.date],
    rng: random.Random,
) -> list[MeetingSpec]:
    """One meeting a month, numbered within the fiscal year, most of its seats present."""
    out: list[MeetingSpec] = []
    count: dict[int, int] = defaultdict(int)
    places = ["ที่ทำการกองทุนสวัสดิการชุมชน"] + [f"ศาลาอเนกประสงค์{b.name}" for b in content.branches]
    for day in days:
        year = fiscal_year_be(spec.fiscal_year, day)
        count[year] += 1
        # As services.meeting_open lists them: the voting seats in term, advisers left out.
        in_term = [
            k
            for k, s in enumerate(seats)
            if s.term_start <= day <= s.term_end and s.position != ADVISER
        ]
        present = [k for k in in_term if rng.random() < PRESENT]
        needed = (len(in_term) + 1) // 2  # services.Quorum: at least half of the seats
        for k in in_term:
            if len(present) >= needed:
                break
            if k not in present:
                present.append(k)
        out.append(
            MeetingSpec(
                number=f"{count[year]}/{year}",
                date=day,
                place=places[0] if rng.random() < 0.6 else rng.choice(places),
                seats=tuple(in_term),
                present=tuple(sorted(present)),
            )
        )
    return out


# --- Deciding ---------------------------------------------------------------------------------


def _money(value: object) -> str:
    return f"{Decimal(str(value)):,.0f}"


def _reason_th(r: rules.Reason) -> str:
    """A failed reason as the committee's minutes give it."""
    p = r.params
    fc = p.get("from") == rules.WaitFrom.FIRST_CONTRIBUTION
    texts: dict[str, Callable[[], str]] = {
        "recipient": lambda: "ผู้ขอรับไม่ใช่ผู้มีสิทธิตามระเบียบ",
        "filing_deadline": lambda: (
            f"ยื่นคำขอหลังวันเกิดเหตุ {p['days']} วัน เกินกำหนด {p['limit']} วันตามระเบียบ"
        ),
        "member_status": lambda: (
            f"ในวันเกิดเหตุไม่ได้เป็นสมาชิกปกติ ({STATUS_TH.get(str(p['status']), 'ไม่ได้เป็นสมาชิก')})"
        ),
        "no_start": lambda: "ยังไม่เคยส่งเงินสัจจะก่อนวันเกิดเหตุ" if fc else "ยังไม่ได้เป็นสมาชิกในวันเกิดเหตุ",
        "waiting": lambda: (
            f"{'ส่งเงินสัจจะครั้งแรก' if fc else 'เป็นสมาชิก'}มาแล้ว {p['days']} วัน "
            f"ยังไม่ครบระยะรอสิทธิ {p['limit']} วัน"
        ),
        "membership_years": lambda: f"เป็นสมาชิกมา {p['years']} ปี ยังไม่ครบ {p['limit']} ปีตามระเบียบ",
        "birth_date_missing": lambda: "ไม่ทราบวันเกิดของผู้ขอรับ",
        "min_age": lambda: f"อายุ {p['age']} ปี ยังไม่ถึง {p['limit']} ปี",
        "max_age": lambda: f"อายุ {p['age']} ปี เกิน {p['limit']} ปี",
        "dues_arrears": lambda: (
            f"ค้างส่งเงินสัจจะ {p['months']} เดือน ({_money(p['arrears'])} บาท) "
            f"เกินที่ระเบียบให้ค้างได้ {p['limit']} เดือน"
        ),
        "no_prior_claims": lambda: "เคยได้รับสวัสดิการจากกองทุนแล้ว",
        "once_only": lambda: "เคยได้รับสวัสดิการนี้แล้ว ระเบียบให้รับได้ครั้งเดียว",
        "times_per_year": lambda: f"ได้รับสวัสดิการนี้ครบ {p['limit']} ครั้งในปีบัญชี {p['year']} แล้ว",
        "cap_year": lambda: f"ได้รับสวัสดิการนี้ครบวงเงินปีละ {_money(p['cap'])} บาทแล้ว",
        "cap_lifetime": lambda: f"ได้รับสวัสดิการนี้ครบวงเงิน {_money(p['cap'])} บาทแล้ว",
        "cap_budget": lambda: "งบช่วยเหลือผู้ที่ไม่ได้เป็นสมาชิกของปีนี้หมดแล้ว",
        "nights_year": lambda: f"ได้รับค่านอนโรงพยาบาลครบ {p['limit']} คืนในปีนี้แล้ว",
        "no_tier": lambda: "อายุการเป็นสมาชิกยังไม่ถึงขั้นแรกของตาราง",
    }
    text = texts.get(r.code)
    return text() if text else "ไม่เข้าหลักเกณฑ์ตามระเบียบ"


def rejection_note(decision: rules.Decision) -> str:
    failed = [_reason_th(r) for r in decision.reasons if r.ok is False]
    return ("ไม่อนุมัติ เนื่องจาก" + " และ".join(dict.fromkeys(failed)))[:500]


@dataclass
class _Filed:
    """A claim as filed: its event, its rule's decision, and the meeting that decides it."""

    event: _Event
    number: str
    version: int
    benefit: BenefitSpec
    fiscal_year: int
    facts: rules.Facts
    decision: rules.Decision
    meeting: int | None
    approved: Decimal | None = None
    note: str = ""


class _Book:
    """The claims filed so far, as claim_facts finds them in the database at a moment."""

    def __init__(self, meeting_days: Sequence[dt.date]) -> None:
        self.meeting_days = meeting_days
        self.by_key: dict[tuple[int | None, str], list[_Filed]] = defaultdict(list)
        self.by_member: dict[int, list[_Filed]] = defaultdict(list)
        self.helped: dict[int, list[_Filed]] = defaultdict(list)  # non-members by fiscal year

    def decided(self, c: _Filed, t: dt.date) -> bool:
        return c.meeting is not None and self.meeting_days[c.meeting] <= t

    def holding(self, c: _Filed, t: dt.date) -> bool:
        """Filed, approved or paid at `t` (selectors.HOLDING): all but the rejected."""
        return c.decision.eligible or not self.decided(c, t)

    def used(self, claims: Sequence[_Filed], t: dt.date) -> tuple[Decimal, int, int]:
        total, times, nights = ZERO, 0, 0
        for c in claims:
            if self.holding(c, t):
                decided = self.decided(c, t) and c.approved is not None
                total += c.approved if decided and c.approved is not None else c.decision.amount
                times += 1
                nights += c.decision.nights_paid or 0
        return total, times, nights

    def same(self, e: _Event) -> list[_Filed]:
        """selectors._holding's claims before the rest: this benefit's claims of the member,
        or, for a member's child or a non-member, of that person (caps are per person)."""
        claims = self.by_key[e.member, e.key]
        if e.recipient in (Recipient.CHILD, Recipient.NON_MEMBER) and e.person_name.strip():
            person = e.person_name.strip()
            claims = [c for c in claims if c.event.person_name.strip() == person]
        return claims

    def add(self, c: _Filed) -> None:
        self.by_key[c.event.member, c.event.key].append(c)
        if c.event.member is None:
            self.helped[c.fiscal_year].append(c)
        else:
            self.by_member[c.event.member].append(c)


def _facts(
    e: _Event,
    who: list[_Who],
    book: _Book,
    year: int,
    budget: Decimal | None,
) -> rules.Facts:
    """selectors.claim_facts, from the plans (see the module docstring)."""
    t = e.filed_on
    mine = book.same(e)
    used_year, times_year, nights_year = book.used([c for c in mine if c.fiscal_year == year], t)
    used_life, times_life, _ = book.used(mine, t)
    if e.member is None:
        left = None
        if budget is not None:
            left = budget - book.used(book.helped[year], t)[0]
        return rules.Facts(
            recipient=e.recipient,
            event_date=e.event_date,
            filed_on=t,
            birth_date=e.person_birth_date,
            nights=e.nights,
            claimed=e.claimed,
            year_label=str(year),
            used_this_year=used_year,
            times_this_year=times_year,
            nights_this_year=nights_year,
            used_lifetime=used_life,
            times_lifetime=times_life,
            budget_left=left,
        )
    w = who[e.member]
    others = sum(1 for c in book.by_member[e.member] if c.decision.eligible and book.decided(c, t))
    arrears, months, paid_through = w.dues(e.event_date)
    return rules.Facts(
        recipient=e.recipient,
        event_date=e.event_date,
        filed_on=t,
        member_status=w.status_on(e.event_date),
        joined_on=w.spec.joined_on,
        first_contribution_on=w.first_contribution(e.event_date),
        birth_date=w.spec.birth_date if e.recipient == Recipient.MEMBER else e.person_birth_date,
        nights=e.nights,
        claimed=e.claimed,
        arrears=arrears,
        arrears_months=months,
        paid_through=paid_through,
        year_label=str(year),
        used_this_year=used_year,
        times_this_year=times_year,
        nights_this_year=nights_year,
        used_lifetime=used_life,
        times_lifetime=times_life,
        other_claims=others,
    )


def _approve(c: _Filed, rng: random.Random) -> None:
    """The amount the committee approves: what the rules give, now and then less."""
    d, b = c.decision, c.benefit
    c.approved = d.amount
    if b.basis == Basis.PER_NIGHT and d.outcome == rules.Outcome.ELIGIBLE:
        nights = d.nights_paid or 0
        if nights >= 2 and rng.random() < LESS:
            c.approved = d.amount - b.amount
            c.note = f"ใบรับรองแพทย์ระบุนอนพักรักษาตัว {nights - 1} คืน อนุมัติตามใบรับรองแพทย์"
    elif b.basis == Basis.ACTUAL and b.category in ("housing", "disaster"):
        less = baht(d.amount * 8 // 1000 * 100)
        if 0 < less < d.amount and rng.random() < 3 * LESS:
            c.approved = less
            c.note = "อนุมัติตามราคาวัสดุที่คณะกรรมการไปตรวจสอบแล้ว"


def plan_claims(
    spec: FundSpec,
    content: FundContent,
    dues: DuesPlan,
    regulations: Sequence[Adoption],
    *,
    today: dt.date,
    seed: int,
) -> ClaimsPlan:
    """The fund's claims, meetings and payments over its books, the same for the same inputs.

    `content` has the members as plan_dues dated them (dues.members); the books' monthly
    meetings are dues.meetings.
    """
    rng = _rng(seed, spec.code, "claims")
    start, end = books_period(spec.fiscal_year, today)
    versions = sorted(regulations, key=lambda a: a.effective_from)
    if not versions or versions[0].effective_from > start:
        raise ValueError("the fund needs a regulation in force from the start of its books")
    receipts: dict[int, list[ReceiptSpec]] = defaultdict(list)
    for r in dues.receipts:
        receipts[r.member].append(r)
    who = [_Who(m, dues, i, receipts[i]) for i, m in enumerate(content.members)]
    kinds: dict[str, BenefitSpec] = {}
    for b in versions[0].spec.benefits:
        kind = _kind(b)
        if kind is not None and kind not in kinds:
            kinds[kind] = b

    earlier = _earlier_seats(content, start, rng)
    seats = tuple(content.committee) + tuple(earlier)
    meetings = _meetings(spec, content, seats, dues.meetings, rng)
    days = [m.date for m in meetings]

    events = _draw(content, who, kinds, start, today, rng)
    if spec.ordinal == 0 and days:
        _top_up(events, content, who, kinds, days[-1], today, rng)
    events.sort(key=lambda e: (e.filed_on, e.event_date))

    book = _Book(days)
    filed: list[_Filed] = []
    seq: dict[int, int] = defaultdict(int)
    starts = [a.effective_from for a in versions]
    for e in events:
        adoption = versions[bisect.bisect_right(starts, e.event_date) - 1]
        benefit = next(b for b in adoption.spec.benefits if b.key == e.key)
        year = fiscal_year_be(spec.fiscal_year, e.event_date)
        facts = _facts(e, who, book, year, adoption.spec.non_member_budget)
        decision = rules.assess(benefit.rule(), facts)
        if not decision.eligible and not e.keep and rng.random() >= KEEP_REFUSED:
            continue  # a member who is not entitled mostly does not claim
        filing_year = fiscal_year_be(spec.fiscal_year, e.filed_on)
        seq[filing_year] += 1
        at = bisect.bisect_right(days, e.filed_on)  # the first meeting after the filing
        c = _Filed(
            event=e,
            number=f"W{filing_year}/{seq[filing_year]:04d}",
            version=adoption.version,
            benefit=benefit,
            fiscal_year=year,
            facts=facts,
            decision=decision,
            meeting=at if at < len(days) else None,
        )
        if decision.eligible:
            _approve(c, rng)
        else:
            c.note = rejection_note(decision)
        book.add(c)
        filed.append(c)

    return ClaimsPlan(
        adoptions=tuple(versions),
        earlier_seats=tuple(earlier),
        meetings=tuple(meetings),
        claims=_settle(spec, content, who, filed, meetings, end, rng),
    )


def _settle(
    spec: FundSpec,
    content: FundContent,
    who: list[_Who],
    filed: list[_Filed],
    meetings: Sequence[MeetingSpec],
    end: dt.date,
    rng: random.Random,
) -> tuple[ClaimSpec, ...]:
    """Resolutions, payments, vouchers and payees of the filed claims."""
    by_meeting: dict[int, list[_Filed]] = defaultdict(list)
    for c in filed:
        if c.meeting is not None:
            by_meeting[c.meeting].append(c)
    approved = [c for c in filed if c.meeting is not None and c.decision.eligible]
    approved.sort(key=lambda c: c.meeting or 0)  # stable: number order within a meeting
    uncollected = {id(c) for c in approved[-UNPAID:]}

    decided: dict[int, tuple[str, tuple[int, int, int] | None]] = {}
    paid_on: dict[int, dt.date] = {}
    for index, meeting in enumerate(meetings):
        present = len(meeting.present)
        for k, c in enumerate(by_meeting.get(index, []), start=1):
            if c.decision.eligible:
                against = 1 if present >= 3 and rng.random() < 0.05 else 0
                abstain = 1 if present - against >= 3 and rng.random() < 0.05 else 0
                cast = (present - against - abstain, against, abstain)
                if id(c) not in uncollected:
                    paid_on[id(c)] = min(meeting.date + rng.randint(1, 5) * DAY, end)
            else:
                cast = (0, present, 0)
            decided[id(c)] = (f"{meeting.number}/{k}", cast)

    vouchers: dict[int, str] = {}
    count: dict[int, int] = defaultdict(int)
    for c in sorted((c for c in filed if id(c) in paid_on), key=lambda c: paid_on[id(c)]):
        year = fiscal_year_be(spec.fiscal_year, paid_on[id(c)])
        count[year] += 1
        vouchers[id(c)] = f"PV{year}-{count[year]:04d}"

    out = []
    for c in filed:
        e, d = c.event, c.decision
        status = "filed"
        if c.meeting is not None:
            status = "approved" if d.eligible else "rejected"
        day = paid_on.get(id(c))
        payees: tuple[PayeeSpec, ...] = ()
        if day is not None:
            status = "paid"
            assert c.approved is not None
            payees = _payees(e, who, c.approved)
        resolution, votes = decided.get(id(c), ("", None))
        out.append(
            ClaimSpec(
                number=c.number,
                version=c.version,
                key=e.key,
                category=c.benefit.category,
                benefit_name=c.benefit.name,
                member=e.member,
                recipient=e.recipient,
                person_name=e.person_name,
                person_birth_date=e.person_birth_date,
                person_address=e.person_address,
                event_date=e.event_date,
                fiscal_year=c.fiscal_year,
                filed_on=e.filed_on,
                nights=e.nights,
                claimed=e.claimed,
                details=e.details,
                facts=c.facts,
                decision=d,
                status=status,
                meeting=c.meeting,
                resolution=resolution,
                votes=votes,
                approved_amount=c.approved if c.meeting is not None else None,
                decision_note=c.note if c.meeting is not None else "",
                paid_on=day,
                voucher=vouchers.get(id(c), ""),
                party=", ".join(p.name for p in payees)[:200],
                payees=payees,
                money=e.money,
            )
        )
    return tuple(out)


def _payees(e: _Event, who: list[_Who], amount: Decimal) -> tuple[PayeeSpec, ...]:
    """Who receives the money, as services._payees has it."""
    if e.recipient == Recipient.NON_MEMBER:
        return (PayeeSpec(e.person_name, None, Decimal(100), amount),)
    assert e.member is not None
    w = who[e.member]
    if e.recipient == Recipient.BENEFICIARY:
        named = w.spec.beneficiaries
        shares = rules.split_shares(amount, [b.share_percent for b in named])
        return tuple(
            PayeeSpec(b.full_name, k, b.share_percent, share)
            for k, (b, share) in enumerate(zip(named, shares, strict=True))
        )
    return (PayeeSpec(w.full_name, None, Decimal(100), amount),)
