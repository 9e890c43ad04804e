"""CODI's forms from the fund's side: the years to choose from, a preview in which every
figure links to the records that make it, and the PDF and XLSX to send.

Anyone with a role in the fund may preview; the files are for the officers who sign and
send them (chair, treasurer, secretary) and the auditor. Officers of the network download
them from urls_network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.http import require_GET

from kongtun.codiforms import rendering, selectors
from kongtun.codiforms.document import Figure, Form
from kongtun.codiforms.links import books_start, trace_path
from kongtun.contributions.matching import government_year
from kongtun.funds.models import Fund
from kongtun.funds.permissions import CODI_FORMS, VIEW_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.indicators.selectors import NoIndicators
from kongtun.indicators.trace import UnknownTrace, trace_permission
from kongtun.lib.thaidate import InvalidDate, parse_date

View = Callable[..., HttpResponse]


def may_download(request: HttpRequest) -> bool:
    """The chair, treasurer and secretary, who sign and send the forms, and the auditor."""
    return has_fund_permission(request, CODI_FORMS)


download_permission_required = fund_permission_required(CODI_FORMS)


# --- Reading the URL -------------------------------------------------------------------------


def checked_year(fund: Fund, year: int) -> int:
    """A fiscal year the fund can have forms for: from its founding to the current year."""
    if year not in selectors.form_years(fund):
        raise Http404
    return year


def checked_on(fund: Fund, year: int, raw: str | None) -> dt.date | None:
    """The day asked for with ?on=: within the fiscal year and not after today (else 404)."""
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except InvalidDate as exc:
        raise Http404 from exc
    start, end = government_year(year)
    if not start <= day <= min(end, timezone.localdate()):
        raise Http404
    return day


def annual_for(fund: Fund, year: int, request: HttpRequest) -> Form:
    year = checked_year(fund, year)
    on = checked_on(fund, year, request.GET.get("on"))
    try:
        return selectors.annual_form(fund, year, on)
    except NoIndicators as exc:  # a fund on its own computer that has sent nothing yet
        raise Http404(str(exc)) from exc


def proposal_for(fund: Fund, year: int) -> Form:
    try:
        return selectors.proposal_form(fund, checked_year(fund, year))
    except NoIndicators as exc:
        raise Http404(str(exc)) from exc


def file_response(form: Form, ext: str) -> HttpResponse:
    if ext == "pdf":
        make = rendering.annual_form_pdf if form.kind == "annual" else rendering.proposal_form_pdf
        response = HttpResponse(make(form), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{rendering.filename(form, ext)}"'
        return response
    make = rendering.annual_form_xlsx if form.kind == "annual" else rendering.proposal_form_xlsx
    response = HttpResponse(make(form), content_type=rendering.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{rendering.filename(form, ext)}"'
    return response


# --- Links from a figure to its records ------------------------------------------------------


def _permission(figure: Figure, path: str) -> str | None:
    """The permission the page of a figure's records asks for: the indicator trace's own
    (it differs by indicator), else the one the page's view is decorated with."""
    if figure.trace.indicator:
        return trace_permission(figure.trace.indicator)
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    permission: str | None = getattr(match.func, "fund_permission", None)
    return permission


def preview_links(request: HttpRequest, form: Form) -> dict[str, str]:
    """The page of each figure's records, for the figures whose page this user may open."""
    since = books_start(form)
    links: dict[str, str] = {}
    for figure in form.figures():
        path = trace_path(form, figure.trace, since)
        if path is None:
            continue
        try:
            needed = _permission(figure, path)
        except UnknownTrace:
            continue
        if needed is None or has_fund_permission(request, needed):
            links[figure.key] = path
    return links


# --- Pages -----------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_FUND)
def form_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    context = {"years": selectors.form_years(fund), "can_download": may_download(request)}
    return render(request, "codiforms/years.html", context)


def _preview(request: HttpRequest, form: Form) -> HttpResponse:
    context = {
        "form": form,
        "links": preview_links(request, form),
        "footer": rendering.footer_th(form),
        "manual_note": rendering.MANUAL_TH,
        "provisional": rendering.PROVISIONAL_TH,
        "can_download": may_download(request),
        "query": f"?on={form.on.isoformat()}" if request.GET.get("on") else "",
    }
    return render(request, "codiforms/preview.html", context)


@require_GET
@fund_permission_required(VIEW_FUND)
def annual_preview(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return _preview(request, annual_for(current_fund(request), year, request))


@require_GET
@download_permission_required
def annual_pdf(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return file_response(annual_for(current_fund(request), year, request), "pdf")


@require_GET
@download_permission_required
def annual_xlsx(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return file_response(annual_for(current_fund(request), year, request), "xlsx")


@require_GET
@fund_permission_required(VIEW_FUND)
def proposal_preview(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return _preview(request, proposal_for(current_fund(request), year))


@require_GET
@download_permission_required
def proposal_pdf(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return file_response(proposal_for(current_fund(request), year), "pdf")


@require_GET
@download_permission_required
def proposal_xlsx(request: HttpRequest, fund_code: str, year: int) -> HttpResponse:
    return file_response(proposal_for(current_fund(request), year), "xlsx")
