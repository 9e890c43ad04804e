"""Writes of indicators: freezing CODI's 30 September snapshot."""

from __future__ import annotations

from typing import Any

from kongtun.funds.models import Fund
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import codi_snapshot_date, fund_indicators


def year_end_snapshot(*, fund: Fund, fiscal_year_be: int, actor: Any = None) -> IndicatorSnapshot:
    """Freeze the fund's indicators on CODI's 30 September of that year (once; later calls
    return the same snapshot, so the figures reported never move)."""
    on = codi_snapshot_date(fiscal_year_be)
    kind = IndicatorSnapshot.Kind.YEAR_END
    existing = IndicatorSnapshot.objects.filter(fund=fund, kind=kind, as_of=on).first()
    if existing is not None:
        return existing
    data = fund_indicators(fund=fund, on=on).as_dict()
    return IndicatorSnapshot.objects.create(
        fund=fund, kind=kind, as_of=on, data=data, taken_by=actor
    )
