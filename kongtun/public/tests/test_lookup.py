"""What a public URL names: a fund's years, and a package's figures as the public pages and
the vetting read them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kongtun.contributions.matching import government_year_of
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.indicators.selectors import fund_indicators
from kongtun.public.lookup import fund_years

pytestmark = pytest.mark.django_db


def test_a_fund_founded_in_a_later_year_still_has_the_current_year(fund: Fund):
    today = timezone.localdate()
    Fund.objects.filter(pk=fund.pk).update(founded_on=today + dt.timedelta(days=400))
    fund.refresh_from_db()
    assert fund_years(fund, today) == [government_year_of(today)]
    for path in ("", "statements/", "audit/"):
        assert Client().get(f"/public/fund/{fund.code}/{path}").status_code == 200


def test_a_package_never_proves_public_reporting(fund: Fund):
    """The summaries a laptop fund counted are on its own computer, which no one else can
    read: the province asks a person, whatever the package says."""
    today = timezone.localdate()
    with fund_scope(fund):
        sent = dataclasses.replace(fund_indicators(fund=fund, on=today), public_reports_year=3)
        Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
        fund.refresh_from_db()
        IndicatorSnapshot.objects.create(
            fund=fund, kind=IndicatorSnapshot.Kind.IMPORTED, as_of=today, data=sent.as_dict()
        )
        found = fund_indicators(fund=fund, on=today)
    assert found.imported and found.public_reports_year is None


def test_the_login_page_leads_to_the_public_pages(db):
    html = Client().get("/accounts/login/").content.decode()
    assert 'href="/public/"' in html and 'href="/public/receipt/"' in html
