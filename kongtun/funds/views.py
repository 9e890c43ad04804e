from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.audit.selectors import audit_entries_of_fund
from kongtun.funds import services
from kongtun.funds.forms import (
    BranchForm,
    CommitteeSeatForm,
    FundSettingsForm,
    GrantForm,
    RoleChangeForm,
)
from kongtun.funds.models import Branch, CommitteeMember, FundRole
from kongtun.funds.permissions import CHANGE_FUND, VIEW_AUDIT, VIEW_FUND, Role
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.members.selectors import member_counts
from kongtun.web.forms import submit


@require_GET
@fund_permission_required(VIEW_FUND)
def fund_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    return render(request, "funds/home.html", {"fund": fund, "counts": member_counts(fund=fund)})


@require_http_methods(["GET", "POST"])
@fund_permission_required(CHANGE_FUND)
def fund_settings(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    form = FundSettingsForm.for_fund(fund, request.POST or None)
    saved = submit(
        request,
        form,
        lambda: services.fund_update(fund=fund, actor=request.user, **form.cleaned_data),
        _("The fund's settings were saved."),
    )
    if saved:
        return redirect("funds-home", fund_code=fund.code)
    status = 400 if form.is_bound else 200
    return render(request, "funds/settings.html", {"form": form}, status=status)


def _structure(request: HttpRequest, **forms: object) -> dict[str, object]:
    fund = current_fund(request)
    return {
        "branches": Branch.objects.filter(fund=fund),
        "seats": CommitteeMember.objects.filter(fund=fund),
        "branch_form": forms.get("branch_form") or BranchForm(),
        "seat_form": forms.get("seat_form") or CommitteeSeatForm(),
    }


@require_GET
@fund_permission_required(VIEW_FUND)
def committee(request: HttpRequest, fund_code: str) -> HttpResponse:
    return render(request, "funds/committee.html", _structure(request))


@require_POST
@fund_permission_required(CHANGE_FUND)
def branch_add(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = BranchForm(request.POST)
    added = submit(
        request,
        form,
        lambda: services.branch_add(
            fund=current_fund(request), actor=request.user, **form.cleaned_data
        ),
        _("The branch was added."),
    )
    if added:
        return redirect("funds-committee", fund_code=fund_code)
    return render(
        request, "funds/committee.html", _structure(request, branch_form=form), status=400
    )


@require_POST
@fund_permission_required(CHANGE_FUND)
def committee_seat_add(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = CommitteeSeatForm(request.POST)
    added = submit(
        request,
        form,
        lambda: services.committee_seat_add(
            fund=current_fund(request), actor=request.user, **form.cleaned_data
        ),
        _("The committee seat was added."),
    )
    if added:
        return redirect("funds-committee", fund_code=fund_code)
    return render(request, "funds/committee.html", _structure(request, seat_form=form), status=400)


@require_GET
@fund_permission_required(VIEW_AUDIT)
def audit_trail(request: HttpRequest, fund_code: str) -> HttpResponse:
    entries = audit_entries_of_fund(fund=current_fund(request))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "funds/audit.html", {"page": page})


def _people_page(request: HttpRequest, status: int = 200, **forms: object) -> HttpResponse:
    grants = FundRole.objects.filter(fund=current_fund(request)).select_related("user")
    context = {
        "grants": grants.order_by("-is_active", "role", "user__username"),
        "grant_form": forms.get("grant_form") or GrantForm(),
        "roles": Role.choices,
    }
    return render(request, "funds/people.html", context, status=status)


@require_GET
@fund_permission_required(CHANGE_FUND)
def people(request: HttpRequest, fund_code: str) -> HttpResponse:
    """Who may log in to the fund, and as what: the chair manages it."""
    return _people_page(request)


@require_POST
@fund_permission_required(CHANGE_FUND)
def person_add(request: HttpRequest, fund_code: str) -> HttpResponse:
    form = GrantForm(request.POST)
    added = submit(
        request,
        form,
        lambda: services.role_grant(
            fund=current_fund(request), actor=request.user, **form.cleaned_data
        ),
        _("The login was created. Give the username and first password to the person."),
    )
    if added:
        return redirect("funds-people", fund_code=fund_code)
    return _people_page(request, 400, grant_form=form)


@require_POST
@fund_permission_required(CHANGE_FUND)
def person_change(request: HttpRequest, fund_code: str, grant: int) -> HttpResponse:
    role = get_object_or_404(FundRole, fund=current_fund(request), pk=grant)
    form = RoleChangeForm(request.POST)
    changed = submit(
        request,
        form,
        lambda: services.role_change(grant=role, actor=request.user, **form.cleaned_data),
        _("The role was saved."),
    )
    if not changed:
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
    return redirect("funds-people", fund_code=fund_code)
