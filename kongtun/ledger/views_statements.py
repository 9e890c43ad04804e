"""Financial statements on screen, as PDF and as XLSX, for a fiscal year or any dates.

All three read the same query string: ?statement=receipts|income|position|trial and either
&fy=2569 (a Buddhist-era fiscal year) or &start=1/10/2568&end=30/9/2569. With neither, the
current fiscal year is shown. A query that cannot be read gets a 400 page saying why.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kongtun.funds.models import Fund
from kongtun.funds.permissions import VIEW_BOOKS
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.ledger import exports
from kongtun.ledger.statements import (
    FIRST_BE_YEAR,
    LAST_BE_YEAR,
    STATEMENTS,
    Period,
    admin_ratio,
    fiscal_year_of,
    fiscal_years_with_books,
    statements_for,
)
from kongtun.web.fields import ThaiDateField

STATEMENT_CHOICES = [
    ("receipts", gettext_lazy("Receipts and payments")),
    ("income", gettext_lazy("Income and expenditure")),
    ("position", gettext_lazy("Financial position")),
    ("trial", gettext_lazy("Trial balance")),
]
ALL = "all"


class PeriodForm(forms.Form):
    statement = forms.ChoiceField(
        label=gettext_lazy("Statement"),
        choices=[*STATEMENT_CHOICES, (ALL, gettext_lazy("All four statements"))],
        required=False,
    )
    fy = forms.IntegerField(
        label=gettext_lazy("Fiscal year (BE)"),
        min_value=FIRST_BE_YEAR,
        max_value=LAST_BE_YEAR,
        required=False,
    )
    start = ThaiDateField(label=gettext_lazy("From"), required=False)
    end = ThaiDateField(label=gettext_lazy("To"), required=False)

    def __init__(self, *args: Any, fund: Fund, allow_all: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.allow_all = allow_all

    def clean_statement(self) -> str:
        value: str = self.cleaned_data.get("statement") or STATEMENTS[0]
        if value == ALL and not self.allow_all:
            raise forms.ValidationError(_("Choose one statement to show."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, fy = data.get("start"), data.get("end"), data.get("fy")
        if self.errors:
            return data
        if start or end:
            if fy:
                raise forms.ValidationError(_("Choose either a fiscal year or dates, not both."))
            if not (start and end):
                raise forms.ValidationError(_("Give both the first and the last day."))
            if start > end:
                raise forms.ValidationError(_("The period cannot end before it starts."))
            data["period"] = Period(start, end)
        else:
            year = fy or fiscal_year_of(self.fund, timezone.localdate())
            data["period"] = Period.of_fiscal_year(self.fund, year)
        return data

    @property
    def period(self) -> Period:
        period: Period = self.cleaned_data["period"]
        return period

    @property
    def kinds(self) -> tuple[str, ...]:
        statement: str = self.cleaned_data["statement"]
        return STATEMENTS if statement == ALL else (statement,)


def _bad_request(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    context = _picker_context(request, form)
    return render(request, "ledger/statements/page.html", context, status=400)


def _picker_context(request: HttpRequest, form: PeriodForm) -> dict[str, Any]:
    years = set(fiscal_years_with_books(current_fund(request), timezone.localdate()))
    period = form.cleaned_data.get("period") if form.is_valid() else None
    if period is not None and period.fiscal_year is not None:
        years.add(period.fiscal_year)  # a year asked for by URL stays selectable
    return {"form": form, "choices": STATEMENT_CHOICES, "years": sorted(years, reverse=True)}


def _read(request: HttpRequest, *, allow_all: bool) -> PeriodForm:
    return PeriodForm(request.GET, fund=current_fund(request), allow_all=allow_all)


@require_GET
@fund_permission_required(VIEW_BOOKS)
def statement_page(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = _read(request, allow_all=False)
    if not form.is_valid():
        return _bad_request(request, form)
    fund = current_fund(request)
    statement = form.kinds[0]
    stmts = statements_for(fund=fund, period=form.period, kinds=form.kinds)
    ratio = stmts.income.ratio if stmts.income else admin_ratio(fund=fund, period=form.period)
    context = {
        **_picker_context(request, form),
        "statement": statement,
        "statement_label": dict(STATEMENT_CHOICES)[statement],
        "stmts": stmts,
        "period": form.period,
        "ratio": ratio,
        "query": _query(form),
    }
    return render(request, "ledger/statements/page.html", context)


def _query(form: PeriodForm) -> str:
    """The period part of the query string, for the PDF and XLSX links of the same period."""
    period = form.period
    if period.fiscal_year is not None:
        return f"fy={period.fiscal_year}"
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


def _filename(form: PeriodForm, ext: str) -> str:
    period = form.period
    name = "statements" if len(form.kinds) > 1 else f"statement-{form.kinds[0]}"
    when = (
        f"fy{period.fiscal_year}"
        if period.fiscal_year is not None
        else f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    )
    return f"{name}-{when}.{ext}"


@require_GET
@fund_permission_required(VIEW_BOOKS)
def statement_pdf(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = _read(request, allow_all=True)
    if not form.is_valid():
        return _bad_request(request, form)
    stmts = statements_for(fund=current_fund(request), period=form.period, kinds=form.kinds)
    response = HttpResponse(exports.statements_pdf(stmts), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(form, "pdf")}"'
    return response


@require_GET
@fund_permission_required(VIEW_BOOKS)
def statement_xlsx(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = _read(request, allow_all=True)
    if not form.is_valid():
        return _bad_request(request, form)
    stmts = statements_for(fund=current_fund(request), period=form.period, kinds=form.kinds)
    response = HttpResponse(exports.statements_xlsx(stmts), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "xlsx")}"'
    return response
