"""The notice-board poster: one month of one fund as a printable A4 PDF, for anyone.

/public/fund/<code>/poster/2569-9.pdf is September 2569 BE (2026). A month that is not one,
in the future, or before the fund was founded is 404. A fund that keeps its records on its
own computer has no month-level records on this server: it gets a 404 page saying so (the
URL has no PDF, so no cache or crawler keeps an HTML page as one), never an error.

Printing takes most of a request's time (WeasyPrint, about 0.2 s warm), and a month that
has ended prints the same sheet until its records change, so its PDF is kept in Django's
cache (see `_closed_month_key`). The month still running is printed afresh each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from kongtun.audit.models import AuditHead
from kongtun.audit.services import chain_for
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.public.lookup import public_fund
from kongtun.public.poster import PosterMonth, month_summary, poster_month, poster_pdf

# A month that has ended reads the same tomorrow, unless its books are corrected: a day in a
# shared cache keeps a correction from waiting long.
CLOSED_MONTH_MAX_AGE = 24 * 60 * 60


def _closed_month_key(fund: Fund, month: PosterMonth, fund_url: str, today: dt.date) -> str:
    """The cache key of a closed month's PDF: everything the sheet is printed from.

    Every change to a fund's records (a correction of a past month too) appends to the fund's
    audit chain, so the chain's head number changes and the kept PDF is no longer found. The
    sheet carries the day it is printed and the QR code's absolute URL, so both are in the
    key. Not the language: the sheet is Thai whatever language the visitor reads. A change
    recorded on no fund's chain (the fund's name, the area's names) waits at most the day the
    entry lives, as long as the shared caches may keep the PDF anyway.
    """
    seq = AuditHead.objects.filter(pk=chain_for(fund)).values_list("seq", flat=True).first()
    where = hashlib.sha256(fund_url.encode()).hexdigest()[:16]
    return (
        f"public-poster:{fund.code}:{month.year_be}-{month.month:02d}"
        f":{seq or 0}:{today.isoformat()}:{where}"
    )


def _print(fund: Fund, month: PosterMonth, fund_url: str, today: dt.date) -> bytes:
    with fund_scope(fund):
        summary = month_summary(fund=fund, month=month)
    return poster_pdf(summary, fund_url=fund_url, printed_on=today)


@require_GET
def poster(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
    fund = public_fund(code)
    today = timezone.localdate()
    chosen = poster_month(fund, year, month, today)
    fund_url = request.build_absolute_uri(reverse("public-fund", kwargs={"code": fund.code}))
    if fund.runs_on == Fund.RunsOn.OWN_COMPUTER:
        return render(
            request,
            "public/poster_elsewhere.html",
            {"fund": fund, "fund_url": fund_url},
            status=404,
        )
    if chosen.running:
        pdf = _print(fund, chosen, fund_url, today)
    else:
        key = _closed_month_key(fund, chosen, fund_url, today)
        pdf = cache.get(key)
        if pdf is None:
            pdf = _print(fund, chosen, fund_url, today)
            cache.set(key, pdf, CLOSED_MONTH_MAX_AGE)
    filename = f"poster-{fund.code}-{chosen.year_be}-{chosen.month:02d}.pdf"
    response = HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, filename) or "inline"},
    )
    if chosen.running:
        # Today's figures are gone tomorrow: no cache may keep them.
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, public=True, max_age=CLOSED_MONTH_MAX_AGE)
    return response
