"""Limits on the public receipt checks, so nobody can try number after number (or amount
after amount) until one matches.

Two budgets. Each client has a small one per minute (`allow`). The typed look-up also has one
per fund per hour, shared by every client (`allow_funds`): a script that changes its address
for each try gets past the first, not the second, so it cannot walk one fund's receipts.

Who is the client: `REMOTE_ADDR`, or behind our reverse proxy (`BEHIND_PROXY=true`) the
right-most X-Forwarded-For entry, the one our proxy appended; entries to its left are whatever
the client sent and prove nothing. An IPv6 client is counted by its /64: one home or phone
holds a whole /64 and could otherwise take a fresh address for every try.

Counts live in Django's default cache under fixed windows. The settings configure no CACHES, so
that cache is Django's local-memory cache: each server process (each gunicorn worker) counts on
its own, and a client may get up to the limit from each. That is enough to make guessing slow;
a shared cache (Redis, memcached) in CACHES would make the limits exact. A fixed window lets a
burst of up to twice the limit through across a window's edge; for slowing down guessing that
is fine, and it costs one cache write per check.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from kongtun.funds.models import Fund

MINUTE, HOUR = 60, 3600
IPV6_PREFIX = 64  # what one subscriber is given; see the module's docstring


@dataclass(frozen=True)
class Limit:
    bucket: str  # checks in one bucket share one count
    allowed: int  # checks per window
    window: int = MINUTE  # seconds


# The typed look-up could be used to guess numbers and amounts, so it is the tighter one.
# The QR page's code is unguessable; its limit only keeps a scraper from hammering it, and
# is loose enough for a collector checking a stack of receipts one after another.
RECEIPT_LOOKUP = Limit("receipt-lookup", 10)
RECEIPT_QR = Limit("receipt-qr", 30)
# Every client's typed look-ups of one fund together: a fund's committee checking a stack of
# receipts stays well under it; a walk through thousands of numbers does not.
RECEIPT_LOOKUP_FUND = Limit("receipt-lookup-fund", 60, HOUR)


def behind_proxy() -> bool:
    """Whether requests come through our reverse proxy (BEHIND_PROXY=true)."""
    return bool(settings.BEHIND_PROXY)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy may write it: bare, "[v6]:port", "v4:port", with a v6 zone."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _group(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An IPv4 address itself; an IPv6 address by its /64 (an IPv4-mapped one as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def client_address(request: HttpRequest) -> str:
    """Who is counted for this request: an address, or an IPv6 /64."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if behind_proxy():
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
        entries = [entry for entry in forwarded.split(",") if entry.strip()]
        if entries:
            remote = entries[-1]
    address = _address(remote)
    return _group(address) if address is not None else "unknown"


def _count(limit: Limit, who: str) -> bool:
    """Count one check by `who` in `limit`; True while within it."""
    window = int(time.time() // limit.window)
    key = f"ratelimit:{limit.bucket}:{who}:{window}"
    # add() is a no-op when the key exists, so the count starts once per window; the key
    # outlives its window a little and then expires on its own.
    cache.add(key, 0, timeout=limit.window + 10)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=limit.window + 10)
        count = 1
    return count <= limit.allowed


def allow(request: HttpRequest, limit: Limit) -> bool:
    """Count one check by this client; True while it is within the limit."""
    return _count(limit, client_address(request))


def allow_funds(funds: Iterable[Fund], limit: Limit = RECEIPT_LOOKUP_FUND) -> bool:
    """Count one look-up against each fund it searched; True while every one is within its
    budget. A look-up that matched no fund counts nowhere: it can find nothing."""
    # Every fund is counted, even after one is over: a look-up searched them all.
    within = [_count(limit, f"fund-{fund.pk}") for fund in funds]
    return all(within)


def _seconds_left(limit: Limit) -> int:
    return limit.window - int(time.time()) % limit.window


def too_many(request: HttpRequest, limit: Limit = RECEIPT_LOOKUP) -> HttpResponse:
    """429 with a page that says, in words, how long to wait."""
    context = {"per_fund": limit.window > MINUTE}
    response = render(request, "public/receipt_limit.html", context, status=429)
    response["Retry-After"] = str(limit.window if limit.window == MINUTE else _seconds_left(limit))
    add_never_cache_headers(response)
    return response


def limited(limit: Limit) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer 429 instead of running the view once the client is over `limit`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allow(request, limit):
                return too_many(request, limit)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
