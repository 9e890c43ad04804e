"""What the committee reads: the year's applications with their criteria, amounts and
decisions, one application in full, and the meeting pack. Figures per fund, never a member."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kongtun.funds.models import CofundingApplication, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.thaidate import be_year
from kongtun.vetting import criteria
from kongtun.vetting.criteria import CRITERIA, Facts, facts_from_json
from kongtun.vetting.evidence import check_title, criterion_title, describe
from kongtun.vetting.models import CommitteeMeeting, CriterionResult, Decision, Outcome, Screening

ZERO = Decimal("0.00")
SCREENING_FILTERS = ("met", "not_met", "needs_check", "unscreened")
DECISION_FILTERS = ("approved", "not_approved", "deferred", "none")
MARKS: dict[str, str] = {Outcome.MET: "✓", Outcome.NOT_MET: "✗", Outcome.NEEDS_CHECK: "?"}


@dataclass(frozen=True)
class Row:
    """One application as the committee's table shows it."""

    application: CofundingApplication
    screening: Screening | None
    criteria: dict[int, str]  # criterion number → outcome (empty before screening)
    decision: Decision | None

    @property
    def fund(self) -> Fund:
        return self.application.fund

    @property
    def facts(self) -> Facts | None:
        return facts_from_json(self.screening.figures) if self.screening else None

    @property
    def founded_be(self) -> int:
        return be_year(self.fund.founded_on)

    @property
    def marks(self) -> list[tuple[int, str, str]]:
        """(criterion, outcome, mark) for the six criteria, "" for both before screening."""
        found = [(n, self.criteria.get(n, "")) for n in CRITERIA]
        return [(n, outcome, MARKS.get(outcome, "")) for n, outcome in found]

    @property
    def requested(self) -> Decimal | None:
        return self.screening.requested_amount if self.screening else None

    @property
    def approved(self) -> Decimal:
        if self.decision and self.decision.outcome == Decision.Result.APPROVED:
            return self.decision.amount_approved
        return ZERO


@dataclass
class Totals:
    applications: int = 0
    screened: int = 0
    all_met: int = 0
    members_current: int = 0
    members_eligible: int = 0
    villages_covered: int = 0
    contributions: Decimal = ZERO
    requested: Decimal = ZERO
    approved_count: int = 0
    approved: Decimal = ZERO
    decided: int = 0


def totals_of(rows: list[Row]) -> Totals:
    t = Totals(applications=len(rows))
    for row in rows:
        facts = row.facts
        if facts is not None and row.screening is not None:
            t.screened += 1
            t.all_met += row.screening.status == Outcome.MET
            t.members_current += facts.members_current
            t.members_eligible += facts.eligible_for_matching
            t.villages_covered += facts.villages_covered
            t.contributions += facts.contributions_year
            t.requested += row.screening.requested_amount
        if row.decision is not None:
            t.decided += 1
            if row.decision.outcome == Decision.Result.APPROVED:
                t.approved_count += 1
                t.approved += row.decision.amount_approved
    return t


def vetting_rows(
    *,
    funds: list[Fund],
    fiscal_year_be: int,
    amphoe: str = "",
    screening: str = "",
    decision: str = "",
) -> list[Row]:
    """The year's applications among `funds`, by district then fund, filtered as asked."""
    if not funds:
        return []
    with fund_scope(funds):
        applications = CofundingApplication.objects.filter(
            fund__in=funds, fiscal_year_be=fiscal_year_be
        ).select_related("fund__tambon__amphoe__province")
        if amphoe:
            applications = applications.filter(fund__tambon__amphoe_id=amphoe)
        apps = list(applications.order_by("fund__tambon__amphoe_id", "fund__code"))
        screenings = {s.application_id: s for s in Screening.objects.filter(application__in=apps)}
        marks: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        rows_of = CriterionResult.objects.filter(screening__in=list(screenings.values()))
        for screening_id, number, outcome in rows_of.values_list(
            "screening_id", "criterion", "outcome"
        ):
            marks[screening_id][number].append(outcome)
        decisions = {
            d.application_id: d
            for d in Decision.objects.filter(
                application__in=apps, superseded_by__isnull=True
            ).select_related("meeting")
        }
    rows = []
    for app in apps:
        s = screenings.get(app.pk)
        outcomes = {
            n: str(criteria.combine(criteria.Outcome(o) for o in found))
            for n, found in (marks[s.pk].items() if s else [])
        }
        rows.append(Row(app, s, outcomes, decisions.get(app.pk)))
    if screening == "unscreened":
        rows = [r for r in rows if r.screening is None]
    elif screening in SCREENING_FILTERS:
        rows = [r for r in rows if r.screening is not None and r.screening.status == screening]
    if decision == "none":
        rows = [r for r in rows if r.decision is None]
    elif decision in DECISION_FILTERS:
        rows = [r for r in rows if r.decision is not None and r.decision.outcome == decision]
    return rows


def meetings_of(*, province_code: str, fiscal_year_be: int) -> list[CommitteeMeeting]:
    return list(
        CommitteeMeeting.objects.filter(
            province_id=province_code, fiscal_year_be=fiscal_year_be
        ).order_by("number")
    )


# --- One application -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckLine:
    result: CriterionResult
    title: str
    evidence: str  # in the reader's language, from the figures used
    decides: bool

    @property
    def mark(self) -> str:
        return MARKS.get(self.result.outcome, "ℹ")

    @property
    def auto_differs(self) -> bool:
        """A person's check that the figures (now) say otherwise about."""
        return (
            self.result.how == CriterionResult.How.HUMAN
            and self.result.auto_outcome != Outcome.NEEDS_CHECK
            and self.result.auto_outcome != self.result.outcome
        )


@dataclass(frozen=True)
class CriterionBlock:
    number: int
    title: str
    outcome: str
    checks: list[CheckLine]

    @property
    def mark(self) -> str:
        return MARKS.get(self.outcome, "")


@dataclass
class Detail:
    application: CofundingApplication
    screening: Screening | None
    criteria: list[CriterionBlock]
    decisions: list[Decision]  # newest first
    current: Decision | None
    facts: Facts | None
    basis: dict[str, Any] = field(default_factory=dict)

    @property
    def approved_above_requested(self) -> bool:
        """The approval in force exceeds what the latest screening computes as requested.

        An approval never exceeds the amount requested when it is made, so this happens only
        when the application was screened again afterwards (the cut-off passed, members left).
        The committee decides what follows: nothing changes by itself.
        """
        current, screening = self.current, self.screening
        return (
            current is not None
            and screening is not None
            and current.outcome == Decision.Result.APPROVED
            and current.amount_approved > screening.requested_amount
        )


def application_detail(application: CofundingApplication) -> Detail:
    with fund_scope(application.fund):
        screening = Screening.objects.filter(application=application).first()
        blocks: list[CriterionBlock] = []
        if screening is not None:
            results = list(
                CriterionResult.objects.filter(screening=screening).select_related("checked_by")
            )
            order = {c.key: i for i, c in enumerate(criteria.CHECKS)}
            results.sort(key=lambda r: order.get(r.check_key, len(order)))
            for n in CRITERIA:
                mine = [r for r in results if r.criterion == n]
                lines = [
                    CheckLine(
                        r,
                        check_title(r.check_key),
                        describe(r.check_key, r.facts),
                        criteria.CHECK_BY_KEY[r.check_key].decides,
                    )
                    for r in mine
                    if r.check_key in criteria.CHECK_BY_KEY
                ]
                outcome = str(criteria.combine(criteria.Outcome(r.outcome) for r in mine))
                blocks.append(CriterionBlock(n, criterion_title(n), outcome, lines))
        decisions = list(
            Decision.objects.filter(application=application)
            .select_related("meeting", "recorded_by")
            .order_by("-recorded_at", "-pk")
        )
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    current = next((d for d in decisions if d.pk not in superseded), None)
    return Detail(
        application=application,
        screening=screening,
        criteria=blocks,
        decisions=decisions,
        current=current,
        facts=facts_from_json(screening.figures) if screening else None,
        basis=_readable(screening.requested_basis) if screening else {},
    )


def _readable(basis: dict[str, Any]) -> dict[str, Any]:
    """The stored basis with its amounts as Decimal and its cut-off as a date, for the page."""
    out = dict(basis)
    for name in ("cap", "ceiling", "contributions", "expected_so_far"):
        if out.get(name) is not None:
            out[name] = Decimal(out[name])
    if out.get("cutoff"):
        out["cutoff"] = dt.date.fromisoformat(out["cutoff"])
    return out


# --- The meeting pack ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLine:
    criterion: int
    check_key: str
    outcome: str
    how: str
    evidence: str  # in Thai, as screened
    note: str
    checked_by: str
    checked_at: Any


@dataclass
class Pack:
    meeting: CommitteeMeeting
    rows: list[Row]
    totals: Totals
    evidence: dict[int, list[EvidenceLine]]  # by application pk


def meeting_pack(*, meeting: CommitteeMeeting, funds: list[Fund]) -> Pack:
    """Every application of the meeting's year among `funds` (those of its province the reader
    may see), with criteria, amounts and decisions, and each check's evidence as screened."""
    in_province = [f for f in funds if f.tambon.amphoe.province_id == meeting.province_id]
    rows = vetting_rows(funds=in_province, fiscal_year_be=meeting.fiscal_year_be)
    evidence: dict[int, list[EvidenceLine]] = defaultdict(list)
    screenings = {r.screening.pk: r.application.pk for r in rows if r.screening}
    if screenings:
        order = {c.key: i for i, c in enumerate(criteria.CHECKS)}
        with fund_scope(in_province):
            found = CriterionResult.objects.filter(
                screening_id__in=list(screenings)
            ).select_related("checked_by")
            for r in sorted(found, key=lambda r: (r.screening_id, order.get(r.check_key, 99))):
                evidence[screenings[r.screening_id]].append(
                    EvidenceLine(
                        r.criterion,
                        r.check_key,
                        r.outcome,
                        r.how,
                        r.evidence,
                        r.note,
                        str(r.checked_by) if r.checked_by else "",
                        r.checked_at,
                    )
                )
    return Pack(meeting, rows, totals_of(rows), dict(evidence))


# --- The year's page -------------------------------------------------------------------------


@dataclass
class Overview:
    rows: list[Row]
    totals: Totals  # of the rows shown
    meetings: list[CommitteeMeeting]
    amphoes: list[tuple[str, str]]  # (code, name) of the districts with funds the reader sees
    amphoe: str
    screening: str
    decision: str


def vetting_overview(
    *,
    funds: list[Fund],
    province_code: str,
    fiscal_year_be: int,
    amphoe: str = "",
    screening: str = "",
    decision: str = "",
) -> Overview:
    """The year's applications in a province among `funds`, filtered, with the meetings."""
    amphoes = sorted({(f.tambon.amphoe_id, f.tambon.amphoe.name) for f in funds})
    # Any district of the province filters (one with no applicant shows none); the rest is
    # ignored rather than refused: it only comes from an edited address.
    if not (len(amphoe) == 4 and amphoe.isdigit() and amphoe.startswith(province_code)):
        amphoe = ""
    rows = vetting_rows(
        funds=funds,
        fiscal_year_be=fiscal_year_be,
        amphoe=amphoe,
        screening=screening,
        decision=decision,
    )
    return Overview(
        rows=rows,
        totals=totals_of(rows),
        meetings=meetings_of(province_code=province_code, fiscal_year_be=fiscal_year_be),
        amphoes=amphoes,
        amphoe=amphoe,
        screening=screening,
        decision=decision,
    )
