"""The provincial committee's writes: meetings, screening, a person's checks, decisions.

Views check who may record (a province officer of the fund's province, see
kongtun.network.access); these services check what may be recorded, write in one transaction
and audit it. A screening and a decision go on the fund's own audit chain (they are about the
fund), a meeting on the system chain (it belongs to the province).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.contributions import matching
from kongtun.contributions.cofunding import matching_outcome, matching_terms_proposed
from kongtun.contributions.models import Funder, MatchingTerms
from kongtun.funds.models import CofundingApplication, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Province
from kongtun.indicators.selectors import NoIndicators, codi_snapshot_date, fund_indicators
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.lib.text import clean_text
from kongtun.vetting import criteria
from kongtun.vetting.criteria import Facts
from kongtun.vetting.evidence import evidence_th
from kongtun.vetting.models import CommitteeMeeting, CriterionResult, Decision, Outcome, Screening

ZERO = Decimal("0.00")
MAX_MEETING_NUMBER = 99
NOTE_MAX = 2000


def _refuse(field: str | None, message: str) -> ValidationError:
    # Always by field, the whole form's under NON_FIELD_ERRORS: a page shows either next to
    # its form (kongtun.web.forms.submit reads message_dict).
    return ValidationError({field or NON_FIELD_ERRORS: [message]})


# --- Meetings --------------------------------------------------------------------------------


def meeting_next_number(*, province: Province, fiscal_year_be: int) -> int:
    latest = CommitteeMeeting.objects.filter(
        province=province, fiscal_year_be=fiscal_year_be
    ).aggregate(n=Max("number"))["n"]
    return (latest or 0) + 1


def meeting_create(
    *,
    province: Province,
    fiscal_year_be: int,
    number: int,
    held_on: dt.date,
    place: str,
    notes: str,
    actor: Any,
) -> CommitteeMeeting:
    """A meeting of the province's committee for the fiscal year, numbered in that year."""
    if not FIRST_BE_YEAR <= fiscal_year_be <= LAST_BE_YEAR:
        raise _refuse("fiscal_year_be", _("Type the fiscal year in Buddhist era, e.g. 2570."))
    if not 1 <= number <= MAX_MEETING_NUMBER:
        raise _refuse(
            "number", _("The meeting number is from 1 to %(max)s.") % {"max": MAX_MEETING_NUMBER}
        )
    # A year's meetings sit in or next to the year: anything else is a typing slip.
    if abs(matching.government_year_of(held_on) - fiscal_year_be) > 1:
        raise _refuse(
            "held_on",
            _("A meeting for fiscal year %(year)s is held within a year of it.")
            % {"year": fiscal_year_be},
        )
    with transaction.atomic():
        taken = CommitteeMeeting.objects.filter(
            province=province, fiscal_year_be=fiscal_year_be, number=number
        ).exists()
        if taken:
            raise _refuse(
                "number",
                _("Meeting %(label)s is already recorded.")
                % {"label": f"{number}/{fiscal_year_be}"},
            )
        meeting = CommitteeMeeting.objects.create(
            province=province,
            fiscal_year_be=fiscal_year_be,
            number=number,
            held_on=held_on,
            place=clean_text(place)[:200],
            notes=clean_text(notes)[:NOTE_MAX],
            recorded_by=actor,
        )
        audit_log(
            fund=None,
            actor=actor,
            changes=[
                Change.of(
                    "vetting.meeting.created",
                    meeting,
                    after={
                        "province": province.code,
                        "label": meeting.label,
                        "held_on": held_on.isoformat(),
                        "place": meeting.place,
                    },
                )
            ],
        )
    return meeting


# --- Screening -------------------------------------------------------------------------------


def screening_day(fiscal_year_be: int, today: dt.date) -> dt.date:
    """The day the criteria read the fund's figures on: CODI's 30 September that ends the year
    before the one applied for, the "past year" its forms report (or today, before then)."""
    return min(today, codi_snapshot_date(fiscal_year_be - 1))


def facts_of(indicators: Any, fund: Fund) -> Facts:
    """The figures the criteria read, from the fund's indicators."""
    members = indicators.members
    return Facts(
        kind=str(fund.kind),
        as_of=indicators.as_of,
        fiscal_year_be=indicators.fiscal_year_be,
        founded_on=indicators.founded_on,
        years_operating=indicators.years_operating,
        members_current=members.current,
        eligible_for_matching=members.eligible_for_matching,
        villages_covered=indicators.villages_covered,
        villages_in_area=indicators.villages_in_area,
        contributions_year=indicators.contributions_year,
        local_gov_year=indicators.local_gov_year,
        books_current=indicators.books_current,
        books_closed_through=indicators.books_closed_through,
        books_last_entry=indicators.books_last_entry,
        register_kept=indicators.register_kept,
        regulation_in_force=indicators.regulation_in_force,
        regulation_adopted_on=indicators.regulation_adopted_on,
        public_reports_year=indicators.public_reports_year,
        committee_meetings_year=indicators.committee_meetings_year,
        welfare_types_year=indicators.welfare_types_year,
        non_cash_welfare=indicators.non_cash_welfare,
    )


def requested_amount(
    *, fund: Fund, fiscal_year_be: int, facts: Facts, today: dt.date
) -> tuple[Decimal, dict[str, Any]]:
    """CODI's matching for the year applied for, and how it was computed.

    It comes from the CODI line of the fund's matching report (contributions.cofunding), under
    the fund's CODI terms for the year, or the terms its terms form proposes when none are
    set. Once the year's cut-off (30 September) has passed it is the report's expected total:
    for each eligible member min(ratio × their contributions, cap). While the year runs the
    members are still paying, so it is what CODI's form asks for: the members eligible but for
    this year's contributions, each at the cap; the excess over the final figure goes back to
    CODI. A fund that keeps its members on its own computer is counted from its package.
    """
    terms = MatchingTerms.objects.filter(
        fund=fund, funder=Funder.CODI, fiscal_year=fiscal_year_be
    ).first()
    source = "year"
    if terms is None:
        rule = matching_terms_proposed(fund=fund, funder=Funder.CODI, fiscal_year=fiscal_year_be)
        source = "proposed"
        # Never saved: it only carries the proposed rule into the same arithmetic.
        terms = MatchingTerms(
            fund=fund,
            funder=Funder.CODI,
            fiscal_year=fiscal_year_be,
            ratio=rule.ratio,
            cap_per_member=rule.cap,
            max_rounds=rule.max_rounds,
            min_membership_days=rule.min_days,
        )
    cap = terms.cap_per_member
    cutoff = matching.cutoff_of(fiscal_year_be)
    final = today > cutoff
    basis: dict[str, Any] = {
        "terms": source,
        "ratio": str(terms.ratio),
        "cap": str(cap),
        "max_rounds": terms.max_rounds,
        "min_days": terms.min_membership_days,
        "cutoff": cutoff.isoformat(),
        "final": final,
    }
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        eligible = facts.eligible_for_matching
        basis |= {"method": "package", "eligible": eligible, "expected_so_far": None}
        amount = cap * eligible
    else:
        outcome = matching_outcome(fund=fund, terms=terms)
        if final:
            eligible = len(outcome.eligible)
            amount = outcome.expected_total
        else:
            waiting = {matching.Reason.NO_CONTRIBUTIONS}
            eligible = sum(1 for d in outcome.decisions if set(d.reasons) <= waiting)
            amount = cap * eligible
        basis |= {
            "method": "matching" if final else "per_member",
            "eligible": eligible,
            "contributions": str(outcome.contributions_total),
            "expected_so_far": str(outcome.expected_total),
        }
    basis["ceiling"] = str(cap * eligible)
    return amount, basis


def _status(outcomes: Iterable[str]) -> str:
    return str(criteria.combine(criteria.Outcome(o) for o in outcomes))


def application_screen(
    *, application: CofundingApplication, actor: Any, today: dt.date | None = None
) -> Screening:
    """Screen (again) an application: read the fund's figures, judge every check, compute the
    amount requested. A person's check stays as recorded; only what the figures give moves."""
    fund = application.fund
    today = today or timezone.localdate()
    year = application.fiscal_year_be
    thresholds = criteria.thresholds_for(year)
    with fund_scope(fund):
        try:
            indicators = fund_indicators(fund=fund, on=screening_day(year, today))
        except NoIndicators as exc:
            # A fund on its own computer whose package has not come yet: nothing to judge.
            raise _refuse(None, str(exc)) from exc
        facts = facts_of(indicators, fund)
        results = criteria.judge(facts, thresholds)
        amount, basis = requested_amount(fund=fund, fiscal_year_be=year, facts=facts, today=today)
        with transaction.atomic():
            locked = CofundingApplication.objects.select_for_update().get(pk=application.pk)
            screening = Screening.objects.filter(application=locked).first()
            before = (
                {"status": screening.status, "requested_amount": str(screening.requested_amount)}
                if screening
                else None
            )
            if screening is None:
                screening = Screening(fund=fund, application=locked)
            screening.as_of = indicators.as_of
            screening.indicators = indicators.as_dict()
            screening.figures = criteria.facts_to_json(facts)
            screening.thresholds = thresholds.as_dict()
            screening.requested_amount = amount
            screening.requested_basis = basis
            screening.computed_at = timezone.now()
            screening.computed_by = actor
            screening.save()
            rows = {r.check_key: r for r in CriterionResult.objects.filter(screening=screening)}
            effective: dict[str, str] = {}
            for result in results:
                row = rows.get(result.key) or CriterionResult(
                    fund=fund, screening=screening, check_key=result.key
                )
                row.criterion = result.criterion
                row.auto_outcome = str(result.outcome)
                row.facts = result.facts
                row.evidence = evidence_th(result.key, result.facts)
                if row.how != CriterionResult.How.HUMAN:
                    row.how = CriterionResult.How.AUTOMATIC
                    row.outcome = str(result.outcome)
                row.save()
                effective[result.key] = row.outcome
            screening.status = _status(effective.values())
            screening.save(update_fields=["status"])
            audit_log(
                fund=fund,
                actor=actor,
                changes=[
                    Change.of(
                        "vetting.screening.computed",
                        screening,
                        before=before,
                        after={
                            "status": screening.status,
                            "requested_amount": str(amount),
                            "as_of": screening.as_of.isoformat(),
                        },
                        application=str(application.code),
                        checks=effective,
                    )
                ],
            )
    return screening


@dataclass(frozen=True)
class ScreenedAll:
    screened: int
    not_screened: list[tuple[str, str]]  # (fund name, why)


def screen_all(
    *, funds: list[Fund], fiscal_year_be: int, actor: Any, today: dt.date | None = None
) -> ScreenedAll:
    """Screen every application of the year among `funds`, each in its own transaction, so
    one fund that cannot be screened (no package yet) never holds up the others."""
    if not funds:
        return ScreenedAll(0, [])
    with fund_scope(funds):
        applications = list(
            CofundingApplication.objects.filter(fund__in=funds, fiscal_year_be=fiscal_year_be)
            .select_related("fund__tambon__amphoe")
            .order_by("fund__code")
        )
    screened, refused = 0, []
    for application in applications:
        try:
            application_screen(application=application, actor=actor, today=today)
        except ValidationError as exc:
            refused.append((application.fund.name, " ".join(exc.messages)))
        else:
            screened += 1
    return ScreenedAll(screened, refused)


# --- A person's check ------------------------------------------------------------------------

CHECK_OUTCOMES = (Outcome.MET, Outcome.NOT_MET)


def check_record(
    *, application: CofundingApplication, check_key: str, actor: Any, outcome: str, note: str
) -> CriterionResult:
    """Record what a person found for one check; it stays through later screenings."""
    check = criteria.CHECK_BY_KEY.get(check_key)
    if check is None or not check.decides:
        raise _refuse(None, _("This check cannot be recorded by hand."))
    if outcome not in CHECK_OUTCOMES:
        raise _refuse("outcome", _("Choose whether the criterion is met."))
    note = clean_text(note).strip()
    if not note:
        raise _refuse("note", _("Say what was checked: the document, visit or call."))
    fund = application.fund
    with fund_scope(fund), transaction.atomic():
        CofundingApplication.objects.select_for_update().get(pk=application.pk)
        row = (
            CriterionResult.objects.select_related("screening")
            .filter(screening__application=application, check_key=check_key)
            .first()
        )
        if row is None:
            raise _refuse(None, _("Screen this application first."))
        before = {
            "outcome": row.outcome,
            "how": row.how,
            "note": row.note,
            "checked_by": row.checked_by_id,
        }
        row.outcome, row.how, row.note = outcome, CriterionResult.How.HUMAN, note[:NOTE_MAX]
        row.checked_by, row.checked_at = actor, timezone.now()
        row.save(update_fields=["outcome", "how", "note", "checked_by", "checked_at"])
        screening = row.screening
        outcomes = CriterionResult.objects.filter(screening=screening).values_list(
            "outcome", flat=True
        )
        screening.status = _status(outcomes)
        screening.save(update_fields=["status"])
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "vetting.check.recorded",
                    row,
                    before=before,
                    after={"outcome": outcome, "how": row.how, "note": row.note},
                    check=check_key,
                    application=str(application.code),
                    screening_status=screening.status,
                )
            ],
        )
    return row


# --- Decisions -------------------------------------------------------------------------------

APPLICATION_STATUS = {
    Decision.Result.APPROVED: CofundingApplication.Status.APPROVED,
    Decision.Result.NOT_APPROVED: CofundingApplication.Status.REJECTED,
    Decision.Result.DEFERRED: CofundingApplication.Status.SUBMITTED,
}


def current_decision(application: CofundingApplication) -> Decision | None:
    """The decision in force: the one no later decision supersedes."""
    return (
        Decision.objects.filter(application=application, superseded_by__isnull=True)
        .select_related("meeting")
        .first()
    )


def _snapshot(decision: Decision) -> dict[str, Any]:
    return {
        "meeting": decision.meeting.label,
        "outcome": decision.outcome,
        "amount_approved": str(decision.amount_approved),
        "conditions": decision.conditions,
    }


def decision_record(
    *,
    application: CofundingApplication,
    meeting: CommitteeMeeting,
    actor: Any,
    outcome: str,
    amount_approved: Decimal | None,
    conditions: str = "",
) -> Decision:
    """Record the committee's decision. A decision is never edited: a different one is a new
    row superseding the one in force. The same decision sent twice records nothing new."""
    if outcome not in Decision.Result.values:
        raise _refuse("outcome", _("Choose the committee's decision."))
    fund = application.fund
    if meeting.province_id != fund.tambon.amphoe.province_id:
        raise _refuse("meeting", _("Choose a meeting of this fund's province."))
    if meeting.fiscal_year_be != application.fiscal_year_be:
        raise _refuse(
            "meeting",
            _("Choose a meeting for fiscal year %(year)s.") % {"year": application.fiscal_year_be},
        )
    conditions = clean_text(conditions or "").strip()[:NOTE_MAX]
    with fund_scope(fund), transaction.atomic():
        locked = CofundingApplication.objects.select_for_update().get(pk=application.pk)
        # A draft is the fund's own work in progress: the committee decides what was sent.
        if locked.status == CofundingApplication.Status.DRAFT:
            raise _refuse(
                None,
                _(
                    "This application is still a draft: the fund has not submitted it to the "
                    "province, so the committee cannot decide on it yet."
                ),
            )
        screening = Screening.objects.filter(application=locked).first()
        if screening is None:
            raise _refuse(None, _("Screen this application before the committee decides."))
        amount = amount_approved if amount_approved is not None else ZERO
        if outcome == Decision.Result.APPROVED:
            if screening.status == Outcome.NEEDS_CHECK:
                raise _refuse(
                    "outcome",
                    _("Some criteria still need a check: record the checks before approving."),
                )
            if screening.status == Outcome.NOT_MET:
                raise _refuse(
                    "outcome",
                    _(
                        "A criterion is not met, so the application cannot be approved. If the "
                        "committee found otherwise, record its check on that criterion first."
                    ),
                )
            if amount <= 0:
                raise _refuse("amount_approved", _("Type the amount approved."))
            if amount > screening.requested_amount:
                raise _refuse(
                    "amount_approved",
                    _("More than the %(amount)s baht requested.")
                    % {"amount": f"{screening.requested_amount:,.2f}"},
                )
        elif amount != 0:
            raise _refuse("amount_approved", _("An amount is approved only with the application."))
        current = current_decision(locked)
        if current is not None and (
            current.meeting_id,
            current.outcome,
            current.amount_approved,
            current.conditions,
        ) == (meeting.pk, outcome, amount, conditions):
            return current
        decision = Decision.objects.create(
            fund=fund,
            application=locked,
            meeting=meeting,
            outcome=outcome,
            amount_approved=amount,
            conditions=conditions,
            supersedes=current,
            recorded_by=actor,
        )
        status = APPLICATION_STATUS[Decision.Result(outcome)]
        changes = [
            Change.of(
                "vetting.decision.recorded",
                decision,
                before=_snapshot(current) if current else None,
                after=_snapshot(decision),
                application=str(locked.code),
                supersedes=current.pk if current else None,
            )
        ]
        if locked.status != status:
            changes.append(
                Change.of(
                    "funds.application.status",
                    locked,
                    before={"status": locked.status},
                    after={"status": status},
                )
            )
            locked.status = status
            locked.save(update_fields=["status"])
        audit_log(fund=fund, actor=actor, changes=changes)
    return decision
