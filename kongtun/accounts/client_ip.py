"""The client address django-axes counts failed passwords by (AXES_CLIENT_IP_CALLABLE).

Axes locks a (user name, address) pair. By default its address is REMOTE_ADDR, which behind
our reverse proxy (BEHIND_PROXY=true) is the proxy for everyone: five wrong passwords from
anywhere would lock the chair out from everywhere. The same client as the login rate limit
counts (kongtun.public.ratelimit.client_address) is used instead, written as an address the
database's address column accepts: an IPv6 client's /64 as its first address, and a client
whose forwarded address cannot be read as REMOTE_ADDR (the proxy).
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from kongtun.public.ratelimit import client_address


def axes_client_ip(request: HttpRequest) -> str | None:
    """Axes 8 calls this with the request and stores what it returns as an IP address."""
    who = client_address(request)
    if who == "unknown":
        return request.META.get("REMOTE_ADDR") or None
    if "/" in who:
        return str(ipaddress.ip_network(who, strict=False).network_address)
    return who
