"""The fund's regulation versions: the list, one version with its benefits' rules in plain
words, its printed copy, and, while it is a draft, editing its text and rules and adopting it.

Everyone in the fund may read the regulation; drafting and adopting need the right to manage
regulations. An adopted version is never changed: its edit pages answer with that refusal
(400), and the services refuse it again should it be adopted while someone edits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds.permissions import MANAGE_REGULATIONS, VIEW_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.lib.pdf import render_pdf
from kongtun.lib.thaidate import format_date
from kongtun.web.forms import see_other, submit
from kongtun.welfare import services
from kongtun.welfare.describe import amount_text, category_label, describe_benefit, tiers_of
from kongtun.welfare.forms_regulations import AdoptForm, BenefitForm, ConfirmForm, RegulationForm
from kongtun.welfare.models import Benefit, Regulation
from kongtun.welfare.rules import Basis
from kongtun.welfare.selectors import regulation_in_force


def _regulation(request: HttpRequest, code: Any) -> Regulation:
    return get_object_or_404(
        Regulation.objects.select_related("adopted_by"), fund=current_fund(request), code=code
    )


def _benefit(request: HttpRequest, regulation: Regulation, pk: int) -> Benefit:
    return get_object_or_404(
        Benefit.objects.prefetch_related("tiers"),
        fund=current_fund(request),
        regulation=regulation,
        pk=pk,
    )


def _to_regulation(fund_code: str, regulation: Regulation) -> HttpResponse:
    return see_other(
        reverse(
            "welfare-regulation", kwargs={"fund_code": fund_code, "regulation": regulation.code}
        )
    )


def _refused(
    request: HttpRequest, regulation: Regulation, form: ConfirmForm | None = None
) -> HttpResponse:
    """What an edit page of an adopted version answers: the rule the services enforce, or
    what the service said when it refused."""
    errors = [str(e) for e in form.non_field_errors()] if form is not None else []
    context = {
        "regulation": regulation,
        "errors": errors
        or [_("An adopted regulation is never changed; make a new version to amend it.")],
    }
    return render(request, "welfare/regulations/refused.html", context, status=400)


def _benefits(regulation: Regulation, *, tiers_in_words: bool) -> list[dict[str, Any]]:
    """Each benefit with its category's name, its rules in words and its table."""
    out = []
    for benefit in regulation.benefits.prefetch_related("tiers"):
        table = None
        if benefit.basis in (Basis.BY_MEMBERSHIP, Basis.BY_AGE):
            table = [(years, amount_text(amount)) for years, amount in tiers_of(benefit)]
        out.append(
            {
                "benefit": benefit,
                "category": category_label(benefit.category),
                "lines": describe_benefit(benefit, tiers_in_words=tiers_in_words),
                "table": table,
                "by_age": benefit.basis == Basis.BY_AGE,
            }
        )
    return out


# --- Reading ---------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_FUND)
def regulation_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    today = timezone.localdate()
    in_force = regulation_in_force(fund, today)
    versions = Regulation.objects.filter(fund=fund).order_by("-version")
    context = {"versions": versions, "in_force": in_force, "today": today}
    return render(request, "welfare/regulations/list.html", context)


def _regulation_page(
    request: HttpRequest,
    regulation: Regulation,
    *,
    adopt_form: AdoptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    in_force = regulation_in_force(current_fund(request), today)
    may_edit = regulation.is_draft and has_fund_permission(request, MANAGE_REGULATIONS)
    context = {
        "regulation": regulation,
        "benefits": _benefits(regulation, tiers_in_words=False),
        "in_force": in_force is not None and in_force.pk == regulation.pk,
        "not_yet": not regulation.is_draft
        and regulation.effective_from is not None
        and regulation.effective_from > today,
        "may_edit": may_edit,
        "adopt_form": (adopt_form or AdoptForm()) if may_edit else None,
    }
    return render(request, "welfare/regulations/detail.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_FUND)
def regulation_detail(request: HttpRequest, fund_code: str, regulation: Any) -> HttpResponse:
    return _regulation_page(request, _regulation(request, regulation))


def regulation_pdf_bytes(regulation: Regulation) -> bytes:
    """The version on A4, its text and then its benefits' rules, in Thai like every paper the
    fund hands out."""
    with translation.override("th"):
        context = {
            "fund": regulation.fund,
            "regulation": regulation,
            "effective_from": format_date(regulation.effective_from, "long")
            if regulation.effective_from
            else "",
            "benefits": _benefits(regulation, tiers_in_words=False),
            "printed_on": format_date(timezone.localdate(), "long"),
        }
        return render_pdf("welfare/regulations/regulation_pdf.html", context)


@require_GET
@fund_permission_required(VIEW_FUND)
def regulation_pdf(request: HttpRequest, fund_code: str, regulation: Any) -> HttpResponse:
    obj = _regulation(request, regulation)
    disposition = content_disposition_header(False, f"regulation-v{obj.version}.pdf") or "inline"
    return HttpResponse(
        regulation_pdf_bytes(obj),
        content_type="application/pdf",
        headers={"Content-Disposition": disposition},
    )


# --- Drafting --------------------------------------------------------------------------------


@require_POST
@fund_permission_required(MANAGE_REGULATIONS)
def regulation_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    draft = services.regulation_draft(fund=current_fund(request), actor=request.user)
    messages.success(
        request,
        _(
            "Version %(version)s was started as a copy of the latest version. Change it, then "
            "adopt it with the date it comes into force."
        )
        % {"version": draft.version},
    )
    return _to_regulation(fund_code, draft)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_REGULATIONS)
def regulation_edit(request: HttpRequest, fund_code: str, regulation: Any) -> HttpResponse:
    obj = _regulation(request, regulation)
    if not obj.is_draft:
        return _refused(request, obj)
    form = RegulationForm(request.POST or None, initial=RegulationForm.initial_of(obj))
    saved = submit(
        request,
        form,
        lambda: services.regulation_update(regulation=obj, actor=request.user, **form.cleaned_data),
        lambda r: _("Version %(version)s was saved.") % {"version": r.version},
    )
    if saved is not None:
        return _to_regulation(fund_code, saved)
    status = 400 if form.is_bound else 200
    context = {"regulation": obj, "form": form}
    return render(request, "welfare/regulations/edit.html", context, status=status)


def _benefit_form_page(
    request: HttpRequest,
    fund_code: str,
    regulation: Regulation,
    benefit: Benefit | None,
) -> HttpResponse:
    if not regulation.is_draft:
        return _refused(request, regulation)
    data = request.POST if request.method == "POST" else None
    form = BenefitForm(data, benefit=benefit, position=regulation.benefits.count() + 1)
    saved = submit(
        request,
        form,
        lambda: services.benefit_save(
            regulation=regulation,
            actor=request.user,
            values=form.values(),
            tiers=form.tier_rows(),
            benefit=benefit,
        ),
        lambda b: _("The benefit “%(name)s” was saved.") % {"name": b.name},
    )
    if saved is not None:
        return _to_regulation(fund_code, regulation)
    status = 400 if form.is_bound else 200
    context = {"regulation": regulation, "benefit": benefit, "form": form}
    return render(request, "welfare/regulations/benefit_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_REGULATIONS)
def benefit_new(request: HttpRequest, fund_code: str, regulation: Any) -> HttpResponse:
    return _benefit_form_page(request, fund_code, _regulation(request, regulation), None)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_REGULATIONS)
def benefit_edit(
    request: HttpRequest, fund_code: str, regulation: Any, benefit: int
) -> HttpResponse:
    obj = _regulation(request, regulation)
    return _benefit_form_page(request, fund_code, obj, _benefit(request, obj, benefit))


@require_POST
@fund_permission_required(MANAGE_REGULATIONS)
def benefit_remove(
    request: HttpRequest, fund_code: str, regulation: Any, benefit: int
) -> HttpResponse:
    obj = _regulation(request, regulation)
    target = _benefit(request, obj, benefit)
    if not obj.is_draft:
        return _refused(request, obj)
    name = target.name

    def remove() -> Benefit:
        services.benefit_remove(benefit=target, actor=request.user)
        return target

    form = ConfirmForm(request.POST)
    done = submit(
        request,
        form,
        remove,
        _("The benefit “%(name)s” was removed from this draft.") % {"name": name},
    )
    if done is None:
        return _refused(request, obj, form)
    return _to_regulation(fund_code, obj)


@require_POST
@fund_permission_required(MANAGE_REGULATIONS)
def regulation_adopt(request: HttpRequest, fund_code: str, regulation: Any) -> HttpResponse:
    obj = _regulation(request, regulation)
    if not obj.is_draft:
        return _refused(request, obj)
    form = AdoptForm(request.POST)
    adopted = submit(
        request,
        form,
        lambda: services.regulation_adopt(
            regulation=obj,
            actor=request.user,
            effective_from=form.day(),
            resolution=form.cleaned_data["resolution"],
        ),
        lambda r: (
            _("Version %(version)s is adopted; it is in force from %(date)s.")
            % {"version": r.version, "date": format_date(r.effective_from, "long")}
        ),
    )
    if adopted is not None:
        return _to_regulation(fund_code, adopted)
    return _regulation_page(request, obj, adopt_form=form, status=400)
