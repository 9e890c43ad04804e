"""Reads of the exchange pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from kongtun.exchange.models import ExportLog, FundSigningKey, ImportedPackage, TrustedKey
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope


def signing_key_of(fund: Fund) -> FundSigningKey | None:
    return FundSigningKey.objects.filter(fund=fund).select_related("fund").first()


def exports_of(fund: Fund, limit: int = 20) -> list[ExportLog]:
    return list(ExportLog.objects.filter(fund=fund).select_related("created_by")[:limit])


@dataclass(frozen=True)
class FundExchange:
    """What the province holds of one fund that runs on its own computer."""

    fund: Fund
    key: TrustedKey | None
    last: ImportedPackage | None
    packages: int


def own_computer_funds(funds: QuerySet[Fund]) -> QuerySet[Fund]:
    return funds.filter(runs_on=Fund.RunsOn.OWN_COMPUTER).order_by(
        "tambon__amphoe_id", "tambon_id", "code"
    )


def exchange_rows(funds: list[Fund]) -> list[FundExchange]:
    """One row per fund: its key in force and its latest package, three queries in all."""
    if not funds:
        return []
    with fund_scope(funds):
        keys = {
            k.fund_id: k for k in TrustedKey.objects.filter(fund__in=funds, revoked_at__isnull=True)
        }
        last: dict[int, ImportedPackage] = {}
        counts: dict[int, int] = {}
        for p in ImportedPackage.objects.filter(fund__in=funds).order_by("fund_id", "-sequence"):
            last.setdefault(p.fund_id, p)
            counts[p.fund_id] = counts.get(p.fund_id, 0) + 1
    return [FundExchange(f, keys.get(f.pk), last.get(f.pk), counts.get(f.pk, 0)) for f in funds]


def recent_imports(funds: list[Fund], limit: int = 20) -> list[ImportedPackage]:
    if not funds:
        return []
    with fund_scope(funds):
        return list(
            ImportedPackage.objects.filter(fund__in=funds)
            .select_related("fund", "imported_by")
            .order_by("-imported_at")[:limit]
        )
