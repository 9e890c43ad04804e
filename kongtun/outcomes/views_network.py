"""The year reports of an officer's area together, as the provincial meeting hears them.

Only submitted reports are shown: a draft is still the fund's. A fund outside the officer's
areas does not exist here (404), as everywhere on the network side. The reports describe the
funds, not their members, so a fund's own words can be read in full.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.exports import XLSX_TYPE
from kongtun.network.access import fund_for_officer, funds_visible_to, officer_required
from kongtun.network.selectors import current_fiscal_year_be
from kongtun.outcomes.exports import outcomes_xlsx
from kongtun.outcomes.models import Category
from kongtun.outcomes.selectors import (
    area_amphoes,
    area_funds,
    area_issue_lines,
    area_outcomes,
    area_years,
    fund_report,
    report_issues,
)


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)
    amphoe = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)

    def __init__(self, data: Any, *, years: list[int], amphoes: list[Any]) -> None:
        super().__init__(data)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
        self.fields["amphoe"].choices = [  # type: ignore[attr-defined]
            ("", _("All districts")),
            *[(a.code, str(a)) for a in amphoes],
        ]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("All categories")),
            *Category.choices,
        ]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "input")


def _filters(request: HttpRequest, year: int | None = None) -> tuple[FilterForm, list[Fund]]:
    """The officer's filter form, bound to the query (the default year when none is given)."""
    visible = funds_visible_to(request.user)
    everything = area_funds(visible)
    default = current_fiscal_year_be(timezone.localdate()) - 1
    years = sorted({*area_years(everything), default, *([year] if year else [])}, reverse=True)
    data = request.GET.copy()
    if year is not None:
        data["year"] = str(year)
    data.setdefault("year", str(default))
    return FilterForm(data, years=years, amphoes=area_amphoes(visible)), everything


@require_GET
@officer_required
def network_outcomes(request: HttpRequest) -> HttpResponse:
    form, everything = _filters(request)
    context: dict[str, Any] = {"form": form, "outcomes": None}
    if not form.is_valid():
        return render(request, "outcomes/network.html", context, status=400)
    d = form.cleaned_data
    funds = [f for f in everything if not d["amphoe"] or f.tambon.amphoe_id == d["amphoe"]]
    context["outcomes"] = area_outcomes(
        funds=funds, fiscal_year_be=d["year"], category=d["category"] or None
    )
    context["query"] = request.GET.urlencode()
    return render(request, "outcomes/network.html", context)


@require_GET
@officer_required
def network_report(request: HttpRequest, year: int, fund: str) -> HttpResponse:
    found = fund_for_officer(request.user, fund)
    with fund_scope(found):
        report = fund_report(found, year)
        if report is None or not report.is_submitted:
            raise Http404
        issues = report_issues(report)
    context = {"fund": found, "year": year, "report": report, "issues": issues}
    return render(request, "outcomes/network_report.html", context)


@require_GET
@officer_required
def network_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    form, everything = _filters(request, year)
    if not form.is_valid():
        raise Http404
    d = form.cleaned_data
    funds = [f for f in everything if not d["amphoe"] or f.tambon.amphoe_id == d["amphoe"]]
    category = d["category"] or None
    outcomes = area_outcomes(funds=funds, fiscal_year_be=year, category=category)
    reports, lines = area_issue_lines(funds=funds, fiscal_year_be=year, category=category)
    # The file is for the meeting, so its words are Thai whatever the screen's language.
    area = f"อำเภอ{funds[0].tambon.amphoe.name_th}" if d["amphoe"] and funds else "ทุกอำเภอในพื้นที่"
    body = outcomes_xlsx(
        area=area,
        fiscal_year_be=year,
        outcomes=outcomes,
        reports=reports,
        lines=lines,
    )
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="outcomes-{year}.xlsx"'
    return response
