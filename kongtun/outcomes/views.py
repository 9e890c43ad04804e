"""The fund's year reports: read them, write the draft, submit it, and (the chair) reopen it.

Everyone with a role in the fund reads its reports, drafts included. Writing and submitting
are the chair's and the secretary's work; reopening a submitted report is the chair's alone.
A refusal comes back on the page it is about, input kept (400).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds import permissions
from kongtun.funds.models import Fund
from kongtun.funds.permissions import CHANGE_FUND, VIEW_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.outcomes import services
from kongtun.outcomes.forms import ReopenForm, ReportForm
from kongtun.outcomes.models import YearReport
from kongtun.outcomes.selectors import fund_report, fund_reports, report_issues
from kongtun.web.forms import see_other, submit

# Writing the report is the chair's and the secretary's work.
WRITE_REPORT = permissions.REPORT_OUTCOMES
# Reopening what the province has read is the chair's decision alone.
REOPEN_REPORT = CHANGE_FUND


def _url(name: str, fund_code: str, year: int, anchor: str = "") -> str:
    url = reverse(name, kwargs={"fund_code": fund_code, "year": year})
    return f"{url}#{anchor}" if anchor else url


def _reportable(fund: Fund, year: int) -> None:
    if year not in services.reportable_years(fund, timezone.localdate()):
        raise Http404


class _Action(forms.Form):
    """Submitting takes no input; the form carries the service's refusal back to the page."""


@require_GET
@fund_permission_required(VIEW_FUND)
def outcomes_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    reports = fund_reports(fund)
    written = {r.fiscal_year_be for r in reports}
    # The year just ended is the one the province asks about; this year's can be started early.
    startable = [
        y for y in services.reportable_years(fund, timezone.localdate())[:2] if y not in written
    ]
    context = {
        "reports": reports,
        "startable": startable,
        "can_write": has_fund_permission(request, WRITE_REPORT),
    }
    return render(request, "outcomes/home.html", context)


def _report_page(
    request: HttpRequest,
    year: int,
    report: YearReport | None,
    *,
    action_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    can_write = has_fund_permission(request, WRITE_REPORT)
    context = {
        "year": year,
        "report": report,
        "issues": report_issues(report) if report else [],
        "can_write": can_write and (report is None or not report.is_submitted),
        "can_reopen": has_fund_permission(request, REOPEN_REPORT)
        and report is not None
        and report.is_submitted,
        "action_form": action_form,
    }
    return render(request, "outcomes/detail.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_FUND)
def report_detail(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    report = fund_report(fund, year)
    if report is None:
        _reportable(fund, year)
    return _report_page(request, year, report)


@require_http_methods(["GET", "POST"])
@fund_permission_required(WRITE_REPORT)
def report_edit(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    _reportable(fund, year)
    report = fund_report(fund, year)
    if request.method == "GET" and report is not None and report.is_submitted:
        messages.info(
            request,
            _("This report has been submitted to the province; the chair can reopen it."),
        )
        return see_other(_url("outcomes-report", fund_code, year))
    form = ReportForm(request.POST if request.method == "POST" else None, report=report)
    saved = submit(
        request,
        form,
        lambda: services.report_save(
            fund=fund,
            fiscal_year_be=year,
            actor=request.user,
            results=form.cleaned_data["results"],
            highlights=form.cleaned_data["highlights"],
            issues=form.issue_inputs(),
        ),
        _("The draft report of fiscal year %(year)s is saved.") % {"year": year},
    )
    if saved is not None:
        if "more" in request.POST:
            return see_other(_url("outcomes-edit", fund_code, year, "issues"))
        return see_other(_url("outcomes-report", fund_code, year))
    status = 400 if form.is_bound else 200
    context = {"year": year, "report": report, "form": form}
    return render(request, "outcomes/edit.html", context, status=status)


@require_POST
@fund_permission_required(WRITE_REPORT)
def report_submit(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    _reportable(fund, year)
    form = _Action(request.POST)
    done = submit(
        request,
        form,
        lambda: services.report_submit(fund=fund, fiscal_year_be=year, actor=request.user),
        _("The report of fiscal year %(year)s is submitted to the province.") % {"year": year},
    )
    if done is not None:
        return see_other(_url("outcomes-report", fund_code, year))
    return _report_page(request, year, fund_report(fund, year), action_form=form, status=400)


@require_http_methods(["GET", "POST"])
@fund_permission_required(REOPEN_REPORT)
def report_reopen(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    _reportable(fund, year)
    report = fund_report(fund, year)
    if request.method == "GET" and (report is None or not report.is_submitted):
        return see_other(_url("outcomes-report", fund_code, year))
    form = ReopenForm(request.POST if request.method == "POST" else None)
    done = submit(
        request,
        form,
        lambda: services.report_reopen(
            fund=fund, fiscal_year_be=year, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The report of fiscal year %(year)s is a draft again.") % {"year": year},
    )
    if done is not None:
        return see_other(_url("outcomes-report", fund_code, year))
    status = 400 if form.is_bound else 200
    context = {"year": year, "report": report, "form": form}
    return render(request, "outcomes/reopen.html", context, status=status)
