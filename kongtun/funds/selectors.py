from __future__ import annotations

from typing import Any

from kongtun.funds.models import Fund, FundRole, OfficerAssignment


def funds_of_user(*, user: Any) -> list[FundRole]:
    return list(
        FundRole.objects.filter(user=user, is_active=True)
        .select_related("fund", "fund__tambon__amphoe__province")
        .order_by("fund__name")
    )


def funds_in_area(*, assignment: OfficerAssignment) -> list[Fund]:
    return list(
        Fund.objects.filter(assignment.fund_filter())
        .select_related("tambon__amphoe__province")
        .order_by("tambon__amphoe_id", "code")
    )
