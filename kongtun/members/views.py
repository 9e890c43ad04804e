"""Member register pages. Each view parses input, calls one service or selector, and renders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.audit.access import record_id_search, record_member_view
from kongtun.funds.models import Fund
from kongtun.funds.permissions import (
    CHANGE_MEMBERS,
    IMPORT_MEMBERS,
    REVEAL_NATIONAL_ID,
    VIEW_CLAIMS,
    VIEW_MEMBERS,
)
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.members import card, importing, services
from kongtun.members.forms import (
    BeneficiaryForm,
    ConsentForm,
    ImportForm,
    MemberForm,
    StatusForm,
    WithdrawForm,
)
from kongtun.members.importing.stash import stash_drop, stash_get, stash_put
from kongtun.members.models import Beneficiary, Consent, Member, Status
from kongtun.members.selectors import member_get, member_search
from kongtun.web.forms import submit
from kongtun.welfare.selectors import member_claims, member_entitlements


def _member(request: HttpRequest, code: Any) -> Member:
    try:
        return member_get(fund=current_fund(request), code=code)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
@fund_permission_required(VIEW_MEMBERS)
def member_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    # The search is sent by POST: a national ID typed into it must not end up in the URL,
    # the browser history or the server's access log.
    params = request.POST if request.method == "POST" else request.GET
    query = params.get("q", "")
    status = params.get("status", "")
    if status not in Status.values:
        status = ""
    members = member_search(fund=current_fund(request), query=query, status=status)
    record_id_search(request=request, query=query, members=members)
    page = Paginator(members, 50).get_page(params.get("page"))
    context = {"page": page, "query": query, "status": status, "statuses": Status.choices}
    template = "members/_results.html" if request.htmx else "members/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@fund_permission_required(CHANGE_MEMBERS)
def member_create(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = MemberForm(request.POST or None, fund=fund)
    member = submit(
        request,
        form,
        lambda: services.member_register(fund=fund, actor=request.user, data=form.to_input()),
        lambda m: (
            _("Member %(name)s was registered as number %(number)s.")
            % {"name": m.full_name, "number": m.number}
        ),
    )
    if member is not None:
        return redirect("members-detail", fund_code=fund.code, code=member.code)
    status = 400 if form.is_bound else 200
    return render(request, "members/form.html", {"form": form, "creating": True}, status=status)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def member_detail(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    return _detail(request, _member(request, code))


@require_http_methods(["GET", "POST"])
@fund_permission_required(CHANGE_MEMBERS)
def member_edit(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    fund = current_fund(request)
    form = MemberForm(
        request.POST or None, fund=fund, editing=True, initial=MemberForm.initial_from(member, "")
    )
    form.fields["national_id"].required = False
    form.fields["national_id"].help_text = _(
        "Now %(masked)s. Leave empty to keep it; type the new number only to correct it."
    ) % {"masked": member.national_id_masked}
    # The form never shows the full ID (that would be an unlogged reveal): empty keeps it.
    updated = submit(
        request,
        form,
        lambda: services.member_update(member=member, actor=request.user, data=form.to_input()),
        _("The member's details were saved."),
    )
    if updated:
        return redirect("members-detail", fund_code=fund.code, code=member.code)
    record_member_view(request=request, member=member, what="edit")
    status = 400 if form.is_bound else 200
    context = {"form": form, "member": member, "creating": False}
    return render(request, "members/form.html", context, status=status)


@require_POST
@fund_permission_required(CHANGE_MEMBERS)
def member_status(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    form = StatusForm(request.POST, member=member)
    changed = submit(
        request,
        form,
        lambda: services.member_change_status(
            member=member, actor=request.user, **form.cleaned_data
        ),
        _("The member's status was changed."),
    )
    if changed:
        return redirect("members-detail", fund_code=fund_code, code=member.code)
    return _detail(request, member, 400, status_form=form)


def _detail(
    request: HttpRequest, member: Member, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    """The member's page; a form that failed is passed in to be shown with its errors."""
    context = {
        "member": member,
        "history": member.history.select_related("recorded_by"),
        "beneficiaries": member.beneficiaries.all(),
        "consents": member.consents.all(),
        "status_form": StatusForm(member=member),
        "beneficiary_form": BeneficiaryForm(),
        "consent_form": ConsentForm(),
        **forms_,
    }
    # Claims hold health data: only those who may read claims see the member's welfare.
    if has_fund_permission(request, VIEW_CLAIMS):
        context["entitlements"] = member_entitlements(member)
        context["claims"] = member_claims(member)[:20]
    record_member_view(request=request, member=member, what="detail")
    return render(request, "members/detail.html", context, status=status)


@require_POST
@fund_permission_required(REVEAL_NATIONAL_ID)
def member_reveal_id(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    national_id = services.member_reveal_national_id(member=member, actor=request.user)
    record_member_view(request=request, member=member, what="reveal_id")
    return render(
        request, "members/_revealed_id.html", {"member": member, "national_id": national_id}
    )


@require_POST
@fund_permission_required(CHANGE_MEMBERS)
def beneficiary_add(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    form = BeneficiaryForm(request.POST)
    added = submit(
        request,
        form,
        lambda: services.beneficiary_add(member=member, actor=request.user, data=form.to_input()),
        _("The beneficiary was added."),
    )
    if added:
        return redirect("members-detail", fund_code=fund_code, code=member.code)
    return _detail(request, member, 400, beneficiary_form=form)


@require_POST
@fund_permission_required(CHANGE_MEMBERS)
def beneficiary_remove(request: HttpRequest, fund_code: str, code: Any, pk: int) -> HttpResponse:
    member = _member(request, code)
    beneficiary = get_object_or_404(Beneficiary, member=member, pk=pk)
    services.beneficiary_remove(beneficiary=beneficiary, actor=request.user)
    messages.success(request, _("The beneficiary was removed."))
    return redirect("members-detail", fund_code=fund_code, code=member.code)


@require_POST
@fund_permission_required(CHANGE_MEMBERS)
def consent_add(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    form = ConsentForm(request.POST)
    recorded = submit(
        request,
        form,
        lambda: services.consent_record(member=member, actor=request.user, **form.cleaned_data),
        _("The consent was recorded."),
    )
    if recorded:
        return redirect("members-detail", fund_code=fund_code, code=member.code)
    return _detail(request, member, 400, consent_form=form)


@require_POST
@fund_permission_required(CHANGE_MEMBERS)
def consent_withdraw(request: HttpRequest, fund_code: str, code: Any, pk: int) -> HttpResponse:
    member = _member(request, code)
    consent = get_object_or_404(Consent, member=member, pk=pk)
    form = WithdrawForm(request.POST)
    withdrawn = submit(
        request,
        form,
        lambda: services.consent_withdraw(
            consent=consent, actor=request.user, withdrawn_on=form.cleaned_data["withdrawn_on"]
        ),
        _("The consent was withdrawn."),
    )
    if withdrawn:
        return redirect("members-detail", fund_code=fund_code, code=member.code)
    messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("members-detail", fund_code=fund_code, code=member.code)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def member_card(request: HttpRequest, fund_code: str, code: Any) -> HttpResponse:
    member = _member(request, code)
    fund_url = request.build_absolute_uri(reverse("funds-home", kwargs={"fund_code": fund_code}))
    pdf = card.member_card_pdf(member=member, fund_url=fund_url)
    record_member_view(request=request, member=member, what="card")
    disposition = content_disposition_header(False, f"member-card-{member.number}.pdf")
    headers = {"Content-Disposition": disposition} if disposition else {}
    return HttpResponse(pdf, content_type="application/pdf", headers=headers)


@require_http_methods(["GET", "POST"])
@fund_permission_required(IMPORT_MEMBERS)
def member_import(request: HttpRequest, fund_code: str) -> HttpResponse:
    """Upload → preview (nothing written) → confirm (all rows or none)."""
    fund = current_fund(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request, fund)
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)d MB. Please split it into smaller files.")
                % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
            )
        else:
            data = upload.read()
            preview = importing.preview_member_file(
                fund=fund, filename=upload.name, data=data, today=timezone.localdate()
            )
            if preview.accepted:
                # Kept (encrypted) until the user confirms; the confirm step re-reads and
                # re-checks them, so nothing the user did not see can be written.
                stash_put(fund=fund, user=request.user, sha256=preview.sha256,
                          filename=upload.name, data=data)  # fmt: skip
    status = 400 if form.is_bound and (preview is None or not preview.accepted) else 200
    return render(request, "members/import.html", {"form": form, "preview": preview}, status=status)


def _import_confirm(request: HttpRequest, fund: Fund) -> HttpResponse:
    sha256 = request.POST.get("sha256", "")
    stashed = stash_get(fund=fund, user=request.user, sha256=sha256)
    if stashed is None:
        messages.error(request, _("The file to import was not found. Please upload it again."))
        return redirect("members-import", fund_code=fund.code)
    filename, data = stashed
    try:
        outcome = importing.commit_member_import(
            fund=fund, actor=request.user, filename=filename, data=data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members-import", fund_code=fund.code)
    stash_drop(fund=fund, user=request.user, sha256=sha256)
    added = ngettext(
        "Import finished: %(added)d member added.",
        "Import finished: %(added)d members added.",
        outcome.added,
    ) % {"added": outcome.added}
    skipped = ngettext(
        "%(skipped)d was already in the register.",
        "%(skipped)d were already in the register.",
        outcome.skipped,
    ) % {"skipped": outcome.skipped}
    messages.success(request, f"{added} {skipped}" if outcome.skipped else added)
    return redirect("members-list", fund_code=fund.code)


@require_GET
@fund_permission_required(IMPORT_MEMBERS)
def import_template(request: HttpRequest, fund_code: str) -> HttpResponse:
    response = HttpResponse(
        importing.build_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="kongtun-member-register.xlsx"'
    return response
