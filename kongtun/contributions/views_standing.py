"""Plans and terms, a member's contributions, the arrears list and lapse, in the browser.

Each view parses input, calls one service or selector, and renders. Reading needs only the
right to see members; anything that changes plans, terms or a member's standing needs the
right to manage contributions, so a page that shows and changes is two views, each decorated
with the permission it really needs. A refusal comes back next to the field, input kept (400).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.audit.access import record_member_view
from kongtun.contributions import arrears as selectors
from kongtun.contributions import services
from kongtun.contributions.arrears_export import arrears_pdf as arrears_pdf_bytes
from kongtun.contributions.arrears_export import arrears_xlsx as arrears_xlsx_bytes
from kongtun.contributions.forms_standing import (
    ArrearsForm,
    AsOfForm,
    MemberPlanForm,
    PlanActiveForm,
    PlanForm,
    ReinstateForm,
    TermsForm,
)
from kongtun.contributions.models import MemberPlan, Plan, Receipt, Terms
from kongtun.contributions.selectors import member_position
from kongtun.funds.permissions import MANAGE_CONTRIBUTIONS, VIEW_MEMBERS
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.ledger.exports import XLSX_TYPE
from kongtun.ledger.statements import fiscal_year_of
from kongtun.lib.thaidate import format_date
from kongtun.members.models import Member, Status
from kongtun.web.forms import see_other, submit

RECENT_RECEIPTS = 10


def _see_other(
    name: str, fund_code: str, query: dict[str, str] | None = None, **kw: Any
) -> HttpResponseRedirect:
    """`see_other` to a named page of the fund."""
    url = reverse(name, kwargs={"fund_code": fund_code, **kw})
    return see_other(f"{url}?{urlencode(query)}" if query else url)


def _terms(request: HttpRequest) -> Terms | None:
    return Terms.objects.select_related("default_plan").filter(fund=current_fund(request)).first()


# --- Front page ------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    today = timezone.localdate()
    terms = _terms(request)
    context = {
        "today": today,
        "terms": terms,
        "summary": selectors.fund_summary(fund=fund, as_of=today) if terms else None,
        "fiscal_year": fiscal_year_of(fund, today),
    }
    return render(request, "contributions/standing/home.html", context)


# --- Plans and terms -------------------------------------------------------------------------


def _plans_page(
    request: HttpRequest,
    *,
    form: PlanForm | None = None,
    active_form: PlanActiveForm | None = None,
    active_plan: int | None = None,
    status: int = 200,
) -> HttpResponse:
    fund = current_fund(request)
    counts = selectors.plan_members(fund=fund, on=timezone.localdate())
    plans = [(p, counts.get(p.pk, 0)) for p in Plan.objects.filter(fund=fund).order_by("pk")]
    context = {
        "plans": plans,
        "terms": _terms(request),
        "form": form or PlanForm(),
        "active_form": active_form,
        "active_plan": active_plan,
    }
    return render(request, "contributions/standing/plans.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def plan_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    return _plans_page(request)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def plan_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = PlanForm(request.POST or None)
    plan = submit(
        request,
        form,
        lambda: services.plan_create(fund=fund, actor=request.user, **form.cleaned_data),
        lambda p: _("The plan “%(plan)s” was added.") % {"plan": p.name},
    )
    if plan is not None:
        return _see_other("contributions-plans", fund_code)
    return _plans_page(request, form=form, status=400 if form.is_bound else 200)


@require_POST
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def plan_active(request: HttpRequest, fund_code: str, plan: int) -> HttpResponse:
    obj = get_object_or_404(Plan, fund=current_fund(request), pk=plan)
    form = PlanActiveForm(request.POST)
    done = submit(
        request,
        form,
        lambda: services.plan_set_active(
            plan=obj, actor=request.user, active=form.cleaned_data["active"]
        ),
        lambda p: (
            (
                _("The plan “%(plan)s” is offered to members again.")
                if p.is_active
                else _("The plan “%(plan)s” is withdrawn; members already on it stay on it.")
            )
            % {"plan": p.name}
        ),
    )
    if done is not None:
        return _see_other("contributions-plans", fund_code)
    return _plans_page(request, active_form=form, active_plan=obj.pk, status=400)


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def terms(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    current = _terms(request)
    form = TermsForm(request.POST or None, fund=fund, initial=TermsForm.initial_of(current))
    saved = submit(
        request,
        form,
        lambda: services.terms_update(fund=fund, actor=request.user, **form.cleaned_data),
        _("The contribution terms were saved."),
    )
    if saved is not None:
        return _see_other("contributions-terms", fund_code)
    status = 400 if form.is_bound else 200
    context = {"form": form, "terms": current}
    return render(request, "contributions/standing/terms.html", context, status=status)


# --- One member ------------------------------------------------------------------------------


def _member(request: HttpRequest, code: Any) -> Member:
    return get_object_or_404(
        Member.objects.select_related("branch"), fund=current_fund(request), code=code
    )


def _member_page(
    request: HttpRequest,
    member: Member,
    *,
    reinstate_form: ReinstateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    position = member_position(member, today)
    history = (
        MemberPlan.objects.filter(member=member)
        .select_related("plan", "recorded_by")
        .order_by("epoch", "starts_on")
    )
    receipts = Receipt.objects.filter(member=member).order_by("-date", "-pk")[:RECENT_RECEIPTS]
    context = {
        "member": member,
        "today": today,
        "position": position,
        "history": list(history),
        "receipts": receipts,
        "may_pay": member.status in (Status.APPLICANT, Status.ACTIVE, Status.LAPSED),
        "is_lapsed": member.status == Status.LAPSED,
        "is_active": member.status == Status.ACTIVE,
        "terms": _terms(request),
        "reinstate_form": reinstate_form or ReinstateForm(),
    }
    record_member_view(request=request, member=member, what="contributions")
    return render(request, "contributions/standing/member.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def member_detail(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    return _member_page(request, _member(request, member))


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def member_plan(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    fund = current_fund(request)
    obj = _member(request, member)
    form = MemberPlanForm(request.POST or None, fund=fund)
    row = submit(
        request,
        form,
        lambda: services.member_plan_change(
            member=obj,
            actor=request.user,
            plan=form.cleaned_data["plan"],
            on=form.cleaned_data["on"],
        ),
        lambda r: _plan_changed_message(obj, r, form.cleaned_data["on"]),
    )
    if row is not None:
        return _see_other("contributions-member", fund_code, member=obj.code)
    context = {
        "member": obj,
        "form": form,
        "position": member_position(obj, timezone.localdate()),
    }
    status = 400 if form.is_bound else 200
    record_member_view(request=request, member=obj, what="plan")
    return render(request, "contributions/standing/member_plan.html", context, status=status)


def _plan_changed_message(member: Member, row: MemberPlan, asked: Any) -> str:
    values = {"member": member.full_name, "plan": row.plan.name, "date": format_date(row.starts_on)}
    if row.starts_on == asked:
        return _("%(member)s pays under “%(plan)s” from %(date)s.") % values
    return (
        _(
            "%(member)s pays under “%(plan)s” from %(date)s, the first day of their next "
            "period (a period is never split)."
        )
        % values
    )


@require_POST
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def member_reinstate(request: HttpRequest, fund_code: str, member: Any) -> HttpResponse:
    obj = _member(request, member)
    form = ReinstateForm(request.POST)
    done = submit(
        request,
        form,
        lambda: services.member_reinstate(member=obj, actor=request.user, on=form.day()),
        lambda m: (
            _("%(member)s is a member again from %(date)s.")
            % {"member": m.full_name, "date": format_date(m.status_since)}
        ),
    )
    if done is not None:
        return _see_other("contributions-member", fund_code, member=obj.code)
    return _member_page(request, obj, reinstate_form=form, status=400)


# --- Arrears ---------------------------------------------------------------------------------


def _arrears_form(request: HttpRequest) -> ArrearsForm:
    return ArrearsForm(request.GET, fund=current_fund(request))


def _arrears_page(request: HttpRequest, form: ArrearsForm) -> HttpResponse:
    listing = None
    if form.is_valid():
        listing = selectors.arrears_list(
            fund=current_fund(request), as_of=form.day(), branch=form.cleaned_data["branch"]
        )
    context = {"form": form, "listing": listing, "query": _arrears_query(form)}
    status = 200 if listing is not None else 400
    return render(request, "contributions/standing/arrears.html", context, status=status)


def _arrears_query(form: ArrearsForm) -> str:
    """The same list's query string, for the PDF and XLSX links."""
    if not form.is_valid():
        return ""
    query = {"as_of": format_date(form.day(), "numeric")}
    if form.cleaned_data["branch"] is not None:
        query["branch"] = str(form.cleaned_data["branch"].pk)
    return urlencode(query)


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def arrears(request: HttpRequest, fund_code: str) -> HttpResponse:
    return _arrears_page(request, _arrears_form(request))


def _arrears_file(request: HttpRequest, kind: str) -> HttpResponse:
    form = _arrears_form(request)
    if not form.is_valid():
        return _arrears_page(request, form)
    fund = current_fund(request)
    listing = selectors.arrears_list(
        fund=fund, as_of=form.day(), branch=form.cleaned_data["branch"]
    )
    name = f"arrears-{form.day():%Y%m%d}.{kind}"
    if kind == "pdf":
        response = HttpResponse(arrears_pdf_bytes(fund, listing), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        response = HttpResponse(arrears_xlsx_bytes(fund, listing), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def arrears_pdf(request: HttpRequest, fund_code: str) -> HttpResponse:
    return _arrears_file(request, "pdf")


@require_GET
@fund_permission_required(VIEW_MEMBERS)
def arrears_xlsx(request: HttpRequest, fund_code: str) -> HttpResponse:
    return _arrears_file(request, "xlsx")


# --- Lapse -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@fund_permission_required(MANAGE_CONTRIBUTIONS)
def lapse(request: HttpRequest, fund_code: str) -> HttpResponse:
    """GET previews who would lapse as of a day (nothing written); POST applies the rule."""
    fund = current_fund(request)
    form = AsOfForm(request.POST if request.method == "POST" else request.GET)
    day = form.day() if form.is_valid() else None
    if request.method == "POST" and day is not None:
        lapsed = submit(
            request,
            form,
            lambda: services.lapse_apply(fund=fund, actor=request.user, as_of=day),
            lambda done: _lapsed_message(len(done), day),
        )
        if lapsed is not None:
            query = {"as_of": format_date(day, "numeric")}
            return _see_other("contributions-lapse", fund_code, query)
    terms = _terms(request)
    context = {
        "form": form,
        "as_of": day,
        "today": timezone.localdate(),
        "preview": selectors.lapse_preview(fund=fund, as_of=day) if day else None,
        "terms": terms,
        "rule": terms.lapse_rule if terms else None,
    }
    status = 400 if form.errors else 200
    return render(request, "contributions/standing/lapse.html", context, status=status)


def _lapsed_message(count: int, day: Any) -> str:
    return ngettext(
        "%(count)s member lapsed as of %(date)s; each lapse is in their history.",
        "%(count)s members lapsed as of %(date)s; each lapse is in their history.",
        count,
    ) % {"count": count, "date": format_date(day)}
