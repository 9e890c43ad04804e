"""Opening balances from Excel: upload and check, confirm, and the reconciliation report.

Like the member import: the upload is checked and shown without writing anything; the file is
kept encrypted for the person who checked it, and confirming reads and checks it again before
importing it all or nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kongtun.contributions import opening as importing
from kongtun.contributions.forms_opening import OpeningForm
from kongtun.contributions.models import OpeningImport
from kongtun.contributions.opening.reading import MAX_BYTES
from kongtun.funds.models import Fund
from kongtun.funds.permissions import MANAGE_CONTRIBUTIONS, VIEW_BOOKS
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.ledger.exports import XLSX_TYPE
from kongtun.ledger.selectors import money_accounts
from kongtun.members.importing.stash import stash_drop, stash_get, stash_put


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def opening(request: HttpRequest, fund_code: str) -> HttpResponse:
    """Upload → check (nothing written) → confirm (everything or nothing)."""
    fund = current_fund(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, fund)
    form = OpeningForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)d MB. Please split the payment history.")
                % {"mb": MAX_BYTES // (1024 * 1024)},
            )
        else:
            data = upload.read()
            preview = importing.opening_preview(
                fund=fund, filename=upload.name, data=data, today=timezone.localdate()
            )
            if preview.accepted:
                # Kept encrypted until confirmed; the confirm step reads and checks it again.
                stash_put(
                    fund=fund,
                    user=request.user,
                    sha256=preview.sha256,
                    filename=upload.name,
                    data=data,
                )
    status = 400 if form.is_bound and (preview is None or not preview.accepted) else 200
    context = {
        "form": form,
        "preview": preview,
        "imports": OpeningImport.objects.filter(fund=fund).order_by("-pk"),
    }
    return render(request, "contributions/opening/import.html", context, status=status)


def _confirm(request: HttpRequest, fund: Fund) -> HttpResponse:
    sha256 = request.POST.get("sha256", "")
    stashed = stash_get(fund=fund, user=request.user, sha256=sha256)
    if stashed is None:
        messages.error(request, _("The file to import was not found. Please upload it again."))
        return redirect("contributions-opening", fund_code=fund.code)
    filename, data = stashed
    try:
        outcome = importing.opening_import(
            fund=fund, actor=request.user, filename=filename, data=data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contributions-opening", fund_code=fund.code)
    stash_drop(fund=fund, user=request.user, sha256=sha256)
    if outcome.already_imported:
        messages.info(request, _("This file was already imported; nothing was added."))
    else:
        messages.success(
            request,
            _("Opening balances imported: %(members)d members, %(payments)d past payments.")
            % {"members": outcome.opening.members, "payments": outcome.opening.payments},
        )
    return redirect("contributions-opening-report", fund_code=fund.code, opening=outcome.opening.pk)


@require_GET
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def opening_template(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    accounts = [
        account
        for role in ("cash", "bank")
        for account in money_accounts(fund=fund, role=role)
        if account.is_active
    ]
    response = HttpResponse(
        importing.build_template_xlsx(accounts=accounts), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="kongtun-opening-balances.xlsx"'
    return response


@require_GET
@fund_permission_required(VIEW_BOOKS)
def opening_report(request: HttpRequest, fund_code: str, opening: int) -> HttpResponse:
    fund = current_fund(request)
    found = get_object_or_404(
        OpeningImport.objects.select_related("entry", "created_by"), fund=fund, pk=opening
    )
    report = importing.opening_reconciliation(opening=found)
    return render(request, "contributions/opening/report.html", {"r": report})
