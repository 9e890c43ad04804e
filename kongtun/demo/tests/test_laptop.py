"""The demo's laptop fund: made by a second installation, seen by the province only through
its signed package."""

from __future__ import annotations

from django.utils import timezone

from kongtun.accounts.models import User
from kongtun.demo import laptop
from kongtun.demo import province as demo
from kongtun.exchange.models import ImportedPackage, TrustedKey
from kongtun.funds.models import Fund, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.selectors import fund_indicators, last_snapshot_date
from kongtun.ledger.models import JournalLine, MonthlyTotal
from kongtun.ledger.verify import verify_ledger
from kongtun.members.models import Member


def test_the_laptop_funds_package_is_all_the_province_holds_of_it(db):
    officer = User.objects.create_user(username="demo-province", password="x", full_name="x")
    OfficerAssignment.objects.create(user=officer, level="province", area_code="52")
    tambons = demo.lampang_tambons()
    plan = demo.plan_province(tambons)

    def load() -> int:
        return laptop.laptop_load(
            plan=plan, tambons=tambons, scale=0.02, seed=demo.SEED, officer=officer
        )

    assert load() == 1

    fund = Fund.objects.get(runs_on=Fund.RunsOn.OWN_COMPUTER)
    assert fund.tambon_id not in {s.tambon_code for s in plan}
    today = timezone.localdate()
    with fund_scope(fund):
        assert TrustedKey.objects.filter(fund=fund, revoked_at__isnull=True).count() == 1
        (package,) = ImportedPackage.objects.filter(fund=fund)
        assert package.as_of == last_snapshot_date(today)
        found = fund_indicators(fund=fund, on=today)
        assert found.imported and found.as_of == package.as_of
        assert found.members.current > 0 and found.contributions_cumulative > 0
        # Totals came with the package; no member and no book line ever reached the server.
        assert MonthlyTotal.objects.filter(fund=fund).exists()
        assert not Member.objects.filter(fund=fund).exists()
        assert not JournalLine.objects.filter(fund=fund).exists()
        last = max(MonthlyTotal.objects.filter(fund=fund).values_list("period", flat=True))
        assert last <= package.as_of.year * 100 + package.as_of.month
    assert verify_ledger(fund) == []
    # A second run finds the fund there and adds nothing.
    assert load() == 0
