"""Reads about welfare: the regulation in force, a claim's facts as of its event day, and what
remains of a member's entitlements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kongtun.contributions import schedule as sched
from kongtun.contributions.models import PastPayment, Receipt, Standing
from kongtun.contributions.selectors import member_position
from kongtun.funds.models import Fund
from kongtun.ledger.chart import WELFARE_CATEGORIES
from kongtun.ledger.statements import fiscal_year_bounds, fiscal_year_of
from kongtun.members.models import Beneficiary, Event, Member, Status, StatusChange
from kongtun.welfare import rules
from kongtun.welfare.models import Benefit, Claim, Regulation

ZERO = Decimal("0.00")
DAY = dt.timedelta(days=1)
# Claims that hold a share of a cap: decided for, or still waiting for the committee.
HOLDING = (Claim.Status.FILED, Claim.Status.APPROVED, Claim.Status.PAID)


def regulation_in_force(fund: Fund, on: dt.date) -> Regulation | None:
    """The adopted version with the latest effective date on or before `on`."""
    return (
        Regulation.objects.filter(
            fund=fund, status=Regulation.Status.ADOPTED, effective_from__lte=on
        )
        .order_by("-effective_from", "-version")
        .first()
    )


def benefit_rule(benefit: Benefit) -> rules.Rule:
    tiers = benefit.tiers.all() if benefit.pk else []
    return rules.rule_of(benefit, [(t.from_years, t.amount) for t in tiers])


def status_on(member: Member, day: dt.date) -> str | None:
    """The member's status at the start of `day`: a death or a resignation on that day is the
    event the claim is about (a death benefit, a refund on leaving), not a bar to it."""
    change = (
        StatusChange.objects.filter(member=member, effective_on__lte=day)
        .exclude(event__in=(Event.DIED, Event.RESIGNED), effective_on=day)
        .order_by("-effective_on", "-recorded_at", "-pk")
        .first()
    )
    return change.to_status if change else None


def membership_start(member: Member, day: dt.date) -> dt.date:
    """When the membership running on `day` began: the committee's latest approval on or
    before `day` (regulations count "from the day the member was approved", and a member who
    left and came back starts counting again), or the joining date when the register has no
    approval (members brought in already active)."""
    approval = (
        StatusChange.objects.filter(member=member, event=Event.APPROVED, effective_on__lte=day)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    return approval or member.joined_on


def first_contribution(member: Member, start: dt.date, day: dt.date) -> dt.date | None:
    """The first day the member paid, from `start` up to `day` (brought-in history counts)."""
    paid = Receipt.objects.filter(
        member=member, date__gte=start, date__lte=day, void_entry__isnull=True, contribution__gt=0
    ).order_by("date")
    past = PastPayment.objects.filter(member=member, date__gte=start, date__lte=day).order_by(
        "date"
    )
    days = [d for d in (paid.values_list("date", flat=True).first(),
                        past.values_list("date", flat=True).first()) if d]  # fmt: skip
    return min(days) if days else None


@dataclass(frozen=True)
class Dues:
    arrears: Decimal
    months: int
    paid_through: dt.date | None


def dues_on(member: Member, day: dt.date) -> Dues:
    """The member's unpaid dues on `day`, counting only what they had paid by then: paying
    after the event does not make an event during arrears eligible."""
    pos = member_position(member, as_of=day)
    if pos is None:
        return Dues(ZERO, 0, None)
    standing = Standing.objects.filter(member=member).first()
    later = ZERO
    if standing is not None:
        later = (
            Receipt.objects.filter(
                member=member, epoch=standing.epoch, date__gt=day, void_entry__isnull=True
            ).aggregate(s=Sum("contribution"))["s"]
            or ZERO
        )
    position = sched.position(pos.schedule, pos.credit - later, day)
    months = rules.months_between(position.paid_through + DAY, day) if position.arrears > 0 else 0
    return Dues(position.arrears, months, position.paid_through)


def _holding(
    member: Member | None, key: str, exclude: Claim | None, person: str = ""
) -> QuerySet[Claim]:
    """This benefit's claims that hold a share of its caps: the member's own, or, for a
    member's child or a non-member, that person's (caps are per person). A claim the rules
    found not eligible holds nothing: its corrected claim must not be refused because of it."""
    claims = Claim.objects.filter(member=member, key=key, status__in=HOLDING).exclude(
        outcome=rules.Outcome.NOT_ELIGIBLE
    )
    if person:
        claims = claims.filter(person_name=person)
    return claims.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else claims


def _used(claims: QuerySet[Claim]) -> tuple[Decimal, int, int]:
    total, times, nights = ZERO, 0, 0
    for claim in claims.only("approved_amount", "assessed_amount", "nights_paid"):
        total += claim.amount_due
        times += 1
        nights += claim.nights_paid or 0
    return total, times, nights


def non_member_budget_left(
    regulation: Regulation, fiscal_year: int, exclude: Claim | None = None
) -> Decimal | None:
    if regulation.non_member_budget is None:
        return None
    claims = Claim.objects.filter(
        fund_id=regulation.fund_id,
        recipient=rules.Recipient.NON_MEMBER,
        fiscal_year=fiscal_year,
        status__in=HOLDING,
    ).exclude(outcome=rules.Outcome.NOT_ELIGIBLE)
    if exclude is not None and exclude.pk:
        claims = claims.exclude(pk=exclude.pk)
    used, _times, _nights = _used(claims)
    return regulation.non_member_budget - used


def claim_facts(
    *,
    benefit: Benefit,
    member: Member | None,
    recipient: str,
    event_date: dt.date,
    filed_on: dt.date,
    birth_date: dt.date | None = None,
    nights: int | None = None,
    claimed: Decimal | None = None,
    exclude: Claim | None = None,
    person: str = "",
) -> rules.Facts:
    """Everything the rule needs, from the member's history as of `event_date`. `person` is
    the name of the member's child or of the non-member the claim is for."""
    fund = benefit.regulation.fund
    year = fiscal_year_of(fund, event_date)
    budget = None
    if recipient == rules.Recipient.NON_MEMBER:
        budget = non_member_budget_left(benefit.regulation, year, exclude)
    if recipient not in (rules.Recipient.CHILD, rules.Recipient.NON_MEMBER):
        person = ""
    holding = _holding(member, benefit.key, exclude, person.strip())
    used_year, times_year, nights_year = _used(holding.filter(fiscal_year=year))
    used_life, times_life, _n = _used(holding)
    if member is None:
        return rules.Facts(
            recipient=recipient,
            event_date=event_date,
            filed_on=filed_on,
            birth_date=birth_date,
            nights=nights,
            claimed=claimed,
            year_label=str(year),
            used_this_year=used_year,
            times_this_year=times_year,
            nights_this_year=nights_year,
            used_lifetime=used_life,
            times_lifetime=times_life,
            budget_left=budget,
        )
    start = membership_start(member, event_date)
    dues = dues_on(member, event_date)
    others = Claim.objects.filter(
        member=member, status__in=(Claim.Status.APPROVED, Claim.Status.PAID)
    )
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    if recipient in (rules.Recipient.MEMBER, rules.Recipient.BENEFICIARY):
        birth_date = member.birth_date  # a death benefit's age is the deceased member's
    return rules.Facts(
        recipient=recipient,
        event_date=event_date,
        filed_on=filed_on,
        member_status=status_on(member, event_date),
        joined_on=start,
        first_contribution_on=first_contribution(member, start, event_date),
        birth_date=birth_date,
        nights=nights,
        claimed=claimed,
        arrears=dues.arrears,
        arrears_months=dues.months,
        paid_through=dues.paid_through,
        year_label=str(year),
        used_this_year=used_year,
        times_this_year=times_year,
        nights_this_year=nights_year,
        used_lifetime=used_life,
        times_lifetime=times_life,
        other_claims=others.count(),
        budget_left=budget,
    )


@dataclass(frozen=True)
class Entitlement:
    """What is left of one benefit for a member this (fiscal) year."""

    benefit: Benefit
    used_this_year: Decimal
    times_this_year: int
    left_this_year: Decimal | None  # None: no yearly cap
    times_left: int | None
    used_lifetime: Decimal
    left_lifetime: Decimal | None
    received: bool  # a once-only benefit already received
    per_child: bool  # its limits count for each child apart, so no single "left" applies


def member_entitlements(member: Member, on: dt.date | None = None) -> list[Entitlement]:
    """Each benefit of the regulation in force for the member, with what remains of it."""
    on = on or timezone.localdate()
    regulation = regulation_in_force(member.fund, on)
    if regulation is None:
        return []
    year = fiscal_year_of(member.fund, on)
    out = []
    for benefit in regulation.benefits.filter(
        Q(for_member=True) | Q(for_child=True) | Q(for_beneficiary=True)
    ):
        used, times, _n = _used(_holding(member, benefit.key, None).filter(fiscal_year=year))
        life, times_life, _n = _used(_holding(member, benefit.key, None))
        if benefit.for_child and not benefit.for_member:
            out.append(Entitlement(benefit, used, times, None, None, life, None, False, True))
            continue
        out.append(
            Entitlement(
                benefit=benefit,
                used_this_year=used,
                times_this_year=times,
                left_this_year=None
                if benefit.per_year_cap is None
                else max(benefit.per_year_cap - used, ZERO),
                times_left=None
                if benefit.times_per_year is None
                else max(benefit.times_per_year - times, 0),
                used_lifetime=life,
                left_lifetime=None
                if benefit.lifetime_cap is None
                else max(benefit.lifetime_cap - life, ZERO),
                received=benefit.once_only and times_life > 0,
                per_child=False,
            )
        )
    return out


def member_claims(member: Member) -> QuerySet[Claim]:
    return Claim.objects.filter(member=member).select_related("benefit").order_by("-event_date")


@dataclass(frozen=True)
class ClaimCounts:
    waiting: int
    approved: int
    paid: int
    paid_total: Decimal
    rejected: int
    fiscal_year: int


def claim_counts(fund: Fund, today: dt.date) -> ClaimCounts:
    """The welfare home's figures: claims by status, and those paid this fiscal year."""
    by_status = dict(
        Claim.objects.filter(fund=fund)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    year = fiscal_year_of(fund, today)
    start, end = fiscal_year_bounds(fund, year)
    paid = Claim.objects.filter(
        fund=fund, status=Claim.Status.PAID, paid_on__gte=start, paid_on__lte=end
    ).aggregate(n=Count("pk"), total=Sum("approved_amount"))
    return ClaimCounts(
        waiting=by_status.get(Claim.Status.FILED, 0),
        approved=by_status.get(Claim.Status.APPROVED, 0),
        paid=paid["n"],
        paid_total=paid["total"] or ZERO,
        rejected=by_status.get(Claim.Status.REJECTED, 0),
        fiscal_year=year,
    )


class Share(NamedTuple):
    name: str
    share_percent: Decimal
    amount: Decimal
    beneficiary: Beneficiary | None


@dataclass(frozen=True)
class PaymentPlan:
    """What paying an approved claim on a day does: the amount the books pay, the dues kept
    back from it, and who takes home how much of the rest. A death benefit has no payees until
    the beneficiaries' shares add up to 100 %."""

    amount: Decimal
    deduction: Decimal
    payees: list[Share]

    @property
    def net(self) -> Decimal:
        return self.amount - self.deduction


def payment_plan(claim: Claim, day: dt.date) -> PaymentPlan:
    """The payment of `claim` on `day`: the pay page shows it and claim_pay carries it out.

    Unpaid dues are kept back where the regulation says so: a living member's as of the day
    of payment, a deceased member's as they stood when they died.
    """
    amount = claim.amount_due
    member = claim.member
    deduction = ZERO
    if claim.benefit.deduct_arrears and member is not None:
        on = None
        if member.status in (Status.APPLICANT, Status.ACTIVE, Status.LAPSED):
            on = day
        elif member.status == Status.DECEASED:
            on = min(day, claim.event_date)
        position = member_position(member, as_of=on) if on else None
        if position is not None:
            deduction = min(position.arrears + position.fees_due, amount)
    handed = amount - deduction  # what the people paid take home
    if claim.recipient == rules.Recipient.BENEFICIARY and member is not None:
        named = list(member.beneficiaries.all())
        shares = [b.share_percent for b in named]
        amounts = rules.split_shares(handed, shares) if named and sum(shares) == 100 else []
        payees = [
            Share(b.full_name, b.share_percent, a, b) for b, a in zip(named, amounts, strict=False)
        ]
    else:
        if claim.recipient == rules.Recipient.NON_MEMBER or member is None:
            name = claim.person_name
        else:  # the member, also for their child
            name = member.full_name
        payees = [Share(name, Decimal(100), handed, None)]
    return PaymentPlan(amount, deduction, payees)


class CategoryRow(NamedTuple):
    category: str  # a CODI category key, or "non_members"
    persons: int
    claims: int
    baht: Decimal


def welfare_by_category(
    fund: Fund, last: dt.date, first: dt.date | None = None
) -> list[CategoryRow]:
    """Welfare paid from `first` (the beginning, if None) to `last`, by CODI category, with the
    persons helped and the baht paid, as CODI's annual fund-data form reports it (§5 since
    the start, §6 for the past year). Help to non-members is its own row. A person is the
    member, or the named child or non-member, counted once per category."""
    paid = Claim.objects.filter(fund=fund, status=Claim.Status.PAID, paid_on__lte=last)
    if first is not None:
        paid = paid.filter(paid_on__gte=first)
    rows: dict[str, tuple[set[tuple[int | None, str]], int, Decimal]] = {}
    found = paid.values_list(
        "benefit__category", "recipient", "member_id", "person_name", "approved_amount"
    ).order_by()
    for category, recipient, member_id, person, amount in found:
        if recipient == rules.Recipient.NON_MEMBER:
            category = "non_members"
        who = (member_id, person if recipient == rules.Recipient.CHILD else "")
        if member_id is None:
            who = (None, person)
        persons, count, total = rows.get(category, (set(), 0, ZERO))
        persons.add(who)
        rows[category] = (persons, count + 1, total + (amount or ZERO))  # paid: always set
    order = [key for key, _th, _en in WELFARE_CATEGORIES] + ["non_members"]
    return [
        CategoryRow(category, len(persons), count, total)
        for category, (persons, count, total) in sorted(
            rows.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
        )
    ]
