"""The provincial committee's pages: the year's applications, one application in full, the
committee's meetings and the meeting pack.

Every officer reads the applications of the funds in their areas (a district or subdistrict
network reads its own funds only); a province officer records for the funds of their province:
screening, a person's check, the committee's decision, a meeting. A fund outside every area of
the user, and every page for a user who holds no area, is 404, as a page that is not there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds.models import CofundingApplication, Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Province
from kongtun.ledger.statements import FIRST_BE_YEAR, LAST_BE_YEAR
from kongtun.network.access import (
    assignments_of,
    funds_recordable_by,
    funds_visible_to,
    officer_required,
    province_codes_of,
    province_officer_required,
)
from kongtun.network.selectors import current_fiscal_year_be
from kongtun.vetting import criteria, services
from kongtun.vetting.forms import CheckForm, DecisionForm, MeetingForm
from kongtun.vetting.models import CommitteeMeeting, Outcome
from kongtun.vetting.printing import XLSX_TYPE, meeting_pack_pdf, meeting_pack_xlsx
from kongtun.vetting.selectors import (
    DECISION_FILTERS,
    SCREENING_FILTERS,
    application_detail,
    meeting_pack,
    meetings_of,
    vetting_overview,
)
from kongtun.web.forms import see_other, submit


def _year(fiscal_year: int) -> int:
    if not FIRST_BE_YEAR <= fiscal_year <= LAST_BE_YEAR:
        raise Http404
    return fiscal_year


def _provinces(user: Any) -> list[str]:
    """The provinces the user's areas lie in (a district's code starts with its province's)."""
    return sorted({a.area_code[:2] for a in assignments_of(user)})


@dataclass
class Area:
    province: Province
    funds: list[Fund]  # of the province, those the user may see
    can_record: bool


def _area(request: HttpRequest, code: str | None) -> Area:
    provinces = _provinces(request.user)
    code = code or (provinces[0] if provinces else None)
    if code not in provinces:
        raise Http404
    province = get_object_or_404(Province, code=code)
    funds = list(
        funds_visible_to(request.user).filter(tambon__amphoe__province_id=code).order_by("code")
    )
    return Area(province, funds, code in province_codes_of(request.user))


def _list_url(fiscal_year: int, province: str, anchor: str = "") -> str:
    url = reverse("vetting-list", kwargs={"fiscal_year": fiscal_year})
    return f"{url}?{urlencode({'province': province})}{anchor}"


# --- The year's applications -----------------------------------------------------------------


@require_GET
@officer_required
def vetting_home(request: HttpRequest) -> HttpResponse:
    year = current_fiscal_year_be(timezone.localdate())
    url = reverse("vetting-list", kwargs={"fiscal_year": year})
    query = request.GET.urlencode()
    return see_other(f"{url}?{query}" if query else url)


@require_GET
@officer_required
def vetting_list(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    year = _year(fiscal_year)
    area = _area(request, request.GET.get("province"))
    screening = request.GET.get("screening", "")
    decision = request.GET.get("decision", "")
    overview = vetting_overview(
        funds=area.funds,
        province_code=area.province.code,
        fiscal_year_be=year,
        amphoe=request.GET.get("amphoe", ""),
        screening=screening if screening in SCREENING_FILTERS else "",
        decision=decision if decision in DECISION_FILTERS else "",
    )
    context = {
        "year": year,
        "area": area,
        "overview": overview,
        "provinces": _provinces(request.user),
        "screening_filters": _screening_choices(),
        "decision_filters": _decision_choices(),
        "today": timezone.localdate(),
    }
    return render(request, "vetting/list.html", context)


def _screening_choices() -> list[tuple[str, str]]:
    return [
        ("met", _("All six criteria met")),
        ("not_met", _("A criterion not met")),
        ("needs_check", _("Waiting for a check")),
        ("unscreened", _("Not screened yet")),
    ]


def _decision_choices() -> list[tuple[str, str]]:
    return [
        ("approved", _("Approved")),
        ("not_approved", _("Not approved")),
        ("deferred", _("Deferred")),
        ("none", _("No decision yet")),
    ]


@require_POST
@province_officer_required
def vetting_screen_all(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    year = _year(fiscal_year)
    code = request.POST.get("province", "")
    if code not in province_codes_of(request.user):
        raise Http404
    funds = list(funds_recordable_by(request.user).filter(tambon__amphoe__province_id=code))
    done = services.screen_all(funds=funds, fiscal_year_be=year, actor=request.user)
    messages.success(
        request,
        _("%(count)s applications screened.") % {"count": done.screened},
    )
    for name, why in done.not_screened:
        messages.warning(
            request, _("%(fund)s was not screened: %(why)s") % {"fund": name, "why": why}
        )
    return see_other(_list_url(year, code))


# --- Meetings and the meeting pack -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@province_officer_required
def meeting_new(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    year = _year(fiscal_year)
    code = request.POST.get("province") or request.GET.get("province") or ""
    codes = province_codes_of(request.user)
    code = code or codes[0]
    if code not in codes:
        raise Http404
    province = get_object_or_404(Province, code=code)
    form = MeetingForm(
        request.POST or None,
        initial={
            "number": services.meeting_next_number(province=province, fiscal_year_be=year),
            "held_on": timezone.localdate(),
        },
    )
    meeting = submit(
        request,
        form,
        lambda: services.meeting_create(
            province=province,
            fiscal_year_be=year,
            number=form.cleaned_data["number"],
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
            notes=form.cleaned_data["notes"],
            actor=request.user,
        ),
        lambda m: _("Meeting %(label)s is recorded.") % {"label": m.label},
    )
    if meeting is not None:
        return see_other(_list_url(year, code, "#meetings"))
    context = {"form": form, "year": year, "province": province}
    return render(
        request, "vetting/meeting_new.html", context, status=400 if form.is_bound else 200
    )


def _pack(request: HttpRequest, meeting: uuid.UUID) -> Any:
    found = get_object_or_404(CommitteeMeeting.objects.select_related("province"), code=meeting)
    if found.province_id not in _provinces(request.user):
        raise Http404
    funds = list(
        funds_visible_to(request.user).filter(tambon__amphoe__province_id=found.province_id)
    )
    return meeting_pack(meeting=found, funds=funds)


def _pack_name(meeting: CommitteeMeeting, ext: str) -> str:
    return f"vetting-{meeting.province_id}-{meeting.number}-{meeting.fiscal_year_be}.{ext}"


@require_GET
@officer_required
def pack_pdf(request: HttpRequest, meeting: uuid.UUID) -> HttpResponse:
    pack = _pack(request, meeting)
    response = HttpResponse(meeting_pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_pack_name(pack.meeting, "pdf")}"'
    return response


@require_GET
@officer_required
def pack_xlsx(request: HttpRequest, meeting: uuid.UUID) -> HttpResponse:
    pack = _pack(request, meeting)
    response = HttpResponse(meeting_pack_xlsx(pack), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_pack_name(pack.meeting, "xlsx")}"'
    return response


# --- One application -------------------------------------------------------------------------


def _application(request: HttpRequest, code: uuid.UUID, *, record: bool = False) -> Any:
    """The application, if its fund lies in the user's areas (404 otherwise); with `record`,
    only for a province officer of the fund's province (404 for everyone else too)."""
    funds = list(funds_recordable_by(request.user) if record else funds_visible_to(request.user))
    if not funds:
        raise Http404
    with fund_scope(funds):
        found = (
            CofundingApplication.objects.filter(code=code)
            .select_related("fund__tambon__amphoe__province")
            .first()
        )
    if found is None:
        raise Http404
    return found


def _detail(
    request: HttpRequest,
    application: CofundingApplication,
    *,
    check_form: tuple[str, CheckForm] | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    fund = application.fund
    province = fund.tambon.amphoe.province
    can_record = province.code in province_codes_of(request.user)
    detail = application_detail(application)
    meetings = meetings_of(province_code=province.code, fiscal_year_be=application.fiscal_year_be)
    forms: dict[str, CheckForm] = {}
    if can_record and detail.screening is not None:
        for block in detail.criteria:
            for line in block.checks:
                if line.decides:
                    key = line.result.check_key
                    forms[key] = CheckForm(prefix=key)
        if check_form is not None:
            forms[check_form[0]] = check_form[1]
    if can_record and detail.screening is not None and decision_form is None and meetings:
        initial: dict[str, Any] = {}
        if detail.screening.status == Outcome.MET:
            initial["amount_approved"] = detail.screening.requested_amount
        decision_form = DecisionForm(meetings=meetings, initial=initial)
    context = {
        "application": application,
        "fund": fund,
        "province": province,
        "detail": detail,
        "can_record": can_record,
        "check_forms": forms,
        "decision_form": decision_form if can_record else None,
        "meetings": meetings,
        "list_url": _list_url(application.fiscal_year_be, province.code),
    }
    return render(request, "vetting/application.html", context, status=status)


def _detail_url(application: CofundingApplication, anchor: str = "") -> str:
    url = reverse("vetting-application", kwargs={"application": application.code})
    return f"{url}#{anchor}" if anchor else url


@require_GET
@officer_required
def application_page(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    return _detail(request, _application(request, application))


@require_POST
@province_officer_required
def application_screen(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = _application(request, application, record=True)
    try:
        services.application_screen(application=found, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return see_other(_detail_url(found, "screening"))
    messages.success(request, _("The application is screened."))
    return see_other(_detail_url(found, "criteria"))


@require_POST
@province_officer_required
def check_record(request: HttpRequest, application: uuid.UUID, check: str) -> HttpResponse:
    found = _application(request, application, record=True)
    known = criteria.CHECK_BY_KEY.get(check)
    if known is None or not known.decides:
        raise Http404
    form = CheckForm(request.POST, prefix=check)
    done = submit(
        request,
        form,
        lambda: services.check_record(
            application=found,
            check_key=check,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        ),
        _("The check is recorded."),
    )
    if done is not None:
        return see_other(_detail_url(found, f"check-{check}"))
    return _detail(request, found, check_form=(check, form), status=400)


@require_POST
@province_officer_required
def decision_record(request: HttpRequest, application: uuid.UUID) -> HttpResponse:
    found = _application(request, application, record=True)
    province = found.fund.tambon.amphoe.province_id
    meetings = meetings_of(province_code=province, fiscal_year_be=found.fiscal_year_be)
    form = DecisionForm(request.POST, meetings=meetings)
    done = submit(
        request,
        form,
        lambda: services.decision_record(
            application=found,
            meeting=form.cleaned_data["meeting"],
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            amount_approved=form.cleaned_data["amount_approved"],
            conditions=form.cleaned_data["conditions"],
        ),
        _("The committee's decision is recorded."),
    )
    if done is not None:
        return see_other(_detail_url(found, "decision"))
    return _detail(request, found, decision_form=form, status=400)
