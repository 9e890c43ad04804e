"""`manage.py load_demo`: a deterministic, idempotent, consistent demo province."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.contributions.models import CollectionSession, Plan, Receipt, Standing
from kongtun.demo import books, claims, names
from kongtun.demo import province as demo
from kongtun.demo.contributions import plan_dues
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
from kongtun.ledger import core
from kongtun.ledger.models import (
    Account,
    BankReconciliation,
    JournalEntry,
    JournalLine,
    LedgerHead,
    PeriodClose,
    Voucher,
)
from kongtun.ledger.selectors import trial_balance
from kongtun.ledger.services import closed_period_on, entry_post
from kongtun.ledger.statements import Period, admin_ratio, fiscal_year_of
from kongtun.ledger.verify import verify_ledger
from kongtun.lib import crypto
from kongtun.lib.thaidate import age_on
from kongtun.lib.thaiid import normalize_national_id
from kongtun.members.models import (
    TRANSITIONS,
    Beneficiary,
    Consent,
    Member,
    MemberType,
    Status,
    StatusChange,
)
from kongtun.network.selectors import current_fiscal_year_be
from kongtun.welfare.models import Claim, Meeting, Payee, Regulation

SCALE = 0.01
TODAY = dt.date(2026, 3, 15)  # the pure plan takes the date as input; any fixed day will do


def load(**options):
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def demo_funds():
    return list(Fund.objects.filter(is_demo=True).order_by("code"))


def snapshot() -> dict[str, int]:
    funds = demo_funds()
    counts = {
        "funds": len(funds),
        "users": User.objects.filter(username__startswith="demo-").count(),
        "roles": FundRole.objects.count(),
        "officers": OfficerAssignment.objects.count(),
    }
    with scopes_disabled():  # the audit trail spans every fund's chain and the system one
        counts["audit"] = AuditEntry.objects.count()
    with fund_scope(funds):
        for model in (Branch, CommitteeMember, CofundingApplication, Member, StatusChange,
                      Beneficiary, Consent, Account, JournalEntry, JournalLine, PeriodClose,
                      Voucher, BankReconciliation, Plan, Standing, Receipt,
                      CollectionSession, Regulation, Meeting, Claim, Payee):  # fmt: skip
            counts[model.__name__] = model.objects.count()
    return counts


@pytest.fixture
def tambons(db):
    return demo.lampang_tambons()


# --- The plan, without the database ----------------------------------------------------------


def test_the_plan_is_the_same_every_time(tambons):
    plan = demo.plan_province(tambons)
    assert plan == demo.plan_province(tambons)
    assert demo.plan_province(tambons, seed=1) != plan
    for spec in plan[:3]:
        first = demo.build_fund_content(spec, today=TODAY, scale=0.05)
        again = demo.build_fund_content(spec, today=TODAY, scale=0.05)
        assert first == again
        assert [m.national_id for m in first.members] == [m.national_id for m in again.members]


def test_the_plan_covers_lampang(tambons):
    plan = demo.plan_province(tambons)
    assert len(tambons) == 100
    assert len(plan) == 90
    assert len({s.amphoe_code for s in plan}) == 13
    assert sum(s.applying for s in plan) == 54
    showcase = plan[0]
    assert showcase.amphoe_code == "5201" and showcase.applying
    assert showcase.code == f"lp-{showcase.tambon_code}"
    by_code = {t.code: t for t in tambons}
    for s in plan:
        name = by_code[s.tambon_code].name_th
        if s.kind == Fund.Kind.MUNICIPALITY:
            assert s.name == f"กองทุนสวัสดิการชุมชนเทศบาลตำบล{name}"
        else:
            assert s.name == f"กองทุนสวัสดิการชุมชนตำบล{name}"
        assert dt.date(2005, 1, 1) <= s.founded_on <= dt.date(2017, 12, 31)  # BE 2548–2560
        assert demo.MEMBERS_MIN <= s.base_members <= demo.MEMBERS_MAX
    kinds = Counter(s.kind for s in plan)
    assert 0 < kinds[Fund.Kind.MUNICIPALITY] < 15
    years = Counter(s.fiscal_year for s in plan)
    assert 0 < years[Fund.FiscalYear.CALENDAR] < years[Fund.FiscalYear.GOVERNMENT]
    assert 900 < sum(s.base_members for s in plan) / len(plan) < 1400


def test_every_member_is_consistent(tambons):
    plan = demo.plan_province(tambons)
    statuses: Counter[str] = Counter()
    for spec in plan[:20]:
        content = demo.build_fund_content(spec, today=TODAY, scale=0.05)
        assert 5 <= len(content.branches) <= 15
        assert len({b.name for b in content.branches}) == len(content.branches)
        assert all(b.name.startswith("บ้าน") for b in content.branches)
        ids = [m.national_id for m in content.members]
        assert len(set(ids)) == len(ids)
        for m in content.members:
            statuses[m.status] += 1
            assert normalize_national_id(m.national_id) == m.national_id
            assert m.national_id[1:3] == "99"  # no province has code 99: never a real ID
            assert any(mark in m.last_name for mark in names.FAMILY_MARKERS)
            assert m.birth_date <= m.joined_on <= TODAY
            assert spec.founded_on <= m.joined_on
            age = age_on(m.birth_date, TODAY)
            if age < 18:
                assert m.member_type in (MemberType.CHILD, MemberType.ORPHAN)
            elif age >= 60:
                assert m.member_type == MemberType.ELDERLY
            else:
                assert m.member_type not in (
                    MemberType.CHILD, MemberType.ORPHAN, MemberType.ELDERLY
                )  # fmt: skip
            # Replaying the history through the lifecycle rules ends in the member's status.
            assert m.history[0].event == "applied" and m.history[0].effective_on == m.joined_on
            state, day = m.history[0].to_status, m.joined_on
            for step in m.history[1:]:
                allowed, to_status = TRANSITIONS[step.event]
                assert state in allowed and step.from_status == state
                assert to_status == step.to_status
                assert day <= step.effective_on <= TODAY
                state, day = to_status, step.effective_on
            assert (state, day) == (m.status, m.status_since)
            shares = sum((b.share_percent for b in m.beneficiaries), Decimal(0))
            assert not m.beneficiaries or shares == 100
            for b in m.beneficiaries:
                assert any(mark in b.full_name for mark in names.FAMILY_MARKERS)
                if b.national_id:
                    assert normalize_national_id(b.national_id)[1:3] == "98"
            purposes = [c.purpose for c in m.consents]
            assert purposes.count(Consent.Purpose.MEMBERSHIP) == 1
            if m.member_type in (MemberType.DISABLED, MemberType.DISADVANTAGED):
                assert Consent.Purpose.SENSITIVE in purposes
        _check_committee(content.committee)
    assert statuses[Status.ACTIVE] > sum(statuses.values()) * 0.6
    assert {Status.APPLICANT, Status.LAPSED, Status.RESIGNED, Status.DECEASED} <= set(statuses)


def _check_committee(seats):
    P = CommitteeMember.Position
    terms = sorted({(s.term_start, s.term_end) for s in seats})
    assert len(terms) == 2
    (_, prev_end), (start, end) = terms
    assert start <= TODAY <= end and prev_end == start - dt.timedelta(days=1)
    assert end + dt.timedelta(days=1) == start.replace(year=start.year + 2)  # a two-year term
    for term in terms:
        roster = [s for s in seats if (s.term_start, s.term_end) == term]
        assert 10 <= len(roster) <= 20
        positions = Counter(s.position for s in roster)
        for one in (P.CHAIR, P.VICE_CHAIR, P.TREASURER, P.SECRETARY):
            assert positions[one] == 1
        assert positions[P.ADVISER] >= 1
        assert len({s.representing for s in roster}) >= 3


# --- Loading ----------------------------------------------------------------------------------


def test_load_is_idempotent_and_keeps_later_edits(db):
    load(funds=3, scale=SCALE)
    before = snapshot()
    assert before["funds"] == 3 and before["JournalEntry"] > 3 * 100
    with scopes_disabled():
        loader = Counter(AuditEntry.objects.filter(action__startswith="demo.").values_list(
            "action", flat=True))  # fmt: skip
    # One for each fund, its books, its contributions and its year reports, one for the
    # province; the showcase's vouchers and collection sessions went through the services and
    # are audited one by one like anybody's.
    assert loader == {
        "demo.fund.loaded": 3,
        "demo.books.loaded": 3,
        "demo.contributions.loaded": 3,
        "demo.outcomes.loaded": 3,
        "demo.province.loaded": 1,
    }
    showcase = Fund.objects.get(code=demo_funds()[0].code)
    Fund.objects.filter(pk=showcase.pk).update(name="ชื่อที่แก้แล้ว")
    with fund_scope(showcase):
        member = Member.objects.filter(fund=showcase).order_by("number")[0]
        Member.objects.filter(pk=member.pk).update(first_name="แก้ชื่อแล้ว")

    out = load(funds=3, scale=SCALE)

    assert "3 demo funds already existed" in out
    assert snapshot() == before
    assert Fund.objects.get(pk=showcase.pk).name == "ชื่อที่แก้แล้ว"
    with fund_scope(showcase):
        assert Member.objects.get(pk=member.pk).first_name == "แก้ชื่อแล้ว"
    assert verify_audit() == []


def test_members_ids_and_history_in_the_database(db, tambons):
    load(funds=3, scale=SCALE)
    plan = demo.plan_province(tambons)[:3]
    funds = demo_funds()
    assert [f.code for f in funds] == [s.code for s in plan]
    low = max(demo.MIN_SCALED_MEMBERS, round(demo.MEMBERS_MIN * SCALE))
    high = max(demo.MIN_SCALED_MEMBERS, round(demo.MEMBERS_MAX * SCALE))
    for fund, spec in zip(funds, plan, strict=True):
        assert fund.is_demo and fund.tambon_id == spec.tambon_code
        with fund_scope(fund):
            members = list(Member.objects.filter(fund=fund).prefetch_related("history"))
            assert low <= len(members) == spec.member_count(SCALE) <= high
            for m in members:
                digits = crypto.decrypt(m.national_id_encrypted)
                assert normalize_national_id(digits) == digits
                assert digits.endswith(m.national_id_tail)
                history = sorted(m.history.all(), key=lambda h: (h.effective_on, h.pk))
                assert history[-1].to_status == m.status
                assert history[-1].effective_on == m.status_since
                assert m.branch is not None
                assert m.branch.fund_id == fund.pk and m.moo == m.branch.number
            assert Consent.objects.filter(purpose=Consent.Purpose.MEMBERSHIP).count() == len(
                members
            )
            chairs = CommitteeMember.objects.filter(
                position=CommitteeMember.Position.CHAIR,
                term_start__lte=timezone.localdate(),
                term_end__gte=timezone.localdate(),
            )
            assert chairs.count() == 1


def test_logins_for_every_role_and_area(db):
    out = load(funds=2, scale=SCALE)
    showcase, second = demo_funds()
    for role in Role:
        user = User.objects.get(username=f"demo-{role.value}")
        assert user.check_password(demo.DEMO_PASSWORD)
        assert FundRole.objects.get(user=user).fund == showcase
        assert FundRole.objects.get(user=user).role == role.value
        assert user.username in out
    chair2 = User.objects.get(username="demo-chair2")
    assert list(FundRole.objects.filter(user=chair2).values_list("fund", "role")) == [
        (second.pk, Role.CHAIR)
    ]
    areas = {
        a.user.username: (a.level, a.area_code)
        for a in OfficerAssignment.objects.select_related("user")
    }
    assert areas == {
        "demo-tambon": ("tambon", showcase.tambon_id),
        "demo-amphoe": ("amphoe", "5201"),
        "demo-province": ("province", "52"),
    }
    admin = User.objects.get(username="demo-admin")
    assert admin.is_superuser and admin.is_staff
    assert not FundRole.objects.filter(user__username__in=["demo-admin", "demo-province"])
    with fund_scope(showcase):
        seat = CommitteeMember.objects.get(user__username="demo-chair")
        assert seat.position == CommitteeMember.Position.CHAIR
        assert seat.full_name == User.objects.get(username="demo-chair").full_name
    assert demo.LOGIN_URL in out and demo.DEMO_PASSWORD in out


def test_the_whole_province_at_tiny_scale(db):
    load(scale=0.002)
    funds = demo_funds()
    # 90 funds keep their records here; one more, on its own computer, sent its package.
    assert len([f for f in funds if f.runs_on == Fund.RunsOn.SERVER]) == 90
    assert len([f for f in funds if f.runs_on == Fund.RunsOn.OWN_COMPUTER]) == 1
    assert len({f.tambon.amphoe_id for f in funds}) == 13
    with fund_scope(funds):
        applications = CofundingApplication.objects.all()
        assert applications.count() == 54
        assert set(applications.values_list("fiscal_year_be", "status")) == {
            (current_fiscal_year_be(timezone.localdate()), CofundingApplication.Status.SUBMITTED)
        }
        plan = demo.plan_province(demo.lampang_tambons())
        assert Member.objects.count() == sum(s.member_count(0.002) for s in plan)
        opening = JournalEntry.objects.filter(kind=JournalEntry.Kind.OPENING)
        assert sorted(opening.values_list("fund__code", flat=True)) == sorted(s.code for s in plan)
    assert verify_ledger() == []
    assert verify_audit() == []


def test_an_interrupted_run_leaves_whole_funds(db, monkeypatch):
    real = demo.audit_log
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(demo, "audit_log", failing)
    with pytest.raises(RuntimeError):
        demo.load_demo(funds_limit=3, scale=SCALE)
    funds = demo_funds()
    assert len(funds) == 1
    with fund_scope(funds):
        assert Member.objects.count() == demo.plan_province(demo.lampang_tambons())[0].member_count(
            SCALE
        )

    monkeypatch.setattr(demo, "audit_log", real)
    demo.load_demo(funds_limit=3, scale=SCALE)
    assert len(demo_funds()) == 3
    assert verify_audit() == []


def test_it_refuses_a_deployment_served_over_https(db, settings):
    settings.HTTPS = True
    with pytest.raises(CommandError, match="HTTPS"):
        load(funds=1, scale=SCALE)
    assert not Fund.objects.exists()


# --- Books ------------------------------------------------------------------------------------

NATIONAL_ID = re.compile(r"\d{13}")


def plan_welfare(spec, content, dues, today=TODAY):
    return claims.plan_claims(
        spec, content, dues, claims.adoptions(spec, today=today), today=today, seed=demo.SEED
    )


def running_balances(plan: books.BooksPlan) -> dict[str, Decimal]:
    """Walk the entries in the order the cash and bank books show them; return the lowest
    balance each money account reaches."""
    balance = {books.CASH: Decimal(0), books.BANK: Decimal(0)}
    lowest = dict(balance)
    for planned in sorted(plan.entries, key=lambda e: e.entry.date):  # stable: number order
        for p in planned.entry.postings:
            if p.account in balance:
                balance[p.account] += p.amount
                lowest[p.account] = min(lowest[p.account], balance[p.account])
    return lowest


def test_the_books_plan_follows_the_members(tambons):
    plan = demo.plan_province(tambons)
    paper_totals = 0
    for spec in plan[:4]:
        content = demo.build_fund_content(spec, today=TODAY, scale=0.05)
        dues = plan_dues(spec, content, today=TODAY, seed=demo.SEED)
        content = replace(content, members=dues.members)
        welfare = plan_welfare(spec, content, dues)
        ledger = books.plan_books(
            spec, content, today=TODAY, seed=demo.SEED, dues=dues, claims=welfare
        )
        assert ledger == books.plan_books(
            spec, content, today=TODAY, seed=demo.SEED, dues=dues, claims=welfare
        )
        start, end = ledger.start, ledger.end
        assert end == dt.date(2026, 2, 28)  # the end of the month before TODAY
        assert start == books.fiscal_year_start(spec.fiscal_year, start)
        assert 30 <= (end.year - start.year) * 12 + end.month - start.month + 1 <= 41

        first = ledger.entries[0]
        assert first.kind == JournalEntry.Kind.OPENING and first.entry.date == start
        for planned in ledger.entries:
            assert core.validate_entry(planned.entry) == []
            assert start <= planned.entry.date <= end
            assert all(type(p.amount) is Decimal for p in planned.entry.postings)
        assert all(low >= 0 for low in running_balances(ledger).values())

        # Contributions: an entry for each receipt, as payment_record posts it, a reversal for
        # each voided one, and before the first receipt a monthly total from the paper
        # register: 30 baht from most of the members active that day, never more.
        members, fees = books.CODE["income.members"], books.CODE["income.entry_fees"]
        linked = {e.link: e for e in ledger.entries if e.link is not None}
        for i, r in enumerate(dues.receipts):
            posted = linked["receipt", i]
            assert posted.kind == JournalEntry.Kind.CONTRIBUTION and posted.entry.date == r.date
            assert [(p.account, p.amount) for p in posted.entry.postings] == [
                (books.CASH, r.total),
                *([(members, -r.contribution)] if r.contribution else []),
                *([(fees, -r.fee)] if r.fee else []),
            ]
            assert r.number in posted.entry.memo
            if r.void_on is not None:
                void = linked["void", i]
                assert ledger.entries[void.reverses or 0] is posted
                assert [p.amount for p in void.entry.postings] == [
                    -p.amount for p in posted.entry.postings
                ]
        assert all(r.date >= dues.receipts_from for r in dues.receipts)
        people = books._People(content.members)
        income: dict[str, Decimal] = defaultdict(Decimal)
        for e in ledger.entries:
            lines = {p.account: p.amount for p in e.entry.postings}
            if e.link is None and (members in lines or fees in lines):
                paper_totals += 1
                assert e.kind == JournalEntry.Kind.CONTRIBUTION
                assert e.entry.date < dues.receipts_from
                if members in lines:
                    active = people.active_on(e.entry.date)
                    paid = -lines[members]
                    assert paid % 30 == 0 and 30 * (active * 85 // 100) <= paid <= 30 * active
            elif members in lines or fees in lines:
                assert e.link is not None and e.link[0] in ("receipt", "void")
                for account in (members, fees):
                    income[account] -= lines.get(account, Decimal(0))
            else:
                assert e.kind != JournalEntry.Kind.CONTRIBUTION
        kept = [r for r in dues.receipts if r.void_on is None]
        assert income[members] == sum(r.contribution for r in kept) > 0
        assert income[fees] == sum(r.fee for r in kept) > 0
        for i, c in enumerate(dues.cofunds):
            cofunded = [(p.account, p.amount) for p in linked["cofund", i].entry.postings]
            assert cofunded == [(books.BANK, c.amount), (books.CODE[c.role], -c.amount)]

        # Welfare is paid claim by claim: an entry for each paid claim on its payment day, as
        # its voucher posts it, and no other welfare payment but the mistake put right below.
        settled = {n: c for n, c in enumerate(welfare.claims) if c.paid_on is not None}
        by_claim = {e.link[1]: e for e in ledger.entries if e.link and e.link[0] == "claim"}
        assert by_claim.keys() == settled.keys()
        for n, claim in settled.items():
            posted = by_claim[n]
            assert posted.kind == JournalEntry.Kind.CLAIM and posted.entry.date == claim.paid_on
            money, expense = posted.entry.postings
            assert money.account in (books.CASH, books.BANK) and money.amount == -claim.amount
            assert (expense.account, expense.amount) == (books.CODE[claim.account], claim.amount)
            assert claim.number in posted.entry.memo and claim.benefit_name in posted.entry.memo
            assert not NATIONAL_ID.search(posted.entry.memo)
        others = [
            e for e in ledger.entries
            if any(r.startswith("welfare.") for r in _roles(e))
            and e.kind != JournalEntry.Kind.CLAIM
        ]  # fmt: skip
        assert len(others) <= 2  # the mistake and its reversal
        # A death claim for every member who died within the books and named beneficiaries,
        # where the regulation has a death benefit.
        if any(b.for_beneficiary for b in claims.regulation_for(spec).benefits):
            died = {
                i
                for i, m in enumerate(content.members)
                for h in m.history
                if h.event == "died" and start <= h.effective_on <= TODAY and m.beneficiaries
            }
            assert {c.member for c in welfare.claims if c.key == "death"} == died

        # One mistaken entry, reversed later by an entry that cancels it exactly.
        reversals = [e for e in ledger.entries if e.reverses is not None and e.link is None]
        assert len(reversals) == 1
        (fix,) = reversals
        mistake = ledger.entries[fix.reverses or 0]
        assert fix.entry == core.reversal(mistake.entry, on=fix.entry.date, memo=fix.entry.memo)
        assert mistake.entry.date < fix.entry.date

        # Every month closed but the last two, and each whole fiscal year inside them.
        months = [c for c in ledger.closes if c[0] == PeriodClose.Kind.MONTH]
        assert months[0][1] == start and months[-1][2] == dt.date(2025, 12, 31)
        years = [c for c in ledger.closes if c[0] == PeriodClose.Kind.YEAR]
        assert len(years) >= 1 and all(c[2] <= dt.date(2025, 12, 31) for c in years)
    assert paper_totals  # some fund began to give receipts after its books began


def _roles(planned: books.PlannedEntry) -> set[str]:
    role_of = {code: role for role, code in books.CODE.items()}
    return {role_of[p.account] for p in planned.entry.postings}


def test_administration_stays_within_its_share_unless_planned_over_the_cap(tambons):
    spec = demo.plan_province(tambons)[0]
    content = demo.build_fund_content(spec, today=TODAY, scale=0.3)
    dues = plan_dues(spec, content, today=TODAY, seed=demo.SEED)
    content = replace(content, members=dues.members)
    welfare = plan_welfare(spec, content, dues)
    for over_cap in (False, True):
        ledger = books.plan_books(
            spec, content, today=TODAY, seed=demo.SEED, dues=dues, claims=welfare,
            over_cap=over_cap,
        )  # fmt: skip
        spent: dict[dt.date, dict[str, Decimal]] = {}
        for e in ledger.entries:
            year = books.fiscal_year_start(spec.fiscal_year, e.entry.date)
            for p in e.entry.postings:
                role = next(r for r, c in books.CODE.items() if c == p.account)
                group = role.split(".")[0]
                if group in ("welfare", "admin"):
                    by_group = spent.setdefault(year, {"welfare": Decimal(0), "admin": Decimal(0)})
                    by_group[group] += p.amount
        for year, by in spent.items():
            percent = 100 * by["admin"] / (by["welfare"] + by["admin"])
            assert abs(percent - Decimal(ledger.admin_permille) / 10) < 1, (year, percent)
        assert (ledger.admin_permille > 200) == over_cap


def test_the_books_in_the_database(db, tambons):
    load(funds=3, scale=SCALE)
    plan = demo.plan_province(tambons)[:3]
    funds = demo_funds()
    showcase, over_cap = funds[0], funds[1]
    assert verify_ledger() == []
    for fund in funds:
        with fund_scope(fund):
            entries = JournalEntry.objects.filter(fund=fund)
            head = LedgerHead.objects.get(fund=fund)
            # Over 30 months even the smallest fund's (a few members at this scale, and few
            # claims) has its collections, deposits and interest.
            assert entries.count() == head.number > 50
            assert entries.filter(kind=JournalEntry.Kind.OPENING).count() == 1
            # Every entry balances, and so does the whole ledger.
            sums = JournalLine.objects.values("entry").annotate(total=Sum("amount"))
            assert {row["total"] for row in sums} == {Decimal("0.00")}
            tb = trial_balance(fund=fund, on=timezone.localdate())
            assert tb.total_debit == tb.total_credit > 0
            # The mistake put right (the other reversals are voided receipts).
            reversal = entries.exclude(reverses__kind=JournalEntry.Kind.CONTRIBUTION).get(
                kind=JournalEntry.Kind.REVERSAL
            )
            assert reversal.reverses is not None
            assert reversal.reverses.lines.filter(account__role="welfare.other").exists()
            # Closed months refuse new entries; the last two months are open.
            last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
            assert closed_period_on(fund, last_month) is None
            assert closed_period_on(fund, last_month.replace(day=1) - dt.timedelta(days=1)) is None
            closed_day = last_month.replace(day=1) - dt.timedelta(days=70)
            assert closed_period_on(fund, closed_day) is not None
            cash, income = (
                Account.objects.get(fund=fund, role=r) for r in ("cash", "income.other")
            )
            with translation.override("en"), pytest.raises(ValidationError, match="closed"):
                entry_post(
                    fund=fund, actor=None, kind=JournalEntry.Kind.OTHER,
                    entry=core.Entry(closed_day, "late", (core.Posting(cash.code, Decimal(1)),
                                                          core.Posting(income.code, Decimal(-1)))),
                )  # fmt: skip
        with scopes_disabled():
            audit = AuditEntry.objects.get(action="demo.books.loaded", fund=fund)
        # The audit entry pins the books as loaded (their last entry and its hash); only the
        # showcase's collection sessions (receipts, a shortage) and vouchers come after.
        loaded = json.loads(audit.data)
        with fund_scope(fund):
            last = entries.get(number=loaded["after"]["number"])
            assert last.hash == loaded["after"]["hash"]
            assert loaded["counts"]["book_entries"] == last.number
            later = entries.filter(number__gt=last.number).exclude(kind=JournalEntry.Kind.VOUCHER)
            sessions = CollectionSession.objects.filter(fund=fund)
            assert set(later.values_list("pk", flat=True)) == set(
                Receipt.objects.filter(fund=fund, session__isnull=False).values_list(
                    "entry", flat=True
                )
            ) | set(sessions.filter(difference_entry__isnull=False).values_list(
                "difference_entry", flat=True))  # fmt: skip

    with fund_scope(showcase):
        waiting = Voucher.objects.filter(fund=showcase, status=Voucher.Status.DRAFT)
        assert waiting.count() == 2
        assert {v.made_by.username for v in waiting} == {"demo-treasurer", "demo-secretary"}
        approved = Voucher.objects.filter(fund=showcase, status=Voucher.Status.APPROVED)
        assert approved.exists()
        for voucher in approved:
            assert voucher.entry is not None and voucher.decided_by != voucher.made_by
        rec = BankReconciliation.objects.get(fund=showcase)
        explained = sum((i.amount for i in rec.items.all()), Decimal(0))
        assert rec.statement_balance - rec.book_balance == explained != 0

    # The second fund is planned over the 20 % cap on administration, so it shows the warning.
    start, end = books.books_period(over_cap.fiscal_year, timezone.localdate())
    years = range(fiscal_year_of(over_cap, start), fiscal_year_of(over_cap, end) + 1)
    with fund_scope(over_cap):
        ratios = [
            admin_ratio(fund=over_cap, period=Period.of_fiscal_year(over_cap, year))
            for year in years
        ]
    assert any(r.exceeded for r in ratios)
    assert plan[1].code in books.over_cap_codes(demo.plan_province(tambons), seed=demo.SEED)
    assert verify_audit() == []
