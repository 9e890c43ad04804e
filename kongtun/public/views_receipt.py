"""Checking a paper receipt, for anyone: from its QR code (/r/<code>/, in
kongtun.contributions) or, without a QR scanner, by typing its fund, number and amount here.

Both answer with the same verdict page. The typed look-up shows a receipt only when all three
match one receipt, and then never its payer: a number and an amount can be guessed (most
receipts are for the same monthly amount), so what it answers must be harmless to a guesser.
Anything else gets one neutral answer that does not say which part was wrong or whether the
number exists. Both checks are rate-limited per client, and the typed one per fund as well
(kongtun.public.ratelimit), so nobody can guess their way through a fund's receipts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from kongtun.contributions.printing import Verification, receipt_verification_by_number
from kongtun.public import ratelimit, selectors
from kongtun.public.forms import ReceiptLookupForm


def _private(response: HttpResponse) -> HttpResponse:
    """The page may name a person (masked) or carries a receipt's number and amount in its
    URL: keep it out of shared caches, search engines and other sites' logs."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def verdict_page(request: HttpRequest, found: Verification) -> HttpResponse:
    """The receipt as the public may see it: valid or voided, and the payer's name masked
    when the receipt was reached by its QR code (`found.payer`)."""
    return _private(render(request, "contributions/receipts/verify.html", {"v": found}))


def _form_page(
    request: HttpRequest, form: ReceiptLookupForm, *, no_match: bool = False, status: int = 200
) -> HttpResponse:
    context = {"form": form, "funds": selectors.receipt_funds(), "no_match": no_match}
    return _private(render(request, "public/receipt.html", context, status=status))


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    if "number" not in request.GET:
        # The empty form, not a check: the fund's public page may link here with ?fund=<code>.
        form = ReceiptLookupForm(initial={"fund": request.GET.get("fund", "")[:200]})
        return _form_page(request, form)
    if not ratelimit.allow(request, ratelimit.RECEIPT_LOOKUP):
        return ratelimit.too_many(request, ratelimit.RECEIPT_LOOKUP)
    form = ReceiptLookupForm(request.GET)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    typed, year, seq, amount = form.receipt_key()
    funds = selectors.funds_typed(typed)
    if not ratelimit.allow_funds(funds, ratelimit.RECEIPT_LOOKUP_FUND):
        return ratelimit.too_many(request, ratelimit.RECEIPT_LOOKUP_FUND)
    found = receipt_verification_by_number(funds=funds, fiscal_year=year, seq=seq, total=amount)
    if found is None:
        return _form_page(request, form, no_match=True)
    return verdict_page(request, found)
