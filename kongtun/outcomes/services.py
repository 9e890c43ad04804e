"""Writing a fund's year report: save the draft, submit it to the province, reopen it.

A submitted report is what the province read; it never changes silently. Saving refuses it,
and only reopening (the chair, with a reason) makes it a draft again. Every write is audited
with the report's content before and after, so the trail keeps each submitted version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund
from kongtun.ledger.statements import fiscal_year_of
from kongtun.lib.text import clean_text
from kongtun.lib.thaidate import format_date
from kongtun.outcomes.models import (
    MAX_DESCRIPTION,
    MAX_HELP,
    MAX_HIGHLIGHTS,
    MAX_ISSUES,
    MAX_REASON,
    MAX_RESULTS,
    Category,
    Issue,
    Kind,
    Severity,
    YearReport,
)


@dataclass(frozen=True)
class IssueInput:
    kind: str
    category: str
    severity: str
    description: str
    help_requested: str = ""


def _refuse(field: str | None, message: str) -> ValidationError:
    # Always by field, so kongtun.web.forms shows it next to the field or above the form.
    return ValidationError({field or NON_FIELD_ERRORS: [message]})


def reportable_years(fund: Fund, today: dt.date) -> list[int]:
    """The fiscal years a fund can report on, newest first: from its founding to this one."""
    first = fiscal_year_of(fund, fund.founded_on)
    last = fiscal_year_of(fund, today)
    return list(range(last, first - 1, -1))


def _snapshot(report: YearReport, issues: Sequence[Issue | IssueInput]) -> dict[str, Any]:
    return {
        "status": report.status,
        "results": report.results,
        "highlights": report.highlights,
        "issues": [
            {
                "kind": i.kind,
                "category": i.category,
                "severity": i.severity,
                "description": i.description,
                "help_requested": i.help_requested,
            }
            for i in issues
        ],
    }


def _clean_issues(issues: Sequence[IssueInput]) -> list[IssueInput]:
    """The rows as they will be stored, or a refusal naming the first wrong one."""
    if len(issues) > MAX_ISSUES:
        raise _refuse(
            None, _("A report can list at most %(n)s problems and obstacles.") % {"n": MAX_ISSUES}
        )
    cleaned = []
    for n, issue in enumerate(issues, start=1):
        row = {"row": n}
        if issue.kind not in Kind.values:
            raise _refuse(None, _("Row %(row)s: choose problem or obstacle.") % row)
        if issue.category not in Category.values:
            raise _refuse(None, _("Row %(row)s: choose a category from the list.") % row)
        if issue.severity not in Severity.values:
            raise _refuse(None, _("Row %(row)s: choose how serious it is.") % row)
        description = clean_text(issue.description).strip()
        help_requested = clean_text(issue.help_requested).strip()
        if not description:
            raise _refuse(None, _("Row %(row)s: describe what happened.") % row)
        if len(description) > MAX_DESCRIPTION or len(help_requested) > MAX_HELP:
            raise _refuse(None, _("Row %(row)s: the text is too long.") % row)
        cleaned.append(
            IssueInput(issue.kind, issue.category, issue.severity, description, help_requested)
        )
    return cleaned


def _lock(fund: Fund, fiscal_year_be: int) -> YearReport | None:
    """The fund's report of the year under a row lock, or None with the fund locked instead,
    so two first saves of the same year make one report, not a unique-constraint error."""
    found = list(
        YearReport.objects.select_for_update().filter(fund=fund, fiscal_year_be=fiscal_year_be)
    )
    if found:
        return found[0]
    list(Fund.objects.select_for_update().filter(pk=fund.pk))
    found = list(YearReport.objects.filter(fund=fund, fiscal_year_be=fiscal_year_be))
    return found[0] if found else None


def _submitted_refusal(report: YearReport) -> ValidationError:
    when = (
        format_date(timezone.localtime(report.submitted_at).date()) if report.submitted_at else ""
    )
    return _refuse(
        None,
        _(
            "This report was submitted to the province on %(date)s and can no longer be "
            "changed. The chair can reopen it, giving a reason."
        )
        % {"date": when},
    )


def report_save(
    *,
    fund: Fund,
    fiscal_year_be: int,
    actor: Any,
    results: str,
    highlights: str,
    issues: Sequence[IssueInput],
    today: dt.date | None = None,
) -> YearReport:
    """Write the draft of the year as given: its text and all its rows, replacing the old ones."""
    today = today or timezone.localdate()
    if fiscal_year_be not in reportable_years(fund, today):
        raise _refuse(
            None, _("The fund cannot report on fiscal year %(year)s.") % {"year": fiscal_year_be}
        )
    results = clean_text(results).strip()
    highlights = clean_text(highlights).strip()
    if len(results) > MAX_RESULTS:
        raise _refuse("results", _("Please keep this to %(n)s characters.") % {"n": MAX_RESULTS})
    if len(highlights) > MAX_HIGHLIGHTS:
        raise _refuse(
            "highlights", _("Please keep this to %(n)s characters.") % {"n": MAX_HIGHLIGHTS}
        )
    rows = _clean_issues(issues)
    now = timezone.now()
    with transaction.atomic():
        report = _lock(fund, fiscal_year_be)
        if report is None:
            report = YearReport(
                fund=fund,
                fiscal_year_be=fiscal_year_be,
                made_by=actor,
                updated_by=actor,
                updated_at=now,
            )
            before = None
        else:
            if report.is_submitted:
                raise _submitted_refusal(report)
            before = _snapshot(report, list(Issue.objects.filter(report=report)))
        report.results, report.highlights = results, highlights
        report.updated_by, report.updated_at = actor, now
        report.save()
        Issue.objects.filter(report=report).delete()
        Issue.objects.bulk_create(
            Issue(fund=fund, report=report, position=n, **asdict(row))
            for n, row in enumerate(rows, start=1)
        )
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "outcomes.report.saved",
                    report,
                    before=before,
                    after=_snapshot(report, rows),
                    fiscal_year_be=fiscal_year_be,
                )
            ],
        )
    return report


def report_submit(*, fund: Fund, fiscal_year_be: int, actor: Any) -> YearReport:
    """Send the draft to the province as it stands: from now on it is read, not edited."""
    with transaction.atomic():
        report = _lock(fund, fiscal_year_be)
        if report is None:
            raise _refuse(None, _("There is no report of this year to submit."))
        if report.is_submitted:
            raise _submitted_refusal(report)
        if not report.results:
            raise _refuse(None, _("Write the results of the year before submitting the report."))
        report.status = YearReport.Status.SUBMITTED
        report.submitted_by, report.submitted_at = actor, timezone.now()
        report.save(update_fields=["status", "submitted_by", "submitted_at"])
        issues = list(Issue.objects.filter(report=report))
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "outcomes.report.submitted",
                    report,
                    after=_snapshot(report, issues),
                    fiscal_year_be=report.fiscal_year_be,
                )
            ],
        )
    return report


def report_reopen(*, fund: Fund, fiscal_year_be: int, actor: Any, reason: str) -> YearReport:
    """Make a submitted report a draft again; the reason and what was submitted are audited."""
    reason = clean_text(reason).strip()
    if not reason:
        raise _refuse("reason", _("Say why the submitted report is reopened."))
    if len(reason) > MAX_REASON:
        raise _refuse("reason", _("Please keep this to %(n)s characters.") % {"n": MAX_REASON})
    with transaction.atomic():
        report = _lock(fund, fiscal_year_be)
        if report is None or not report.is_submitted:
            raise _refuse(None, _("Only a submitted report can be reopened."))
        issues = list(Issue.objects.filter(report=report))
        before = _snapshot(report, issues)
        submitted_at = report.submitted_at
        report.status = YearReport.Status.DRAFT
        report.submitted_by, report.submitted_at = None, None
        report.reopened_by, report.reopened_at = actor, timezone.now()
        report.reopen_reason = reason
        report.save(
            update_fields=[
                "status", "submitted_by", "submitted_at", "reopened_by", "reopened_at",
                "reopen_reason",
            ]
        )  # fmt: skip
        audit_log(
            fund=fund,
            actor=actor,
            changes=[
                Change.of(
                    "outcomes.report.reopened",
                    report,
                    before=before,
                    after={"status": report.status},
                    reason=reason,
                    fiscal_year_be=report.fiscal_year_be,
                    submitted_at=submitted_at.isoformat() if submitted_at else None,
                )
            ],
        )
    return report
