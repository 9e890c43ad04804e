"""Every write about contributions: plans and terms, payments with their receipts, voiding,
collection sessions, plan changes, lapse and reinstatement.

A payment is one transaction under the fund's books lock: the receipt number, the member's
standing, the book entry and the audit entry commit together or not at all. The lock is what
makes two collectors paying for the same member at the same moment both count, once each.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.contributions import schedule as sched
from kongtun.contributions.arrears import lapse_preview
from kongtun.contributions.models import (
    CollectionSession,
    MemberPlan,
    Plan,
    Receipt,
    ReceiptCounter,
    Standing,
    Terms,
)
from kongtun.funds.models import Branch, Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry
from kongtun.ledger.services import entry_post, entry_post_locked, entry_reverse, lock_books
from kongtun.ledger.statements import fiscal_year_of
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Event, Member, Status
from kongtun.members.services import member_change_status

ZERO = Decimal("0.00")
MAX_PAYMENT = Decimal("1000000.00")
PAYING = frozenset({Status.APPLICANT, Status.ACTIVE, Status.LAPSED})


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- Plans and terms -------------------------------------------------------------------------


def plan_create(
    *,
    fund: Fund,
    actor: Any,
    name: str,
    frequency: str,
    amount: Decimal,
    entry_fee: Decimal = ZERO,
) -> Plan:
    """Add a plan. A plan's amount is never edited (it would rewrite every member's past
    dues); a new amount is a new plan that members move to from a date."""
    if amount <= 0:
        raise _refuse("amount", _("The amount per period must be more than zero."))
    if entry_fee < 0:
        raise _refuse("entry_fee", _("The entry fee cannot be negative."))
    with transaction.atomic():
        if Plan.objects.filter(fund=fund, name=name.strip()).exists():
            raise _refuse("name", _("There is already a plan with this name."))
        plan = Plan(
            fund=fund, name=name.strip(), frequency=frequency, amount=amount, entry_fee=entry_fee
        )
        plan.full_clean(exclude=["fund"])
        plan.save()
        if not Terms.objects.filter(fund=fund).exists():
            Terms.objects.create(fund=fund, default_plan=plan)
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.plan.created",
                    plan,
                    after={
                        "name": plan.name,
                        "frequency": frequency,
                        "amount": str(amount),
                        "entry_fee": str(entry_fee),
                    },
                )
            ],
        )
    return plan


def plan_set_active(*, plan: Plan, actor: Any, active: bool) -> Plan:
    with transaction.atomic():
        terms = Terms.objects.filter(fund=plan.fund).first()
        if not active and terms is not None and terms.default_plan_id == plan.pk:
            raise _refuse("plan", _("The plan for new members cannot be withdrawn."))
        before = plan.is_active
        plan.is_active = active
        plan.save(update_fields=["is_active"])
        audit_log(
            fund=plan.fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.plan.active",
                    plan,
                    before={"is_active": before},
                    after={"is_active": active},
                )
            ],
        )
    return plan


def terms_update(
    *,
    fund: Fund,
    actor: Any,
    default_plan: Plan,
    lapse_after: int,
    lapse_unit: str,
    reinstatement: str,
    reinstatement_fee: Decimal,
) -> Terms:
    if default_plan.fund_id != fund.pk or not default_plan.is_active:
        raise _refuse("default_plan", _("Choose a plan this fund offers."))
    if reinstatement_fee < 0:
        raise _refuse("reinstatement_fee", _("The fee cannot be negative."))
    with transaction.atomic():
        terms = Terms.objects.select_for_update().filter(fund=fund).first()
        before = None
        if terms is None:
            terms = Terms(fund=fund, default_plan=default_plan)
        else:
            before = _terms_snapshot(terms)
        terms.default_plan = default_plan
        terms.lapse_after = lapse_after
        terms.lapse_unit = lapse_unit
        terms.reinstatement = reinstatement
        terms.reinstatement_fee = reinstatement_fee
        terms.full_clean(exclude=["fund", "default_plan"])
        terms.save()
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.terms.updated",
                    terms,
                    before=before,
                    after=_terms_snapshot(terms),
                )
            ],
        )
    return terms


def _terms_snapshot(terms: Terms) -> dict[str, Any]:
    return {
        "default_plan": terms.default_plan_id,
        "lapse_after": terms.lapse_after,
        "lapse_unit": terms.lapse_unit,
        "reinstatement": terms.reinstatement,
        "reinstatement_fee": str(terms.reinstatement_fee),
    }


def terms_of(fund: Fund) -> Terms:
    terms = Terms.objects.select_related("default_plan").filter(fund=fund).first()
    if terms is None:
        raise _refuse(
            "plan",
            _("The fund has no contribution plan yet. The treasurer sets one up first."),
        )
    return terms


# --- A member's schedule and standing ---------------------------------------------------------


def schedule_for(member: Member, epoch: int) -> sched.Schedule:
    # Plain values, unordered: schedule_of sorts the segments itself, and the model's ordering
    # would join the member and fund tables only to sort by them.
    rows = MemberPlan.objects.filter(member=member, epoch=epoch).order_by()
    return sched.schedule_of(list(rows.values_list("starts_on", "plan__frequency", "plan__amount")))


def standing_ensure(member: Member, terms: Terms | None = None) -> Standing:
    """The member's standing, made on first use: contributions start on the day they joined,
    under the fund's plan for new members, owing its entry fee."""
    standing = Standing.objects.filter(member=member).first()
    if standing is not None:
        return standing
    terms = terms or terms_of(member.fund)
    plan = terms.default_plan
    MemberPlan.objects.create(
        fund=member.fund, member=member, plan=plan, epoch=1, starts_on=member.joined_on
    )
    return Standing.objects.create(
        member=member,
        fund=member.fund,
        epoch=1,
        credit=ZERO,
        paid_through=member.joined_on - sched.DAY,
        fees_due=plan.entry_fee,
    )


def member_plan_change(*, member: Member, actor: Any, plan: Plan, on: dt.date) -> MemberPlan:
    """Move the member to `plan` from the first period boundary of their current plan on or
    after `on` and after what they have already paid for; the row says the date it really
    starts. Periods already paid stay paid under the plan they were paid for."""
    if plan.fund_id != member.fund_id or not plan.is_active:
        raise _refuse("plan", _("Choose a plan this fund offers."))
    with transaction.atomic():
        lock_books(member.fund)
        standing = standing_ensure(member)
        current = schedule_for(member, standing.epoch)
        last = current.segments[-1]
        starts = sched.next_boundary(last, max(on, last.start, standing.paid_through + sched.DAY))
        if starts == last.start:
            raise _refuse(
                "on",
                _("The member's plan already changes on %(date)s.") % {"date": format_date(starts)},
            )
        row = MemberPlan.objects.create(
            fund=member.fund,
            member=member,
            plan=plan,
            epoch=standing.epoch,
            starts_on=starts,
            recorded_by=actor,
        )
        _restand(standing, schedule_for(member, standing.epoch))
        audit_log(
            fund=member.fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.member_plan.changed",
                    member,
                    after={"plan": plan.name, "starts_on": starts.isoformat()},
                )
            ],
        )
    return row


def _restand(standing: Standing, schedule: sched.Schedule) -> None:
    """Recompute the paid-through date after the credit, fees or schedule changed; save all."""
    standing.paid_through, _left = schedule.coverage(standing.credit)
    standing.save(update_fields=["credit", "fees_due", "paid_through", "updated_at"])


# --- Payments and receipts -------------------------------------------------------------------


_INCOME_ROLES = ("income.members", "income.entry_fees")


def _money_account(fund: Fund, money_account: Account | None) -> tuple[Account, dict[str, Account]]:
    """The account the money goes into (the fund's cash account unless another is chosen) and
    the fund's income accounts by role, read afresh in one query.

    Where a role has several accounts the lowest code wins, as the chart's ordering had it.
    `entry_post_locked` checks them all again (fund, active) when it posts.
    """
    if money_account is not None and money_account.fund_id != fund.pk:
        raise _refuse("money_account", _("Choose the cash or bank account of this fund."))
    money: Account | None = None
    income: dict[str, Account] = {}
    # A plain IN (an OR of conditions costs more to build than the few extra rows it saves).
    wanted = ("cash", "bank", *_INCOME_ROLES)
    for account in Account.objects.filter(fund=fund, role__in=wanted).order_by("code"):
        if account.role in _INCOME_ROLES:
            income.setdefault(account.role, account)
        if money is None and (
            account.pk == money_account.pk
            if money_account is not None
            else account.role == "cash" and account.is_active
        ):
            money = account
    if money is None and money_account is None:
        raise _refuse("money_account", _("The fund has no cash account in its books."))
    if money is None or not money.is_money:
        raise _refuse("money_account", _("Choose the cash or bank account of this fund."))
    return money, income


def _income_account(income: dict[str, Account], role: str) -> Account:
    account = income.get(role)
    if account is None:
        raise _refuse("lines", _("The fund's books have no account for %(role)s.") % {"role": role})
    return account


def _same_payment(
    receipt: Receipt, member: Member, amount: Decimal, date: dt.date, account: Account
) -> bool:
    # The money account too: the same form resent for the bank instead of cash is another
    # payment, not a replay (RELIABILITY L5: same key, other content is refused).
    return (receipt.member_id, receipt.total, receipt.date, receipt.money_account_id) == (
        member.pk,
        amount,
        date,
        account.pk,
    )


def payment_record(
    *,
    member: Member,
    actor: Any,
    amount: Decimal,
    date: dt.date | None = None,
    money_account: Account | None = None,
    session: CollectionSession | None = None,
    idempotency_key: str | None = None,
    settle_deceased: bool = False,
) -> Receipt:
    """Take a member's payment: receipt, standing, book entry and audit in one transaction.

    `settle_deceased` takes a deceased member's last dues, deducted from their death benefit
    as the regulation says.

    The money pays any entry or reinstatement fee owed first, the rest goes to contributions,
    which may clear arrears or pay periods ahead. The same form submitted again (same key)
    returns the first receipt; the same key with another amount is refused.
    """
    fund = member.fund
    date = date or timezone.localdate()
    if amount <= 0:
        raise _refuse("amount", _("The amount must be more than zero."))
    if amount > MAX_PAYMENT:
        raise _refuse("amount", _("The amount is too large for one receipt."))
    if amount != amount.quantize(core.SATANG):
        raise _refuse("amount", _("An amount has at most two decimal places (satang)."))
    if session is not None:
        if session.fund_id != fund.pk:
            raise _refuse("session", _("This collection session belongs to another fund."))
        date = session.date
    with transaction.atomic():
        head = lock_books(fund)
        # The lookups below are by unique keys, so they drop the models' orderings (which
        # join the fund table to sort by its code).
        if idempotency_key:
            same_key = Receipt.objects.filter(fund=fund, idempotency_key=idempotency_key)
            existing = same_key.order_by().first()
            if existing is not None:
                account, _income = _money_account(fund, money_account)
                if _same_payment(existing, member, amount, date, account):
                    return existing
                raise _refuse("amount", _("This form was already submitted with other amounts."))
        if session is not None:
            state = CollectionSession.objects.filter(pk=session.pk).order_by()
            if state.values_list("state", flat=True).first() != CollectionSession.State.OPEN:
                raise _refuse(
                    "session", _("This collection session is closed; open a new one to collect.")
                )
        # The member's status and standing in one read (the standing is joined, not loaded as
        # a model: only its figures are needed, and it is written back with one UPDATE).
        found = (
            Member.objects.filter(pk=member.pk)
            .order_by()
            .values_list(
                "status",
                "standing__epoch",
                "standing__credit",
                "standing__paid_through",
                "standing__fees_due",
            )
        )
        row = found.first()
        allowed = (PAYING | {Status.DECEASED}) if settle_deceased else PAYING
        if row is None or row[0] not in allowed:
            raise _refuse("member", _("This person is no longer a member; no payment is taken."))
        status, epoch, credit, paid_through, fees_due = row
        if status == Status.LAPSED and terms_of(fund).reinstatement == Terms.Reinstatement.REJOIN:
            # Their arrears are waived when they rejoin, so money paid now would be lost.
            raise _refuse(
                "member",
                _("This member has lapsed. Reinstate them first; then take the payment."),
            )
        account, income = _money_account(fund, money_account)
        if epoch is None:
            standing = standing_ensure(member)
        else:
            standing = Standing(
                member_id=member.pk,
                fund_id=fund.pk,
                epoch=epoch,
                credit=credit,
                paid_through=paid_through,
                fees_due=fees_due,
            )
        fee = min(amount, standing.fees_due)
        contribution = amount - fee
        schedule = schedule_for(member, standing.epoch)
        standing.credit += contribution
        standing.fees_due -= fee
        standing.paid_through, _left = schedule.coverage(standing.credit)
        fiscal_year = fiscal_year_of(fund, date)
        counters = ReceiptCounter.objects.filter(fund=fund, fiscal_year=fiscal_year).order_by()
        counter = counters.values_list("pk", "last").first()
        if counter is None:
            made = ReceiptCounter.objects.create(fund=fund, fiscal_year=fiscal_year)
            counter = (made.pk, made.last)
        seq = counter[1] + 1
        number = f"{fiscal_year}/{seq:06d}"
        accounts = {account.code: account}
        postings = [core.Posting(account.code, amount)]
        if contribution:
            members_income = _income_account(income, "income.members")
            accounts[members_income.code] = members_income
            postings.append(core.Posting(members_income.code, -contribution))
        if fee:
            fees_income = _income_account(income, "income.entry_fees")
            accounts[fees_income.code] = fees_income
            postings.append(core.Posting(fees_income.code, -fee))
        with translation.override("th"):  # the books are kept in the fund's language
            memo = _("Receipt %(number)s, member %(member)s") % {
                "number": number,
                "member": member.number,
            }
        receipt = Receipt(
            fund=fund,
            fiscal_year=fiscal_year,
            seq=seq,
            date=date,
            member=member,
            contribution=contribution,
            fee=fee,
            total=amount,
            epoch=standing.epoch,
            paid_through=standing.paid_through,
            money_account=account,
            session=session,
            received_by=actor,
            idempotency_key=idempotency_key or None,
        )
        receipt.entry = entry_post_locked(
            fund=fund,
            head=head,
            actor=actor,
            entry=core.Entry(date, memo, tuple(postings)),
            kind=JournalEntry.Kind.CONTRIBUTION,
            accounts=accounts,
            also=[
                Change(
                    "contributions.receipt.issued",
                    "contributions.receipt",
                    number,
                    after={
                        "member": member.number,
                        "contribution": str(contribution),
                        "fee": str(fee),
                        "paid_through": standing.paid_through.isoformat(),
                    },
                )
            ],
        )
        receipt.save()
        # UPDATEs by primary key through the base manager, as save() writes; update() skips
        # auto_now, so updated_at is set here as save() would have set it.
        ReceiptCounter._base_manager.filter(pk=counter[0]).update(last=seq)
        Standing._base_manager.filter(pk=member.pk).update(
            credit=standing.credit,
            fees_due=standing.fees_due,
            paid_through=standing.paid_through,
            updated_at=timezone.now(),
        )
        if status == Status.LAPSED:
            _reinstate_if_current(member, actor, standing, schedule, date)
    return receipt


def _role_code(fund: Fund, role: str) -> str:
    """The code of the fund's account with `role` (the lowest, if the fund added others)."""
    accounts = Account.objects.filter(fund=fund, role=role).order_by("code")
    code = accounts.values_list("code", flat=True).first()
    if code is None:
        raise _refuse("lines", _("The fund's books have no account for %(role)s.") % {"role": role})
    return code


def _reinstate_if_current(
    member: Member, actor: Any, standing: Standing, schedule: sched.Schedule, on: dt.date
) -> None:
    terms = terms_of(member.fund)
    if terms.reinstatement != Terms.Reinstatement.PAY_ARREARS:
        return
    # A payment entered late may have cleared the arrears of its day but not today's.
    pos = sched.position(schedule, standing.credit, max(on, timezone.localdate()))
    if pos.arrears == 0 and standing.fees_due == 0:
        lapsed_on = Member.objects.filter(pk=member.pk).values_list("status_since", flat=True)
        member_change_status(
            member=member,
            actor=actor,
            event=Event.REINSTATED,
            # A payment entered late may be dated before the lapse was recorded.
            effective_on=max(on, lapsed_on.get()),
            note=_("Arrears paid; paid through %(date)s") % {"date": format_date(pos.paid_through)},
        )


def receipt_void(
    *, receipt: Receipt, actor: Any, reason: str, on: dt.date | None = None
) -> Receipt:
    """Void a receipt: its entry is reversed, its number stays used, and the member's
    standing goes back by what it paid."""
    if not reason.strip():
        raise _refuse("reason", _("Please say why the receipt is voided."))
    on = on or timezone.localdate()
    with transaction.atomic():
        lock_books(receipt.fund)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.is_void:
            raise _refuse("reason", _("This receipt was already voided."))
        if receipt.session is not None and receipt.session.state == CollectionSession.State.CLOSED:
            # The cash was counted against this receipt; voiding it now would count the
            # difference twice when the treasurer takes the money.
            raise _refuse(
                "reason",
                _(
                    "The cash of this receipt's collection session is counted and waiting for "
                    "the treasurer. Void the receipt after the hand-over."
                ),
            )
        if on < receipt.date:
            on = receipt.date
        reversal = entry_reverse(
            entry=receipt.entry,
            actor=actor,
            on=on,
            reason=_("receipt %(number)s voided: %(reason)s")
            % {"number": receipt.number, "reason": reason.strip()},
            voiding_receipt=True,
        )
        receipt.void_entry = reversal
        receipt.void_reason = reason.strip()[:300]
        receipt.voided_by = actor
        receipt.voided_at = timezone.now()
        receipt.save(update_fields=["void_entry", "void_reason", "voided_by", "voided_at"])
        standing = Standing.objects.get(member=receipt.member)
        if receipt.epoch == standing.epoch:
            # A receipt from before the member rejoined counts for neither credit nor fees now.
            standing.credit -= receipt.contribution
            standing.fees_due += receipt.fee
        _restand(standing, schedule_for(receipt.member, standing.epoch))
        audit_log(
            fund=receipt.fund,
            actor=actor,
            changes=[
                Change(
                    "contributions.receipt.voided",
                    "contributions.receipt",
                    receipt.number,
                    after={"reason": receipt.void_reason, "reversal": reversal.number},
                )
            ],
        )
    return receipt


def verify_standing(member: Member) -> list[str]:
    """Differences between the stored standing and one recomputed from the receipts."""
    standing = Standing.objects.get(member=member)
    credit = (
        Receipt.objects.filter(
            member=member, epoch=standing.epoch, void_entry__isnull=True
        ).aggregate(t=Sum("contribution"))["t"]
        or ZERO
    )
    problems = []
    if credit != standing.credit:
        problems.append(f"credit {standing.credit} != receipts {credit}")
    paid_through, _left = schedule_for(member, standing.epoch).coverage(credit)
    if paid_through != standing.paid_through:
        problems.append(f"paid through {standing.paid_through} != {paid_through}")
    return problems


# --- Collection sessions ---------------------------------------------------------------------


def session_open(
    *,
    fund: Fund,
    collector: Any,
    branch: Branch | None = None,
    place: str = "",
    date: dt.date | None = None,
) -> CollectionSession:
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise _refuse("date", _("A session cannot be dated in the future."))
    if branch is not None and branch.fund_id != fund.pk:
        raise _refuse("branch", _("Choose a branch of this fund."))
    with transaction.atomic():
        lock_books(fund)  # two taps on "open" make one session
        open_one = CollectionSession.objects.filter(
            fund=fund, collector=collector, state=CollectionSession.State.OPEN
        ).first()
        if open_one is not None:
            return (
                open_one  # a collector works one session at a time; reopening the page resumes it
            )
        session = CollectionSession.objects.create(
            fund=fund, collector=collector, branch=branch, place=place.strip()[:200], date=date
        )
        audit_log(
            fund=fund,
            actor=collector,
            changes=[
                Change.of(
                    "contributions.session.opened",
                    session,
                    after={"date": date.isoformat(), "branch": branch.pk if branch else None},
                )
            ],
        )
    return session


def session_total(session: CollectionSession) -> Decimal:
    total: Decimal = (
        session.receipts.filter(void_entry__isnull=True).aggregate(t=Sum("total"))["t"] or ZERO
    )
    return total


def session_close(
    *, session: CollectionSession, actor: Any, counted: Decimal, note: str = ""
) -> CollectionSession:
    """Count the cash: the difference from the receipts is kept on the session, with a note
    saying why, and is posted to the books when the treasurer takes the money."""
    if counted < 0:
        raise _refuse("counted", _("The cash counted cannot be negative."))
    with transaction.atomic():
        lock_books(session.fund)  # no receipt can join the session while it is counted
        session = CollectionSession.objects.select_for_update().get(pk=session.pk)
        if session.state != CollectionSession.State.OPEN:
            raise _refuse("counted", _("This session was already closed."))
        expected = session_total(session)
        if counted != expected and not note.strip():
            message = (
                _(
                    "The cash is short of the receipts by %(diff)s baht; please note why "
                    "(the difference is recorded, not hidden)."
                )
                if counted < expected
                else _(
                    "The cash is over the receipts by %(diff)s baht; please note why "
                    "(the difference is recorded, not hidden)."
                )
            )
            raise _refuse("note", message % {"diff": f"{abs(counted - expected):,.2f}"})
        session.expected, session.counted, session.note = expected, counted, note.strip()[:500]
        session.state = CollectionSession.State.CLOSED
        session.closed_at = timezone.now()
        session.save(update_fields=["expected", "counted", "note", "state", "closed_at"])
        audit_log(
            fund=session.fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.session.closed",
                    session,
                    after={
                        "expected": str(expected),
                        "counted": str(counted),
                        "note": session.note,
                    },
                )
            ],
        )
    return session


def session_accept(*, session: CollectionSession, actor: Any) -> CollectionSession:
    """The treasurer takes the cash. A shortage is owed by the collector (a receivable), an
    excess is other income; either way it is posted, so the cash book matches the cash."""
    with transaction.atomic():
        lock_books(session.fund)  # the same lock order as session_close: books, then session
        session = CollectionSession.objects.select_for_update().get(pk=session.pk)
        if session.state != CollectionSession.State.CLOSED:
            raise _refuse("session", _("Only a counted session can be handed over."))
        if session.collector_id == actor.pk:
            raise _refuse("session", _("Someone other than the collector receives the money."))
        diff = session.difference or ZERO
        if diff:
            cash = _role_code(session.fund, "cash")
            other = _role_code(session.fund, "receivable.shortage" if diff < 0 else "income.other")
            with translation.override("th"):  # the books are kept in the fund's language
                memo = _("Cash %(kind)s in collection session of %(date)s: %(note)s") % {
                    "kind": _("short") if diff < 0 else _("over"),
                    "date": format_date(session.date),
                    "note": session.note,
                }
            session.difference_entry = entry_post(
                fund=session.fund,
                actor=actor,
                entry=core.Entry(
                    timezone.localdate(),
                    memo[:500],
                    (core.Posting(cash, diff), core.Posting(other, -diff)),
                ),
                kind=JournalEntry.Kind.OTHER,
                idempotency_key=f"session-diff:{session.code}",
            )
        session.state = CollectionSession.State.ACCEPTED
        session.accepted_by, session.accepted_at = actor, timezone.now()
        session.save(update_fields=["state", "accepted_by", "accepted_at", "difference_entry"])
        audit_log(
            fund=session.fund,
            actor=actor,
            changes=[
                Change.of(
                    "contributions.session.accepted",
                    session,
                    after={"difference": str(diff)},
                )
            ],
        )
    return session


# --- Lapse and reinstatement ------------------------------------------------------------------


def lapse_apply(*, fund: Fund, actor: Any, as_of: dt.date) -> list[Member]:
    """Apply the fund's lapse rule as of a date: every active member whose payments stopped
    long enough, with a period ended unpaid, lapses on the day the rule says, written into
    their history. Who and when is exactly what the lapse preview shows."""
    if as_of > timezone.localdate():
        raise _refuse("as_of", _("The date cannot be in the future."))
    terms = terms_of(fund)
    rule = terms.lapse_rule
    lapsed = []
    with transaction.atomic():
        lock_books(fund)
        for row in lapse_preview(fund=fund, as_of=as_of) or []:
            standing = standing_ensure(row.member, terms)
            if terms.reinstatement == Terms.Reinstatement.PAY_ARREARS and terms.reinstatement_fee:
                standing.fees_due += terms.reinstatement_fee
                standing.save(update_fields=["fees_due", "updated_at"])
            assert rule is not None  # the preview is None without one
            member_change_status(
                member=row.member,
                actor=actor,
                event=Event.LAPSED,
                effective_on=row.lapses_on,
                note=_("No payment for %(count)s %(unit)s; paid through %(date)s")
                % {
                    "count": rule.length,
                    "unit": Terms.LapseUnit(rule.unit).label,
                    "date": format_date(row.paid_through),
                },
            )
            lapsed.append(row.member)
    return lapsed


def member_reinstate(*, member: Member, actor: Any, on: dt.date | None = None) -> Member:
    """Bring a lapsed member back under the fund's terms.

    Pay-arrears funds reinstate once nothing is owed (a payment that clears the arrears does it
    by itself). Rejoin funds waive the arrears: contributions start again from `on` under the
    member's plan, owing the reinstatement fee.
    """
    on = on or timezone.localdate()
    terms = terms_of(member.fund)
    with transaction.atomic():
        lock_books(member.fund)
        member = Member.objects.get(pk=member.pk)
        if member.status != Status.LAPSED:
            raise _refuse("member", _("Only a lapsed member can be reinstated."))
        standing = standing_ensure(member, terms)
        schedule = schedule_for(member, standing.epoch)
        if terms.reinstatement == Terms.Reinstatement.PAY_ARREARS:
            pos = sched.position(schedule, standing.credit, max(on, timezone.localdate()))
            if pos.arrears or standing.fees_due:
                raise _refuse(
                    "member",
                    _("%(amount)s baht must be paid before the member is reinstated.")
                    % {"amount": f"{pos.arrears + standing.fees_due:,.2f}"},
                )
            note = _("Arrears paid")
        else:
            plan = schedule.segments[-1]
            current = MemberPlan.objects.filter(member=member, epoch=standing.epoch).last()
            assert current is not None and plan.start == current.starts_on
            standing.epoch += 1
            MemberPlan.objects.create(
                fund=member.fund,
                member=member,
                plan=current.plan,
                epoch=standing.epoch,
                starts_on=on,
                recorded_by=actor,
            )
            standing.credit = ZERO
            standing.fees_due = terms.reinstatement_fee  # old fees are waived with the arrears
            standing.paid_through = on - sched.DAY
            standing.save(
                update_fields=["epoch", "credit", "fees_due", "paid_through", "updated_at"]
            )
            note = _("Rejoined; contributions start again on %(date)s") % {"date": format_date(on)}
        return member_change_status(
            member=member, actor=actor, event=Event.REINSTATED, effective_on=on, note=note
        )
