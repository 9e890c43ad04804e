from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kongtun.audit.selectors import audit_entries_of_fund
from kongtun.funds.models import CommitteeMember
from kongtun.funds.permissions import VIEW_AUDIT, VIEW_FUND
from kongtun.funds.tenancy import fund_permission_required
from kongtun.members.selectors import member_counts


@fund_permission_required(VIEW_FUND)
def fund_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = request.fund  # type: ignore[attr-defined]
    return render(request, "funds/home.html", {"fund": fund, "counts": member_counts(fund=fund)})


@fund_permission_required(VIEW_FUND)
def committee(request: HttpRequest, fund_code: str) -> HttpResponse:
    seats = CommitteeMember.objects.filter(fund=request.fund)  # type: ignore[attr-defined]
    return render(request, "funds/committee.html", {"seats": seats})


@fund_permission_required(VIEW_AUDIT)
def audit_trail(request: HttpRequest, fund_code: str) -> HttpResponse:
    entries = audit_entries_of_fund(fund=request.fund)  # type: ignore[attr-defined]
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "funds/audit.html", {"page": page})
