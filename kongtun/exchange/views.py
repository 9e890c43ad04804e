"""The fund's export page (its chair) and the province's import page (province officers)."""

from __future__ import annotations

from typing import IO, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.exchange import keys, selectors, services
from kongtun.exchange.forms import ExportForm, KeyRegisterForm, UploadForm
from kongtun.exchange.models import TrustedKey
from kongtun.exchange.package import PackageRefused
from kongtun.funds.models import Fund
from kongtun.funds.permissions import CHANGE_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, fund_scope
from kongtun.network.access import funds_recordable_by, province_officer_required
from kongtun.web.forms import apply_service_errors, see_other

# --- The fund's side -------------------------------------------------------------------------


def _export_page(request: HttpRequest, form: ExportForm, status: int = 200) -> HttpResponse:
    fund = current_fund(request)
    key = selectors.signing_key_of(fund)
    context = {
        "form": form,
        "key": key,
        "key_text": services.public_key_text(key) if key else "",
        "exports": selectors.exports_of(fund),
        "elsewhere": fund.runs_on == Fund.RunsOn.OWN_COMPUTER,
    }
    return render(request, "exchange/export.html", context, status=status)


@require_http_methods(["GET", "POST"])
@fund_permission_required(CHANGE_FUND)
def export(request: HttpRequest, fund_code: str) -> HttpResponse:
    """The fund's key and its packages; a valid POST answers with the package file."""
    fund = current_fund(request)
    form = ExportForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if form.is_bound and form.is_valid():
        try:
            exported = services.package_export(fund=fund, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            response = FileResponse(
                exported.file,
                as_attachment=True,
                filename=exported.filename,
                content_type="application/zip",
            )
            # Streamed, not an HttpResponse; the decorators above only pass it on.
            return cast(HttpResponse, response)
    return _export_page(request, form, status=400 if form.is_bound else 200)


@require_POST
@fund_permission_required(CHANGE_FUND)
def key_create(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        messages.error(request, _("This fund's key is made on the fund's own computer."))
    else:
        services.signing_key_get_or_create(fund=fund, actor=request.user)
        messages.success(request, _("The fund's key was made. Send it to the province."))
    return see_other(reverse("exchange-export", kwargs={"fund_code": fund.code}))


# --- The province's side ---------------------------------------------------------------------


def _province_funds(request: HttpRequest) -> QuerySet[Fund]:
    return funds_recordable_by(request.user)


def _network_page(
    request: HttpRequest,
    *,
    upload: UploadForm | None = None,
    register: KeyRegisterForm | None = None,
    pending: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    funds = selectors.own_computer_funds(_province_funds(request))
    listed = list(funds)
    context = {
        "rows": selectors.exchange_rows(listed),
        "imports": selectors.recent_imports(listed),
        "upload": upload or UploadForm(),
        "register": register or KeyRegisterForm(funds=funds),
        "pending": pending,
    }
    return render(request, "exchange/network.html", context, status=status)


@require_GET
@province_officer_required
def network_home(request: HttpRequest) -> HttpResponse:
    return _network_page(request)


@require_POST
@province_officer_required
def package_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.package_import(
                file=cast(IO[bytes], upload.file),
                size=upload.size,
                filename=upload.name or "",
                funds=_province_funds(request),
                actor=request.user,
            )
        except PackageRefused as exc:
            form.add_error("file", exc.message)
        else:
            if outcome.status == "imported":
                messages.success(request, outcome.message)
            else:
                messages.warning(request, outcome.message)
            return see_other(reverse("exchange-network"))
    return _network_page(request, upload=form, status=400)


@require_POST
@province_officer_required
def key_register(request: HttpRequest) -> HttpResponse:
    funds = selectors.own_computer_funds(_province_funds(request))
    form = KeyRegisterForm(request.POST, funds=funds)
    if form.is_valid() and "confirm" not in request.POST:
        # First the fingerprint of what was pasted, to compare with what the chair reads out;
        # only a second, confirmed post registers it.
        fund, text = form.cleaned_data["fund"], form.cleaned_data["key"]
        try:
            public = services.trusted_key_check(fund=fund, text=text)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            pending = {"fund": fund, "text": text, "fingerprint": keys.fingerprint(public)}
            return _network_page(request, register=form, pending=pending)
    elif form.is_valid():
        try:
            key = services.trusted_key_register(
                fund=form.cleaned_data["fund"], actor=request.user, text=form.cleaned_data["key"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The key of %(name)s was registered (fingerprint %(fingerprint)s).")
                % {"name": form.cleaned_data["fund"].name, "fingerprint": key.fingerprint},
            )
            return see_other(reverse("exchange-network"))
    return _network_page(request, register=form, status=400)


@require_POST
@province_officer_required
def key_revoke(request: HttpRequest, key: int) -> HttpResponse:
    funds = list(selectors.own_computer_funds(_province_funds(request)))
    if not funds:
        raise Http404
    with fund_scope(funds):
        found = TrustedKey.objects.filter(pk=key, fund__in=funds).select_related("fund").first()
    if found is None:
        raise Http404
    try:
        services.trusted_key_revoke(key=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The key of %(name)s was revoked: its packages are no longer accepted.")
            % {"name": found.fund.name},
        )
    return see_other(reverse("exchange-network"))
