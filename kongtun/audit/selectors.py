from __future__ import annotations

from django.db.models import QuerySet

from kongtun.audit.models import AuditEntry
from kongtun.funds.models import Fund


def audit_entries_of_fund(*, fund: Fund) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(fund=fund).select_related("actor").order_by("-seq")
