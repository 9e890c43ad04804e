"""The demo province: Lampang's funds, committees, ~100k SYNTHETIC members, about three years
of each fund's contributions (kongtun.demo.contributions), welfare claims (kongtun.demo.claims)
and books (kongtun.demo.books) and the demo logins.

Two layers. The plan (`plan_province`, `build_fund_content`, `contributions.plan_dues`,
`claims.plan_claims`, `books.plan_books`, `login_specs`) is pure: given the tambons, a seed,
today's date and the scale it returns plain frozen dataclasses, the same every time, so tests
can compare two builds directly. The loader (`load_demo`) writes a plan to the database, one
fund with its books per transaction, and skips every fund and user that already exists (by
fund code and username), so a second run creates nothing and keeps every change made since.

Nobody in here is a real person: names come from kongtun.demo.names (every family name holds
the obsolete letter ฃ or ฅ), and national IDs come from `synthetic_national_id` below.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.audit.services import Change, audit_log
from kongtun.demo import (
    books,
    books_load,
    claims,
    claims_load,
    contributions,
    contributions_load,
    laptop,
    names,
    outcomes,
    publishing,
    vetting,
)
from kongtun.demo.inserts import RawInsert
from kongtun.funds.models import (
    Branch,
    CofundingApplication,
    CommitteeMember,
    Fund,
    FundRole,
    OfficerAssignment,
)
from kongtun.funds.permissions import Role
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Amphoe, Tambon
from kongtun.lib import crypto
from kongtun.lib.thaidate import age_on
from kongtun.members.models import (
    Beneficiary,
    Consent,
    Event,
    Member,
    MemberType,
    Status,
    StatusChange,
)
from kongtun.members.services import MemberInput, _build_member, national_id_index
from kongtun.network.selectors import current_fiscal_year_be

SEED = 2566  # the fiscal year of the source article (54 Lampang funds applied for FY2566)
PROVINCE_CODE = "52"  # Lampang
SHOWCASE_AMPHOE = "5201"  # อำเภอเมืองลำปาง
FUND_COUNT = 90  # of Lampang's 100 tambons
APPLYING_COUNT = 54
MUNICIPALITY_COUNT = 8
CALENDAR_YEAR_COUNT = 7
FOUNDED_FROM, FOUNDED_TO = dt.date(2005, 1, 1), dt.date(2017, 12, 31)  # BE 2548 – 2560
MEMBERS_MIN, MEMBERS_MAX = 300, 3000
MIN_SCALED_MEMBERS = 5
MAX_SCALE = 10.0  # keeps member serials within the five digits the synthetic IDs give them

# Printed by the command and in the docs; it protects nothing, which is why the command refuses
# to run with DEBUG off unless told explicitly.
DEMO_PASSWORD = "kongtun-demo"  # noqa: S105
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"

_DAYS_PER_YEAR = 365.2425


def _rng(*parts: object) -> random.Random:
    """A generator seeded by text, so each fund's stream is the same in every run and process."""
    # Not for secrets: reproducible demo data is the point (hence no `secrets` module).
    return random.Random(":".join(map(str, parts)))  # noqa: S311


# --- Synthetic national IDs ------------------------------------------------------------------


def synthetic_national_id(*, category: str, office: str, area: str, serial: int) -> str:
    """A 13-digit ID with a valid check digit that no real person can hold.

    Layout of a real ID: category (1 digit), registration office (4 digits: province + amphoe),
    then book and sequence numbers, then the check digit. Demo IDs use office province "99"
    (members) or "98" (beneficiaries); Thai province codes stop at 96, so no registration
    office issues IDs with these prefixes. Digits 4–7 are the fund's tambon (amphoe + tambon
    part of its DOPA code) and 8–12 a serial, so IDs are unique across the whole demo.
    """
    if not 0 < serial <= 99_999:
        raise ValueError(f"serial {serial} does not fit the demo ID layout")
    body = f"{category}{office}{area}{serial:05d}"
    assert len(body) == 12 and category in "12345678"
    total = sum(int(d) * (13 - i) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)


# --- The plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TambonRow:
    code: str
    name_th: str
    amphoe_code: str


@dataclass(frozen=True)
class FundSpec:
    ordinal: int  # position in the plan; 0 is the showcase fund
    code: str
    name: str
    kind: str
    municipality_name: str
    tambon_code: str
    amphoe_code: str
    founded_on: dt.date
    fiscal_year: str
    applying: bool
    base_members: int  # before --scale

    def member_count(self, scale: float) -> int:
        return max(MIN_SCALED_MEMBERS, round(self.base_members * scale))


def plan_province(tambons: Sequence[TambonRow], *, seed: int = SEED) -> list[FundSpec]:
    """Which tambons get a fund, and each fund's name, kind, founding date and size.

    The first tambon of อำเภอเมืองลำปาง always gets the showcase fund, and every amphoe keeps at
    least one fund. The plan does not depend on today's date.
    """
    rng = _rng(seed, "province")
    ordered = sorted(tambons, key=lambda t: t.code)
    if not ordered:
        raise ValueError("no tambons to plan funds in")
    showcase = next((t for t in ordered if t.amphoe_code == SHOWCASE_AMPHOE), ordered[0])
    per_amphoe = Counter(t.amphoe_code for t in ordered)
    drop: set[str] = set()
    candidates = [t for t in ordered if t is not showcase]
    rng.shuffle(candidates)
    for t in candidates:
        if len(ordered) - len(drop) <= FUND_COUNT:
            break
        if per_amphoe[t.amphoe_code] > 1:
            per_amphoe[t.amphoe_code] -= 1
            drop.add(t.code)
    chosen = [t for t in ordered if t.code not in drop]

    others = [t.code for t in chosen if t is not showcase]
    municipal = set(rng.sample(others, min(MUNICIPALITY_COUNT, len(others))))
    calendar = set(rng.sample(others, min(CALENDAR_YEAR_COUNT, len(others))))
    # The showcase fund applies, so its logins see an application; the rest are drawn.
    applying = {showcase.code} | set(rng.sample(others, min(APPLYING_COUNT - 1, len(others))))

    span = (FOUNDED_TO - FOUNDED_FROM).days
    low, high = math.log(MEMBERS_MIN), math.log(MEMBERS_MAX)
    specs = []
    for ordinal, t in enumerate(chosen):
        municipality = t.code in municipal
        prefix = "กองทุนสวัสดิการชุมชนเทศบาลตำบล" if municipality else "กองทุนสวัสดิการชุมชนตำบล"
        specs.append(
            FundSpec(
                ordinal=ordinal,
                code=f"lp-{t.code}",
                name=prefix + t.name_th,
                kind=Fund.Kind.MUNICIPALITY if municipality else Fund.Kind.TAMBON,
                municipality_name=f"เทศบาลตำบล{t.name_th}" if municipality else "",
                tambon_code=t.code,
                amphoe_code=t.amphoe_code,
                founded_on=FOUNDED_FROM + dt.timedelta(days=rng.randint(0, span)),
                fiscal_year=(
                    Fund.FiscalYear.CALENDAR if t.code in calendar else Fund.FiscalYear.GOVERNMENT
                ),
                applying=t.code in applying,
                # Log-uniform between 300 and 3,000: many small funds, a few big ones, mean ~1,170.
                base_members=round(math.exp(rng.uniform(low, high))),
            )
        )
    return specs


@dataclass(frozen=True)
class BranchSpec:
    number: int
    name: str


@dataclass(frozen=True)
class SeatSpec:
    full_name: str
    position: str
    representing: str
    term_start: dt.date
    term_end: dt.date


@dataclass(frozen=True)
class HistorySpec:
    event: str
    from_status: str
    to_status: str
    effective_on: dt.date
    note: str = ""  # what lapse_apply or a reinstating payment writes (kongtun.demo.contributions)


@dataclass(frozen=True)
class BeneficiarySpec:
    full_name: str
    relationship: str
    share_percent: Decimal
    national_id: str


@dataclass(frozen=True)
class ConsentSpec:
    purpose: str
    channel: str
    given_on: dt.date


@dataclass(frozen=True)
class MemberSpec:
    code: uuid.UUID
    number: str
    title: str
    first_name: str
    last_name: str
    national_id: str
    birth_date: dt.date
    joined_on: dt.date
    member_type: str
    status: str
    status_since: dt.date
    branch: int  # index into FundContent.branches
    house_no: str
    history: tuple[HistorySpec, ...]
    beneficiaries: tuple[BeneficiarySpec, ...]
    consents: tuple[ConsentSpec, ...]


@dataclass(frozen=True)
class FundContent:
    branches: tuple[BranchSpec, ...]
    committee: tuple[SeatSpec, ...]
    members: tuple[MemberSpec, ...]
    application_submitted_on: dt.date | None


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month (`day` is always a first here)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _person_name(rng: random.Random) -> str:
    female = rng.random() < 0.45
    title = names.title_for(45, female, rng.random() < 0.8)
    return f"{title}{names.given_name(rng, female)} {names.family_name(rng)}"


def _committee(rng: random.Random, today: dt.date) -> tuple[SeatSpec, ...]:
    """A current two-year term covering today and the term before it, 10–20 seats each."""
    P, R = CommitteeMember.Position, CommitteeMember.Representing
    start = _add_months(today.replace(day=1), -rng.randint(0, 23))
    terms = [(_add_months(start, -24), start - dt.timedelta(days=1))]
    terms.append((start, _add_months(start, 24) - dt.timedelta(days=1)))
    seats: list[SeatSpec] = []
    previous: list[str] = []
    for term_start, term_end in terms:
        size = rng.randint(10, 20)
        advisers = rng.randint(1, 2)
        # About half the committee is re-elected.
        people = [n for n in previous if rng.random() < 0.5]
        while len(people) < size:
            people.append(_person_name(rng))
        rng.shuffle(people)
        people = people[:size]
        positions = [P.CHAIR, P.VICE_CHAIR, P.TREASURER, P.SECRETARY]
        positions += [P.ADVISER] * advisers + [P.MEMBER] * (size - 4 - advisers)
        members_seen = 0
        for name, position in zip(people, positions, strict=True):
            representing = R.MEMBERS
            if position == P.ADVISER:
                representing = rng.choice([R.MONK, R.EXPERT, R.LOCAL_GOVERNMENT])
                if representing == R.MONK:
                    title = rng.choice(names.MONK_TITLES)
                    chaya = rng.choice(names.FAMILY_ROOT) + rng.choice(("ปัญโญ", "ธัมโม", "วโร"))
                    name = f"{title}{names.given_name(rng, False)} {chaya}"
            elif position == P.MEMBER:
                members_seen += 1
                if members_seen == 1:
                    representing = R.LOCAL_GOVERNMENT
                elif members_seen in (2, 3):
                    representing = R.VILLAGE_HEAD
            seats.append(SeatSpec(name, position, representing, term_start, term_end))
        previous = [s.full_name for s in seats if s.term_start == term_start]
    return tuple(seats)


# Share of members by age group (CODI, Aug 2013: working age 59%, children 16%, elderly 22%).
_AGE_GROUPS = ("child", "working", "elderly")
_AGE_WEIGHTS = (16, 61, 23)
_STATUSES = (Status.ACTIVE, Status.LAPSED, Status.RESIGNED, Status.DECEASED, Status.APPLICANT)
_STATUS_WEIGHTS = {
    "child": (88, 6, 3, 0.5, 2.5),
    "working": (82, 8, 5, 2, 3),
    "elderly": (76, 5, 2, 14, 3),
}
_RELATIONSHIPS = {
    "child": (Beneficiary.Relationship.PARENT, Beneficiary.Relationship.SIBLING),
    "working": (
        Beneficiary.Relationship.SPOUSE,
        Beneficiary.Relationship.SPOUSE,
        Beneficiary.Relationship.CHILD,
        Beneficiary.Relationship.PARENT,
        Beneficiary.Relationship.SIBLING,
    ),
    "elderly": (
        Beneficiary.Relationship.CHILD,
        Beneficiary.Relationship.CHILD,
        Beneficiary.Relationship.GRANDCHILD,
        Beneficiary.Relationship.SPOUSE,
        Beneficiary.Relationship.RELATIVE,
    ),
}
_SPLITS = ((Decimal(50), Decimal(50)), (Decimal(60), Decimal(40)), (Decimal(70), Decimal(30)))


def _between(rng: random.Random, first: int, last: int) -> int:
    """A day (as an ordinal) from first to last inclusive; `last` wins if they cross."""
    return rng.randint(first, last) if last > first else last


def _history(
    rng: random.Random, status: str, joined: int, today: int
) -> list[tuple[str, str, str, int]]:
    """Events that lead from 'applied' to `status`, dated in order, none after today."""
    S, E = Status, Event
    events: list[tuple[str, str, str, int]] = [(E.APPLIED, "", S.APPLICANT, joined)]
    if status == S.APPLICANT:
        return events
    events.append((E.APPROVED, S.APPLICANT, S.ACTIVE, joined))
    # Lapsing comes after missed payments, so not in the member's first months.
    lapse_from = min(joined + 180, today)
    if status == S.ACTIVE:
        if rng.random() < 0.06:
            lapsed = _between(rng, lapse_from, today)
            events.append((E.LAPSED, S.ACTIVE, S.LAPSED, lapsed))
            events.append((E.REINSTATED, S.LAPSED, S.ACTIVE, _between(rng, lapsed, today)))
    elif status == S.LAPSED:
        events.append((E.LAPSED, S.ACTIVE, S.LAPSED, _between(rng, lapse_from, today)))
    elif status == S.RESIGNED:
        current = S.ACTIVE
        day = joined
        if rng.random() < 0.4:
            day = _between(rng, lapse_from, today)
            events.append((E.LAPSED, S.ACTIVE, S.LAPSED, day))
            current = S.LAPSED
        events.append((E.RESIGNED, current, S.RESIGNED, _between(rng, day, today)))
    elif status == S.DECEASED:
        events.append((E.DIED, S.ACTIVE, S.DECEASED, _between(rng, joined, today)))
    return events


def build_fund_content(
    spec: FundSpec, *, today: dt.date, scale: float = 1.0, seed: int = SEED
) -> FundContent:
    """Branches, committee, application and members of one fund, the same for the same inputs."""
    rng = _rng(seed, spec.code)
    randint, rand, choice = rng.randint, rng.random, rng.choice

    village_names: list[str] = []
    for _ in range(randint(5, 15)):
        name = "บ้าน" + names.village_name(rng)
        while name in village_names:
            name = "บ้าน" + names.village_name(rng)
        village_names.append(name)
    branches = tuple(BranchSpec(i + 1, n) for i, n in enumerate(village_names))
    committee = _committee(rng, today)

    submitted = None
    if spec.applying:
        fy_start = dt.date(current_fiscal_year_be(today) - 544, 10, 1)
        start = max(fy_start, today - dt.timedelta(days=150)).toordinal()
        submitted = dt.date.fromordinal(_between(rng, start, today.toordinal()))

    # Members are drawn from their own stream, so the committee or branches never shift them.
    mrng = _rng(seed, spec.code, "members")
    randint, rand, choice = mrng.randint, mrng.random, mrng.choice
    today_n = today.toordinal()
    founded_n = spec.founded_on.toordinal()
    area = spec.tambon_code[2:6]
    drafts: list[dict[str, Any]] = []
    for _ in range(spec.member_count(scale)):
        group = mrng.choices(_AGE_GROUPS, _AGE_WEIGHTS)[0]
        if group == "child":
            years = rand() * 18
        elif group == "working":
            years = 18 + rand() * 42
        else:
            years = 60 + min(mrng.expovariate(1 / 9), 39.9)
        birth_n = today_n - int(years * _DAYS_PER_YEAR)
        birth = dt.date.fromordinal(birth_n)
        age = age_on(birth, today)
        female = rand() < 0.53
        if age < 18:
            group = "child"
            member_type = MemberType.ORPHAN if rand() < 0.04 else MemberType.CHILD
        elif age >= 60:
            group = "elderly"
            member_type = MemberType.ELDERLY
        else:
            group = "working"
            roll = rand()
            member_type = (
                MemberType.DISABLED
                if roll < 0.03
                else MemberType.DISADVANTAGED
                if roll < 0.07
                else MemberType.GENERAL
            )
        status = mrng.choices(_STATUSES, _STATUS_WEIGHTS[group])[0]
        earliest = max(founded_n, birth_n)
        if status != Status.APPLICANT and earliest > today_n - 30:
            status = Status.APPLICANT  # too new to have been approved yet
        if status == Status.APPLICANT:
            joined_n = _between(mrng, max(earliest, today_n - 45), today_n)
        elif birth_n < founded_n and rand() < 0.25:
            joined_n = founded_n + randint(0, 90)  # the founders' first intake
        else:
            joined_n = _between(mrng, earliest, today_n - 30)
        history = _history(mrng, status, joined_n, today_n)

        given = names.given_name(mrng, female)
        family = names.family_name(mrng)
        beneficiaries: list[BeneficiarySpec] = []
        if status != Status.APPLICANT and rand() < (0.5 if group == "child" else 0.6):
            count = 1 if rand() < 0.7 else 2
            shares = (Decimal(100),) if count == 1 else choice(_SPLITS)
            for share in shares:
                relationship = choice(_RELATIONSHIPS[group])
                spouse = relationship == Beneficiary.Relationship.SPOUSE
                b_female = (not female) if spouse else rand() < 0.5
                b_family = family
                if spouse and rand() < 0.5:
                    b_family = names.family_name(mrng)
                b_title = names.title_for(
                    10 if relationship == Beneficiary.Relationship.GRANDCHILD else 30,
                    b_female,
                    spouse or relationship == Beneficiary.Relationship.PARENT,
                )
                beneficiaries.append(
                    BeneficiarySpec(
                        full_name=f"{b_title}{names.given_name(mrng, b_female)} {b_family}",
                        relationship=relationship,
                        share_percent=share,
                        national_id="x" if rand() < 0.4 else "",  # numbered below
                    )
                )
        consents = [
            ConsentSpec(
                Consent.Purpose.MEMBERSHIP,
                Consent.Channel.PAPER if rand() < 0.85 else Consent.Channel.IN_PERSON,
                dt.date.fromordinal(joined_n),
            )
        ]
        if member_type in (MemberType.DISABLED, MemberType.DISADVANTAGED) or rand() < 0.15:
            consents.append(
                ConsentSpec(
                    Consent.Purpose.SENSITIVE,
                    Consent.Channel.PAPER,
                    dt.date.fromordinal(_between(mrng, joined_n, today_n)),
                )
            )
        if rand() < 0.35:
            consents.append(
                ConsentSpec(
                    Consent.Purpose.CONTACT, Consent.Channel.PAPER, dt.date.fromordinal(joined_n)
                )
            )
        house = str(randint(1, 250))
        if rand() < 0.15:
            house += f"/{randint(1, 9)}"
        drafts.append(
            {
                "code": uuid.UUID(int=mrng.getrandbits(128), version=4),
                "title": names.title_for(age, female, age >= 25 and rand() < 0.75),
                "first_name": given,
                "last_name": family,
                "birth_date": birth,
                "category": "1" if birth.year >= 1984 else "3",
                "joined_n": joined_n,
                "member_type": member_type,
                "status": status,
                "history": history,
                "branch": randint(0, len(branches) - 1),
                "house_no": house,
                "beneficiaries": beneficiaries,
                "consents": tuple(consents),
            }
        )

    # Numbers follow the order people joined, as a paper register would.
    drafts.sort(key=lambda d: (d["joined_n"], str(d["code"])))
    members = []
    for serial, d in enumerate(drafts, start=1):
        numbered = tuple(
            BeneficiarySpec(
                b.full_name,
                b.relationship,
                b.share_percent,
                synthetic_national_id(category="1", office="98", area=area, serial=serial * 2 + i)
                if b.national_id
                else "",
            )
            for i, b in enumerate(d["beneficiaries"])
        )
        steps = tuple(
            HistorySpec(ev, frm, to, dt.date.fromordinal(day)) for ev, frm, to, day in d["history"]
        )
        members.append(
            MemberSpec(
                code=d["code"],
                number=f"{serial:05d}",
                title=d["title"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                national_id=synthetic_national_id(
                    category=d["category"], office="99", area=area, serial=serial
                ),
                birth_date=d["birth_date"],
                joined_on=dt.date.fromordinal(d["joined_n"]),
                member_type=d["member_type"],
                status=d["status"],
                status_since=steps[-1].effective_on,
                branch=d["branch"],
                house_no=d["house_no"],
                history=steps,
                beneficiaries=numbered,
                consents=d["consents"],
            )
        )
    return FundContent(branches, committee, tuple(members), submitted)


# --- Logins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role_label: str
    fund_code: str = ""
    role: str = ""
    seat: str = ""  # committee position whose current seat this user takes
    officer_level: str = ""
    area_code: str = ""
    superuser: bool = False


def login_specs(plan: Sequence[FundSpec]) -> list[LoginSpec]:
    """A user for every role in the showcase fund, a chair elsewhere, officers, an admin."""
    if not plan:
        return []
    P = CommitteeMember.Position
    showcase = plan[0]
    seats = {Role.CHAIR: P.CHAIR, Role.TREASURER: P.TREASURER, Role.SECRETARY: P.SECRETARY}
    seats[Role.COMMITTEE] = P.MEMBER
    specs = [
        LoginSpec(
            f"demo-{role.value}",
            str(role.label),
            fund_code=showcase.code,
            role=role.value,
            seat=seats.get(role, ""),
        )
        for role in Role
    ]
    if len(plan) > 1:
        specs.append(
            LoginSpec(
                "demo-chair2",
                str(Role.CHAIR.label),
                fund_code=plan[1].code,
                role=Role.CHAIR.value,
                seat=P.CHAIR,
            )
        )
    L = OfficerAssignment.Level
    specs += [
        LoginSpec("demo-tambon", str(L.TAMBON.label), officer_level=L.TAMBON,
                  area_code=showcase.tambon_code),
        LoginSpec("demo-amphoe", str(L.AMPHOE.label), officer_level=L.AMPHOE,
                  area_code=showcase.amphoe_code),
        LoginSpec("demo-province", str(L.PROVINCE.label), officer_level=L.PROVINCE,
                  area_code=PROVINCE_CODE),
        LoginSpec("demo-admin", "System administrator", superuser=True),
    ]  # fmt: skip
    return specs


# --- Writing it to the database ---------------------------------------------------------------


@dataclass
class LoginRow:
    username: str
    role: str
    where: str
    created: bool


@dataclass
class LoadResult:
    funds_created: int = 0
    funds_existing: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    logins: list[LoginRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def users_created(self) -> int:
        return sum(1 for row in self.logins if row.created)


def lampang_tambons() -> list[TambonRow]:
    rows = Tambon.objects.filter(amphoe__province_id=PROVINCE_CODE).order_by("code")
    return [TambonRow(t.code, t.name_th, t.amphoe_id) for t in rows]


# The five big tables are written with RawInsert (kongtun.demo.inserts). Members are still
# built by members.services._build_member, so a national ID is encrypted and indexed exactly
# as the app does it.
_MEMBER_FIELDS = (
    "code", "fund_id", "number", "title", "first_name", "last_name", "national_id_encrypted",
    "national_id_index", "national_id_tail", "birth_date", "phone", "house_no", "moo", "street",
    "tambon_id", "branch_id", "member_type", "joined_on", "status", "status_since",
    "import_batch_id", "created_at", "updated_at",
)  # fmt: skip
_HISTORY_FIELDS = (
    "fund_id", "member_id", "event", "from_status", "to_status", "effective_on", "note",
    "recorded_at",
)  # fmt: skip
_BENEFICIARY_FIELDS = (
    "fund_id", "member_id", "full_name", "relationship", "share_percent",
    "national_id_encrypted", "national_id_index", "national_id_tail",
)  # fmt: skip
_CONSENT_FIELDS = ("fund_id", "member_id", "purpose", "channel", "given_on")


def villages_in_area(spec: FundSpec, branches: int) -> int:
    """How many villages the fund's area has: its branches are the villages its members come
    from, and most areas have a few more; about one fund in eight reaches under half of them
    (CODI's coverage criterion then fails, as it does for real funds)."""
    rng = _rng(SEED, spec.code, "villages")
    share = rng.uniform(0.35, 0.5) if rng.random() < 0.125 else rng.uniform(0.55, 1.0)
    return max(branches, math.ceil(branches / share))


def _create_fund(
    spec: FundSpec,
    content: FundContent,
    ledger: books.BooksPlan,
    dues: contributions.DuesPlan,
    welfare: claims.ClaimsPlan,
) -> Counter[str]:
    """Write one fund and everything in it, books, contributions and claims included, in one
    transaction, with one audit entry for the fund, one for its books and one for its
    contributions (its regulations are installed through the welfare services, audited as
    such)."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        fund = Fund.objects.create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            tambon_id=spec.tambon_code,
            municipality_name=spec.municipality_name,
            founded_on=spec.founded_on,
            fiscal_year=spec.fiscal_year,
            villages_in_area=villages_in_area(spec, len(content.branches)),
            is_demo=True,
        )
        tambon = fund.tambon
        with fund_scope(fund):
            branches = Branch.objects.bulk_create(
                [Branch(fund=fund, kind=Branch.Kind.MOO, number=b.number, name=b.name)
                 for b in content.branches]
            )  # fmt: skip
            CommitteeMember.objects.bulk_create(
                CommitteeMember(
                    fund=fund,
                    full_name=s.full_name,
                    position=s.position,
                    representing=s.representing,
                    term_start=s.term_start,
                    term_end=s.term_end,
                )
                for s in content.committee
            )
            if content.application_submitted_on is not None:
                CofundingApplication.objects.create(
                    fund=fund,
                    fiscal_year_be=current_fiscal_year_be(timezone.localdate()),
                    status=CofundingApplication.Status.SUBMITTED,
                    submitted_on=content.application_submitted_on,
                )
            now = timezone.now()
            members = []
            for m in content.members:
                branch = branches[m.branch]
                member = _build_member(
                    fund=fund,
                    number=m.number,
                    data=MemberInput(
                        first_name=m.first_name,
                        last_name=m.last_name,
                        national_id=m.national_id,
                        birth_date=m.birth_date,
                        joined_on=m.joined_on,
                        title=m.title,
                        house_no=m.house_no,
                        moo=branch.number,
                        tambon=tambon,
                        branch=branch,
                        member_type=m.member_type,
                        status=m.status,
                    ),
                )
                member.code = m.code
                member.status_since = m.status_since
                member.created_at = member.updated_at = now
                members.append(member)
            RawInsert(Member, _MEMBER_FIELDS).run(
                [tuple(getattr(x, name) for name in _MEMBER_FIELDS) for x in members]
            )
            # The raw insert returns no keys; the member numbers are unique in the fund.
            ids = dict(Member.objects.filter(fund=fund).values_list("number", "pk"))
            history, beneficiaries, consents = [], [], []
            for m in content.members:
                member_id = ids[m.number]
                history += [
                    (fund.pk, member_id, h.event, h.from_status, h.to_status, h.effective_on,
                     h.note, now)
                    for h in m.history
                ]  # fmt: skip
                for b in m.beneficiaries:
                    secret = ("", "", "")
                    if b.national_id:
                        secret = (
                            crypto.encrypt(b.national_id),
                            national_id_index(b.national_id),
                            b.national_id[-3:],
                        )
                    beneficiaries.append(
                        (fund.pk, member_id, b.full_name, b.relationship, b.share_percent, *secret)
                    )
                consents += [
                    (fund.pk, member_id, c.purpose, c.channel, c.given_on) for c in m.consents
                ]
            RawInsert(StatusChange, _HISTORY_FIELDS).run(history)
            RawInsert(Beneficiary, _BENEFICIARY_FIELDS).run(beneficiaries)
            RawInsert(Consent, _CONSENT_FIELDS).run(consents)
            keeper = books_load.bookkeeper()
            written = books_load.books_write(fund=fund, plan=ledger, closed_by=keeper)
            dues_counts = contributions_load.dues_write(
                fund=fund, dues=dues, ledger=ledger, written=written, member_ids=ids, by=keeper
            )
            claim_counts = claims_load.claims_write(
                fund=fund,
                plan=welfare,
                ledger=ledger,
                written=written,
                member_ids=ids,
                member_numbers=[m.number for m in content.members],
                by=keeper,
            )
        counts.update(
            funds=1,
            branches=len(branches),
            committee_seats=len(content.committee),
            applications=int(content.application_submitted_on is not None),
            members=len(members),
            status_changes=len(history),
            beneficiaries=len(beneficiaries),
            consents=len(consents),
        )
        counts.update(claim_counts)
        book_counts = {k: written[k] for k in ("book_entries", "book_lines", "period_closes")}
        # The last receipt number of each fiscal year (the receipts are in number order).
        last_receipt = {str(r.fiscal_year): r.seq for r in dues.receipts}
        # One entry for the fund, one for its books and one for its contributions, not one per
        # member, receipt or book entry: a hash-chained entry per row would multiply the run
        # time and bury the trail under generated rows. The counts say what the loader put in,
        # and the ledger head's hash ties the books' own chain (every receipt's entry in it)
        # into the audit trail; every later change is audited.
        audit_log(
            fund=fund,
            actor=None,
            changes=[
                Change.of(
                    "demo.fund.loaded",
                    fund,
                    after={"code": fund.code, "name": fund.name},
                    counts={k: v for k, v in counts.items() if k != "funds"},
                ),
                Change.of(
                    "demo.books.loaded",
                    fund,
                    after=written["head"],
                    counts=book_counts,
                    period={"from": written["first_day"], "to": written["last_day"]},
                ),
                Change.of(
                    "demo.contributions.loaded",
                    fund,
                    after={"last_receipt": last_receipt},
                    counts=dict(dues_counts),
                ),
            ],
        )
        counts.update(book_counts)
        counts.update(dues_counts)
    return counts


def _where(spec: LoginSpec, funds: dict[str, Fund]) -> str:
    if spec.fund_code:
        fund = funds.get(spec.fund_code)
        return f"{fund.name} ({fund.code})" if fund else spec.fund_code
    if spec.officer_level == OfficerAssignment.Level.TAMBON:
        tambon = Tambon.objects.filter(code=spec.area_code).first()
        return f"ตำบล{tambon.name_th} ({spec.area_code})" if tambon else spec.area_code
    if spec.officer_level == OfficerAssignment.Level.AMPHOE:
        amphoe = Amphoe.objects.filter(code=spec.area_code).first()
        return f"อำเภอ{amphoe.name_th} ({spec.area_code})" if amphoe else spec.area_code
    if spec.officer_level == OfficerAssignment.Level.PROVINCE:
        return f"จังหวัดลำปาง ({spec.area_code})"
    return "all funds (Django admin)"


def _create_login(spec: LoginSpec, password_hash: str, fund: Fund | None, today: dt.date) -> None:
    """One user with their role or area, in one transaction. A new committee user takes the
    current seat of their position in the showcase fund (if nobody holds it yet)."""
    seat_rng = _rng(SEED, spec.username)
    with transaction.atomic():
        user = User(
            username=spec.username,
            password=password_hash,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
        )
        seat = None
        if fund is not None and spec.role:
            with fund_scope(fund):
                if spec.seat:
                    seat = (
                        CommitteeMember.objects.filter(
                            fund=fund,
                            position=spec.seat,
                            term_start__lte=today,
                            term_end__gte=today,
                            user__isnull=True,
                        )
                        .order_by("pk")
                        .first()
                    )
        user.full_name = (
            seat.full_name
            if seat
            else ("ผู้ดูแลระบบ (สาธิต)" if spec.superuser else _person_name(seat_rng))
        )
        user.save()
        if seat is not None and fund is not None:
            with fund_scope(fund):
                seat.user = user
                seat.save(update_fields=["user"])
        if fund is not None and spec.role:
            FundRole.objects.create(fund=fund, user=user, role=spec.role)
        if spec.officer_level:
            OfficerAssignment.objects.create(
                user=user, level=spec.officer_level, area_code=spec.area_code
            )


def _refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows just written in bulk. Without statistics it takes
    the big tables for empty and joins them row by row: seconds per query on the books."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def load_demo(
    *,
    scale: float = 1.0,
    funds_limit: int | None = None,
    seed: int = SEED,
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadResult:
    """Build the demo province, skipping every fund and login that already exists.

    `progress(done, to_do, line)` is called after each fund this run creates.
    """
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be above 0 and at most {MAX_SCALE}")
    started = time.monotonic()
    today = timezone.localdate()
    tambons = lampang_tambons()
    if not tambons:
        raise RuntimeError("Lampang (52) is not in the geo tables; run `manage.py migrate` first")
    plan = plan_province(tambons, seed=seed)
    over_cap = books.over_cap_codes(plan, seed=seed)  # from the whole plan, whatever --funds
    if funds_limit is not None:
        plan = plan[: max(funds_limit, 0)]
    result = LoadResult()
    existing = set(
        Fund.objects.filter(code__in=[s.code for s in plan]).values_list("code", flat=True)
    )
    to_do = sum(1 for s in plan if s.code not in existing)
    for spec in plan:
        if spec.code in existing:
            result.funds_existing += 1
            continue
        tick = time.monotonic()
        content = build_fund_content(spec, today=today, scale=scale, seed=seed)
        dues = contributions.plan_dues(spec, content, today=today, seed=seed)
        # Lapses dated as the fund's rule has them, for the receipts made.
        content = replace(content, members=dues.members)
        regulations = claims.adoptions(spec, today=today)
        welfare = claims.plan_claims(spec, content, dues, regulations, today=today, seed=seed)
        ledger = books.plan_books(
            spec,
            content,
            today=today,
            seed=seed,
            dues=dues,
            claims=welfare,
            over_cap=spec.code in over_cap,
        )
        counts = _create_fund(spec, content, ledger, dues, welfare)
        result.funds_created += 1
        result.counts.update(counts)
        if progress is not None:
            progress(
                result.funds_created,
                to_do,
                f"{spec.code} {spec.name}: {counts['members']:,} members, "
                f"{counts['receipts']:,} receipts, {counts['claims']:,} claims, "
                f"{counts['book_entries']:,} book entries"
                f" ({time.monotonic() - tick:.1f} s)",
            )

    if result.funds_created:
        _refresh_statistics()
    funds = {f.code: f for f in Fund.objects.filter(code__in=[s.code for s in plan[:2]])}
    taken = set(
        User.objects.filter(username__in=[s.username for s in login_specs(plan)]).values_list(
            "username", flat=True
        )
    )
    password_hash = ""
    for login in login_specs(plan):
        created = login.username not in taken
        if login.fund_code and login.fund_code not in funds:
            continue  # its fund is not in this run (--funds), so neither is the login
        if created:
            # Hash once: Argon2 is deliberately slow, and every demo user shares the password.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            _create_login(login, password_hash, funds.get(login.fund_code), today)
        result.logins.append(
            LoginRow(login.username, login.role_label, _where(login, funds), created)
        )

    showcase = funds.get(plan[0].code) if plan else None
    if showcase is not None and showcase.code not in existing:
        # Collection sessions and vouchers need the showcase's demo users, who exist only
        # now; like the rest of the fund they are added in the run that creates it.
        who = {
            f"demo-{r.value}": r
            for r in (Role.TREASURER, Role.SECRETARY, Role.COMMITTEE, Role.COLLECTOR)
        }
        users = {u.username: u for u in User.objects.filter(username__in=who)}
        if len(users) == len(who):
            # Sessions first: their cash is in hand before the vouchers look for some.
            result.counts.update(
                contributions_load.showcase_sessions(
                    fund=showcase,
                    collector=users["demo-collector"],
                    treasurer=users["demo-treasurer"],
                    today=today,
                )
            )
            result.counts.update(
                books_load.showcase_paperwork(
                    fund=showcase,
                    treasurer=users["demo-treasurer"],
                    secretary=users["demo-secretary"],
                    approver=users["demo-committee"],
                    today=today,
                )
            )

    result.counts["public_summaries"] = publishing.summaries_load(
        funds=[funds[s.code] for s in plan[:2] if s.code in funds], today=today
    )

    officer = User.objects.filter(username="demo-province").first()
    if officer is not None and funds_limit is None:
        # A whole province only: the laptop fund lives in a tambon the plan left free.
        result.counts["laptop_funds"] = laptop.laptop_load(
            plan=plan, tambons=tambons, scale=scale, seed=seed, officer=officer
        )

    if officer is not None:
        # The 54 applicants screened against CODI's criteria, meeting 1/<year> called and
        # waiting for the committee's decisions (nothing is added on a second run).
        screened = vetting.vetting_load(
            province_code=PROVINCE_CODE,
            fiscal_year_be=current_fiscal_year_be(today),
            today=today,
            officer=officer,
        )
        result.counts.update({f"vetting_{k}": v for k, v in screened.items()})

    if result.funds_created:
        in_plan = Fund.objects.filter(code__in=[s.code for s in plan]).select_related("tambon")
        ordered = sorted(in_plan, key=lambda f: [s.code for s in plan].index(f.code))
        last_year = current_fiscal_year_be(today) - 1
        result.counts["year_reports"] = outcomes.outcomes_load(
            funds=ordered, fiscal_year_be=last_year, today=today, by_user=books_load.bookkeeper()
        )

    if result.funds_created or result.users_created:
        audit_log(
            fund=None,
            actor=None,
            changes=[
                Change(
                    "demo.province.loaded",
                    "geo.province",
                    PROVINCE_CODE,
                    after={"funds": result.funds_created, "users": result.users_created},
                    extra={
                        "counts": dict(result.counts),
                        "users": [r.username for r in result.logins if r.created],
                        "scale": scale,
                        "seed": seed,
                    },
                )
            ],
        )
    result.seconds = time.monotonic() - started
    return result
