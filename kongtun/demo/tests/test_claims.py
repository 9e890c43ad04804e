"""The demo's welfare: regulations, claims through the whole workflow, and their payments."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter, defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.contributions.models import Receipt
from kongtun.demo import books, claims
from kongtun.demo import province as demo
from kongtun.demo.contributions import fiscal_year_be, plan_dues
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.models import JournalEntry, JournalLine
from kongtun.ledger.services import entry_as_core, voucher_entry
from kongtun.ledger.verify import verify_ledger
from kongtun.members.models import Event
from kongtun.welfare import rules
from kongtun.welfare.models import Benefit, Claim, Meeting, Regulation
from kongtun.welfare.selectors import benefit_rule, claim_facts, member_entitlements
from kongtun.welfare.services import (
    BENEFIT_FIELDS,
    SENSITIVE_CATEGORIES,
    benefit_problems,
    quorum_of,
)

TODAY = dt.date(2026, 3, 15)  # the pure plan takes the date as input; any fixed day will do
ZERO = Decimal("0.00")


def plans(specs, *, today=TODAY, scale=0.2):
    """(spec, content, dues, welfare) of each fund, as load_demo plans them."""
    out = []
    for spec in specs:
        content = demo.build_fund_content(spec, today=today, scale=scale)
        dues = plan_dues(spec, content, today=today, seed=demo.SEED)
        content = replace(content, members=dues.members)
        adopted = claims.adoptions(spec, today=today)
        welfare = claims.plan_claims(spec, content, dues, adopted, today=today, seed=demo.SEED)
        out.append((spec, content, dues, welfare))
    return out


@pytest.fixture
def funds(db):
    """The first six funds (two of each regulation) at a scale with a few hundred members."""
    return plans(demo.plan_province(demo.lampang_tambons())[:6])


# --- The plan, without the database ----------------------------------------------------------


def test_the_plan_is_the_same_every_time(funds):
    for spec, content, dues, welfare in funds[:3]:
        adopted = claims.adoptions(spec, today=TODAY)
        again = claims.plan_claims(spec, content, dues, adopted, today=TODAY, seed=demo.SEED)
        assert again == welfare
        other = claims.plan_claims(spec, content, dues, adopted, today=TODAY, seed=1)
        assert other != welfare


def test_each_fund_adopts_one_of_the_three_regulations_from_the_start_of_its_books(funds):
    used: Counter[str] = Counter()
    for spec, _, _, welfare in funds:
        start, _ = books.books_period(spec.fiscal_year, TODAY)
        first = welfare.adoptions[0]
        assert (first.version, first.effective_from) == (1, start)
        assert first.spec in claims.EXAMPLES.values() and first.resolution
        used[first.spec.key] += 1
        assert len(welfare.adoptions) == (2 if spec.ordinal == 0 else 1)
    assert used == {"chamuang": 2, "umong": 2, "sadao": 2}

    showcase = funds[0][3]
    v1, v2 = showcase.adoptions
    assert v2.version == 2 and v1.effective_from < v2.effective_from < TODAY
    assert dt.date(2025, 2, 1) <= v2.effective_from <= dt.date(2025, 4, 1)  # about a year ago
    before = {b.key: b for b in v1.spec.benefits}
    changed = [b for b in v2.spec.benefits if b != before[b.key]]
    assert {b.key for b in changed} == {"birth", "inpatient"}
    assert all(b.amount > before[b.key].amount for b in changed)
    assert [b.key for b in v2.spec.benefits] == list(before)


def test_every_claim_is_what_the_rules_decide(funds):
    for spec, _content, _dues, welfare in funds:
        versions = {a.version: a for a in welfare.adoptions}
        seqs: dict[int, list[int]] = defaultdict(list)
        for c in welfare.claims:
            # Judged by the version in force on the day of the event, as claim_assess does.
            in_force = max(
                (a for a in welfare.adoptions if a.effective_from <= c.event_date),
                key=lambda a: a.effective_from,
            )
            assert c.version == in_force.version
            benefit = next(b for b in versions[c.version].spec.benefits if b.key == c.key)
            assert rules.assess(benefit.rule(), c.facts) == c.decision
            assert (c.facts.event_date, c.facts.filed_on) == (c.event_date, c.filed_on)
            assert c.fiscal_year == fiscal_year_be(spec.fiscal_year, c.event_date)
            assert c.facts.year_label == str(c.fiscal_year)
            assert (c.member is None) == (c.recipient == rules.Recipient.NON_MEMBER)
            year, seq = c.number.removeprefix("W").split("/")
            assert int(year) == fiscal_year_be(spec.fiscal_year, c.filed_on)
            seqs[int(year)].append(int(seq))
            late = any(r.code == "filing_deadline" and r.ok is False for r in c.decision.reasons)
            assert late or 0 <= (c.filed_on - c.event_date).days <= 10
        for numbers in seqs.values():
            assert numbers == list(range(1, len(numbers) + 1))


def test_the_workflow_of_each_claim(funds):
    for _spec, content, _dues, welfare in funds:
        seats = welfare.seats(content)
        days = [m.date for m in welfare.meetings]
        for c in welfare.claims:
            if c.meeting is None:
                assert c.status == "filed" and c.filed_on >= days[-1]
                assert c.approved_amount is None and not c.paid_on and c.votes is None
                continue
            meeting = welfare.meetings[c.meeting]
            # The first meeting after the claim was filed decides it.
            assert meeting.date > c.filed_on and days[c.meeting - 1] <= c.filed_on
            assert c.resolution.startswith(f"{meeting.number}/")
            assert c.votes is not None and sum(c.votes) <= len(meeting.present)
            if c.decision.eligible:
                assert c.status in ("approved", "paid")
                assert c.votes[0] > c.votes[1]
                assert c.approved_amount is not None
                assert ZERO < c.approved_amount <= c.decision.amount
                assert (c.approved_amount < c.decision.amount) == bool(c.decision_note)
            else:
                assert c.status == "rejected" and c.decision_note.startswith("ไม่อนุมัติ")
            if c.status == "paid":
                assert c.paid_on is not None
                assert meeting.date < c.paid_on <= meeting.date + dt.timedelta(days=5)
                assert c.voucher.startswith("PV") and c.party
                assert sum(p.amount for p in c.payees) == c.amount
        for m in welfare.meetings:
            assert set(m.present) <= set(m.seats)
            assert len(m.present) >= (len(m.seats) + 1) // 2  # a quorum: at least half
            for k in m.seats:
                assert seats[k].term_start <= m.date <= seats[k].term_end
                assert seats[k].position != "adviser"
        numbers = [m.number for m in welfare.meetings]
        assert len(set(numbers)) == len(numbers) and numbers[0] == f"1/{numbers[0][2:]}"
        vouchers = [c.voucher for c in welfare.claims if c.voucher]
        assert len(set(vouchers)) == len(vouchers)


def test_caps_hold_as_the_rules_count_them(funds):
    """No member has two of a once-only benefit, more uses a year than the rule allows, or
    more than a yearly or lifetime cap, counting what the committee did not reject."""
    for _spec, _content, _dues, welfare in funds:
        rule_of = {(a.version, b.key): b for a in welfare.adoptions for b in a.spec.benefits}
        held = [c for c in welfare.claims if c.status != "rejected" and c.member is not None]
        by_year: dict[tuple[int, str, int], list[claims.ClaimSpec]] = defaultdict(list)
        by_life: dict[tuple[int, str], list[claims.ClaimSpec]] = defaultdict(list)
        for c in held:
            assert c.member is not None
            by_year[c.member, c.key, c.fiscal_year].append(c)
            by_life[c.member, c.key].append(c)
        for (_m, key, _y), some in by_year.items():
            b = rule_of[some[-1].version, key]
            if b.times_per_year is not None:
                assert len(some) <= b.times_per_year
            if b.per_year_cap is not None:
                caps = {rule_of[c.version, key].per_year_cap for c in some}
                assert sum(c.amount for c in some) <= max(cap or ZERO for cap in caps)
            if b.max_nights_per_year is not None:
                assert sum(c.decision.nights_paid or 0 for c in some) <= b.max_nights_per_year
        for (_m, key), some in by_life.items():
            b = rule_of[some[-1].version, key]
            if b.once_only:
                assert len(some) == 1
            if b.lifetime_cap is not None:
                assert sum(c.amount for c in some) <= b.lifetime_cap


def test_claims_come_from_the_members_lives(funds):
    kinds: Counter[str] = Counter()
    for spec, content, _dues, welfare in funds:
        start, _ = books.books_period(spec.fiscal_year, TODAY)
        regulation = claims.regulation_for(spec)
        keys = {b.key for b in regulation.benefits}
        for c in welfare.claims:
            kinds[c.key] += 1
            assert c.key in keys and start <= c.event_date < TODAY
            if c.member is None:
                continue
            m = content.members[c.member]
            if c.key == "death":
                died = [h.effective_on for h in m.history if h.event == Event.DIED]
                assert died == [c.event_date] and m.beneficiaries
            if c.category in SENSITIVE_CATEGORIES:  # only with the member's explicit consent
                assert any(k.purpose == "sensitive" and k.given_on <= c.filed_on
                           for k in m.consents)  # fmt: skip
            if c.recipient == rules.Recipient.CHILD:
                assert c.person_name.endswith(m.last_name) and c.person_birth_date
        if any(b.for_beneficiary for b in regulation.benefits):
            deaths = {
                i
                for i, m in enumerate(content.members)
                for h in m.history
                if h.event == Event.DIED and start <= h.effective_on <= TODAY and m.beneficiaries
            }
            assert {c.member for c in welfare.claims if c.key == "death"} == deaths
    # Every kind of benefit of the three regulations happens somewhere in six funds.
    assert {"death", "birth", "inpatient", "elderly", "scholarship", "non_member_help",
            "disabled", "funeral"} <= set(kinds)  # fmt: skip
    assert kinds["elderly"] > kinds["death"] > 0


def test_the_showcase_has_an_agenda_and_two_versions(funds):
    spec, _content, _dues, welfare = funds[0]
    assert spec.ordinal == 0
    statuses = Counter(c.status for c in welfare.claims)
    assert statuses["filed"] >= claims.AGENDA
    assert statuses["approved"] == claims.UNPAID
    assert statuses["paid"] > statuses["rejected"] > 0
    last = welfare.meetings[-1]
    assert all(c.filed_on >= last.date for c in welfare.claims if c.status == "filed")
    # Not collected yet: the last approved, at the latest meetings.
    approved = [c for c in welfare.claims if c.meeting is not None and c.decision.eligible]
    approved.sort(key=lambda c: c.meeting or 0)
    assert [c.status for c in approved[-claims.UNPAID :]] == ["approved"] * claims.UNPAID
    versions = Counter(c.version for c in welfare.claims)
    assert versions[1] > 0 and versions[2] > 0
    # A night in hospital pays more under version 2 (the rates are the versions').
    rates = {
        (c.version, c.decision.amount / (c.decision.nights_paid or 1))
        for c in welfare.claims
        if c.key == "inpatient" and c.decision.outcome == rules.Outcome.ELIGIBLE
    }
    by_version = {
        (a.version, b.amount) for a in welfare.adoptions for b in a.spec.benefits
        if b.key == "inpatient"
    }  # fmt: skip
    assert rates == by_version and len({rate for _, rate in rates}) == 2


def test_the_books_pay_each_paid_claim(funds):
    for spec, content, dues, welfare in funds:
        ledger = books.plan_books(
            spec, content, today=TODAY, seed=demo.SEED, dues=dues, claims=welfare
        )
        expense: dict[str, Decimal] = defaultdict(Decimal)
        role_of = {code: role for role, code in books.CODE.items()}
        for e in ledger.entries:
            if e.kind == JournalEntry.Kind.CLAIM:
                for p in e.entry.postings:
                    if role_of[p.account].startswith("welfare."):
                        expense[role_of[p.account]] += p.amount
        paid: dict[str, Decimal] = defaultdict(Decimal)
        for c in welfare.claims:
            if c.paid_on is not None:
                paid[c.account] += c.amount
                # The demo plans no receipt for dues kept back from a payout (claim_pay would
                # make one): no paid claim may need it.
                assert c.decision.deduction == 0, c.number
        assert expense == paid


# --- In the database --------------------------------------------------------------------------


def _check_fund(fund: Fund, welfare: claims.ClaimsPlan) -> None:
    stored = {c.number: c for c in Claim.objects.filter(fund=fund).select_related(
        "benefit", "regulation", "voucher__entry", "voucher__money_account", "member",
        "meeting")}  # fmt: skip
    assert stored.keys() == {c.number for c in welfare.claims}
    rule_of = {}
    for planned in welfare.claims:
        claim = stored[planned.number]
        # Stored as the rules decide from the claim's facts, by the benefit in the database.
        if claim.benefit_id not in rule_of:
            rule_of[claim.benefit_id] = benefit_rule(claim.benefit)
        decision = rules.assess(rule_of[claim.benefit_id], planned.facts)
        assert claim.outcome == decision.outcome
        assert (claim.assessed_amount, claim.full_amount) == (decision.amount, decision.full_amount)
        assert claim.reasons == [r.as_json() for r in decision.reasons]
        assert claim.nights_paid == decision.nights_paid
        assert claim.regulation.version == planned.version and claim.key == claim.benefit.key
        assert claim.status == planned.status
        if claim.decided_by_id is not None:
            assert claim.decided_by_id != claim.entered_by_id
            assert claim.meeting is not None and claim.meeting.date > claim.filed_on
        if claim.status != Claim.Status.PAID:
            assert claim.voucher is None and not claim.payees.exists()
            continue
        voucher = claim.voucher
        assert voucher is not None and voucher.entry is not None
        assert voucher.status == voucher.Status.APPROVED and voucher.kind == voucher.Kind.PAYMENT
        assert voucher.made_by_id != voucher.decided_by_id == claim.decided_by_id
        assert voucher.member_id == claim.member_id and voucher.date == claim.paid_on
        assert voucher.entry.kind == JournalEntry.Kind.CLAIM
        assert entry_as_core(voucher.entry) == voucher_entry(voucher)
        assert [ln.amount for ln in voucher.lines.all()] == [claim.amount_due]
        payees = list(claim.payees.select_related("beneficiary"))
        assert sum(p.amount for p in payees) == claim.amount_due
        assert {p.acknowledged_on for p in payees} == {claim.paid_on}
        if claim.recipient == rules.Recipient.BENEFICIARY:
            assert claim.member is not None
            named = list(claim.member.beneficiaries.all())
            assert [p.beneficiary for p in payees] == named
            shares = rules.split_shares(claim.amount_due, [b.share_percent for b in named])
            assert [p.amount for p in payees] == shares

    # What the books spent on welfare is what the paid claims paid, account by account.
    lines = JournalLine.objects.filter(
        fund=fund, account__role__startswith="welfare.", entry__kind=JournalEntry.Kind.CLAIM
    )
    books_spent = {
        row["account__role"]: row["total"]
        for row in lines.values("account__role").annotate(total=Sum("amount"))
    }
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for claim in stored.values():
        if claim.status == Claim.Status.PAID:
            role = (
                "welfare.non_members"
                if claim.recipient == rules.Recipient.NON_MEMBER
                else f"welfare.{claim.benefit.category}"
            )
            paid[role] += claim.amount_due
    assert books_spent == paid

    for meeting in Meeting.objects.filter(fund=fund):
        quorum = quorum_of(meeting)
        assert quorum.met
        for claim in meeting.claims.all():
            votes = (claim.votes_for, claim.votes_against, claim.votes_abstain)
            assert sum(v or 0 for v in votes) <= quorum.present and None not in votes


def test_the_loaded_claims_agree_with_the_rules_the_books_and_the_services(db):
    call_command("load_demo", stdout=io.StringIO(), funds=3, scale=0.05)
    today = timezone.localdate()
    specs = demo.plan_province(demo.lampang_tambons())[:3]
    planned = plans(specs, today=today, scale=0.05)
    assert verify_ledger() == []
    assert verify_audit() == []
    total = 0
    for spec, _content, _dues, welfare in planned:
        fund = Fund.objects.get(code=spec.code)
        with fund_scope(fund):
            _check_fund(fund, welfare)
            versions = list(Regulation.objects.filter(fund=fund).order_by("version"))
            assert [(r.version, r.effective_from, r.status) for r in versions] == [
                (a.version, a.effective_from, Regulation.Status.ADOPTED) for a in welfare.adoptions
            ]
            # As the services would have saved them, so a chair can copy and amend them.
            for benefit in Benefit.objects.filter(fund=fund).prefetch_related("tiers"):
                values = {name: getattr(benefit, name) for name in BENEFIT_FIELDS}
                tiers = [(t.from_years, t.amount) for t in benefit.tiers.all()]
                assert benefit_problems(values, tiers) == {}, benefit.key
            total += Claim.objects.filter(fund=fund).count()
        with scopes_disabled():
            audit = AuditEntry.objects.get(action="demo.fund.loaded", fund=fund)
        assert json.loads(audit.data)["counts"]["claims"] == len(welfare.claims)
    assert total > 50

    showcase = Fund.objects.get(code=specs[0].code)
    with fund_scope(showcase):
        waiting = Claim.objects.filter(fund=showcase, status=Claim.Status.FILED)
        assert waiting.count() >= claims.AGENDA
        assert Claim.objects.filter(fund=showcase, status=Claim.Status.APPROVED).exists()
        used = set(
            Claim.objects.filter(fund=showcase).values_list("regulation__version", flat=True)
        )
        assert used == {1, 2}
        member = (
            Claim.objects.filter(fund=showcase, status=Claim.Status.PAID)
            .exclude(member=None)[0]
            .member
        )
        assert member is not None
        assert member_entitlements(member)  # the member page's entitlements read them


def test_the_selector_judges_waiting_claims_as_the_plan_did(db):
    """claim_facts, asked today, gives the facts and the decision the plan stored for each
    claim waiting for the committee, as it stood when it was filed: the later ones are taken
    out first, latest first. Only what the plan cannot know is taken from the plan (below)."""
    call_command("load_demo", stdout=io.StringIO(), funds=3, scale=0.1)
    today = timezone.localdate()
    specs = demo.plan_province(demo.lampang_tambons())[:3]
    compared = 0
    for spec, content, dues, welfare in plans(specs, today=today, scale=0.1):
        fund = Fund.objects.get(code=spec.code)
        with fund_scope(fund):
            waiting = Claim.objects.filter(fund=fund, status=Claim.Status.FILED)
            for claim in waiting.select_related(
                "benefit__regulation__fund", "member__fund"
            ).order_by("-filed_on", "-number"):
                planned = next(c for c in welfare.claims if c.number == claim.number)
                facts = claim_facts(
                    benefit=claim.benefit, member=claim.member, recipient=claim.recipient,
                    event_date=claim.event_date, filed_on=claim.filed_on,
                    birth_date=claim.person_birth_date, nights=claim.nights,
                    claimed=claim.claimed, exclude=claim, person=claim.person_name,
                )  # fmt: skip
                # What the plan cannot know (its docstring): a member who paid on paper from
                # joining; this month's collection sessions, through the services after the
                # load; and the claim's own share of the budget, which non_member_budget_left
                # counts whatever `exclude` says.
                w = planned.facts
                if claim.member is not None and content.members[planned.member].joined_on < (
                    dues.receipts_from
                ):
                    facts = replace(facts, first_contribution_on=w.first_contribution_on)
                if Receipt.objects.filter(
                    member=claim.member, session__isnull=False, date__lte=claim.event_date
                ).exists():
                    facts = replace(facts, arrears=w.arrears, arrears_months=w.arrears_months,
                                    paid_through=w.paid_through)  # fmt: skip
                if w.budget_left is not None and facts.budget_left == w.budget_left - (
                    claim.amount_due
                ):
                    facts = replace(facts, budget_left=w.budget_left)
                assert facts == w, claim.number
                decision = rules.assess(benefit_rule(claim.benefit), facts)
                assert decision.outcome == claim.outcome
                assert decision.amount == claim.assessed_amount
                assert [r.as_json() for r in decision.reasons] == claim.reasons
                compared += 1
                # As it was before this claim was filed, for the claims filed before it.
                Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.WITHDRAWN)
    assert compared >= claims.AGENDA
