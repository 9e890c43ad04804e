"""CODI's forms for network and provincial officers: the funds of their areas, and each
fund's forms as PDF and XLSX.

The forms hold the fund's aggregates and its committee roster, never a member's personal
data, so an officer may have them. A fund outside the officer's areas does not exist for
them (404), as another fund does not for a fund's own users.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kongtun.codiforms import selectors
from kongtun.codiforms.views import annual_for, file_response, proposal_for
from kongtun.funds.tenancy import fund_scope
from kongtun.network.access import fund_for_officer, funds_visible_to, officer_required


@require_GET
@officer_required
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = list(funds_visible_to(request.user).order_by("tambon__amphoe__name_th", "name"))
    return render(request, "codiforms/network/funds.html", {"funds": funds})


@require_GET
@officer_required
def fund_forms(request: HttpRequest, code: str) -> HttpResponse:
    fund = fund_for_officer(request.user, code)
    context = {"fund": fund, "years": selectors.form_years(fund)}
    return render(request, "codiforms/network/fund.html", context)


def _download(request: HttpRequest, code: str, year: int, kind: str, ext: str) -> HttpResponse:
    fund = fund_for_officer(request.user, code)
    with fund_scope(fund):
        form = annual_for(fund, year, request) if kind == "annual" else proposal_for(fund, year)
        return file_response(form, ext)


@require_GET
@officer_required
def annual_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _download(request, code, year, "annual", "pdf")


@require_GET
@officer_required
def annual_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _download(request, code, year, "annual", "xlsx")


@require_GET
@officer_required
def proposal_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _download(request, code, year, "proposal", "pdf")


@require_GET
@officer_required
def proposal_xlsx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _download(request, code, year, "proposal", "xlsx")
