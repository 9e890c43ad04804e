"""Reads about contributions: where a member stands, what a session holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from kongtun.contributions import schedule as sched
from kongtun.contributions.models import MemberPlan, Plan, Standing, Terms
from kongtun.members.models import Member

ZERO = Decimal("0.00")


class MemberPosition(NamedTuple):
    """A member's contributions as of a day, for the collector's screen and the passbook."""

    member: Member
    plan: Plan
    position: sched.Position
    fees_due: Decimal
    lapses_on: dt.date | None  # the day the fund's rule lapses them, if nothing is paid
    schedule: sched.Schedule
    credit: Decimal

    @property
    def paid_through(self) -> dt.date:
        return self.position.paid_through

    @property
    def arrears(self) -> Decimal:
        return self.position.arrears

    @property
    def due_now(self) -> Decimal:
        """What to take today to be fully paid up, fees included: the collector's default."""
        return self.position.due_now + self.fees_due

    def amount_for(self, periods: int) -> Decimal:
        """What makes the member paid up today (fees and arrears included) and pays `periods`
        whole periods ahead of that: "+3 months" on the collector's screen."""
        up_to_date = self.position.due_now
        ahead = self.schedule.amount_to_reach(self.credit + up_to_date, periods)
        return up_to_date + ahead + self.fees_due


def _default_schedule(member: Member, terms: Terms) -> tuple[sched.Schedule, Decimal]:
    plan = terms.default_plan
    schedule = sched.schedule_of([(member.joined_on, plan.frequency, plan.amount)])
    return schedule, plan.entry_fee


def member_position(
    member: Member, as_of: dt.date | None = None, terms: Terms | None = None
) -> MemberPosition | None:
    """Where the member stands; None when the fund has no plan yet.

    A member who has never paid has no standing row yet: they are shown as the payment would
    create them (the plan for new members from the day they joined, owing its entry fee).
    """
    as_of = as_of or timezone.localdate()
    terms = terms or Terms.objects.select_related("default_plan").filter(fund=member.fund).first()
    if terms is None:
        return None
    standing = Standing.objects.filter(member=member).first()
    if standing is None:
        schedule, fees = _default_schedule(member, terms)
        credit, plan = ZERO, terms.default_plan
    else:
        rows = list(
            MemberPlan.objects.filter(member=member, epoch=standing.epoch).select_related("plan")
        )
        schedule = sched.schedule_of([(r.starts_on, r.plan.frequency, r.plan.amount) for r in rows])
        credit, fees = standing.credit, standing.fees_due
        plan = next((r.plan for r in reversed(rows) if r.starts_on <= as_of), rows[0].plan)
    pos = sched.position(schedule, credit, as_of)
    rule = terms.lapse_rule
    lapses_on = sched.lapse_day(schedule, pos.paid_through, rule) if rule else None
    return MemberPosition(member, plan, pos, fees, lapses_on, schedule, credit)
