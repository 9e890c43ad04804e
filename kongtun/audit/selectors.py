from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from kongtun.audit.models import AuditEntry, MemberView
from kongtun.funds.models import Fund


def audit_entries_of_fund(*, fund: Fund) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(fund=fund).select_related("actor").order_by("-seq")


def member_views(
    *,
    fund: Fund,
    start: dt.datetime,
    end: dt.datetime,
    member_number: str = "",
    username: str = "",
) -> QuerySet[MemberView]:
    """Who saw which of the fund's members from `start` up to (not including) `end`."""
    views = MemberView.objects.filter(fund=fund, at__gte=start, at__lt=end)
    if member_number:
        views = views.filter(member__number=member_number)
    if username:
        views = views.filter(user__username=username)
    return views.select_related("member", "user").order_by("-at", "-pk")
