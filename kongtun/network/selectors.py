"""Area roll-ups for network and provincial officers: counts per fund, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from kongtun.funds.models import CofundingApplication, Fund, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Amphoe, Province, Tambon
from kongtun.lib.thaidate import be_year
from kongtun.members.models import Member, Status


@dataclass
class FundRow:
    fund: Fund
    members_current: int
    members_total: int
    applying: bool


@dataclass
class AreaSummary:
    assignment: OfficerAssignment
    area_name: str
    rows: list[FundRow]

    @property
    def members_current(self) -> int:
        return sum(r.members_current for r in self.rows)

    @property
    def applying(self) -> int:
        return sum(1 for r in self.rows if r.applying)


def current_fiscal_year_be(today: Any) -> int:
    return be_year(today) + (1 if today.month >= 10 else 0)


def _area_name(assignment: OfficerAssignment) -> str:
    model: Any = {"tambon": Tambon, "amphoe": Amphoe, "province": Province}[assignment.level]
    area = model.objects.filter(code=assignment.area_code).first()
    return str(area) if area else assignment.area_code


def area_summary(*, assignment: OfficerAssignment) -> AreaSummary:
    from django.utils import timezone

    funds = list(
        Fund.objects.filter(assignment.fund_filter())
        .select_related("tambon__amphoe")
        .order_by("tambon__amphoe_id", "code")
    )
    rows: list[FundRow] = []
    if funds:
        # Officers read across funds, so the scope is the list of funds in their area.
        with fund_scope(funds):
            current = [Status.ACTIVE, Status.LAPSED]
            counts = {
                r["fund"]: r
                for r in Member.objects.values("fund").annotate(
                    total=Count("pk"), current=Count("pk", filter=Q(status__in=current))
                )
            }
            fy = current_fiscal_year_be(timezone.localdate())
            applying = set(
                CofundingApplication.objects.filter(fiscal_year_be=fy).values_list(
                    "fund", flat=True
                )
            )
        for fund in funds:
            c = counts.get(fund.pk, {"total": 0, "current": 0})
            rows.append(FundRow(fund, c["current"], c["total"], fund.pk in applying))
    return AreaSummary(assignment, _area_name(assignment), rows)
