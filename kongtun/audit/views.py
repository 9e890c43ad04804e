"""The breach-response report: who saw which members' personal data, and when."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kongtun.audit.forms import AccessReportForm
from kongtun.audit.models import MemberView
from kongtun.audit.selectors import member_views
from kongtun.funds.permissions import VIEW_AUDIT
from kongtun.funds.tenancy import current_fund, fund_permission_required
from kongtun.lib.text import safe_text
from kongtun.lib.thaidate import format_date


def _csv(views: list[MemberView], fund_code: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [_("Date (BE)"), _("Time"), _("Username"), _("User"), _("Member number"),
              _("Member"), _("What"), _("Page"), _("What (code)")]  # fmt: skip
    writer.writerow(header)
    for v in views:
        local = timezone.localtime(v.at)
        writer.writerow(
            [
                format_date(local.date(), "numeric"),
                local.strftime("%H:%M:%S"),
                safe_text(v.user.username),
                safe_text(str(v.user)),
                safe_text(v.member.number),
                safe_text(v.member.full_name),
                safe_text(v.get_what_display()),
                safe_text(v.path),
                safe_text(v.what),
            ]
        )
    # A byte-order mark, so Excel reads the Thai names as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="member-views-{fund_code}.csv"'
    return response


@require_GET
@fund_permission_required(VIEW_AUDIT)
def access_report(request: HttpRequest, fund_code: str) -> HttpResponse:
    today = timezone.localdate()
    if "from_date" in request.GET:
        form = AccessReportForm(request.GET)
    else:
        # First visit: the last seven days, shown at once.
        week_ago = format_date(today - dt.timedelta(days=7), "numeric")
        form = AccessReportForm({"from_date": week_ago, "to_date": format_date(today, "numeric")})
    if not form.is_valid():
        return render(request, "audit/access.html", {"form": form}, status=400)
    data = form.cleaned_data
    views = member_views(
        fund=current_fund(request),
        start=data["start"],
        end=data["end"],
        member_number=data["member"],
        username=data["user"],
    )
    if request.GET.get("format") == "csv":
        return _csv(list(views), fund_code)
    page = Paginator(views, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    context = {"form": form, "page": page, "csv_query": query.urlencode(), "shown": True}
    return render(request, "audit/access.html", context)
