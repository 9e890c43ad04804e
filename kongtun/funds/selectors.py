from __future__ import annotations

from typing import Any

from kongtun.funds.models import FundRole


def funds_of_user(*, user: Any) -> list[FundRole]:
    return list(
        FundRole.objects.filter(user=user, is_active=True)
        .select_related("fund", "fund__tambon__amphoe__province")
        .order_by("fund__name")
    )
