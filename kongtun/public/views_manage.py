"""The fund's own side of its public page (f/<fund_code>/public/): where to find the page
and its open data, the month's notice-board posters, and the summaries of closed committee
meetings the fund publishes.

Everyone in the fund may look; publishing and withdrawing a summary need the right to
publish (the chair and the secretary), asked for by a POST to this same page with an
`action`. A refusal comes back on the meeting it is about, the text kept (400).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import Fund
from kongtun.funds.permissions import PUBLISH_SUMMARIES, VIEW_FUND
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.lib.thaidate import MONTHS_EN, MONTHS_TH, be_year
from kongtun.public import selectors, services
from kongtun.public.forms import PUBLISH, WITHDRAW, SummaryForm, WithdrawForm
from kongtun.public.fund_pages_common import keeps_records_here, poster_months
from kongtun.public.models import MeetingSummary
from kongtun.web.forms import see_other, submit
from kongtun.welfare.models import Meeting

MEETINGS_SINCE_DAYS = 366  # closed meetings of about the last twelve months are listed


@dataclass
class MeetingRow:
    meeting: Meeting
    in_force: MeetingSummary | None
    withdrawn: list[MeetingSummary]
    publish_form: SummaryForm | None = None
    withdraw_form: WithdrawForm | None = None


@dataclass(frozen=True)
class PosterMonth:
    label: str
    url: str


def _month_label(day: dt.date) -> str:
    if (get_language() or "th").startswith("en"):
        return f"{MONTHS_EN[day.month - 1].capitalize()} {be_year(day)} BE"
    return f"{MONTHS_TH[day.month - 1]} {be_year(day)}"


POSTER_MONTHS = 12  # back from this month: in October, last year's September is still due


def _posters(fund: Fund, fiscal_year: int, today: dt.date) -> list[PosterMonth]:
    """The last twelve months that have a poster, the current one last (the fund pages' list:
    kongtun.public.fund_pages_common.poster_months, for this fiscal year and the one before)."""
    months = poster_months(fund, fiscal_year - 1, today) + poster_months(fund, fiscal_year, today)
    found = []
    for year_be, month in months[-POSTER_MONTHS:]:
        url = reverse("public-poster", kwargs={"code": fund.code, "year": year_be, "month": month})
        found.append(PosterMonth(_month_label(dt.date(year_be - 543, month, 1)), url))
    return found


def _summary_form(meeting: Meeting, data: Any = None) -> SummaryForm:
    # One form per meeting on the page: the ids differ, the field names do not.
    return SummaryForm(data, initial={"meeting": meeting.code}, auto_id=f"id_p{meeting.pk}_%s")


def _withdraw_form(summary: MeetingSummary, data: Any = None) -> WithdrawForm:
    return WithdrawForm(data, initial={"summary": summary.pk}, auto_id=f"id_w{summary.pk}_%s")


def _rows(
    request: HttpRequest,
    fund: Fund,
    today: dt.date,
    bound: tuple[Meeting, SummaryForm | WithdrawForm] | None,
) -> list[MeetingRow]:
    since = today - dt.timedelta(days=MEETINGS_SINCE_DAYS)
    meetings = selectors.meetings_to_publish(fund=fund, since=since)
    if bound is not None and bound[0] not in meetings:
        meetings.insert(0, bound[0])  # an open or older meeting someone tried to publish for
    summaries = selectors.summaries_of(fund=fund, meetings=meetings)
    can_publish = has_fund_permission(request, PUBLISH_SUMMARIES)
    rows = []
    for meeting in meetings:
        found = summaries.get(meeting.pk, selectors.MeetingSummaries())
        row = MeetingRow(meeting, found.in_force, found.withdrawn)
        form = bound[1] if bound is not None and bound[0] == meeting else None
        if isinstance(form, SummaryForm):
            row.publish_form = form
        elif isinstance(form, WithdrawForm):
            row.withdraw_form = form
        elif can_publish and row.in_force is None:
            row.publish_form = _summary_form(meeting)
        elif can_publish and row.in_force is not None:
            row.withdraw_form = _withdraw_form(row.in_force)
        rows.append(row)
    return rows


def _page(
    request: HttpRequest,
    fund: Fund,
    bound: tuple[Meeting, SummaryForm | WithdrawForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    fiscal_year = government_year_of(today)
    context = {
        "fiscal_year": fiscal_year,
        "open_data_url": reverse("open-fund", kwargs={"code": fund.code, "year": fiscal_year}),
        "posters": _posters(fund, fiscal_year, today),
        "own_computer": not keeps_records_here(fund),
        "rows": _rows(request, fund, today, bound),
        "refused": bound is not None,
    }
    return render(request, "public/manage.html", context, status=status)


def _page_url(fund: Fund, meeting: Meeting) -> str:
    return reverse("public-manage", kwargs={"fund_code": fund.code}) + f"#meeting-{meeting.code}"


def _publish(request: HttpRequest, fund: Fund) -> HttpResponse:
    try:
        code = uuid.UUID(str(request.POST.get("meeting", "")))
    except ValueError as exc:
        raise Http404 from exc
    meeting = get_object_or_404(Meeting, fund=fund, code=code)
    form = _summary_form(meeting, request.POST)
    published = submit(
        request,
        form,
        lambda: services.publish_summary(
            fund=fund, meeting=meeting, text=form.cleaned_data["text"], by=request.user
        ),
        _("The summary of meeting %(number)s is on the fund's public page.")
        % {"number": meeting.number},
    )
    if published is not None:
        return see_other(_page_url(fund, meeting))
    return _page(request, fund, (meeting, form), status=400)


def _withdraw(request: HttpRequest, fund: Fund) -> HttpResponse:
    try:
        pk = int(str(request.POST.get("summary", "")))
    except ValueError as exc:
        raise Http404 from exc
    summary = get_object_or_404(MeetingSummary.objects.select_related("meeting"), fund=fund, pk=pk)
    form = _withdraw_form(summary, request.POST)
    withdrawn = submit(
        request,
        form,
        lambda: services.withdraw_summary(
            summary=summary, reason=form.cleaned_data["reason"], by=request.user
        ),
        _("The summary of meeting %(number)s was taken off the public page.")
        % {"number": summary.meeting.number},
    )
    if withdrawn is not None:
        return see_other(_page_url(fund, summary.meeting))
    return _page(request, fund, (summary.meeting, form), status=400)


@require_http_methods(["GET", "POST"])
@fund_permission_required(VIEW_FUND)
def home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    if request.method == "POST":
        if not has_fund_permission(request, PUBLISH_SUMMARIES):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == PUBLISH:
            return _publish(request, fund)
        if action == WITHDRAW:
            return _withdraw(request, fund)
        raise Http404
    return _page(request, fund)
