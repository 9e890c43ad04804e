"""The welfare home, and the committee's meetings that decide claims.

A meeting's page is the secretary's desk during the meeting: who came and whether there is a
quorum, the agenda of claims waiting for the committee with what the rules decided and why,
and a resolution form for each. Reading needs the right to see claims; recording attendance,
resolutions and closing the minutes need the right to decide them. A refusal comes back next
to the claim it is about, input kept (400).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kongtun.funds.models import Fund
from kongtun.funds.permissions import DECIDE_CLAIMS, VIEW_CLAIMS
from kongtun.funds.tenancy import current_fund, fund_permission_required, has_fund_permission
from kongtun.ledger.statements import fiscal_year_bounds, fiscal_year_of
from kongtun.lib.money import format_baht
from kongtun.lib.thaidate import be_year
from kongtun.web.forms import see_other, submit
from kongtun.welfare import services
from kongtun.welfare.describe import category_label
from kongtun.welfare.explain import Line, explain, outcome_label
from kongtun.welfare.forms_meetings import APPROVE, REJECT, AttendanceForm, DecideForm, MeetingForm
from kongtun.welfare.minutes import attendance_rows, minutes_pdf
from kongtun.welfare.models import Claim, Meeting
from kongtun.welfare.rules import Outcome
from kongtun.welfare.selectors import (
    CategoryRow,
    claim_counts,
    regulation_in_force,
    welfare_by_category,
)


def _meeting_url(fund_code: str, meeting: Meeting, anchor: str = "") -> str:
    url = reverse("welfare-meeting", kwargs={"fund_code": fund_code, "meeting": meeting.code})
    return f"{url}#{anchor}" if anchor else url


# --- Home ------------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def welfare_home(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    today = timezone.localdate()
    year_start, _year_end = fiscal_year_bounds(fund, fiscal_year_of(fund, today))

    def labelled(rows: list[CategoryRow]) -> list[tuple[str, CategoryRow]]:
        return [
            (
                _("Help to non-members in need")
                if row.category == "non_members"
                else category_label(row.category),
                row,
            )
            for row in rows
        ]

    context = {
        "today": today,
        "counts": claim_counts(fund, today),
        "regulation": regulation_in_force(fund, today),
        "category_tables": [
            (
                _("Fiscal year %(year)s") % {"year": fiscal_year_of(fund, today)},
                labelled(welfare_by_category(fund, today, year_start)),
                "category-year",
            ),
            (_("Since the beginning"), labelled(welfare_by_category(fund, today)), "category-all"),
        ],
    }
    return render(request, "welfare/home.html", context)


# --- Meetings --------------------------------------------------------------------------------


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def meeting_list(request: HttpRequest, fund_code: str) -> HttpResponse:
    meetings = (
        Meeting.objects.filter(fund=current_fund(request))
        .annotate(decided=Count("claims"))
        .order_by("-date", "-made_at")
    )
    return render(request, "welfare/meetings/list.html", {"meetings": meetings})


def _next_number(fund: Fund, today: dt.date) -> str:
    """A suggestion in the usual form "<n>/<BE year>", n counting this year's meetings."""
    year = be_year(today)
    held = Meeting.objects.filter(fund=fund, number__endswith=f"/{year}").count()
    return f"{held + 1}/{year}"


@require_http_methods(["GET", "POST"])
@fund_permission_required(DECIDE_CLAIMS)
def meeting_new(request: HttpRequest, fund_code: str) -> HttpResponse:
    fund = current_fund(request)
    today = timezone.localdate()
    form = MeetingForm(
        request.POST or None, initial={"number": _next_number(fund, today), "date": today}
    )
    meeting = submit(
        request,
        form,
        lambda: services.meeting_open(
            fund=fund,
            actor=request.user,
            number=form.cleaned_data["number"],
            date=form.cleaned_data["date"],
            place=form.cleaned_data["place"],
        ),
        lambda m: _("Meeting %(number)s is open. Record who came first.") % {"number": m.number},
    )
    if meeting is not None:
        return see_other(_meeting_url(fund_code, meeting))
    status = 400 if form.is_bound else 200
    return render(request, "welfare/meetings/new.html", {"form": form}, status=status)


def _meeting(request: HttpRequest, code: uuid.UUID) -> Meeting:
    return get_object_or_404(Meeting, fund=current_fund(request), code=code)


def _agenda(meeting: Meeting) -> QuerySet[Claim]:
    """The claims waiting for the committee that were filed by the day of the meeting."""
    return (
        Claim.objects.filter(
            fund=meeting.fund_id, status=Claim.Status.FILED, filed_on__lte=meeting.date
        )
        .select_related("member", "benefit", "regulation")
        .order_by("filed_on", "number")
    )


@dataclass
class Item:
    """A claim as the meeting page shows it: the rules' decision, why, and its form.

    It is also the `decision` welfare/_explanation.html shows above the reasons.
    """

    claim: Claim
    lines: list[Line]
    form: DecideForm | None = None

    @property
    def outcome(self) -> str:
        return self.claim.outcome

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.claim.outcome)

    @property
    def amount(self) -> Decimal:
        return self.claim.assessed_amount

    @property
    def full_amount(self) -> Decimal:
        return self.claim.full_amount


def _item(claim: Claim, form: DecideForm | None = None) -> Item:
    return Item(claim, explain(claim.reasons), form)


def _decide_form(
    claim: Claim, data: Any = None, initial: dict[str, Any] | None = None
) -> DecideForm:
    # Each claim's form on one page: its own ids, so every label points at its own box.
    return DecideForm(data, initial=initial, auto_id=f"d{claim.code.hex}-%s")


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    attendance_form: AttendanceForm | None = None,
    failed: tuple[Claim, DecideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_open = meeting.state == Meeting.State.OPEN
    can_decide = has_fund_permission(request, DECIDE_CLAIMS) and is_open
    quorum = services.quorum_of(meeting)
    rows = attendance_rows(meeting)
    decided = list(
        Claim.objects.filter(meeting=meeting)
        .select_related("member", "benefit")
        .order_by("decided_at", "pk")
    )
    agenda: list[Item] = []
    if is_open:
        for n, claim in enumerate(_agenda(meeting), start=len(decided) + 1):
            form = None
            if failed is not None and failed[0].pk == claim.pk:
                form = failed[1]
            elif can_decide:
                # The rules' verdict suggests the resolution, and everyone present voting
                # for it; the secretary corrects what the meeting decided otherwise.
                eligible = claim.outcome != Outcome.NOT_ELIGIBLE
                initial = {
                    "decision": APPROVE if eligible else REJECT,
                    "resolution": f"{meeting.number}/{n}",
                    "votes_for": quorum.present if eligible else 0,
                    "votes_against": 0 if eligible else quorum.present,
                    "votes_abstain": 0,
                }
                form = _decide_form(claim, initial=initial)
            agenda.append(_item(claim, form))
    # A refusal about a claim no longer on the agenda (decided meanwhile, or the minutes
    # closed) is shown above everything, since that claim has no form below.
    stray = failed if failed and not any(i.claim.pk == failed[0].pk for i in agenda) else None
    context = {
        "meeting": meeting,
        "is_open": is_open,
        "can_decide": can_decide,
        "quorum": quorum,
        "attendance": rows,
        "attendance_form": attendance_form or (AttendanceForm(rows=rows) if can_decide else None),
        "agenda": agenda,
        "decided": [_item(c) for c in decided],
        "stray": stray,
    }
    return render(request, "welfare/meetings/detail.html", context, status=status)


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def meeting_detail(request: HttpRequest, fund_code: str, meeting: uuid.UUID) -> HttpResponse:
    return _meeting_page(request, _meeting(request, meeting))


def _quorum_words(quorum: services.Quorum) -> str:
    values = {"present": quorum.present, "seats": quorum.seats, "needed": quorum.needed}
    if quorum.met:
        return _("%(present)s of %(seats)s present; %(needed)s needed: quorum met") % values
    return _("%(present)s of %(seats)s present; %(needed)s needed: no quorum") % values


@require_POST
@fund_permission_required(DECIDE_CLAIMS)
def meeting_attendance(request: HttpRequest, fund_code: str, meeting: uuid.UUID) -> HttpResponse:
    obj = _meeting(request, meeting)
    rows = attendance_rows(obj)
    form = AttendanceForm(request.POST, rows=rows)
    quorum = submit(
        request,
        form,
        lambda: services.attendance_record(meeting=obj, actor=request.user, present=form.seats()),
        lambda q: _("Attendance recorded: %(quorum)s.") % {"quorum": _quorum_words(q)},
    )
    if quorum is not None:
        return see_other(_meeting_url(fund_code, obj, "attendance"))
    return _meeting_page(request, obj, attendance_form=form, status=400)


def _decided_message(claim: Claim) -> str:
    values = {
        "claim": claim.number,
        "resolution": claim.resolution,
        "amount": format_baht(claim.approved_amount) if claim.approved_amount else "",
    }
    if claim.status == Claim.Status.APPROVED:
        return _("Claim %(claim)s approved by resolution %(resolution)s: %(amount)s baht.") % values
    return _("Claim %(claim)s rejected by resolution %(resolution)s.") % values


@require_POST
@fund_permission_required(DECIDE_CLAIMS)
def meeting_decide(
    request: HttpRequest, fund_code: str, meeting: uuid.UUID, claim: uuid.UUID
) -> HttpResponse:
    obj = _meeting(request, meeting)
    target = get_object_or_404(
        Claim.objects.select_related("member", "benefit"), fund=current_fund(request), code=claim
    )
    agenda = list(_agenda(obj).values_list("pk", "code"))
    form = _decide_form(target, request.POST)
    done = submit(
        request,
        form,
        lambda: services.claim_decide(
            claim=target, actor=request.user, meeting=obj, resolution=form.resolution_input()
        ),
        _decided_message,
    )
    if done is None:
        return _meeting_page(request, obj, failed=(target, form), status=400)
    # On to the next claim of the agenda, or to the resolutions after the last one.
    pks = [pk for pk, _code in agenda]
    later = agenda[pks.index(target.pk) + 1 :] if target.pk in pks else []
    anchor = f"claim-{later[0][1]}" if later else "decided"
    return see_other(_meeting_url(fund_code, obj, anchor))


@require_POST
@fund_permission_required(DECIDE_CLAIMS)
def meeting_close(request: HttpRequest, fund_code: str, meeting: uuid.UUID) -> HttpResponse:
    obj = services.meeting_close(meeting=_meeting(request, meeting), actor=request.user)
    messages.success(
        request,
        _("The minutes of meeting %(number)s are closed; no more resolutions can be recorded.")
        % {"number": obj.number},
    )
    return see_other(_meeting_url(fund_code, obj))


@require_GET
@fund_permission_required(VIEW_CLAIMS)
def meeting_minutes(request: HttpRequest, fund_code: str, meeting: uuid.UUID) -> HttpResponse:
    obj = _meeting(request, meeting)
    response = HttpResponse(minutes_pdf(obj), content_type="application/pdf")
    name = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in obj.number)
    response["Content-Disposition"] = f'inline; filename="minutes-{name}.pdf"'
    return response
