"""The record of processing, and a member's export and erasure. Views parse, call one service
or selector, and render."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds.permissions import ERASE_MEMBER, EXPORT_PERSONAL_DATA, VIEW_PRIVACY
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.members.models import Member
from kongtun.members.selectors import member_get
from kongtun.privacy import erasure, export, ropa
from kongtun.privacy.forms import EraseForm, ExportForm
from kongtun.privacy.models import Erasure
from kongtun.web.forms import submit


def _member(request: HttpRequest, code: Any) -> Member:
    try:
        return member_get(fund=current_fund(request), code=code)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@fund_permission_required(VIEW_PRIVACY)
def ropa_page(request: HttpRequest, fund_code: str) -> HttpResponse:
    groups = [(purpose, list(rows)) for purpose, rows in groupby(ropa.rows(), lambda r: r.purpose)]
    erased = Erasure.objects.filter(fund=current_fund(request)).count()
    return render(request, "privacy/ropa.html", {"groups": groups, "erased": erased})


@require_POST
@fund_permission_required(EXPORT_PERSONAL_DATA)
def member_export(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    fmt = form.cleaned_data["format"]
    data = export.member_export(member=member, actor=request.user, fmt=fmt, request=request)
    content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    name = f"member-{member.number}-personal-data.{fmt}"
    return HttpResponse(
        data,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, name) or "attachment"},
    )


@require_http_methods(["GET", "POST"])
@fund_permission_required(ERASE_MEMBER)
def member_erase(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    form = EraseForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: erasure.member_erase(
            member=member, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("The member's personal data was erased. Amounts and records of money stay."),
    )
    if done is not None:
        return redirect("members-detail", fund_code=fund_code, code=member.code)
    context = {"member": member, "form": form, "refusal": erasure.erasure_refusal(member)}
    return render(request, "privacy/erase.html", context, status=400 if form.is_bound else 200)
