"""Receipts and the member's passbook: the list, one receipt, its PDF, voiding; a collection
round's receipts to print; the passbook on screen and PDF; and the public page a receipt's QR
code opens.

Every fund object is loaded through its scoped manager and filtered by the URL's fund, so an
object of another fund is a 404. Only `receipt_verify` works without a login and a fund; its
page belongs to the public site (kongtun.public.views_receipt).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kongtun.audit.access import record_member_view
from kongtun.contributions import printing, services
from kongtun.contributions.forms_receipts import ReceiptFilterForm, VoidForm
from kongtun.contributions.models import CollectionSession, Receipt
from kongtun.contributions.passbook import member_passbook
from kongtun.funds.permissions import COLLECT, MANAGE_CONTRIBUTIONS, VIEW_MEMBERS, VOID_RECEIPT
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.lib.bahttext import bahttext
from kongtun.members.models import Member
from kongtun.public import ratelimit
from kongtun.public.views_receipt import verdict_page
from kongtun.web.forms import submit

PAGE_SIZE = 50


def _receipt(request: HttpRequest, code: Any) -> Receipt:
    return get_object_or_404(
        Receipt.objects.select_related(
            "member", "received_by", "voided_by", "session", "entry", "void_entry", "money_account"
        ),
        fund=current_fund(request),
        code=code,
    )


def _verify_url(request: HttpRequest) -> Any:
    def url(receipt: Receipt) -> str:
        return request.build_absolute_uri(reverse("receipt-verify", kwargs={"code": receipt.code}))

    return url


def _pdf(content: bytes, filename: str) -> HttpResponse:
    disposition = content_disposition_header(False, filename) or "inline"
    return HttpResponse(
        content, content_type="application/pdf", headers={"Content-Disposition": disposition}
    )


# --- Receipts --------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def receipt_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = ReceiptFilterForm(request.GET)
    receipts = Receipt.objects.none()
    if not form.is_bound or form.is_valid():
        start, end, number = form.filters()
        receipts = (
            Receipt.objects.filter(fund=fund)
            .select_related("member", "session__collector", "received_by")
            .order_by("-date", "-fiscal_year", "-seq")
        )
        if start:
            receipts = receipts.filter(date__gte=start)
        if end:
            receipts = receipts.filter(date__lte=end)
        if number:
            receipts = receipts.filter(member__number=number)
    page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "contributions/receipts/list.html", {"form": form, "page": page}, status=status
    )


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def receipt_detail(request: HttpRequest, fund_code: str, receipt: Any) -> HttpResponse:
    obj = _receipt(request, receipt)
    record_member_view(request=request, member=obj.member, what="receipt")
    context = {
        "receipt": obj,
        # A fee in the first membership is the entry fee; after rejoining, the reinstatement fee.
        "fee_label": _("Entry fee") if obj.epoch <= 1 else _("Reinstatement fee"),
        "total_words": bahttext(obj.total),
        "verify_url": _verify_url(request)(obj),
    }
    return render(request, "contributions/receipts/detail.html", context)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def receipt_pdf(request: HttpRequest, fund_code: str, receipt: Any) -> HttpResponse:
    obj = _receipt(request, receipt)
    record_member_view(request=request, member=obj.member, what="receipt_pdf")
    pdf = printing.receipts_pdf(
        fund=current_fund(request), receipts=[obj], verify_url=_verify_url(request)
    )
    return _pdf(pdf, f"receipt-{obj.number.replace('/', '-')}.pdf")


@require_http_methods(["GET", "POST"])
@fund_permission_required(VOID_RECEIPT)
def receipt_void(request: HttpRequest, fund_code: str, receipt: Any) -> HttpResponse:
    obj = _receipt(request, receipt)
    form = VoidForm(request.POST or None)
    voided = submit(
        request,
        form,
        lambda: services.receipt_void(
            receipt=obj, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        lambda r: (
            _("Receipt %(number)s was voided. Its number stays used; the payment was taken back.")
            % {"number": r.number}
        ),
    )
    if voided is not None:
        return redirect("contributions-receipt", fund_code=fund_code, receipt=obj.code)
    status = 400 if form.is_bound else 200
    return render(
        request, "contributions/receipts/void.html", {"receipt": obj, "form": form}, status=status
    )


@require_GET
@fund_permission_required(COLLECT)
def session_receipts_pdf(request: HttpRequest, fund_code: str, session: Any) -> HttpResponse:
    fund = current_fund(request)
    obj = get_object_or_404(CollectionSession, fund=fund, code=session)
    # A collector prints their own round; the treasurer and the chair any round.
    if obj.collector_id != request.user.pk and not has_fund_permission(
        request, MANAGE_CONTRIBUTIONS
    ):
        raise Http404
    receipts = list(
        Receipt.objects.filter(fund=fund, session=obj)
        .select_related("member", "received_by")
        .order_by("fiscal_year", "seq")
    )
    pdf = printing.receipts_pdf(
        fund=fund, receipts=receipts, verify_url=_verify_url(request), session=obj
    )
    return _pdf(pdf, f"receipts-{obj.date.isoformat()}.pdf")


# --- Passbook --------------------------------------------------------------------------------


def _member(request: HttpRequest, code: Any) -> Member:
    return get_object_or_404(Member, fund=current_fund(request), code=code)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def passbook(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    book = member_passbook(_member(request, member))
    record_member_view(request=request, member=book.member, what="passbook")
    return render(request, "contributions/passbook/passbook.html", {"book": book})


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def passbook_pdf(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    book = member_passbook(_member(request, member))
    record_member_view(request=request, member=book.member, what="passbook_pdf")
    return _pdf(printing.passbook_pdf(book), f"passbook-{book.member.number}.pdf")


# --- Public ----------------------------------------------------------------------------------


@require_GET
@ratelimit.limited(ratelimit.RECEIPT_QR)
def receipt_verify(request: HttpRequest, code: Any) -> HttpResponse:
    """Anyone holding the paper may check it: no login, no fund, a masked name only. The page
    is part of the public site (kongtun.public), which also offers the check by number."""
    found = printing.receipt_verification(code)
    if found is None:
        raise Http404
    return verdict_page(request, found)
