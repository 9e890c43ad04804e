"""Co-funders' money and government matching in the browser.

Each view parses input, calls one service or selector of `cofunding`, and renders. A refusal
comes back next to the fields the user typed, with the input kept (status 400).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.contributions import cofunding, matching
from kongtun.contributions.cofunding_export import matching_workbook
from kongtun.contributions.forms_cofunding import (
    CoContributionForm,
    MatchingRecordForm,
    MatchingTermsForm,
)
from kongtun.contributions.models import CoContribution, Funder
from kongtun.funds.permissions import CO_FUNDING, VIEW_BOOKS
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.ledger.exports import XLSX_TYPE
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.lib.money import format_baht
from kongtun.members.models import Status
from kongtun.web.forms import submit


def _status(form: Any) -> int:
    return 400 if form.is_bound else 200


def _year(year: int) -> int:
    if not FIRST_BE_YEAR <= year <= LAST_BE_YEAR:
        raise Http404
    return year


def _funder(value: str | None) -> str:
    return value if value in Funder.values else Funder.CODI


# --- Co-contributions received ---------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_BOOKS)
def cofunding_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    context = {
        "years": cofunding.cocontribution_years(fund=fund),
        "current_year": matching.government_year_of(timezone.localdate()),
    }
    return render(request, "contributions/cofunding/list.html", context)


@require_http_methods(["GET", "POST"])
@fund_permission_required(CO_FUNDING)
def cofunding_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = CoContributionForm(
        request.POST or None, fund=fund, initial={"funder": _funder(request.GET.get("funder"))}
    )

    def recorded(c: CoContribution) -> str:
        return _("%(amount)s baht from %(funder)s was recorded in the books.") % {
            "amount": format_baht(c.amount),
            "funder": c.payer or Funder(c.funder).label,
        }

    cofund = submit(
        request,
        form,
        lambda: cofunding.cocontribution_record(fund=fund, actor=request.user, **form.to_kwargs()),
        recorded,
    )
    if cofund is not None:
        return redirect("contributions-cofunding", fund_code=fund.code)
    return render(
        request, "contributions/cofunding/form.html", {"form": form}, status=_status(form)
    )


# --- Matching terms --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@fund_permission_required(CO_FUNDING)
def matching_terms(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    year = _year(year)
    funder = _funder(request.POST.get("funder") or request.GET.get("funder"))
    form = MatchingTermsForm(
        request.POST or None,
        proposed=cofunding.matching_terms_proposed(fund=fund, funder=funder, fiscal_year=year),
        initial={"funder": funder},
    )
    saved = submit(
        request,
        form,
        lambda: cofunding.matching_terms_set(
            fund=fund, actor=request.user, fiscal_year=year, **form.to_kwargs()
        ),
        lambda t: (
            _("The matching terms of %(funder)s for fiscal year %(year)s were saved.")
            % {"funder": Funder(t.funder).label, "year": year}
        ),
    )
    if saved is not None:
        return redirect("contributions-matching", fund_code=fund.code, year=year)
    terms = cofunding.matching_terms_of(fund=fund, fiscal_year=year)
    context = {
        "form": form,
        "year": year,
        "funder": funder,
        "funder_label": Funder(funder).label,
        "funders": Funder.choices,
        "terms": terms,
        "is_set": any(t.funder == funder for t in terms),
        "cutoff": matching.cutoff_of(year),
    }
    return render(request, "contributions/cofunding/terms.html", context, status=_status(form))


# --- Matching report -------------------------------------------------------------------------


def _reasons(decision: matching.Decision[Any], cutoff: Any) -> list[str]:
    facts = decision.facts
    texts = []
    for reason in decision.reasons:
        if reason is matching.Reason.NOT_ACTIVE:
            status = Status(facts.status_on_cutoff).label if facts.status_on_cutoff else None
            texts.append(
                _("not active on the cut-off (%(status)s)")
                % {"status": status or _("not yet a member")}
            )
        elif reason is matching.Reason.JOINED_TOO_LATE:
            texts.append(
                _("joined too late: %(days)s days of membership by the cut-off")
                % {"days": max(matching.membership_days(facts.joined_on, cutoff), 0)}
            )
        elif reason is matching.Reason.ROUNDS_USED:
            texts.append(
                ngettext(
                    "already matched in %(n)s earlier year",
                    "already matched in %(n)s earlier years",
                    facts.earlier_rounds,
                )
                % {"n": facts.earlier_rounds}
            )
        else:
            texts.append(_("no contributions in the year"))
    return texts


def _report_page(
    request: HttpRequest, year: int, *, record_form: MatchingRecordForm | None = None
) -> HttpResponse:
    fund = current_fund(request)
    report = cofunding.matching_report(fund=fund, fiscal_year=year)
    sections = [
        {
            "m": m,
            "not_eligible": [(d, _reasons(d, report.cutoff)) for d in m.outcome.not_eligible],
        }
        for m in report.funders
    ]
    missing = [
        (value, label)
        for value, label in Funder.choices
        if value not in {m.funder for m in report.funders}
    ]
    context = {
        "report": report,
        "sections": sections,
        "missing": missing,
        "year": year,
        "record_form": record_form,
    }
    status = 400 if record_form is not None else 200
    return render(request, "contributions/cofunding/matching.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def matching_report(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return _report_page(request, _year(year))


@require_POST
@fund_permission_required(CO_FUNDING)
def matching_record(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    fund = current_fund(request)
    year = _year(year)
    form = MatchingRecordForm(request.POST)

    def recorded(rows: list[Any]) -> str:
        if not rows:
            return _("Nothing new to record: every eligible member is already recorded.")
        return ngettext(
            "%(n)s member was recorded as matched this year.",
            "%(n)s members were recorded as matched this year.",
            len(rows),
        ) % {"n": len(rows)}

    added = submit(
        request,
        form,
        lambda: cofunding.matching_record(
            fund=fund, actor=request.user, funder=form.cleaned_data["funder"], fiscal_year=year
        ),
        recorded,
    )
    if added is not None:
        return redirect("contributions-matching", fund_code=fund.code, year=year)
    return _report_page(request, year, record_form=form)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def matching_xlsx(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    """The eligible members, one sheet per co-funder, in Thai: CODI asks for this list."""
    fund = current_fund(request)
    report = cofunding.matching_report(fund=fund, fiscal_year=_year(year))
    response = HttpResponse(matching_workbook(fund, report, year), content_type=XLSX_TYPE)
    filename = f"matching-{fund.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
