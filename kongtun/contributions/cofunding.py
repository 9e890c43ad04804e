"""Co-funders' money and government matching.

What CODI (by round), local government and donors paid the fund, posted to the books; the
matching terms each co-funder set for a fiscal year; and the matching report: which members
are eligible, what each co-funder is expected to pay against what arrived. The arithmetic is
in `matching` (pure); here are the writes and the database reads that feed it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.contributions import matching
from kongtun.contributions.models import (
    CoContribution,
    Funder,
    MatchedMember,
    MatchingTerms,
    MemberPlan,
    PastPayment,
    Receipt,
)
from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.models import Account, JournalEntry, Source
from kongtun.ledger.services import entry_post_locked, lock_books
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Member, Status, StatusChange

# The income account each co-funder's money is credited to, by role in the chart.
INCOME_ROLE: dict[str, str] = {
    Funder.CODI: "income.codi",
    Funder.LOCAL_GOV: "income.tao",
    Funder.OTHER_GOV: "income.other_gov",
    Funder.DONOR: "income.donations",
}


ZERO = Decimal("0.00")
MAX_ROUND = 99


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_year(fiscal_year: int) -> None:
    if not FIRST_BE_YEAR <= fiscal_year <= LAST_BE_YEAR:
        raise _refuse(
            "fiscal_year",
            _("Type the fiscal year in Buddhist era, e.g. %(year)s.")
            % {"year": matching.government_year_of(timezone.localdate())},
        )


def _memo(funder: str, fiscal_year: int, round: int | None, payer: str) -> str:
    """The book entry's description, in Thai whatever language the user reads: the books are
    one document, kept in the fund's language."""
    with translation.override("th"):
        values = {"funder": Funder(funder).label, "year": fiscal_year, "round": round}
        memo = (
            _("%(funder)s, fiscal year %(year)s, round %(round)s") % values
            if round
            else _("%(funder)s, fiscal year %(year)s") % values
        )
    return f"{memo} — {payer}" if payer else memo


def cocontribution_record(
    *,
    fund: Fund,
    actor: Any,
    funder: str,
    fiscal_year: int,
    date: dt.date,
    amount: Decimal,
    round: int | None = None,
    payer: str = "",
    reference: str = "",
    money_account: Account | None = None,
    income_account: Account | None = None,
    idempotency_key: str | None = None,
) -> CoContribution:
    """Record money a co-funder paid, posted to the books in the same transaction.

    The money goes to the bank account unless another is named; the income account follows
    the co-funder (a municipality or PAO fund names its own local-government account).
    """
    if funder not in Funder.values:
        raise _refuse("funder", _("Choose who paid the money."))
    if amount <= 0:
        raise _refuse("amount", _("The amount must be more than zero."))
    if amount != amount.quantize(core.SATANG):
        raise _refuse("amount", _("An amount has at most two decimal places (satang)."))
    _check_year(fiscal_year)
    if funder == Funder.CODI and not round:
        raise _refuse("round", _("Say which round of CODI's co-contribution this is."))
    if round is not None and not 1 <= round <= MAX_ROUND:
        raise _refuse("round", _("A round is a number from 1 to %(max)s.") % {"max": MAX_ROUND})
    with transaction.atomic():
        head = lock_books(fund)
        if idempotency_key:
            existing = CoContribution.objects.filter(
                fund=fund, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                if (existing.funder, existing.amount, existing.date) == (funder, amount, date):
                    return existing
                raise _refuse("amount", _("This form was already submitted with other amounts."))
        money = money_account or Account.objects.filter(fund=fund, role="bank").first()
        if money is None or money.fund_id != fund.pk or not money.is_money:
            raise _refuse("money_account", _("Choose the cash or bank account of this fund."))
        income = (
            income_account or Account.objects.filter(fund=fund, role=INCOME_ROLE[funder]).first()
        )
        if income is None or income.fund_id != fund.pk or income.type != core.AccountType.INCOME:
            raise _refuse("income_account", _("Choose an income account of this fund."))
        if funder == Funder.LOCAL_GOV and income.source != Source.LOCAL_GOV:
            raise _refuse(
                "income_account", _("Local government money goes to a local-government account.")
            )
        memo = _memo(funder, fiscal_year, round, payer.strip())
        cofund = CoContribution(
            fund=fund,
            funder=funder,
            payer=payer.strip()[:200],
            fiscal_year=fiscal_year,
            round=round,
            date=date,
            amount=amount,
            reference=reference.strip()[:100],
            recorded_by=actor,
            idempotency_key=idempotency_key or None,
        )
        cofund.entry = entry_post_locked(
            fund=fund,
            head=head,
            actor=actor,
            entry=core.Entry(
                date,
                memo[:500],
                (core.Posting(money.code, amount), core.Posting(income.code, -amount)),
            ),
            kind=JournalEntry.Kind.OTHER,
            also=[
                Change(
                    "contributions.cocontribution.recorded",
                    "contributions.cocontribution",
                    str(cofund.code),
                    after={
                        "funder": funder,
                        "fiscal_year": fiscal_year,
                        "round": round,
                        "amount": str(amount),
                    },
                )
            ],
        )
        cofund.save()
    return cofund


# --- Co-contributions received ---------------------------------------------------------------

FUNDER_ORDER = {value: i for i, value in enumerate(Funder.values)}


@dataclass(frozen=True)
class FunderPayments:
    funder: str
    payments: list[CoContribution]

    @property
    def label(self) -> str:
        return str(Funder(self.funder).label)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)


@dataclass(frozen=True)
class YearPayments:
    fiscal_year: int
    funders: list[FunderPayments]

    @property
    def total(self) -> Decimal:
        return sum((f.total for f in self.funders), ZERO)


def cocontribution_years(*, fund: Fund) -> list[YearPayments]:
    """Every co-contribution the fund received: by fiscal year, latest first, then by
    co-funder, CODI's by round."""
    grouped: dict[int, dict[str, list[CoContribution]]] = defaultdict(lambda: defaultdict(list))
    rows = CoContribution.objects.filter(fund=fund).select_related("entry")
    for row in rows.order_by("-fiscal_year", "round", "date", "pk"):
        grouped[row.fiscal_year][row.funder].append(row)
    return [
        YearPayments(
            year,
            [
                FunderPayments(funder, payments)
                for funder, payments in sorted(by_funder.items(), key=lambda i: FUNDER_ORDER[i[0]])
            ],
        )
        for year, by_funder in grouped.items()
    ]


def local_gov_income_accounts(fund: Fund) -> QuerySet[Account]:
    """The income accounts for local government's money (TAO, municipality, PAO, the fund's
    own): the one a payment goes to depends on which local government paid."""
    return Account.objects.filter(
        fund=fund, type=core.AccountType.INCOME, source=Source.LOCAL_GOV, is_active=True
    ).order_by("code")


# --- Matching terms --------------------------------------------------------------------------

# Only what the terms form starts from when a co-funder has no terms yet: the usual CODI terms
# (1 : 1, at most 365 baht a member, 3 rounds, a full year of membership). Matching itself
# always reads the year's MatchingTerms.
PROPOSED_TERMS = matching.Rule(
    ratio=Decimal("1.000"), cap=Decimal("365.00"), max_rounds=3, min_days=365
)
MAX_RATIO = Decimal("999.999")
RATIO_PLACES = Decimal("0.001")
MAX_ROUNDS = 99
MAX_MEMBERSHIP_DAYS = 3660


def terms_rule(terms: MatchingTerms) -> matching.Rule:
    return matching.Rule(
        ratio=terms.ratio,
        cap=terms.cap_per_member,
        max_rounds=terms.max_rounds,
        min_days=terms.min_membership_days,
    )


def matching_terms_of(*, fund: Fund, fiscal_year: int) -> list[MatchingTerms]:
    """The terms set for the year, one per co-funder, CODI first."""
    terms = MatchingTerms.objects.filter(fund=fund, fiscal_year=fiscal_year)
    return sorted(terms, key=lambda t: FUNDER_ORDER[t.funder])


def matching_terms_proposed(*, fund: Fund, funder: str, fiscal_year: int) -> matching.Rule:
    """What the terms form starts from: the year's own terms if set, else the same
    co-funder's latest earlier year, else the usual CODI terms."""
    terms = (
        MatchingTerms.objects.filter(fund=fund, funder=funder, fiscal_year__lte=fiscal_year)
        .order_by("-fiscal_year")
        .first()
    )
    return terms_rule(terms) if terms is not None else PROPOSED_TERMS


def _check_rule(rule: matching.Rule) -> None:
    errors: dict[str, list[str]] = {}
    if not ZERO < rule.ratio <= MAX_RATIO or rule.ratio != rule.ratio.quantize(RATIO_PLACES):
        errors["ratio"] = [
            _("The ratio is more than 0 and at most %(max)s, with up to three decimals.")
            % {"max": MAX_RATIO}
        ]
    if rule.cap <= 0 or rule.cap != rule.cap.quantize(core.SATANG):
        errors["cap_per_member"] = [_("The amount must be more than zero.")]
    if not 1 <= rule.max_rounds <= MAX_ROUNDS:
        errors["max_rounds"] = [
            _("The rounds are a number from 1 to %(max)s.") % {"max": MAX_ROUNDS}
        ]
    if not 0 <= rule.min_days <= MAX_MEMBERSHIP_DAYS:
        errors["min_membership_days"] = [
            _("The days are a number from 0 to %(max)s.") % {"max": MAX_MEMBERSHIP_DAYS}
        ]
    if errors:
        raise ValidationError(errors)


def _terms_snapshot(terms: MatchingTerms) -> dict[str, Any]:
    return {
        "funder": terms.funder,
        "fiscal_year": terms.fiscal_year,
        "ratio": str(terms.ratio),
        "cap_per_member": str(terms.cap_per_member),
        "max_rounds": terms.max_rounds,
        "min_membership_days": terms.min_membership_days,
    }


def matching_terms_set(
    *,
    fund: Fund,
    actor: Any,
    funder: str,
    fiscal_year: int,
    ratio: Decimal,
    cap_per_member: Decimal,
    max_rounds: int,
    min_membership_days: int,
) -> MatchingTerms:
    """Set how `funder` matches members' contributions in `fiscal_year` (new or changed)."""
    if funder not in Funder.values:
        raise _refuse("funder", _("Choose who paid the money."))
    _check_year(fiscal_year)
    _check_rule(matching.Rule(ratio, cap_per_member, max_rounds, min_membership_days))
    with transaction.atomic():
        # Serialises two committee members saving the same year's terms at once.
        lock_books(fund)
        terms = MatchingTerms.objects.filter(
            fund=fund, funder=funder, fiscal_year=fiscal_year
        ).first()
        before = _terms_snapshot(terms) if terms is not None else None
        if terms is None:
            terms = MatchingTerms(fund=fund, funder=funder, fiscal_year=fiscal_year)
        terms.ratio, terms.cap_per_member = ratio, cap_per_member
        terms.max_rounds, terms.min_membership_days = max_rounds, min_membership_days
        after = _terms_snapshot(terms)
        if before == after:
            return terms
        terms.updated_by = actor
        terms.full_clean(exclude=["fund", "updated_by"])
        terms.save()
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of("contributions.matching_terms.set", terms, before=before, after=after)
            ],
        )
    return terms


# --- Matching report -------------------------------------------------------------------------

# A member already out all year long (died, resigned, expelled or turned down before the
# year began, with no change since) is not part of the year at all, not even as "not eligible".
GONE = frozenset({Status.DECEASED, Status.RESIGNED, Status.EXPELLED, Status.REJECTED})


@dataclass(frozen=True)
class YearMember:
    """A member as the year's matching sees them, before any co-funder's terms."""

    member: Member
    status_on_cutoff: str | None
    contributions: Decimal
    member_since: dt.date  # joined, or rejoined after a lapse where the fund's terms restart


@dataclass(frozen=True)
class FunderMatching:
    """One co-funder's matching for the year, and what it actually paid."""

    terms: MatchingTerms
    outcome: matching.Outcome[Member]
    balance: matching.Balance
    recorded_count: int
    recorded_total: Decimal

    @property
    def funder(self) -> str:
        return self.terms.funder

    @property
    def label(self) -> str:
        return str(Funder(self.terms.funder).label)


@dataclass(frozen=True)
class MatchingReport:
    fiscal_year: int
    start: dt.date
    cutoff: dt.date
    funders: list[FunderMatching]
    can_record: bool  # the cut-off has passed, so the figures are final


def _sums(rows: QuerySet[Any], field: str) -> dict[int, Decimal]:
    totals = rows.values("member_id").annotate(total=Sum(field)).order_by()
    return {row["member_id"]: row["total"] for row in totals}


def _gone_all_year(changes: list[tuple[dt.date, str]], start: dt.date) -> bool:
    before = matching.status_on(changes, start - dt.timedelta(days=1))
    return before in GONE and all(on < start for on, _status in changes)


def _rejoined(fund: Fund, cutoff: dt.date) -> dict[int, dt.date]:
    """When members who rejoined after lapsing started again (their latest fresh start by the
    cut-off): under "rejoin" terms membership counts from there, not from the first joining."""
    latest: dict[int, tuple[int, dt.date]] = {}
    rows = MemberPlan.objects.filter(fund=fund, epoch__gt=1, starts_on__lte=cutoff)
    for member_id, epoch, starts_on in rows.order_by("member_id", "epoch", "starts_on").values_list(
        "member_id", "epoch", "starts_on"
    ):
        if member_id not in latest or epoch > latest[member_id][0]:
            latest[member_id] = (epoch, starts_on)  # the first row of each later epoch
    return {member_id: starts_on for member_id, (_epoch, starts_on) in latest.items()}


def year_members(*, fund: Fund, fiscal_year: int) -> list[YearMember]:
    """The year's members, their status on the cut-off (from their history, not today's
    status) and their contributions in the year: receipts not voided, the contribution part
    only (fees are not matched), and payments brought from the fund's old books."""
    start, cutoff = matching.government_year(fiscal_year)
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    changes = StatusChange.objects.filter(fund=fund, effective_on__lte=cutoff)
    for member_id, on, to_status in changes.order_by("effective_on", "pk").values_list(
        "member_id", "effective_on", "to_status"
    ):
        history[member_id].append((on, to_status))
    paid = _sums(
        Receipt.objects.filter(fund=fund, void_entry__isnull=True, date__range=(start, cutoff)),
        "contribution",
    )
    past = _sums(PastPayment.objects.filter(fund=fund, date__range=(start, cutoff)), "amount")
    rejoined = _rejoined(fund, cutoff)
    members = Member.objects.filter(fund=fund, joined_on__lte=cutoff).only(
        "code", "number", "title", "first_name", "last_name", "joined_on", "status", "fund_id"
    )
    return [
        YearMember(
            member,
            matching.status_on(history[member.pk], cutoff),
            paid.get(member.pk, ZERO) + past.get(member.pk, ZERO),
            rejoined.get(member.pk, member.joined_on),
        )
        for member in members.order_by("number")
        if not _gone_all_year(history[member.pk], start)
    ]


def matching_outcome(
    *, fund: Fund, terms: MatchingTerms, members: list[YearMember] | None = None
) -> matching.Outcome[Member]:
    """Every member's decision under `terms`; rounds count the co-funder's earlier years."""
    if members is None:
        members = year_members(fund=fund, fiscal_year=terms.fiscal_year)
    earlier = MatchedMember.objects.filter(
        fund=fund, funder=terms.funder, fiscal_year__lt=terms.fiscal_year
    )
    rounds = dict(
        earlier.values("member_id").annotate(n=Count("pk")).order_by().values_list("member_id", "n")
    )
    facts = [
        matching.Facts(
            who=m.member,
            joined_on=m.member_since,
            status_on_cutoff=m.status_on_cutoff,
            earlier_rounds=rounds.get(m.member.pk, 0),
            contributions=m.contributions,
        )
        for m in members
    ]
    return matching.match(facts, terms_rule(terms), matching.cutoff_of(terms.fiscal_year))


def matching_report(*, fund: Fund, fiscal_year: int) -> MatchingReport:
    """Per co-funder with terms for the year: who is eligible and why others are not, the
    amount expected, what arrived, and what was recorded as this year's round."""
    start, cutoff = matching.government_year(fiscal_year)
    all_terms = matching_terms_of(fund=fund, fiscal_year=fiscal_year)
    members = year_members(fund=fund, fiscal_year=fiscal_year) if all_terms else []
    funders = []
    for terms in all_terms:
        outcome = matching_outcome(fund=fund, terms=terms, members=members)
        received = CoContribution.objects.filter(
            fund=fund, funder=terms.funder, fiscal_year=fiscal_year
        ).aggregate(total=Sum("amount"))["total"]
        recorded = MatchedMember.objects.filter(
            fund=fund, funder=terms.funder, fiscal_year=fiscal_year
        ).aggregate(n=Count("pk"), total=Sum("expected"))
        funders.append(
            FunderMatching(
                terms=terms,
                outcome=outcome,
                balance=matching.Balance(outcome.expected_total, received or ZERO),
                recorded_count=recorded["n"],
                recorded_total=recorded["total"] or ZERO,
            )
        )
    return MatchingReport(
        fiscal_year, start, cutoff, funders, can_record=timezone.localdate() > cutoff
    )


def matching_record(
    *, fund: Fund, actor: Any, funder: str, fiscal_year: int
) -> list[MatchedMember]:
    """Write the year's eligible members as matched by `funder`, so later years count the round.

    Recording again adds only members not written yet; a member already written keeps the
    amount written then (it is what was reported to the co-funder). Returns the rows added.
    """
    if funder not in Funder.values:
        raise _refuse("funder", _("Choose who paid the money."))
    _check_year(fiscal_year)
    cutoff = matching.cutoff_of(fiscal_year)
    if timezone.localdate() <= cutoff:
        raise _refuse(
            "funder",
            _("The round can be recorded after the cut-off date, %(date)s.")
            % {"date": format_date(cutoff)},
        )
    with transaction.atomic():
        lock_books(fund)
        terms = MatchingTerms.objects.filter(
            fund=fund, funder=funder, fiscal_year=fiscal_year
        ).first()
        if terms is None:
            raise _refuse("funder", _("Set this co-funder's matching terms for the year first."))
        outcome = matching_outcome(fund=fund, terms=terms)
        done = set(
            MatchedMember.objects.filter(
                fund=fund, funder=funder, fiscal_year=fiscal_year
            ).values_list("member_id", flat=True)
        )
        added = [
            MatchedMember(
                fund=fund,
                member=d.facts.who,
                funder=funder,
                fiscal_year=fiscal_year,
                expected=d.expected,
                recorded_by=actor,
            )
            for d in outcome.eligible
            if d.facts.who.pk not in done
        ]
        if added:
            MatchedMember.objects.bulk_create(added)
            audit_log(
                fund=fund,
                actor=actor,
                changes=[
                    Change.of(
                        "contributions.matching.recorded",
                        terms,
                        after={
                            "funder": funder,
                            "fiscal_year": fiscal_year,
                            "members": len(added),
                            "expected": str(sum((m.expected for m in added), ZERO)),
                        },
                    )
                ],
            )
    return added
