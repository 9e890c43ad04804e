"""The demo's contributions: plans, receipts and standings that agree with the real services."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Min, Sum
from django.utils import timezone

from kongtun.audit.verify import verify_audit
from kongtun.contributions import schedule as sched
from kongtun.contributions.models import (
    CoContribution,
    CollectionSession,
    Funder,
    MatchingTerms,
    MemberPlan,
    Plan,
    Receipt,
    ReceiptCounter,
    Standing,
    Terms,
)
from kongtun.contributions.selectors import member_position
from kongtun.contributions.services import schedule_for, verify_standing
from kongtun.demo import contributions as dues_plan
from kongtun.demo import province as demo
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import JournalEntry, JournalLine
from kongtun.ledger.statements import fiscal_year_of
from kongtun.ledger.verify import verify_ledger
from kongtun.members.models import TRANSITIONS, Event, Member, Status
from kongtun.network.selectors import current_fiscal_year_be

TODAY = dt.date(2026, 3, 15)
ZERO = Decimal("0.00")


@pytest.fixture
def plans(db):
    """The first funds' dues at a scale with a few hundred members each."""
    specs = demo.plan_province(demo.lampang_tambons())[:6]
    out = []
    for spec in specs:
        content = demo.build_fund_content(spec, today=TODAY, scale=0.2)
        out.append((spec, content, dues_plan.plan_dues(spec, content, today=TODAY, seed=demo.SEED)))
    return out


# --- The plan, without the database ----------------------------------------------------------


def test_the_plan_is_the_same_every_time(plans):
    for spec, content, dues in plans[:2]:
        assert dues == dues_plan.plan_dues(spec, content, today=TODAY, seed=demo.SEED)


def test_plans_and_terms_follow_the_funds_habits(plans):
    defaults: Counter[str] = Counter()
    for spec, _, dues in plans:
        assert [(p.frequency, p.amount) for p in dues.plans] == [
            ("daily", Decimal("1.00")),
            ("monthly", Decimal("30.00")),
            ("yearly", Decimal("365.00")),
        ]
        assert len({p.entry_fee for p in dues.plans}) == 1
        assert Decimal(20) <= dues.plans[0].entry_fee <= Decimal(100)
        defaults[dues.plans[dues.terms.default_plan].frequency] += 1
        assert (dues.terms.lapse_after, dues.terms.lapse_unit) in ((3, "months"), (90, "days"))
        if spec.ordinal == 0:
            assert dues.plans[dues.terms.default_plan].frequency == "monthly"
    assert len(defaults) >= 2


def test_standings_replay_from_the_receipts_through_the_schedule(plans):
    """What services.verify_standing checks, and each receipt's paid-through as
    payment_record would have left it."""
    for _, _, dues in plans:
        by_member = defaultdict(list)
        for r in dues.receipts:
            by_member[r.member].append(r)
        for standing in dues.standings:
            member = dues.members[standing.member]
            segments = {
                epoch: sched.schedule_of(
                    [
                        (s.starts_on, dues.plans[s.plan].frequency, dues.plans[s.plan].amount)
                        for s in standing.segments
                        if s.epoch == epoch
                    ]
                )
                for epoch in {s.epoch for s in standing.segments}
            }
            assert standing.segments[0].epoch == 1
            assert standing.segments[0].starts_on >= member.joined_on
            credit: dict[int, Decimal] = defaultdict(lambda: ZERO)
            # Who joined after the fund began to give receipts owes the entry fee, and a
            # rejoining member the reinstatement fee; a payment pays fees first.
            fees = dues.plans[0].entry_fee if member.joined_on >= dues.receipts_from else ZERO
            epoch = 1
            for r in by_member[standing.member]:
                assert r.total > 0 and r.contribution >= 0 and r.fee >= 0
                if r.epoch != epoch:
                    epoch, fees = r.epoch, fees + dues.terms.reinstatement_fee
                assert r.fee == min(r.total, fees)
                left = segments[r.epoch].coverage(credit[r.epoch] + r.contribution)[0]
                assert r.paid_through == left
                if r.void_on is None:
                    credit[r.epoch] += r.contribution
                    fees -= r.fee
                else:
                    assert r.void_on == r.date and r.void_reason
            assert standing.credit == credit[standing.epoch]
            assert standing.fees_due == fees
            schedule = segments[standing.epoch]
            assert standing.paid_through == schedule.coverage(standing.credit)[0]
            assert standing.fees_due >= 0


def test_receipts_are_numbered_per_fiscal_year_without_gaps(plans):
    for spec, _, dues in plans:
        seqs: dict[int, list[int]] = defaultdict(list)
        previous = dt.date.min
        for r in dues.receipts:
            assert r.date >= previous  # numbers follow the dates
            previous = r.date
            assert r.fiscal_year == dues_plan.fiscal_year_be(spec.fiscal_year, r.date)
            seqs[r.fiscal_year].append(r.seq)
        assert seqs
        for numbers in seqs.values():
            assert numbers == list(range(1, len(numbers) + 1))


def test_histories_stay_valid_and_lapses_fall_where_the_rule_says(plans):
    lapsed = 0
    for _, _, dues in plans:
        rule = dues.rule
        receipts = defaultdict(list)
        for r in dues.receipts:
            if r.void_on is None:
                receipts[r.member].append(r)
        for standing, m in zip(dues.standings, dues.members, strict=True):
            state, day = m.history[0].to_status, m.joined_on
            for step in m.history[1:]:
                allowed, to_status = TRANSITIONS[step.event]
                assert state in allowed and step.from_status == state
                assert day <= step.effective_on <= TODAY
                state, day = to_status, step.effective_on
            assert (state, day) == (m.status, m.status_since)
            for n, step in enumerate(m.history):
                if step.event != Event.LAPSED or not step.note:
                    continue
                # As lapse_apply: the rule's day for what was paid before, or the last
                # status change if that is later; nothing paid between.
                lapsed += 1
                before = [r for r in receipts[standing.member] if r.date < step.effective_on]
                first_day = standing.segments[0].starts_on
                paid_through = before[-1].paid_through if before else first_day - sched.DAY
                first = [s for s in standing.segments if s.epoch == 1]
                plan = dues.plans[first[0].plan]
                schedule = sched.schedule_of([(first[0].starts_on, plan.frequency, plan.amount)])
                due = max(
                    sched.lapse_day(schedule, paid_through, rule), m.history[n - 1].effective_on
                )
                assert step.effective_on == due
                assert dues_plan.thai_date(paid_through) in step.note
    assert lapsed > 10


def test_some_members_are_behind_and_some_lapsed(plans):
    behind = lapsed = 0
    for _, _, dues in plans:
        for standing, m in zip(dues.standings, dues.members, strict=True):
            if m.status == Status.LAPSED:
                lapsed += 1
            if m.status != Status.ACTIVE:
                continue
            segments = [
                (s.starts_on, dues.plans[s.plan].frequency, dues.plans[s.plan].amount)
                for s in standing.segments
                if s.epoch == standing.epoch
            ]
            position = sched.position(sched.schedule_of(segments), standing.credit, TODAY)
            behind += position.arrears > 0
    assert behind > 20 and lapsed > 20


def test_cofunders_and_matching_terms(plans):
    this_year = current_fiscal_year_be(TODAY)
    for spec, _, dues in plans:
        assert {(m.funder, m.fiscal_year) for m in dues.matching} >= {
            (Funder.CODI, this_year - 1),
            (Funder.CODI, this_year),
        }
        codi = [c.round for c in dues.cofunds if c.funder == Funder.CODI]
        assert bool(codi) == spec.applying
        if codi:  # one round a year, numbered on from the rounds before the books
            assert codi == list(range(codi[0] or 0, (codi[0] or 0) + len(codi)))
        for c in dues.cofunds:
            assert c.amount > 0 and c.role in ("income.codi", "income.tao", "income.municipality")
        if spec.kind == Fund.Kind.MUNICIPALITY:
            assert any(c.funder == Funder.LOCAL_GOV for c in dues.cofunds)


# --- In the database ----------------------------------------------------------------------------


def load(**options):
    call_command("load_demo", stdout=io.StringIO(), **options)


def test_the_loaded_demo_agrees_with_the_contributions_services(db):
    load(funds=3, scale=0.05)
    funds = list(Fund.objects.filter(is_demo=True).order_by("code"))
    assert len(funds) == 3
    assert verify_ledger() == []
    assert verify_audit() == []
    today = timezone.localdate()
    behind = lapsed = 0
    for fund in funds:
        with fund_scope(fund):
            terms = Terms.objects.get(fund=fund)
            assert Plan.objects.filter(fund=fund).count() == 3
            rule = sched.LapseRule(terms.lapse_after, terms.lapse_unit)
            members = list(Member.objects.filter(fund=fund).select_related("fund"))
            assert Standing.objects.filter(fund=fund).count() == len(members)
            for member in members:
                assert verify_standing(member) == []
                first = MemberPlan.objects.filter(member=member).order_by("epoch", "starts_on")[0]
                assert first.epoch == 1 and first.starts_on >= member.joined_on
                position = member_position(member, today, terms)
                assert position is not None
                if member.status == Status.ACTIVE and position.arrears:
                    behind += 1
                if member.status == Status.LAPSED:
                    lapsed += 1
                    standing = Standing.objects.get(member=member)
                    steps = list(member.history.order_by("effective_on", "pk"))
                    assert steps[-1].event == Event.LAPSED and steps[-1].note
                    paid = (
                        Receipt.objects.filter(
                            member=member, void_entry__isnull=True, date__lt=steps[-1].effective_on
                        )
                        .order_by("date", "seq")
                        .last()
                    )
                    paid_through = paid.paid_through if paid else standing.paid_through
                    schedule = schedule_for(member, standing.epoch)
                    assert steps[-1].effective_on == max(
                        sched.lapse_day(schedule, paid_through, rule), steps[-2].effective_on
                    )
            _check_receipts(fund)
            _check_income(fund)
            years = set(
                MatchingTerms.objects.filter(fund=fund, funder=Funder.CODI).values_list(
                    "fiscal_year", flat=True
                )
            )
            assert years == {current_fiscal_year_be(today) - 1, current_fiscal_year_be(today)}
            for cofund in CoContribution.objects.filter(fund=fund).select_related("entry"):
                lines = list(cofund.entry.lines.select_related("account").order_by("pk"))
                assert [(ln.account.role, ln.amount) for ln in lines] == [
                    ("bank", cofund.amount),
                    (lines[1].account.role, -cofund.amount),
                ]
                assert lines[1].account.role.startswith("income.")
                assert cofund.entry.date == cofund.date
    assert behind > 0 and lapsed > 0

    showcase = funds[0]
    with fund_scope(showcase):
        sessions = CollectionSession.objects.filter(fund=showcase)
        assert sessions.count() >= 2
        assert set(sessions.values_list("state", flat=True)) == {CollectionSession.State.ACCEPTED}
        short = sessions.get(difference_entry__isnull=False)
        assert short.counted - short.expected == Decimal("-20.00")
        assert short.difference_entry is not None
        roles = dict(short.difference_entry.lines.values_list("account__role", "amount"))
        assert roles == {"cash": Decimal("-20.00"), "receivable.shortage": Decimal("20.00")}
        taken = Receipt.objects.filter(session__in=sessions)
        assert taken.exists()
        assert set(taken.values_list("received_by__username", flat=True)) == {"demo-collector"}


def _check_receipts(fund: Fund) -> None:
    """Numbers without gaps per fiscal year, each counter at the last, each receipt with its
    own contribution entry and each void a reversal of it."""
    receipts = Receipt.objects.filter(fund=fund).select_related("entry", "void_entry")
    by_year: dict[int, list[int]] = defaultdict(list)
    for r in receipts.order_by("fiscal_year", "seq"):
        by_year[r.fiscal_year].append(r.seq)
        assert r.fiscal_year == fiscal_year_of(fund, r.date)
        assert r.entry.kind == JournalEntry.Kind.CONTRIBUTION and r.entry.date == r.date
        lines = list(r.entry.lines.select_related("account").order_by("pk"))
        expected = [("cash", r.total)]
        expected += [("income.members", -r.contribution)] if r.contribution else []
        expected += [("income.entry_fees", -r.fee)] if r.fee else []
        assert [(ln.account.role, ln.amount) for ln in lines] == expected
        if r.void_entry is not None:
            assert r.void_entry.reverses_id == r.entry_id and r.void_reason
    counters = dict(ReceiptCounter.objects.filter(fund=fund).values_list("fiscal_year", "last"))
    assert by_year and counters == {year: seqs[-1] for year, seqs in by_year.items()}
    for seqs in by_year.values():
        assert seqs == list(range(1, len(seqs) + 1))
    assert receipts.filter(void_entry__isnull=False).exists()


def _check_income(fund: Fund) -> None:
    """The members' and entry-fee income in the books is the receipts kept and, before the
    first receipt, the monthly totals from the paper register: nothing counted twice."""
    receipts = Receipt.objects.filter(fund=fund)
    first = receipts.aggregate(d=Min("date"))["d"]
    kept = receipts.filter(void_entry__isnull=True).aggregate(c=Sum("contribution"), f=Sum("fee"))
    paper = JournalEntry.objects.filter(
        fund=fund, kind=JournalEntry.Kind.CONTRIBUTION, receipt__isnull=True
    )
    assert not paper.filter(date__gte=first).exists()
    for role, total in (("income.members", kept["c"]), ("income.entry_fees", kept["f"])):
        lines = JournalLine.objects.filter(fund=fund, account__role=role)
        totals = lines.filter(entry__in=paper).aggregate(t=Sum("amount"))["t"] or ZERO
        assert -lines.aggregate(t=Sum("amount"))["t"] == total - totals
        kinds = set(lines.values_list("entry__kind", flat=True))
        assert kinds <= {JournalEntry.Kind.CONTRIBUTION, JournalEntry.Kind.REVERSAL}
