"""The claims pages: intake with the rules' check explained, evidence, the claim as the
committee reads it, payment by the treasurer, acknowledgment and the printed payment slip.

Claims hold health data (PDPA s.26), so every page needs VIEW_CLAIMS at least: collectors see
none of them. Objects are loaded through their scoped managers and filtered by the URL's
fund, so another fund's claim (or a document of another claim) is a 404. Each POST makes one
service call; a refusal comes back next to the field, input kept (400).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, NamedTuple, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.audit.access import record_member_view
from kongtun.funds.permissions import FILE_CLAIM, PAY_CLAIM, VIEW_CLAIMS
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.ledger.forms import new_token
from kongtun.lib.money import format_baht
from kongtun.lib.uploads import MAX_EVIDENCE_BYTES
from kongtun.members.models import Member
from kongtun.web.forms import apply_service_errors, see_other, submit
from kongtun.welfare import printing, rules, services
from kongtun.welfare.explain import Line, explain
from kongtun.welfare.forms_claims import (
    AcknowledgeForm,
    ClaimFilterForm,
    ClaimForm,
    DocumentForm,
    PayForm,
    WithdrawForm,
)
from kongtun.welfare.models import Claim, Document, Payee
from kongtun.welfare.selectors import payment_plan

PAGE_SIZE = 50


class Summary(NamedTuple):
    """What welfare/_explanation.html shows above the reasons (a rules.Decision fits too)."""

    outcome: str
    amount: Decimal
    full_amount: Decimal


def explanation(claim: Claim) -> dict[str, Any]:
    """The context welfare/_explanation.html needs for a claim filed earlier."""
    lines: list[Line] = explain(claim.reasons)
    return {
        "lines": lines,
        "decision": Summary(claim.outcome, claim.assessed_amount, claim.full_amount),
    }


def _claim(request: HttpRequest, code: Any) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related(
            "benefit",
            "regulation",
            "member",
            "meeting",
            "voucher",
            "deducted_receipt",
            "entered_by",
            "decided_by",
            "paid_by",
        ),
        fund=current_fund(request),
        code=code,
    )


def _claim_url(claim: Claim) -> str:
    return reverse("welfare-claim", kwargs={"fund_code": claim.fund.code, "claim": claim.code})


# --- The list --------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def claim_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None)
    claims = (
        Claim.objects.filter(fund=current_fund(request))
        .select_related("member", "benefit")
        .order_by("-filed_on", "-entered_at", "-pk")
    )
    if form.is_bound and form.is_valid() and form.cleaned_data["status"]:
        claims = claims.filter(status=form.cleaned_data["status"])
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "welfare/claims/list.html", {"form": form, "page": page}, status=status)


# --- Intake ----------------------------------------------------------------------------------


def _member_from_query(request: HttpRequest) -> Member | None:
    try:
        code = uuid.UUID(request.GET.get("member", ""))
    except ValueError:
        return None
    return Member.objects.filter(fund=current_fund(request), code=code).first()


@require_http_methods(["GET", "POST"])
@fund_permission_required(FILE_CLAIM)
def claim_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    """A new claim. Checking eligibility shows what the rules decide and writes nothing;
    filing records it once, however often the form is sent (its one-time key)."""
    fund = current_fund(request)
    today = timezone.localdate()
    assessment = None
    if request.method == "POST":
        form = ClaimForm(request.POST, fund=fund)
        if request.POST.get("action") == "file":
            claim = submit(
                request,
                form,
                lambda: services.claim_file(
                    fund=fund,
                    actor=request.user,
                    data=form.to_input(),
                    filed_on=today,
                    idempotency_key=form.cleaned_data["key"],
                ),
                lambda c: (
                    _("Claim %(number)s was filed; it now waits for the committee.")
                    % {"number": c.number}
                ),
            )
            if claim is not None:
                return see_other(_claim_url(claim))
        elif form.is_valid():
            try:
                assessment = services.claim_assess(fund=fund, data=form.to_input(), filed_on=today)
            except ValidationError as exc:
                apply_service_errors(form, exc)
    else:
        initial: dict[str, Any] = {"key": new_token(), "recipient": rules.Recipient.MEMBER}
        if (member := _member_from_query(request)) is not None:
            initial["member_number"] = member.number
        form = ClaimForm(fund=fund, initial=initial)
    context: dict[str, Any] = {"form": form, "assessment": assessment, "today": today}
    if assessment is not None:
        context |= {"lines": explain(assessment.decision.reasons), "decision": assessment.decision}
    status = 400 if form.errors else 200
    return render(request, "welfare/claims/new.html", context, status=status)


# --- The claim -------------------------------------------------------------------------------


def _required_documents(claim: Claim, documents: list[Document]) -> list[tuple[str, bool]]:
    have = {d.label for d in documents}
    return [(name, name in have) for name in claim.benefit.document_list]


def _detail(request: HttpRequest, claim: Claim, status: int = 200, **forms_: Any) -> HttpResponse:
    """The claim's page; a form that failed is passed in to be shown with its errors."""
    can_file = has_fund_permission(request, FILE_CLAIM)
    documents = list(claim.documents.select_related("uploaded_by"))
    ack_forms: dict[int, AcknowledgeForm] = forms_.pop("ack_forms", {})
    payees = [
        (p, ack_forms.get(p.pk) or AcknowledgeForm(prefix=f"p{p.pk}")) for p in claim.payees.all()
    ]
    context = {
        "claim": claim,
        **explanation(claim),
        "documents": documents,
        "required": _required_documents(claim, documents),
        "payees": payees,
        "can_upload": can_file and claim.is_open,
        "can_withdraw": can_file and claim.status == Claim.Status.FILED,
        "can_pay": has_fund_permission(request, PAY_CLAIM)
        and claim.status == Claim.Status.APPROVED,
        "can_acknowledge": can_file,
        "document_form": DocumentForm(benefit=claim.benefit),
        "withdraw_form": WithdrawForm(),
        **forms_,
    }
    _record(request, claim, "claim")
    return render(request, "welfare/claims/detail.html", context, status=status)


def _record(request: HttpRequest, claim: Claim, what: str) -> None:
    """A claim shows its member's health or family events: who saw it is logged (P7)."""
    if claim.member is not None:
        record_member_view(request=request, member=claim.member, what=what)


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def claim_detail(request: HttpRequest, fund_code: str, claim: Any) -> HttpResponse:
    return _detail(request, _claim(request, claim))


@require_POST
@fund_permission_required(FILE_CLAIM)
def document_add(request: HttpRequest, fund_code: str, claim: Any) -> HttpResponse:
    obj = _claim(request, claim)
    form = DocumentForm(request.POST, request.FILES, benefit=obj.benefit)

    def add() -> Document:
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough for the service to refuse it in its own words,
        # and no more of a huge upload is read into memory.
        data = upload.read(MAX_EVIDENCE_BYTES + 1)
        return services.document_add(
            claim=obj,
            actor=request.user,
            name=upload.name or "",
            data=data,
            label=form.document_label(),
        )

    added = submit(
        request,
        form,
        add,
        lambda d: _("The document “%(name)s” was added.") % {"name": d.original_name},
    )
    if added is not None:
        return see_other(_claim_url(obj))
    return _detail(request, obj, 400, document_form=form)


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def document_file(request: HttpRequest, fund_code: str, claim: Any, document: Any) -> HttpResponse:
    """The stored file itself, only to those who may read claims, never cached."""
    doc = get_object_or_404(
        Document.objects.select_related("claim"),
        fund=current_fund(request),
        claim__code=claim,
        code=document,
    )
    try:
        handle = services.document_path(doc).open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    _record(request, doc.claim, "claim_document")
    # A photo opens in the browser; a PDF is always downloaded, to open in the phone's own
    # viewer: a browser's PDF viewer may run the file's scripts as a page of this site.
    download = doc.content_type == "application/pdf" or request.GET.get("download") == "1"
    response = FileResponse(
        handle, content_type=doc.content_type, as_attachment=download, filename=doc.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Shown on its own, the picture is all the page may load, and it runs no script.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    # Streamed, not an HttpResponse; the decorators above only pass it on.
    return cast(HttpResponse, response)


@require_POST
@fund_permission_required(FILE_CLAIM)
def claim_withdraw(request: HttpRequest, fund_code: str, claim: Any) -> HttpResponse:
    obj = _claim(request, claim)
    form = WithdrawForm(request.POST)
    withdrawn = submit(
        request,
        form,
        lambda: services.claim_withdraw(
            claim=obj, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        lambda c: _("Claim %(number)s was withdrawn.") % {"number": c.number},
    )
    if withdrawn is not None:
        return see_other(_claim_url(obj))
    return _detail(request, obj, 400, withdraw_form=form)


# --- Payment ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@fund_permission_required(PAY_CLAIM)
def claim_pay(request: HttpRequest, fund_code: str, claim: Any) -> HttpResponse:
    fund = current_fund(request)
    obj = _claim(request, claim)
    if request.method == "GET" and obj.status == Claim.Status.PAID:
        return redirect(_claim_url(obj))
    if request.method == "GET":
        _record(request, obj, "claim_pay")
    form = PayForm(request.POST if request.method == "POST" else None, fund=fund)
    paid = submit(
        request,
        form,
        lambda: services.claim_pay(
            claim=obj,
            actor=request.user,
            date=form.cleaned_data["date"],
            money_account=form.cleaned_data["money_account"],
        ),
        lambda c: (
            _("Claim %(number)s was paid: %(amount)s baht, voucher %(voucher)s.")
            % {
                "number": c.number,
                "amount": format_baht(c.amount_due),
                "voucher": c.voucher.number if c.voucher else "—",
            }
        ),
    )
    if paid is not None:
        return see_other(_claim_url(obj))
    # What paying on the typed day (today by default) will do, as claim_pay will do it.
    day = form.cleaned_data.get("date") if form.is_bound and form.is_valid() else None
    plan = payment_plan(obj, day or timezone.localdate())
    context = {
        "claim": obj,
        "form": form,
        "amount": plan.amount,
        "payees": plan.payees,
        "deduction": plan.deduction,
        "net": plan.net,
        "payable": obj.status == Claim.Status.APPROVED,
    }
    status = 400 if form.is_bound else 200
    return render(request, "welfare/claims/pay.html", context, status=status)


# Everyone who pays claims (the chair, the treasurer) also files them, so the clerk's
# permission admits both who hand over the money and who take the signed slip back.
@require_POST
@fund_permission_required(FILE_CLAIM)
def payee_acknowledge(request: HttpRequest, fund_code: str, claim: Any, payee: int) -> HttpResponse:
    obj = _claim(request, claim)
    person = get_object_or_404(Payee, fund=current_fund(request), claim=obj, pk=payee)
    form = AcknowledgeForm(request.POST, prefix=f"p{person.pk}")
    done = submit(
        request,
        form,
        lambda: services.payee_acknowledge(
            payee=person,
            actor=request.user,
            on=form.cleaned_data["on"],
            how=form.cleaned_data["how"],
        ),
        lambda p: _("%(name)s's receipt of the money was recorded.") % {"name": p.name},
    )
    if done is not None:
        return see_other(_claim_url(obj))
    return _detail(request, obj, 400, ack_forms={person.pk: form})


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def claim_slip(request: HttpRequest, fund_code: str, claim: Any) -> HttpResponse:
    """The payment slip (ใบสำคัญรับเงิน) each payee signs, once the claim is paid."""
    obj = _claim(request, claim)
    if obj.status != Claim.Status.PAID:
        messages.info(request, _("The payment slip is printed once the claim is paid."))
        return redirect(_claim_url(obj))
    pdf = printing.payment_slips_pdf(obj)
    _record(request, obj, "claim_slip")
    filename = f"slip-{obj.number.replace('/', '-')}.pdf"
    disposition = content_disposition_header(False, filename) or "inline"
    return HttpResponse(
        pdf, content_type="application/pdf", headers={"Content-Disposition": disposition}
    )
